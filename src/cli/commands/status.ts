/** nslab status [FILE | --lab NAME]: what the kernel says of a lab. */
import type { Command } from 'commander';
import { status } from '../../api/lifecycle.js';
import { labName, labOfFile, print, requireRoot } from '../context.js';
import { formatStatus, statusJson } from '../output.js';

export function register(program: Command): void {
  program
    .command('status')
    .description('what the kernel says of a lab: nodes, interfaces, addresses, link state, routes')
    .argument('[file]', 'topology file of the lab')
    .option('--lab <name>', 'the lab, by name')
    .option('--json', 'print as JSON')
    .action(async (file: string | undefined, o: { lab?: string; json?: boolean }) => {
      requireRoot('status');
      const s = await status(await labName(o, file, undefined, labOfFile));
      print(o.json === true, statusJson(s), () => formatStatus(s));
    });
}
