/**
 * The planner: the desired lab and what exists of it now -> the operations that make the one into the
 * other, with their dependencies. Pure (no I/O): the same inputs always give the same plan, ids and order
 * included, and a plan made against the state a previous plan produced is empty.
 *
 * The plan is laid out removals first, then additions, kind by kind:
 *   proc.kill, veth.del, netns.del, route.del, addr.del,
 *   netns.add, sysctl.set, bridge.add, veth.add, addr.add, link.set, qdisc.set, route.add, exec
 * and every op waits only for what it needs (`after`), so the engine runs unrelated work together and
 * starts each op once its own dependencies allow; what one namespace's socket can send in order behind its
 * dependency goes with it (see ridesLane). In waves (levels()), the tutorial is
 * netns | veth + red's address | green's address + both ends up | routes | exec.
 */
import type { Cidr, ExecEntry, ResolvedEndpoint, ResolvedLab, ResolvedLink, ResolvedNode, ResolvedRoute, Shaping } from '../topology/types.js';
import { PlanBuilder } from './builder.js';
import { FORWARDING_SYSCTLS, NO_DAD_SYSCTLS } from './sysctls.js';
import { canonicalIp, cidrText, isLinkLocal6, sameSubnet } from './ip.js';
import { routeIdPart, sameRoute } from './route.js';
import type { EndRef, ObservedLab, ObservedLink, ObservedNamespace, Op, Plan } from './types.js';

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
 */
export function plan(desired: ResolvedLab, observed: ObservedLab | null): Plan {
  // The planner runs once per process, before the JIT has warmed up. There, `for...of` and destructuring
  // allocate per element, and spreads, callbacks and key strings add up: the loops over every node and
  // link are index loops, and lists are built by pushing onto them.
  const seen = observed ?? EMPTY;
  const b = new PlanBuilder(desired.name);
  const nodes = desired.nodes;
  const links = desired.links;

  const nodeByNetns = new Map<string, ResolvedNode>();
  for (let i = 0; i < nodes.length; i++) nodeByNetns.set((nodes[i] as ResolvedNode).netns, nodes[i] as ResolvedNode);
  const observedNs = (netns: string): ObservedNamespace | undefined => (Object.hasOwn(seen.namespaces, netns) ? seen.namespaces[netns] : undefined);
  const keptNetns = new Set<string>();
  if (observed !== null) for (const netns of nodeByNetns.keys()) if (observedNs(netns) !== undefined) keptNetns.add(netns);
  /** True for a namespace of a desired node that exists already. */
  const isKept = (netns: string): boolean => keptNetns.has(netns);
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
  const findLink = (netns: string, ifname: string): ObservedLink | undefined =>
    isKept(netns) ? observedNs(netns)?.links.find((l) => l.ifname === ifname) : undefined;
  const keptLinks = new Set<ResolvedLink>();
  /** keptLinks in link order. */
  const keptLinkList: ResolvedLink[] = [];
  const claimed = new Set<string>();
  // Bridges of bridge nodes that exist are kept as they are.
  const keptBridges = new Set<string>();
  for (let i = 0; i < nodes.length; i++) {
    const node = nodes[i] as ResolvedNode;
    if (node.bridge === undefined || findLink(node.netns, node.bridge)?.kind !== 'bridge') continue;
    keptBridges.add(node.netns);
    claimed.add(key(node.netns, node.bridge));
  }
  for (let i = 0; i < links.length; i++) {
    const link = links[i] as ResolvedLink;
    const oa = findLink(link.a.netns, link.a.ifname);
    const ob = findLink(link.b.netns, link.b.ifname);
    if (oa?.kind === 'veth' && ob?.kind === 'veth' && peerIs(oa, link.b) && peerIs(ob, link.a)) {
      keptLinks.add(link);
      keptLinkList.push(link);
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
  for (const link of keptLinkList) {
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
  const addrDelsIn = new Map<string, { ifname: string; address: string; id: string }[]>();
  for (const link of keptLinkList) {
    for (const end of [link.a, link.b]) {
      const drops = addrDrops.get(key(end.netns, end.ifname)) ?? [];
      const ordered = [...drops.filter((c) => c.family === 4).reverse(), ...drops.filter((c) => c.family === 6)];
      let previous: string | undefined;
      for (const cidr of ordered) {
        const after = [...(routeDelsByDev.get(key(end.netns, end.ifname)) ?? []), ...(cidr.family === 4 && previous !== undefined ? [previous] : [])];
        const id = b.push({
          op: 'addr.del',
          id: `del-addr:${end.node}:${end.ifname}:${cidrText(cidr)}`,
          after,
          netns: end.netns,
          ifname: end.ifname,
          cidr: { ...cidr },
        });
        if (cidr.family === 4) previous = id;
        pushTo(addrDelsIn, end.netns, { ifname: end.ifname, address: canonicalIp(cidr.address), id });
      }
    }
  }

  // 7. Namespaces to make (the engine marks each and brings its lo up in the same op).
  const netnsAddId = new Map<string, string>();
  for (let i = 0; i < nodes.length; i++) {
    const node = nodes[i] as ResolvedNode;
    if (isKept(node.netns)) continue;
    netnsAddId.set(node.netns, b.push({ op: 'netns.add', id: `netns:${node.name}`, after: [], netns: node.netns, node: node.name }));
  }
  /** Adds to `after` what waits for the namespace: its netns.add, when this plan makes it. */
  const afterNetns = (after: string[], netns: string): void => {
    const id = netnsAddId.get(netns);
    if (id !== undefined) after.push(id);
  };

  // 8. Sysctls: forwarding on routers (a node without it is left as the kernel made its namespace), and
  //    in a lab with IPv6 no duplicate address detection anywhere, before any device is made there.
  const usesIpv6 = labUsesIpv6(desired);
  const noDadIds = new Map<string, string[]>();
  const setSysctl = (node: ResolvedNode, k: string, value: string): void => {
    const values = isKept(node.netns) ? observedNs(node.netns)?.sysctls : undefined;
    if (values?.[k]?.trim() === value) return;
    const after: string[] = [];
    afterNetns(after, node.netns);
    const id = b.push({ op: 'sysctl.set', id: `sysctl:${node.name}:${k}`, after, netns: node.netns, key: k, value });
    if (value === '0') pushTo(noDadIds, node.netns, id);
  };
  for (let i = 0; i < nodes.length; i++) {
    const node = nodes[i] as ResolvedNode;
    if (node.forwarding) for (const k of FORWARDING_SYSCTLS) setSysctl(node, k, '1');
    if (usesIpv6) for (const k of NO_DAD_SYSCTLS) setSysctl(node, k, '0');
  }
  /** Adds to `after` what a device made in the namespace waits for: the namespace, and its DAD setting (inherited at creation). */
  const afterReady = (after: string[], netns: string): void => {
    afterNetns(after, netns);
    const ids = noDadIds.get(netns);
    if (ids !== undefined) for (const id of ids) after.push(id);
  };
  /** Adds to `after` the op that removes what holds the interface name now, if any. */
  const afterGone = (after: string[], netns: string, ifname: string): void => {
    if (goneBy.size === 0) return; // nothing goes: spare building the key
    const by = goneBy.get(key(netns, ifname));
    if (by !== undefined) after.push(by);
  };

  // 8b. Bridges of bridge nodes (LAN segments), in their own namespace.
  const bridgeOf = new Map<string, { name: string; id?: string }>();
  for (let i = 0; i < nodes.length; i++) {
    const node = nodes[i] as ResolvedNode;
    if (node.bridge === undefined) continue;
    if (keptBridges.has(node.netns)) {
      bridgeOf.set(node.netns, { name: node.bridge });
      continue;
    }
    const after: string[] = [];
    afterReady(after, node.netns);
    afterGone(after, node.netns, node.bridge);
    bridgeOf.set(node.netns, {
      name: node.bridge,
      id: b.push({ op: 'bridge.add', id: `bridge:${node.name}`, after, netns: node.netns, node: node.name, name: node.bridge }),
    });
  }

  // 9. Cables to make, each after its namespaces exist and whatever holds its names is gone.
  const vethAddId = new Map<ResolvedLink, string>();
  for (let i = 0; i < links.length; i++) {
    const link = links[i] as ResolvedLink;
    if (keptLinks.has(link)) continue;
    const after: string[] = [];
    afterReady(after, link.a.netns);
    afterReady(after, link.b.netns);
    afterGone(after, link.a.netns, link.a.ifname);
    afterGone(after, link.b.netns, link.b.ifname);
    const op: Op = { op: 'veth.add', id: `veth:${link.id}`, after, link: link.id, a: endRef(link.a), b: endRef(link.b) };
    if (link.mtu !== undefined) op.mtu = link.mtu;
    vethAddId.set(link, b.push(op));
  }

  // The routes each namespace gets (step 12), and what they wait for: the ops of steps 10 and 11 that
  // shape its addresses and devices, noted only for the namespaces that get routes.
  const routesToAdd = new Map<string, ResolvedRoute[]>();
  for (let i = 0; i < nodes.length; i++) {
    const node = nodes[i] as ResolvedNode;
    const routes = isKept(node.netns) ? (missingRoutes.get(node.netns) ?? []) : node.routes;
    if (routes.length > 0) routesToAdd.set(node.netns, routes);
  }
  const nsOps = new Map<string, string[]>();
  const shapesNs = (netns: string, id: string): void => {
    if (routesToAdd.has(netns)) pushTo(nsOps, netns, id);
  };

  // 10. Addresses, after their device, after the address leaves any other place in the namespace, and
  //     after every deletion on the same device (an IPv4 address added beside a primary that is then
  //     deleted would be deleted with it, as its secondary).
  /** Adds to `after` the deletions `cidr` collides with in the namespace (none where nothing is deleted). */
  const afterCollisions = (after: string[], netns: string, ifname: string, cidr: Cidr): void => {
    const dels = addrDelsIn.get(netns);
    const gone = goneInNs.get(netns);
    if (dels === undefined && gone === undefined) return;
    const address = canonicalIp(cidr.address);
    for (const d of dels ?? []) if (d.address === address || d.ifname === ifname) after.push(d.id);
    for (const g of gone ?? []) if (g.link.addresses.some((a) => canonicalIp(a.address) === address)) after.push(g.by);
  };
  const addAddresses = (end: ResolvedEndpoint, made: string | undefined): void => {
    // The addresses a kept device has and keeps (a device this plan makes has none).
    let have: Set<string> | undefined;
    if (made === undefined) {
      const dropped = new Set((addrDrops.get(key(end.netns, end.ifname)) ?? []).map(cidrText));
      have = new Set((findLink(end.netns, end.ifname)?.addresses ?? []).map(cidrText).filter((c) => !dropped.has(c)));
    }
    for (let i = 0; i < end.addresses.length; i++) {
      const cidr = end.addresses[i] as Cidr;
      const text = cidrText(cidr);
      if (have?.has(text) === true) continue;
      const after = made !== undefined ? [made] : [];
      afterCollisions(after, end.netns, end.ifname, cidr);
      shapesNs(
        end.netns,
        b.push({ op: 'addr.add', id: `addr:${end.node}:${end.ifname}:${text}`, after, netns: end.netns, ifname: end.ifname, cidr: { ...cidr } }),
      );
    }
  };
  for (let i = 0; i < links.length; i++) {
    const link = links[i] as ResolvedLink;
    const made = vethAddId.get(link);
    addAddresses(link.a, made);
    addAddresses(link.b, made);
  }

  // 11. Links up, ports on their bridge, the MTU right (a new veth gets the link's MTU when it is made;
  //     an end's own MTU is set here), and the shaping of each end's egress.
  const setLink = (link: ResolvedLink, end: ResolvedEndpoint, made: string | undefined): void => {
    const bridge = end.bridgePort === true ? bridgeOf.get(end.netns) : undefined;
    const wantMtu = end.mtu ?? link.mtu;
    const have = made === undefined ? findLink(end.netns, end.ifname) : undefined;
    if (made === undefined && have === undefined) return;
    const up = made !== undefined || have?.up === false;
    const mtu = wantMtu !== undefined && (made !== undefined ? end.mtu !== undefined && end.mtu !== link.mtu : have?.mtu !== wantMtu) ? wantMtu : undefined;
    const master = bridge !== undefined && (made !== undefined || have?.master !== bridge.name) ? bridge.name : undefined;
    if (up || mtu !== undefined || master !== undefined) {
      const id = `${up ? 'up' : master !== undefined ? 'port' : 'mtu'}:${end.node}:${end.ifname}`;
      const after = made !== undefined ? [made] : [];
      if (master !== undefined && bridge?.id !== undefined) after.push(bridge.id);
      const op: Op = { op: 'link.set', id, after, netns: end.netns, ifname: end.ifname };
      if (up) op.up = true;
      if (mtu !== undefined) op.mtu = mtu;
      if (master !== undefined) op.master = master;
      shapesNs(end.netns, b.push(op));
    }
    const want = end.shaping;
    if (want !== undefined && (made !== undefined || !sameShaping(want, have?.shaping))) {
      shapesNs(
        end.netns,
        b.push({
          op: 'qdisc.set',
          id: `qdisc:${end.node}:${end.ifname}`,
          after: made !== undefined ? [made] : [],
          netns: end.netns,
          ifname: end.ifname,
          shaping: { ...want },
        }),
      );
    } else if (want === undefined && have?.shaping !== undefined) {
      shapesNs(end.netns, b.push({ op: 'qdisc.del', id: `del-qdisc:${end.node}:${end.ifname}`, after: [], netns: end.netns, ifname: end.ifname }));
    }
  };
  for (let i = 0; i < links.length; i++) {
    const link = links[i] as ResolvedLink;
    const made = vethAddId.get(link);
    setLink(link, link.a, made);
    setLink(link, link.b, made);
  }

  // 12. Routes, after everything that shapes their namespace's addresses and devices.
  for (let i = 0; i < nodes.length; i++) {
    const node = nodes[i] as ResolvedNode;
    const routes = routesToAdd.get(node.netns);
    if (routes === undefined) continue;
    const after: string[] = [];
    for (const id of nsOps.get(node.netns) ?? []) after.push(id);
    for (const id of routeDels.get(node.netns) ?? []) after.push(id);
    for (const d of addrDelsIn.get(node.netns) ?? []) after.push(d.id);
    for (const g of goneInNs.get(node.netns) ?? []) after.push(g.by);
    if (after.length === 0) afterNetns(after, node.netns);
    for (const route of routes) b.push({ op: 'route.add', id: `route:${node.name}:${routeIdPart(route)}`, after, netns: node.netns, route: copyRoute(route) });
  }

  // 13. Exec entries of new nodes, in file order per node, once the whole network is in shape (what the
  //     plan so far ends in, asked for only when a node has exec entries, and before any is added).
  let everything: string[] | undefined;
  for (let i = 0; i < nodes.length; i++) {
    const node = nodes[i] as ResolvedNode;
    if (isKept(node.netns) || node.exec.length === 0) continue;
    let after = (everything ??= b.sinks());
    for (let n = 0; n < node.exec.length; n++) {
      const entry = node.exec[n] as ExecEntry;
      after = [b.push({ op: 'exec', id: `exec:${node.name}:${n}`, after, netns: node.netns, node: node.name, entry: { ...entry } })];
    }
  }

  return b.build();
}
