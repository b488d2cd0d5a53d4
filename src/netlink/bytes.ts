/**
 * Byte helpers for the codec. Netlink headers and most attributes are in host byte order; nslab targets
 * Linux on little-endian machines (x86_64, arm64) but reads the order from the running machine, so the
 * codec is right on a big-endian host too. Network-order attributes (be16, be32) say so in their table.
 */

/** True on little-endian hosts: the byte order of netlink headers and host-order attributes. */
export const HOST_LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

/** Rounds up to the 4-byte alignment of netlink messages and attributes (NLMSG_ALIGN, NLA_ALIGN). */
export function align4(n: number): number {
  return (n + 3) & ~3;
}

/**
 * The bytes of `buf` as host-order u32 words, on a little-endian host when they start and end on a 4-byte
 * boundary (netlink messages are padded to 4 bytes; the addon's buffers are aligned); undefined otherwise.
 * The loops over every message of a window read words: with the CLI's --no-opt a DataView call a field
 * cost more than the kernel's work on the message.
 */
export function hostWords(buf: Uint8Array): Uint32Array | undefined {
  if (!HOST_LITTLE_ENDIAN || buf.byteOffset % 4 !== 0 || buf.length % 4 !== 0) return undefined;
  return new Uint32Array(buf.buffer, buf.byteOffset, buf.length / 4);
}

/** A DataView over exactly the bytes of `buf` (which may be a window into a larger ArrayBuffer). */
export function viewOf(buf: Uint8Array): DataView {
  return new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
}

// The put* helpers store integers with plain byte writes. The encoder writes thousands of tiny headers;
// a DataView for each (and, on a small buffer, the ArrayBuffer it makes V8 materialise) cost more than the
// bytes themselves. Values are checked by the callers: these only keep the low bits.

/** Stores a u16 at `off` in host byte order (nla_len, nla_type, nlmsg_type...). */
export function putU16(buf: Uint8Array, off: number, value: number): void {
  if (HOST_LITTLE_ENDIAN) {
    buf[off] = value & 0xff;
    buf[off + 1] = (value >>> 8) & 0xff;
  } else {
    putBe16(buf, off, value);
  }
}

/** Stores a u32 (or an s32, as two's complement) at `off` in host byte order. */
export function putU32(buf: Uint8Array, off: number, value: number): void {
  if (HOST_LITTLE_ENDIAN) {
    buf[off] = value & 0xff;
    buf[off + 1] = (value >>> 8) & 0xff;
    buf[off + 2] = (value >>> 16) & 0xff;
    buf[off + 3] = (value >>> 24) & 0xff;
  } else {
    putBe32(buf, off, value);
  }
}

/** Stores a u16 at `off` in network byte order (big-endian). */
export function putBe16(buf: Uint8Array, off: number, value: number): void {
  buf[off] = (value >>> 8) & 0xff;
  buf[off + 1] = value & 0xff;
}

/** Stores a u32 (or an s32) at `off` in network byte order (big-endian). */
export function putBe32(buf: Uint8Array, off: number, value: number): void {
  buf[off] = (value >>> 24) & 0xff;
  buf[off + 1] = (value >>> 16) & 0xff;
  buf[off + 2] = (value >>> 8) & 0xff;
  buf[off + 3] = value & 0xff;
}

/** A plain Uint8Array copy of `buf[start, end)`: decoded byte values never alias the input buffer. */
export function copyBytes(buf: Uint8Array, start: number, end: number): Uint8Array {
  return new Uint8Array(buf.subarray(start, end));
}

/**
 * Concatenates byte arrays into one Buffer. A single Buffer part is returned as it is, not copied: the
 * codec passes parts it has just encoded, which nothing else holds.
 */
export function concatBytes(parts: readonly Uint8Array[]): Buffer {
  const only = parts[0];
  if (parts.length === 1 && Buffer.isBuffer(only)) return only;
  return Buffer.concat(parts);
}
