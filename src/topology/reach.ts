/**
 * Which of a node's addresses another node should use to reach it. A node's name means different addresses
 * to different viewers: in a triangle of three hosts, each host's first address is on a cable the third
 * host is not on, and a host (which does not forward) is reached only on the cable it shares with the
 * viewer. So the address is chosen per viewer: one on a segment both are on first (a cable between them,
 * or a LAN both are on), else one the viewer's routes reach (the longest prefix wins), IPv4 before IPv6.
 */
import { addressValue, netContains, netOf, type Net } from './ip-math.js';
import { routeTableOf } from './routing.js';
import { segmentSteps, type NetworkSegment } from './segments.js';
import { finish, PIECE, type Steps } from './steps.js';
import type { Cidr, ComputedRoutes, ResolvedLab, ResolvedNode } from './types.js';

/** The segments of each lab, worked out once per lab object. */
const segmentsOf = new WeakMap<ResolvedLab, NetworkSegment[]>();

function segments(lab: ResolvedLab): NetworkSegment[] {
  return segmentsOf.get(lab) ?? finish(segmentsSteps(lab));
}

function* segmentsSteps(lab: ResolvedLab): Steps<NetworkSegment[]> {
  const bridges = new Set(lab.nodes.filter((n) => n.kind === 'bridge').map((n) => n.name));
  const s = (yield* segmentSteps(lab.links, (n) => bridges.has(n))).segments;
  segmentsOf.set(lab, s);
  return s;
}

/** IPv4 first, then IPv6, each in file order; link-local IPv6 left out (it needs an interface to mean anything). */
function ordered(addresses: readonly Cidr[]): Cidr[] {
  const usable = addresses.filter((a) => !(a.family === 6 && a.address.startsWith('fe80:')));
  return [...usable.filter((a) => a.family === 4), ...usable.filter((a) => a.family === 6)];
}

/** Each node's addresses, its file routes and the computed ones, worked out once per lab object (a lab of 10,000 asks for each often). */
interface LabIndex {
  addresses: Map<string, Cidr[]>;
  /** Each node's first address of each family (firstByFamily of its addresses). */
  first: Map<string, Cidr[]>;
  nodes: Map<string, ResolvedNode>;
  table: ComputedRoutes | undefined;
}

const indexOf = new WeakMap<ResolvedLab, LabIndex>();

function index(lab: ResolvedLab): LabIndex {
  return indexOf.get(lab) ?? finish(indexSteps(lab));
}

/** Works out the lab's index (and keeps it) in pieces (steps.ts): a lab of 10,000 takes a while. */
function* indexSteps(lab: ResolvedLab): Steps<LabIndex> {
  const all = new Map<string, Cidr[]>();
  for (let k = 0; k < lab.links.length; k++) {
    if (k % PIECE === PIECE - 1) yield;
    const l = lab.links[k] as ResolvedLab['links'][number];
    for (const e of [l.a, l.b]) {
      const list = all.get(e.node);
      if (list === undefined) all.set(e.node, [...e.addresses]);
      else list.push(...e.addresses);
    }
  }
  const addresses = new Map<string, Cidr[]>();
  const first = new Map<string, Cidr[]>();
  for (const [node, list] of all) {
    if (addresses.size % PIECE === PIECE - 1) yield;
    const mine = ordered(list);
    addresses.set(node, mine);
    first.set(node, firstByFamily(mine));
  }
  yield;
  const i: LabIndex = { addresses, first, nodes: new Map(lab.nodes.map((n) => [n.name, n])), table: routeTableOf(lab) };
  indexOf.set(lab, i);
  return i;
}

/** A node's first IPv4 and first IPv6 address (link-local left out), IPv4 first: what a hosts file names. */
export function firstAddresses(lab: ResolvedLab, node: string): readonly Cidr[] {
  return index(lab).first.get(node) ?? [];
}

/** Every address of a node, in the order `ordered` gives. */
export function nodeAddresses(lab: ResolvedLab, node: string): Cidr[] {
  return [...(index(lab).addresses.get(node) ?? [])];
}

/**
 * The network of a route's destination (or an own address), worked out once per object: a computed route
 * to a segment shares its destination with every node's route there, and a router of a large lab has
 * thousands, each asked of for every neighbour (a ring of 1,000 routers: 2 million times).
 */
const networks = new WeakMap<Cidr, Net>();

/** An address's number, worked out once per object (a node's first addresses are asked of by each neighbour). */
const values = new WeakMap<Cidr, bigint>();

function valueOf(c: Cidr): bigint {
  let v = values.get(c);
  if (v === undefined) {
    v = addressValue(c.address);
    values.set(c, v);
  }
  return v;
}

function networkOf(c: Cidr): Net {
  let n = networks.get(c);
  if (n === undefined) {
    n = netOf(c);
    networks.set(c, n);
  }
  return n;
}

/**
 * Does one of `from`'s routes, or one of its own subnets, lead to `address`? The prefix length of the best
 * match, else -1; the search ends early once a match of `enough` bits is found. The computed routes are
 * read in place (a router of a large lab has thousands).
 */
function routeMatch(lab: ResolvedLab, from: string, address: Cidr, enough = 128): number {
  const value = valueOf(address);
  let best = -1;
  const consider = (to: Cidr | 'default'): boolean => {
    if (to === 'default') best = Math.max(best, 0);
    else if (netContains(networkOf(to), value)) best = Math.max(best, to.prefixLength);
    return best >= enough;
  };
  for (const own of index(lab).addresses.get(from) ?? []) if (own.family === address.family && consider(own)) return best;
  for (const r of index(lab).nodes.get(from)?.routes ?? []) if (r.family === address.family && consider(r.to)) return best;
  const computed = index(lab).table?.of(from);
  for (let k = 0; k < (computed?.length ?? 0); k++) {
    if (computed?.family(k) === address.family && consider(computed.to(k))) return best;
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

/** A viewer's hosts file where the lab's shared one (each name at its node's first addresses) would not do. */
export interface HostsView {
  /**
   * true: the file names these nodes only, a viewer without a route that reaches no further than its own
   * segments (its neighbours, each at its addresses on the first segment they share). false: every node, as
   * the shared file has them, but these at the addresses given.
   */
  only: boolean;
  /** Node name -> its first address of each family that the viewer reaches. */
  names: Map<string, Cidr[]>;
}

/**
 * The viewers the lab's shared hosts file would send to an address they have no route to: neighbours whose
 * first addresses are elsewhere (in a triangle of hosts, a neighbour's first address is on the cable the
 * viewer is not on). Each such viewer gets its neighbours at their addresses on the first segment they share
 * (where addressFor finds them). Only a node on several segments can be such a neighbour, so this costs the
 * sizes of their segments, not a pass per pair of nodes; a viewer with no route at all (a chain of hosts)
 * gets only its neighbours, so that no lab writes a file per node of a line per node (10,000 nodes would
 * be 10^8 lines); and a routed lab, whose hosts have a default route, keeps one file for all.
 */
export function hostsViews(lab: ResolvedLab): Map<string, HostsView> {
  return finish(hostsViewSteps(lab));
}

/**
 * hostsViews in pieces (steps.ts): at 10,000 nodes it is a few hundred milliseconds of work. A piece ends
 * after WORK_A_PIECE units, a unit an end of a cable or a route looked at (a viewer asked of, VIEWER_COST):
 * a hub's thousands of cables, or a router's thousands of routes, are as much work as thousands of nodes.
 */
export function* hostsViewSteps(lab: ResolvedLab): Steps<Map<string, HostsView>> {
  if (!indexOf.has(lab)) yield* indexSteps(lab);
  if (!segmentsOf.has(lab)) yield* segmentsSteps(lab);
  yield;
  const work = new Work();
  const onSegments = new Map<string, NetworkSegment[]>();
  for (const s of segments(lab)) {
    if (work.spend(s.attachments.length)) yield;
    for (const a of s.attachments) {
      const list = onSegments.get(a.node);
      if (list === undefined) onSegments.set(a.node, [s]);
      else if (list[list.length - 1] !== s) list.push(s);
    }
  }
  const views = new Map<string, HostsView>();
  for (const [target, list] of onSegments) {
    if (list.length < 2) continue;
    if (work.spend(VIEWER_COST)) yield;
    const first = firstAddresses(lab, target);
    const decided = new Set<string>([target]);
    for (const s of list) {
      if (work.spend(s.attachments.length)) yield;
      const here = firstOn(s, target);
      // A segment where the target has no address decides nothing (addressFor looks further).
      if (here.length === 0) continue;
      const same = sameAddresses(here, first);
      for (const a of s.attachments) {
        if (decided.has(a.node)) continue;
        decided.add(a.node);
        // The shared file will do where the viewer has a route to the first addresses (a router forwards),
        // or will have one (its routing daemons learn them).
        if (same || views.has(a.node) || runsDaemons(lab, a.node)) continue;
        if (work.spend(VIEWER_COST + routeCount(lab, a.node))) yield;
        if (first.every((c) => routeMatch(lab, a.node, c, 0) >= 0)) continue;
        views.set(a.node, { only: false, names: new Map() });
      }
    }
  }
  for (const [viewer, view] of views) {
    if (work.spend(VIEWER_COST)) yield;
    view.only = !hasRoutes(lab, viewer);
    const decided = new Set<string>([viewer]);
    for (const s of onSegments.get(viewer) ?? []) {
      if (work.spend(s.attachments.length)) yield;
      for (const a of s.attachments) {
        if (decided.has(a.node)) continue;
        const here = firstOn(s, a.node);
        if (here.length === 0) continue;
        decided.add(a.node);
        const first = firstAddresses(lab, a.node);
        if (view.only || !sameAddresses(here, first)) view.names.set(a.node, here);
      }
    }
  }
  return views;
}

/** Work between two yields of hostsViewSteps (ends of cables and routes looked at): a few milliseconds' worth. */
const WORK_A_PIECE = 16_384;

/** The same addresses, in the same order. */
function sameAddresses(a: readonly Cidr[], b: readonly Cidr[]): boolean {
  return a.length === b.length && a.every((c, i) => c.address === b[i]?.address);
}

/** hostsViewSteps' work in units: `spend` says when a piece is full (the caller yields; the next starts). */
class Work {
  #units = 0;

  spend(units: number): boolean {
    this.#units += units;
    if (this.#units < WORK_A_PIECE) return false;
    this.#units = 0;
    return true;
  }
}
/**
 * What a node looked at costs besides its cables and routes, in the same units: asking whether a viewer's
 * routes reach an address, a neighbour's addresses sorted out, a viewer's names gathered.
 */
const VIEWER_COST = 16;

/** How many routes a node has, written and computed. */
function routeCount(lab: ResolvedLab, node: string): number {
  return (index(lab).nodes.get(node)?.routes.length ?? 0) + (index(lab).table?.of(node).length ?? 0);
}

/** Has the node a route beyond its own subnets (written in the file, or computed)? */
function hasRoutes(lab: ResolvedLab, node: string): boolean {
  return routeCount(lab, node) > 0;
}

/** Does the node run FRR, whose daemons add routes once the lab is up (routing: ospf | bgp, or its own config)? */
function runsDaemons(lab: ResolvedLab, node: string): boolean {
  return index(lab).nodes.get(node)?.frr !== undefined;
}

/**
 * A node's first address of each family on a segment, IPv4 first, link-local IPv6 left out (firstByFamily
 * of its addresses there in `ordered`'s order), without the lists between: it runs for every neighbour of
 * every node of a lab.
 */
function firstOn(s: NetworkSegment, node: string): Cidr[] {
  let v4: Cidr | undefined;
  let v6: Cidr | undefined;
  for (const a of s.attachments) {
    if (a.node !== node) continue;
    for (const c of a.addresses) {
      if (c.family === 4) v4 ??= c;
      else if (!c.address.startsWith('fe80:')) v6 ??= c;
    }
  }
  return v4 === undefined ? (v6 === undefined ? [] : [v6]) : v6 === undefined ? [v4] : [v4, v6];
}

/** The first address of each family, IPv4 first, of a list in `ordered`'s order. */
function firstByFamily(addresses: readonly Cidr[]): Cidr[] {
  return [addresses.find((a) => a.family === 4), addresses.find((a) => a.family === 6)].filter((a): a is Cidr => a !== undefined);
}
