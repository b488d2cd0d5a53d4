/**
 * Traffic control: queueing disciplines (RTM_NEWQDISC, RTM_DELQDISC, RTM_GETQDISC). struct tcmsg (family
 * u8, 3 pad bytes, ifindex s32, handle u32, parent u32, info u32) followed by TCA_* attributes. TCA_KIND
 * names the qdisc kind and decides how TCA_OPTIONS is laid out: the kinds live under qdiscs/, one file
 * each (tbf, netem), and a kind without a codec keeps its options as raw bytes.
 *
 * Kernel rules worth knowing when building requests:
 *   - a device is named by tcm_ifindex only; no TCA attribute carries a name.
 *   - a device's root qdisc has parent TC_H_ROOT. Handle 0 in a request lets the kernel pick one (8001:).
 *   - RTM_NEWQDISC with NLM_F_CREATE|NLM_F_REPLACE at the root (`tc qdisc replace`) changes the root qdisc
 *     in place when it is of the same kind, and puts a new one in its place otherwise.
 *   - RTM_DELQDISC at the root deletes the root qdisc and the device falls back to its default (noqueue on
 *     a veth), which has handle 0 and cannot be deleted: deleting again is ENOENT "Cannot delete qdisc with
 *     handle of zero".
 *   - a kind the kernel lacks (netem without sch_netem) is ENOENT "Specified qdisc kind is unknown".
 *   - a dump lists the qdiscs of every device: the kernel ignores tcm_ifindex, so filter the answer.
 *   - TCA_OPTIONS goes without NLA_F_NESTED, as tc sends it and the kernel dumps it (nla_nest_start_noflag):
 *     for netem it is not even a pure nest (a struct comes first).
 * Equivalent to: tc qdisc replace dev DEV root tbf rate 10mbit burst 32kbit latency 50ms
 */
import { decodeAttributes, defineAttributes, encodeAttributes } from './attributes.js';
import type { AttributeCodec, AttributeValues } from './attributes.js';
import { HOST_LITTLE_ENDIAN, concatBytes, copyBytes, viewOf } from './bytes.js';
import { Tca, TcH } from './constants.js';
import { NetlinkDecodeError, NetlinkEncodeError } from './error.js';
import { qdiscKinds } from './qdiscs/index.js';
import type { QdiscInfo } from './qdiscs/index.js';

/** Size of struct tcmsg. */
export const TCMSG_LEN = 20;

/** TCA_OPTIONS as it comes: its bytes and where they were, for the kind's decoder and its errors. */
interface OptionsPayload {
  data: Uint8Array;
  at: number;
}

const optionsCodec: AttributeCodec<OptionsPayload> = {
  encode: (options) => options.data,
  decode: (payload, at) => ({ data: copyBytes(payload, 0, payload.length), at }),
};

// Field order is tc's: kind, then options, then the rest.
export const tcAttributes = defineAttributes(
  'TCA',
  {
    /** The qdisc kind: 'tbf', 'netem', 'noqueue', 'fq_codel'... */
    kind: { type: Tca.KIND, kind: 'string' },
    /** Exposed as `qdisc` on QdiscAttrs, decoded by the kind's codec. */
    options: { type: Tca.OPTIONS, kind: 'custom', codec: optionsCodec },
    /** struct tc_estimator: a rate estimator to attach (`tc ... estimator 1s 8s`). */
    rate: { type: Tca.RATE, kind: 'bytes' },
    chain: { type: Tca.CHAIN, kind: 'u32' },
    ingressBlock: { type: Tca.INGRESS_BLOCK, kind: 'u32' },
    egressBlock: { type: Tca.EGRESS_BLOCK, kind: 'u32' },
    /** In a dump request: list the default qdiscs too (`tc qdisc show invisible`). */
    dumpInvisible: { type: Tca.DUMP_INVISIBLE, kind: 'flag' },
    /** 1 when the qdisc is offloaded to hardware. */
    hwOffload: { type: Tca.HW_OFFLOAD, kind: 'u8' },
    /** struct tc_stats (the old counters), raw. */
    stats: { type: Tca.STATS, kind: 'bytes' },
    /** The kind's own statistics (struct tc_netem_xstats...), raw. */
    xstats: { type: Tca.XSTATS, kind: 'bytes' },
    /** TCA_STATS_* nest (basic, queue, rate estimator counters), raw. */
    stats2: { type: Tca.STATS2, kind: 'bytes' },
    /** A warning the kernel attaches to a dumped object. */
    extWarnMsg: { type: Tca.EXT_WARN_MSG, kind: 'string' },
  },
  { ignore: [Tca.PAD] },
);

type TcWireAttrs = AttributeValues<typeof tcAttributes.fields>;

/** TCA attributes of a qdisc. Absent means "not sent" in a request and "not reported" in a reply. */
export type QdiscAttrs = Omit<TcWireAttrs, 'kind' | 'options'> & {
  /** TCA_KIND + TCA_OPTIONS: the qdisc's kind with its options. */
  qdisc?: QdiscInfo;
};

/** struct tcmsg. */
export interface TcHeader {
  /** AF_UNSPEC. */
  family: number;
  /** The device; tc knows devices by index only. */
  ifindex: number;
  /** The qdisc's own handle (8001: is 0x80010000); 0 in a request lets the kernel pick. */
  handle: number;
  /** TC_H_ROOT for a root qdisc, else the class it hangs under. */
  parent: number;
  /** For qdiscs: the reference count in replies, 0 in requests. */
  info: number;
}

/** A decoded qdisc message: every header field present. */
export interface QdiscMessage extends TcHeader {
  attrs: QdiscAttrs;
}

/** What encodeQdisc takes: header fields left out are 0. */
export type QdiscRequest = Partial<TcHeader> & { attrs: QdiscAttrs };

function u(value: number, min: number, max: number, what: string): number {
  if (!Number.isInteger(value) || value < min || value > max)
    throw new NetlinkEncodeError(`tcmsg ${what} must be an integer from ${min} to ${max}, not ${value}`);
  return value;
}

/** Body of a qdisc message: struct tcmsg + TCA attributes, TCA_OPTIONS built by the kind's codec. */
export function encodeQdisc(msg: QdiscRequest): Buffer {
  const head = Buffer.alloc(TCMSG_LEN);
  const view = viewOf(head);
  view.setUint8(0, u(msg.family ?? 0, 0, 0xff, 'family'));
  view.setInt32(4, u(msg.ifindex ?? 0, 0, 0x7fffffff, 'ifindex'), HOST_LITTLE_ENDIAN);
  view.setUint32(8, u(msg.handle ?? 0, 0, 0xffffffff, 'handle'), HOST_LITTLE_ENDIAN);
  view.setUint32(12, u(msg.parent ?? 0, 0, 0xffffffff, 'parent'), HOST_LITTLE_ENDIAN);
  view.setUint32(16, u(msg.info ?? 0, 0, 0xffffffff, 'info'), HOST_LITTLE_ENDIAN);
  const { qdisc, ...rest } = msg.attrs;
  const wire: TcWireAttrs = rest;
  if (qdisc !== undefined) {
    wire.kind = qdisc.kind;
    let data: Uint8Array | undefined;
    if (qdisc.raw === true) {
      data = qdisc.data;
    } else {
      const codec = qdiscKinds.get(qdisc.kind);
      if (codec === undefined) throw new NetlinkEncodeError(`qdisc kind "${qdisc.kind}" has no codec; pass it as { kind, raw: true, data }`);
      data = codec.encodeOptions(qdisc);
    }
    if (data !== undefined) wire.options = { data, at: 0 };
  }
  return concatBytes([head, encodeAttributes(tcAttributes, wire)]);
}

/** Decodes the body of RTM_NEWQDISC/RTM_DELQDISC (from a dump, a get, or an event). */
export function decodeQdisc(body: Uint8Array): QdiscMessage {
  if (body.length < TCMSG_LEN) throw new NetlinkDecodeError(`qdisc message body has ${body.length} bytes, too few for the ${TCMSG_LEN}-byte struct tcmsg`, 0);
  const view = viewOf(body);
  const { kind, options, ...rest } = decodeAttributes(tcAttributes, body.subarray(TCMSG_LEN), TCMSG_LEN);
  const attrs: QdiscAttrs = rest;
  if (kind !== undefined) {
    const codec = qdiscKinds.get(kind);
    if (codec !== undefined) {
      attrs.qdisc = codec.decodeOptions(options?.data, options?.at ?? TCMSG_LEN);
    } else {
      const raw: QdiscInfo = { kind, raw: true };
      if (options !== undefined) raw.data = options.data;
      attrs.qdisc = raw;
    }
  }
  return {
    family: view.getUint8(0),
    ifindex: view.getInt32(4, HOST_LITTLE_ENDIAN),
    handle: view.getUint32(8, HOST_LITTLE_ENDIAN),
    parent: view.getUint32(12, HOST_LITTLE_ENDIAN),
    info: view.getUint32(16, HOST_LITTLE_ENDIAN),
    attrs,
  };
}

/** TC_H_MAKE(maj, min): `maj` already in the high 16 bits (0x80010000), `min` in the low. */
export function tcHMake(maj: number, min: number): number {
  return ((maj & TcH.MAJ_MASK) | (min & TcH.MIN_MASK)) >>> 0;
}

/** TC_H_MAJ(h): the major half, still in the high 16 bits. */
export function tcHMaj(h: number): number {
  return (h & TcH.MAJ_MASK) >>> 0;
}

/** TC_H_MIN(h): the minor half. */
export function tcHMin(h: number): number {
  return h & TcH.MIN_MASK;
}

/** A handle as tc prints it: `root`, `ingress`, `none` (0), `8001:`, `1:10`, `:5`. */
export function formatTcHandle(h: number): string {
  const handle = h >>> 0;
  if (handle === TcH.ROOT) return 'root';
  if (handle === TcH.INGRESS) return 'ingress';
  if (handle === TcH.UNSPEC) return 'none';
  const maj = (tcHMaj(handle) >>> 16).toString(16);
  const min = tcHMin(handle).toString(16);
  if (tcHMaj(handle) === 0) return `:${min}`;
  return tcHMin(handle) === 0 ? `${maj}:` : `${maj}:${min}`;
}
