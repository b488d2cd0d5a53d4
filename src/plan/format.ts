/**
 * One formatter per value, as `ip` and `tc` write them: addresses, routes and rates. The CLI, `--explain`,
 * progress and messages all print through these.
 */
import type { ResolvedRoute } from '../topology/types.js';
import { rtprotName } from '../netlink/index.js';
import { cidrText } from './ip.js';
import { RTPROT_NSLAB } from './marks.js';
import { destinationText } from './route.js';
import { shellArg } from './shell-quote.js';

export { cidrText, destinationText };

/** `10.0.0.0/24 via 10.10.1.1 dev rveth metric 100`: a route as `ip route` takes and shows it. */
export function routeText(route: ResolvedRoute): string {
  const words = [destinationText(route)];
  if (route.via !== undefined) words.push('via', route.via);
  if (route.dev !== undefined) words.push('dev', shellArg(route.dev));
  if (route.metric !== undefined) words.push('metric', String(route.metric));
  return words.join(' ');
}

/** `10mbit` for 10_000_000 bits per second, as tc writes rates. */
export function rateText(bps: number): string {
  for (const [unit, size] of [
    ['gbit', 1e9],
    ['mbit', 1e6],
    ['kbit', 1e3],
  ] as const)
    if (bps >= size && bps % size === 0) return `${bps / size}${unit}`;
  return `${bps}bit`;
}

/** A route's protocol as `ip route` names it (`ospf`, `bgp`, `kernel`), nslab's own as `nslab`, else its number. */
export function protocolText(protocol: number): string {
  return protocol === RTPROT_NSLAB ? 'nslab' : rtprotName(protocol);
}
