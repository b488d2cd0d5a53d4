/**
 * Link shaping (a lab's rate, delay, jitter, loss) as the root qdisc that does it, and back.
 */
import type { QdiscSpec } from '../rtnl/qdisc.js';
import type { TbfSize } from '../plan/types.js';
import type { Shaping } from '../topology/types.js';

/** The qdisc that does a shaping: netem for delay, jitter or loss (with its own rate), tbf for a rate alone. */
export function qdiscSpec(s: Shaping, tbf?: TbfSize): QdiscSpec {
  if (s.delayMs !== undefined || s.jitterMs !== undefined || s.lossPercent !== undefined) {
    return {
      kind: 'netem',
      ...(s.delayMs !== undefined ? { delayMs: s.delayMs } : {}),
      ...(s.jitterMs !== undefined ? { jitterMs: s.jitterMs } : {}),
      ...(s.lossPercent !== undefined ? { lossPercent: s.lossPercent } : {}),
      ...(s.rate !== undefined ? { rate: s.rate } : {}),
    };
  }
  return { kind: 'tbf', rate: s.rate ?? 0, ...(tbf !== undefined ? { burst: tbf.burst, limit: tbf.limit } : {}) };
}

/** A shaping as read back from a root qdisc's settings. */
export function shapingOf(spec: QdiscSpec | undefined): Shaping | undefined {
  if (spec === undefined) return undefined;
  if (spec.kind === 'tbf') return { rate: spec.rate };
  return {
    ...(spec.rate !== undefined ? { rate: spec.rate } : {}),
    ...(spec.delayMs !== undefined ? { delayMs: spec.delayMs } : {}),
    ...(spec.jitterMs !== undefined ? { jitterMs: spec.jitterMs } : {}),
    ...(spec.lossPercent !== undefined ? { lossPercent: spec.lossPercent } : {}),
  };
}
