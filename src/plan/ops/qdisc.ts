/** The root qdisc that shapes an end's egress: tbf for a rate; netem for delay, jitter and loss. */
import type { Shaping } from '../../topology/types.js';
import { shellArg } from '../shell-quote.js';
import { rateText } from '../format.js';
import { defaultTbfBurst, defaultTbfLimit } from '../../netlink/index.js';
import { DEFAULT_MTU, type OpKindSpec } from './kind.js';
import type { TbfSize } from '../types.js';

/**
 * The tail of `tc qdisc replace ... root`: tbf for a rate alone (with the bucket and queue the plan sized,
 * in bytes, as the kernel gets them), netem when there is delay, jitter or loss.
 */
export function qdiscArgs(s: Shaping, tbf?: TbfSize): string {
  if (s.delayMs === undefined && s.jitterMs === undefined && s.lossPercent === undefined) {
    const rate = s.rate ?? 0;
    // Without the plan's sizes: what the engine gives a veth of MTU 1500.
    const burst = tbf?.burst ?? defaultTbfBurst(rate, DEFAULT_MTU);
    return `tbf rate ${rateText(rate)} burst ${burst} limit ${tbf?.limit ?? defaultTbfLimit(rate, burst, 65536)}`;
  }
  const words = ['netem'];
  if (s.delayMs !== undefined || s.jitterMs !== undefined) words.push(`delay ${s.delayMs ?? 0}ms`, ...(s.jitterMs !== undefined ? [`${s.jitterMs}ms`] : []));
  if (s.lossPercent !== undefined) words.push(`loss ${s.lossPercent}%`);
  if (s.rate !== undefined) words.push(`rate ${rateText(s.rate)}`);
  return words.join(' ');
}

export const qdiscSet: OpKindSpec<'qdisc.set'> = {
  describe: (op) => `shape ${op.netns}:${op.ifname} ${qdiscArgs(op.shaping, op.tbf)}`,
  explain: (op) => `tc -n ${shellArg(op.netns)} qdisc replace dev ${shellArg(op.ifname)} root ${qdiscArgs(op.shaping, op.tbf)}`,
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
