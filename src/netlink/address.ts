/**
 * Addresses as the API spells them and as the wire carries them: IPv4 dotted quads (4 bytes), IPv6 in
 * RFC 5952 canonical form (16 bytes), link-layer addresses as colon hex ('aa:bb:cc:dd:ee:ff'; any length,
 * since IFLA_ADDRESS is 6 bytes on Ethernet but 0 on a tunnel without one and 20 on InfiniBand).
 */
import { isIPv4, isIPv6 } from 'node:net';
import { NetlinkEncodeError } from './error.js';

/** '10.0.0.1' -> 4 bytes. Throws NetlinkEncodeError for anything else. */
export function ipv4ToBytes(addr: string): Uint8Array {
  if (!isIPv4(addr)) throw new NetlinkEncodeError(`"${addr}" is not an IPv4 address`);
  return readIpv4(addr);
}

/**
 * The bytes of an address isIPv4 has accepted (four decimal octets 0..255): reading the digits is enough,
 * and allocates nothing but the result (split and map made three arrays an address).
 */
function readIpv4(addr: string): Uint8Array {
  const out = new Uint8Array(4);
  let octet = 0;
  let i = 0;
  for (let k = 0; k < addr.length; k++) {
    const c = addr.charCodeAt(k);
    if (c === 0x2e /* . */) {
      out[i++] = octet;
      octet = 0;
    } else {
      octet = octet * 10 + (c - 0x30);
    }
  }
  out[i] = octet;
  return out;
}

/** 4 bytes -> '10.0.0.1'. */
export function bytesToIpv4(b: Uint8Array): string {
  return `${b[0]}.${b[1]}.${b[2]}.${b[3]}`;
}

/** 'fd00::1' (also '::ffff:10.0.0.1') -> 16 bytes. Zone indices ('%eth0') are not addresses: rejected. */
export function ipv6ToBytes(addr: string): Uint8Array {
  if (!isIPv6(addr) || addr.includes('%')) throw new NetlinkEncodeError(`"${addr}" is not an IPv6 address`);
  let text = addr;
  const tail: number[] = [];
  if (addr.includes('.')) {
    const lastColon = addr.lastIndexOf(':');
    const v4 = ipv4ToBytes(addr.slice(lastColon + 1));
    tail.push(((v4[0] ?? 0) << 8) | (v4[1] ?? 0), ((v4[2] ?? 0) << 8) | (v4[3] ?? 0));
    text = addr.slice(0, lastColon + 1); // ends in ':'; keep it only as part of '::'
    if (!text.endsWith('::')) text = text.slice(0, -1);
  }
  const parse = (part: string): number[] => (part === '' ? [] : part.split(':').map((g) => parseInt(g, 16)));
  const wanted = 8 - tail.length;
  let groups: number[];
  const dbl = text.indexOf('::');
  if (dbl === -1) {
    groups = parse(text);
  } else {
    const head = parse(text.slice(0, dbl));
    const rest = parse(text.slice(dbl + 2));
    groups = [...head, ...new Array<number>(Math.max(0, wanted - head.length - rest.length)).fill(0), ...rest];
  }
  groups = [...groups, ...tail];
  if (groups.length !== 8) throw new NetlinkEncodeError(`"${addr}" is not an IPv6 address`);
  const out = new Uint8Array(16);
  groups.forEach((g, i) => {
    out[i * 2] = g >> 8;
    out[i * 2 + 1] = g & 0xff;
  });
  return out;
}

/** 16 bytes -> RFC 5952 text: lower case, no leading zeros, the longest run (2+) of zero groups as '::'. */
export function bytesToIpv6(b: Uint8Array): string {
  const groups: number[] = [];
  for (let i = 0; i < 8; i++) groups.push(((b[i * 2] ?? 0) << 8) | (b[i * 2 + 1] ?? 0));
  // IPv4-mapped addresses keep their dotted tail (RFC 5952 section 5), as inet_ntop prints them.
  if (groups.slice(0, 5).every((g) => g === 0) && groups[5] === 0xffff) {
    return `::ffff:${bytesToIpv4(b.subarray(12, 16))}`;
  }
  let bestStart = -1;
  let bestLen = 0;
  for (let i = 0; i < 8;) {
    if (groups[i] !== 0) {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && groups[j] === 0) j++;
    if (j - i > bestLen) {
      bestStart = i;
      bestLen = j - i;
    }
    i = j;
  }
  const hex = (gs: number[]): string => gs.map((g) => g.toString(16)).join(':');
  if (bestLen < 2) return hex(groups);
  return `${hex(groups.slice(0, bestStart))}::${hex(groups.slice(bestStart + bestLen))}`;
}

/** Either family, decided by the text. */
export function ipToBytes(addr: string): Uint8Array {
  if (isIPv4(addr)) return readIpv4(addr);
  if (isIPv6(addr)) return ipv6ToBytes(addr);
  throw new NetlinkEncodeError(`"${addr}" is not an IP address`);
}

/** Either family, decided by the length (4 or 16 bytes); undefined for any other length. */
export function bytesToIp(b: Uint8Array): string | undefined {
  if (b.length === 4) return bytesToIpv4(b);
  if (b.length === 16) return bytesToIpv6(b);
  return undefined;
}

/** 4 for an IPv4 string, 6 for IPv6, undefined otherwise. */
export function ipVersion(addr: string): 4 | 6 | undefined {
  return isIPv4(addr) ? 4 : isIPv6(addr) ? 6 : undefined;
}

/**
 * 'aa:bb:cc:dd:ee:ff' (any number of colon-separated hex bytes of one or two digits, '' for none) -> bytes.
 * Read a character at a time: it runs for both ends of every cable of a lab (a regular expression a byte
 * was 12 ms of a 10,000-node up).
 */
export function macToBytes(mac: string): Uint8Array {
  if (mac === '') return new Uint8Array(0);
  const out: number[] = [];
  let value = 0;
  let digits = 0;
  for (let i = 0; i <= mac.length; i++) {
    const c = i < mac.length ? mac.charCodeAt(i) : 58; // the end closes the last byte as a ':' would
    const d = hexDigit(c);
    if (d >= 0 && digits < 2) {
      value = value * 16 + d;
      digits += 1;
    } else if (c === 58 && digits > 0) {
      out.push(value);
      value = 0;
      digits = 0;
    } else throw new NetlinkEncodeError(`"${mac}" is not a link-layer address (expected colon hex like 02:00:00:00:00:01)`);
  }
  return Uint8Array.from(out);
}

/** The value of a hex digit's character code, or -1. */
function hexDigit(c: number): number {
  if (c >= 48 && c <= 57) return c - 48; // 0-9
  if (c >= 97 && c <= 102) return c - 87; // a-f
  if (c >= 65 && c <= 70) return c - 55; // A-F
  return -1;
}

/** bytes -> 'aa:bb:cc:dd:ee:ff' (lower case, two digits a byte, as `ip link` prints it). */
export function bytesToMac(b: Uint8Array): string {
  return Array.from(b, (x) => x.toString(16).padStart(2, '0')).join(':');
}
