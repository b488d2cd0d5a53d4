/**
 * Addresses as numbers: subnets, containment and overlap, the n-th block of a pool, for address pools and
 * route computation. IPv4 and IPv6 alike, as bigint.
 */
import { dottedQuadValue, formatIp, parseIp } from './address.js';
import type { Cidr, Family } from './types.js';
import { NslabError } from '../errors.js';

/** A network: its first address as a number, and its prefix length. */
export interface Net {
  family: Family;
  base: bigint;
  prefixLength: number;
}

export const familyBits = (family: Family): number => (family === 4 ? 32 : 128);

/** The number of an address in canonical (or any valid) text. */
export function addressValue(text: string): bigint {
  const quad = dottedQuadValue(text);
  if (quad !== -1) return BigInt(quad);
  const ip = parseIp(text);
  if (!ip.ok) throw new NslabError('NSLAB_INTERNAL', `unreachable: ${text} was checked as an address`);
  const bytes = ip.value.bytes;
  let n = 0n;
  for (let i = 0; i < bytes.length; i++) n = (n << 8n) | BigInt(bytes[i] ?? 0);
  return n;
}

/** The canonical text of an address number. */
export function addressText(family: Family, n: bigint): string {
  if (family === 4) return quadText(Number(n));
  const bytes = new Uint8Array(16);
  let v = n;
  for (let i = 15; i >= 0; i--) {
    bytes[i] = Number(v & 0xffn);
    v >>= 8n;
  }
  return formatIp(6, bytes);
}

/** "0" to "255": looked up, where a cold JIT converts each number to text about twice as slowly. */
const BYTE_TEXT: readonly string[] = Array.from({ length: 256 }, (_, i) => String(i));

/** The dotted quad of an IPv4 address's value. */
const quadText = (v: number): string => `${BYTE_TEXT[v >>> 24]}.${BYTE_TEXT[(v >>> 16) & 0xff]}.${BYTE_TEXT[(v >>> 8) & 0xff]}.${BYTE_TEXT[v & 0xff]}`;

/** The network of `value` at `prefixLength`: host bits cleared. */
export function netAt(family: Family, value: bigint, prefixLength: number): Net {
  const host = familyBits(family) - prefixLength;
  if (family === 4) {
    // In plain numbers (an IPv4 value fits): one bigint made instead of four.
    const v = Number(value);
    return { family, base: BigInt(v - (v % 2 ** host)), prefixLength };
  }
  return { family, base: (value >> BigInt(host)) << BigInt(host), prefixLength };
}

/** The subnet an interface address is in: 10.0.0.1/24 -> 10.0.0.0/24. */
export function netOf(c: Cidr): Net {
  return netAt(c.family, addressValue(c.address), c.prefixLength);
}

/**
 * netOf, its netText and the address's addressValue at once, for a pass over every address of a lab: an
 * IPv4 address is worked in plain numbers, which a cold JIT runs several times faster than bigint.
 */
export function subnetOf(c: Cidr): { net: Net; text: string; value: bigint } {
  const quad = c.family === 4 ? dottedQuadValue(c.address) : -1;
  if (quad === -1) {
    const value = addressValue(c.address);
    const net = netAt(c.family, value, c.prefixLength);
    return { net, text: netText(net), value };
  }
  const value = BigInt(quad);
  const base = quad - (quad % 2 ** (32 - c.prefixLength));
  // Without host bits the network's text is the (canonical) address's own.
  if (base === quad) return { net: { family: 4, base: value, prefixLength: c.prefixLength }, text: `${c.address}/${c.prefixLength}`, value };
  return { net: { family: 4, base: BigInt(base), prefixLength: c.prefixLength }, text: `${quadText(base)}/${c.prefixLength}`, value };
}

/** The number of addresses in a network. */
export function netSize(n: Net): bigint {
  return 1n << BigInt(familyBits(n.family) - n.prefixLength);
}

export function netContains(n: Net, value: bigint): boolean {
  return value >= n.base && value < n.base + netSize(n);
}

export function netsOverlap(a: Net, b: Net): boolean {
  if (a.family !== b.family) return false;
  const shorter = a.prefixLength <= b.prefixLength ? a : b;
  const longer = shorter === a ? b : a;
  return netContains(shorter, longer.base);
}

/** `10.0.0.0/24` */
export function netText(n: Net): string {
  return `${addressText(n.family, n.base)}/${n.prefixLength}`;
}

/** The interface address `value/prefixLength`. */
export function cidrOf(family: Family, value: bigint, prefixLength: number): Cidr {
  return { family, address: addressText(family, value), prefixLength };
}
