/**
 * tbf: the token bucket filter, a rate limit. Tokens (bytes) flow into a bucket of `burst` bytes at `rate`;
 * a packet leaves when the bucket holds its size in tokens, else it waits in a queue of `limit` bytes.
 * TCA_OPTIONS is a nest of TCA_TBF_* (no NLA_F_NESTED: neither tc nor the kernel's own dump sets it):
 *
 *   TCA_TBF_PARMS   struct tc_tbf_qopt: struct tc_ratespec rate, peakrate; u32 limit (bytes), buffer
 *                   (the burst as the time to send it at the rate, in psched ticks), mtu (ticks, peakrate's)
 *   TCA_TBF_BURST   u32 burst in bytes: the kernel takes it over PARMS.buffer when present
 *   TCA_TBF_RATE64  u64 rate in bytes/s when it does not fit PARMS.rate.rate (then ~0)
 *   TCA_TBF_RTAB    256 u32 transmit times by packet size: read only for TC_LINKLAYER_UNAWARE ratespecs,
 *                   sent anyway, as tc does
 *   TCA_TBF_PRATE64, TCA_TBF_PBURST, TCA_TBF_PTAB   the same for the optional peak rate
 *
 * tbfOptions() computes all of it from rate, burst and latency as `tc qdisc add ... tbf` does.
 * Equivalent to: tc qdisc add dev DEV root tbf rate 10mbit burst 32kbit latency 50ms
 */
import { decodeAttributes, defineAttributes, encodeAttributes } from '../attributes.js';
import type { AttributeValues } from '../attributes.js';
import { TcLinklayer } from '../constants.js';
import { NetlinkEncodeError } from '../error.js';
import type { QdiscKindCodec } from './kind.js';
import { PSCHED_DEFAULT, transmitTicks } from './psched.js';
import type { Psched } from './psched.js';
import { defineStruct, u32ArrayCodec } from './struct.js';
import type { StructOf } from './struct.js';

/** TBF attributes inside TCA_OPTIONS (TCA_TBF_*). */
export const TcaTbf = {
  UNSPEC: 0,
  PARMS: 1,
  RTAB: 2,
  PTAB: 3,
  RATE64: 4,
  PRATE64: 5,
  BURST: 6,
  PBURST: 7,
  PAD: 8,
} as const;

/** struct tc_ratespec: a rate (bytes/s) and how to account a packet's size against it. */
export const tcRatespec = defineStruct('tc_ratespec', [
  /** log2 of the rate table's cell size (the table's entry i is for packets up to (i+1) << cellLog bytes). */
  ['cellLog', 'u8'],
  /** TC_LINKLAYER_* in the low 4 bits. */
  ['linklayer', 'u8'],
  /** Bytes added to every packet's size (link framing). */
  ['overhead', 'u16'],
  ['cellAlign', 's16'],
  /** Minimum packet unit: smaller packets count as this many bytes. */
  ['mpu', 'u16'],
  /** Bytes per second; ~0 (0xffffffff) when the real rate is in a RATE64 attribute. */
  ['rate', 'u32'],
] as const);
export type TcRatespec = StructOf<typeof tcRatespec>;

/** struct tc_tbf_qopt. */
export const tcTbfQopt = defineStruct('tc_tbf_qopt', [
  ['rate', tcRatespec],
  ['peakrate', tcRatespec],
  /** Queue size in bytes. */
  ['limit', 'u32'],
  /** The bucket: burst bytes as ticks at `rate` (see psched.ts). */
  ['buffer', 'u32'],
  /** The peak-rate bucket, ticks at `peakrate`; 0 without a peak rate. */
  ['mtu', 'u32'],
] as const);
export type TcTbfQopt = StructOf<typeof tcTbfQopt>;

// Field order is tc's (q_tbf.c tbf_parse_opt), so our request compares with `tc qdisc add ... tbf`.
export const tbfAttributes = defineAttributes(
  'TCA_TBF',
  {
    parms: { type: TcaTbf.PARMS, kind: 'custom', codec: tcTbfQopt },
    /** Burst in bytes; the kernel computes the bucket from it and the rate, ignoring PARMS.buffer. */
    burst: { type: TcaTbf.BURST, kind: 'u32' },
    /** Rate in bytes/s, when at least 2^32. */
    rate64: { type: TcaTbf.RATE64, kind: 'u64' },
    rtab: { type: TcaTbf.RTAB, kind: 'custom', codec: u32ArrayCodec },
    prate64: { type: TcaTbf.PRATE64, kind: 'u64' },
    pburst: { type: TcaTbf.PBURST, kind: 'u32' },
    ptab: { type: TcaTbf.PTAB, kind: 'custom', codec: u32ArrayCodec },
  },
  { ignore: [TcaTbf.PAD] },
);

export type TbfAttrs = AttributeValues<typeof tbfAttributes.fields>;

export interface TbfQdiscInfo extends TbfAttrs {
  kind: 'tbf';
  raw?: never;
}

export const tbfKind: QdiscKindCodec<TbfQdiscInfo> = {
  kind: 'tbf',
  encodeOptions(info) {
    const data = encodeAttributes(tbfAttributes, info);
    return data.length > 0 ? data : undefined;
  },
  decodeOptions(data, at) {
    return { kind: 'tbf', ...(data === undefined ? {} : decodeAttributes(tbfAttributes, data, at)) };
  },
};

/** What tbfOptions needs: the three numbers of `tc ... tbf rate R burst B latency L`. */
export interface TbfSettings {
  /** Bytes per second (tc's `rate 10mbit` is 1250000). */
  rate: number;
  /** Bucket size in bytes: what may leave back to back above the rate. At least the device's MTU. */
  burst: number;
  /** Queue size in bytes. Give this or latencyUs. */
  limit?: number;
  /** Longest wait in the queue, in microseconds: the queue holds rate * latency + burst bytes (tc's rule). */
  latencyUs?: number;
  /** Scheduler clock factors (/proc/net/psched); PSCHED_DEFAULT when absent. */
  psched?: Psched;
}

const U32_MAX = 0xffffffff;

function checkU32(value: number, what: string): number {
  if (!Number.isSafeInteger(value) || value < 0 || value > U32_MAX)
    throw new NetlinkEncodeError(`tbf ${what} must be a whole number from 0 to ${U32_MAX}, not ${value}`);
  return value;
}

/**
 * TCA_OPTIONS of a tbf as tc computes them (iproute2 tc/q_tbf.c and tc_core.c): rate table with cells of
 * 8 bytes (cell_log 3, what tc picks for an unset mtu), Ethernet link layer (so the kernel needs no rate
 * table), buffer = burst as ticks at the rate, limit = rate * latency + burst when no limit is given.
 */
export function tbfOptions(s: TbfSettings): TbfQdiscInfo {
  const psched = s.psched ?? PSCHED_DEFAULT;
  if (!Number.isSafeInteger(s.rate) || s.rate <= 0) throw new NetlinkEncodeError(`tbf rate must be a whole number of bytes per second above 0, not ${s.rate}`);
  const burst = checkU32(s.burst, 'burst (bytes)');
  if (burst === 0) throw new NetlinkEncodeError('tbf burst must be above 0 bytes: the kernel refuses an empty bucket');
  if ((s.limit === undefined) === (s.latencyUs === undefined)) throw new NetlinkEncodeError('tbf needs exactly one of limit (bytes) and latency');
  const limit =
    s.limit !== undefined
      ? checkU32(s.limit, 'limit (bytes)')
      : checkU32(
          Number((BigInt(s.rate) * BigInt(checkU32(s.latencyUs ?? 0, 'latency (microseconds)'))) / 1_000_000n) + burst,
          'limit (rate * latency + burst, bytes)',
        );
  // Like tc, the 32-bit rate field (~0 when the rate needs RATE64) is what the table and buffer are computed at.
  const rate32 = Math.min(s.rate, U32_MAX);
  const cellLog = 3;
  const rtab = Array.from({ length: 256 }, (_, i) => transmitTicks(rate32, (i + 1) << cellLog, psched));
  const buffer = transmitTicks(rate32, burst, psched);
  if (buffer === U32_MAX) throw new NetlinkEncodeError(`tbf burst of ${burst} bytes takes too long at ${s.rate} bytes/s to fit the buffer field`);
  const none: TcRatespec = { cellLog: 0, linklayer: 0, overhead: 0, cellAlign: 0, mpu: 0, rate: 0 };
  return {
    kind: 'tbf',
    parms: {
      rate: { cellLog, linklayer: TcLinklayer.ETHERNET, overhead: 0, cellAlign: -1, mpu: 0, rate: rate32 },
      peakrate: none,
      limit,
      buffer,
      mtu: 0,
    },
    burst,
    ...(s.rate > U32_MAX ? { rate64: BigInt(s.rate) } : {}),
    rtab,
  };
}

/** The bytes of an Ethernet header, which a frame adds to the MTU. */
const ETH_HLEN = 14;

/**
 * tbf's bucket by nslab's rule: 10 ms of traffic at the rate (tc-tbf's rule of at least rate/HZ, with the
 * coarsest HZ of 100), and at least two full frames of the device: a burst below one frame would drop every
 * full-size packet.
 */
export function defaultTbfBurst(rateBits: number, mtu: number): number {
  return Math.max(Math.ceil(rateBits / 8 / 100), 2 * (mtu + ETH_HLEN));
}

/**
 * tbf's queue in bytes by nslab's rule: 50 ms at the rate plus the burst, and never less room than two of
 * the device's largest GSO packets above the burst (TCP hands a veth 64 KiB super-packets; less room drops in
 * every round trip: see rtnl/qdisc.ts TbfSpec.latencyMs).
 */
export function defaultTbfLimit(rateBits: number, burst: number, gsoMaxSize: number): number {
  return burst + Math.max(Math.floor((rateBits / 8) * 0.05), 2 * gsoMaxSize);
}
