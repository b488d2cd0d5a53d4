/**
 * Resolution: a checked topology becomes the ResolvedLab every later layer works from (namespace names,
 * each node's interfaces in the order the links name them, link ids), and `resolveTopology`, the whole
 * pipeline for a topology built in code.
 */
import { TopologyError, type TopologyIssue } from '../errors.js';
import type { ParseOptions } from './parse-options.js';
import { toIssues } from './issues.js';
import { computeRoutes, labSubnets, routingNodes } from './routing.js';
import { buildSegments } from './segments.js';
import type { Cidr, ResolvedEndpoint, ResolvedLab, ResolvedLink, ResolvedNode } from './types.js';
import { checkTopology, type CheckedEndpoint, type CheckedLink, type CheckedNode, type CheckedTopology } from './validate.js';

/** `red:rveth--green:gveth`, endpoints in file order. */
export function linkId(a: { node: string; ifname: string }, b: { node: string; ifname: string }): string {
  return `${a.node}:${a.ifname}--${b.node}:${b.ifname}`;
}

const copyCidr = (c: Cidr): Cidr => ({ family: c.family, address: c.address, prefixLength: c.prefixLength });

/** Builds the resolved lab from a topology that passed every check; `warnings` are its warnings, placed. */
export function toResolvedLab(t: CheckedTopology, warnings?: readonly TopologyIssue[]): ResolvedLab {
  // Indexed loops and plain object literals (no spreads or for...of): this runs once per process for every
  // link and node of the lab, with a cold JIT.
  const endpoint = (e: CheckedEndpoint): ResolvedEndpoint => {
    const end: ResolvedEndpoint = { node: e.node, netns: t.prefix + e.node, ifname: e.ifname, addresses: e.addresses.map(copyCidr) };
    if (e.mtu !== undefined) end.mtu = e.mtu;
    if (e.shaping !== undefined) end.shaping = { ...e.shaping };
    if (e.bridgePort === true) end.bridgePort = true;
    return end;
  };
  const links: ResolvedLink[] = [];
  const interfaces = new Map<string, string[]>();
  const addInterface = (e: ResolvedEndpoint): void => {
    const list = interfaces.get(e.node);
    if (list === undefined) interfaces.set(e.node, [e.ifname]);
    else list.push(e.ifname);
  };
  for (let i = 0; i < t.links.length; i++) {
    const l = t.links[i] as CheckedLink;
    const link: ResolvedLink = { id: linkId(l.a, l.b), a: endpoint(l.a), b: endpoint(l.b) };
    if (l.mtu !== undefined) link.mtu = l.mtu;
    if (l.vni !== undefined) link.vni = l.vni;
    links.push(link);
    addInterface(link.a);
    addInterface(link.b);
  }
  const bridges = new Set<string>();
  for (const n of t.nodes) if (n.kind === 'bridge') bridges.add(n.name);
  const { segments } = buildSegments(links, (n) => bridges.has(n));
  const forRouting = routingNodes(t.routing, t.nodes);
  const routing = forRouting !== undefined ? computeRoutes(forRouting, segments, { summarize: t.summarize === true }) : undefined;
  const nodes: ResolvedNode[] = [];
  for (let i = 0; i < t.nodes.length; i++) {
    const n = t.nodes[i] as CheckedNode;
    const node: ResolvedNode = {
      name: n.name,
      netns: t.prefix + n.name,
      kind: n.kind,
      forwarding: n.forwarding,
      interfaces: interfaces.get(n.name) ?? [],
      routes: n.routes,
      exec: n.exec,
    };
    if (n.bridge !== undefined) node.bridge = n.bridge;
    if (n.frr !== undefined) node.frr = n.frr;
    if (n.host !== undefined) node.host = n.host;
    nodes.push(node);
  }
  const lab: ResolvedLab = { name: t.name, prefix: t.prefix, nodes, links };
  if (t.routing !== undefined) lab.routing = t.routing;
  if (t.summarize === true) lab.summarize = true;
  if (routing !== undefined) lab.routeTable = routing.table;
  if (t.hosts !== undefined) lab.hosts = t.hosts.map((h) => ({ ...h }));
  if (routing !== undefined && routing.notes.length > 0) lab.notes = routing.notes;
  if (warnings !== undefined && warnings.length > 0) lab.warnings = [...warnings];
  const subnets = labSubnets(segments);
  if (subnets.length > 0) lab.subnets = subnets;
  if (t.scenario !== undefined) lab.scenario = t.scenario;
  return lab;
}

/**
 * The same lab under another name and namespace prefix (each node's namespace is the prefix and its
 * name): how an isolated Lab gets a name of its own. Everything else is shared with `lab`.
 */
export function renameLab(lab: ResolvedLab, name: string, prefix: string): ResolvedLab {
  const end = (e: ResolvedEndpoint): ResolvedEndpoint => ({ ...e, netns: prefix + e.node });
  return {
    ...lab,
    name,
    prefix,
    nodes: lab.nodes.map((n) => ({ ...n, netns: prefix + n.name })),
    links: lab.links.map((l) => ({ ...l, a: end(l.a), b: end(l.b) })),
  };
}

/**
 * Validates and resolves a topology built in code: the same shape and rules as a file (kebab-case keys,
 * endpoint shorthands and all). Throws TopologyError listing every problem, with paths and no line numbers.
 */
export function resolveTopology(value: unknown, options: Pick<ParseOptions, 'file' | 'read'> = {}): ResolvedLab {
  const { problems, topology } = checkTopology(value, options);
  if (topology === undefined || problems.length > 0) throw new TopologyError(toIssues(problems, value), options.file);
  return toResolvedLab(topology, topology.warnings !== undefined ? toIssues(topology.warnings, value) : undefined);
}
