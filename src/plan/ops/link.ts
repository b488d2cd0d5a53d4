/** Devices: veth cables, bridges, and a device's state (up, MTU, the bridge it is a port of). */
import { shellArg } from '../shell-quote.js';
import { DEFAULT_MTU, dropLink, fail, farNamespace, type OpKindSpec } from './kind.js';

/** `ip -n NETNS` */
export function ipIn(netns: string): string {
  return `ip -n ${shellArg(netns)}`;
}

/** One veth pair, each end made straight in its own namespace. */
export const vethAdd: OpKindSpec<'veth.add'> = {
  describe: (op) => `veth ${op.a.netns}:${op.a.ifname} <-> ${op.b.netns}:${op.b.ifname}${op.mtu !== undefined ? ` mtu ${op.mtu}` : ''}`,
  explain(op) {
    const mtu = op.mtu !== undefined ? ` mtu ${op.mtu}` : '';
    const mac = (end: typeof op.a): string => (end.mac !== undefined ? ` address ${end.mac}` : '');
    return `ip link add ${shellArg(op.a.ifname)} netns ${shellArg(op.a.netns)}${mac(op.a)}${mtu} type veth peer name ${shellArg(op.b.ifname)} netns ${shellArg(op.b.netns)}${mac(op.b)}${mtu}`;
  },
  simulate(op, { nsOf }) {
    const a = nsOf(op, op.a.netns);
    const b = nsOf(op, op.b.netns);
    if (a.links.some((l) => l.ifname === op.a.ifname)) fail(op, `${op.a.ifname} exists in ${op.a.netns} (EEXIST)`);
    if (b.links.some((l) => l.ifname === op.b.ifname)) fail(op, `${op.b.ifname} exists in ${op.b.netns} (EEXIST)`);
    if (op.a.netns === op.b.netns && op.a.ifname === op.b.ifname) fail(op, 'both ends have one name (EEXIST)');
    const mtu = op.mtu ?? DEFAULT_MTU;
    a.links.push({ ifname: op.a.ifname, kind: 'veth', up: false, mtu, addresses: [], peer: { netns: op.b.netns, ifname: op.b.ifname } });
    b.links.push({ ifname: op.b.ifname, kind: 'veth', up: false, mtu, addresses: [], peer: { netns: op.a.netns, ifname: op.a.ifname } });
  },
  socket: (op) => op.a.netns,
  makes: (op) => [
    [op.a.netns, op.a.ifname],
    [op.b.netns, op.b.ifname],
  ],
  lane: (op) => op.a.netns,
};

/** Delete a veth pair of ours (deleting one end deletes both). */
export const vethDel: OpKindSpec<'veth.del'> = {
  describe: (op) => `delete veth ${op.a.netns}:${op.a.ifname}`,
  explain: (op) => `${ipIn(op.a.netns)} link del ${shellArg(op.a.ifname)}`,
  simulate(op, { lab, nsOf, linkOf }) {
    const ns = nsOf(op, op.a.netns);
    const link = linkOf(op, op.a.netns, op.a.ifname);
    dropLink(ns, op.a.ifname);
    const far = farNamespace(lab, link);
    if (far !== undefined && link.peer !== undefined) dropLink(far, link.peer.ifname);
  },
  socket: (op) => op.a.netns,
  lane: () => undefined,
};

/** A bridge (a LAN segment) in a bridge node's namespace, marked and up. */
export const bridgeAdd: OpKindSpec<'bridge.add'> = {
  describe: (op) => `bridge ${op.netns}:${op.name}`,
  explain: (op) => [`${ipIn(op.netns)} link add ${shellArg(op.name)} type bridge`, `${ipIn(op.netns)} link set ${shellArg(op.name)} up`].join('\n'),
  simulate(op, { nsOf }) {
    const ns = nsOf(op, op.netns);
    if (ns.links.some((l) => l.ifname === op.name)) fail(op, `${op.name} exists in ${op.netns} (EEXIST)`);
    ns.links.push({ ifname: op.name, kind: 'bridge', up: true, mtu: DEFAULT_MTU, addresses: [] });
  },
  socket: (op) => op.netns,
  makes: (op) => [[op.netns, op.name]],
  lane: (op) => op.netns,
};

/** Up, MTU, or the bridge the interface is a port of. */
export const linkSet: OpKindSpec<'link.set'> = {
  describe(op) {
    const what = [
      ...(op.master !== undefined ? [`master ${op.master}`] : []),
      ...(op.mtu !== undefined ? [`mtu ${op.mtu}`] : []),
      ...(op.up !== undefined ? [op.up ? 'up' : 'down'] : []),
    ];
    return `link ${op.netns}:${op.ifname} ${what.join(' ')}`.trimEnd();
  },
  explain(op) {
    const words = [`${ipIn(op.netns)} link set ${shellArg(op.ifname)}`];
    if (op.master !== undefined) words.push(`master ${shellArg(op.master)}`);
    if (op.mtu !== undefined) words.push(`mtu ${op.mtu}`);
    if (op.up !== undefined) words.push(op.up ? 'up' : 'down');
    return words.join(' ');
  },
  simulate(op, { nsOf, linkOf }) {
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
  },
  socket: (op) => op.netns,
  // Bringing a device up never rides the wave that makes it: a veth end raised in the batch that had just
  // made the pair (its peer still down) sometimes never transmitted once the peer came up: every packet
  // dropped, carrier shown, until the peer was set down and up again (see docs/performance.md).
  lane: (op, makes) => (op.up !== true && makes(op.netns, op.ifname) && makes(op.netns, op.master) ? op.netns : undefined),
};
