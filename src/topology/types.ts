/**
 * The resolved lab: what every later layer (plan, engine, api) works from. Every name is final, every
 * interface named, every namespace name computed. Produced by src/topology from a file or an object.
 */
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
  routing?: 'static' | 'none';
  /** Things worth telling the user that are not errors (unreachable islands...). */
  notes?: string[];
  /** Every subnet of the lab (given by hand or from pools), for the engine and `nslab why`. */
  subnets?: LabSubnet[];
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
  routes: ResolvedRoute[];
  exec: ExecEntry[];
  /** For kind bridge: the bridge device's name in the node's namespace (every link end there is a port). */
  bridge?: string;
}

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

export interface ExecEntry {
  /** Run with `sh -c` inside the node's namespace, after the whole network is up. */
  run: string;
  /** A background entry keeps running (a server); `down` ends it by its pid. Others must exit 0. */
  background: boolean;
}
