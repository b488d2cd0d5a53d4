/** nslab down [FILE | --lab NAME]: remove a lab, leaving nothing. */
import type { Command } from 'commander';
import { down } from '../../api/lifecycle.js';
import { isOverHosts } from '../../api/running.js';
import { labName, labOfFile, print, requireRoot } from '../context.js';
import { progressPrinter } from '../progress.js';

export function register(program: Command): void {
  program
    .command('down')
    .description('remove a lab: its namespaces, links, processes and state; nothing else')
    .argument('[file]', 'topology file of the lab')
    .option('--lab <name>', 'the lab, by name (works with the file gone)')
    .option('--explain', 'print each step as the ip command it equals')
    .option('--json', 'print the result as JSON')
    .action(async (file: string | undefined, o: { lab?: string; explain?: boolean; json?: boolean }) => {
      requireRoot('down');
      const name = await labName(o, file, undefined, labOfFile);
      const started = Date.now();
      // The parser and the hosts' controller load only for a file, and for a lab spread over hosts.
      const spread = file !== undefined ? (await (await import('../../api/lab.js')).Lab.fromFile(file)).resolved : undefined;
      if (isOverHosts(name) || spread?.hosts !== undefined) {
        const { downOverHosts } = await import('../../api/hosts.js');
        const r = await downOverHosts(name, spread);
        const ms = Date.now() - started;
        print(o.json === true, { lab: name, found: r.found, hosts: r.down, ms }, () =>
          r.found || r.down.length > 0
            ? `lab ${name} down on ${r.down.length} hosts (${r.down.join(', ')}) in ${ms} ms`
            : `no lab named ${name} was up; nothing to do`,
        );
        return;
      }
      const explainSteps = o.explain === true && o.json !== true;
      const onProgress = progressPrinter('down', explainSteps, `nslab down ${file ?? `--lab ${name}`}`);
      const result = await down(name, onProgress !== undefined ? { onProgress } : {});
      const ms = Date.now() - started;
      print(
        o.json === true,
        { lab: name, found: result.found, operations: result.plan.ops.length, ms },
        () =>
          `${explainSteps ? '# ' : ''}${result.found ? `lab ${name} down: ${result.plan.ops.length} operations in ${ms} ms` : `no lab named ${name} was up; nothing to do`}`,
      );
    });
}
