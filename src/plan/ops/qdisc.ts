/** The root qdisc that shapes an end's egress: tbf for a rate; netem for delay, jitter and loss. */
import type { Shaping } from '../../topology/types.js';
import { shellArg } from '../shell-quote.js';
import { rateText } from '../format.js';
import type { OpKindSpec } from './kind.js';

/** The tail of `tc qdisc replace ... root`: tbf for a rate alone, netem when there is delay, jitter or loss. */
export function qdiscArgs(s: Shaping): string {
  if (s.delayMs === undefined && s.jitterMs === undefined && s.lossPercent === undefined) return `tbf rate ${rateText(s.rate ?? 0)} burst 32kbit latency 50ms`;
  const words = ['netem'];
  if (s.delayMs !== undefined || s.jitterMs !== undefined) words.push(`delay ${s.delayMs ?? 0}ms`, ...(s.jitterMs !== undefined ? [`${s.jitterMs}ms`] : []));
  if (s.lossPercent !== undefined) words.push(`loss ${s.lossPercent}%`);
  if (s.rate !== undefined) words.push(`rate ${rateText(s.rate)}`);
  return words.join(' ');
}

export const qdiscSet: OpKindSpec<'qdisc.set'> = {
  describe: (op) => `shape ${op.netns}:${op.ifname} ${qdiscArgs(op.shaping)}`,
  explain: (op) => `tc -n ${shellArg(op.netns)} qdisc replace dev ${shellArg(op.ifname)} root ${qdiscArgs(op.shaping)}`,
  simulate(op, { linkOf }) {
    linkOf(op, op.netns, op.ifname).shaping = { ...op.shaping };
  },
  socket: (op) => op.netns,
  lane: () => undefined,
};

export const qdiscDel: OpKindSpec<'qdisc.del'> = {
  describe: (op) => `unshape ${op.netns}:${op.ifname}`,
  explain: (op) => `tc -n ${shellArg(op.netns)} qdisc del dev ${shellArg(op.ifname)} root`,
  simulate(op, { linkOf }) {
    delete linkOf(op, op.netns, op.ifname).shaping;
  },
  socket: (op) => op.netns,
  lane: () => undefined,
};
