/**
 * The little address arithmetic the planner needs: canonical text (so `FD00::1` observed and `fd00::1`
 * desired compare equal) and "is this gateway inside that subnet". Pure; no I/O.
 */
import type { Cidr, Family } from '../topology/types.js';

export interface IpValue {
  family: Family;
  /** The address as an unsigned integer (32 bits for IPv4, 128 for IPv6). */
  value: bigint;
}

const V4 = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/;

function parseV4(text: string): bigint | undefined {
  const m = V4.exec(text);
  if (m === null) return undefined;
  let value = 0n;
  for (const part of m.slice(1)) {
    const n = Number(part);
    if (n > 255) return undefined;
    value = (value << 8n) | BigInt(n);
  }
  return value;
}

function parseV6(text: string): bigint | undefined {
  let rest = text.toLowerCase();
  // An embedded IPv4 tail (::ffff:10.0.0.1) stands for the last two groups.
  const lastColon = rest.lastIndexOf(':');
  if (rest.slice(lastColon + 1).includes('.')) {
    const v4 = parseV4(rest.slice(lastColon + 1));
    if (v4 === undefined) return undefined;
    rest = `${rest.slice(0, lastColon + 1)}${(v4 >> 16n).toString(16)}:${(v4 & 0xffffn).toString(16)}`;
  }
  const halves = rest.split('::');
  if (halves.length > 2) return undefined;
  const groups = (s: string): bigint[] | undefined => {
    if (s === '') return [];
    const out: bigint[] = [];
    for (const g of s.split(':')) {
      if (!/^[0-9a-f]{1,4}$/.test(g)) return undefined;
      out.push(BigInt(`0x${g}`));
    }
    return out;
  };
  const head = groups(halves[0] ?? '');
  const back = halves.length === 2 ? groups(halves[1] ?? '') : [];
  if (head === undefined || back === undefined) return undefined;
  const known = head.length + back.length;
  let all: bigint[];
  if (halves.length === 2) {
    if (known > 7) return undefined;
    all = [...head, ...new Array<bigint>(8 - known).fill(0n), ...back];
  } else {
    all = head;
  }
  if (all.length !== 8) return undefined;
  return all.reduce((acc, g) => (acc << 16n) | g, 0n);
}

/** Parses an IPv4 or IPv6 address (no prefix length); undefined when it is neither. */
export function parseIp(text: string): IpValue | undefined {
  if (text.includes(':')) {
    const value = parseV6(text);
    return value === undefined ? undefined : { family: 6, value };
  }
  const value = parseV4(text);
  return value === undefined ? undefined : { family: 4, value };
}

function formatV6(value: bigint): string {
  const groups = Array.from({ length: 8 }, (_, i) => Number((value >> BigInt((7 - i) * 16)) & 0xffffn));
  // IPv4-mapped addresses print as inet_ntop prints them: ::ffff:10.0.0.1.
  if (groups.slice(0, 5).every((g) => g === 0) && groups[5] === 0xffff) {
    const v4 = value & 0xffffffffn;
    return `::ffff:${[24n, 16n, 8n, 0n].map((s) => String((v4 >> s) & 0xffn)).join('.')}`;
  }
  // RFC 5952: the longest run (of two or more) of zero groups becomes `::`, the first one on a tie.
  let bestStart = -1;
  let bestLen = 1;
  for (let i = 0; i < 8; ) {
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
  const hex = groups.map((g) => g.toString(16));
  if (bestStart < 0) return hex.join(':');
  return `${hex.slice(0, bestStart).join(':')}::${hex.slice(bestStart + bestLen).join(':')}`;
}

/** Canonical text of an address: dotted quad, or RFC 5952 lower case. Text that does not parse is kept. */
export function canonicalIp(text: string): string {
  const ip = parseIp(text);
  if (ip === undefined) return text;
  if (ip.family === 4) return [24n, 16n, 8n, 0n].map((s) => String((ip.value >> s) & 0xffn)).join('.');
  return formatV6(ip.value);
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
