/** nslab ping NODE TARGET: ping from a node to another node or an address. */
import type { Command } from 'commander';
import { appliedLab, placeOf } from '../../api/running.js';
import { attached, onItsHost } from '../attach.js';
import { labName, requireRoot, targetIn } from '../context.js';
import { EXIT_FAILURE, UsageError } from '../output.js';

export function register(program: Command): void {
  program
    .command('ping')
    .description('ping from a node to another node (its first address) or an address')
    .argument('<node>', 'node to ping from')
    .argument('<target>', 'node name or address')
    .option('--lab <name>', 'the lab, when several are up')
    .option('-c, --count <n>', 'echo requests to send', '3')
    .action(async (node: string, target: string, o: { lab?: string; count: string }) => {
      requireRoot('ping');
      if (!/^\d+$/.test(o.count)) throw new UsageError(`--count takes a whole number, not "${o.count}"`);
      const name = await labName(o, undefined, node);
      const place = placeOf(name, node);
      const { Lab } = await import('../../api/lab.js');
      const lab = appliedLab(name);
      targetIn(lab, target);
      const address = new Lab(lab).resolveTarget(target);
      // The target's address is known here (the whole lab); the ping runs on the node's host, whose nslab
      // maps ping's exit code as below.
      const remote = await onItsHost(name, node, ['ping', '--lab', name, node, address, '-c', o.count]);
      if (remote !== undefined) {
        process.exitCode = remote;
        return;
      }
      process.exitCode = pingExit(await attached(place, ['ping', '-n', '-c', o.count, '-i', '0.2', '-W', '1', address]));
    });
}

/**
 * nslab's exit code for ping's. ping (iputils) exits 1 when no reply came and 2 for any other error, such
 * as "Network is unreachable"; in nslab 2 means a mistake on nslab's command line, so both are 1 (failure).
 * A signal stays 128 + N.
 */
function pingExit(code: number): number {
  if (code === 0 || code >= 128) return code;
  return EXIT_FAILURE;
}
