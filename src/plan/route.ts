/**
 * Routes as the planner compares them. The kernel reports a little more than a topology says (the device
 * a gateway is reached through; the default metric), so "the same route" is defined here once.
 */
import type { ResolvedRoute } from '../topology/types.js';
import { canonicalIp, cidrText } from './ip.js';

/** The metric the kernel gives a route added without one: 0 for IPv4, 1024 for IPv6. */
export function effectiveMetric(route: ResolvedRoute): number {
  return route.metric ?? (route.family === 6 ? 1024 : 0);
}

/** The destination as `ip route` writes it: `10.10.1.3/32` or `default`. */
export function destinationText(route: ResolvedRoute): string {
  return route.to === 'default' ? 'default' : cidrText(route.to);
}

/**
 * The destination as an id part: `10.10.1.3/32`, `default`, `default6` (IPv6 default), with `@METRIC`
 * when the route names a metric, so two defaults with different metrics get different ids.
 */
export function routeIdPart(route: ResolvedRoute): string {
  const dest = route.to === 'default' && route.family === 6 ? 'default6' : destinationText(route);
  return route.metric !== undefined ? `${dest}@${route.metric}` : dest;
}

/**
 * True when an observed route is the desired one: same family, destination, metric and gateway; the
 * device must match when the desired route names one (the kernel always reports the device a gateway is
 * reached through, which a topology usually leaves out).
 */
export function sameRoute(desired: ResolvedRoute, observed: ResolvedRoute): boolean {
  if (desired.family !== observed.family) return false;
  if (destinationText(desired) !== destinationText(observed)) return false;
  if (effectiveMetric(desired) !== effectiveMetric(observed)) return false;
  const via = (r: ResolvedRoute): string | undefined => (r.via === undefined ? undefined : canonicalIp(r.via));
  if (via(desired) !== via(observed)) return false;
  return desired.dev === undefined || desired.dev === observed.dev;
}
