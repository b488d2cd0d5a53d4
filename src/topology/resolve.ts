/**
 * Resolution: a checked topology becomes the ResolvedLab every later layer works from (namespace names,
 * each node's interfaces in the order the links name them, link ids), and `resolveTopology`, the whole
 * pipeline for a topology built in code.
 */
import { TopologyError } from '../errors.js';
import { toIssues } from './issues.js';
import { computeRoutes, labSubnets } from './routing.js';
import { buildSegments } from './segments.js';
import type { ResolvedEndpoint, ResolvedLab, ResolvedLink, ResolvedNode } from './types.js';
import { checkTopology, type CheckedEndpoint, type CheckedTopology } from './validate.js';

/** `red:rveth--green:gveth`, endpoints in file order. */
export function linkId(a: { node: string; ifname: string }, b: { node: string; ifname: string }): string {
  return `${a.node}:${a.ifname}--${b.node}:${b.ifname}`;
}

/** Builds the resolved lab from a topology that passed every check. */
export function toResolvedLab(t: CheckedTopology): ResolvedLab {
  const netns = (node: string): string => t.prefix + node;
  const endpoint = (e: CheckedEndpoint): ResolvedEndpoint => {
    const end: ResolvedEndpoint = { node: e.node, netns: netns(e.node), ifname: e.ifname, addresses: e.addresses.map((c) => ({ ...c })) };
    if (e.mtu !== undefined) end.mtu = e.mtu;
    if (e.shaping !== undefined) end.shaping = { ...e.shaping };
    if (e.bridgePort === true) end.bridgePort = true;
    return end;
  };
  const links = t.links.map((l): ResolvedLink => {
    const link: ResolvedLink = { id: linkId(l.a, l.b), a: endpoint(l.a), b: endpoint(l.b) };
    if (l.mtu !== undefined) link.mtu = l.mtu;
    return link;
  });
  const interfaces = new Map<string, string[]>();
  for (const l of links) {
    for (const e of [l.a, l.b]) {
      const list = interfaces.get(e.node);
      if (list === undefined) interfaces.set(e.node, [e.ifname]);
      else list.push(e.ifname);
    }
  }
  const bridges = new Set(t.nodes.filter((n) => n.kind === 'bridge').map((n) => n.name));
  const { segments } = buildSegments(links, (n) => bridges.has(n));
  const routing = t.routing === 'static' ? computeRoutes(t.nodes.map((n) => ({ name: n.name, bridge: n.kind === 'bridge', forwarding: n.forwarding, routes: n.routes })), segments) : undefined;
  const nodes = t.nodes.map((n): ResolvedNode => {
    const node: ResolvedNode = { name: n.name, netns: netns(n.name), kind: n.kind, forwarding: n.forwarding, interfaces: interfaces.get(n.name) ?? [], routes: [...n.routes, ...(routing?.routes.get(n.name) ?? [])], exec: n.exec };
    if (n.bridge !== undefined) node.bridge = n.bridge;
    return node;
  });
  const lab: ResolvedLab = { name: t.name, prefix: t.prefix, nodes, links };
  if (t.routing !== undefined) lab.routing = t.routing;
  if (routing !== undefined && routing.notes.length > 0) lab.notes = routing.notes;
  const subnets = labSubnets(segments);
  if (subnets.length > 0) lab.subnets = subnets;
  return lab;
}

/**
 * Validates and resolves a topology built in code: the same shape and rules as a file (kebab-case keys,
 * endpoint shorthands and all). Throws TopologyError listing every problem, with paths and no line numbers.
 */
export function resolveTopology(value: unknown): ResolvedLab {
  const { problems, topology } = checkTopology(value);
  if (topology === undefined || problems.length > 0) throw new TopologyError(toIssues(problems, value));
  return toResolvedLab(topology);
}
