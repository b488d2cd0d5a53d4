/** Cables between hosts: a VXLAN device in the node's namespace, its UDP socket in the host's. */
import { shellArg } from '../shell-quote.js';
import { dropLink, fail, noLane, type OpKindSpec } from './kind.js';
import { ipIn } from './link.js';

/** The end of a cable to another host, made from the host's namespace into the node's. */
export const vxlanAdd: OpKindSpec<'vxlan.add'> = {
  describe: (op) => `vxlan ${op.end.netns}:${op.end.ifname} id ${op.vni} ${op.local} -> ${op.remote} mtu ${op.mtu}`,
  // Run in the host's own namespace (where the underlay is): the device goes to the node's, its socket stays.
  explain: (op) =>
    `ip link add ${shellArg(op.end.ifname)} netns ${shellArg(op.end.netns)} mtu ${op.mtu} type vxlan id ${op.vni} local ${op.local} remote ${op.remote} dstport ${op.port} nolearning`,
  simulate(op, { nsOf }) {
    const ns = nsOf(op, op.end.netns);
    if (ns.links.some((l) => l.ifname === op.end.ifname)) fail(op, `${op.end.ifname} exists in ${op.end.netns} (EEXIST)`);
    ns.links.push({
      ifname: op.end.ifname,
      kind: 'vxlan',
      up: false,
      mtu: op.mtu,
      addresses: [],
      vxlan: { vni: op.vni, local: op.local, remote: op.remote, port: op.port },
    });
  },
  // Sent on a socket of the host's own namespace (the engine's runner), not on a node's.
  socket: () => undefined,
  makes: (op) => [[op.end.netns, op.end.ifname]],
  lane: noLane,
};

/** Delete a VXLAN device of ours (before its namespace: see the op's type). */
export const vxlanDel: OpKindSpec<'vxlan.del'> = {
  describe: (op) => `delete vxlan ${op.netns}:${op.ifname}`,
  explain: (op) => `${ipIn(op.netns)} link del ${shellArg(op.ifname)}`,
  simulate(op, { nsOf }) {
    // Already gone counts as deleted (the engine's deletions are idempotent).
    dropLink(nsOf(op, op.netns), op.ifname);
  },
  socket: (op) => op.netns,
  lane: () => undefined,
};
