/**
 * Fixed C structs as declarative tables, for the payloads traffic control carries as structs rather than
 * attributes (struct tc_ratespec, tc_tbf_qopt, tc_netem_qopt...). A struct lists its fields in order with
 * their kind; offsets follow, and defineStruct refuses a field that would need padding before it, so a
 * table can only describe a layout the C compiler would give the same offsets:
 *
 *   defineStruct('tc_netem_corr', [['delayCorr', 'u32'], ['lossCorr', 'u32'], ['dupCorr', 'u32']])
 *
 * Integers are host byte order, as the kernel's uapi structs are. 64-bit fields are bigint. A field may be
 * another struct (struct tc_tbf_qopt holds two struct tc_ratespec).
 */
import type { AttributeCodec } from '../attributes.js';
import { HOST_LITTLE_ENDIAN, viewOf } from '../bytes.js';
import { NetlinkDecodeError, NetlinkEncodeError } from '../error.js';

export type ScalarKind = 'u8' | 'u16' | 's16' | 'u32' | 's32' | 'u64' | 's64';

/** A struct codec: an AttributeCodec for a payload that is exactly this struct, plus raw read/write. */
export interface StructCodec<V> extends AttributeCodec<V> {
  /** struct name as in the uapi header, for messages. */
  readonly name: string;
  /** sizeof(struct). */
  readonly size: number;
  /** Its strictest member alignment. */
  readonly align: number;
  write(view: DataView, offset: number, value: V, what: string): void;
  read(view: DataView, offset: number): V;
  /** Exactly `size` bytes. */
  encode(value: V): Uint8Array;
  /** Throws NetlinkDecodeError unless the payload is exactly `size` bytes. */
  decode(payload: Uint8Array, at: number): V;
}

type FieldKind = ScalarKind | StructCodec<unknown>;
type FieldList = readonly (readonly [string, FieldKind])[];

type ValueOf<K> = K extends 'u64' | 's64' ? bigint : K extends ScalarKind ? number : K extends StructCodec<infer V> ? V : never;

/** The TypeScript value of a struct: every field present. */
export type StructValue<F extends FieldList> = { -readonly [E in F[number] as E[0]]: ValueOf<E[1]> };

/** The value type of a struct codec: `StructOf<typeof tcRatespec>`. */
export type StructOf<C> = C extends StructCodec<infer V> ? V : never;

const scalarSize: Record<ScalarKind, number> = { u8: 1, u16: 2, s16: 2, u32: 4, s32: 4, u64: 8, s64: 8 };
const intRange: Record<'u8' | 'u16' | 's16' | 'u32' | 's32', readonly [number, number]> = {
  u8: [0, 0xff],
  u16: [0, 0xffff],
  s16: [-0x8000, 0x7fff],
  u32: [0, 0xffffffff],
  s32: [-0x80000000, 0x7fffffff],
};

function writeScalar(view: DataView, off: number, kind: ScalarKind, value: unknown, what: string): void {
  if (kind === 'u64' || kind === 's64') {
    const [min, max] = kind === 'u64' ? [0n, 0xffffffffffffffffn] : [-(2n ** 63n), 2n ** 63n - 1n];
    if (typeof value !== 'bigint' || value < min || value > max) throw new NetlinkEncodeError(`${what} must be a bigint from ${min} to ${max} (${kind})`);
    if (kind === 'u64') view.setBigUint64(off, value, HOST_LITTLE_ENDIAN);
    else view.setBigInt64(off, value, HOST_LITTLE_ENDIAN);
    return;
  }
  const [min, max] = intRange[kind];
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
    throw new NetlinkEncodeError(`${what} must be an integer from ${min} to ${max} (${kind}), not ${String(value)}`);
  }
  switch (kind) {
    case 'u8':
      view.setUint8(off, value);
      break;
    case 'u16':
      view.setUint16(off, value, HOST_LITTLE_ENDIAN);
      break;
    case 's16':
      view.setInt16(off, value, HOST_LITTLE_ENDIAN);
      break;
    case 'u32':
      view.setUint32(off, value, HOST_LITTLE_ENDIAN);
      break;
    case 's32':
      view.setInt32(off, value, HOST_LITTLE_ENDIAN);
      break;
  }
}

function readScalar(view: DataView, off: number, kind: ScalarKind): number | bigint {
  switch (kind) {
    case 'u8':
      return view.getUint8(off);
    case 'u16':
      return view.getUint16(off, HOST_LITTLE_ENDIAN);
    case 's16':
      return view.getInt16(off, HOST_LITTLE_ENDIAN);
    case 'u32':
      return view.getUint32(off, HOST_LITTLE_ENDIAN);
    case 's32':
      return view.getInt32(off, HOST_LITTLE_ENDIAN);
    case 'u64':
      return view.getBigUint64(off, HOST_LITTLE_ENDIAN);
    case 's64':
      return view.getBigInt64(off, HOST_LITTLE_ENDIAN);
  }
}

/** Declares a struct; see the file comment. Throws (at load time) on a layout that would need padding. */
export function defineStruct<const F extends FieldList>(name: string, fields: F): StructCodec<StructValue<F>> {
  const layout: { key: string; kind: FieldKind; offset: number }[] = [];
  let offset = 0;
  let align = 1;
  for (const [key, kind] of fields) {
    const size = typeof kind === 'string' ? scalarSize[kind] : kind.size;
    const fieldAlign = typeof kind === 'string' ? size : kind.align;
    if (offset % fieldAlign !== 0)
      throw new Error(`struct ${name}: field ${key} at offset ${offset} would be padded to ${fieldAlign}-byte alignment; declare the padding`);
    layout.push({ key, kind, offset });
    offset += size;
    align = Math.max(align, fieldAlign);
  }
  if (offset % align !== 0) throw new Error(`struct ${name}: size ${offset} would be padded to ${align}-byte alignment; declare the padding`);
  const size = offset;

  const codec: StructCodec<StructValue<F>> = {
    name,
    size,
    align,
    write(view, base, value, what) {
      const record = value as Readonly<Record<string, unknown>>;
      for (const f of layout) {
        const v = record[f.key];
        if (typeof f.kind === 'string') writeScalar(view, base + f.offset, f.kind, v, `${what}.${f.key}`);
        else f.kind.write(view, base + f.offset, v, `${what}.${f.key}`);
      }
    },
    read(view, base) {
      const out: Record<string, unknown> = {};
      for (const f of layout) out[f.key] = typeof f.kind === 'string' ? readScalar(view, base + f.offset, f.kind) : f.kind.read(view, base + f.offset);
      return out as StructValue<F>;
    },
    encode(value) {
      if (typeof value !== 'object' || value === null) throw new NetlinkEncodeError(`struct ${name} must be an object`);
      const out = new Uint8Array(size);
      codec.write(viewOf(out), 0, value, `struct ${name}`);
      return out;
    },
    decode(payload, at) {
      if (payload.length !== size) throw new NetlinkDecodeError(`struct ${name} has ${payload.length} bytes, expected ${size}`, at);
      return codec.read(viewOf(payload), 0);
    },
  };
  return codec;
}

/** An array of u32 (rate tables: 256 entries of transmit time in ticks, by packet size). */
export const u32ArrayCodec: AttributeCodec<number[]> = {
  encode(values) {
    const out = new Uint8Array(values.length * 4);
    const view = viewOf(out);
    values.forEach((v, i) => writeScalar(view, i * 4, 'u32', v, `u32 array [${i}]`));
    return out;
  },
  decode(payload, at) {
    if (payload.length % 4 !== 0) throw new NetlinkDecodeError(`u32 array of ${payload.length} bytes is not a whole number of u32`, at);
    const view = viewOf(payload);
    return Array.from({ length: payload.length / 4 }, (_, i) => view.getUint32(i * 4, HOST_LITTLE_ENDIAN));
  },
};

/** A signed 64-bit attribute (nla_put_s64): bigint. */
export const s64Codec: AttributeCodec<bigint> = {
  encode(value) {
    const out = new Uint8Array(8);
    writeScalar(viewOf(out), 0, 's64', value, 's64 attribute');
    return out;
  },
  decode(payload, at) {
    if (payload.length !== 8) throw new NetlinkDecodeError(`s64 attribute has ${payload.length} bytes, expected 8`, at);
    return viewOf(payload).getBigInt64(0, HOST_LITTLE_ENDIAN);
  },
};
