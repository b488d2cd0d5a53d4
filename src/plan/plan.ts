/**
 * The planner: the desired lab and what exists of it now -> the operations that make the one into the
 * other, with their dependencies. Pure (no I/O): the same inputs always give the same plan, ids and order
 * included, and a plan made against the state a previous plan produced is empty.
 *
 * The plan is laid out removals first, then additions, kind by kind:
 *   proc.kill, veth.del, netns.del, route.del, addr.del,
 *   netns.add, sysctl.set, bridge.add, veth.add, addr.add, link.set, qdisc.set, route.add, exec
 * and every op waits only for what it needs (`after`), so the engine's waves (see levels()) run
 * unrelated work together, and what one namespace's socket can send in order behind its dependency rides
 * in its wave: the tutorial is netns | veth + red's addr, up, route | green's addr, up, route | exec.
 */
import type { Cidr, ResolvedEndpoint, ResolvedLab, ResolvedLink, ResolvedNode, ResolvedRoute, Shaping } from '../topology/types.js';
import { PlanBuilder } from './builder.js';
import { canonicalIp, cidrText, isLinkLocal6, sameSubnet } from './ip.js';
import { routeIdPart, sameRoute } from './route.js';
import type { EndRef, ObservedLab, ObservedLink, ObservedNamespace, Plan } from './types.js';

/** The sysctls a node with `forwarding: true` gets, each set to 1. */
export const FORWARDING_SYSCTLS = ['net/ipv4/ip_forward', 'net/ipv6/conf/all/forwarding'] as const;

/**
 * The sysctls every node of a lab with IPv6 gets, each set to 0: no duplicate address detection. A lab's
 * addresses are checked unique; devices made later inherit `default`; and without DAD their IPv6 addresses,
 * link-local ones included, work at once instead of a second later (neighbour discovery between routers
 * failed in that second). A lab without IPv6 leaves them as the kernel has them: the first sysctl written
 * in a new namespace costs the kernel about 0.12 ms, a tenth of making the namespace.
 */
export const NO_DAD_SYSCTLS = ['net/ipv6/conf/default/accept_dad', 'net/ipv6/conf/all/accept_dad'] as const;

/** Every sysctl the planner may set, which the engine reads back for it. */
export const PLANNED_SYSCTLS = [...FORWARDING_SYSCTLS, ...NO_DAD_SYSCTLS] as const;

const EMPTY: ObservedLab = { namespaces: {}, processes: [] };

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

function copyRoute(route: ResolvedRoute): ResolvedRoute {
  return { ...route, to: route.to === 'default' ? 'default' : { ...route.to } };
}

function sameShaping(x: Shaping, y: Shaping | undefined): boolean {
  // Rates travel in bytes per second: compare them as the kernel keeps them.
  const bytes = (r: number | undefined): number | undefined => (r === undefined ? undefined : Math.round(r / 8));
  return y !== undefined && bytes(x.rate) === bytes(y.rate) && x.delayMs === y.delayMs && x.jitterMs === y.jitterMs && x.lossPercent === y.lossPercent;
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
 */
export function plan(desired: ResolvedLab, observed: ObservedLab | null): Plan {
  const seen = observed ?? EMPTY;
  const b = new PlanBuilder(desired.name);

  const nodeByNetns = new Map<string, ResolvedNode>();
  for (const node of desired.nodes) nodeByNetns.set(node.netns, node);
  const observedNs = (netns: string): ObservedNamespace | undefined => (Object.hasOwn(seen.namespaces, netns) ? seen.namespaces[netns] : undefined);
  const isKept = (netns: string): boolean => nodeByNetns.has(netns) && observedNs(netns) !== undefined;
  /** The name ids use for a namespace: its node's name (desired, else observed), else the namespace. */
  const label = (netns: string): string => {
    const node = nodeByNetns.get(netns)?.name ?? observedNs(netns)?.node;
    return node !== undefined && node !== '' ? node : netns;
  };
  const keptNodes = desired.nodes.filter((n) => isKept(n.netns));
  const keptNodeNames = new Set(keptNodes.map((n) => n.name));
  const removed = Object.keys(seen.namespaces)
    .filter((netns) => !nodeByNetns.has(netns))
    .sort();

  // 1. Processes of nodes that do not stay (removed, or whose namespace is gone and is made anew).
  const killsByNode = new Map<string, string[]>();
  const processes = [...seen.processes].sort((x, y) => (x.node < y.node ? -1 : x.node > y.node ? 1 : x.pid - y.pid));
  for (const p of processes) {
    if (keptNodeNames.has(p.node)) continue;
    pushTo(killsByNode, p.node, b.push({ op: 'proc.kill', id: `kill:${p.node}:${p.pid}`, after: [], node: p.node, pid: p.pid }));
  }

  // 2. Desired links that exist as they should: both ends, veths, each the other's peer.
  const findLink = (netns: string, ifname: string): ObservedLink | undefined => (isKept(netns) ? observedNs(netns)?.links.find((l) => l.ifname === ifname) : undefined);
  const keptLinks = new Set<ResolvedLink>();
  const claimed = new Set<string>();
  // Bridges of bridge nodes that exist are kept as they are.
  const keptBridges = new Set<string>();
  for (const node of desired.nodes) {
    if (node.bridge === undefined || findLink(node.netns, node.bridge)?.kind !== 'bridge') continue;
    keptBridges.add(node.netns);
    claimed.add(key(node.netns, node.bridge));
  }
  for (const link of desired.links) {
    const oa = findLink(link.a.netns, link.a.ifname);
    const ob = findLink(link.b.netns, link.b.ifname);
    if (oa?.kind === 'veth' && ob?.kind === 'veth' && peerIs(oa, link.b) && peerIs(ob, link.a)) {
      keptLinks.add(link);
      claimed.add(key(link.a.netns, link.a.ifname));
      claimed.add(key(link.b.netns, link.b.ifname));
    }
  }

  // 3. Every other link of ours in a namespace that stays goes: one veth.del per pair, named by both
  //    ends when both are known. `goneBy` says which op removes an interface.
  const goneBy = new Map<string, string>();
  const vethDelsInto = new Map<string, string[]>();
  const removedSet = new Set(removed);
  const goneInNs = new Map<string, { ifname: string; link: ObservedLink; by: string }[]>();
  for (const netns of keptNodes.map((n) => n.netns).sort()) {
    const links = [...(observedNs(netns)?.links ?? [])].sort((x, y) => (x.ifname < y.ifname ? -1 : x.ifname > y.ifname ? 1 : 0));
    for (const link of links) {
      const k = key(netns, link.ifname);
      if (claimed.has(k) || goneBy.has(k)) continue;
      const peer = link.peer;
      const intoRemoved = peer !== undefined && removedSet.has(peer.netns);
      const peerKey = peer !== undefined && findLink(peer.netns, peer.ifname) !== undefined ? key(peer.netns, peer.ifname) : undefined;
      const pairPeer = intoRemoved || (peerKey !== undefined && !claimed.has(peerKey) && !goneBy.has(peerKey)) ? peer : undefined;
      const name = `${label(netns)}:${link.ifname}${pairPeer !== undefined ? `--${label(pairPeer.netns)}:${pairPeer.ifname}` : ''}`;
      const id = b.push({ op: 'veth.del', id: `del-veth:${name}`, after: [], link: name, a: { node: label(netns), netns, ifname: link.ifname } });
      goneBy.set(k, id);
      if (pairPeer !== undefined) goneBy.set(key(pairPeer.netns, pairPeer.ifname), id);
      if (intoRemoved && peer !== undefined) pushTo(vethDelsInto, peer.netns, id);
    }
  }

  // 4. Namespaces no longer wanted, after their processes end and their cables to staying namespaces
  //    are cut. A namespace is destroyed asynchronously after `ip netns del`: the far end of a veth would
  //    linger in the staying namespace for a while (and hold its name), so those cables are deleted
  //    explicitly first. Everything else inside goes with the namespace.
  for (const netns of removed) {
    const node = observedNs(netns)?.node ?? '';
    const after = [...(killsByNode.get(node) ?? []), ...(vethDelsInto.get(netns) ?? [])];
    b.push({ op: 'netns.del', id: `del-netns:${label(netns)}`, after, netns, node });
  }
  for (const netns of keptNodes.map((n) => n.netns)) {
    for (const link of observedNs(netns)?.links ?? []) {
      const by = goneBy.get(key(netns, link.ifname));
      if (by !== undefined) pushTo(goneInNs, netns, { ifname: link.ifname, link, by });
    }
  }

  // 5. Addresses on links that stay and are no longer wanted. Two IPv4 rules of the kernel shape this:
  //    deleting a primary address deletes the secondaries of its subnet (so a wanted secondary beside an
  //    unwanted address is deleted and added again), and a device that loses its last IPv4 address loses
  //    every IPv4 route through it (so those routes are deleted first and added again afterwards).
  const addrDrops = new Map<string, Cidr[]>();
  const losesV4 = new Set<string>();
  for (const link of desired.links) {
    if (!keptLinks.has(link)) continue;
    for (const end of [link.a, link.b]) {
      const have = findLink(end.netns, end.ifname)?.addresses ?? [];
      const want = new Set(end.addresses.map(cidrText));
      // The kernel gives every IPv6 interface a link-local address; it is not ours to remove.
      const unwanted = have.filter((c) => !want.has(cidrText(c)) && !(c.family === 6 && isLinkLocal6(c.address)));
      const drops = have.filter((c) => unwanted.includes(c) || (c.family === 4 && unwanted.some((u) => u.family === 4 && sameSubnet(u, c))));
      if (drops.length === 0) continue;
      addrDrops.set(key(end.netns, end.ifname), drops);
      if (drops.some((c) => c.family === 4)) losesV4.add(key(end.netns, end.ifname));
    }
  }

  // 6. Routes of ours no longer wanted. Routes through a device that goes are taken along with it;
  //    IPv4 routes through a device whose IPv4 addresses change are made again.
  const routeDels = new Map<string, string[]>();
  const routeDelsByDev = new Map<string, string[]>();
  const missingRoutes = new Map<string, ResolvedRoute[]>();
  for (const node of keptNodes) {
    const gone = new Set((goneInNs.get(node.netns) ?? []).map((g) => g.ifname));
    const have = (observedNs(node.netns)?.routes ?? []).filter((r) => r.dev === undefined || !gone.has(r.dev));
    const remade = (r: ResolvedRoute): boolean => r.family === 4 && r.dev !== undefined && losesV4.has(key(node.netns, r.dev));
    const matched = new Set<number>();
    const missing: ResolvedRoute[] = [];
    for (const route of node.routes) {
      const i = have.findIndex((o, j) => !matched.has(j) && !remade(o) && sameRoute(route, o));
      if (i < 0) missing.push(route);
      else matched.add(i);
    }
    missingRoutes.set(node.netns, missing);
    have.forEach((route, j) => {
      if (matched.has(j)) return;
      const id = b.push({ op: 'route.del', id: `del-route:${node.name}:${routeIdPart(route)}`, after: [], netns: node.netns, route: copyRoute(route) });
      pushTo(routeDels, node.netns, id);
      if (route.dev !== undefined) pushTo(routeDelsByDev, key(node.netns, route.dev), id);
    });
  }

  // The address deletions: IPv4 ones on a device one after the other, newest first (the kernel lists
  // secondaries after their primary), so each finds its address; all after the device's route.dels.
  const addrDels: { netns: string; ifname: string; address: string; id: string }[] = [];
  for (const link of desired.links) {
    if (!keptLinks.has(link)) continue;
    for (const end of [link.a, link.b]) {
      const drops = addrDrops.get(key(end.netns, end.ifname)) ?? [];
      const ordered = [...drops.filter((c) => c.family === 4).reverse(), ...drops.filter((c) => c.family === 6)];
      let previous: string | undefined;
      for (const cidr of ordered) {
        const after = [...(routeDelsByDev.get(key(end.netns, end.ifname)) ?? []), ...(cidr.family === 4 && previous !== undefined ? [previous] : [])];
        const id = b.push({ op: 'addr.del', id: `del-addr:${end.node}:${end.ifname}:${cidrText(cidr)}`, after, netns: end.netns, ifname: end.ifname, cidr: { ...cidr } });
        if (cidr.family === 4) previous = id;
        addrDels.push({ netns: end.netns, ifname: end.ifname, address: canonicalIp(cidr.address), id });
      }
    }
  }

  // 7. Namespaces to make (the engine marks each and brings its lo up in the same op).
  const netnsAddId = new Map<string, string>();
  for (const node of desired.nodes) {
    if (isKept(node.netns)) continue;
    netnsAddId.set(node.netns, b.push({ op: 'netns.add', id: `netns:${node.name}`, after: [], netns: node.netns, node: node.name }));
  }
  const afterNetns = (netns: string): string[] => {
    const id = netnsAddId.get(netns);
    return id !== undefined ? [id] : [];
  };

  // 8. Sysctls: forwarding on routers (a node without it is left as the kernel made its namespace), and
  //    in a lab with IPv6 no duplicate address detection anywhere, before any device is made there.
  const usesIpv6 = desired.links.some((l) => l.a.addresses.some((c) => c.family === 6) || l.b.addresses.some((c) => c.family === 6)) || desired.nodes.some((n) => n.routes.some((r) => r.family === 6));
  const noDadIds = new Map<string, string[]>();
  for (const node of desired.nodes) {
    const values = isKept(node.netns) ? observedNs(node.netns)?.sysctls : undefined;
    const wanted: (readonly [string, string])[] = [...(node.forwarding ? FORWARDING_SYSCTLS.map((k) => [k, '1'] as const) : []), ...(usesIpv6 ? NO_DAD_SYSCTLS.map((k) => [k, '0'] as const) : [])];
    for (const [k, value] of wanted) {
      if (values?.[k]?.trim() === value) continue;
      const id = b.push({ op: 'sysctl.set', id: `sysctl:${node.name}:${k}`, after: afterNetns(node.netns), netns: node.netns, key: k, value });
      if (value === '0') pushTo(noDadIds, node.netns, id);
    }
  }
  /** What a device made in the namespace waits for: the namespace, and its DAD setting (inherited at creation). */
  const afterReady = (netns: string): string[] => [...afterNetns(netns), ...(noDadIds.get(netns) ?? [])];

  // 8b. Bridges of bridge nodes (LAN segments), in their own namespace.
  const bridgeOf = new Map<string, { name: string; id?: string }>();
  for (const node of desired.nodes) {
    if (node.bridge === undefined) continue;
    if (keptBridges.has(node.netns)) {
      bridgeOf.set(node.netns, { name: node.bridge });
      continue;
    }
    const after = [...afterReady(node.netns), ...(goneBy.has(key(node.netns, node.bridge)) ? [goneBy.get(key(node.netns, node.bridge)) as string] : [])];
    bridgeOf.set(node.netns, { name: node.bridge, id: b.push({ op: 'bridge.add', id: `bridge:${node.name}`, after, netns: node.netns, node: node.name, name: node.bridge }) });
  }

  // 9. Cables to make, each after its namespaces exist and whatever holds its names is gone.
  const vethAddId = new Map<ResolvedLink, string>();
  for (const link of desired.links) {
    if (keptLinks.has(link)) continue;
    const after = [...afterReady(link.a.netns), ...afterReady(link.b.netns)];
    for (const end of [link.a, link.b]) {
      const by = goneBy.get(key(end.netns, end.ifname));
      if (by !== undefined) after.push(by);
    }
    const id = b.push({ op: 'veth.add', id: `veth:${link.id}`, after, link: link.id, a: endRef(link.a), b: endRef(link.b), ...(link.mtu !== undefined ? { mtu: link.mtu } : {}) });
    vethAddId.set(link, id);
  }

  // 10. Addresses, after their device, after the address leaves any other place in the namespace, and
  //     after every deletion on the same device (an IPv4 address added beside a primary that is then
  //     deleted would be deleted with it, as its secondary).
  const nsOps = new Map<string, string[]>();
  const collisions = (netns: string, ifname: string, cidr: Cidr): string[] => {
    const address = canonicalIp(cidr.address);
    const ids = addrDels.filter((d) => d.netns === netns && (d.address === address || d.ifname === ifname)).map((d) => d.id);
    for (const g of goneInNs.get(netns) ?? []) if (g.link.addresses.some((a) => canonicalIp(a.address) === address)) ids.push(g.by);
    return ids;
  };
  for (const link of desired.links) {
    const made = vethAddId.get(link);
    for (const end of [link.a, link.b]) {
      const dropped = new Set((addrDrops.get(key(end.netns, end.ifname)) ?? []).map(cidrText));
      const have = made === undefined ? new Set((findLink(end.netns, end.ifname)?.addresses ?? []).map(cidrText).filter((c) => !dropped.has(c))) : new Set<string>();
      for (const cidr of end.addresses) {
        if (have.has(cidrText(cidr))) continue;
        const after = [...(made !== undefined ? [made] : []), ...collisions(end.netns, end.ifname, cidr)];
        pushTo(nsOps, end.netns, b.push({ op: 'addr.add', id: `addr:${end.node}:${end.ifname}:${cidrText(cidr)}`, after, netns: end.netns, ifname: end.ifname, cidr: { ...cidr } }));
      }
    }
  }

  // 11. Links up, ports on their bridge, the MTU right (a new veth gets the link's MTU when it is made;
  //     an end's own MTU is set here), and the shaping of each end's egress.
  for (const link of desired.links) {
    const made = vethAddId.get(link);
    for (const end of [link.a, link.b]) {
      const bridge = end.bridgePort === true ? bridgeOf.get(end.netns) : undefined;
      const wantMtu = end.mtu ?? link.mtu;
      const have = made === undefined ? findLink(end.netns, end.ifname) : undefined;
      if (made === undefined && have === undefined) continue;
      const up = made !== undefined || have?.up === false;
      const mtu = wantMtu !== undefined && (made !== undefined ? end.mtu !== undefined && end.mtu !== link.mtu : have?.mtu !== wantMtu) ? wantMtu : undefined;
      const master = bridge !== undefined && (made !== undefined || have?.master !== bridge.name) ? bridge.name : undefined;
      if (up || mtu !== undefined || master !== undefined) {
        const id = `${up ? 'up' : master !== undefined ? 'port' : 'mtu'}:${end.node}:${end.ifname}`;
        const after = [...(made !== undefined ? [made] : []), ...(master !== undefined && bridge?.id !== undefined ? [bridge.id] : [])];
        pushTo(nsOps, end.netns, b.push({ op: 'link.set', id, after, netns: end.netns, ifname: end.ifname, ...(up ? { up: true } : {}), ...(mtu !== undefined ? { mtu } : {}), ...(master !== undefined ? { master } : {}) }));
      }
      const want = end.shaping;
      if (want !== undefined && (made !== undefined || !sameShaping(want, have?.shaping))) {
        pushTo(nsOps, end.netns, b.push({ op: 'qdisc.set', id: `qdisc:${end.node}:${end.ifname}`, after: made !== undefined ? [made] : [], netns: end.netns, ifname: end.ifname, shaping: { ...want } }));
      } else if (want === undefined && have?.shaping !== undefined) {
        pushTo(nsOps, end.netns, b.push({ op: 'qdisc.del', id: `del-qdisc:${end.node}:${end.ifname}`, after: [], netns: end.netns, ifname: end.ifname }));
      }
    }
  }

  // 12. Routes, after everything that shapes their namespace's addresses and devices.
  for (const node of desired.nodes) {
    const routes = isKept(node.netns) ? (missingRoutes.get(node.netns) ?? []) : node.routes;
    if (routes.length === 0) continue;
    const after = [
      ...(nsOps.get(node.netns) ?? []),
      ...(routeDels.get(node.netns) ?? []),
      ...addrDels.filter((d) => d.netns === node.netns).map((d) => d.id),
      ...(goneInNs.get(node.netns) ?? []).map((g) => g.by),
    ];
    if (after.length === 0) after.push(...afterNetns(node.netns));
    for (const route of routes) b.push({ op: 'route.add', id: `route:${node.name}:${routeIdPart(route)}`, after, netns: node.netns, route: copyRoute(route) });
  }

  // 13. Exec entries of new nodes, in file order per node, once the whole network is in shape.
  const everything = b.sinks();
  for (const node of desired.nodes) {
    if (isKept(node.netns)) continue;
    let previous: string | undefined;
    node.exec.forEach((entry, i) => {
      previous = b.push({ op: 'exec', id: `exec:${node.name}:${i}`, after: previous !== undefined ? [previous] : everything, netns: node.netns, node: node.name, entry: { ...entry } });
    });
  }

  return b.build();
}
