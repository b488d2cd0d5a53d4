/**
 * Resolution: a checked topology becomes the ResolvedLab every later layer works from (namespace names,
 * each node's interfaces in the order the links name them, link ids), and `resolveTopology`, the whole
 * pipeline for a topology built in code.
 */
import { TopologyError } from '../errors.js';
import { toIssues } from './issues.js';
import type { ResolvedEndpoint, ResolvedLab, ResolvedLink, ResolvedNode } from './types.js';
import { checkTopology, type CheckedEndpoint, type CheckedTopology } from './validate.js';

/** `red:rveth--green:gveth`, endpoints in file order. */
export function linkId(a: { node: string; ifname: string }, b: { node: string; ifname: string }): string {
  return `${a.node}:${a.ifname}--${b.node}:${b.ifname}`;
}

/** Builds the resolved lab from a topology that passed every check. */
export function toResolvedLab(t: CheckedTopology): ResolvedLab {
  const netns = (node: string): string => t.prefix + node;
  const endpoint = (e: CheckedEndpoint): ResolvedEndpoint => ({ node: e.node, netns: netns(e.node), ifname: e.ifname, addresses: e.addresses.map((c) => ({ ...c })) });
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
  const nodes = t.nodes.map(
    (n): ResolvedNode => ({ name: n.name, netns: netns(n.name), kind: 'host', forwarding: false, interfaces: interfaces.get(n.name) ?? [], routes: n.routes, exec: n.exec }),
  );
  return { name: t.name, prefix: t.prefix, nodes, links };
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
