/**
 * `nslab convert FILE [-o OUT]`: a containerlab file as the nslab topology file it reads as, with what was
 * left out said in its header (and on stderr when it is written to a file). `nslab up FILE` reads the
 * containerlab file the same way, without converting it first.
 */
import { writeFile } from 'node:fs/promises';
import { dirname, isAbsolute, join, relative } from 'node:path';
import type { Command } from 'commander';
import { formatTopologyIssue } from '../../errors.js';
import { UsageError } from '../output.js';

export function register(program: Command): void {
  program
    .command('convert')
    .description('print a containerlab file (*.clab.yml) as the nslab topology file it reads as')
    .argument('<file>', 'containerlab topology file')
    .option('-o, --output <out>', 'write the nslab file there (its FRR config paths made relative to it) instead of printing it')
    .option('--json', 'print the lab in raw form and the warnings as JSON')
    .action(async (file: string, o: { output?: string; json?: boolean }) => {
      const { convertClab, isClabText, printNslab, readTopologyFile, topologyFileReader } = await import('../../api/index.js');
      const text = await readTopologyFile(file);
      if (!isClabText(text, file)) throw new UsageError(`${file} is not a containerlab file (it has no top-level topology: and is not named *.clab.yml)`);
      const { raw, warnings } = convertClab(text, { file, read: topologyFileReader(file) });
      const lines = warnings.map((w) => formatTopologyIssue(w, file));
      if (o.json === true) {
        process.stdout.write(`${JSON.stringify({ raw, warnings }, null, 2)}\n`);
        return;
      }
      const out = o.output;
      // The raw form's config paths are relative to the containerlab file; a file written elsewhere needs them relative to itself.
      const configPath = out === undefined ? undefined : (p: string): string => (isAbsolute(p) ? p : relative(dirname(out), join(dirname(file), p)) || p);
      const header = [
        `nslab topology converted by \`nslab convert\` from the containerlab file ${file}.`,
        ...(lines.length === 0 ? [] : ['Left out or doubted (see docs/containerlab.md):', ...lines.map((l) => `  ${l}`)]),
      ];
      const printed = printNslab(raw, { header, ...(configPath !== undefined ? { configPath } : {}) });
      if (out === undefined) {
        process.stdout.write(printed);
        return;
      }
      await writeFile(out, printed);
      for (const l of lines) process.stderr.write(`nslab: warning: ${l}\n`);
      process.stdout.write(
        `wrote ${out} (${raw.nodes !== undefined ? Object.keys(raw.nodes as object).length : 0} nodes, ${lines.length} warning${lines.length === 1 ? '' : 's'})\n`,
      );
    });
}
