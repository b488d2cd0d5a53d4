/**
 * The planner: the desired lab and what exists of it now -> the operations that make the one into the
 * other, with their dependencies. Pure (no I/O): the same inputs always give the same plan, ids and order
 * included, and a plan made against the state a previous plan produced is empty.
 *
 * The plan is laid out removals first, then additions, kind by kind:
 *   proc.kill, frr.stop, veth.del, netns.del, route.del, addr.del,
 *   netns.add, sysctl.set, bridge.add, veth.add, addr.add, link.set, qdisc.set, route.add, routes.add, frr.start, exec
 * and every op waits only for what it needs (`after`), so the engine runs unrelated work together and
 * starts each op once its own dependencies allow; what one namespace's socket can send in order behind its
 * dependency goes with it (see ridesLane). In waves (levels()), the tutorial is
 * netns | veth + red's address | green's address + both ends up | routes | exec.
 */
import { routeTableOf } from '../topology/routing.js';
import type {
  Cidr,
  ComputedRoutes,
  ExecEntry,
  NodeRoutes,
  ResolvedEndpoint,
  ResolvedLab,
  ResolvedLink,
  ResolvedNode,
  ResolvedRoute,
  ResolvedTunnel,
  Shaping,
} from '../topology/types.js';
import { defaultTbfBurst, defaultTbfLimit } from '../netlink/index.js';
import { PlanBuilder } from './builder.js';
import { linkMacs, linkMacSteps } from './mac.js';
import { finish, PIECE, type Steps } from '../topology/steps.js';
import { DEFAULT_MTU } from './ops/kind.js';
import { FORWARDING_SYSCTLS, NO_DAD_SYSCTLS } from './sysctls.js';
import { canonicalIp, cidrText, isLinkLocal6, sameSubnet } from './ip.js';
import { identicalForeign } from './foreign.js';
import { frrDigest, frrDir } from '../topology/frr-view.js';
import { destinationText, effectiveMetric, routeIdPart, sameRoute } from './route.js';
import type { EndRef, FrrProcess, ObservedLab, ObservedLink, ObservedNamespace, ObservedProcess, Op, Plan, VxlanEnds } from './types.js';

const EMPTY: ObservedLab = { namespaces: {}, processes: [] };

/** The id of the op that brings an end up (every new veth's end gets one). */
function upId(end: ResolvedEndpoint): string {
  return `up:${end.node}:${end.ifname}`;
}

/** Link ends in one namespace from which a new veth's end there comes up before its peer (see #setLinks). */
const HUB_ENDS = 64;

/** The end of a cable in the namespace with more link ends, when that one has HUB_ENDS or more. */
function hubEnd(link: ResolvedLink, ends: ReadonlyMap<string, number>): ResolvedEndpoint | undefined {
  const [a, b] = [ends.get(link.a.netns) ?? 0, ends.get(link.b.netns) ?? 0];
  const [end, count] = b > a ? [link.b, b] : [link.a, a];
  return count >= HUB_ENDS ? end : undefined;
}

/** The largest GSO packet a veth takes (the kernel's default for it), which sizes a tbf's queue. */
const VETH_GSO_MAX_SIZE = 65536;

/** A shaping that is a rate and nothing else: a tbf (delay, jitter or loss make it a netem). */
export function isRateOnly(s: Shaping): boolean {
  return s.delayMs === undefined && s.jitterMs === undefined && s.lossPercent === undefined;
}

/** Routes a namespace gets: those written in the file, one op each; the computed ones, one op for all. */
interface RoutesToAdd {
  hand: ResolvedRoute[];
  computed: NodeRoutes | undefined;
}

/** What sameRoute compares first (family, destination, metric), as a key to look observed routes up by. */
const routeKey = (r: ResolvedRoute): string => `${r.family} ${destinationText(r)} ${effectiveMetric(r)}`;

/** `netns\0ifname`: one interface in one namespace. */
function key(netns: string, ifname: string): string {
  return `${netns}\u0000${ifname}`;
}

function endRef(end: ResolvedEndpoint): EndRef {
  return { node: end.node, netns: end.netns, ifname: end.ifname };
}

function peerIs(link: ObservedLink, end: ResolvedEndpoint): boolean {
  return link.peer !== undefined && link.peer.netns === end.netns && link.peer.ifname === end.ifname;
}

/** A VXLAN device that goes where the tunnel says. */
function sameVxlan(have: VxlanEnds | undefined, t: ResolvedTunnel): boolean {
  return have !== undefined && have.vni === t.vni && have.local === t.local && have.remote === t.remote && have.port === t.port;
}

function copyRoute(route: ResolvedRoute): ResolvedRoute {
  return { ...route, to: route.to === 'default' ? 'default' : { ...route.to } };
}

function sameShaping(x: Shaping, y: Shaping | undefined): boolean {
  // Rates travel in bytes per second: compare them as the kernel keeps them.
  const bytes = (r: number | undefined): number | undefined => (r === undefined ? undefined : Math.round(r / 8));
  return y !== undefined && bytes(x.rate) === bytes(y.rate) && x.delayMs === y.delayMs && x.jitterMs === y.jitterMs && x.lossPercent === y.lossPercent;
}

/** True when an address or a route of the lab is IPv6. */
function labUsesIpv6(lab: ResolvedLab): boolean {
  // Index loops: this looks at every address of the lab once, cold (a callback per link allocates).
  for (let i = 0; i < lab.links.length; i++) {
    const link = lab.links[i] as ResolvedLink;
    for (let k = 0; k < link.a.addresses.length; k++) if ((link.a.addresses[k] as Cidr).family === 6) return true;
    for (let k = 0; k < link.b.addresses.length; k++) if ((link.b.addresses[k] as Cidr).family === 6) return true;
  }
  for (let i = 0; i < lab.nodes.length; i++) {
    const routes = (lab.nodes[i] as ResolvedNode).routes;
    for (let k = 0; k < routes.length; k++) if ((routes[k] as ResolvedRoute).family === 6) return true;
  }
  return false;
}

function pushTo<K, V>(map: Map<K, V[]>, k: K, v: V): void {
  const list = map.get(k);
  if (list === undefined) map.set(k, [v]);
  else list.push(v);
}

/**
 * Plans `desired` against `observed` (null: nothing of the lab exists, so a full creation plan).
 * Only the difference is applied: what exists and matches is left alone; what is ours and no longer
 * wanted is removed; exec entries run only on nodes whose namespace this plan creates.
 *
 * `applied` is the lab as nslab last applied it (its state file). Addresses carry no mark, so it is what
 * tells nslab's addresses from those an exec command or an FRR daemon added to the same interface: with
 * it, only addresses it lists are removed; without it, every address the lab does not want is.
 */
export function plan(desired: ResolvedLab, observed: ObservedLab | null, applied?: ResolvedLab): Plan {
  return finish(planSteps(desired, observed, applied));
}

/** plan(), in pieces (steps.ts): what the engine runs, with turns of the event loop between them. */
export function* planSteps(desired: ResolvedLab, observed: ObservedLab | null, applied?: ResolvedLab): Steps<Plan> {
  const planner = new Planner(desired, observed, applied);
  yield;
  return yield* planner.steps();
}

/** The addresses a lab gives each interface, `netns\0ifname` -> CIDR texts. */
function appliedAddresses(lab: ResolvedLab): Map<string, Set<string>> {
  const out = new Map<string, Set<string>>();
  for (const link of lab.links) {
    for (const end of [link.a, link.b]) {
      const set = out.get(key(end.netns, end.ifname)) ?? new Set<string>();
      for (const c of end.addresses) set.add(cidrText(c));
      out.set(key(end.netns, end.ifname), set);
    }
  }
  return out;
}

/** One interface that goes, and the op that removes it. */
interface Gone {
  ifname: string;
  link: ObservedLink;
  by: string;
}

/**
 * The planner's steps, in plan order, sharing what each finds out. The planner runs once per process,
 * before the JIT has warmed up. There, `for...of` and destructuring allocate per element, and spreads,
 * callbacks and key strings add up: the loops over every node and link are index loops, and lists are
 * built by pushing onto them.
 */
class Planner {
  readonly #desired: ResolvedLab;
  readonly #seen: ObservedLab;
  readonly #b: PlanBuilder;
  readonly #nodes: ResolvedNode[];
  readonly #links: ResolvedLink[];
  readonly #nodeByNetns = new Map<string, ResolvedNode>();
  /** Namespaces of desired nodes that exist already. */
  readonly #keptNetns = new Set<string>();
  readonly #keptNodes: ResolvedNode[];
  /** Observed namespaces no desired node has, sorted. */
  readonly #removed: string[];
  /** Node -> ids of the proc.kills and frr.stops of its processes. */
  readonly #killsByNode = new Map<string, string[]>();
  /** Nodes whose FRR this plan starts: new nodes that run it, and kept ones whose FRR changed or stopped. */
  readonly #frrToStart: ResolvedNode[] = [];
  /** Desired links that exist as they should, as a set and in link order. */
  readonly #keptLinks = new Set<ResolvedLink>();
  readonly #keptLinkList: ResolvedLink[] = [];
  /** Interfaces (key) that stay as they are: kept links' ends and kept bridges. */
  readonly #claimed = new Set<string>();
  /** Namespaces of bridge nodes whose bridge exists. */
  readonly #keptBridges = new Set<string>();
  /** Interface (key) -> the op that removes it. */
  readonly #goneBy = new Map<string, string>();
  /** Removed namespace -> the veth.dels of cables into it. */
  readonly #vethDelsInto = new Map<string, string[]>();
  /** Kept namespace -> its interfaces that go. */
  readonly #goneInNs = new Map<string, Gone[]>();
  /** Interface (key) -> the addresses it loses. */
  readonly #addrDrops = new Map<string, Cidr[]>();
  /** Interfaces (key) that lose an IPv4 address: their IPv4 routes are made again. */
  readonly #losesV4 = new Set<string>();
  readonly #routeDels = new Map<string, string[]>();
  readonly #routeDelsByDev = new Map<string, string[]>();
  /** Kept namespace -> its desired routes the kernel lacks. */
  readonly #missingRoutes = new Map<string, RoutesToAdd>();
  /** Namespace -> its address deletions. */
  readonly #addrDelsIn = new Map<string, { ifname: string; address: string; id: string }[]>();
  readonly #netnsAddId = new Map<string, string>();
  /** Namespace -> its sysctl.sets that turn DAD off (devices made there wait for them). */
  readonly #noDadIds = new Map<string, string[]>();
  readonly #bridgeOf = new Map<string, { name: string; id?: string }>();
  readonly #vethAddId = new Map<ResolvedLink, string>();
  /** The cables to other hosts (a host's part of a lab over several), and the vxlan.adds of those made. */
  readonly #tunnels: ResolvedTunnel[];
  readonly #keptTunnels = new Set<ResolvedTunnel>();
  readonly #tunnelAddId = new Map<ResolvedTunnel, string>();
  /** Namespace -> the routes it gets. */
  readonly #routesToAdd = new Map<string, RoutesToAdd>();
  /** The routes `routing` computes (compact: a ring of 1,000 routers has a million). */
  readonly #table: ComputedRoutes | undefined;
  /** Namespace -> the ops that shape its addresses and devices (its routes wait for them). */
  readonly #nsOps = new Map<string, string[]>();
  /** The addresses of the lab's veth ends, computed once, when the plan makes a cable. */
  #macs: Map<string, string> | undefined;
  /** Interface (key) -> the addresses nslab gave it last time, when its state says (see plan()). */
  readonly #ours: Map<string, Set<string>> | undefined;

  constructor(desired: ResolvedLab, observed: ObservedLab | null, applied?: ResolvedLab) {
    this.#desired = desired;
    this.#table = routeTableOf(desired);
    this.#ours = applied === undefined ? undefined : appliedAddresses(applied);
    this.#seen = observed ?? EMPTY;
    this.#b = new PlanBuilder(desired.name);
    this.#nodes = desired.nodes;
    this.#links = desired.links;
    this.#tunnels = desired.tunnels ?? [];
    for (let i = 0; i < this.#nodes.length; i++) this.#nodeByNetns.set((this.#nodes[i] as ResolvedNode).netns, this.#nodes[i] as ResolvedNode);
    if (observed !== null) for (const netns of this.#nodeByNetns.keys()) if (this.#observedNs(netns) !== undefined) this.#keptNetns.add(netns);
    this.#keptNodes = desired.nodes.filter((n) => this.#isKept(n.netns));
    this.#removed = Object.keys(this.#seen.namespaces)
      .filter((netns) => !this.#nodeByNetns.has(netns))
      .sort();
  }

  /** The plan, in pieces (see steps.ts): a yield between steps, and within the loops over every node, link or route. */
  *steps(): Steps<Plan> {
    this.#killProcesses();
    yield;
    yield* this.#stopChangedFrr();
    yield;
    yield* this.#findKeptLinks();
    yield;
    yield* this.#removeStaleLinks();
    yield;
    this.#removeNamespaces();
    yield;
    this.#findAddressDrops();
    yield;
    yield* this.#removeRoutes();
    yield;
    this.#removeAddresses();
    yield;
    yield* this.#makeNamespaces();
    yield;
    yield* this.#setSysctls();
    yield;
    yield* this.#makeBridges();
    yield;
    yield* this.#makeCables();
    yield;
    this.#makeTunnels();
    yield;
    yield* this.#noteRoutesToAdd();
    yield;
    yield* this.#addAddresses();
    yield;
    yield* this.#setLinks();
    yield;
    yield* this.#addRoutes();
    yield;
    this.#startFrr();
    yield;
    yield* this.#runExecs();
    yield;
    return this.#b.build();
  }

  #observedNs(netns: string): ObservedNamespace | undefined {
    return Object.hasOwn(this.#seen.namespaces, netns) ? this.#seen.namespaces[netns] : undefined;
  }

  /** A node's computed routes; undefined when it has none. */
  #computedOf(node: ResolvedNode): NodeRoutes | undefined {
    const list = this.#table?.of(node.name);
    return list !== undefined && list.length > 0 ? list : undefined;
  }

  /** True for a namespace of a desired node that exists already. */
  #isKept(netns: string): boolean {
    return this.#keptNetns.has(netns);
  }

  /** The name ids use for a namespace: its node's name (desired, else observed), else the namespace. */
  #label(netns: string): string {
    const node = this.#nodeByNetns.get(netns)?.name ?? this.#observedNs(netns)?.node;
    return node !== undefined && node !== '' ? node : netns;
  }

  #findLink(netns: string, ifname: string): ObservedLink | undefined {
    return this.#isKept(netns) ? this.#observedNs(netns)?.links.find((l) => l.ifname === ifname) : undefined;
  }

  /**
   * 1. Processes of nodes that do not stay (removed, or whose namespace is gone and is made anew): a
   *    background process by its pid, a node's FRR daemons together (frr.stop, which removes its files too).
   */
  #killProcesses(): void {
    const keptNodeNames = new Set(this.#keptNodes.map((n) => n.name));
    const processes = [...this.#seen.processes].sort((x, y) => (x.node < y.node ? -1 : x.node > y.node ? 1 : x.pid - y.pid));
    const frrOf = new Map<string, ObservedProcess[]>();
    for (const p of processes) {
      if (keptNodeNames.has(p.node)) continue;
      if (p.frr !== undefined) {
        pushTo(frrOf, p.node, p);
        continue;
      }
      pushTo(
        this.#killsByNode,
        p.node,
        this.#b.push({ op: 'proc.kill', id: `kill:${p.node}:${p.pid}`, after: [], node: p.node, pid: p.pid, startTime: p.startTime }),
      );
    }
    for (const [node, daemons] of frrOf) pushTo(this.#killsByNode, node, this.#pushFrrStop(node, daemons));
  }

  #pushFrrStop(node: string, daemons: readonly ObservedProcess[]): string {
    const list: FrrProcess[] = daemons.map((p) => ({ daemon: p.frr?.daemon ?? 'zebra', pid: p.pid, startTime: p.startTime }));
    return this.#b.push({ op: 'frr.stop', id: `frr-stop:${node}`, after: [], node, dir: frrDir(this.#desired.name, node), daemons: list });
  }

  /**
   * 1b. FRR of nodes that stay: started on a new node that runs it; on a node that stays, left alone while
   *     every daemon its FRR names runs with that FRR's fingerprint (frrDigest), else stopped and started
   *     anew (a changed configuration or daemon list, a daemon that died, a state that was lost).
   */
  *#stopChangedFrr(): Steps<void> {
    const running = new Map<string, ObservedProcess[]>();
    for (const p of this.#seen.processes) if (p.frr !== undefined) pushTo(running, p.node, p);
    for (let i = 0; i < this.#nodes.length; i++) {
      if (i % PIECE === PIECE - 1) yield;
      const node = this.#nodes[i] as ResolvedNode;
      if (!this.#isKept(node.netns)) {
        if (node.frr !== undefined) this.#frrToStart.push(node);
        continue;
      }
      const have = running.get(node.name) ?? [];
      if (node.frr !== undefined) {
        const digest = frrDigest(node.frr);
        const daemons = new Set(have.map((p) => p.frr?.daemon));
        const same = have.every((p) => p.frr?.digest === digest) && daemons.size === node.frr.daemons.length && node.frr.daemons.every((d) => daemons.has(d));
        if (same) continue;
        this.#frrToStart.push(node);
      }
      if (have.length > 0) this.#pushFrrStop(node.name, have);
    }
  }

  /** 2. Desired links that exist as they should (both ends veths, each the other's peer), and bridges that exist. */
  *#findKeptLinks(): Steps<void> {
    for (let i = 0; i < this.#nodes.length; i++) {
      if (i % PIECE === PIECE - 1) yield;
      const node = this.#nodes[i] as ResolvedNode;
      if (node.bridge === undefined || this.#findLink(node.netns, node.bridge)?.kind !== 'bridge') continue;
      this.#keptBridges.add(node.netns);
      this.#claimed.add(key(node.netns, node.bridge));
    }
    for (let i = 0; i < this.#links.length; i++) {
      if (i % PIECE === PIECE - 1) yield;
      const link = this.#links[i] as ResolvedLink;
      const oa = this.#findLink(link.a.netns, link.a.ifname);
      const ob = this.#findLink(link.b.netns, link.b.ifname);
      if (oa?.kind === 'veth' && ob?.kind === 'veth' && peerIs(oa, link.b) && peerIs(ob, link.a)) {
        this.#keptLinks.add(link);
        this.#keptLinkList.push(link);
        this.#claimed.add(key(link.a.netns, link.a.ifname));
        this.#claimed.add(key(link.b.netns, link.b.ifname));
      }
    }
    for (const t of this.#tunnels) {
      const have = this.#findLink(t.end.netns, t.end.ifname);
      if (have?.kind !== 'vxlan' || !sameVxlan(have.vxlan, t)) continue;
      this.#keptTunnels.add(t);
      this.#claimed.add(key(t.end.netns, t.end.ifname));
    }
  }

  /**
   * 3. Every other link of ours in a namespace that stays goes: one veth.del per pair, named by both ends
   *    when both are known.
   */
  *#removeStaleLinks(): Steps<void> {
    const removedSet = new Set(this.#removed);
    const goneBy = this.#goneBy;
    let done = 0;
    for (const netns of this.#keptNodes.map((n) => n.netns).sort()) {
      if (++done % PIECE === 0) yield;
      const links = [...(this.#observedNs(netns)?.links ?? [])].sort((x, y) => (x.ifname < y.ifname ? -1 : x.ifname > y.ifname ? 1 : 0));
      for (const link of links) {
        const k = key(netns, link.ifname);
        if (this.#claimed.has(k) || goneBy.has(k)) continue;
        const peer = link.peer;
        const intoRemoved = peer !== undefined && removedSet.has(peer.netns);
        const peerKey = peer !== undefined && this.#findLink(peer.netns, peer.ifname) !== undefined ? key(peer.netns, peer.ifname) : undefined;
        const pairPeer = intoRemoved || (peerKey !== undefined && !this.#claimed.has(peerKey) && !goneBy.has(peerKey)) ? peer : undefined;
        const name = `${this.#label(netns)}:${link.ifname}${pairPeer !== undefined ? `--${this.#label(pairPeer.netns)}:${pairPeer.ifname}` : ''}`;
        const id = this.#b.push({ op: 'veth.del', id: `del-veth:${name}`, after: [], link: name, a: { node: this.#label(netns), netns, ifname: link.ifname } });
        goneBy.set(k, id);
        if (pairPeer !== undefined) goneBy.set(key(pairPeer.netns, pairPeer.ifname), id);
        if (intoRemoved && peer !== undefined) pushTo(this.#vethDelsInto, peer.netns, id);
      }
    }
    for (const netns of this.#keptNodes.map((n) => n.netns)) {
      for (const link of this.#observedNs(netns)?.links ?? []) {
        const by = goneBy.get(key(netns, link.ifname));
        if (by !== undefined) pushTo(this.#goneInNs, netns, { ifname: link.ifname, link, by });
      }
    }
  }

  /**
   * 4. Namespaces no longer wanted, after their processes end and their cables to staying namespaces are
   *    cut. A namespace is destroyed asynchronously after `ip netns del`: the far end of a veth would
   *    linger in the staying namespace for a while (and hold its name), so those cables are deleted
   *    explicitly first. Everything else inside goes with the namespace.
   */
  #removeNamespaces(): void {
    for (const netns of this.#removed) {
      const node = this.#observedNs(netns)?.node ?? '';
      const after = [...(this.#killsByNode.get(node) ?? []), ...(this.#vethDelsInto.get(netns) ?? [])];
      // Its VXLAN devices first: deleted with their namespace, they would hold their VNIs a while.
      for (const link of this.#observedNs(netns)?.links ?? []) {
        if (link.kind !== 'vxlan') continue;
        after.push(this.#b.push({ op: 'vxlan.del', id: `del-vxlan:${this.#label(netns)}:${link.ifname}`, after: [], netns, node, ifname: link.ifname }));
      }
      this.#b.push({ op: 'netns.del', id: `del-netns:${this.#label(netns)}`, after, netns, node });
    }
  }

  /**
   * 5. Addresses on links that stay and are no longer wanted. Two IPv4 rules of the kernel shape this:
   *    deleting a primary address deletes the secondaries of its subnet (so a wanted secondary beside an
   *    unwanted address is deleted and added again), and a device that loses its last IPv4 address loses
   *    every IPv4 route through it (so those routes are deleted first and added again afterwards).
   */
  #findAddressDrops(): void {
    for (const link of this.#keptLinkList) {
      for (const end of [link.a, link.b]) {
        const have = this.#findLink(end.netns, end.ifname)?.addresses ?? [];
        const want = new Set(end.addresses.map(cidrText));
        const ours = this.#ours;
        const mine = ours?.get(key(end.netns, end.ifname));
        // The kernel gives every IPv6 interface a link-local address; it is not ours to remove. Nor is one
        // an exec command or a routing daemon added, when the state says which are ours.
        const unwanted = have.filter(
          (c) => !want.has(cidrText(c)) && !(c.family === 6 && isLinkLocal6(c.address)) && (ours === undefined || mine?.has(cidrText(c)) === true),
        );
        const drops = have.filter((c) => unwanted.includes(c) || (c.family === 4 && unwanted.some((u) => u.family === 4 && sameSubnet(u, c))));
        if (drops.length === 0) continue;
        this.#addrDrops.set(key(end.netns, end.ifname), drops);
        if (drops.some((c) => c.family === 4)) this.#losesV4.add(key(end.netns, end.ifname));
      }
    }
  }

  /**
   * 6. Routes of ours no longer wanted. Routes through a device that goes are taken along with it; IPv4
   *    routes through a device whose IPv4 addresses change are made again.
   */
  *#removeRoutes(): Steps<void> {
    let done = 0;
    for (const node of this.#keptNodes) {
      if (++done % PIECE === 0) yield;
      const gone = new Set((this.#goneInNs.get(node.netns) ?? []).map((g) => g.ifname));
      const have = (this.#observedNs(node.netns)?.routes ?? []).filter((r) => r.dev === undefined || !gone.has(r.dev));
      const remade = (r: ResolvedRoute): boolean => r.family === 4 && r.dev !== undefined && this.#losesV4.has(key(node.netns, r.dev));
      // Each desired route takes the first observed one that is the same: looked up by destination, as a
      // router of a large lab has a thousand routes or more.
      const candidates = new Map<string, number[]>();
      for (let j = 0; j < have.length; j++) if (!remade(have[j] as ResolvedRoute)) pushTo(candidates, routeKey(have[j] as ResolvedRoute), j);
      const matched = new Set<number>();
      const found = (route: ResolvedRoute): boolean => {
        for (const j of candidates.get(routeKey(route)) ?? []) {
          if (matched.has(j) || !sameRoute(route, have[j] as ResolvedRoute)) continue;
          matched.add(j);
          return true;
        }
        return false;
      };
      const hand = node.routes.filter((route) => !found(route));
      const computed = this.#computedOf(node);
      const missing: number[] = [];
      if (computed !== undefined) for (let k = 0; k < computed.length; k++) if (!found(computed.route(k))) missing.push(k);
      this.#missingRoutes.set(node.netns, {
        hand,
        computed: computed === undefined || missing.length === 0 ? undefined : missing.length === computed.length ? computed : computed.pick(missing),
      });
      have.forEach((route, j) => {
        if (matched.has(j)) return;
        const id = this.#b.push({ op: 'route.del', id: `del-route:${node.name}:${routeIdPart(route)}`, after: [], netns: node.netns, route: copyRoute(route) });
        pushTo(this.#routeDels, node.netns, id);
        if (route.dev !== undefined) pushTo(this.#routeDelsByDev, key(node.netns, route.dev), id);
      });
    }
  }

  /**
   * The address deletions: IPv4 ones on a device one after the other, newest first (the kernel lists
   * secondaries after their primary), so each finds its address; all after the device's route.dels.
   */
  #removeAddresses(): void {
    for (const link of this.#keptLinkList) {
      for (const end of [link.a, link.b]) {
        const drops = this.#addrDrops.get(key(end.netns, end.ifname)) ?? [];
        const ordered = [...drops.filter((c) => c.family === 4).reverse(), ...drops.filter((c) => c.family === 6)];
        let previous: string | undefined;
        for (const cidr of ordered) {
          const after = [...(this.#routeDelsByDev.get(key(end.netns, end.ifname)) ?? []), ...(cidr.family === 4 && previous !== undefined ? [previous] : [])];
          const id = this.#b.push({
            op: 'addr.del',
            id: `del-addr:${end.node}:${end.ifname}:${cidrText(cidr)}`,
            after,
            netns: end.netns,
            ifname: end.ifname,
            cidr: { ...cidr },
          });
          if (cidr.family === 4) previous = id;
          pushTo(this.#addrDelsIn, end.netns, { ifname: end.ifname, address: canonicalIp(cidr.address), id });
        }
      }
    }
  }

  /** 7. Namespaces to make (the engine marks each and brings its lo up in the same op). */
  *#makeNamespaces(): Steps<void> {
    for (let i = 0; i < this.#nodes.length; i++) {
      if (i % PIECE === PIECE - 1) yield;
      const node = this.#nodes[i] as ResolvedNode;
      if (this.#isKept(node.netns)) continue;
      this.#netnsAddId.set(node.netns, this.#b.push({ op: 'netns.add', id: `netns:${node.name}`, after: [], netns: node.netns, node: node.name }));
    }
  }

  /** Adds to `after` what waits for the namespace: its netns.add, when this plan makes it. */
  #afterNetns(after: string[], netns: string): void {
    const id = this.#netnsAddId.get(netns);
    if (id !== undefined) after.push(id);
  }

  /**
   * 8. Sysctls: forwarding on routers (a node without it is left as the kernel made its namespace), and in
   *    a lab with IPv6 no duplicate address detection anywhere, before any device is made there.
   */
  *#setSysctls(): Steps<void> {
    const usesIpv6 = labUsesIpv6(this.#desired);
    const set = (node: ResolvedNode, k: string, value: string): void => {
      const values = this.#isKept(node.netns) ? this.#observedNs(node.netns)?.sysctls : undefined;
      if (values?.[k]?.trim() === value) return;
      const after: string[] = [];
      this.#afterNetns(after, node.netns);
      const id = this.#b.push({ op: 'sysctl.set', id: `sysctl:${node.name}:${k}`, after, netns: node.netns, key: k, value });
      if (value === '0') pushTo(this.#noDadIds, node.netns, id);
    };
    for (let i = 0; i < this.#nodes.length; i++) {
      if (i % PIECE === PIECE - 1) yield;
      const node = this.#nodes[i] as ResolvedNode;
      if (node.forwarding) for (const k of FORWARDING_SYSCTLS) set(node, k, '1');
      if (usesIpv6) for (const k of NO_DAD_SYSCTLS) set(node, k, '0');
    }
  }

  /** Adds to `after` what a device made in the namespace waits for: the namespace, and its DAD setting (inherited at creation). */
  #afterReady(after: string[], netns: string): void {
    this.#afterNetns(after, netns);
    const ids = this.#noDadIds.get(netns);
    if (ids !== undefined) for (const id of ids) after.push(id);
  }

  /** Adds to `after` the op that removes what holds the interface name now, if any. */
  #afterGone(after: string[], netns: string, ifname: string): void {
    if (this.#goneBy.size === 0) return; // nothing goes: spare building the key
    const by = this.#goneBy.get(key(netns, ifname));
    if (by !== undefined) after.push(by);
  }

  /** 8b. Bridges of bridge nodes (LAN segments), in their own namespace. */
  *#makeBridges(): Steps<void> {
    for (let i = 0; i < this.#nodes.length; i++) {
      if (i % PIECE === PIECE - 1) yield;
      const node = this.#nodes[i] as ResolvedNode;
      if (node.bridge === undefined) continue;
      if (this.#keptBridges.has(node.netns)) {
        this.#bridgeOf.set(node.netns, { name: node.bridge });
        continue;
      }
      const after: string[] = [];
      this.#afterReady(after, node.netns);
      this.#afterGone(after, node.netns, node.bridge);
      this.#bridgeOf.set(node.netns, {
        name: node.bridge,
        id: this.#b.push({ op: 'bridge.add', id: `bridge:${node.name}`, after, netns: node.netns, node: node.name, name: node.bridge }),
      });
    }
  }

  /** 9. Cables to make, each after its namespaces exist and whatever holds its names is gone. */
  *#makeCables(): Steps<void> {
    if (this.#links.length > 0) {
      this.#macs ??= yield* linkMacSteps(this.#desired);
      yield;
    }
    for (let i = 0; i < this.#links.length; i++) {
      if (i % PIECE === PIECE - 1) yield;
      const link = this.#links[i] as ResolvedLink;
      if (this.#keptLinks.has(link)) continue;
      const after: string[] = [];
      this.#afterReady(after, link.a.netns);
      this.#afterReady(after, link.b.netns);
      this.#afterGone(after, link.a.netns, link.a.ifname);
      this.#afterGone(after, link.b.netns, link.b.ifname);
      const op: Op = { op: 'veth.add', id: `veth:${link.id}`, after, link: link.id, a: this.#endWithMac(link.a), b: this.#endWithMac(link.b) };
      if (link.mtu !== undefined) op.mtu = link.mtu;
      this.#vethAddId.set(link, this.#b.push(op));
    }
  }

  /** An end of a cable this plan makes, with the address it is given (plan/mac.ts). */
  #endWithMac(end: ResolvedEndpoint): EndRef {
    const ref = endRef(end);
    const mac = (this.#macs ??= linkMacs(this.#desired)).get(key(end.netns, end.ifname));
    if (mac !== undefined) ref.mac = mac;
    return ref;
  }

  /** 9b. The ends of cables to other hosts (VXLAN), each after its namespace and whatever holds its name. */
  #makeTunnels(): void {
    for (const t of this.#tunnels) {
      if (this.#keptTunnels.has(t)) continue;
      const after: string[] = [];
      this.#afterReady(after, t.end.netns);
      this.#afterGone(after, t.end.netns, t.end.ifname);
      const op: Op = {
        op: 'vxlan.add',
        id: `vxlan:${t.id}`,
        after,
        link: t.id,
        end: endRef(t.end),
        vni: t.vni,
        local: t.local,
        remote: t.remote,
        port: t.port,
        mtu: t.mtu,
      };
      this.#tunnelAddId.set(t, this.#b.push(op));
    }
  }

  /**
   * The routes each namespace gets (step 12), so that the ops of steps 10 and 11 that shape its addresses
   * and devices are noted only for the namespaces that get routes.
   */
  *#noteRoutesToAdd(): Steps<void> {
    for (let i = 0; i < this.#nodes.length; i++) {
      if (i % PIECE === PIECE - 1) yield;
      const node = this.#nodes[i] as ResolvedNode;
      const routes = this.#isKept(node.netns) ? this.#missingRoutes.get(node.netns) : { hand: node.routes, computed: this.#computedOf(node) };
      if (routes !== undefined && (routes.hand.length > 0 || routes.computed !== undefined)) this.#routesToAdd.set(node.netns, routes);
    }
  }

  /** Pushes an op that shapes the namespace's addresses or devices, noting it for its routes. */
  #shaping(netns: string, op: Op): void {
    const id = this.#b.push(op);
    if (this.#routesToAdd.has(netns)) pushTo(this.#nsOps, netns, id);
  }

  /** Adds to `after` the deletions `cidr` collides with in the namespace (none where nothing is deleted). */
  #afterCollisions(after: string[], netns: string, ifname: string, cidr: Cidr): void {
    const dels = this.#addrDelsIn.get(netns);
    const gone = this.#goneInNs.get(netns);
    if (dels === undefined && gone === undefined) return;
    const address = canonicalIp(cidr.address);
    for (const d of dels ?? []) if (d.address === address || d.ifname === ifname) after.push(d.id);
    for (const g of gone ?? []) if (g.link.addresses.some((a) => canonicalIp(a.address) === address)) after.push(g.by);
  }

  /**
   * 10. Addresses, after their device, after the address leaves any other place in the namespace, and
   *     after every deletion on the same device (an IPv4 address added beside a primary that is then
   *     deleted would be deleted with it, as its secondary).
   */
  *#addAddresses(): Steps<void> {
    for (let i = 0; i < this.#links.length; i++) {
      if (i % PIECE === PIECE - 1) yield;
      const link = this.#links[i] as ResolvedLink;
      const made = this.#vethAddId.get(link);
      this.#addEndAddresses(link.a, made);
      this.#addEndAddresses(link.b, made);
    }
    for (const t of this.#tunnels) this.#addEndAddresses(t.end, this.#tunnelAddId.get(t));
  }

  #addEndAddresses(end: ResolvedEndpoint, made: string | undefined): void {
    // The addresses a kept device has and keeps (a device this plan makes has none).
    let have: Set<string> | undefined;
    if (made === undefined) {
      const dropped = new Set((this.#addrDrops.get(key(end.netns, end.ifname)) ?? []).map(cidrText));
      have = new Set((this.#findLink(end.netns, end.ifname)?.addresses ?? []).map(cidrText).filter((c) => !dropped.has(c)));
    }
    for (let i = 0; i < end.addresses.length; i++) {
      const cidr = end.addresses[i] as Cidr;
      const text = cidrText(cidr);
      if (have?.has(text) === true) continue;
      const after = made !== undefined ? [made] : [];
      this.#afterCollisions(after, end.netns, end.ifname, cidr);
      this.#shaping(end.netns, {
        op: 'addr.add',
        id: `addr:${end.node}:${end.ifname}:${text}`,
        after,
        netns: end.netns,
        ifname: end.ifname,
        cidr: { ...cidr },
      });
    }
  }

  /**
   * 11. Links up, ports on their bridge, the MTU right (a new veth gets the link's MTU when it is made; an
   *     end's own MTU is set here), and the shaping of each end's egress.
   */
  *#setLinks(): Steps<void> {
    // A new veth's end in a namespace of HUB_ENDS links or more comes up first (the other end waits for
    // it): IPv6 walks its namespace's whole routing table once its link is ready, and an end raised while
    // its peer is down is not ready yet, so a hub's thousands of ends each cost one walk, when their peer
    // comes up, instead of two (one as it comes up to a peer already up, one when the kernel sees the
    // carrier). Smaller namespaces keep both ends up in one wave, as the tutorials do it.
    const ends = new Map<string, number>();
    for (let i = 0; i < this.#links.length; i++) {
      if (i % PIECE === PIECE - 1) yield;
      const link = this.#links[i] as ResolvedLink;
      for (const netns of [link.a.netns, link.b.netns]) ends.set(netns, (ends.get(netns) ?? 0) + 1);
    }
    for (let i = 0; i < this.#links.length; i++) {
      if (i % PIECE === PIECE - 1) yield;
      const link = this.#links[i] as ResolvedLink;
      const made = this.#vethAddId.get(link);
      const hub = made !== undefined ? hubEnd(link, ends) : undefined;
      if (hub === undefined) {
        this.#setEnd(link, link.a, made);
        this.#setEnd(link, link.b, made);
      } else {
        this.#setEnd(link, hub, made);
        this.#setEnd(link, hub === link.a ? link.b : link.a, made, upId(hub));
      }
    }
    for (const t of this.#tunnels) this.#setEnd({ mtu: t.mtu }, t.end, this.#tunnelAddId.get(t));
  }

  /** The link.set of an end, if it needs one (after `peerUp`, if given). */
  #setEnd(link: Pick<ResolvedLink, 'mtu'>, end: ResolvedEndpoint, made: string | undefined, peerUp?: string): void {
    const bridge = end.bridgePort === true ? this.#bridgeOf.get(end.netns) : undefined;
    const wantMtu = end.mtu ?? link.mtu;
    const have = made === undefined ? this.#findLink(end.netns, end.ifname) : undefined;
    if (made === undefined && have === undefined) return;
    const up = made !== undefined || have?.up === false;
    const mtu = wantMtu !== undefined && (made !== undefined ? end.mtu !== undefined && end.mtu !== link.mtu : have?.mtu !== wantMtu) ? wantMtu : undefined;
    const master = bridge !== undefined && (made !== undefined || have?.master !== bridge.name) ? bridge.name : undefined;
    if (up || mtu !== undefined || master !== undefined) {
      const id = up ? upId(end) : `${master !== undefined ? 'port' : 'mtu'}:${end.node}:${end.ifname}`;
      const after = made !== undefined ? [made] : [];
      if (master !== undefined && bridge?.id !== undefined) after.push(bridge.id);
      if (peerUp !== undefined) after.push(peerUp);
      const op: Op = { op: 'link.set', id, after, netns: end.netns, ifname: end.ifname };
      if (up) op.up = true;
      if (mtu !== undefined) op.mtu = mtu;
      if (master !== undefined) op.master = master;
      this.#shaping(end.netns, op);
    }
    const want = end.shaping;
    if (want !== undefined && (made !== undefined || !sameShaping(want, have?.shaping))) {
      const op: Op = {
        op: 'qdisc.set',
        id: `qdisc:${end.node}:${end.ifname}`,
        after: made !== undefined ? [made] : [],
        netns: end.netns,
        ifname: end.ifname,
        shaping: { ...want },
      };
      // A rate alone is a tbf, sized here from the end's MTU, so that the plan (and --explain) says exactly what the kernel gets.
      if (isRateOnly(want) && want.rate !== undefined) {
        const burst = defaultTbfBurst(want.rate, wantMtu ?? DEFAULT_MTU);
        op.tbf = { burst, limit: defaultTbfLimit(want.rate, burst, VETH_GSO_MAX_SIZE) };
      }
      this.#shaping(end.netns, op);
    } else if (want === undefined && have?.shaping !== undefined) {
      this.#shaping(end.netns, { op: 'qdisc.del', id: `del-qdisc:${end.node}:${end.ifname}`, after: [], netns: end.netns, ifname: end.ifname });
    }
  }

  /** 12. Routes, after everything that shapes their namespace's addresses and devices. */
  *#addRoutes(): Steps<void> {
    for (let i = 0; i < this.#nodes.length; i++) {
      if (i % PIECE === PIECE - 1) yield;
      const node = this.#nodes[i] as ResolvedNode;
      const routes = this.#routesToAdd.get(node.netns);
      if (routes === undefined) continue;
      const after: string[] = [];
      for (const id of this.#nsOps.get(node.netns) ?? []) after.push(id);
      for (const id of this.#routeDels.get(node.netns) ?? []) after.push(id);
      for (const d of this.#addrDelsIn.get(node.netns) ?? []) after.push(d.id);
      for (const g of this.#goneInNs.get(node.netns) ?? []) after.push(g.by);
      if (after.length === 0) this.#afterNetns(after, node.netns);
      const foreign = this.#observedNs(node.netns)?.foreignRoutes;
      const addOne = (route: ResolvedRoute): void => {
        const op: Op = { op: 'route.add', id: `route:${node.name}:${routeIdPart(route)}`, after, netns: node.netns, route: copyRoute(route) };
        if (identicalForeign(foreign, route) !== undefined) op.adopt = true;
        this.#b.push(op);
      };
      for (const route of routes.hand) addOne(route);
      let computed = routes.computed;
      // A computed route the namespace has already, made by someone else, is adopted on its own.
      if (computed !== undefined && foreign !== undefined && foreign.length > 0) {
        const rest: number[] = [];
        for (let k = 0; k < computed.length; k++) {
          const route = computed.route(k);
          if (identicalForeign(foreign, route) !== undefined) addOne(route);
          else rest.push(k);
        }
        computed = rest.length === 0 ? undefined : rest.length === computed.length ? computed : computed.pick(rest);
      }
      if (computed !== undefined) this.#b.push({ op: 'routes.add', id: `routes:${node.name}`, after, netns: node.netns, node: node.name, routes: computed });
    }
  }

  /**
   * 12b. FRR, on the nodes that start it, once the whole network is in shape (zebra takes the interfaces
   *      and addresses as it finds them, and a protocol's first hellos should find their neighbours' links).
   */
  #startFrr(): void {
    if (this.#frrToStart.length === 0) return;
    const after = this.#b.sinks();
    for (const node of this.#frrToStart) {
      const frr = node.frr as NonNullable<ResolvedNode['frr']>;
      this.#b.push({
        op: 'frr.start',
        id: `frr:${node.name}`,
        after,
        netns: node.netns,
        node: node.name,
        dir: frrDir(this.#desired.name, node.name),
        frr: { daemons: [...frr.daemons], config: frr.config, source: { ...frr.source } },
        digest: frrDigest(frr),
      });
    }
  }

  /**
   * 13. Exec entries of new nodes, in file order per node, once the whole network is in shape and FRR
   *     started (what the plan so far ends in, asked for only when a node has exec entries, and before any
   *     is added). On a node that runs FRR they run in its FRR view, so that `vtysh` finds its daemons.
   */
  *#runExecs(): Steps<void> {
    let everything: string[] | undefined;
    for (let i = 0; i < this.#nodes.length; i++) {
      if (i % PIECE === PIECE - 1) yield;
      const node = this.#nodes[i] as ResolvedNode;
      if (this.#isKept(node.netns) || node.exec.length === 0) continue;
      let after = (everything ??= this.#b.sinks());
      for (let n = 0; n < node.exec.length; n++) {
        const entry = node.exec[n] as ExecEntry;
        const op: Op = { op: 'exec', id: `exec:${node.name}:${n}`, after, netns: node.netns, node: node.name, entry: { ...entry } };
        if (node.frr !== undefined) op.frrDir = frrDir(this.#desired.name, node.name);
        after = [this.#b.push(op)];
      }
    }
  }
}
