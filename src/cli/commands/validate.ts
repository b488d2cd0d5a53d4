/** nslab validate FILE: every problem of a topology file, with its line and a fix. */
import { readFile } from 'node:fs/promises';
import type { Command } from 'commander';
import { formatTopologyIssue } from '../../errors.js';
import { print } from '../context.js';
import { UsageError } from '../output.js';

export function register(program: Command): void {
  program
    .command('validate')
    .description('check a topology file and report every problem with its line, and whether the lab fits the limits of this machine')
    .argument('<file>', 'topology file (YAML or JSON)')
    .option('--json', 'print as JSON')
    .action(async (file: string, o: { json?: boolean }) => {
      let text: string;
      try {
        text = await readFile(file, 'utf8');
      } catch (cause) {
        throw new UsageError(`cannot read ${file}: ${(cause as Error).message}`);
      }
      const { checkMachine, parseTopology, topologyFileReader } = await import('../../api/index.js');
      const r = parseTopology(text, { file, read: topologyFileReader(file) });
      checkMachine(r);
      const warnings = r.warnings ?? [];
      print(o.json === true, { valid: true, lab: r.name, nodes: r.nodes.length, links: r.links.length, warnings }, () =>
        [
          `${file} is valid: lab ${r.name}, ${r.nodes.length} nodes, ${r.links.length} links`,
          ...warnings.map((w) => `warning: ${formatTopologyIssue(w, file)}`),
        ].join('\n'),
      );
    });
}
