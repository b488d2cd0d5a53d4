/**
 * Which of a node's addresses another node should use to reach it. A node's name means different addresses
 * to different viewers: in a triangle of three hosts, each host's first address is on a cable the third
 * host is not on, and a host (which does not forward) is reached only on the cable it shares with the
 * viewer. So the address is chosen per viewer: one on a segment both are on first (a cable between them,
 * or a LAN both are on), else one the viewer's routes reach (the longest prefix wins), IPv4 before IPv6.
 */
import { addressValue, netAt, netContains } from './ip-math.js';
import { routesOf } from './routing.js';
import { buildSegments, type NetworkSegment } from './segments.js';
import type { Cidr, ResolvedLab } from './types.js';

/** The segments of each lab, worked out once per lab object. */
const segmentsOf = new WeakMap<ResolvedLab, NetworkSegment[]>();

function segments(lab: ResolvedLab): NetworkSegment[] {
  let s = segmentsOf.get(lab);
  if (s === undefined) {
    const bridges = new Set(lab.nodes.filter((n) => n.kind === 'bridge').map((n) => n.name));
    s = buildSegments(lab.links, (n) => bridges.has(n)).segments;
    segmentsOf.set(lab, s);
  }
  return s;
}

/** IPv4 first, then IPv6, each in file order; link-local IPv6 left out (it needs an interface to mean anything). */
function ordered(addresses: readonly Cidr[]): Cidr[] {
  const usable = addresses.filter((a) => !(a.family === 6 && a.address.startsWith('fe80:')));
  return [...usable.filter((a) => a.family === 4), ...usable.filter((a) => a.family === 6)];
}

/** Every address of a node, in the order `ordered` gives. */
export function nodeAddresses(lab: ResolvedLab, node: string): Cidr[] {
  return ordered(lab.links.flatMap((l) => [l.a, l.b]).flatMap((e) => (e.node === node ? e.addresses : [])));
}

/** Does one of `from`'s routes, or one of its own subnets, lead to `address`? The prefix length of the best match, else -1. */
function routeMatch(lab: ResolvedLab, from: string, address: Cidr): number {
  const value = addressValue(address.address);
  let best = -1;
  for (const own of nodeAddresses(lab, from)) {
    if (own.family === address.family && netContains(netAt(own.family, addressValue(own.address), own.prefixLength), value))
      best = Math.max(best, own.prefixLength);
  }
  const node = lab.nodes.find((n) => n.name === from);
  for (const r of node !== undefined ? routesOf(lab, node) : []) {
    if (r.family !== address.family) continue;
    if (r.to === 'default') best = Math.max(best, 0);
    else if (netContains(netAt(r.family, addressValue(r.to.address), r.to.prefixLength), value)) best = Math.max(best, r.to.prefixLength);
  }
  return best;
}

/**
 * The address of `target` that `from` reaches: on a segment both are on first (of a family `from` has
 * there, if it has one), else the one `from`'s routes lead to with the longest prefix, else undefined.
 * A node asked about itself gets its first address.
 */
export function addressFor(lab: ResolvedLab, from: string, target: string): string | undefined {
  const all = nodeAddresses(lab, target);
  if (from === target || all.length === 0) return all[0]?.address;
  for (const s of segments(lab)) {
    const mine = s.attachments.filter((a) => a.node === from);
    if (mine.length === 0) continue;
    const theirs = ordered(s.attachments.filter((a) => a.node === target).flatMap((a) => a.addresses));
    if (theirs.length === 0) continue;
    const families = new Set(mine.flatMap((a) => a.addresses.map((c) => c.family)));
    return (theirs.find((c) => families.has(c.family)) ?? (theirs[0] as Cidr)).address;
  }
  let chosen: Cidr | undefined;
  let bestLength = -1;
  for (const a of all) {
    const length = routeMatch(lab, from, a);
    if (length > bestLength) {
      chosen = a;
      bestLength = length;
    }
  }
  return chosen?.address;
}
