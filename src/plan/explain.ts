/**
 * Every operation as the iproute2 command that does the same thing, so a learner can map nslab's steps
 * to the tutorial (`nslab up --explain`). One line per command.
 */
import type { ResolvedRoute, Shaping } from '../topology/types.js';
import { cidrText } from './ip.js';
import { destinationText } from './route.js';
import { shellArg, singleQuote } from './shell-quote.js';
import type { Op } from './types.js';

/** `net/ipv4/ip_forward` -> `net.ipv4.ip_forward` (kept with slashes when a part holds a dot). */
function sysctlName(key: string): string {
  const parts = key.split('/');
  return parts.some((p) => p.includes('.')) ? key : parts.join('.');
}

/** `10.0.0.0/24 via 10.10.1.1 dev rveth metric 100`, the tail of `ip route add|del`. */
export function routeArgs(route: ResolvedRoute): string {
  const words = [destinationText(route)];
  if (route.via !== undefined) words.push('via', route.via);
  if (route.dev !== undefined) words.push('dev', shellArg(route.dev));
  if (route.metric !== undefined) words.push('metric', String(route.metric));
  return words.join(' ');
}

/** `10mbit` for 10_000_000 bits per second, as tc writes rates. */
export function rateText(bps: number): string {
  for (const [unit, size] of [
    ['gbit', 1e9],
    ['mbit', 1e6],
    ['kbit', 1e3],
  ] as const)
    if (bps >= size && bps % size === 0) return `${bps / size}${unit}`;
  return `${bps}bit`;
}

/** The tail of `tc qdisc replace ... root`: tbf for a rate alone, netem when there is delay, jitter or loss. */
export function qdiscArgs(s: Shaping): string {
  if (s.delayMs === undefined && s.jitterMs === undefined && s.lossPercent === undefined) return `tbf rate ${rateText(s.rate ?? 0)} burst 32kbit latency 50ms`;
  const words = ['netem'];
  if (s.delayMs !== undefined || s.jitterMs !== undefined) words.push(`delay ${s.delayMs ?? 0}ms`, ...(s.jitterMs !== undefined ? [`${s.jitterMs}ms`] : []));
  if (s.lossPercent !== undefined) words.push(`loss ${s.lossPercent}%`);
  if (s.rate !== undefined) words.push(`rate ${rateText(s.rate)}`);
  return words.join(' ');
}

/** `ip -n red` (with `-6` first for an IPv6 default route, which `ip` cannot tell from `default`). */
function ipIn(netns: string, family6 = false): string {
  return `ip ${family6 ? '-6 ' : ''}-n ${shellArg(netns)}`;
}

/** The iproute2 command(s) equivalent to `op`, one per line. */
export function explain(op: Op): string {
  switch (op.op) {
    case 'netns.add':
      return [`ip netns add ${shellArg(op.netns)}`, `${ipIn(op.netns)} link set lo up`].join('\n');
    case 'netns.del':
      return `ip netns del ${shellArg(op.netns)}`;
    case 'sysctl.set':
      return `ip netns exec ${shellArg(op.netns)} sysctl -w ${shellArg(`${sysctlName(op.key)}=${op.value}`)}`;
    case 'veth.add': {
      const mtu = op.mtu !== undefined ? ` mtu ${op.mtu}` : '';
      return `ip link add ${shellArg(op.a.ifname)} netns ${shellArg(op.a.netns)}${mtu} type veth peer name ${shellArg(op.b.ifname)} netns ${shellArg(op.b.netns)}${mtu}`;
    }
    case 'veth.del':
      return `${ipIn(op.a.netns)} link del ${shellArg(op.a.ifname)}`;
    case 'addr.add':
      // nslab skips duplicate address detection, so an IPv6 address is usable at once.
      return `${ipIn(op.netns)} addr add ${cidrText(op.cidr)} dev ${shellArg(op.ifname)}${op.cidr.family === 6 ? ' nodad' : ''}`;
    case 'addr.del':
      return `${ipIn(op.netns)} addr del ${cidrText(op.cidr)} dev ${shellArg(op.ifname)}`;
    case 'bridge.add':
      return [`${ipIn(op.netns)} link add ${shellArg(op.name)} type bridge`, `${ipIn(op.netns)} link set ${shellArg(op.name)} up`].join('\n');
    case 'qdisc.set':
      return `tc -n ${shellArg(op.netns)} qdisc replace dev ${shellArg(op.ifname)} root ${qdiscArgs(op.shaping)}`;
    case 'qdisc.del':
      return `tc -n ${shellArg(op.netns)} qdisc del dev ${shellArg(op.ifname)} root`;
    case 'link.set': {
      const words = [`${ipIn(op.netns)} link set ${shellArg(op.ifname)}`];
      if (op.master !== undefined) words.push(`master ${shellArg(op.master)}`);
      if (op.mtu !== undefined) words.push(`mtu ${op.mtu}`);
      if (op.up !== undefined) words.push(op.up ? 'up' : 'down');
      return words.join(' ');
    }
    case 'route.add':
    case 'route.del': {
      const six = op.route.family === 6 && op.route.to === 'default';
      return `${ipIn(op.netns, six)} route ${op.op === 'route.add' ? 'add' : 'del'} ${routeArgs(op.route)}`;
    }
    case 'exec':
      return `ip netns exec ${shellArg(op.netns)} sh -c ${singleQuote(op.entry.run)}${op.entry.background ? ' &' : ''}`;
    case 'proc.kill':
      return `kill ${op.pid}`;
  }
}
