/** Routes in a namespace's main table, carrying nslab's route protocol. */
import type { ResolvedRoute } from '../../topology/types.js';
import { inSubnet, isLinkLocal6 } from '../ip.js';
import { RTPROT_NSLAB } from '../marks.js';
import { routeText } from '../format.js';
import { destinationText, effectiveMetric, sameRoute } from '../route.js';
import { shellArg } from '../shell-quote.js';
import { fail, type Model, type OpKindSpec } from './kind.js';
import type { ObservedLink, ObservedNamespace, Op } from '../types.js';

/** `ip -n red` (with `-6` first for an IPv6 default route, which `ip` cannot tell from `default`). */
function ipFor(netns: string, route: ResolvedRoute): string {
  return `ip ${route.family === 6 && route.to === 'default' ? '-6 ' : ''}-n ${shellArg(netns)}`;
}

export const routeAdd: OpKindSpec<'route.add'> = {
  describe: (op) => `${op.adopt === true ? 'adopt route' : 'route'} ${op.netns} ${routeText(op.route)}`,
  // The protocol is nslab's mark on its routes (`ip route show proto 77` lists them). An identical route
  // made by hand is replaced by nslab's, which is the same route with nslab's mark.
  explain: (op) => `${ipFor(op.netns, op.route)} route ${op.adopt === true ? 'replace' : 'add'} ${routeText(op.route)} proto ${RTPROT_NSLAB}`,
  simulate(op, model) {
    const ns = model.nsOf(op, op.netns);
    if (op.adopt === true) {
      const i = ns.foreignRoutes?.findIndex((f) => sameRoute(op.route, f)) ?? -1;
      if (i < 0) fail(op, `no route ${destinationText(op.route)} to adopt (ESRCH)`);
      ns.foreignRoutes?.splice(i, 1);
    }
    ns.routes.push(addRoute(op, ns, op.route));
  },
  socket: (op) => op.netns,
  lane: (op, makes) => (makes(op.netns, op.route.dev) ? op.netns : undefined),
};

export const routeDel: OpKindSpec<'route.del'> = {
  describe: (op) => `delete route ${op.netns} ${routeText(op.route)}`,
  explain: (op) => `${ipFor(op.netns, op.route)} route del ${routeText(op.route)}`,
  simulate(op, { nsOf }: Model) {
    const ns = nsOf(op, op.netns);
    const i = ns.routes.findIndex((r) => sameRoute(op.route, r));
    if (i < 0) fail(op, `no route ${destinationText(op.route)} (ESRCH)`);
    ns.routes.splice(i, 1);
  },
  socket: (op) => op.netns,
  lane: () => undefined,
};

/**
 * A node's computed routes (routing: static), read from the lab's route table as they go: a ring of 1,000
 * routers has a million, which neither the plan nor the engine holds one by one.
 */
export const routesAdd: OpKindSpec<'routes.add'> = {
  // A few by their words (the one a re-up puts back reads as a route.add does), many by their number.
  describe: (op) =>
    op.routes.length === 1
      ? `route ${op.netns} ${routeText(op.routes.route(0))}`
      : op.routes.length <= 3
        ? `routes ${op.netns} ${[...op.routes].map(routeText).join(', ')}`
        : `routes ${op.netns}: ${op.routes.length} computed`,
  explain(op) {
    const lines: string[] = [];
    for (const route of op.routes) lines.push(`${ipFor(op.netns, route)} route add ${routeText(route)} proto ${RTPROT_NSLAB}`);
    return lines.join('\n');
  },
  simulate(op, model) {
    const ns = model.nsOf(op, op.netns);
    for (const route of op.routes) ns.routes.push(addRoute(op, ns, route));
  },
  socket: (op) => op.netns,
  // Nothing rides behind it on its socket, so its requests may go in windows (engine/requests.ts).
  lane: (op, makes) => (op.routes.devices().every((dev) => makes(op.netns, dev)) ? op.netns : undefined),
};

/** Checks a route the way the kernel does and returns it as the engine would read it back. */
function addRoute(op: Op, ns: ObservedNamespace, route: ResolvedRoute): ResolvedRoute {
  let dev = route.dev;
  if (dev !== undefined) {
    const link = ns.links.find((l) => l.ifname === dev) ?? fail(op, `no device ${dev} (ENODEV)`);
    if (!link.up) fail(op, `device ${dev} is down (ENETDOWN)`);
  }
  if (route.via !== undefined) {
    const via = route.via;
    const onLink = (l: ObservedLink): boolean => l.up && l.addresses.some((c) => inSubnet(c, via));
    const candidates = ns.links.filter((l) => (dev === undefined || l.ifname === dev) && onLink(l));
    const linkLocal = route.family === 6 && isLinkLocal6(via) && dev !== undefined;
    if (candidates.length === 0 && !linkLocal) fail(op, `gateway ${via} is on no connected subnet (ENETUNREACH)`);
    dev ??= candidates[0]?.ifname;
  }
  if (dev === undefined) fail(op, 'a route needs a device or a gateway (EINVAL)');
  const dest = destinationText(route);
  if (ns.routes.some((r) => r.family === route.family && destinationText(r) === dest && effectiveMetric(r) === effectiveMetric(route)))
    fail(op, `route ${dest} metric ${effectiveMetric(route)} exists (EEXIST)`);
  const metric = effectiveMetric(route);
  const defaultMetric = route.family === 6 ? 1024 : 0;
  return {
    family: route.family,
    to: route.to === 'default' ? 'default' : { ...route.to },
    ...(route.via !== undefined ? { via: route.via } : {}),
    dev,
    ...(metric !== defaultMetric ? { metric } : {}),
  };
}
