/**
 * Walks a packet through a NetModel as the kernel would move it: in each node, is the address its own;
 * if not, does the node forward, which route does it pick (longest prefix, then lowest metric), out of
 * which device, to which next hop; does a frame out of that device reach an interface that answers for
 * the next hop (ARP or neighbour discovery), across cables and bridges; and on arrival, does the reverse
 * path filter let it in. Stops at the first thing in the way, or when the packet comes back to a node it
 * has been through (it would loop until its TTL runs out). Pure.
 */
import { isIP } from 'node:net';
import { protocolText } from '../format.js';
import type { Family } from '../../topology/types.js';
import { addressValue, netContains } from '../../topology/ip-math.js';
import { canonicalIp, isLinkLocal6 } from '../ip.js';
import { cidrHolds, findLink, hasCarrier, routeNet, type EndName, type ModelLink, type ModelNode, type ModelRoute, type NetModel } from './model.js';

/** The hop limit ping starts with. */
const TTL = 64;

export interface WalkHop {
  node: string;
  /** The interface the packet came in on (absent where it starts). */
  in?: string;
  /** The interface it leaves by (absent where it arrives or stops). */
  out?: string;
  /** The next hop, when it is not the destination itself. */
  via?: string;
  /** The route the node picked, as `ip route` prints it, its protocol by name. */
  route?: string;
  /** What the kernel does here, in words. */
  text: string;
}

/** Where frames out of an interface stop: an interface down or gone on the way, and the end cut off behind it. */
export interface Blocked {
  at: EndName;
  reason: 'down' | 'gone' | 'namespace-gone';
  /** The interface that would have answered behind it, when known. */
  behind?: EndName;
}

/** What a frame out of one interface reaches. */
export interface Segment {
  /** Interfaces that receive it and may answer for an address: hosts' and routers' ends, a bridge's own device. */
  ends: EndName[];
  blocked: Blocked[];
  /** Devices nslab does not know the other side of. */
  unknown: EndName[];
}

export type WalkStop =
  | { stop: 'arrived'; node: string; ifname: string }
  /** The node's namespace does not exist. */
  | { stop: 'gone'; node: string }
  | { stop: 'no-source'; node: string; family: Family }
  | { stop: 'no-route'; node: string }
  /** A route that drops: blackhole, unreachable, prohibit. */
  | { stop: 'route-drops'; node: string; route: ModelRoute }
  /** A route the model does not follow (several next hops, or no device). */
  | { stop: 'unknown-route'; node: string; route: ModelRoute }
  /** The interface the route leaves by is down. */
  | { stop: 'down'; node: string; ifname: string }
  | { stop: 'no-carrier'; node: string; ifname: string; segment: Segment }
  | { stop: 'unknown-far'; node: string; ifname: string; segment: Segment }
  | { stop: 'no-neighbour'; node: string; ifname: string; nextHop: string; segment: Segment }
  /** The node's neighbour entry for the next hop holds a link-layer address the interface answering for it does not have (an old one). */
  | { stop: 'stale-neighbour'; node: string; ifname: string; nextHop: string; mac: string; owner: EndName }
  | { stop: 'forwarding-off'; node: string; ifname: string; family: Family }
  | { stop: 'rp-filter'; node: string; ifname: string; source: string; mode: number; expected?: string }
  /** The packet comes back to `node`; `nodes` is the loop, from it. */
  | { stop: 'loop'; node: string; nodes: string[] };

export interface Walk {
  from: string;
  address: string;
  /** The source address the packet carries. */
  source?: string;
  hops: WalkHop[];
  stop: WalkStop;
  ok: boolean;
}

/** `10.3.0.18/31 via 10.3.0.3 dev eth1 proto nslab`, as `ip route` prints it (the metric when not the default). */
export function routeText(r: ModelRoute): string {
  const words = [r.type === 'unicast' ? r.to : `${r.type} ${r.to}`];
  if (r.via !== undefined) words.push(`via ${r.via}`);
  if (r.dev !== undefined) words.push(`dev ${r.dev}`);
  words.push(`proto ${protocolText(r.protocol)}`);
  const usual = r.family === 4 ? 0 : r.protocol === 2 ? 256 : 1024;
  if (r.metric !== usual) words.push(`metric ${r.metric}`);
  return words.join(' ');
}

/** The interface of a node that holds `address`: IPv4 on any interface (the kernel accepts it on any), IPv6 on an up one. */
export function localLink(node: ModelNode, address: string, family: Family): ModelLink | undefined {
  const a = canonicalIp(address);
  if (family === 4 ? a.startsWith('127.') : a === '::1') return node.links.find((l) => l.kind === 'loopback');
  return node.links.find((l) => (family === 4 || l.up) && l.addresses.some((c) => c.family === family && canonicalIp(c.address) === a));
}

/** The route the kernel picks for `address`: the longest prefix that holds it, then the lowest metric. */
export function lookup(node: ModelNode, address: string, family: Family): ModelRoute | undefined {
  const v = addressValue(address);
  let best: ModelRoute | undefined;
  let bestLength = -1;
  for (const r of node.routes) {
    if (r.family !== family || r.type === 'local') continue;
    const net = routeNet(r);
    if (!netContains(net, v)) continue;
    if (net.prefixLength > bestLength || (net.prefixLength === bestLength && best !== undefined && r.metric < best.metric)) {
      best = r;
      bestLength = net.prefixLength;
    }
  }
  return best;
}

/** Bits two addresses share from the left. */
function commonPrefix(x: string, y: string, family: Family): number {
  const bits = family === 4 ? 32 : 128;
  let diff = addressValue(x) ^ addressValue(y);
  let n = bits;
  while (diff > 0n) {
    diff >>= 1n;
    n -= 1;
  }
  return n;
}

/**
 * The address a node sends from: the route's preferred source, else (IPv4) an address of the device in
 * the next hop's subnet, else its first, else one of another interface; (IPv6) the global address that
 * shares the longest prefix with the destination, the device's first.
 */
export function selectSource(node: ModelNode, link: ModelLink, nextHop: string, address: string, family: Family): string | undefined {
  const usable = (l: ModelLink): string[] =>
    l.addresses.filter((c) => c.family === family && !(family === 6 && isLinkLocal6(c.address))).map((c) => canonicalIp(c.address));
  if (family === 4) {
    const own = link.addresses.filter((c) => c.family === 4);
    const inSubnet = own.find((c) => cidrHolds(c, nextHop));
    if (inSubnet !== undefined) return canonicalIp(inSubnet.address);
    if (own[0] !== undefined) return canonicalIp(own[0].address);
    return node.links.filter((l) => l.kind !== 'loopback').flatMap(usable)[0];
  }
  const best = (candidates: string[]): string | undefined =>
    candidates.reduce<string | undefined>((b, c) => (b === undefined || commonPrefix(c, address, 6) > commonPrefix(b, address, 6) ? c : b), undefined);
  return best(usable(link)) ?? best(node.links.filter((l) => l.kind !== 'loopback').flatMap(usable));
}

/**
 * What a frame out of `from` reaches: across the cable to the other end; into a bridge and out of every
 * other port that is up; never across a device that is down or gone (those are `blocked`).
 */
export function segmentOf(m: NetModel, from: EndName): Segment {
  const seg: Segment = { ends: [], blocked: [], unknown: [] };
  const bridges = new Set<string>();
  const across = (end: EndName, link: ModelLink): void => {
    if (link.kind === 'bridge') return enter(end.node, link.ifname, undefined);
    // A VXLAN device is a cable too when nslab knows its far end (a cable between hosts of a lab over several).
    if ((link.kind !== 'veth' && link.kind !== 'vxlan') || link.peer === undefined) {
      seg.unknown.push(end);
      return;
    }
    const far = link.peer;
    const farNode = m.nodes[far.node];
    if (farNode?.present !== true) return void seg.blocked.push({ at: far, reason: 'namespace-gone', behind: far });
    const farLink = farNode.links.find((l) => l.ifname === far.ifname);
    if (farLink === undefined) return void seg.blocked.push({ at: far, reason: 'gone', behind: far });
    if (!farLink.up) return void seg.blocked.push({ at: far, reason: 'down', behind: far });
    if (farLink.master !== undefined) return enter(far.node, farLink.master, far.ifname);
    seg.ends.push(far);
  };
  const enter = (node: string, bridge: string, fromPort: string | undefined): void => {
    if (bridges.has(`${node}\u0000${bridge}`)) return;
    bridges.add(`${node}\u0000${bridge}`);
    const n = m.nodes[node];
    const br = n?.links.find((l) => l.ifname === bridge);
    if (n === undefined || br === undefined) return void seg.unknown.push({ node, ifname: bridge });
    if (!br.up) return void seg.blocked.push({ at: { node, ifname: bridge }, reason: 'down' });
    if (fromPort !== undefined && br.addresses.length > 0) seg.ends.push({ node, ifname: bridge });
    for (const port of n.links) {
      if (port.master !== bridge || port.ifname === fromPort) continue;
      if (!port.up) {
        seg.blocked.push({ at: { node, ifname: port.ifname }, reason: 'down', ...(port.peer !== undefined ? { behind: port.peer } : {}) });
        continue;
      }
      across({ node, ifname: port.ifname }, port);
    }
  };
  const link = findLink(m, from);
  if (link !== undefined) across(from, link);
  return seg;
}

/** The end of a segment that answers for `address`: IPv4, any node holding it (ARP answers for every local address); IPv6, the interface holding it. */
export function answering(m: NetModel, seg: Segment, address: string, family: Family): EndName | undefined {
  const a = canonicalIp(address);
  return seg.ends.find((end) => {
    const node = m.nodes[end.node];
    if (node === undefined) return false;
    const holds = (l: ModelLink): boolean => l.addresses.some((c) => c.family === family && canonicalIp(c.address) === a);
    return family === 6 ? node.links.some((l) => l.ifname === end.ifname && holds(l)) : node.links.some(holds);
  });
}

/** The states in which the kernel sends to the link-layer address it has cached, without asking again first. */
const CACHED = /reachable|stale|delay|probe|permanent|noarp/;

/**
 * The link-layer address a node sends to for `nextHop` without asking first: its neighbour entry's, when
 * the entry is in a state the kernel uses as it is. Such an entry lives on until it times out (up to a
 * minute): frames go to that address whoever holds the next hop's IP address now.
 */
function cachedMac(node: ModelNode, ifname: string, nextHop: string): string | undefined {
  const a = canonicalIp(nextHop);
  const entry = node.neighbours.find((n) => n.ifname === ifname && canonicalIp(n.address) === a);
  return entry?.mac !== undefined && CACHED.test(entry.state) ? entry.mac.toLowerCase() : undefined;
}

/**
 * Walks a packet from node `from` to `address`. `source` fixes the source address it carries (a reply's
 * is the address that was pinged); otherwise the first node picks it as the kernel would.
 */
export function walk(m: NetModel, from: string, address: string, source?: string): Walk {
  const family: Family = isIP(address) === 6 ? 6 : 4;
  const hops: WalkHop[] = [];
  const visited: string[] = [];
  let name = from;
  let incoming: string | undefined;
  let src = source;
  let ttl = TTL;
  const done = (stop: WalkStop): Walk => ({ from, address, ...(src !== undefined ? { source: src } : {}), hops, stop, ok: stop.stop === 'arrived' });
  for (;;) {
    const node = m.nodes[name];
    if (node?.present !== true) return done({ stop: 'gone', node: name });
    if (visited.includes(name)) return done({ stop: 'loop', node: name, nodes: visited.slice(visited.indexOf(name)) });
    visited.push(name);
    const at: Pick<WalkHop, 'node' | 'in'> = { node: name, ...(incoming !== undefined ? { in: incoming } : {}) };
    if (incoming !== undefined && family === 4 && src !== undefined) {
      const mode = node.rpFilter[incoming] ?? 0;
      const back = mode > 0 ? lookup(node, src, 4) : undefined;
      if (mode > 0 && !(back?.type === 'unicast' && (mode === 2 || back.dev === incoming))) {
        hops.push({
          ...at,
          text: `${name} drops the packet from ${src} that came in on ${incoming}: its reverse path filter (rp_filter ${mode}) finds no route back out of it`,
        });
        return done({ stop: 'rp-filter', node: name, ifname: incoming, source: src, mode, ...(back?.dev !== undefined ? { expected: back.dev } : {}) });
      }
    }
    const local = localLink(node, address, family);
    if (local !== undefined) {
      hops.push({ ...at, text: `${name} has ${address} on ${local.ifname}: arrived` });
      return done({ stop: 'arrived', node: name, ifname: local.ifname });
    }
    if (incoming !== undefined) {
      if (!node.forwarding[family]) {
        hops.push({ ...at, text: `${name} gets the packet on ${incoming} but does not forward IPv${family}` });
        return done({ stop: 'forwarding-off', node: name, ifname: incoming, family });
      }
      ttl -= 1;
      if (ttl === 0) return done({ stop: 'loop', node: name, nodes: visited });
    }
    const route = lookup(node, address, family);
    if (route === undefined) {
      hops.push({ ...at, text: `${name} has no route to ${address}` });
      return done({ stop: 'no-route', node: name });
    }
    if (route.type !== 'unicast') {
      hops.push({ ...at, route: routeText(route), text: `${name} drops it: its route ${routeText(route)} is of type ${route.type}` });
      return done({ stop: 'route-drops', node: name, route });
    }
    const link = route.dev !== undefined ? node.links.find((l) => l.ifname === route.dev) : undefined;
    if (route.multipath === true || link === undefined) {
      hops.push({ ...at, route: routeText(route), text: `${name} sends it by ${routeText(route)}, which nslab cannot follow` });
      return done({ stop: 'unknown-route', node: name, route });
    }
    const nextHop = route.via ?? address;
    const first = incoming === undefined && src === undefined;
    if (first) {
      src = route.src ?? selectSource(node, link, nextHop, address, family);
      if (src === undefined) {
        hops.push({ ...at, text: `${name} has no IPv${family} address to send from` });
        return done({ stop: 'no-source', node: name, family });
      }
    }
    hops.push({
      ...at,
      out: link.ifname,
      ...(route.via !== undefined ? { via: route.via } : {}),
      route: routeText(route),
      text: `${name} sends to ${address} out of ${link.ifname}${route.via !== undefined ? ` via ${route.via}` : ', directly connected'}${first ? `, from ${src}` : ''} (route ${routeText(route)})`,
    });
    if (!link.up) return done({ stop: 'down', node: name, ifname: link.ifname });
    const segment = segmentOf(m, { node: name, ifname: link.ifname });
    const owner = answering(m, segment, nextHop, family);
    let next = owner;
    const mac = cachedMac(node, link.ifname, nextHop);
    if (mac !== undefined) {
      const holder = segment.ends.find((e) => findLink(m, e)?.mac?.toLowerCase() === mac);
      if (holder === undefined && owner !== undefined) return done({ stop: 'stale-neighbour', node: name, ifname: link.ifname, nextHop, mac, owner });
      if (holder !== undefined && !(holder.node === owner?.node && holder.ifname === owner.ifname)) {
        const hop = hops[hops.length - 1];
        if (hop !== undefined)
          hop.text += `; it reaches ${holder.node}:${holder.ifname} by the link-layer address ${name} has cached for ${nextHop}, though ${holder.node} does not hold ${nextHop} now: until that entry times out`;
        next = holder;
      }
    }
    if (next === undefined) {
      if (segment.unknown.length > 0) return done({ stop: 'unknown-far', node: name, ifname: link.ifname, segment });
      if (!hasCarrier(m, name, link)) return done({ stop: 'no-carrier', node: name, ifname: link.ifname, segment });
      return done({ stop: 'no-neighbour', node: name, ifname: link.ifname, nextHop, segment });
    }
    name = next.node;
    incoming = next.ifname;
  }
}

/** A ping: the echo request there, and the reply from where it arrived back to the address it came from. */
export interface Probe {
  there: Walk;
  back?: Walk;
  reaches: boolean;
}

export function probe(m: NetModel, from: string, address: string): Probe {
  const there = walk(m, from, address);
  if (!there.ok || there.stop.stop !== 'arrived' || there.source === undefined || there.stop.node === from) return { there, reaches: there.ok };
  const back = walk(m, there.stop.node, there.source, canonicalIp(address));
  return { there, back, reaches: back.ok };
}
