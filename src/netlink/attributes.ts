/**
 * Declarative netlink attributes (in the spirit of pyroute2's nla_map): a table names each attribute type
 * and says how its payload is laid out; one generic encoder and decoder walk any table.
 *
 * Kinds and their TypeScript values:
 *   u8 u16 u32 s32      number, host byte order (as the kernel's nla_put_u32)
 *   be16 be32           number, network byte order (the endianness belongs to the attribute: VXLAN port)
 *   u64 uint            bigint (u64 is always 8 bytes; `uint` is the kernel's NLA_UINT, 4 or 8 bytes).
 *                       bigint because counters and nanosecond horizons exceed 2^53; nothing nslab sets is u64.
 *   bool8               boolean carried as a u8 0/1 (VXLAN learning, bridge vlan_filtering)
 *   string              string, sent NUL-terminated; decoded up to the first NUL
 *   bytes               Uint8Array, opaque
 *   flag                true; present without payload (NLA_FLAG). Absent means not set.
 *   ipv4 ipv6           string; 4 or 16 bytes
 *   ip                  string; the length decides the family (4 or 16 bytes), the text on encoding
 *   mac                 string 'aa:bb:cc:dd:ee:ff'; any length (0 on tunnels, 20 on InfiniBand)
 *   nested              another table; sent with NLA_F_NESTED, as the kernel itself marks nests
 *   custom              an AttributeCodec for structs and lists (cache info, multipath, veth peer)
 *
 * Decoding masks NLA_F_NESTED and NLA_F_NET_BYTEORDER off the type, keeps attributes it has no entry for in
 * `unknown` as raw bytes (never an error), lets the last of duplicate attributes win (as the kernel does),
 * and checks every length against the buffer and the kind: anything else is a NetlinkDecodeError.
 */
import { HOST_LITTLE_ENDIAN, align4, concatBytes, copyBytes, viewOf } from './bytes.js';
import { bytesToIp, bytesToIpv4, bytesToIpv6, bytesToMac, ipToBytes, ipv4ToBytes, ipv6ToBytes, macToBytes } from './address.js';
import { NLA_F_NESTED, NLA_HDRLEN, NLA_TYPE_MASK } from './constants.js';
import { NetlinkDecodeError, NetlinkEncodeError } from './error.js';

export type IntKind = 'u8' | 'u16' | 'u32' | 's32' | 'be16' | 'be32';
export type BigIntKind = 'u64' | 'uint';
export type TextKind = 'string' | 'ipv4' | 'ipv6' | 'ip' | 'mac';

/** Encodes and decodes one attribute payload whose layout a plain kind cannot say. */
export interface AttributeCodec<T> {
  /** Payload bytes for `value` (without the attribute header), or undefined to send no attribute. */
  encode(value: T): Uint8Array | undefined;
  /**
   * Value of `payload`, or undefined to leave the field out; `at` is the payload's offset in the decoder's
   * input, for error messages.
   */
  decode(payload: Uint8Array, at: number): T | undefined;
  /** True when the payload is a nest of attributes: the encoder then sets NLA_F_NESTED. */
  readonly nested?: boolean;
}

export type AttributeSpec =
  | { readonly type: number; readonly kind: IntKind }
  | { readonly type: number; readonly kind: BigIntKind }
  | { readonly type: number; readonly kind: 'bool8' }
  | { readonly type: number; readonly kind: TextKind }
  | { readonly type: number; readonly kind: 'bytes' }
  | { readonly type: number; readonly kind: 'flag' }
  | { readonly type: number; readonly kind: 'nested'; readonly table: AttributeTable<AttributeFields> }
  | { readonly type: number; readonly kind: 'custom'; readonly codec: AttributeCodec<unknown> };

export type AttributeFields = Readonly<Record<string, AttributeSpec>>;

/** An attribute the table has no entry for, kept as it came (re-sent as it is when encoded). */
export interface RawAttribute {
  /** Attribute type with NLA_F_NESTED and NLA_F_NET_BYTEORDER masked off. */
  type: number;
  /** Set when the sender marked the attribute NLA_F_NESTED. */
  nested?: true;
  data: Uint8Array;
}

export interface AttributeTable<F extends AttributeFields> {
  /** Kernel prefix for messages, e.g. 'IFLA' or 'IFLA_VXLAN'. */
  readonly name: string;
  readonly fields: F;
  readonly byType: ReadonlyMap<number, readonly [key: string, spec: AttributeSpec]>;
  /** Types decoded as nothing at all (IFLA_PAD and friends: alignment filler before 64-bit values). */
  readonly ignored: ReadonlySet<number>;
}

/** The TypeScript value of one attribute spec. */
export type AttributeValue<S> = S extends { kind: IntKind }
  ? number
  : S extends { kind: BigIntKind }
    ? bigint
    : S extends { kind: 'bool8' }
      ? boolean
      : S extends { kind: TextKind }
        ? string
        : S extends { kind: 'bytes' }
          ? Uint8Array
          : S extends { kind: 'flag' }
            ? true
            : S extends { kind: 'nested'; table: AttributeTable<infer N> }
              ? AttributeValues<N>
              : S extends { kind: 'custom'; codec: AttributeCodec<infer T> }
                ? T
                : never;

/** The decoded form of a table: every attribute optional (absent = not sent), plus the unknown ones raw. */
export type AttributeValues<F extends AttributeFields> = { -readonly [K in keyof F]?: AttributeValue<F[K]> } & {
  /** Attributes this codec has no entry for, in arrival order. */
  unknown?: RawAttribute[];
};

/**
 * Declares a table. Field order is encoding order. Example:
 *   defineAttributes('IFLA_VXLAN', { id: { type: 1, kind: 'u32' }, port: { type: 15, kind: 'be16' } })
 */
export function defineAttributes<const F extends AttributeFields>(
  name: string,
  fields: F,
  options: { ignore?: readonly number[] } = {},
): AttributeTable<F> {
  const byType = new Map<number, readonly [string, AttributeSpec]>();
  for (const [key, spec] of Object.entries(fields)) {
    if (byType.has(spec.type)) throw new Error(`${name}: attribute type ${spec.type} is declared twice`);
    byType.set(spec.type, [key, spec]);
  }
  return { name, fields, byType, ignored: new Set(options.ignore ?? []) };
}

// ---------------------------------------------------------------------------------------------------------
// Encoding

/** One attribute: header (len, type) + payload + padding to 4 bytes. */
export function encodeAttribute(type: number, payload: Uint8Array, nested = false): Buffer {
  const len = NLA_HDRLEN + payload.length;
  if (len > 0xffff) throw new NetlinkEncodeError(`attribute ${type} is ${len} bytes; netlink attributes hold at most 65535`);
  const out = Buffer.alloc(align4(len));
  const view = viewOf(out);
  view.setUint16(0, len, HOST_LITTLE_ENDIAN);
  view.setUint16(2, (type & NLA_TYPE_MASK) | (nested ? NLA_F_NESTED : 0), HOST_LITTLE_ENDIAN);
  out.set(payload, NLA_HDRLEN);
  return out;
}

const intRange: Record<IntKind, readonly [number, number, number]> = {
  u8: [0, 0xff, 1],
  u16: [0, 0xffff, 2],
  be16: [0, 0xffff, 2],
  u32: [0, 0xffffffff, 4],
  be32: [0, 0xffffffff, 4],
  s32: [-0x80000000, 0x7fffffff, 4],
};

function encodeInt(kind: IntKind, value: number, what: string): Uint8Array {
  const [min, max, size] = intRange[kind];
  if (!Number.isInteger(value) || value < min || value > max) {
    throw new NetlinkEncodeError(`${what} must be an integer from ${min} to ${max} (${kind}), not ${value}`);
  }
  const out = new Uint8Array(size);
  const view = viewOf(out);
  switch (kind) {
    case 'u8':
      view.setUint8(0, value);
      break;
    case 'u16':
      view.setUint16(0, value, HOST_LITTLE_ENDIAN);
      break;
    case 'be16':
      view.setUint16(0, value, false);
      break;
    case 'u32':
      view.setUint32(0, value, HOST_LITTLE_ENDIAN);
      break;
    case 'be32':
      view.setUint32(0, value, false);
      break;
    case 's32':
      view.setInt32(0, value, HOST_LITTLE_ENDIAN);
      break;
  }
  return out;
}

function encodeU64(value: bigint, what: string): Uint8Array {
  if (typeof value !== 'bigint' || value < 0n || value > 0xffffffffffffffffn) {
    throw new NetlinkEncodeError(`${what} must be a bigint from 0 to 2^64-1`);
  }
  const out = new Uint8Array(8);
  viewOf(out).setBigUint64(0, value, HOST_LITTLE_ENDIAN);
  return out;
}

function encodeValue(spec: AttributeSpec, value: unknown, what: string): Uint8Array | undefined {
  switch (spec.kind) {
    case 'u8':
    case 'u16':
    case 'u32':
    case 's32':
    case 'be16':
    case 'be32':
      return encodeInt(spec.kind, value as number, what);
    case 'u64':
    case 'uint':
      return encodeU64(value as bigint, what);
    case 'bool8':
      return Uint8Array.of(value === true ? 1 : 0);
    case 'string':
      if (typeof value !== 'string') throw new NetlinkEncodeError(`${what} must be a string`);
      return Buffer.from(`${value}\0`, 'utf8');
    case 'bytes':
      return value as Uint8Array;
    case 'flag':
      return new Uint8Array(0);
    case 'ipv4':
      return ipv4ToBytes(value as string);
    case 'ipv6':
      return ipv6ToBytes(value as string);
    case 'ip':
      return ipToBytes(value as string);
    case 'mac':
      return macToBytes(value as string);
    case 'nested':
      return encodeAttributes(spec.table, value as AttributeValues<AttributeFields>);
    case 'custom':
      return spec.codec.encode(value);
  }
}

/**
 * Encodes the attributes present in `values`, in table order, then the raw `unknown` ones. Absent
 * (undefined) fields are not sent; a `flag` is sent only when true.
 */
export function encodeAttributes<F extends AttributeFields>(table: AttributeTable<F>, values: AttributeValues<F>): Buffer {
  const parts: Uint8Array[] = [];
  const record = values as Readonly<Record<string, unknown>>;
  for (const [key, spec] of Object.entries(table.fields)) {
    const value = record[key];
    if (value === undefined || (spec.kind === 'flag' && value !== true)) continue;
    const nested = spec.kind === 'nested' || (spec.kind === 'custom' && spec.codec.nested === true);
    const payload = encodeValue(spec, value, `${table.name} ${key}`);
    if (payload !== undefined) parts.push(encodeAttribute(spec.type, payload, nested));
  }
  for (const raw of values.unknown ?? []) parts.push(encodeAttribute(raw.type, raw.data, raw.nested === true));
  return concatBytes(parts);
}

// ---------------------------------------------------------------------------------------------------------
// Decoding

/** One attribute as found on the wire; `data` is a view into the input (not a copy). */
export interface WireAttribute {
  type: number;
  nested: boolean;
  data: Uint8Array;
  /** Offset of the attribute header in the decoder's input. */
  at: number;
}

/**
 * Splits `buf` into attributes, validating each header and length. `base` is the offset of `buf` in the
 * decoder's input, so errors point at the right byte.
 */
export function splitAttributes(buf: Uint8Array, base = 0, where = 'attribute'): WireAttribute[] {
  const out: WireAttribute[] = [];
  const view = viewOf(buf);
  let off = 0;
  while (off < buf.length) {
    if (buf.length - off < NLA_HDRLEN) {
      throw new NetlinkDecodeError(`${buf.length - off} stray bytes after the last ${where}, too few for a header`, base + off);
    }
    const len = view.getUint16(off, HOST_LITTLE_ENDIAN);
    const rawType = view.getUint16(off + 2, HOST_LITTLE_ENDIAN);
    if (len < NLA_HDRLEN) throw new NetlinkDecodeError(`${where} length ${len} is below the 4-byte header`, base + off);
    if (off + len > buf.length) {
      throw new NetlinkDecodeError(`${where} (type ${rawType & NLA_TYPE_MASK}) of ${len} bytes runs past the end (${buf.length - off} left)`, base + off);
    }
    out.push({ type: rawType & NLA_TYPE_MASK, nested: (rawType & NLA_F_NESTED) !== 0, data: buf.subarray(off + NLA_HDRLEN, off + len), at: base + off });
    off += align4(len);
  }
  return out;
}

function wrongLength(what: string, got: number, expected: string, at: number): NetlinkDecodeError {
  return new NetlinkDecodeError(`${what} has ${got} payload bytes, expected ${expected}`, at);
}

function decodeValue(spec: AttributeSpec, data: Uint8Array, at: number, what: string): unknown {
  const payloadAt = at + NLA_HDRLEN;
  const view = viewOf(data);
  const exactly = (n: number): void => {
    if (data.length !== n) throw wrongLength(what, data.length, String(n), at);
  };
  switch (spec.kind) {
    case 'u8':
      exactly(1);
      return view.getUint8(0);
    case 'bool8':
      exactly(1);
      return view.getUint8(0) !== 0;
    case 'u16':
      exactly(2);
      return view.getUint16(0, HOST_LITTLE_ENDIAN);
    case 'be16':
      exactly(2);
      return view.getUint16(0, false);
    case 'u32':
      exactly(4);
      return view.getUint32(0, HOST_LITTLE_ENDIAN);
    case 'be32':
      exactly(4);
      return view.getUint32(0, false);
    case 's32':
      exactly(4);
      return view.getInt32(0, HOST_LITTLE_ENDIAN);
    case 'u64':
      exactly(8);
      return view.getBigUint64(0, HOST_LITTLE_ENDIAN);
    case 'uint':
      if (data.length === 4) return BigInt(view.getUint32(0, HOST_LITTLE_ENDIAN));
      if (data.length === 8) return view.getBigUint64(0, HOST_LITTLE_ENDIAN);
      throw wrongLength(what, data.length, '4 or 8', at);
    case 'string': {
      const nul = data.indexOf(0);
      return Buffer.from(data.buffer, data.byteOffset, nul === -1 ? data.length : nul).toString('utf8');
    }
    case 'bytes':
      return copyBytes(data, 0, data.length);
    case 'flag':
      exactly(0);
      return true;
    case 'ipv4':
      exactly(4);
      return bytesToIpv4(data);
    case 'ipv6':
      exactly(16);
      return bytesToIpv6(data);
    case 'ip': {
      const ip = bytesToIp(data);
      if (ip === undefined) throw wrongLength(what, data.length, '4 or 16', at);
      return ip;
    }
    case 'mac':
      return bytesToMac(data);
    case 'nested':
      return decodeAttributes(spec.table, data, payloadAt);
    case 'custom':
      return spec.codec.decode(data, payloadAt);
  }
}

/** Decodes attributes with a table. `base` is the offset of `buf` in the decoder's input, for errors. */
export function decodeAttributes<F extends AttributeFields>(table: AttributeTable<F>, buf: Uint8Array, base = 0): AttributeValues<F> {
  const out: Record<string, unknown> = {};
  const unknown: RawAttribute[] = [];
  for (const attr of splitAttributes(buf, base, `${table.name} attribute`)) {
    if (table.ignored.has(attr.type)) continue;
    const entry = table.byType.get(attr.type);
    if (entry === undefined) {
      const raw: RawAttribute = { type: attr.type, data: copyBytes(attr.data, 0, attr.data.length) };
      if (attr.nested) raw.nested = true;
      unknown.push(raw);
      continue;
    }
    const [key, spec] = entry;
    const value = decodeValue(spec, attr.data, attr.at, `${table.name} attribute ${attr.type} (${key})`);
    if (value === undefined) delete out[key];
    else out[key] = value;
  }
  if (unknown.length > 0) out['unknown'] = unknown;
  return out as AttributeValues<F>;
}
