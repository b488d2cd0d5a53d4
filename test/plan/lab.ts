/** Hand-built ResolvedLab pieces for the planner tests (the topology parser is not used here). */
import type { Cidr, ExecEntry, ResolvedLab, ResolvedLink, ResolvedNode, ResolvedRoute } from '../../src/topology/types.js';

export function cidr(text: string): Cidr {
  const [address = '', len = ''] = text.split('/');
  return { family: address.includes(':') ? 6 : 4, address, prefixLength: Number(len) };
}

/** `route('10.10.1.3/32', { dev: 'rveth' })`, `route('default', { via: '10.0.0.1' })`. */
export function route(to: string, opts: { via?: string; dev?: string; metric?: number; family?: 4 | 6 } = {}): ResolvedRoute {
  const family = opts.family ?? (to.includes(':') || (opts.via?.includes(':') ?? false) ? 6 : 4);
  return {
    family,
    to: to === 'default' ? 'default' : cidr(to),
    ...(opts.via !== undefined ? { via: opts.via } : {}),
    ...(opts.dev !== undefined ? { dev: opts.dev } : {}),
    ...(opts.metric !== undefined ? { metric: opts.metric } : {}),
  };
}

export interface NodeSpec {
  routes?: ResolvedRoute[];
  exec?: ExecEntry[];
  forwarding?: boolean;
}

export interface LinkSpec {
  /** `red:rveth` */
  a: string;
  b: string;
  aAddrs?: string[];
  bAddrs?: string[];
  mtu?: number;
}

/** Builds a lab; namespace = prefix + node name; interfaces are gathered from the links. */
export function makeLab(name: string, nodes: Record<string, NodeSpec>, links: LinkSpec[], prefix = ''): ResolvedLab {
  const resolvedLinks: ResolvedLink[] = links.map((l) => {
    const end = (text: string, addrs: string[] = []) => {
      const [node = '', ifname = ''] = text.split(':');
      return { node, netns: prefix + node, ifname, addresses: addrs.map(cidr) };
    };
    return { id: `${l.a}--${l.b}`, a: end(l.a, l.aAddrs), b: end(l.b, l.bAddrs), ...(l.mtu !== undefined ? { mtu: l.mtu } : {}) };
  });
  const resolvedNodes: ResolvedNode[] = Object.entries(nodes).map(([n, spec]) => ({
    name: n,
    netns: prefix + n,
    kind: spec.forwarding === true ? 'router' : 'host',
    forwarding: spec.forwarding ?? false,
    interfaces: resolvedLinks.flatMap((l) => [l.a, l.b].filter((e) => e.node === n).map((e) => e.ifname)),
    routes: spec.routes ?? [],
    exec: spec.exec ?? [],
  }));
  return { name, prefix, nodes: resolvedNodes, links: resolvedLinks };
}

/** The tutorial: red and green, one cable, a /32 each and a host route each way. */
export function tutorial(extra: { redExec?: ExecEntry[]; greenExec?: ExecEntry[] } = {}): ResolvedLab {
  return makeLab(
    'two-computers',
    {
      red: { routes: [route('10.10.1.3/32', { dev: 'rveth' })], ...(extra.redExec !== undefined ? { exec: extra.redExec } : {}) },
      green: { routes: [route('10.10.1.2/32', { dev: 'gveth' })], ...(extra.greenExec !== undefined ? { exec: extra.greenExec } : {}) },
    },
    [{ a: 'red:rveth', b: 'green:gveth', aAddrs: ['10.10.1.2/32'], bAddrs: ['10.10.1.3/32'] }],
  );
}
