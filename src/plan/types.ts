/**
 * Plans are data: `plan(desired, observed)` returns these operations; the engine runs them. Every
 * operation is serialisable (JSON), names its namespace by name (never an interface index), and lists the
 * ids of the operations it must wait for in `after`.
 */
import type { FrrDaemon } from '../topology/frr-daemons.js';
import type { Cidr, ExecEntry, NodeRoutes, ResolvedFrr, ResolvedRoute, Shaping } from '../topology/types.js';

export interface OpBase {
  /** Unique within the plan, stable for the same inputs, for example `veth:red:rveth--green:gveth`. */
  id: string;
  /** Ids of operations that must have finished first. */
  after: string[];
}

export type Op =
  /** Make the namespace and mark it ours (alias on its `lo`), then bring `lo` up. */
  | (OpBase & { op: 'netns.add'; netns: string; node: string })
  /** Delete a namespace of ours, with everything in it. */
  | (OpBase & { op: 'netns.del'; netns: string; node: string })
  /** Write a value under /proc/sys inside the namespace, for example net/ipv4/ip_forward = 1. */
  | (OpBase & { op: 'sysctl.set'; netns: string; key: string; value: string })
  /** One veth pair, each end made straight in its own namespace, both carrying the lab's mark. */
  | (OpBase & { op: 'veth.add'; link: string; a: EndRef; b: EndRef; mtu?: number })
  /** Delete a veth pair of ours (deleting one end deletes both). */
  | (OpBase & { op: 'veth.del'; link: string; a: EndRef })
  | (OpBase & { op: 'addr.add'; netns: string; ifname: string; cidr: Cidr })
  | (OpBase & { op: 'addr.del'; netns: string; ifname: string; cidr: Cidr })
  /** A bridge (a LAN segment) in a bridge node's namespace, marked and up. */
  | (OpBase & { op: 'bridge.add'; netns: string; node: string; name: string })
  /** Up, MTU, or the bridge the interface is a port of. */
  | (OpBase & { op: 'link.set'; netns: string; ifname: string; up?: boolean; mtu?: number; master?: string })
  /** The root queueing discipline that shapes an end's egress (tbf for a rate; netem for delay, jitter, loss). */
  | (OpBase & { op: 'qdisc.set'; netns: string; ifname: string; shaping: Shaping; tbf?: TbfSize })
  | (OpBase & { op: 'qdisc.del'; netns: string; ifname: string })
  /** A route, marked with nslab's protocol; `adopt`: an identical route made by hand is there, and becomes nslab's. */
  | (OpBase & { op: 'route.add'; netns: string; route: ResolvedRoute; adopt?: true })
  | (OpBase & { op: 'route.del'; netns: string; route: ResolvedRoute })
  /**
   * A node's computed routes (`routing: static`), every one a route.add of its own to the kernel, read from
   * the lab's route table as they are sent: a ring of 1,000 routers has a million, which the plan does not
   * hold one by one. In JSON, a list of `ip route add` arguments.
   */
  | (OpBase & { op: 'routes.add'; netns: string; node: string; routes: NodeRoutes })
  /**
   * Start a node's FRR once its network is up: zebra, then its other daemons, each in the node's FRR view
   * (topology/frr-view.ts) with its files in `dir`; then load its configuration (`vtysh -b`). `digest`
   * (frrDigest) is recorded with each daemon.
   */
  | (OpBase & { op: 'frr.start'; netns: string; node: string; dir: string; frr: ResolvedFrr; digest: string })
  /** End a node's FRR daemons, by pid, and remove its FRR directory. */
  | (OpBase & { op: 'frr.stop'; node: string; dir: string; daemons: FrrProcess[] })
  /** Run a node's exec entry after the network is up; in the node's FRR view (`frrDir`) when it runs FRR. */
  | (OpBase & { op: 'exec'; netns: string; node: string; entry: ExecEntry; frrDir?: string })
  /**
   * The end of a cable to another host: a VXLAN device made from the host's namespace straight into the
   * node's (its UDP socket stays on the underlay), marked like every device.
   */
  | (OpBase & { op: 'vxlan.add'; link: string; end: EndRef; vni: number; local: string; remote: string; port: number; mtu: number })
  /** Delete a VXLAN device of ours, before its namespace goes (a namespace deleted with it inside frees its VNI late). */
  | (OpBase & { op: 'vxlan.del'; netns: string; node: string; ifname: string })
  /** End a process a background exec entry started, by its pid. */
  | (OpBase & { op: 'proc.kill'; node: string; pid: number; startTime: string });

export type OpKind = Op['op'];

/** One FRR daemon of a node, as `frr.stop` ends it. */
export interface FrrProcess {
  daemon: FrrDaemon;
  pid: number;
  startTime: string;
}

/** A rate limit's bucket and queue in bytes, computed by the plan from the end's MTU (see netlink/qdiscs/tbf.ts). */
export interface TbfSize {
  burst: number;
  limit: number;
}

export interface EndRef {
  node: string;
  netns: string;
  ifname: string;
  /** The end's link-layer address (veth.add), derived from the lab's names: see plan/mac.ts. */
  mac?: string;
}

export interface Plan {
  lab: string;
  /** Topologically ordered: every op comes after all of its `after`. */
  ops: Op[];
}

/**
 * What the kernel (and the lab's state file) says exists of this lab now. Only things that carry the
 * lab's mark are in here; the engine never reports, and the planner never touches, anything else.
 */
export interface ObservedLab {
  /** Namespaces of this lab, by namespace name. */
  namespaces: Record<string, ObservedNamespace>;
  /** Background processes started by exec entries and still running. */
  processes: ObservedProcess[];
}

export interface ObservedNamespace {
  node: string;
  /** Interfaces other than `lo`. */
  links: ObservedLink[];
  /** Routes nslab installed (marked with nslab's route protocol), main table. */
  routes: ResolvedRoute[];
  /** Values nslab set under /proc/sys, as read back. */
  sysctls: Record<string, string>;
  /** Interfaces (other than lo) that are not the lab's: made by hand, or by another program. */
  foreignLinks?: string[];
  /** Routes of the main table that nslab did not make (neither its protocol nor the kernel's own). */
  foreignRoutes?: ForeignRoute[];
}

/** A route nslab did not make, and the protocol that did (`ip route` shows it as `proto boot`...). */
export interface ForeignRoute extends ResolvedRoute {
  protocol: number;
}

export interface ObservedLink {
  ifname: string;
  kind: string;
  up: boolean;
  mtu: number;
  addresses: Cidr[];
  /** For a veth: where its peer is, when the kernel says (netns name resolved by the engine). */
  peer?: { netns: string; ifname: string };
  /** Name of the bridge this link is a port of. */
  master?: string;
  /** The shaping its root qdisc does, when nslab set one. */
  shaping?: Shaping;
  /** For a VXLAN device: where its packets go. */
  vxlan?: VxlanEnds;
}

/** A point-to-point VXLAN device's identity: its VNI, the outer addresses and the UDP port. */
export interface VxlanEnds {
  vni: number;
  local: string;
  remote: string;
  port: number;
}

export interface ObservedProcess {
  node: string;
  pid: number;
  /** With the pid, its identity (see src/process/identity.ts): a reused pid is another process. */
  startTime: string;
  run: string;
  /** For an FRR daemon: which, and the fingerprint of the node's FRR it was started with (frrDigest). */
  frr?: { daemon: FrrDaemon; digest: string };
}
