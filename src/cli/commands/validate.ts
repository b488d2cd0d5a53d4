/** nslab validate FILE: every problem of a topology file, with its line and a fix. */
import type { Command } from 'commander';
import { formatTopologyIssue, TopologyError } from '../../errors.js';
import { print } from '../context.js';
import { EXIT_USAGE, invalidJson } from '../output.js';

export function register(program: Command): void {
  program
    .command('validate')
    .description('check a topology file and report every problem with its line, and whether the lab fits the limits of this machine')
    .argument('<file>', 'topology file (YAML or JSON)')
    .option('--json', 'print as JSON: { valid, lab, nodes, links, warnings }, or { valid: false, file, problems }')
    .action(async (file: string, o: { json?: boolean }) => {
      // Read as up reads it (Lab.fromFile): the same errors for a file that cannot be read or is not text.
      const { Lab } = await import('../../api/lab.js');
      let lab: InstanceType<typeof Lab>;
      try {
        lab = await Lab.fromFile(file);
      } catch (e) {
        // The file's problems are validate's answer: with --json, that answer alone, on stdout.
        if (o.json !== true || !(e instanceof TopologyError)) throw e;
        print(true, invalidJson(file, e), () => '');
        process.exitCode = EXIT_USAGE;
        return;
      }
      const r = lab.resolved;
      const { checkMachine } = await import('../../api/index.js');
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
