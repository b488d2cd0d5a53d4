/**
 * Changing a lab's link at run time, without a re-up: up, down, MTU, rate. The change lives in the kernel
 * only; the next `nslab up` of the file puts the link back as the file says.
 */
import { NslabError } from '../errors.js';
import { Handle } from '../rtnl/index.js';
import { listWords } from '../topology/bounded.js';
import { routesOf } from '../topology/routing.js';
import type { ResolvedRoute, Shaping } from '../topology/types.js';
import { routeSpec } from './requests.js';
import { qdiscSpec } from './shaping.js';
import { markFor } from '../plan/marks.js';
import { readState } from './state.js';

export interface LinkChange {
  up?: boolean;
  mtu?: number;
  /** Egress rate in bits per second; null removes the shaping. */
  rate?: number | null;
}

/** Finds the lab's interface NODE:IFNAME, or says which interfaces the node has. */
export function findInterface(
  lab: string,
  node: string,
  ifname: string,
  stateRoot?: string,
): { netns: string; shaping: Shaping | undefined; routes: ResolvedRoute[] } {
  const applied = readState(lab, stateRoot)?.applied;
  if (applied === undefined) throw new NslabError('NSLAB_NOT_FOUND', `lab ${lab} is not up; bring it up with \`nslab up\``);
  const n = applied.nodes.find((x) => x.name === node);
  if (n === undefined) throw new NslabError('NSLAB_NOT_FOUND', `lab ${lab} has no node ${node}; its nodes are ${listWords(applied.nodes.map((x) => x.name))}`);
  const end = applied.links.flatMap((l) => [l.a, l.b]).find((e) => e.node === node && e.ifname === ifname);
  if (end === undefined)
    throw new NslabError('NSLAB_NOT_FOUND', `node ${node} has no interface ${ifname}; its interfaces are ${listWords(n.interfaces) || 'none'}`);
  return { netns: n.netns, shaping: end.shaping, routes: routesOf(applied, n) };
}

/**
 * Equivalent to: ip -n NETNS link set IFNAME up|down [mtu N]; tc -n NETNS qdisc replace dev IFNAME root tbf rate R ...
 */
export async function setLink(lab: string, node: string, ifname: string, change: LinkChange, options: { stateRoot?: string } = {}): Promise<void> {
  const { netns, routes, shaping } = findInterface(lab, node, ifname, options.stateRoot);
  const id = readState(lab, options.stateRoot)?.id ?? '';
  await using h = await Handle.open({ netns });
  if (change.up !== undefined || change.mtu !== undefined) {
    await h.link.set(ifname, {
      ...(change.up !== undefined ? { up: change.up } : {}),
      ...(change.mtu !== undefined ? { mtu: change.mtu } : {}),
      alias: markFor(lab, id),
    });
    // The kernel drops a device's IPv4 routes when it goes down: put the node's routes back.
    if (change.up === true) await Promise.all(routes.map((r) => h.route.replace(routeSpec(r, (dev) => dev))));
  }
  if (change.rate !== undefined) await setRate(h, ifname, change.rate, shaping);
}

/**
 * Sets or removes the egress rate of an interface, keeping the delay, jitter and loss the lab gave it.
 *
 * Equivalent to: tc -n NETNS qdisc replace dev IFNAME root tbf rate RATE burst B latency 50ms (or: qdisc del)
 */
async function setRate(h: Handle, ifname: string, rate: number | null, shaping: Shaping | undefined): Promise<void> {
  const { rate: _old, ...impairments } = shaping ?? {};
  const next: Shaping = rate === null ? impairments : { ...impairments, rate };
  if (Object.keys(next).length === 0) await h.qdisc.del(ifname);
  else await h.qdisc.replace(ifname, qdiscSpec(next));
}
