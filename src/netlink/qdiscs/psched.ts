/**
 * Packet-scheduler time. Traffic control speaks in "ticks" (psched ticks) wherever a struct carries a time:
 * tbf's buffer and mtu, netem's latency and jitter. The kernel publishes the tick in /proc/net/psched as
 * four hex words, and iproute2 (tc/tc_core.c, tc_core_init) derives from them:
 *
 *     t2us us2t clock_res hz          e.g.  000003e8 00000040 000f4240 3b9aca00
 *     clock_factor = clock_res / 1e6
 *     ticks per microsecond = t2us / us2t * clock_factor    (t2us := us2t when clock_res is 1e9)
 *
 * Since Linux 2.6.31 the kernel prints NSEC_PER_USEC (1000), PSCHED_TICKS2NS(1) (64) and 1000000 in the
 * first three words, whatever the machine: a tick is 64 ns (PSCHED_SHIFT 6), 15.625 ticks per microsecond.
 * Those are PSCHED_DEFAULT. Every conversion here takes the factors as a parameter (parsePsched reads the
 * file's text) so an odd kernel can be honoured, and the default is what any kernel nslab runs on says.
 *
 * Arithmetic is exact (bigint rationals, no doubles to land a hair off a whole tick). Rounding follows
 * current iproute2: tc_calc_xmittime rounds up since "tc: Fix rounding in tc_calc_xmittime"; iproute2 6.1
 * truncated twice, so it sends 51187 ticks for 4096 bytes at 1250000 bytes/s where we send 51200, the
 * value the kernel itself computes from the burst and reports back.
 */
import { NetlinkEncodeError } from '../error.js';

/** The scheduler clock factors of /proc/net/psched. */
export interface Psched {
  /** First word: NSEC_PER_USEC on every modern kernel (1000). */
  t2us: number;
  /** Second word: nanoseconds per tick, PSCHED_TICKS2NS(1) (64). */
  us2t: number;
  /** Third word: 1000000 (1e9 on very old kernels with a nanosecond clock). */
  clockRes: number;
  /** Fourth word: NSEC_PER_SEC / hrtimer resolution (1e9 with high-resolution timers); tc uses it for HZ. */
  hz?: number;
}

/** What /proc/net/psched says on every kernel since 2.6.31 (the hz word varies; nothing here uses it). */
export const PSCHED_DEFAULT: Readonly<Psched> = { t2us: 1000, us2t: 64, clockRes: 1_000_000 };

const U32_MAX = 0xffffffff;

/** Parses the text of /proc/net/psched; undefined when it is not four hex words. */
export function parsePsched(text: string): Psched | undefined {
  const words = text.trim().split(/\s+/);
  if (words.length < 3 || !words.slice(0, 4).every((w) => /^[0-9a-fA-F]{1,8}$/.test(w))) return undefined;
  const [t2us, us2t, clockRes, hz] = words.map((w) => parseInt(w, 16));
  if (t2us === undefined || us2t === undefined || clockRes === undefined || us2t === 0 || t2us === 0 || clockRes === 0) return undefined;
  return { t2us, us2t, clockRes, ...(hz !== undefined ? { hz } : {}) };
}

/** Ticks per microsecond as the exact fraction num/den (tc_core_init's tick_in_usec). */
function ticksPerMicro(p: Psched): { num: bigint; den: bigint } {
  const t2us = p.clockRes === 1_000_000_000 ? p.us2t : p.t2us;
  return { num: BigInt(t2us) * BigInt(p.clockRes), den: BigInt(p.us2t) * 1_000_000n };
}

function nonNegativeInteger(value: number | bigint, what: string): bigint {
  if (typeof value === 'bigint') {
    if (value < 0n) throw new NetlinkEncodeError(`${what} must not be negative, not ${value}`);
    return value;
  }
  if (!Number.isSafeInteger(value) || value < 0) throw new NetlinkEncodeError(`${what} must be a whole non-negative number, not ${value}`);
  return BigInt(value);
}

const ceilDiv = (a: bigint, b: bigint): bigint => (a + b - 1n) / b;

/** Microseconds to ticks, rounded down (tc's get_ticks). Throws when the result does not fit the u32 field. */
export function timeToTicks(micros: number, p: Psched = PSCHED_DEFAULT): number {
  const { num, den } = ticksPerMicro(p);
  const ticks = (nonNegativeInteger(micros, 'a time in microseconds') * num) / den;
  if (ticks > BigInt(U32_MAX)) throw new NetlinkEncodeError(`${micros} microseconds is ${ticks} scheduler ticks, more than a u32 holds`);
  return Number(ticks);
}

/** Ticks to microseconds (tc_core_tick2time), not rounded. */
export function ticksToTime(ticks: number, p: Psched = PSCHED_DEFAULT): number {
  const { num, den } = ticksPerMicro(p);
  return (ticks * Number(den)) / Number(num);
}

/** Nanoseconds to ticks, rounded down: the kernel's PSCHED_NS2TICKS. */
export function nsToTicks(ns: bigint, p: Psched = PSCHED_DEFAULT): bigint {
  const { num, den } = ticksPerMicro(p);
  return (nonNegativeInteger(ns, 'a time in nanoseconds') * num) / (den * 1000n);
}

/** Ticks to nanoseconds: the kernel's PSCHED_TICKS2NS (ticks << 6), exact on a 64 ns tick. */
export function ticksToNs(ticks: number | bigint, p: Psched = PSCHED_DEFAULT): bigint {
  const { num, den } = ticksPerMicro(p);
  return (nonNegativeInteger(ticks, 'ticks') * den * 1000n) / num;
}

/**
 * Ticks it takes to send `size` bytes at `rate` bytes per second, rounded up, at most 2^32-1
 * (tc_calc_xmittime): tbf's buffer is its burst expressed this way.
 */
export function transmitTicks(rate: number | bigint, size: number | bigint, p: Psched = PSCHED_DEFAULT): number {
  const r = nonNegativeInteger(rate, 'a rate in bytes per second');
  if (r === 0n) throw new NetlinkEncodeError('a rate of 0 bytes per second sends nothing');
  const { num, den } = ticksPerMicro(p);
  const ticks = ceilDiv(nonNegativeInteger(size, 'a size in bytes') * 1_000_000n * num, r * den);
  return ticks > BigInt(U32_MAX) ? U32_MAX : Number(ticks);
}

/** Bytes sent in `ticks` at `rate` bytes per second, rounded down (tc_calc_xmitsize): tbf's burst from its buffer. */
export function transmitSize(rate: number | bigint, ticks: number, p: Psched = PSCHED_DEFAULT): number {
  const { num, den } = ticksPerMicro(p);
  return Number((nonNegativeInteger(rate, 'a rate in bytes per second') * nonNegativeInteger(ticks, 'ticks') * den) / (num * 1_000_000n));
}
