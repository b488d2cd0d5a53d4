/** nslab why NODE TARGET: the path a packet takes, hop by hop and back, and what stops it. */
import type { Command } from 'commander';
import { labName, nodeIn, print, requireRoot, targetIn } from '../context.js';
import { DEFAULT_SOURCE } from './up.js';

export function register(program: Command): void {
  program
    .command('why')
    .description('explain the path a packet from NODE to TARGET takes, hop by hop and back, and where and why it stops')
    .argument('<node>', 'node the packet leaves from')
    .argument('<target>', 'node name or address')
    .option('--lab <name>', 'the lab, when several are up')
    .option('--json', 'print as JSON')
    .action(async (node: string, target: string, o: { lab?: string; json?: boolean }) => {
      requireRoot('why');
      const { Lab } = await import('../../api/lab.js');
      const lab = Lab.open(await labName(o, undefined, node));
      nodeIn(lab.resolved, node);
      targetIn(lab.resolved, target);
      // The built-in lab comes back with a bare `nslab up`; a file's lab with `nslab up FILE` (why's default).
      const r = await lab.why(node, target, lab.source === DEFAULT_SOURCE ? { upCommand: 'nslab up' } : {});
      print(o.json === true, r, () => {
        // In a lab over several machines, each hop says its host.
        const hop = (h: (typeof r.there.hops)[number]): string => `  ${h.host !== undefined ? `[${h.host}] ` : ''}${h.text}`;
        const lines = r.hosts !== undefined ? [`over host${r.hosts.length === 1 ? '' : 's'} ${r.hosts.join(' -> ')}:`] : [];
        lines.push(...r.there.hops.map(hop));
        if (r.back !== undefined) lines.push('  and back:', ...r.back.hops.map(hop));
        lines.push(r.verdict);
        // The advice again, one command a line, to copy as it is: best first.
        r.advice.forEach((a, i) => lines.push(`${a.kind === 'file' ? 'also: ' : i === 0 ? 'fix: ' : ' or: '}${a.command ?? a.text}`));
        return lines.join('\n');
      });
      if (!r.reaches) process.exitCode = 1;
    });
}
