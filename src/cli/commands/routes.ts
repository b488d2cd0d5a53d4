/** nslab routes NODE: a node's routes, from the file or computed (with why), and how many the kernel has. */
import type { Command } from 'commander';
import { labName, print, requireRoot } from '../context.js';

export function register(program: Command): void {
  program
    .command('routes')
    .description("a node's routes: written in the file, or computed (with why), and what the kernel has")
    .argument('<node>', 'node name')
    .option('--lab <name>', 'the lab, when several are up')
    .option('--json', 'print as JSON')
    .action(async (node: string, o: { lab?: string; json?: boolean }) => {
      requireRoot('routes');
      const api = await import('../../api/index.js');
      const lab = api.Lab.open(await labName(o, undefined, node));
      const n = lab.node(node);
      const routes = n.routes.map((r) => ({
        text: api.routeText(r),
        to: r.to === 'default' ? (r.family === 6 ? '::/0' : 'default') : api.cidrText(r.to),
        ...(r.via !== undefined ? { via: r.via } : {}),
        ...(r.dev !== undefined ? { dev: r.dev } : {}),
        ...(r.metric !== undefined ? { metric: r.metric } : {}),
        source: r.computed === true ? 'computed' : 'file',
        ...(r.reason !== undefined ? { reason: r.reason } : {}),
      }));
      const s = await lab.status();
      const kernel = Object.values(s.observed.namespaces).find((x) => x.node === node)?.routes.length ?? 0;
      const json = { lab: lab.name, node, routes: routes.map(({ text: _, ...r }) => r), installed: kernel };
      print(o.json === true, json, () =>
        [
          `routes of ${node} (lab ${lab.name}; ${kernel} of them installed by nslab in the kernel now):`,
          ...routes.map((r) => `  ${r.text}  [${r.source}${r.reason !== undefined ? `: ${r.reason}` : ''}]`),
          ...(routes.length === 0 ? ['  none'] : []),
          ...(lab.resolved.notes ?? []).map((x) => `note: ${x}`),
        ].join('\n'),
      );
    });
}
