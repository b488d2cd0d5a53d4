/** nslab ls: the labs that are up. */
import type { Command } from 'commander';
import { listLabs } from '../../api/running.js';
import { print } from '../context.js';

export function register(program: Command): void {
  program
    .command('ls')
    .description('list the labs that are up')
    .option('--json', 'print as JSON')
    .action((o: { json?: boolean }) => {
      const labs = listLabs();
      print(o.json === true, labs, () =>
        labs.length === 0 ? 'no labs are up' : labs.map((l) => `${l.name.padEnd(24)} ${String(l.nodes).padStart(5)} nodes  ${l.source ?? ''}`).join('\n'),
      );
    });
}
