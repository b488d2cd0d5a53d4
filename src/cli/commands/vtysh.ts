/** nslab vtysh NODE [-c CMD]...: FRR's shell in a node that runs FRR, its exit status nslab's. */
import type { Command } from 'commander';
import { placeOf } from '../../api/running.js';
import { NslabError } from '../../errors.js';
import { attached, onItsHost } from '../attach.js';
import { labName, requireRoot } from '../context.js';

export function register(program: Command): void {
  program
    .command('vtysh')
    .description("FRR's shell in a node that runs FRR: interactive, or the commands given with -c; exits with vtysh's exit code")
    .argument('<node>', 'node name')
    .option('-c, --command <command>', 'a command for vtysh to run (repeat for several, run in order)', (c: string, all: string[]) => [...all, c], [])
    .option('--lab <name>', 'the lab, when several are up')
    .action(async (node: string, o: { command: string[]; lab?: string }) => {
      requireRoot('vtysh');
      const lab = await labName(o, undefined, node);
      // A node on another host of the lab: its host's nslab opens it there.
      const remote = await onItsHost(lab, node, ['vtysh', '--lab', lab, node, ...o.command.flatMap((c) => ['-c', c])]);
      if (remote !== undefined) {
        process.exitCode = remote;
        return;
      }
      const place = placeOf(lab, node);
      if (place.frrDir === undefined)
        throw new NslabError(
          'NSLAB_NOT_FOUND',
          `node ${node} of lab ${lab} runs no FRR: give it frr settings, or use routing: ospf or bgp (docs/topology.md); \`nslab shell ${node}\` opens a shell`,
        );
      // vtysh finds the node's daemons and configuration where FRR keeps them: the node's FRR view has them there.
      process.exitCode = await attached(place, ['vtysh', ...o.command.flatMap((c) => ['-c', c])]);
    });
}
