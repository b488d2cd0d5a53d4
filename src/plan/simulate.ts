/**
 * A pure model of what a plan does to the kernel: applies ops to an ObservedLab and returns the state the
 * engine would observe afterwards. It refuses what the kernel refuses (a name taken, a device missing or
 * down, a gateway off every connected subnet) and an op that runs before something it waits for, so it
 * checks a plan as well as predicting its result (`--dry-run`, and the planner's own tests).
 */
import type { Cidr, ResolvedRoute } from '../topology/types.js';
import { cidrText, inSubnet, isLinkLocal6, sameSubnet } from './ip.js';
import { FORWARDING_SYSCTLS, NO_DAD_SYSCTLS } from './plan.js';

/** The planned sysctls as the kernel sets them in a new namespace: no forwarding, DAD on for new devices. */
const NEW_NAMESPACE_SYSCTLS: Readonly<Record<string, string>> = {
  ...Object.fromEntries(FORWARDING_SYSCTLS.map((k) => [k, '0'])),
  [NO_DAD_SYSCTLS[0]]: '1',
  [NO_DAD_SYSCTLS[1]]: '0',
};
import { destinationText, effectiveMetric, sameRoute } from './route.js';
import type { ObservedLab, ObservedLink, ObservedNamespace, Op, Plan } from './types.js';

/** The MTU a veth gets when none is asked for. */
const DEFAULT_MTU = 1500;

function fail(op: Op, what: string): never {
  throw new Error(`simulate: ${op.id}: ${what}`);
}

/** An IPv4 address is a secondary when an address of its subnet comes before it. */
function isSecondary(addresses: Cidr[], i: number): boolean {
  const c = addresses[i];
  return c !== undefined && c.family === 4 && addresses.slice(0, i).some((p) => sameSubnet(p, c));
}

/** Removes a device and the routes through it (as the kernel does when a device goes). */
function dropLink(ns: ObservedNamespace, ifname: string): void {
  ns.links = ns.links.filter((l) => l.ifname !== ifname);
  ns.routes = ns.routes.filter((r) => r.dev !== ifname);
}

/**
 * Applies `plan` to `observed` (null: nothing exists) and returns the new state; the input is not changed.
 * Throws a plain Error naming the op when the plan could not run as written.
 */
export function simulate(plan: Plan, observed: ObservedLab | null): ObservedLab {
  const lab: ObservedLab = observed === null ? { namespaces: {}, processes: [] } : structuredClone(observed);
  let nextPid = Math.max(1000, ...lab.processes.map((p) => p.pid)) + 1;
  const done = new Set<string>();

  const nsOf = (op: Op, netns: string): ObservedNamespace => {
    const ns = Object.hasOwn(lab.namespaces, netns) ? lab.namespaces[netns] : undefined;
    return ns ?? fail(op, `no namespace ${netns} (ENOENT)`);
  };
  const linkOf = (op: Op, netns: string, ifname: string): ObservedLink =>
    nsOf(op, netns).links.find((l) => l.ifname === ifname) ?? fail(op, `no device ${ifname} in ${netns} (ENODEV)`);

  for (const op of plan.ops) {
    for (const dep of op.after) if (!done.has(dep)) fail(op, `runs before ${dep}, which it waits for`);
    if (done.has(op.id)) fail(op, 'a second op with this id');
    switch (op.op) {
      case 'netns.add': {
        if (Object.hasOwn(lab.namespaces, op.netns)) fail(op, `namespace ${op.netns} exists (EEXIST)`);
        lab.namespaces[op.netns] = { node: op.node, links: [], routes: [], sysctls: { ...NEW_NAMESPACE_SYSCTLS } };
        break;
      }
      case 'netns.del': {
        const ns = nsOf(op, op.netns);
        for (const link of ns.links) {
          const far = link.peer !== undefined && Object.hasOwn(lab.namespaces, link.peer.netns) ? lab.namespaces[link.peer.netns] : undefined;
          if (far !== undefined && link.peer !== undefined) dropLink(far, link.peer.ifname);
        }
        delete lab.namespaces[op.netns];
        break;
      }
      case 'sysctl.set':
        nsOf(op, op.netns).sysctls[op.key] = op.value;
        break;
      case 'veth.add': {
        const a = nsOf(op, op.a.netns);
        const b = nsOf(op, op.b.netns);
        if (a.links.some((l) => l.ifname === op.a.ifname)) fail(op, `${op.a.ifname} exists in ${op.a.netns} (EEXIST)`);
        if (b.links.some((l) => l.ifname === op.b.ifname)) fail(op, `${op.b.ifname} exists in ${op.b.netns} (EEXIST)`);
        if (op.a.netns === op.b.netns && op.a.ifname === op.b.ifname) fail(op, 'both ends have one name (EEXIST)');
        const mtu = op.mtu ?? DEFAULT_MTU;
        a.links.push({ ifname: op.a.ifname, kind: 'veth', up: false, mtu, addresses: [], peer: { netns: op.b.netns, ifname: op.b.ifname } });
        b.links.push({ ifname: op.b.ifname, kind: 'veth', up: false, mtu, addresses: [], peer: { netns: op.a.netns, ifname: op.a.ifname } });
        break;
      }
      case 'veth.del': {
        const ns = nsOf(op, op.a.netns);
        const link = linkOf(op, op.a.netns, op.a.ifname);
        dropLink(ns, op.a.ifname);
        const far = link.peer !== undefined && Object.hasOwn(lab.namespaces, link.peer.netns) ? lab.namespaces[link.peer.netns] : undefined;
        if (far !== undefined && link.peer !== undefined) dropLink(far, link.peer.ifname);
        break;
      }
      case 'addr.add': {
        const link = linkOf(op, op.netns, op.ifname);
        if (link.addresses.some((c) => cidrText(c) === cidrText(op.cidr))) fail(op, `${cidrText(op.cidr)} is on ${op.ifname} already (EEXIST)`);
        // IPv4: an address in the subnet of one already there is a secondary, listed after every primary.
        const secondary = op.cidr.family === 4 && link.addresses.some((c) => sameSubnet(c, op.cidr));
        const firstSecondary = link.addresses.findIndex((c, i) => isSecondary(link.addresses, i));
        const at = secondary || firstSecondary < 0 ? link.addresses.length : firstSecondary;
        link.addresses.splice(at, 0, { ...op.cidr });
        break;
      }
      case 'addr.del': {
        const link = linkOf(op, op.netns, op.ifname);
        const i = link.addresses.findIndex((c) => cidrText(c) === cidrText(op.cidr));
        if (i < 0) fail(op, `${cidrText(op.cidr)} is not on ${op.ifname} (EADDRNOTAVAIL)`);
        const primary = op.cidr.family === 4 && !isSecondary(link.addresses, i);
        // Deleting an IPv4 primary deletes its secondaries (promote_secondaries off).
        link.addresses = link.addresses.filter((c, j) => j !== i && !(primary && j > i && sameSubnet(c, op.cidr)));
        // A device without IPv4 addresses has no IPv4 routes.
        if (op.cidr.family === 4 && !link.addresses.some((c) => c.family === 4)) {
          const ns = nsOf(op, op.netns);
          ns.routes = ns.routes.filter((r) => r.family === 6 || r.dev !== op.ifname);
        }
        break;
      }
      case 'bridge.add': {
        const ns = nsOf(op, op.netns);
        if (ns.links.some((l) => l.ifname === op.name)) fail(op, `${op.name} exists in ${op.netns} (EEXIST)`);
        ns.links.push({ ifname: op.name, kind: 'bridge', up: true, mtu: DEFAULT_MTU, addresses: [] });
        break;
      }
      case 'qdisc.set':
        linkOf(op, op.netns, op.ifname).shaping = { ...op.shaping };
        break;
      case 'qdisc.del':
        delete linkOf(op, op.netns, op.ifname).shaping;
        break;
      case 'link.set': {
        const link = linkOf(op, op.netns, op.ifname);
        if (op.master !== undefined) {
          if (linkOf(op, op.netns, op.master).kind !== 'bridge') fail(op, `${op.master} is not a bridge (EINVAL)`);
          link.master = op.master;
        }
        if (op.up !== undefined) link.up = op.up;
        if (op.mtu !== undefined) link.mtu = op.mtu;
        // IPv4 routes through a device that goes down are flushed.
        if (op.up === false) {
          const ns = nsOf(op, op.netns);
          ns.routes = ns.routes.filter((r) => r.family === 6 || r.dev !== op.ifname);
        }
        break;
      }
      case 'route.add': {
        const ns = nsOf(op, op.netns);
        ns.routes.push(addRoute(op, ns, op.route));
        break;
      }
      case 'route.del': {
        const ns = nsOf(op, op.netns);
        const i = ns.routes.findIndex((r) => sameRoute(op.route, r));
        if (i < 0) fail(op, `no route ${destinationText(op.route)} (ESRCH)`);
        ns.routes.splice(i, 1);
        break;
      }
      case 'exec':
        nsOf(op, op.netns);
        if (op.entry.background) lab.processes.push({ node: op.node, pid: nextPid++, run: op.entry.run });
        break;
      case 'proc.kill': {
        const i = lab.processes.findIndex((p) => p.pid === op.pid);
        if (i < 0) fail(op, `no process ${op.pid} (ESRCH)`);
        lab.processes.splice(i, 1);
        break;
      }
    }
    done.add(op.id);
  }
  return lab;
}

/** Checks a route the way the kernel does and returns it as the engine would read it back. */
function addRoute(op: Op, ns: ObservedNamespace, route: ResolvedRoute): ResolvedRoute {
  let dev = route.dev;
  if (dev !== undefined) {
    const link = ns.links.find((l) => l.ifname === dev) ?? fail(op, `no device ${dev} (ENODEV)`);
    if (!link.up) fail(op, `device ${dev} is down (ENETDOWN)`);
  }
  if (route.via !== undefined) {
    const via = route.via;
    const onLink = (l: ObservedLink): boolean => l.up && l.addresses.some((c) => inSubnet(c, via));
    const candidates = ns.links.filter((l) => (dev === undefined || l.ifname === dev) && onLink(l));
    const linkLocal = route.family === 6 && isLinkLocal6(via) && dev !== undefined;
    if (candidates.length === 0 && !linkLocal) fail(op, `gateway ${via} is on no connected subnet (ENETUNREACH)`);
    dev ??= candidates[0]?.ifname;
  }
  if (dev === undefined) fail(op, 'a route needs a device or a gateway (EINVAL)');
  const dest = destinationText(route);
  if (ns.routes.some((r) => r.family === route.family && destinationText(r) === dest && effectiveMetric(r) === effectiveMetric(route)))
    fail(op, `route ${dest} metric ${effectiveMetric(route)} exists (EEXIST)`);
  const metric = effectiveMetric(route);
  const defaultMetric = route.family === 6 ? 1024 : 0;
  return {
    family: route.family,
    to: route.to === 'default' ? 'default' : { ...route.to },
    ...(route.via !== undefined ? { via: route.via } : {}),
    dev,
    ...(metric !== defaultMetric ? { metric } : {}),
  };
}
