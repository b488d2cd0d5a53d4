/**
 * The resolved lab: what every later layer (plan, engine, api) works from. Every name is final, every
 * interface named, every namespace name computed. Produced by src/topology from a file or an object.
 */
import type { TopologyIssue } from '../errors.js';
import type { FrrDaemon } from './frr-daemons.js';

/** An address family: 4 for IPv4, 6 for IPv6. */
export type Family = 4 | 6;

/** An interface address with its prefix length, for example 10.10.1.2/32 or fd00::1/64. */
export interface Cidr {
  family: Family;
  /** Canonical text form: dotted quad for IPv4, RFC 5952 compressed lower case for IPv6. */
  address: string;
  prefixLength: number;
}

export type NodeKind = 'host' | 'router' | 'bridge';

export interface ResolvedLab {
  name: string;
  /** Namespace name = prefix + node name. May be empty. */
  prefix: string;
  nodes: ResolvedNode[];
  links: ResolvedLink[];
  routing?: 'static' | 'none' | 'ospf' | 'bgp';
  /** `addressing: { summarize: true }`: the computed routes are summarized (docs/topology.md says how). */
  summarize?: boolean;
  /**
   * The routes `routing: static` computes, compact (RouteTable in route-table.ts). Not written to JSON:
   * routeTableOf(lab) computes it again for a lab read back from a state file.
   */
  routeTable?: ComputedRoutes;
  /** Things worth telling the user that are not errors (unreachable islands...). */
  notes?: string[];
  /**
   * What of the file nslab did not use, or doubts, each with its place: the settings of a containerlab
   * file a namespace cannot have, an FRR config that needs a daemon not named. The CLI prints them.
   */
  warnings?: TopologyIssue[];
  /** Every subnet of the lab (given by hand or from pools), for the engine and `nslab why`. */
  subnets?: LabSubnet[];
  /** The file's timed script of faults and checks (`nslab run`), checked against the lab. */
  scenario?: ScenarioStep[];
  /** A lab over several machines: its hosts, in file order (every node then has its `host`). */
  hosts?: ResolvedHost[];
  /**
   * One host's part of a lab over several machines (what the controller sends each host): the cables of
   * its nodes that go to other hosts, each a VXLAN device. Its `links` are the cables within the host.
   */
  tunnels?: ResolvedTunnel[];
}

/** A machine of a lab over several: how to reach it, and where its VXLAN cables arrive. */
export interface ResolvedHost {
  name: string;
  /** The ssh destination, as the user would type it. */
  ssh: string;
  /** The address (or the interface that has it) peers send VXLAN to; absent: the address ssh reaches. */
  underlay?: string;
}

/**
 * The end on this host of a cable to another host: a VXLAN device in the node's namespace whose UDP
 * socket lives in the host's own namespace, where the underlay is.
 */
export interface ResolvedTunnel {
  /** The cable's id in the whole lab (`red:eth0--green:eth0`). */
  id: string;
  /** The end on this host. */
  end: ResolvedEndpoint;
  /** The cable's MTU (both ends): what fits over the underlay, or the file's. */
  mtu: number;
  /** VXLAN network identifier, unique in the lab. */
  vni: number;
  /** UDP destination port (4789, IANA's). */
  port: number;
  /** This host's underlay address (the outer source). */
  local: string;
  /** The peer host's underlay address (the outer destination). */
  remote: string;
  /** The other end. */
  peer: { host: string; node: string; ifname: string };
}

/** A subnet of the lab: on one cable (`p2p`) or one LAN (`lan`), with the hosts and routers that have an address in it. */
export interface LabSubnet {
  /** The network: `10.1.0.0/24`, `fd00:0:0:1::/64`. */
  cidr: string;
  family: Family;
  kind: 'p2p' | 'lan';
  /** Nodes with an address in it, in link order (not bridges: they have no addresses). */
  nodes: string[];
}

export interface ResolvedNode {
  name: string;
  /** The network namespace's name under /run/netns. */
  netns: string;
  kind: NodeKind;
  /** IPv4 and IPv6 forwarding on inside the node's namespace (routers). */
  forwarding: boolean;
  /** Every interface the node gets from links, in the order the file names them. */
  interfaces: string[];
  /** The routes written in the file. Computed ones are in `lab.routeTable`; routesOf(lab, node) gives both. */
  routes: ResolvedRoute[];
  exec: ExecEntry[];
  /** For kind bridge: the bridge device's name in the node's namespace (every link end there is a port). */
  bridge?: string;
  /** FRR routing daemons to run in the node: its own configuration, or the one `routing: ospf|bgp` writes. */
  frr?: ResolvedFrr;
  /** In a lab over several machines: the host the node runs on (its `host:`, or where nslab placed it). */
  host?: string;
}

/** A node's FRR: which daemons to start, and the configuration to load into them. */
export interface ResolvedFrr {
  /** The daemons to start, in FRR's start order: zebra first (see topology/frr-daemons.ts). */
  daemons: FrrDaemon[];
  /** The integrated configuration (frr.conf) to load with vtysh; empty for none. */
  config: string;
  /** Where the configuration comes from, to place a line vtysh reports (line N of `config`). */
  source: FrrConfigSource;
}

/** Where a node's FRR configuration comes from, to place a line vtysh names in it. */
export type FrrConfigSource =
  /** A file of its own (its path as the topology file names it, joined to that file's directory): line N is line N there. */
  | { kind: 'file'; file: string }
  /** Written in the topology file: line N is line `line + N - 1` of `file`, when they are known. */
  | { kind: 'inline'; file?: string; line?: number }
  /** Written by nslab for `routing: ospf` or `routing: bgp`. */
  | { kind: 'generated'; routing: 'ospf' | 'bgp' }
  /** No configuration: the daemons start empty (exec commands may configure them through vtysh). */
  | { kind: 'none' };

export interface ResolvedEndpoint {
  node: string;
  netns: string;
  ifname: string;
  addresses: Cidr[];
  /** What this end does to the packets it sends (its egress). */
  shaping?: Shaping;
  mtu?: number;
  /** True when the end is on a bridge node (a port of its bridge). */
  bridgePort?: boolean;
}

/** Link properties applied as a queueing discipline on an end's egress. */
export interface Shaping {
  /** Bits per second. */
  rate?: number;
  delayMs?: number;
  jitterMs?: number;
  lossPercent?: number;
}

export interface ResolvedLink {
  /** Stable identity, `red:rveth--green:gveth` with the endpoints in file order. */
  id: string;
  a: ResolvedEndpoint;
  b: ResolvedEndpoint;
  mtu?: number;
  /** The VXLAN identifier the file gives the cable, for when its ends are on two hosts. */
  vni?: number;
}

export interface ResolvedRoute {
  family: Family;
  /** Destination network, or 'default'. */
  to: Cidr | 'default';
  via?: string;
  dev?: string;
  metric?: number;
  /** Computed by `routing: static` (not written by hand). */
  computed?: boolean;
  /** Why a computed route exists, for `nslab routes NODE`. */
  reason?: string;
}

/** A lab's computed routes: a node's by name, each list read by position (RouteTable in route-table.ts). */
export interface ComputedRoutes {
  /** How many routes, every node's together. */
  readonly size: number;
  /** A node's computed routes; an empty list for a node without any. */
  of(node: string): NodeRoutes;
}

/**
 * One node's computed routes, by position 0 .. length-1, made one at a time when asked for, so a walk over
 * a million of them holds none. Iterating yields `route(k)` for each.
 */
export interface NodeRoutes extends Iterable<ResolvedRoute> {
  /** How many routes. */
  readonly length: number;
  /** Route k's family. */
  family(k: number): Family;
  /** The destination, shared with every other route to it: read it, do not change it. */
  to(k: number): Cidr | 'default';
  /** `10.0.0.4/31`, `default` (IPv4) or `::/0` (IPv6). */
  toText(k: number): string;
  /** Route k's gateway. */
  via(k: number): string;
  /** Route k's device. */
  dev(k: number): string;
  /** The route as the kernel gets it (a new object, without its reason). */
  route(k: number): ResolvedRoute;
  /** The route with its reason. */
  explained(k: number): ResolvedRoute;
  /** Why route k exists, as `nslab routes NODE` says it. */
  reason(k: number): string;
  /** Every route with its reason: for a node's few routes. */
  all(): ResolvedRoute[];
  /** The routes at these positions, in this order. */
  pick(positions: readonly number[]): NodeRoutes;
  /** Every device the routes go out of, each once. */
  devices(): string[];
  /** In JSON: each route as `ip route add` takes it, `10.0.0.4/31 via 10.0.0.3 dev eth0`. */
  toJSON(): string[];
}

export interface ExecEntry {
  /** Run with `sh -c` inside the node's namespace, after the whole network is up. */
  run: string;
  /** A background entry keeps running (a server); `down` ends it by its pid. Others must exit 0. */
  background: boolean;
}

/** One step of a scenario, checked: when it runs and what it does. */
export interface ScenarioStep {
  /** Milliseconds from the start of the scenario. */
  at: number;
  /** The name the file gives it. */
  name?: string;
  action: ScenarioAction;
}

/** What a link or cable step changes (absent: left as it is). */
export interface ScenarioLinkChange {
  up?: boolean;
  /** Bits per second; null lifts the limit. */
  rate?: number | null;
  mtu?: number;
}

export type ScenarioAction =
  | { kind: 'link'; node: string; ifname: string; change: ScenarioLinkChange }
  | { kind: 'cable'; nodes: [string, string]; change: ScenarioLinkChange }
  | { kind: 'partition'; groups: string[][] }
  | { kind: 'heal' }
  | { kind: 'expect'; check: ScenarioCheck };

/** A check from a node: a ping that must (reach) or must not (no-reach) be answered, a TCP connection that must or must not be accepted. */
export interface ScenarioCheck {
  from: string;
  kind: 'reach' | 'no-reach' | 'connect' | 'no-connect';
  /** A node name or an address. */
  target: string;
  /** For connect and no-connect. */
  port?: number;
  timeoutMs: number;
}
