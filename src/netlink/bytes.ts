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

/** A DataView over exactly the bytes of `buf` (which may be a window into a larger ArrayBuffer). */
export function viewOf(buf: Uint8Array): DataView {
  return new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
}

/** A plain Uint8Array copy of `buf[start, end)`: decoded byte values never alias the input buffer. */
export function copyBytes(buf: Uint8Array, start: number, end: number): Uint8Array {
  return new Uint8Array(buf.subarray(start, end));
}

/** Concatenates byte arrays into one Buffer. */
export function concatBytes(parts: readonly Uint8Array[]): Buffer {
  return Buffer.concat(parts);
}

