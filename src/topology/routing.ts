/**
 * The lab's subnets, and the routes `routing: static` computes over them.
 *
 * - Each segment (a cable, or a LAN) carries the subnets of its ends' addresses. Two nodes are neighbours
 *   when both have an address in one subnet of one segment; the neighbour's address there is the gateway.
 * - Only nodes that forward (routers, and hosts with `forwarding: true`) carry traffic through: a path is
 *   a node, then routers only. The last router of a path is on the destination subnet.
 * - Distances count hops as RIP does: every cable and LAN crossed is one, the destination subnet
 *   included, so a subnet behind one router is 2 hops away.
 * - Every host and router gets a route to every subnet of the lab it is not on and can reach, IPv4 and IPv6
 *   separately, through the first router of a shortest path. Equal-cost paths: the lowest gateway address
 *   wins.
 * - A node that does not forward and has exactly one gateway (one router reachable through one address)
 *   gets a default route through it instead (`::/0` too when it has IPv6).
 * - Routes given by hand win: a computed route to a destination the node has a hand-written route to
 *   (same family) is dropped.
 * - Subnets a node cannot reach are notes, not errors (an island may be what the lab is for).
 * - With `addressing: { summarize: true }` each node's routes are summarized afterwards: fewer routes, the
 *   same forwarding (route-summary.ts says how and why).
 *
 * The routes are held compact (route-table.ts): a ring of 1,000 routers has about a million.
 */
import { formatCidr } from './address.js';
import { addressText, netOf, subnetOf, type Net } from './ip-math.js';
import { summarizeRoutes, type Prefix, type SummaryRoute } from './route-summary.js';
import { IntList, RouteKind, RouteTable, type RouteDestination, type RouteGateway } from './route-table.js';
import { buildSegments, segmentName, type Attachment, type NetworkSegment } from './segments.js';
import { listWords } from './bounded.js';
import type { Cidr, ComputedRoutes, Family, LabSubnet, ResolvedLab, ResolvedNode, ResolvedRoute } from './types.js';

export interface RoutingNode {
  name: string;
  /** Bridges take no part in routing. */
  bridge: boolean;
  forwarding: boolean;
  /** Routes given by hand. */
  routes: readonly ResolvedRoute[];
  /** Gets computed routes: under ospf and bgp a router's come from its daemon (it still carries traffic). */
  getsRoutes: boolean;
}

/**
 * The nodes of a lab as the route computation takes them, or undefined when the lab computes no routes.
 * Under static every node gets its routes; under ospf and bgp the routers' daemons route, and the hosts get
 * theirs as under static (a default route to their one gateway router), since they run no daemon.
 */
export function routingNodes(
  routing: ResolvedLab['routing'],
  nodes: readonly { name: string; kind: string; forwarding: boolean; routes: readonly ResolvedRoute[] }[],
): RoutingNode[] | undefined {
  if (routing !== 'static' && routing !== 'ospf' && routing !== 'bgp') return undefined;
  return nodes.map((n) => ({
    name: n.name,
    bridge: n.kind === 'bridge',
    forwarding: n.forwarding,
    routes: n.routes,
    getsRoutes: routing === 'static' || !n.forwarding,
  }));
}

interface Member {
  attachment: Attachment;
  address: Cidr;
  value: bigint;
}

interface SubnetEntry {
  net: Net;
  cidr: string;
  segment: NetworkSegment;
  members: Member[];
}

/** Every subnet of every segment, in segment order and then the order the ends' addresses come in. */
function subnetEntries(segments: readonly NetworkSegment[]): SubnetEntry[] {
  const entries: SubnetEntry[] = [];
  // Indexed loops, and each address read once: this runs for every address of the lab with a cold JIT.
  // The latest entry of each subnet: one Map for the lab, not one a segment. A segment's addresses are read
  // together, so an entry of another segment is never the one to add to.
  const latest = new Map<string, SubnetEntry>();
  for (let i = 0; i < segments.length; i++) {
    const segment = segments[i] as NetworkSegment;
    for (let j = 0; j < segment.attachments.length; j++) {
      const attachment = segment.attachments[j] as Attachment;
      for (let k = 0; k < attachment.addresses.length; k++) {
        const address = attachment.addresses[k] as Cidr;
        const { net, text: cidr, value } = subnetOf(address);
        let entry = latest.get(cidr);
        if (entry?.segment !== segment) {
          entry = { net, cidr, segment, members: [] };
          latest.set(cidr, entry);
          entries.push(entry);
        }
        entry.members.push({ attachment, address, value });
      }
    }
  }
  return entries;
}

/** The lab's subnets, for `ResolvedLab.subnets`: the nodes of each in link order, each once. */
export function labSubnets(segments: readonly NetworkSegment[]): LabSubnet[] {
  const entries = subnetEntries(segments);
  const subnets: LabSubnet[] = [];
  for (let i = 0; i < entries.length; i++) {
    const e = entries[i] as SubnetEntry;
    subnets.push({ cidr: e.cidr, family: e.net.family, kind: e.segment.kind, nodes: memberNodes(e.members) });
  }
  return subnets;
}

/** The nodes of a subnet's members, each once: by a scan for a few (a cable has two), else through a Set. */
function memberNodes(members: readonly Member[]): string[] {
  if (members.length > 16) return [...new Set(members.map((m) => m.attachment.node))];
  const nodes: string[] = [];
  for (let i = 0; i < members.length; i++) {
    const node = (members[i] as Member).attachment.node;
    if (!nodes.includes(node)) nodes.push(node);
  }
  return nodes;
}

/** The lab's computed routes: those resolution attached, else computed again (a lab read back from JSON has none attached). */
export function routeTableOf(lab: ResolvedLab): ComputedRoutes | undefined {
  const nodes = lab.routeTable === undefined ? routingNodes(lab.routing, lab.nodes) : undefined;
  if (nodes === undefined) return lab.routeTable;
  let table = recomputed.get(lab);
  if (table === undefined) {
    const bridges = new Set(lab.nodes.filter((n) => n.kind === 'bridge').map((n) => n.name));
    const { segments } = buildSegments(lab.links, (name) => bridges.has(name));
    table = computeRoutes(nodes, segments, { summarize: lab.summarize === true }).table;
    recomputed.set(lab, table);
  }
  return table;
}

const recomputed = new WeakMap<ResolvedLab, ComputedRoutes>();

/**
 * A node's routes, every one: those written in the file, then the computed ones with their reasons. For
 * one node's routes (`nslab routes NODE`, a link brought back up); the planner walks the table instead.
 */
export function routesOf(lab: ResolvedLab, node: ResolvedNode): ResolvedRoute[] {
  const computed = routeTableOf(lab)?.of(node.name);
  return computed === undefined || computed.length === 0 ? node.routes : [...node.routes, ...computed.all()];
}

export interface RoutingOptions {
  /** Summarize each node's routes (route-summary.ts). */
  summarize?: boolean;
}

export interface Routing {
  /** Computed routes by node, hand-written destinations already left out. */
  table: RouteTable;
  notes: string[];
}

/** A destination subnet of one family, as the search below goes through them. */
interface Destination {
  /** Its index among the table's destinations. */
  index: number;
  entry: SubnetEntry;
  /** Nodes with an address in it (every entry of the subnet's), each once. */
  on: number[];
  /** The nodes among them that forward, ascending: where the search starts. */
  sources: number[];
  /** `sources` as text: destinations with the same sources share one search. */
  key: string;
}

/** The fields of one route in a node's list while the table is built: destination, gateway, hops, extra, kind. */
const STRIDE = 5;

/** Collects the table: destinations and gateways each made once, every node's routes in an Int32Array of its own. */
class TableBuilder {
  readonly destinations: RouteDestination[] = [];
  readonly #destinationAt = new Map<string, number>();
  readonly gateways: RouteGateway[] = [];
  /** By gateway: the neighbour's node index, and its address as a number (the tie-break). */
  readonly gatewayNode: number[] = [];
  readonly gatewayValue: bigint[] = [];
  readonly pool = new IntList(64);
  readonly #rows: (IntList | undefined)[];
  readonly #names: string[];

  /** By node: 1 when it gets computed routes (RoutingNode.getsRoutes); the others' are not kept. */
  readonly wanted: Uint8Array;

  constructor(nodes: readonly RoutingNode[]) {
    this.#names = nodes.map((n) => n.name);
    this.#rows = new Array<IntList | undefined>(nodes.length);
    this.wanted = Uint8Array.from(nodes, (n) => (n.getsRoutes ? 1 : 0));
  }

  destination(family: Family, to: Cidr | 'default', text: string): number {
    let i = this.#destinationAt.get(text);
    if (i === undefined) {
      i = this.destinations.length;
      this.destinations.push({ family, to, text });
      this.#destinationAt.set(text, i);
    }
    return i;
  }

  gateway(g: RouteGateway, node: number, value: bigint): number {
    this.gateways.push(g);
    this.gatewayNode.push(node);
    this.gatewayValue.push(value);
    return this.gateways.length - 1;
  }

  /** A node's route list, made room for `room` more routes when new. */
  rowsOf(node: number, room: number): IntList {
    let rows = this.#rows[node];
    if (rows === undefined) this.#rows[node] = rows = new IntList(room * STRIDE);
    return rows;
  }

  add(node: number, room: number, dest: number, gateway: number, hops: number, extra: number, kind: RouteKind): void {
    const rows = this.rowsOf(node, room);
    const at = rows.reserve(STRIDE);
    const data = rows.data;
    data[at] = dest;
    data[at + 1] = gateway;
    data[at + 2] = hops;
    data[at + 3] = extra;
    data[at + 4] = kind;
  }

  /** How many routes a node has so far. */
  count(node: number): number {
    return (this.#rows[node]?.length ?? 0) / STRIDE;
  }

  /** Replaces a node's routes from position `from` on. */
  replaceFrom(node: number, from: number, rows: readonly number[]): void {
    const list = this.#rows[node];
    if (list === undefined) return;
    list.length = from * STRIDE;
    for (let i = 0; i < rows.length; i++) list.push(rows[i] as number);
  }

  build(): RouteTable {
    const n = this.#names.length;
    const start = new Int32Array(n + 1);
    for (let i = 0; i < n; i++) start[i + 1] = (start[i] as number) + this.count(i);
    const total = start[n] as number;
    const columns = {
      start,
      dest: new Int32Array(total),
      gateway: new Int32Array(total),
      hops: new Int32Array(total),
      extra: new Int32Array(total),
      kind: new Uint8Array(total),
    };
    for (let i = 0; i < n; i++) {
      const rows = this.#rows[i];
      if (rows === undefined) continue;
      const data = rows.data;
      let at = start[i] as number;
      for (let k = 0; k < rows.length; k += STRIDE, at++) {
        columns.dest[at] = data[k] as number;
        columns.gateway[at] = data[k + 1] as number;
        columns.hops[at] = data[k + 2] as number;
        columns.extra[at] = data[k + 3] as number;
        columns.kind[at] = data[k + 4] as number;
      }
      this.#rows[i] = undefined;
    }
    return new RouteTable(this.#names, this.destinations, this.gateways, columns, this.pool.toArray());
  }
}

/**
 * Computes the routes of `routing: static`. Pure and deterministic: the same lab gives the same routes.
 *
 * In about O(D x (R + E + N)) time for D destination subnets, R routers, E cables between them and N nodes,
 * and memory for the routes it gives (four integers each) plus one distance array a search: a breadth-first
 * search per destination over the routers, in arrays indexed by node, shared by the destinations with the
 * same routers on them (the subnets of hosts behind one router, for instance).
 */
export function computeRoutes(nodes: readonly RoutingNode[], segments: readonly NetworkSegment[], options: RoutingOptions = {}): Routing {
  const entries = subnetEntries(segments);
  const notes: string[] = [];

  // One subnet on two segments: a routing puzzle worth a note.
  const segmentsOf = new Map<string, NetworkSegment[]>();
  for (const e of entries) {
    const list = segmentsOf.get(e.cidr);
    if (list === undefined) segmentsOf.set(e.cidr, [e.segment]);
    else list.push(e.segment);
  }
  for (const [cidr, segs] of segmentsOf) {
    if (segs.length > 1) notes.push(`${cidr} is on ${segs.length} segments (${listWords(segs.map(segmentName))}); routes lead to the nearest`);
  }

  const out = new TableBuilder(nodes);
  for (const family of [4, 6] as const) {
    const fam = entries.filter((e) => e.net.family === family);
    if (fam.length > 0) routeFamily(family, fam, nodes, out, notes, options.summarize === true);
  }
  return { table: out.build(), notes };
}

/** Routes of one family: every node's, appended to `out`; notes for the subnets some cannot reach. */
function routeFamily(family: Family, fam: readonly SubnetEntry[], nodes: readonly RoutingNode[], out: TableBuilder, notes: string[], summarize: boolean): void {
  const n = nodes.length;
  const index = new Map<string, number>();
  for (let i = 0; i < n; i++) index.set((nodes[i] as RoutingNode).name, i);
  const forwards = new Uint8Array(n);
  for (let i = 0; i < n; i++) if ((nodes[i] as RoutingNode).forwarding) forwards[i] = 1;

  // Who is on each subnet; each node's gateways (its ways to neighbours that forward), in the order of the
  // subnets and then of the ends on each.
  const hasFamily = new Uint8Array(n);
  const onSets = new Map<string, Set<number>>();
  const gatewaysOf: number[][] = Array.from({ length: n }, () => []);
  for (const e of fam) {
    let on = onSets.get(e.cidr);
    if (on === undefined) onSets.set(e.cidr, (on = new Set()));
    const members = e.members;
    const at = members.map((m) => index.get(m.attachment.node) ?? -1);
    const forwarders: number[] = [];
    for (let k = 0; k < members.length; k++) {
      const v = at[k] as number;
      on.add(v);
      hasFamily[v] = 1;
      if (forwards[v] === 1) forwarders.push(k);
    }
    for (let x = 0; x < members.length; x++) {
      const vx = at[x] as number;
      const m = members[x] as Member;
      for (const y of forwarders) {
        const vy = at[y] as number;
        if (vy === vx) continue;
        const gw = members[y] as Member;
        const g = out.gateway({ via: gw.address.address, dev: m.attachment.ifname, to: gw.attachment.node, subnet: e.cidr }, vy, gw.value);
        (gatewaysOf[vx] as number[]).push(g);
      }
    }
  }

  // The routers' graph, for the searches: each router's distinct router neighbours, in one array.
  const adjacentFrom = new Int32Array(n + 1);
  const adjacent = new IntList(64);
  const mark = new Int32Array(n).fill(-1);
  for (let v = 0; v < n; v++) {
    if (forwards[v] === 1) {
      for (const g of gatewaysOf[v] as number[]) {
        const w = out.gatewayNode[g] as number;
        if (mark[w] === v) continue;
        mark[w] = v;
        adjacent.push(w);
      }
    }
    adjacentFrom[v + 1] = adjacent.length;
  }
  const adj = adjacent.data;

  // The destinations: every subnet once, in the order of the lab (a /0 makes every address on-link: no destination).
  const dests: Destination[] = [];
  const destAt = new Map<string, number>();
  for (const e of fam) {
    if (e.net.prefixLength === 0 || destAt.has(e.cidr)) continue;
    destAt.set(e.cidr, dests.length);
    const to: Cidr = { family, address: e.cidr.slice(0, e.cidr.indexOf('/')), prefixLength: e.net.prefixLength };
    const on = [...(onSets.get(e.cidr) ?? [])];
    const sources = on.filter((v) => forwards[v] === 1).sort((x, y) => x - y);
    dests.push({ index: out.destination(family, to, e.cidr), entry: e, on, sources, key: sources.join(',') });
  }
  const room = dests.length + 1;

  // Each node: its hand-written destinations; a default route if it does not forward and has one gateway
  // (then no route per subnet); else a route per subnet, below.
  const defaultDest = out.destination(family, 'default', family === 4 ? 'default' : '::/0');
  const handOf: (Set<number> | undefined)[] = new Array<Set<number> | undefined>(n);
  const handDefault = new Uint8Array(n);
  const routing: number[] = [];
  /** Nodes with a default route, by their gateway's node: they reach what it reaches. */
  const behind = new Map<number, number[]>();
  const firstOwn = new Int32Array(n);
  for (let v = 0; v < n; v++) {
    const node = nodes[v] as RoutingNode;
    if (node.bridge || hasFamily[v] === 0) continue;
    for (const r of node.routes) {
      if (r.family !== family) continue;
      if (r.to === 'default') handDefault[v] = 1;
      else {
        const d = destAt.get(formatCidr(r.to));
        if (d !== undefined) (handOf[v] ??= new Set()).add(d);
      }
    }
    const gws = gatewaysOf[v] as number[];
    if (gws.length === 1 && forwards[v] === 0) {
      const g = gws[0] as number;
      if (handDefault[v] === 0 && out.wanted[v] === 1) out.add(v, 1, defaultDest, g, 0, -1, RouteKind.Default);
      const w = out.gatewayNode[g] as number;
      const list = behind.get(w);
      if (list === undefined) behind.set(w, [v]);
      else list.push(v);
      continue;
    }
    routing.push(v);
    firstOwn[v] = out.count(v);
  }

  // The searches. A destination's distances are kept after its search only while a later destination
  // with the same sources needs them, and within a budget.
  const lastUse = new Map<string, number>();
  for (let i = 0; i < dests.length; i++) lastUse.set((dests[i] as Destination).key, i);
  const kept = new Map<string, Int32Array>();
  const keepAtMost = Math.max(1, Math.floor((64 << 20) / (4 * Math.max(1, n))));
  const none = new Int32Array(n).fill(-1);
  const scratch = new Int32Array(n);
  const queue = new Int32Array(n);
  const search = (sources: readonly number[], dist: Int32Array): Int32Array => {
    dist.fill(-1);
    let head = 0;
    let tail = 0;
    for (const s of sources) {
      dist[s] = 0;
      queue[tail++] = s;
    }
    while (head < tail) {
      const r = queue[head++] as number;
      const next = (dist[r] as number) + 1;
      const end = adjacentFrom[r + 1] as number;
      for (let k = adjacentFrom[r] as number; k < end; k++) {
        const w = adj[k] as number;
        if (dist[w] !== -1) continue;
        dist[w] = next;
        queue[tail++] = w;
      }
    }
    return dist;
  };
  const distancesTo = (d: Destination, i: number): Int32Array => {
    if (d.sources.length === 0) return none;
    const known = kept.get(d.key);
    const last = lastUse.get(d.key) === i;
    if (known !== undefined) {
      if (last) kept.delete(d.key);
      return known;
    }
    if (last || kept.size >= keepAtMost) return search(d.sources, scratch);
    const dist = search(d.sources, new Int32Array(n));
    kept.set(d.key, dist);
    return dist;
  };

  // Each routing node's gateways in one array, in their order and again by address (lowest first; the
  // same address in their order): the first of the nearest in the second is the one a route takes.
  const gatewayNode = Int32Array.from(out.gatewayNode);
  const gatewayFrom = new Int32Array(n + 1);
  for (let v = 0; v < n; v++) gatewayFrom[v + 1] = (gatewayFrom[v] as number) + (gatewaysOf[v] as number[]).length;
  const inOrder = new Int32Array(gatewayFrom[n] as number);
  const byAddress = new Int32Array(gatewayFrom[n] as number);
  for (let v = 0; v < n; v++) {
    const gws = gatewaysOf[v] as number[];
    inOrder.set(gws, gatewayFrom[v]);
    const values = out.gatewayValue;
    const sorted =
      gws.length < 2
        ? gws
        : [...gws].sort((x, y) => ((values[x] as bigint) < (values[y] as bigint) ? -1 : (values[x] as bigint) > (values[y] as bigint) ? 1 : 0));
    byAddress.set(sorted, gatewayFrom[v]);
  }

  const onStamp = new Int32Array(n);
  const unreachable: { dest: number; from: number[] }[] = [];
  for (let i = 0; i < dests.length; i++) {
    const d = dests[i] as Destination;
    const dist = distancesTo(d, i);
    const stamp = i + 1;
    for (const v of d.on) onStamp[v] = stamp;
    const cannot: number[] = [];
    for (let r = 0; r < routing.length; r++) {
      const v = routing[r] as number;
      if (onStamp[v] === stamp) continue;
      const from = gatewayFrom[v] as number;
      const to = gatewayFrom[v + 1] as number;
      // The nearest gateway with the lowest address, and how many are as near.
      let best = -1;
      let chosen = -1;
      let ties = 0;
      for (let k = from; k < to; k++) {
        const g = byAddress[k] as number;
        const x = dist[gatewayNode[g] as number] as number;
        if (x === -1) continue;
        if (best === -1 || x < best) {
          best = x;
          chosen = g;
          ties = 1;
        } else if (x === best) ties++;
      }
      const hand = handOf[v]?.has(i) === true;
      if (best === -1) {
        if (!hand && handDefault[v] === 0) cannot.push(v);
        continue;
      }
      if (hand || out.wanted[v] === 0) continue;
      // The other neighbours as near, in the order of the gateways, for the reason.
      let extra = -1;
      if (ties > 1) {
        const pick = gatewayNode[chosen] as number;
        const others: number[] = [];
        for (let k = from; k < to; k++) {
          const w = gatewayNode[inOrder[k] as number] as number;
          if (w !== pick && dist[w] === best && !others.includes(w)) others.push(w);
        }
        if (others.length > 0) {
          extra = out.pool.length;
          out.pool.push(others.length);
          for (const w of others) out.pool.push(w);
        }
      }
      out.add(v, room, d.index, chosen, best + 2, extra, RouteKind.Path);
    }
    // Nodes with a default route cannot reach what their gateway cannot.
    for (const [w, hosts] of behind) {
      if (dist[w] !== -1) continue;
      for (const v of hosts) if (onStamp[v] !== stamp && handOf[v]?.has(i) !== true && handDefault[v] === 0) cannot.push(v);
    }
    if (cannot.length > 0) unreachable.push({ dest: i, from: cannot.sort((x, y) => x - y) });
  }

  if (summarize) {
    const nets: Net[] = [];
    const own: Prefix[][] = Array.from({ length: n }, () => []);
    for (const d of dests) {
      nets[d.index] = d.entry.net;
      for (const v of d.on) (own[v] as Prefix[]).push(d.entry.net);
    }
    for (const v of routing) if (out.wanted[v] === 1) summarizeNode(family, v, firstOwn[v] as number, nets, own[v] as Prefix[], nodes[v] as RoutingNode, out);
  }

  // Notes in the order a walk node by node, subnet by subnet, meets them.
  unreachable.sort((x, y) => (x.from[0] as number) - (y.from[0] as number) || x.dest - y.dest);
  for (const u of unreachable) {
    const d = dests[u.dest] as Destination;
    const why = d.sources.length > 0 ? 'no path through routers leads there' : 'no router is on it, so only the nodes on it reach it';
    const from = u.from.map((v) => (nodes[v] as RoutingNode).name);
    notes.push(`IPv${family} subnet ${d.entry.cidr} (${segmentName(d.entry.segment)}) cannot be reached from ${listWords(from)}: ${why}`);
  }
}

/**
 * Summarizes a node's routes of one family, those from position `from` on (route-summary.ts). `nets`: the
 * network of each destination subnet; `own`: the node's own subnets.
 */
function summarizeNode(family: Family, v: number, from: number, nets: readonly Net[], own: readonly Prefix[], node: RoutingNode, out: TableBuilder): void {
  const count = out.count(v);
  if (count - from < 2) return;
  const rows = out.rowsOf(v, 0).data;
  const routes: SummaryRoute[] = [];
  for (let p = from; p < count; p++) {
    const at = p * STRIDE;
    const dest = rows[at] as number;
    const net = nets[dest] as Net;
    const hops = rows[at + 2] as number;
    routes.push({
      base: net.base,
      prefixLength: net.prefixLength,
      gateway: rows[at + 1] as number,
      count: 1,
      least: hops,
      most: hops,
      first: dest,
      last: dest,
      position: p,
      merged: false,
    });
  }
  const fixed: Prefix[] = [...own];
  for (const r of node.routes) if (r.family === family && r.to !== 'default') fixed.push(netOf(r.to));
  const summary: number[] = [];
  for (const r of summarizeRoutes(family, routes, fixed)) {
    if (!r.merged) {
      for (let f = 0; f < STRIDE; f++) summary.push(rows[r.position * STRIDE + f] as number);
      continue;
    }
    const to: Cidr = { family, address: addressText(family, r.base), prefixLength: r.prefixLength };
    const dest = out.destination(family, to, `${to.address}/${to.prefixLength}`);
    const extra = out.pool.length;
    for (const x of [r.count, r.least, r.most, r.first, r.last]) out.pool.push(x);
    summary.push(dest, r.gateway, r.least, extra, RouteKind.Summary);
  }
  out.replaceFrom(v, from, summary);
}
