/**
 * netem: network emulation, delay, jitter, loss, duplication, reordering and a rate. Its TCA_OPTIONS is NOT
 * a plain nest: it starts with a struct tc_netem_qopt (24 bytes) and the TCA_NETEM_* attributes follow it
 * (the kernel's parse_attr() skips NLA_ALIGN(sizeof(qopt)) bytes, then parses a nest). So TCA_OPTIONS goes
 * without NLA_F_NESTED, as tc and the kernel's netem_dump() send it.
 *
 *   struct tc_netem_qopt  latency, jitter (psched ticks, see psched.ts); limit (packets); loss, duplicate
 *                         (probabilities scaled to 0..2^32-1); gap (reorder every gap-th packet)
 *   TCA_NETEM_LATENCY64, TCA_NETEM_JITTER64   s64 nanoseconds; override the struct's ticks (the kernel
 *                         sends them back only when the ticks do not say the same)
 *   TCA_NETEM_RATE        struct tc_netem_rate (bytes/s; TCA_NETEM_RATE64 above 2^32-1)
 *   TCA_NETEM_CORR, _REORDER, _CORRUPT, _SLOT, _LOSS (a real nest: the 4-state and Gilbert-Elliott loss
 *   models), _ECN, _DELAY_DIST, _SLOT_DIST, _PRNG_SEED
 *
 * netemOptions() builds them from delay, jitter, loss and rate.
 * Equivalent to: tc qdisc add dev DEV root netem delay 20ms 5ms loss 1% rate 10mbit
 */
import { decodeAttributes, defineAttributes, encodeAttributes } from '../attributes.js';
import type { AttributeValues } from '../attributes.js';
import { concatBytes } from '../bytes.js';
import { NetlinkDecodeError, NetlinkEncodeError } from '../error.js';
import type { QdiscKindCodec } from './kind.js';
import { PSCHED_DEFAULT, nsToTicks, ticksToNs } from './psched.js';
import type { Psched } from './psched.js';
import { defineStruct, s64Codec } from './struct.js';
import type { StructOf } from './struct.js';

/** Netem attributes after struct tc_netem_qopt (TCA_NETEM_*). */
export const TcaNetem = {
  UNSPEC: 0,
  CORR: 1,
  DELAY_DIST: 2,
  REORDER: 3,
  CORRUPT: 4,
  LOSS: 5,
  RATE: 6,
  ECN: 7,
  RATE64: 8,
  PAD: 9,
  LATENCY64: 10,
  JITTER64: 11,
  SLOT: 12,
  SLOT_DIST: 13,
  PRNG_SEED: 14,
} as const;

/** Loss models inside TCA_NETEM_LOSS (NETEM_LOSS_*). */
export const NetemLoss = {
  UNSPEC: 0,
  /** General intuitive, 4-state Markov model: struct tc_netem_gimodel. */
  GI: 1,
  /** Gilbert-Elliott: struct tc_netem_gemodel. */
  GE: 2,
} as const;

/** struct tc_netem_qopt. Probabilities are scaled: 0 never, 2^32-1 always (see percentToProbability). */
export const tcNetemQopt = defineStruct('tc_netem_qopt', [
  /** Added delay in psched ticks (TCA_NETEM_LATENCY64 overrides it). */
  ['latency', 'u32'],
  /** Queue length in packets (tc's default 1000). */
  ['limit', 'u32'],
  ['loss', 'u32'],
  ['gap', 'u32'],
  ['duplicate', 'u32'],
  /** Random variation of the delay, in ticks (TCA_NETEM_JITTER64 overrides it). */
  ['jitter', 'u32'],
] as const);
export type TcNetemQopt = StructOf<typeof tcNetemQopt>;

export const tcNetemCorr = defineStruct('tc_netem_corr', [
  ['delayCorr', 'u32'],
  ['lossCorr', 'u32'],
  ['dupCorr', 'u32'],
] as const);
export const tcNetemReorder = defineStruct('tc_netem_reorder', [
  ['probability', 'u32'],
  ['correlation', 'u32'],
] as const);
export const tcNetemCorrupt = defineStruct('tc_netem_corrupt', [
  ['probability', 'u32'],
  ['correlation', 'u32'],
] as const);
export const tcNetemRate = defineStruct('tc_netem_rate', [
  /** Bytes per second; ~0 with the real rate in TCA_NETEM_RATE64. */
  ['rate', 'u32'],
  ['packetOverhead', 's32'],
  ['cellSize', 'u32'],
  ['cellOverhead', 's32'],
] as const);
export const tcNetemSlot = defineStruct('tc_netem_slot', [
  ['minDelay', 's64'],
  ['maxDelay', 's64'],
  ['maxPackets', 's32'],
  ['maxBytes', 's32'],
  ['distDelay', 's64'],
  ['distJitter', 's64'],
] as const);
export const tcNetemGimodel = defineStruct('tc_netem_gimodel', [
  ['p13', 'u32'],
  ['p31', 'u32'],
  ['p32', 'u32'],
  ['p14', 'u32'],
  ['p23', 'u32'],
] as const);
export const tcNetemGemodel = defineStruct('tc_netem_gemodel', [
  ['p', 'u32'],
  ['r', 'u32'],
  ['h', 'u32'],
  ['k1', 'u32'],
] as const);

/** TCA_NETEM_LOSS: a real nest (NLA_F_NESTED, as tc sends it) holding one loss model. */
export const netemLossAttributes = defineAttributes('NETEM_LOSS', {
  gi: { type: NetemLoss.GI, kind: 'custom', codec: tcNetemGimodel },
  ge: { type: NetemLoss.GE, kind: 'custom', codec: tcNetemGemodel },
});

// Field order is tc's (q_netem.c netem_parse_opt), then the 64-bit times and the seed.
export const netemAttributes = defineAttributes(
  'TCA_NETEM',
  {
    corr: { type: TcaNetem.CORR, kind: 'custom', codec: tcNetemCorr },
    reorder: { type: TcaNetem.REORDER, kind: 'custom', codec: tcNetemReorder },
    ecn: { type: TcaNetem.ECN, kind: 'u32' },
    corrupt: { type: TcaNetem.CORRUPT, kind: 'custom', codec: tcNetemCorrupt },
    slot: { type: TcaNetem.SLOT, kind: 'custom', codec: tcNetemSlot },
    lossModel: { type: TcaNetem.LOSS, kind: 'nested', table: netemLossAttributes },
    /** Rate in bytes/s, when at least 2^32. */
    rate64: { type: TcaNetem.RATE64, kind: 'u64' },
    rate: { type: TcaNetem.RATE, kind: 'custom', codec: tcNetemRate },
    /** Delay distribution table: s16 values scaled by NETEM_DIST_SCALE (8192). */
    delayDist: { type: TcaNetem.DELAY_DIST, kind: 'bytes' },
    slotDist: { type: TcaNetem.SLOT_DIST, kind: 'bytes' },
    /** Delay in nanoseconds. */
    latency64: { type: TcaNetem.LATENCY64, kind: 'custom', codec: s64Codec },
    /** Jitter in nanoseconds. */
    jitter64: { type: TcaNetem.JITTER64, kind: 'custom', codec: s64Codec },
    prngSeed: { type: TcaNetem.PRNG_SEED, kind: 'u64' },
  },
  { ignore: [TcaNetem.PAD] },
);

export type NetemAttrs = AttributeValues<typeof netemAttributes.fields>;

export interface NetemQdiscInfo extends NetemAttrs {
  kind: 'netem';
  raw?: never;
  /** The struct at the head of TCA_OPTIONS; required to send (the kernel refuses netem options without it). */
  qopt?: TcNetemQopt;
}

const QOPT_LEN = tcNetemQopt.size; // 24, already a multiple of 4: the attributes start right after it

export const netemKind: QdiscKindCodec<NetemQdiscInfo> = {
  kind: 'netem',
  encodeOptions(info) {
    const { qopt, kind: _kind, raw: _raw, ...attrs } = info;
    if (qopt === undefined) throw new NetlinkEncodeError('netem options need their struct tc_netem_qopt (qopt): the kernel refuses them without it');
    return concatBytes([tcNetemQopt.encode(qopt), encodeAttributes(netemAttributes, attrs)]);
  },
  decodeOptions(data, at) {
    if (data === undefined) return { kind: 'netem' };
    if (data.length < QOPT_LEN)
      throw new NetlinkDecodeError(`netem TCA_OPTIONS has ${data.length} bytes, too few for the ${QOPT_LEN}-byte struct tc_netem_qopt`, at);
    const qopt = tcNetemQopt.decode(data.subarray(0, QOPT_LEN), at);
    return { kind: 'netem', qopt, ...decodeAttributes(netemAttributes, data.subarray(QOPT_LEN), at + QOPT_LEN) };
  },
};

const U32_MAX = 0xffffffff;

/** A percentage (0..100) as netem's scaled probability, 0..2^32-1 (tc's get_percent: rint(p/100 * UINT32_MAX)). */
export function percentToProbability(percent: number): number {
  if (!Number.isFinite(percent) || percent < 0 || percent > 100) throw new NetlinkEncodeError(`a percentage must be from 0 to 100, not ${percent}`);
  return Math.round((percent / 100) * U32_MAX);
}

/** The inverse of percentToProbability. */
export function probabilityToPercent(probability: number): number {
  return (probability / U32_MAX) * 100;
}

/** What netemOptions needs; everything optional, absent means none. */
export interface NetemSettings {
  /** Added delay in nanoseconds. */
  delayNs?: bigint;
  /** Random variation of the delay (uniform, plus or minus), in nanoseconds. */
  jitterNs?: bigint;
  /** Random loss, 0 to 100. */
  lossPercent?: number;
  /** Random duplication, 0 to 100. */
  duplicatePercent?: number;
  /** Rate limit in bytes per second. */
  rate?: number;
  /** Queue length in packets; tc's default 1000. */
  limit?: number;
  /** Scheduler clock factors (/proc/net/psched); PSCHED_DEFAULT when absent. */
  psched?: Psched;
}

/** A time as the struct's u32 ticks, plus the exact nanoseconds when the ticks do not say the same. */
function netemTime(ns: bigint | undefined, psched: Psched): { ticks: number; exact?: bigint } {
  if (ns === undefined || ns === 0n) return { ticks: 0 };
  if (ns < 0n) throw new NetlinkEncodeError(`a netem time must not be negative, not ${ns} ns`);
  const full = nsToTicks(ns, psched);
  const ticks = full > BigInt(U32_MAX) ? U32_MAX : Number(full);
  return ticksToNs(ticks, psched) === ns ? { ticks } : { ticks, exact: ns };
}

/**
 * TCA_OPTIONS of a netem from delay, jitter, loss, duplication and rate, as tc fills them, with the 64-bit
 * nanosecond times added when the 64 ns ticks of the struct cannot say the delay exactly (1 ms is 15625
 * ticks, exact; 1 us is not).
 */
export function netemOptions(s: NetemSettings): NetemQdiscInfo {
  const psched = s.psched ?? PSCHED_DEFAULT;
  const delay = netemTime(s.delayNs, psched);
  const jitter = netemTime(s.jitterNs, psched);
  const limit = s.limit ?? 1000;
  if (!Number.isSafeInteger(limit) || limit < 0 || limit > U32_MAX) throw new NetlinkEncodeError(`netem limit must be a whole number of packets, not ${limit}`);
  const info: NetemQdiscInfo = {
    kind: 'netem',
    qopt: {
      latency: delay.ticks,
      limit,
      loss: percentToProbability(s.lossPercent ?? 0),
      gap: 0,
      duplicate: percentToProbability(s.duplicatePercent ?? 0),
      jitter: jitter.ticks,
    },
  };
  if (s.rate !== undefined) {
    if (!Number.isSafeInteger(s.rate) || s.rate <= 0)
      throw new NetlinkEncodeError(`netem rate must be a whole number of bytes per second above 0, not ${s.rate}`);
    if (s.rate > U32_MAX) info.rate64 = BigInt(s.rate);
    info.rate = { rate: Math.min(s.rate, U32_MAX), packetOverhead: 0, cellSize: 0, cellOverhead: 0 };
  }
  if (delay.exact !== undefined) info.latency64 = delay.exact;
  if (jitter.exact !== undefined) info.jitter64 = jitter.exact;
  return info;
}
