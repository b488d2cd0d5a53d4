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
import { HOST_LITTLE_ENDIAN, align4, copyBytes, putBe16, putBe32, putU16, putU32, viewOf } from './bytes.js';
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
  /** Each field by its key, with what encoding needs worked out once (see defineAttributes). */
  readonly byKey: ReadonlyMap<string, AttributeField>;
  /** Types decoded as nothing at all (IFLA_PAD and friends: alignment filler before 64-bit values). */
  readonly ignored: ReadonlySet<number>;
}

/** One field of a table as the encoder uses it. */
export interface AttributeField {
  readonly key: string;
  readonly spec: AttributeSpec;
  /** Position in the table, which is the order on the wire. */
  readonly order: number;
  /** Whether the header carries NLA_F_NESTED (nests, and custom codecs that say they are one). */
  readonly nested: boolean;
  /** How encoding errors name it, e.g. 'IFLA mtu'. */
  readonly what: string;
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
export function defineAttributes<const F extends AttributeFields>(name: string, fields: F, options: { ignore?: readonly number[] } = {}): AttributeTable<F> {
  const byType = new Map<number, readonly [string, AttributeSpec]>();
  // Worked out here, once per table, so that encoding a message costs its few attributes and not a walk
  // over the whole table (IFLA has some fifty fields; a request sets two or three).
  const byKey = new Map<string, AttributeField>();
  for (const [key, spec] of Object.entries(fields)) {
    if (byType.has(spec.type)) throw new Error(`${name}: attribute type ${spec.type} is declared twice`);
    byType.set(spec.type, [key, spec]);
    const nested = spec.kind === 'nested' || (spec.kind === 'custom' && spec.codec.nested === true);
    byKey.set(key, { key, spec, order: byKey.size, nested, what: `${name} ${key}` });
  }
  return { name, fields, byType, byKey, ignored: new Set(options.ignore ?? []) };
}

// ---------------------------------------------------------------------------------------------------------
// Encoding
//
// encodeAttributes works in two passes: the first checks every value and works out every attribute's
// length, encoding to a separate payload only the kinds that need one (addresses, nests, custom structs);
// the second writes headers, integers and strings straight into a single buffer of the right size. A CLI
// run encodes thousands of small requests once each, mostly before the JIT has warmed up: a DataView, a
// buffer per integer and a concatenation per attribute added up to most of the encoding time. For the same
// reason the loops here index arrays instead of using for...of or destructuring them: until a function is
// optimised, each of those allocates an iterator and a result object per element.

/** Attribute length (header + payload, without padding), checked against the u16 nla_len. */
function attributeLength(type: number, payloadLength: number): number {
  const len = NLA_HDRLEN + payloadLength;
  if (len > 0xffff) throw new NetlinkEncodeError(`attribute ${type} is ${len} bytes; netlink attributes hold at most 65535`);
  return len;
}

/** Writes an attribute header (nla_len, nla_type) at `off`. */
function putAttributeHeader(out: Uint8Array, off: number, len: number, type: number, nested: boolean): void {
  putU16(out, off, len);
  putU16(out, off + 2, (type & NLA_TYPE_MASK) | (nested ? NLA_F_NESTED : 0));
}

/** Writes a whole attribute at `off` (its padding is left as it is: zero in a fresh buffer); returns the offset after it. */
function putRawAttribute(out: Uint8Array, off: number, attr: RawAttribute): number {
  const len = NLA_HDRLEN + attr.data.length;
  putAttributeHeader(out, off, len, attr.type, attr.nested === true);
  out.set(attr.data, off + NLA_HDRLEN);
  return off + align4(len);
}

/** One attribute: header (len, type) + payload + padding to 4 bytes. */
export function encodeAttribute(type: number, payload: Uint8Array, nested = false): Buffer {
  const len = attributeLength(type, payload.length);
  const out = Buffer.alloc(align4(len));
  putAttributeHeader(out, 0, len, type, nested);
  out.set(payload, NLA_HDRLEN);
  return out;
}

/**
 * Attributes already in wire form (type, payload), one after the other in one buffer rather than a buffer
 * each and their concatenation. For codecs that build a nest by hand (IFLA_LINKINFO, IFLA_PROP_LIST).
 */
export function encodeRawAttributes(attrs: readonly RawAttribute[]): Buffer {
  const out = Buffer.alloc(rawAttributesLength(attrs));
  putRawAttributes(out, 0, attrs);
  return out;
}

/** Bytes that `attrs` take on the wire, padding included. */
function rawAttributesLength(attrs: readonly RawAttribute[]): number {
  let total = 0;
  for (let i = 0; i < attrs.length; i++) {
    const attr = attrs[i] as RawAttribute;
    total += align4(attributeLength(attr.type, attr.data.length));
  }
  return total;
}

/** Writes `attrs` one after the other from `off`; returns the offset after them. */
function putRawAttributes(out: Uint8Array, off: number, attrs: readonly RawAttribute[]): number {
  for (let i = 0; i < attrs.length; i++) off = putRawAttribute(out, off, attrs[i] as RawAttribute);
  return off;
}

const intRange: Record<IntKind, { readonly min: number; readonly max: number; readonly size: number }> = {
  u8: { min: 0, max: 0xff, size: 1 },
  u16: { min: 0, max: 0xffff, size: 2 },
  be16: { min: 0, max: 0xffff, size: 2 },
  u32: { min: 0, max: 0xffffffff, size: 4 },
  be32: { min: 0, max: 0xffffffff, size: 4 },
  s32: { min: -0x80000000, max: 0x7fffffff, size: 4 },
};

/** Checks that `value` fits `kind`; returns its size in bytes. */
function checkInt(kind: IntKind, value: number, what: string): number {
  const { min, max, size } = intRange[kind];
  if (!Number.isInteger(value) || value < min || value > max) {
    throw new NetlinkEncodeError(`${what} must be an integer from ${min} to ${max} (${kind}), not ${value}`);
  }
  return size;
}

function encodeU64(value: bigint, what: string): Uint8Array {
  if (typeof value !== 'bigint' || value < 0n || value > 0xffffffffffffffffn) {
    throw new NetlinkEncodeError(`${what} must be a bigint from 0 to 2^64-1`);
  }
  const out = new Uint8Array(8);
  viewOf(out).setBigUint64(0, value, HOST_LITTLE_ENDIAN);
  return out;
}

// Strings in requests are interface names and aliases: ASCII. Measured and copied in JS, they cost no call
// into Node's native code, which for a small Buffer (kept on the V8 heap) would first move its bytes off it.

/** Length of `text` in UTF-8. */
function utf8Length(text: string): number {
  for (let i = 0; i < text.length; i++) if (text.charCodeAt(i) >= 0x80) return Buffer.byteLength(text, 'utf8');
  return text.length;
}

/** Writes `text` as UTF-8 at `off`; the room was measured with utf8Length. */
function putUtf8(out: Buffer, off: number, text: string): void {
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c >= 0x80) {
      out.write(text.slice(i), off + i, 'utf8'); // the ASCII before it took one byte a character
      return;
    }
    out[off + i] = c;
  }
}

/** An attribute between the two passes of encodeAttributes: checked and measured, not yet written. */
interface PreparedAttribute {
  readonly field: AttributeField;
  /** The value, for kinds written in place (integers, bool8, string, flag). */
  readonly value: unknown;
  /** The payload, for the kinds encoded to one first; undefined for kinds written in place. */
  readonly payload: Uint8Array | undefined;
  /** nla_len: header + payload, without padding. */
  readonly length: number;
}

function inPlace(field: AttributeField, value: unknown, payloadLength: number): PreparedAttribute {
  return { field, value, payload: undefined, length: attributeLength(field.spec.type, payloadLength) };
}

/** A payload of undefined (a custom codec's way to send nothing) means no attribute. */
function withPayload(field: AttributeField, payload: Uint8Array | undefined): PreparedAttribute | undefined {
  if (payload === undefined) return undefined;
  return { field, value: undefined, payload, length: attributeLength(field.spec.type, payload.length) };
}

/** First pass: checks `value` and measures its attribute (encoding the payload of the kinds that need one). */
function prepareAttribute(field: AttributeField, value: unknown): PreparedAttribute | undefined {
  const { spec, what } = field;
  switch (spec.kind) {
    case 'u8':
    case 'u16':
    case 'u32':
    case 's32':
    case 'be16':
    case 'be32':
      return inPlace(field, value, checkInt(spec.kind, value as number, what));
    case 'bool8':
      return inPlace(field, value, 1);
    case 'flag':
      return inPlace(field, value, 0);
    case 'string':
      if (typeof value !== 'string') throw new NetlinkEncodeError(`${what} must be a string`);
      return inPlace(field, value, utf8Length(value) + 1); // + its NUL
    case 'u64':
    case 'uint':
      return withPayload(field, encodeU64(value as bigint, what));
    case 'bytes':
      return withPayload(field, value as Uint8Array);
    case 'ipv4':
      return withPayload(field, ipv4ToBytes(value as string));
    case 'ipv6':
      return withPayload(field, ipv6ToBytes(value as string));
    case 'ip':
      return withPayload(field, ipToBytes(value as string));
    case 'mac':
      return withPayload(field, macToBytes(value as string));
    case 'nested':
      return withPayload(field, encodeAttributes(spec.table, value as AttributeValues<AttributeFields>));
    case 'custom':
      return withPayload(field, spec.codec.encode(value));
  }
}

/** Second pass: writes a prepared attribute at `off` into a zeroed buffer; returns the offset after it. */
function putPreparedAttribute(out: Buffer, off: number, attr: PreparedAttribute): number {
  const { field, value, payload } = attr;
  putAttributeHeader(out, off, attr.length, field.spec.type, field.nested);
  const at = off + NLA_HDRLEN;
  if (payload !== undefined) {
    out.set(payload, at);
  } else {
    switch (field.spec.kind) {
      case 'u8':
        out[at] = value as number;
        break;
      case 'bool8':
        out[at] = value === true ? 1 : 0;
        break;
      case 'u16':
        putU16(out, at, value as number);
        break;
      case 'be16':
        putBe16(out, at, value as number);
        break;
      case 'u32':
      case 's32': // the same 32 bits: putU32 stores two's complement
        putU32(out, at, value as number);
        break;
      case 'be32':
        putBe32(out, at, value as number);
        break;
      case 'string': // the NUL after it is one of the buffer's zeros
        putUtf8(out, at, value as string);
        break;
      default: // flag: no payload
        break;
    }
  }
  return off + align4(attr.length);
}

/**
 * The fields `values` sets, in table order. Walks the keys of `values` (a request sets a few) rather than the
 * table (IFLA has some fifty fields). Undefined values and false flags are not sent; keys that are not
 * fields (`unknown`, and anything else) are not either.
 */
function fieldsToSend(table: AttributeTable<AttributeFields>, record: Readonly<Record<string, unknown>>): AttributeField[] {
  const fields: AttributeField[] = [];
  for (const key in record) {
    const field = table.byKey.get(key);
    if (field === undefined) continue;
    const value = record[key];
    if (value === undefined || (field.spec.kind === 'flag' && value !== true)) continue;
    insertInTableOrder(fields, field);
  }
  return fields;
}

/** Inserts `field` into `fields`, kept in table order: cheaper than Array#sort for a handful of fields. */
function insertInTableOrder(fields: AttributeField[], field: AttributeField): void {
  let i = fields.length;
  fields.push(field);
  for (let before = fields[i - 1]; before !== undefined && before.order > field.order; before = fields[i - 1]) {
    fields[i] = before;
    i--;
  }
  fields[i] = field;
}

const NO_RAW_ATTRIBUTES: readonly RawAttribute[] = [];

/**
 * Encodes the attributes present in `values`, in table order, then the raw `unknown` ones. Absent
 * (undefined) fields are not sent; a `flag` is sent only when true.
 */
export function encodeAttributes<F extends AttributeFields>(table: AttributeTable<F>, values: AttributeValues<F>): Buffer {
  return encodeAttributesAfter(0, table, values);
}

/**
 * encodeAttributes, with `headLen` zero bytes in front for the caller's fixed struct (ifinfomsg,
 * ifaddrmsg): one buffer for the whole message body instead of a struct, the attributes and their
 * concatenation.
 */
export function encodeAttributesAfter<F extends AttributeFields>(headLen: number, table: AttributeTable<F>, values: AttributeValues<F>): Buffer {
  const record = values as Readonly<Record<string, unknown>>;
  const fields = fieldsToSend(table, record);
  const prepared: PreparedAttribute[] = [];
  let total = headLen;
  for (let i = 0; i < fields.length; i++) {
    const field = fields[i] as AttributeField;
    const attr = prepareAttribute(field, record[field.key]);
    if (attr === undefined) continue;
    prepared.push(attr);
    total += align4(attr.length);
  }
  const unknown = values.unknown ?? NO_RAW_ATTRIBUTES;
  total += rawAttributesLength(unknown);

  const out = Buffer.alloc(total);
  let off = headLen;
  for (let i = 0; i < prepared.length; i++) off = putPreparedAttribute(out, off, prepared[i] as PreparedAttribute);
  putRawAttributes(out, off, unknown);
  return out;
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
