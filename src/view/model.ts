/**
 * The graph of a lab, as the tutorials draw it: each node a box (a host, a router, or a bridge drawn as a
 * LAN segment), each cable a line between two interfaces, with the interface's name and addresses at its
 * end. Built from a resolved lab (the file) or from the kernel's observation of a running lab; every
 * renderer (svg, dot, mermaid, json) and the live page start from it. Pure: no I/O.
 */
import { FORWARDING_SYSCTLS } from '../plan/sysctls.js';
import type { ObservedLab, ObservedLink } from '../plan/types.js';
import type { Cidr, NodeKind, ResolvedEndpoint, ResolvedLab } from '../topology/types.js';

export interface GraphModel {
  lab: string;
  /** Where the graph comes from: the topology file, or what the kernel has now. */
  from: 'file' | 'kernel';
  nodes: GraphNode[];
  cables: GraphCable[];
  /** For a lab over several machines: its hosts, in the file's order; each node then names its `host`. */
  hosts?: string[];
  /** Of those, the hosts that did not answer when the graph was made (their ends have no state). */
  hostsGone?: string[];
}

export interface GraphNode {
  name: string;
  kind: NodeKind;
  netns: string;
  /** The host the node runs on, in a lab over several machines. */
  host?: string;
}

export interface GraphEnd {
  node: string;
  ifname: string;
  /** `10.10.1.2/32`, `fd00::1/64`: IPv4 first. */
  addresses: string[];
  /** Egress rate in bits per second, when the end is shaped. */
  rate?: number;
  /** Administrative state, as the kernel has it (absent in a graph from a file). */
  up?: boolean;
}

export interface GraphCable {
  /** `red:rveth--green:gveth`, the ends in file order (from a file) or in name order (from the kernel). */
  id: string;
  a: GraphEnd;
  b: GraphEnd;
}

/** `NODE:IFNAME`, the name of one end everywhere (CLI, page, capture). */
export function endId(end: { node: string; ifname: string }): string {
  return `${end.node}:${end.ifname}`;
}

function cidrTexts(cidrs: readonly Cidr[]): string[] {
  return [...cidrs.filter((c) => c.family === 4), ...cidrs.filter((c) => c.family === 6)].map((c) => `${c.address}/${c.prefixLength}`);
}

function fileEnd(e: ResolvedEndpoint): GraphEnd {
  return { node: e.node, ifname: e.ifname, addresses: cidrTexts(e.addresses), ...(e.shaping?.rate !== undefined ? { rate: e.shaping.rate } : {}) };
}

/** The graph of a lab as its file describes it. */
export function graphFromLab(lab: ResolvedLab): GraphModel {
  return {
    lab: lab.name,
    from: 'file',
    nodes: lab.nodes.map((n) => ({ name: n.name, kind: n.kind, netns: n.netns, ...(n.host !== undefined ? { host: n.host } : {}) })),
    cables: lab.links.map((l) => ({ id: l.id, a: fileEnd(l.a), b: fileEnd(l.b) })),
    ...(lab.hosts !== undefined ? { hosts: hostsInUse(lab) } : {}),
  };
}

/** The hosts that hold a node, in the file's order (a host with none is not drawn). */
function hostsInUse(lab: ResolvedLab): string[] {
  const used = new Set(lab.nodes.map((n) => n.host));
  return (lab.hosts ?? []).map((h) => h.name).filter((h) => used.has(h));
}

/**
 * The graph of a lab over several machines as its hosts have it: the file's nodes and cables, each node in
 * its host's group, and each end's state as its host's `status` says (`states`: `node:ifname` -> up); an
 * end whose host did not answer has no state (drawn grey), and that host is in `hostsGone`.
 */
export function graphOverHosts(lab: ResolvedLab, states: ReadonlyMap<string, boolean>, gone: readonly string[] = []): GraphModel {
  const model = graphFromLab(lab);
  const withState = (e: GraphEnd): GraphEnd => {
    const up = states.get(endId(e));
    return up !== undefined ? { ...e, up } : e;
  };
  return {
    ...model,
    from: 'kernel',
    cables: model.cables.map((c) => ({ ...c, a: withState(c.a), b: withState(c.b) })),
    ...(gone.length > 0 ? { hostsGone: [...gone] } : {}),
  };
}

/**
 * The graph of a running lab as the kernel has it: a node per namespace of the lab (a bridge where the
 * namespace holds a bridge device, a router where it forwards), a cable per veth pair whose two ends are
 * both the lab's. Nodes and cables in the order of `defined` (the lab as last applied, so that the picture
 * matches the file's: red left of green), and what it does not know of in name order after them; the
 * same kernel state always draws the same picture.
 */
export function graphFromObserved(lab: string, observed: ObservedLab, defined?: ResolvedLab): GraphModel {
  const model = observedInNameOrder(lab, observed);
  if (defined === undefined) return model;
  const nodeRank = new Map(defined.nodes.map((n, i) => [n.name, i]));
  const rank = (name: string): number => nodeRank.get(name) ?? Number.MAX_SAFE_INTEGER;
  const nodes = [...model.nodes].sort((x, y) => rank(x.name) - rank(y.name));
  const linkRank = new Map(defined.links.map((l, i) => [l.id, i]));
  const cables = model.cables
    .map((c) => {
      // The cable as the file writes it: its ends in the file's order, with the file's id.
      const flipped = `${endId(c.b)}--${endId(c.a)}`;
      return linkRank.has(flipped) ? { id: flipped, a: c.b, b: c.a } : c;
    })
    .sort((x, y) => (linkRank.get(x.id) ?? Number.MAX_SAFE_INTEGER) - (linkRank.get(y.id) ?? Number.MAX_SAFE_INTEGER));
  return { ...model, nodes, cables };
}

function observedInNameOrder(lab: string, observed: ObservedLab): GraphModel {
  const entries = Object.entries(observed.namespaces).sort(([, x], [, y]) => x.node.localeCompare(y.node));
  const nodeOf = new Map(entries.map(([netns, ns]) => [netns, ns.node]));
  const nodes: GraphNode[] = entries.map(([netns, ns]) => ({
    name: ns.node,
    netns,
    kind: ns.links.some((l) => l.kind === 'bridge') ? 'bridge' : FORWARDING_SYSCTLS.some((k) => ns.sysctls[k] === '1') ? 'router' : 'host',
  }));
  const end = (node: string, l: ObservedLink): GraphEnd => ({
    node,
    ifname: l.ifname,
    addresses: cidrTexts(l.addresses),
    up: l.up,
    ...(l.shaping?.rate !== undefined ? { rate: l.shaping.rate } : {}),
  });
  const cables: GraphCable[] = [];
  const seen = new Set<string>();
  for (const [, ns] of entries) {
    for (const l of [...ns.links].sort((x, y) => x.ifname.localeCompare(y.ifname))) {
      if (l.peer === undefined) continue;
      const peerNode = nodeOf.get(l.peer.netns);
      const peerLink = observed.namespaces[l.peer.netns]?.links.find((p) => p.ifname === l.peer?.ifname);
      if (peerNode === undefined || peerLink === undefined) continue;
      const a = end(ns.node, l);
      const b = end(peerNode, peerLink);
      const id = `${endId(a)}--${endId(b)}`;
      if (seen.has(`${endId(b)}--${endId(a)}`)) continue;
      seen.add(id);
      cables.push({ id, a, b });
    }
  }
  return { lab, from: 'kernel', nodes, cables };
}
