/**
 * Queueing disciplines of a Handle: `handle.qdisc.*`, the root qdisc of a device, for link rate limits
 * (tbf) and impairments (netem). Each names its tc equivalent.
 *
 * Units at this layer are the ones people speak: rates in bits per second (10e6 is tc's `10mbit`), times in
 * milliseconds, loss in percent, sizes in bytes. The codec (src/netlink/qdiscs/) turns them into the
 * kernel's bytes per second and scheduler ticks, with the tick of every kernel since 2.6.31 (64 ns, what
 * /proc/net/psched says; see psched.ts).
 */
import {
  decodeQdisc,
  encodeQdisc,
  errnoNumber,
  formatTcHandle,
  NetlinkEncodeError,
  netemOptions,
  NlmF,
  probabilityToPercent,
  RtmTc,
  tbfOptions,
  TcH,
  ticksToNs,
  transmitSize,
  defaultTbfBurst,
  defaultTbfLimit,
} from '../netlink/index.js';

export { defaultTbfBurst, defaultTbfLimit };
import type { QdiscInfo, QdiscMessage } from '../netlink/index.js';
import { devLabel, type DevRef } from './dev.js';
import { NetlinkError } from './error.js';
import type { Handle } from './handle.js';

/**
 * A rate limit: a token bucket filter.
 * Equivalent to: tc qdisc replace dev DEV root tbf rate RATE burst BURST latency LATENCY (or limit BYTES)
 */
export interface TbfSpec {
  kind: 'tbf';
  /** Bits per second (10_000_000 for 10mbit). */
  rate: number;
  /**
   * Bucket size in bytes: what may leave back to back above the rate. Default: 10 ms of traffic at the rate
   * (tc-tbf's rule of at least rate/HZ, with the coarsest HZ of 100) and at least two full frames of the
   * device (2 * (MTU + 14)); a burst below one frame would drop every full-size packet.
   */
  burst?: number;
  /**
   * Longest a packet may wait in the queue, in milliseconds: the queue holds rate * latency + burst bytes
   * (tc's rule). Default: 50 ms, but never less room than two of the device's largest GSO packets (2 * 64 KiB
   * on a veth) above the burst. TCP hands a veth 64 KiB super-packets and TCP small queues lets a socket keep
   * about two of them in the qdisc: a smaller queue drops in every round trip (at 10mbit, 50 ms of queue
   * dropped 3 packets for every one sent and stalled TCP in retransmission timeouts), while this floor
   * keeps a TCP transfer at the rate. An explicit latencyMs is taken as it is.
   */
  latencyMs?: number;
  /** The queue in bytes, instead of a latency (tc's `limit`): what `nslab up` sends, so `--explain` says it exactly. */
  limit?: number;
}

/**
 * Impairments: delay, jitter, loss, and optionally a rate (netem's own, without a bucket).
 * Equivalent to: tc qdisc replace dev DEV root netem delay DELAY JITTER loss LOSS% rate RATE
 */
export interface NetemSpec {
  kind: 'netem';
  delayMs?: number;
  /** Random variation of the delay, plus or minus, in milliseconds. */
  jitterMs?: number;
  /** Random loss, 0 to 100. */
  lossPercent?: number;
  /** Bits per second. */
  rate?: number;
  /** Queue length in packets. Default 1000 (tc's). */
  limit?: number;
}

/** What `replace` puts at the root of a device. */
export type QdiscSpec = TbfSpec | NetemSpec;

/** A qdisc as read back from the kernel, in the handle's namespace. */
export interface Qdisc {
  ifindex: number;
  /** 'tbf', 'netem', 'noqueue', 'fq_codel'... */
  kind: string;
  /** As tc prints it: `8001:`; `none` for a device's default qdisc. */
  handle: string;
  /** As tc prints it: `root`, or the parent class (`1:10`). */
  parent: string;
  /** True for the device's root qdisc. */
  root: boolean;
  /** The settings, in QdiscSpec units, for the kinds nslab writes (tbf, netem). */
  spec?: QdiscSpec;
  /** The decoded message, for everything else. */
  message: QdiscMessage;
}

const ENOENT = errnoNumber('ENOENT') ?? 2;

/**
 * The kernel has no qdisc of that kind (not built, module not loaded). A NetlinkError (ENOENT, the kernel's
 * "Specified qdisc kind is unknown") whose message says which kind and what to do.
 */
export class QdiscKindMissingError extends NetlinkError {
  readonly kind: string;
  constructor(kind: string, from: NetlinkError) {
    super({ errno: from.errno, operation: from.operation, object: from.object, netns: from.netns, kernelMessage: from.kernelMessage });
    this.name = 'QdiscKindMissingError';
    this.kind = kind;
    const module = `sch_${kind}`;
    this.message += `; this kernel has no "${kind}" qdisc: load its module on the host (modprobe ${module}) or use a kernel built with CONFIG_NET_SCH_${kind.toUpperCase()}`;
  }
}

/** True when `err` says the kernel lacks the qdisc kind `kind` (see QdiscKindMissingError). */
export function isMissingQdisc(err: unknown, kind: string): boolean {
  return err instanceof QdiscKindMissingError && err.kind === kind;
}

export class QdiscOps {
  readonly #h: Handle;

  constructor(handle: Handle) {
    this.#h = handle;
  }

  /**
   * Puts `spec` at the root of a device: creates it, changes the one there in place when it is of the same
   * kind, or replaces one of another kind. Idempotent. Rejects with QdiscKindMissingError (isMissingQdisc)
   * when the kernel lacks the kind.
   *
   * Equivalent to: tc qdisc replace dev DEV root tbf rate R burst B latency L  (limit BYTES for the default latency)
   *            or: tc qdisc replace dev DEV root netem delay D J loss L% rate R
   */
  async replace(dev: DevRef, spec: QdiscSpec): Promise<void> {
    // tbf's defaults depend on the device (MTU, GSO size); everything else needs only its index.
    const needDevice = spec.kind === 'tbf' && (spec.burst === undefined || (spec.latencyMs === undefined && spec.limit === undefined));
    const { index, ...device } = needDevice ? await this.#link(dev) : { index: await this.#h.link.index(dev), ...DEFAULT_DEVICE };
    await this.#newRoot(index, dev, qdiscInfo(spec, device));
  }

  /**
   * Deletes the root qdisc of a device, which falls back to its default (noqueue on a veth). Resolves true
   * when one was deleted, false when there was only the default already (so it is idempotent).
   *
   * Equivalent to: tc qdisc del dev DEV root
   */
  async del(dev: DevRef): Promise<boolean> {
    const ifindex = await this.#h.link.index(dev);
    try {
      await this.#request(RtmTc.DELQDISC, 0, encodeQdisc({ ifindex, parent: TcH.ROOT, attrs: {} }), `qdisc dev ${devLabel(dev)} root`);
      return true;
    } catch (e) {
      // "Cannot delete qdisc with handle of zero": the default qdisc is all there is.
      if (e instanceof NetlinkError && e.errno === ENOENT) return false;
      throw e;
    }
  }

  /**
   * Lists the qdiscs of the namespace, or of one device.
   *
   * Equivalent to: tc qdisc show [dev DEV]
   */
  async list(dev?: DevRef): Promise<Qdisc[]> {
    const ifindex = dev === undefined ? undefined : await this.#h.link.index(dev);
    const answer = await this.#request(RtmTc.GETQDISC, NlmF.DUMP, encodeQdisc({ attrs: {} }), dev === undefined ? 'qdiscs' : `qdiscs of dev ${devLabel(dev)}`);
    // The kernel dumps every device's qdiscs, whatever tcm_ifindex says: filter here, as tc does.
    return answer
      .filter((m) => m.type === RtmTc.NEWQDISC)
      .map((m) => toQdisc(decodeQdisc(m.body)))
      .filter((q) => ifindex === undefined || q.ifindex === ifindex);
  }

  /**
   * The root qdisc of a device (its default, kind noqueue or the like, when none was set).
   *
   * Equivalent to: tc qdisc show dev DEV root
   */
  async root(dev: DevRef): Promise<Qdisc | undefined> {
    return (await this.list(dev)).find((q) => q.root);
  }

  /**
   * Puts a qdisc of any kind at the root, from its codec form (a kind nslab has no spec for goes as
   * `{ kind, raw: true }`, with options as bytes or none).
   *
   * Equivalent to: tc qdisc replace dev DEV root KIND [OPTIONS]
   */
  async replaceRaw(dev: DevRef, info: QdiscInfo): Promise<void> {
    await this.#newRoot(await this.#h.link.index(dev), dev, info);
  }

  async #newRoot(ifindex: number, dev: DevRef, info: QdiscInfo): Promise<void> {
    const body = encodeQdisc({ ifindex, parent: TcH.ROOT, attrs: { qdisc: info } });
    await this.#request(RtmTc.NEWQDISC, NlmF.CREATE | NlmF.REPLACE, body, `qdisc ${info.kind} dev ${devLabel(dev)} root`, info.kind);
  }

  async #link(dev: DevRef): Promise<{ index: number } & DeviceSizes> {
    const link = await this.#h.link.get(dev);
    if (link === undefined) return { index: await this.#h.link.index(dev), ...DEFAULT_DEVICE }; // throws NSLAB_NOT_FOUND for a name
    return { index: link.index, mtu: link.mtu, gsoMaxSize: link.message.attrs.gsoMaxSize ?? DEFAULT_DEVICE.gsoMaxSize };
  }

  /** Handle.request, with a missing kind made explicit. */
  async #request(type: number, flags: number, body: Buffer, object: string, kind?: string): ReturnType<Handle['request']> {
    try {
      return await this.#h.request({ type, flags, body, object });
    } catch (e) {
      // At the root, ENOENT from RTM_NEWQDISC can only mean the kind (kernels without extack send no text).
      if (
        e instanceof NetlinkError &&
        kind !== undefined &&
        type === RtmTc.NEWQDISC &&
        e.errno === ENOENT &&
        (e.kernelMessage === undefined || /kind is unknown/i.test(e.kernelMessage))
      ) {
        throw new QdiscKindMissingError(kind, e);
      }
      throw e;
    }
  }
}

/**
 * True when the kernel has the qdisc kind: puts one at the root of `dev` and deletes it again. This
 * replaces whatever root qdisc `dev` had: probe on a device of a throwaway namespace.
 *
 * Equivalent to: tc qdisc replace dev DEV root KIND && tc qdisc del dev DEV root
 */
export async function qdiscSupported(handle: Handle, dev: DevRef, kind: string): Promise<boolean> {
  try {
    if (kind === 'tbf') await handle.qdisc.replace(dev, { kind: 'tbf', rate: 1_000_000, burst: 4096 });
    else if (kind === 'netem') await handle.qdisc.replace(dev, { kind: 'netem' });
    else await handle.qdisc.replaceRaw(dev, { kind, raw: true });
  } catch (e) {
    if (isMissingQdisc(e, kind)) return false;
    throw e;
  }
  await handle.qdisc.del(dev);
  return true;
}

/** What tbf's defaults depend on: the device's MTU and the largest GSO packet the stack hands it. */
export interface DeviceSizes {
  mtu: number;
  gsoMaxSize: number;
}

/** A veth's: MTU 1500, GSO packets up to 64 KiB. */
const DEFAULT_DEVICE: DeviceSizes = { mtu: 1500, gsoMaxSize: 65536 };

function bytesPerSecond(bits: number, what: string): number {
  if (!Number.isFinite(bits) || bits < 8) throw new NetlinkEncodeError(`${what} must be at least 8 bits per second, not ${bits}`);
  return Math.round(bits / 8);
}

function msToNs(ms: number | undefined, what: string): bigint | undefined {
  if (ms === undefined) return undefined;
  if (!Number.isFinite(ms) || ms < 0) throw new NetlinkEncodeError(`${what} must be a number of milliseconds, 0 or more, not ${ms}`);
  return BigInt(Math.round(ms * 1_000_000));
}

/** The codec form of a spec; `device` sizes tbf's default burst and queue (a veth's when absent). */
export function qdiscInfo(spec: QdiscSpec, device: DeviceSizes = DEFAULT_DEVICE): QdiscInfo {
  if (spec.kind === 'tbf') {
    const rate = bytesPerSecond(spec.rate, 'tbf rate');
    const burst = spec.burst ?? defaultTbfBurst(spec.rate, device.mtu);
    if (spec.latencyMs === undefined) return tbfOptions({ rate, burst, limit: spec.limit ?? defaultTbfLimit(spec.rate, burst, device.gsoMaxSize) });
    if (!Number.isFinite(spec.latencyMs) || spec.latencyMs < 0)
      throw new NetlinkEncodeError(`tbf latency must be a number of milliseconds, 0 or more, not ${spec.latencyMs}`);
    return tbfOptions({ rate, burst, latencyUs: Math.round(spec.latencyMs * 1000) });
  }
  const delayNs = msToNs(spec.delayMs, 'netem delay');
  const jitterNs = msToNs(spec.jitterMs, 'netem jitter');
  return netemOptions({
    ...(delayNs !== undefined ? { delayNs } : {}),
    ...(jitterNs !== undefined ? { jitterNs } : {}),
    ...(spec.lossPercent !== undefined ? { lossPercent: spec.lossPercent } : {}),
    ...(spec.rate !== undefined ? { rate: bytesPerSecond(spec.rate, 'netem rate') } : {}),
    ...(spec.limit !== undefined ? { limit: spec.limit } : {}),
  });
}

/** Rounds to `digits` decimals, to keep tick arithmetic from showing (50 ms, not 49.99999999). */
const round = (x: number, digits: number): number => Math.round(x * 10 ** digits) / 10 ** digits;

/** The settings of a decoded tbf or netem, in QdiscSpec units; undefined for other kinds. */
export function specOf(info: QdiscInfo | undefined): QdiscSpec | undefined {
  if (info === undefined || info.raw === true) return undefined;
  if (info.kind === 'tbf') {
    const parms = info.parms;
    if (parms === undefined) return undefined;
    const rate = info.rate64 !== undefined ? Number(info.rate64) : parms.rate.rate;
    if (rate === 0) return undefined;
    const burst = info.burst ?? transmitSize(rate, parms.buffer);
    return { kind: 'tbf', rate: rate * 8, burst, latencyMs: round(((parms.limit - burst) * 1000) / rate, 3) };
  }
  const q = info.qopt;
  if (q === undefined) return undefined;
  const delayNs = info.latency64 ?? ticksToNs(q.latency);
  const jitterNs = info.jitter64 ?? ticksToNs(q.jitter);
  const rate = info.rate64 !== undefined ? Number(info.rate64) : (info.rate?.rate ?? 0);
  return {
    kind: 'netem',
    ...(delayNs !== 0n ? { delayMs: Number(delayNs) / 1e6 } : {}),
    ...(jitterNs !== 0n ? { jitterMs: Number(jitterNs) / 1e6 } : {}),
    ...(q.loss !== 0 ? { lossPercent: round(probabilityToPercent(q.loss), 6) } : {}),
    ...(rate !== 0 ? { rate: rate * 8 } : {}),
    limit: q.limit,
  };
}

export function toQdisc(m: QdiscMessage): Qdisc {
  const spec = specOf(m.attrs.qdisc);
  return {
    ifindex: m.ifindex,
    kind: m.attrs.qdisc?.kind ?? '',
    handle: formatTcHandle(m.handle),
    parent: formatTcHandle(m.parent),
    root: m.parent === TcH.ROOT,
    ...(spec !== undefined ? { spec } : {}),
    message: m,
  };
}
