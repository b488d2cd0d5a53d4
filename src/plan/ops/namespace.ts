/** Namespaces and their sysctls: made, deleted and written through the addon, not a netlink socket. */
import { shellArg } from '../shell-quote.js';
import { FORWARDING_SYSCTLS, NO_DAD_SYSCTLS } from '../sysctls.js';
import { dropLink, fail, farNamespace, noLane, type OpKindSpec } from './kind.js';

/** The planned sysctls as the kernel sets them in a new namespace: no forwarding, DAD on for new devices. */
const NEW_NAMESPACE_SYSCTLS: Readonly<Record<string, string>> = {
  ...Object.fromEntries(FORWARDING_SYSCTLS.map((k) => [k, '0'])),
  [NO_DAD_SYSCTLS[0]]: '1',
  [NO_DAD_SYSCTLS[1]]: '0',
};

/** `net/ipv4/ip_forward` -> `net.ipv4.ip_forward` (kept with slashes when a part holds a dot). */
function sysctlName(key: string): string {
  const parts = key.split('/');
  return parts.some((p) => p.includes('.')) ? key : parts.join('.');
}

/** Make the namespace, mark it ours (the alias of its `lo`) and bring `lo` up. */
export const netnsAdd: OpKindSpec<'netns.add'> = {
  describe: (op) => `netns ${op.netns}`,
  explain: (op) => [`ip netns add ${shellArg(op.netns)}`, `ip -n ${shellArg(op.netns)} link set lo up`].join('\n'),
  simulate(op, { lab }) {
    if (Object.hasOwn(lab.namespaces, op.netns)) fail(op, `namespace ${op.netns} exists (EEXIST)`);
    lab.namespaces[op.netns] = { node: op.node, links: [], routes: [], sysctls: { ...NEW_NAMESPACE_SYSCTLS } };
  },
  socket: () => undefined,
  lane: noLane,
};

/** Delete a namespace of ours with everything in it; the far ends of its cables go with it. */
export const netnsDel: OpKindSpec<'netns.del'> = {
  describe: (op) => `delete netns ${op.netns}`,
  explain: (op) => `ip netns del ${shellArg(op.netns)}`,
  simulate(op, { lab, nsOf }) {
    const ns = nsOf(op, op.netns);
    for (const link of ns.links) {
      const far = farNamespace(lab, link);
      if (far !== undefined && link.peer !== undefined) dropLink(far, link.peer.ifname);
    }
    delete lab.namespaces[op.netns];
  },
  socket: () => undefined,
  lane: noLane,
};

/** Write a value under /proc/sys inside the namespace. */
export const sysctlSet: OpKindSpec<'sysctl.set'> = {
  describe: (op) => `sysctl ${op.netns} ${op.key}=${op.value}`,
  explain: (op) => `ip netns exec ${shellArg(op.netns)} sysctl -qw ${shellArg(`${sysctlName(op.key)}=${op.value}`)}`,
  simulate(op, { nsOf }) {
    nsOf(op, op.netns).sysctls[op.key] = op.value;
  },
  socket: () => undefined,
  lane: noLane,
};
