/**
 * nslab routes NODE: a node's routes from the file or computed (with why), the routes its kernel has now
 * with the protocol that installed each (`ospf`, `bgp`, `nslab`...) and their next hops, and, on a router
 * that runs FRR, whether its routing has converged.
 */
import type { Command } from 'commander';
import type { KernelRoute } from '../../api/index.js';
import { labName, print, requireRoot } from '../context.js';

/** `10.3.0.2/31 via 10.3.0.1 dev eth0`, each path of an equal-cost route after a comma. */
function kernelText(r: KernelRoute): string {
  const hops = r.nexthops.map((n) => [n.via !== undefined ? `via ${n.via}` : '', n.dev !== undefined ? `dev ${n.dev}` : ''].filter((w) => w !== '').join(' '));
  return `${r.to}${hops.length > 0 && hops[0] !== '' ? ` ${hops.join(', ')}` : ''}${r.metric !== undefined ? ` metric ${r.metric}` : ''}`;
}

export function register(program: Command): void {
  program
    .command('routes')
    .description("a node's routes: written in the file, or computed (with why); what its kernel has, and by which protocol; whether its routing converged")
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
      const [kernel, routing] = await Promise.all([n.kernelRoutes(), n.routingStatus()]);
      const installed = kernel.filter((r) => r.origin === 'nslab').length;
      const json = { lab: lab.name, node, routes: routes.map(({ text: _, ...r }) => r), installed, kernel, ...(routing !== undefined ? { routing } : {}) };
      const width = Math.max(0, ...kernel.map((r) => kernelText(r).length));
      const protocols = routing?.protocols.map((p) => `${p.protocol}: ${p.text}`).join('; ');
      print(o.json === true, json, () =>
        [
          `routes of ${node} (lab ${lab.name}; ${installed} of them installed by nslab in the kernel now):`,
          ...routes.map((r) => `  ${r.text}  [${r.source}${r.reason !== undefined ? `: ${r.reason}` : ''}]`),
          ...(routes.length === 0 ? ['  none'] : []),
          `in ${node}'s kernel now (main table), by protocol:`,
          ...kernel.map((r) => `  ${kernelText(r).padEnd(width)}  [${r.protocol}]`),
          ...(kernel.length === 0 ? ['  none'] : []),
          ...(routing !== undefined
            ? [
                routing.error !== undefined
                  ? `routing (FRR): no answer: ${routing.error}`
                  : `routing (FRR): ${routing.converged ? 'converged' : 'not converged yet'}${protocols !== undefined && protocols !== '' ? `: ${protocols}` : ''}`,
              ]
            : []),
          ...(lab.resolved.notes ?? []).map((x) => `note: ${x}`),
        ].join('\n'),
      );
    });
}
