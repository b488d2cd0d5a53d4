/** nslab shell NODE: an interactive shell inside a node, its prompt naming the node. */
import type { Command } from 'commander';
import { placeOf } from '../../api/running.js';
import { attached, onItsHost, onPath } from '../attach.js';
import { labName, requireRoot } from '../context.js';

export function register(program: Command): void {
  program
    .command('shell')
    .description('an interactive shell inside a node, its prompt showing the node')
    .argument('<node>', 'node name')
    .option('--lab <name>', 'the lab, when several are up')
    .action(async (node: string, o: { lab?: string }) => {
      requireRoot('shell');
      const lab = await labName(o, undefined, node);
      const place = placeOf(lab, node);
      const remote = await onItsHost(lab, node, ['shell', '--lab', lab, node]);
      if (remote !== undefined) {
        process.exitCode = remote;
        return;
      }
      const env = { ...process.env, PS1: `[${node}] \\w \\$ ` };
      process.stderr.write(`nslab: shell on node ${node} of lab ${lab} (netns ${place.netns}); exit to leave\n`);
      // bash without the user's startup files (which would set their own prompt), else the POSIX sh.
      const shell = onPath('bash') ? ['bash', '--norc', '--noprofile', '-i'] : ['sh', '-i'];
      process.exitCode = await attached(place, shell, env);
    });
}
