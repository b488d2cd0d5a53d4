/**
 * A lab's network as the kernel holds it, or would after a change: each node's namespace, its interfaces
 * (up, addresses, the cable's other end, the bridge it is a port of), its routes of every protocol, and
 * the settings that decide whether a packet goes on (forwarding, the reverse path filter). `nslab why`
 * reads one from the kernel and makes one from the file, walks a packet through them (walk.ts), and tries
 * each fix on a copy before it proposes it (diagnose.ts).
 *
 * Pure data and pure functions. A change has the side effects the kernel gives it, measured on Linux 6.x
 * (`ip` in a scratch namespace): a device that goes down loses every route through it and its IPv6
 * addresses (keep_addr_on_down 0); one that comes up gets back the routes of its own subnets only; a device
 * that loses its last IPv4 address loses every IPv4 route through it; a route's gateway must lie in a
 * subnet the device is directly connected to.
 */
import type { Cidr, Family, NodeKind, ResolvedLab, ResolvedRoute } from '../../topology/types.js';
import { addressValue, familyBits, netAt, netContains, netOf, netText, type Net } from '../../topology/ip-math.js';
import { canonicalIp, cidrText, isLinkLocal6 } from '../ip.js';
import { RTPROT_NSLAB } from '../marks.js';
import { plan } from '../plan.js';
import type { Op } from '../types.js';

/** The kernel's own routes: those of an interface's subnets. */
export const KERNEL_PROTOCOL = 2;

export interface NetModel {
  /** Every node of the lab, by name, present or not. */
  nodes: Record<string, ModelNode>;
  /**
   * The only addresses routes will be looked up for, when set (see routeScope): a route through a gateway
   * that holds none of them is left out, since no answer about those addresses can depend on it.
   */
  scope?: RouteScope;
}

/** Addresses a model is asked about, as numbers (routeScope). */
export interface RouteScope {
  addresses: { family: Family; value: bigint }[];
}

/**
 * The scope of a model asked only about these addresses: `nslab why` walks a packet to its target and the
 * answer back to the sender, so only the routes that hold one of them (and the routes of the nodes' own
 * subnets, which decide where a gateway is) can change what it says. A 32 x 32 grid of routers has two
 * million routes, and a walk looks at a few dozen.
 */
export function routeScope(addresses: readonly string[]): RouteScope {
  return { addresses: addresses.map((a) => ({ family: a.includes(':') ? 6 : 4, value: addressValue(a) })) };
}

/** False for a route through a gateway that holds none of the scope's addresses (true without a scope). */
export function inScope(scope: RouteScope | undefined, r: { family: Family; to: string; via?: string | undefined }): boolean {
  if (scope === undefined || r.via === undefined) return true;
  const net = routeNet(r);
  return scope.addresses.some((a) => a.family === r.family && netContains(net, a.value));
}

export interface ModelNode {
  name: string;
  netns: string;
  kind: NodeKind;
  /** False when the node's namespace does not exist (deleted, or never made). */
  present: boolean;
  links: ModelLink[];
  /** The main table, every protocol. */
  routes: ModelRoute[];
  forwarding: { 4: boolean; 6: boolean };
  /** IPv4 reverse path filter per interface, as the kernel applies it (the higher of `all` and the interface's): 1 strict, 2 loose; absent 0. */
  rpFilter: Record<string, number>;
  /** The kernel's neighbour (ARP, ND) entries, as evidence. */
  neighbours: ModelNeighbour[];
}

/** One end of a cable: a node's interface. */
export interface EndName {
  node: string;
  ifname: string;
}

export interface ModelLink {
  ifname: string;
  /** `veth`, `bridge`, `loopback`, or what the kernel calls it. */
  kind: string;
  up: boolean;
  /** The carrier as the kernel reported it; used only where the model cannot tell (no known other end). */
  carrier: boolean;
  addresses: Cidr[];
  /** The bridge (in the same node) this interface is a port of. */
  master?: string;
  /** A veth's other end, as the lab wires it (or a VXLAN's, for a cable between hosts); absent when nslab does not know where the device leads. */
  peer?: EndName;
  /** Its link-layer address, as read; absent for a device the model made (a new one gets a new address). */
  mac?: string;
}

export type RouteType = 'unicast' | 'local' | 'blackhole' | 'unreachable' | 'prohibit' | 'other';

export interface ModelRoute {
  family: Family;
  /** `10.3.0.18/31` or `default`. */
  to: string;
  via?: string;
  dev?: string;
  /** As the kernel keeps it: 0 for IPv4 and 1024 for IPv6 when none was given (256 for the kernel's own IPv6 ones). */
  metric: number;
  protocol: number;
  type: RouteType;
  /** The preferred source address (prefsrc). */
  src?: string;
  /** Spread over several next hops: the model does not follow these. */
  multipath?: boolean;
}

export interface ModelNeighbour {
  ifname: string;
  address: string;
  /** The link-layer address the kernel has for it, when resolved. */
  mac?: string;
  /** `reachable`, `stale`, `failed`, `incomplete`, `permanent`... */
  state: string;
}

/** What the kernel answers a change it refuses (`Nexthop has invalid gateway`, `File exists`). */
export class ModelRefusal extends Error {}

export type ModelChange =
  | { change: 'netns.add'; node: string }
  | { change: 'netns.del'; node: string }
  | { change: 'veth.add'; a: EndName; b: EndName }
  | { change: 'veth.del'; end: EndName }
  | { change: 'bridge.add'; node: string; ifname: string }
  | { change: 'link.set'; node: string; ifname: string; up?: boolean; master?: string }
  | { change: 'addr.add'; node: string; ifname: string; cidr: Cidr }
  | { change: 'addr.del'; node: string; ifname: string; cidr: Cidr }
  | { change: 'route.add'; node: string; route: RouteRequest; replace?: boolean }
  | { change: 'route.del'; node: string; route: ModelRoute }
  | { change: 'forwarding'; node: string; family: Family; on: boolean }
  | { change: 'rp_filter'; node: string; ifname: string; mode: number }
  /** Forget the neighbour entries of an interface (`ip neigh flush dev`), or the one for an address. */
  | { change: 'neigh.del'; node: string; ifname: string; address?: string };

/** A route as asked for (`ip route add`): the kernel fills in the device and the metric. */
export interface RouteRequest {
  family: Family;
  to: string;
  via?: string;
  dev?: string;
  metric?: number;
  protocol: number;
  type?: RouteType;
  /** The preferred source address (`src`). */
  src?: string;
}

/** The network of a route's destination (`default` is the whole family). */
export function routeNet(r: { family: Family; to: string }): Net {
  if (r.to === 'default') return { family: r.family, base: 0n, prefixLength: 0 };
  const slash = r.to.indexOf('/');
  const address = slash < 0 ? r.to : r.to.slice(0, slash);
  const length = slash < 0 ? familyBits(r.family) : Number(r.to.slice(slash + 1));
  return netAt(r.family, addressValue(address), length);
}

/** True when `address` is inside the subnet of the interface address `cidr`. */
export function cidrHolds(cidr: Cidr, address: string): boolean {
  return netContains(netOf(cidr), addressValue(address));
}

/** `10.3.0.18/31` for 10.3.0.19/31. */
export function subnetText(cidr: Cidr): string {
  return netText(netOf(cidr));
}

export function findLink(m: NetModel, end: EndName): ModelLink | undefined {
  const node = m.nodes[end.node];
  return node?.present === true ? node.links.find((l) => l.ifname === end.ifname) : undefined;
}

/**
 * Whether the interface has a carrier: a veth (or a cable between hosts) when both ends are up, a bridge
 * when one of its ports has one; anything else as the kernel said.
 */
export function hasCarrier(m: NetModel, node: string, link: ModelLink): boolean {
  if (!link.up) return false;
  // A VXLAN device always says it has a carrier, even when its peer host is dead: its known far end decides.
  if ((link.kind === 'veth' || link.kind === 'vxlan') && link.peer !== undefined) return findLink(m, link.peer)?.up === true;
  if (link.kind === 'bridge') {
    const ports = m.nodes[node]?.links.filter((l) => l.master === link.ifname) ?? [];
    return ports.some((p) => hasCarrier(m, node, p));
  }
  return link.carrier;
}

/** The canonical form of a route's destination: the network, as the kernel keeps it. */
function canonicalTo(family: Family, to: string): string {
  return to === 'default' ? 'default' : netText(routeNet({ family, to }));
}

function connectedRoute(link: ModelLink, cidr: Cidr): ModelRoute | undefined {
  if (cidr.prefixLength === familyBits(cidr.family)) return undefined;
  if (cidr.family === 6 && isLinkLocal6(cidr.address)) return undefined;
  const route: ModelRoute = {
    family: cidr.family,
    to: subnetText(cidr),
    dev: link.ifname,
    metric: cidr.family === 6 ? 256 : 0,
    protocol: KERNEL_PROTOCOL,
    type: 'unicast',
  };
  if (cidr.family === 4) route.src = canonicalIp(cidr.address);
  return route;
}

function sameKey(x: ModelRoute, family: Family, to: string, metric: number): boolean {
  return x.family === family && x.to === to && x.metric === metric;
}

/** Adds the route of an address's subnet, as the kernel does for an address on an up device. */
function addConnected(node: ModelNode, link: ModelLink, cidr: Cidr): void {
  const r = connectedRoute(link, cidr);
  if (r === undefined || node.routes.some((x) => sameKey(x, r.family, r.to, r.metric) && x.dev === r.dev)) return;
  node.routes.push(r);
}

/** Removes a device from a node, with its routes, neighbour entries and the ports it was the bridge of. */
function dropLink(node: ModelNode, ifname: string): void {
  node.links = node.links.filter((l) => l.ifname !== ifname);
  node.routes = node.routes.filter((r) => r.dev !== ifname);
  node.neighbours = node.neighbours.filter((n) => n.ifname !== ifname);
  for (const l of node.links) if (l.master === ifname) delete l.master;
}

function presentNode(m: NetModel, name: string): ModelNode {
  const node = m.nodes[name];
  if (node === undefined) throw new ModelRefusal(`no node ${name}`);
  if (!node.present) throw new ModelRefusal(`the namespace ${node.netns} of ${name} does not exist (No such file or directory)`);
  return node;
}

function linkIn(node: ModelNode, ifname: string): ModelLink {
  const link = node.links.find((l) => l.ifname === ifname);
  if (link === undefined) throw new ModelRefusal(`${node.name} has no device ${ifname} (Cannot find device "${ifname}")`);
  return link;
}

/**
 * The device a gateway is reached through: the one whose directly connected route holds it (the kernel's
 * check for `via`; `dev`, when given, must be that device).
 */
function gatewayDevice(node: ModelNode, family: Family, via: string, dev: string | undefined): string {
  const v = addressValue(via);
  const onLink = node.routes.find(
    (r) =>
      r.family === family &&
      r.type === 'unicast' &&
      r.via === undefined &&
      r.dev !== undefined &&
      (dev === undefined || r.dev === dev) &&
      node.links.find((l) => l.ifname === r.dev)?.up === true &&
      netContains(routeNet(r), v),
  );
  if (onLink?.dev === undefined)
    throw new ModelRefusal(
      `${node.name}: ${via} is on none of its directly connected subnets${dev !== undefined ? ` of ${dev}` : ''} (Nexthop has invalid gateway)`,
    );
  return onLink.dev;
}

/** Applies one change in place, with the kernel's side effects; throws ModelRefusal where the kernel refuses. */
function apply(m: NetModel, c: ModelChange): void {
  switch (c.change) {
    case 'netns.add': {
      const node = m.nodes[c.node];
      if (node === undefined) throw new ModelRefusal(`no node ${c.node}`);
      if (node.present) throw new ModelRefusal(`namespace ${node.netns} exists (File exists)`);
      node.present = true;
      node.links = [{ ifname: 'lo', kind: 'loopback', up: true, carrier: true, addresses: [] }];
      node.routes = [];
      node.forwarding = { 4: false, 6: false };
      node.rpFilter = {};
      node.neighbours = [];
      return;
    }
    case 'netns.del': {
      const node = presentNode(m, c.node);
      for (const link of node.links) {
        const far = link.peer !== undefined ? m.nodes[link.peer.node] : undefined;
        if (far !== undefined && far !== node && far.present && link.peer !== undefined) dropLink(far, link.peer.ifname);
      }
      node.present = false;
      node.links = [];
      node.routes = [];
      node.neighbours = [];
      return;
    }
    case 'veth.add': {
      const a = presentNode(m, c.a.node);
      const b = presentNode(m, c.b.node);
      for (const [n, e] of [
        [a, c.a],
        [b, c.b],
      ] as const)
        if (n.links.some((l) => l.ifname === e.ifname)) throw new ModelRefusal(`${e.node} has a device ${e.ifname} already (File exists)`);
      a.links.push({ ifname: c.a.ifname, kind: 'veth', up: false, carrier: false, addresses: [], peer: { ...c.b } });
      b.links.push({ ifname: c.b.ifname, kind: 'veth', up: false, carrier: false, addresses: [], peer: { ...c.a } });
      return;
    }
    case 'veth.del': {
      const node = presentNode(m, c.end.node);
      const link = linkIn(node, c.end.ifname);
      dropLink(node, c.end.ifname);
      const far = link.peer !== undefined ? m.nodes[link.peer.node] : undefined;
      if (far?.present === true && link.peer !== undefined) dropLink(far, link.peer.ifname);
      return;
    }
    case 'bridge.add': {
      const node = presentNode(m, c.node);
      if (node.links.some((l) => l.ifname === c.ifname)) throw new ModelRefusal(`${c.node} has a device ${c.ifname} already (File exists)`);
      node.links.push({ ifname: c.ifname, kind: 'bridge', up: true, carrier: false, addresses: [] });
      return;
    }
    case 'link.set': {
      const node = presentNode(m, c.node);
      const link = linkIn(node, c.ifname);
      if (c.master !== undefined) {
        if (linkIn(node, c.master).kind !== 'bridge') throw new ModelRefusal(`${c.master} is not a bridge`);
        link.master = c.master;
      }
      if (c.up === true && !link.up) {
        link.up = true;
        for (const cidr of link.addresses) addConnected(node, link, cidr);
      } else if (c.up === false && link.up) {
        link.up = false;
        node.routes = node.routes.filter((r) => r.dev !== link.ifname);
        node.neighbours = node.neighbours.filter((n) => n.ifname !== link.ifname);
        link.addresses = link.addresses.filter((a) => a.family === 4);
      }
      return;
    }
    case 'addr.add': {
      const node = presentNode(m, c.node);
      const link = linkIn(node, c.ifname);
      const text = cidrText(c.cidr);
      if (link.addresses.some((a) => cidrText(a) === text)) throw new ModelRefusal(`${c.node}:${c.ifname} has ${text} already (File exists)`);
      link.addresses.push({ ...c.cidr, address: canonicalIp(c.cidr.address) });
      if (link.up) addConnected(node, link, c.cidr);
      return;
    }
    case 'addr.del': {
      const node = presentNode(m, c.node);
      const link = linkIn(node, c.ifname);
      const text = cidrText(c.cidr);
      const i = link.addresses.findIndex((a) => cidrText(a) === text);
      if (i < 0) throw new ModelRefusal(`${c.node}:${c.ifname} has no ${text} (Cannot assign requested address)`);
      link.addresses.splice(i, 1);
      const address = canonicalIp(c.cidr.address);
      const subnet = subnetText(c.cidr);
      const sameSubnetLeft = link.addresses.some((a) => a.family === c.cidr.family && a.prefixLength === c.cidr.prefixLength && subnetText(a) === subnet);
      node.routes = node.routes.filter(
        (r) =>
          r.src !== address && !(!sameSubnetLeft && r.protocol === KERNEL_PROTOCOL && r.dev === link.ifname && r.family === c.cidr.family && r.to === subnet),
      );
      if (c.cidr.family === 4 && !link.addresses.some((a) => a.family === 4)) node.routes = node.routes.filter((r) => r.family === 6 || r.dev !== link.ifname);
      return;
    }
    case 'route.add': {
      const node = presentNode(m, c.node);
      const r = c.route;
      const to = canonicalTo(r.family, r.to);
      const metric = r.metric ?? (r.family === 6 ? 1024 : 0);
      const type = r.type ?? 'unicast';
      let dev = r.dev;
      if (type === 'unicast') {
        if (r.via !== undefined) dev = gatewayDevice(node, r.family, canonicalIp(r.via), r.dev);
        if (dev === undefined) throw new ModelRefusal(`${c.node}: a route to ${to} needs a device or a gateway`);
        const link = linkIn(node, dev);
        if (!link.up) throw new ModelRefusal(`${c.node}:${dev} is down (Nexthop device is not up)`);
      }
      const route: ModelRoute = { family: r.family, to, metric, protocol: r.protocol, type };
      if (r.via !== undefined) route.via = canonicalIp(r.via);
      if (dev !== undefined) route.dev = dev;
      if (r.src !== undefined) route.src = canonicalIp(r.src);
      // Checked as the kernel checks it, and left out when nothing asked of the model can use it.
      if (!inScope(m.scope, route)) return;
      const at = node.routes.findIndex((x) => sameKey(x, r.family, to, metric));
      if (at >= 0 && c.replace !== true) throw new ModelRefusal(`${c.node} has a route to ${to} already (File exists)`);
      if (at >= 0) node.routes[at] = route;
      else node.routes.push(route);
      return;
    }
    case 'route.del': {
      const node = presentNode(m, c.node);
      const r = c.route;
      if (!inScope(m.scope, r)) return;
      const i = node.routes.findIndex((x) => sameKey(x, r.family, r.to, r.metric) && x.via === r.via && x.dev === r.dev);
      if (i < 0) throw new ModelRefusal(`${c.node} has no route to ${r.to} (No such process)`);
      node.routes.splice(i, 1);
      return;
    }
    case 'forwarding':
      presentNode(m, c.node).forwarding[c.family] = c.on;
      return;
    case 'rp_filter':
      presentNode(m, c.node).rpFilter[c.ifname] = c.mode;
      return;
    case 'neigh.del': {
      const node = presentNode(m, c.node);
      linkIn(node, c.ifname);
      const address = c.address !== undefined ? canonicalIp(c.address) : undefined;
      node.neighbours = node.neighbours.filter((n) => n.ifname !== c.ifname || (address !== undefined && canonicalIp(n.address) !== address));
      return;
    }
  }
}

/** The model after `changes`, in order; the input is not changed. Throws ModelRefusal for the first the kernel would refuse. */
export function applyChanges(m: NetModel, changes: readonly ModelChange[]): NetModel {
  const next = structuredClone(m);
  for (const c of changes) apply(next, c);
  return next;
}

/** A route of a topology as nslab asks the kernel for it. */
export function requestOf(route: ResolvedRoute): RouteRequest {
  const r: RouteRequest = { family: route.family, to: route.to === 'default' ? 'default' : cidrText(route.to), protocol: RTPROT_NSLAB };
  if (route.via !== undefined) r.via = route.via;
  if (route.dev !== undefined) r.dev = route.dev;
  if (route.metric !== undefined) r.metric = route.metric;
  return r;
}

/** The forwarding sysctls the planner writes, and the family each turns on. */
const FORWARDING_KEYS: Readonly<Record<string, Family>> = { 'net/ipv4/ip_forward': 4, 'net/ipv6/conf/all/forwarding': 6 };

/** A plan's operation as model changes (none for what does not move packets: shaping, processes, FRR's daemons). */
export function changesOf(op: Op, nodeOf: (netns: string) => string): ModelChange[] {
  switch (op.op) {
    case 'netns.add':
      return [{ change: 'netns.add', node: op.node }];
    case 'netns.del':
      return [{ change: 'netns.del', node: nodeOf(op.netns) }];
    case 'sysctl.set': {
      const family = FORWARDING_KEYS[op.key];
      return family === undefined ? [] : [{ change: 'forwarding', node: nodeOf(op.netns), family, on: op.value.trim() === '1' }];
    }
    case 'veth.add':
      return [{ change: 'veth.add', a: { node: op.a.node, ifname: op.a.ifname }, b: { node: op.b.node, ifname: op.b.ifname } }];
    case 'veth.del':
      return [{ change: 'veth.del', end: { node: nodeOf(op.a.netns), ifname: op.a.ifname } }];
    case 'bridge.add':
      return [{ change: 'bridge.add', node: op.node, ifname: op.name }];
    case 'link.set': {
      if (op.up === undefined && op.master === undefined) return [];
      const c: ModelChange = { change: 'link.set', node: nodeOf(op.netns), ifname: op.ifname };
      if (op.up !== undefined) c.up = op.up;
      if (op.master !== undefined) c.master = op.master;
      return [c];
    }
    case 'addr.add':
      return [{ change: 'addr.add', node: nodeOf(op.netns), ifname: op.ifname, cidr: op.cidr }];
    case 'addr.del':
      return [{ change: 'addr.del', node: nodeOf(op.netns), ifname: op.ifname, cidr: op.cidr }];
    case 'route.add':
      // Adopting an identical route made by hand replaces it with nslab's.
      return [{ change: 'route.add', node: nodeOf(op.netns), route: requestOf(op.route), ...(op.adopt === true ? { replace: true } : {}) }];
    case 'routes.add': {
      const node = nodeOf(op.netns);
      const changes: ModelChange[] = [];
      for (const route of op.routes) changes.push({ change: 'route.add', node, route: requestOf(route) });
      return changes;
    }
    case 'route.del': {
      const r = op.route;
      const route: ModelRoute = {
        family: r.family,
        to: r.to === 'default' ? 'default' : cidrText(r.to),
        metric: r.metric ?? (r.family === 6 ? 1024 : 0),
        protocol: RTPROT_NSLAB,
        type: 'unicast',
      };
      if (r.via !== undefined) route.via = canonicalIp(r.via);
      if (r.dev !== undefined) route.dev = r.dev;
      return [{ change: 'route.del', node: nodeOf(op.netns), route }];
    }
    case 'vxlan.del':
      return [{ change: 'veth.del', end: { node: nodeOf(op.netns), ifname: op.ifname } }];
    // A cable to another host: its far end is not in this host's model (a lab over hosts is walked per part).
    case 'vxlan.add':
    case 'qdisc.set':
    case 'qdisc.del':
    case 'exec':
    case 'proc.kill':
    case 'frr.start': // FRR's daemons route, but what they will install is theirs: the model does not run them.
    case 'frr.stop':
      return [];
  }
}

/**
 * The model after a plan runs (what `nslab up` would make of it). An operation the model refuses is
 * skipped, as the engine would fail it: its name comes back in `refused`.
 */
export function applyPlan(m: NetModel, ops: readonly Op[]): { model: NetModel; refused: string[] } {
  const next = structuredClone(m);
  const byNetns = new Map(Object.values(next.nodes).map((n) => [n.netns, n.name]));
  const nodeOf = (netns: string): string => byNetns.get(netns) ?? netns;
  const refused: string[] = [];
  for (const op of ops) {
    for (const c of changesOf(op, nodeOf)) {
      try {
        apply(next, c);
      } catch (e) {
        if (!(e instanceof ModelRefusal)) throw e;
        refused.push(`${op.id}: ${e.message}`);
      }
    }
  }
  return { model: next, refused };
}

/** A lab whose namespaces are all absent: what exists before its first `up`. */
export function emptyModel(lab: ResolvedLab, scope?: RouteScope): NetModel {
  const nodes: Record<string, ModelNode> = {};
  for (const n of lab.nodes)
    nodes[n.name] = {
      name: n.name,
      netns: n.netns,
      kind: n.kind,
      present: false,
      links: [],
      routes: [],
      forwarding: { 4: false, 6: false },
      rpFilter: {},
      neighbours: [],
    };
  return { nodes, ...(scope !== undefined ? { scope } : {}) };
}

/** The network the file describes, as the kernel holds it once `nslab up` made it from nothing. */
export function modelOfLab(lab: ResolvedLab, scope?: RouteScope): NetModel {
  return applyPlan(emptyModel(lab, scope), plan(lab, null).ops).model;
}
