/** nslab exec NODE -- CMD...: a command inside a node, its exit status nslab's. */
import type { Command } from 'commander';
import { placeOf } from '../../api/running.js';
import { attached, onItsHost } from '../attach.js';
import { labName, requireRoot } from '../context.js';

export function register(program: Command): void {
  program
    .command('exec')
    .description('run a command inside a node; exits with its exit code (128 + the signal when a signal ended it)')
    .argument('<node>', 'node name')
    .argument('<command...>', 'the command and its arguments (put -- before it)')
    .option('--lab <name>', 'the lab, when several are up')
    .action(async (node: string, command: string[], o: { lab?: string }) => {
      requireRoot('exec');
      const lab = await labName(o, undefined, node);
      const place = placeOf(lab, node);
      // A node on another host: the command runs there, through that host's nslab.
      const remote = await onItsHost(lab, node, ['exec', '--lab', lab, node, '--', ...command]);
      if (remote !== undefined) {
        process.exitCode = remote;
        return;
      }
      process.exitCode = await attached(place, command);
    });
}
