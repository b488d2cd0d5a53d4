/**
 * What a lab's namespaces hold that nslab did not make, against what the lab wants: an interface by a name
 * the lab wants, or a route to a destination the lab routes elsewhere. Either would make `up` fail in the
 * middle (EEXIST), so `up` refuses before it changes anything, naming both and the way out. A route
 * identical to a wanted one is not in the way: the planner adopts it (route.add with `adopt`).
 */
import { routeTableOf } from '../topology/routing.js';
import type { ResolvedLab, ResolvedRoute } from '../topology/types.js';
import { routeText } from './format.js';
import { destinationText, effectiveMetric, sameRoute } from './route.js';
import { shellArg } from './shell-quote.js';
import type { ForeignRoute, ObservedLab } from './types.js';

/** Two routes the kernel keeps apart only if they differ here (main table): family, destination and metric. */
export function sameRouteKey(x: ResolvedRoute, y: ResolvedRoute): boolean {
  return x.family === y.family && destinationText(x) === destinationText(y) && effectiveMetric(x) === effectiveMetric(y);
}

/** A foreign route identical to `route`, if the namespace has one. */
export function identicalForeign(routes: readonly ForeignRoute[] | undefined, route: ResolvedRoute): ForeignRoute | undefined {
  return routes?.find((f) => sameRoute(route, f) && sameRouteKey(route, f));
}

/** Each thing in the way, as one sentence that names it, where it is, and what to do. */
export function foreignConflicts(desired: ResolvedLab, observed: ObservedLab): string[] {
  const problems: string[] = [];
  for (const node of desired.nodes) {
    const ns = Object.hasOwn(observed.namespaces, node.netns) ? observed.namespaces[node.netns] : undefined;
    if (ns === undefined) continue;
    const foreignLinks = new Set(ns.foreignLinks ?? []);
    const wanted = [...node.interfaces, ...(node.bridge !== undefined ? [node.bridge] : [])];
    for (const ifname of wanted) {
      if (!foreignLinks.has(ifname)) continue;
      problems.push(
        `interface ${ifname} in namespace ${node.netns} (node ${node.name}) exists and is not nslab's: delete it (ip -n ${shellArg(node.netns)} link del ${shellArg(ifname)}), or give the lab's interface another name`,
      );
    }
    if (ns.foreignRoutes === undefined || ns.foreignRoutes.length === 0) continue;
    // The computed routes too, read from the lab's table (only where some route is not nslab's).
    for (const route of [...node.routes, ...(routeTableOf(desired)?.of(node.name) ?? [])]) {
      const clash = ns.foreignRoutes.find((f) => sameRouteKey(route, f) && !sameRoute(route, f));
      if (clash === undefined || ns.routes.some((r) => sameRoute(route, r))) continue;
      problems.push(
        `namespace ${node.netns} (node ${node.name}) has a route ${routeText(clash)} (proto ${clash.protocol}) that nslab did not make, where the lab wants ${routeText(route)}: delete it (ip -n ${shellArg(node.netns)} route del ${destinationText(clash)}${clash.metric !== undefined ? ` metric ${clash.metric}` : ''}), or change the lab's route`,
      );
    }
  }
  return problems;
}
