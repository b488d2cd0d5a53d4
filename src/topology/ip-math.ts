/**
 * Addresses as numbers: subnets, containment and overlap, the n-th block of a pool, for address pools and
 * route computation. IPv4 and IPv6 alike, as bigint.
 */
import { formatIp, parseIp } from './address.js';
import type { Cidr, Family } from './types.js';

/** A network: its first address as a number, and its prefix length. */
export interface Net {
  family: Family;
  base: bigint;
  prefixLength: number;
}

export const familyBits = (family: Family): number => (family === 4 ? 32 : 128);

/** The number of an address in canonical (or any valid) text. */
export function addressValue(text: string): bigint {
  const ip = parseIp(text);
  if (!ip.ok) throw new Error(`unreachable: ${text} was checked as an address`);
  let n = 0n;
  for (const b of ip.value.bytes) n = (n << 8n) | BigInt(b);
  return n;
}

/** The canonical text of an address number. */
export function addressText(family: Family, n: bigint): string {
  const size = family === 4 ? 4 : 16;
  const bytes = new Uint8Array(size);
  let v = n;
  for (let i = size - 1; i >= 0; i--) {
    bytes[i] = Number(v & 0xffn);
    v >>= 8n;
  }
  return formatIp(family, bytes);
}

/** The network of `value` at `prefixLength`: host bits cleared. */
export function netAt(family: Family, value: bigint, prefixLength: number): Net {
  const host = familyBits(family) - prefixLength;
  return { family, base: (value >> BigInt(host)) << BigInt(host), prefixLength };
}

/** The subnet an interface address is in: 10.0.0.1/24 -> 10.0.0.0/24. */
export function netOf(c: Cidr): Net {
  return netAt(c.family, addressValue(c.address), c.prefixLength);
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
