/**
 * The little address arithmetic the planner needs: canonical text (so `FD00::1` observed and `fd00::1`
 * desired compare equal) and "is this gateway inside that subnet". The byte conversions are the codec's
 * (src/netlink/address.ts), so there is one IPv6 parser and one RFC 5952 formatter in nslab. Pure.
 */
import { isIP, isIPv4 } from 'node:net';
import { bytesToIp, ipToBytes } from '../netlink/address.js';
import type { Cidr, Family } from '../topology/types.js';

export interface IpValue {
  family: Family;
  /** The address as an unsigned integer (32 bits for IPv4, 128 for IPv6). */
  value: bigint;
}

/** Parses an IPv4 or IPv6 address (no prefix length); undefined when it is neither. */
export function parseIp(text: string): IpValue | undefined {
  const family = isIP(text);
  if (family !== 4 && family !== 6) return undefined;
  const value = ipToBytes(text).reduce((acc, b) => (acc << 8n) | BigInt(b), 0n);
  return { family, value };
}

/** Canonical text of an address: dotted quad, or RFC 5952 lower case. Text that does not parse is kept. */
export function canonicalIp(text: string): string {
  // The common case, cheaply: text isIPv4 accepts (four decimal octets 0..255, no leading zeros) is
  // already the dotted quad the bytes would print as.
  if (isIPv4(text)) return text;
  return isIP(text) === 0 ? text : (bytesToIp(ipToBytes(text)) ?? text);
}

/** `10.10.1.2/32`, canonical, for comparing and for ids. */
export function cidrText(cidr: Cidr): string {
  return `${canonicalIp(cidr.address)}/${cidr.prefixLength}`;
}

/** True when `address` lies inside the subnet of `cidr` (same family, same network bits). */
export function inSubnet(cidr: Cidr, address: string): boolean {
  const net = parseIp(cidr.address);
  const ip = parseIp(address);
  if (net === undefined || ip === undefined || net.family !== ip.family) return false;
  const bits = net.family === 4 ? 32 : 128;
  const host = BigInt(bits - Math.min(Math.max(cidr.prefixLength, 0), bits));
  return net.value >> host === ip.value >> host;
}

/** True for an IPv6 link-local address (fe80::/10), which the kernel gives every IPv6 interface. */
export function isLinkLocal6(address: string): boolean {
  const ip = parseIp(address);
  return ip !== undefined && ip.family === 6 && ip.value >> 118n === 0x3fan;
}

/** True when two interface addresses are in one subnet as the kernel sees it: same length, same network. */
export function sameSubnet(x: Cidr, y: Cidr): boolean {
  return x.family === y.family && x.prefixLength === y.prefixLength && inSubnet(x, y.address);
}
