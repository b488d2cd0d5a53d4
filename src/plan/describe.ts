/**
 * Every operation as a short phrase for progress output: `veth red:rveth <-> green:gveth`. Namespaces
 * are named as `ip netns` shows them.
 */
import { cidrText } from './ip.js';
import { qdiscArgs, routeArgs } from './explain.js';
import type { Op } from './types.js';

/** Commands longer than this are cut with an ellipsis in the phrase (explain() shows them whole). */
const RUN_WIDTH = 60;

function short(run: string): string {
  const one = run.replace(/\s+/g, ' ').trim();
  return one.length > RUN_WIDTH ? `${one.slice(0, RUN_WIDTH - 1)}…` : one;
}

/** A short human phrase for `op`. */
export function describe(op: Op): string {
  switch (op.op) {
    case 'netns.add':
      return `netns ${op.netns}`;
    case 'netns.del':
      return `delete netns ${op.netns}`;
    case 'sysctl.set':
      return `sysctl ${op.netns} ${op.key}=${op.value}`;
    case 'veth.add':
      return `veth ${op.a.netns}:${op.a.ifname} <-> ${op.b.netns}:${op.b.ifname}${op.mtu !== undefined ? ` mtu ${op.mtu}` : ''}`;
    case 'veth.del':
      return `delete veth ${op.a.netns}:${op.a.ifname}`;
    case 'addr.add':
      return `addr ${op.netns}:${op.ifname} ${cidrText(op.cidr)}`;
    case 'addr.del':
      return `delete addr ${op.netns}:${op.ifname} ${cidrText(op.cidr)}`;
    case 'bridge.add':
      return `bridge ${op.netns}:${op.name}`;
    case 'qdisc.set':
      return `shape ${op.netns}:${op.ifname} ${qdiscArgs(op.shaping)}`;
    case 'qdisc.del':
      return `unshape ${op.netns}:${op.ifname}`;
    case 'link.set': {
      const what = [
        ...(op.master !== undefined ? [`master ${op.master}`] : []),
        ...(op.mtu !== undefined ? [`mtu ${op.mtu}`] : []),
        ...(op.up !== undefined ? [op.up ? 'up' : 'down'] : []),
      ];
      return `link ${op.netns}:${op.ifname} ${what.join(' ')}`.trimEnd();
    }
    case 'route.add':
      return `route ${op.netns} ${routeArgs(op.route)}`;
    case 'route.del':
      return `delete route ${op.netns} ${routeArgs(op.route)}`;
    case 'exec':
      return `exec ${op.netns}${op.entry.background ? ' (background)' : ''}: ${short(op.entry.run)}`;
    case 'proc.kill':
      return `kill ${op.pid} (node ${op.node})`;
  }
}
