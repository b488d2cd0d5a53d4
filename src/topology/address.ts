/**
 * IP addresses as a topology file writes them: parsing with messages a learner can act on, and the canonical
 * text the rest of nslab compares (IPv4 dotted quad; IPv6 RFC 5952: lower case, no leading zeros, the
 * longest run of two or more zero groups as `::`, IPv4-mapped addresses as `::ffff:a.b.c.d`, which is how
 * the kernel's addresses come back through src/netlink).
 */
import { bytesToIpv4, bytesToIpv6 } from '../netlink/address.js';
import { clip, count, quote } from './bounded.js';
import type { Cidr, Family } from './types.js';

/** A problem with an address: what is wrong, and what to write instead. */
export interface AddressProblem {
  message: string;
  hint: string;
}

/** An IP address without a prefix length, with its bytes (4 or 16). */
export interface Ip {
  family: Family;
  address: string;
  bytes: Uint8Array;
}

export type Parsed<T> = { ok: true; value: T } | { ok: false; problem: AddressProblem };

const fail = (message: string, hint: string): { ok: false; problem: AddressProblem } => ({ ok: false, problem: { message, hint } });

const EXAMPLES = 'for example 10.0.0.1 or fd00::1';

const IPV4_RULE = 'an IPv4 address is four numbers 0 to 255 joined by dots, for example 10.0.0.1';

/**
 * The value (0 to 2^32 - 1) of `text.slice(start, end)` when it is a dotted quad in canonical form (four
 * numbers 0 to 255, no leading zeros), else -1. The canonical form is the text itself, so a caller that gets
 * a value has the address's text too. Written with charCodeAt and no allocation: it runs for every address
 * of a lab, several times, before the JIT has warmed up.
 */
export function dottedQuadValue(text: string, start = 0, end = text.length): number {
  let value = 0;
  let parts = 0;
  let k = start;
  while (parts < 4) {
    const first = k;
    let n = 0;
    for (; k < end; k++) {
      const c = text.charCodeAt(k);
      if (c < 0x30 || c > 0x39) break;
      n = n * 10 + (c - 0x30);
    }
    const digits = k - first;
    if (digits === 0 || digits > 3 || n > 255 || (digits > 1 && text.charCodeAt(first) === 0x30)) return -1;
    value = value * 256 + n;
    parts++;
    if (parts < 4) {
      if (k >= end || text.charCodeAt(k) !== 0x2e /* . */) return -1;
      k++;
    }
  }
  return k === end ? value : -1;
}

/** The 4 bytes of a dotted quad's value. */
function quadBytes(value: number): Uint8Array {
  const bytes = new Uint8Array(4);
  bytes[0] = value >>> 24;
  bytes[1] = (value >>> 16) & 0xff;
  bytes[2] = (value >>> 8) & 0xff;
  bytes[3] = value & 0xff;
  return bytes;
}

function parseIpv4(text: string): Parsed<Ip> {
  const quad = dottedQuadValue(text);
  if (quad !== -1) return { ok: true, value: { family: 4, address: text, bytes: quadBytes(quad) } };
  // Not canonical, or not an address: find the first thing wrong, for the message.
  const parts = text.split('.');
  if (parts.length !== 4) {
    return fail(`${quote(text)} is not an IPv4 address: it has ${count(parts.length)} part${parts.length === 1 ? '' : 's'}`, IPV4_RULE);
  }
  const bytes = new Uint8Array(4);
  for (let i = 0; i < parts.length; i++) {
    const part = parts[i] ?? '';
    if (!/^[0-9]+$/.test(part)) return fail(`${quote(text)} is not an IPv4 address: ${quote(part)} is not a number`, IPV4_RULE);
    if (part.length > 1 && part.startsWith('0')) {
      return fail(
        `${quote(text)} has a leading zero in ${quote(part)}`,
        `write ${clip(part.replace(/^0+(?=.)/, ''))}: some tools read a leading zero as octal`,
      );
    }
    const n = Number(part);
    if (n > 255) return fail(`${quote(text)} is not an IPv4 address: ${clip(part)} is over 255`, 'each of the four numbers is 0 to 255');
    bytes[i] = n;
  }
  return { ok: true, value: { family: 4, address: formatIpv4(bytes), bytes } };
}

function parseIpv6(text: string): Parsed<Ip> {
  const bad = (why: string): { ok: false; problem: AddressProblem } =>
    fail(
      `${quote(text)} is not an IPv6 address: ${why}`,
      'an IPv6 address is eight groups of 1 to 4 hex digits joined by colons, with one "::" for a run of zero groups, for example fd00::1',
    );
  if (text.includes('%')) return bad('a zone index ("%...") is not part of an interface address');
  let head = text;
  const tail: number[] = [];
  const lastColon = text.lastIndexOf(':');
  const last = text.slice(lastColon + 1);
  if (last.includes('.')) {
    const v4 = parseIpv4(last);
    if (!v4.ok) return bad(`its IPv4 tail ${quote(last)} is not an IPv4 address`);
    const b = v4.value.bytes;
    tail.push(((b[0] ?? 0) << 8) | (b[1] ?? 0), ((b[2] ?? 0) << 8) | (b[3] ?? 0));
    head = text.slice(0, lastColon + 1);
    if (!head.endsWith('::')) head = head.slice(0, -1);
  }
  const halves = head.split('::');
  if (halves.length > 2) return bad('"::" may appear only once');
  const groupsOf = (part: string): number[] | string => {
    if (part === '') return [];
    const out: number[] = [];
    for (const g of part.split(':')) {
      if (g === '') return 'a group between two colons is empty';
      if (!/^[0-9a-fA-F]{1,4}$/.test(g)) return `${quote(g)} is not a group of 1 to 4 hex digits`;
      out.push(parseInt(g, 16));
    }
    return out;
  };
  const left = groupsOf(halves[0] ?? '');
  if (typeof left === 'string') return bad(left);
  let groups: number[];
  if (halves.length === 2) {
    const right = groupsOf(halves[1] ?? '');
    if (typeof right === 'string') return bad(right);
    const missing = 8 - tail.length - left.length - right.length;
    if (missing < 1) return bad('it has too many groups for "::" to stand for any');
    groups = [...left, ...new Array<number>(missing).fill(0), ...right, ...tail];
  } else {
    groups = [...left, ...tail];
    if (groups.length !== 8) return bad(`it has ${groups.length} groups, not 8 (use "::" for a run of zero groups)`);
  }
  const bytes = new Uint8Array(16);
  groups.forEach((g, i) => {
    bytes[i * 2] = g >> 8;
    bytes[i * 2 + 1] = g & 0xff;
  });
  return { ok: true, value: { family: 6, address: formatIpv6(bytes), bytes } };
}

// The text forms are the codec's (src/netlink/address.ts): one RFC 5952 formatter in nslab.
const formatIpv4 = bytesToIpv4;
const formatIpv6 = bytesToIpv6;

/** The canonical text of an address's bytes (4 for IPv4, 16 for IPv6). */
export function formatIp(family: Family, bytes: Uint8Array): string {
  return family === 4 ? formatIpv4(bytes) : formatIpv6(bytes);
}

/** Parses an IP address without a prefix length, either family. */
export function parseIp(text: string): Parsed<Ip> {
  const quad = dottedQuadValue(text);
  if (quad !== -1) return { ok: true, value: { family: 4, address: text, bytes: quadBytes(quad) } };
  if (text === '') return fail('the address is empty', `write an IP address, ${EXAMPLES}`);
  if (text.includes(':')) return parseIpv6(text);
  if (/^[0-9.]+$/.test(text)) return parseIpv4(text);
  return fail(`${quote(text)} is not an IP address`, `write an IPv4 or IPv6 address, ${EXAMPLES}`);
}

/** The number written from `start` to the end of `text` when it is 1 to 3 digits (a prefix length to check), else -1. */
function prefixLengthValue(text: string, start: number): number {
  const digits = text.length - start;
  if (digits < 1 || digits > 3) return -1;
  let n = 0;
  for (let k = start; k < text.length; k++) {
    const c = text.charCodeAt(k);
    if (c < 0x30 || c > 0x39) return -1;
    n = n * 10 + (c - 0x30);
  }
  return n;
}

/** Splits `ADDR/LEN`; the length is checked against the family of ADDR. */
function parsePrefixed(text: string, what: string, example: (ip: Ip) => string): Parsed<{ ip: Ip; prefixLength: number }> {
  const slash = text.indexOf('/');
  const ipText = text.slice(0, slash);
  const lenText = text.slice(slash + 1);
  const ip = parseIp(ipText);
  if (!ip.ok) return ip;
  const max = ip.value.family === 4 ? 32 : 128;
  const prefixLength = prefixLengthValue(text, slash + 1);
  if (prefixLength === -1) {
    return fail(
      `${quote(text)} has ${quote(`/${lenText}`)} where a prefix length belongs`,
      `write a number 0 to ${max} after the slash, for example ${example(ip.value)}`,
    );
  }
  if (prefixLength > max) {
    return fail(`prefix length /${lenText} of ${quote(text)} is too long for IPv${ip.value.family}`, `an IPv${ip.value.family} ${what} takes /0 to /${max}`);
  }
  return { ok: true, value: { ip: ip.value, prefixLength } };
}

/** specialAddress for an IPv4 address's value. */
function specialIpv4(value: number): string | undefined {
  const first = value >>> 24;
  if (value === 0) return 'the unspecified address';
  if (first === 127) return 'a loopback address (127.0.0.0/8 belongs to lo)';
  if (first >= 224 && first <= 239) return 'a multicast address';
  if (value === 0xffffffff) return 'the broadcast address';
  return undefined;
}

/** Why an address cannot be given to an interface (or be a gateway), or undefined when it can. */
export function specialAddress(ip: Ip): string | undefined {
  const b = ip.bytes;
  if (ip.family === 4) return specialIpv4((b[0] ?? 0) * 0x1000000 + ((b[1] ?? 0) << 16) + ((b[2] ?? 0) << 8) + (b[3] ?? 0));
  if (b.every((x) => x === 0)) return 'the unspecified address';
  if (b.slice(0, 15).every((x) => x === 0) && b[15] === 1) return 'the loopback address (it belongs to lo)';
  if (b[0] === 0xff) return 'a multicast address';
  return undefined;
}

/**
 * Parses an interface address `ADDR/LEN`, either family. Host bits may be set (10.0.0.1/24 is an
 * interface address in 10.0.0.0/24). The prefix length is required: it decides which subnet the interface
 * reaches directly.
 */
export function parseInterfaceAddress(text: string): Parsed<Cidr> {
  // The usual case first, without building an Ip: a canonical IPv4 address (its own text) with its length.
  const slash = text.indexOf('/');
  if (slash > 0) {
    const quad = dottedQuadValue(text, 0, slash);
    const prefixLength = quad === -1 ? -1 : prefixLengthValue(text, slash + 1);
    if (prefixLength !== -1 && prefixLength <= 32 && specialIpv4(quad) === undefined)
      return { ok: true, value: { family: 4, address: text.slice(0, slash), prefixLength } };
  }
  if (slash === -1) {
    const ip = parseIp(text);
    if (!ip.ok) return ip;
    const sample =
      ip.value.family === 4
        ? `${ip.value.address}/24 to share a /24 with the other end, or ${ip.value.address}/32 for this address alone`
        : `${ip.value.address}/64, or ${ip.value.address}/128 for this address alone`;
    return fail(`address ${ip.value.address} has no prefix length`, `write ${sample}`);
  }
  const p = parsePrefixed(text, 'address', (ip) => (ip.family === 4 ? `${ip.address}/24` : `${ip.address}/64`));
  if (!p.ok) return p;
  const special = specialAddress(p.value.ip);
  if (special !== undefined) {
    return fail(
      `${p.value.ip.address} is ${special} and cannot be given to an interface`,
      p.value.ip.family === 4 ? 'use a private address such as 10.0.0.1/24' : 'use a unique local address such as fd00::1/64',
    );
  }
  return { ok: true, value: { family: p.value.ip.family, address: p.value.ip.address, prefixLength: p.value.prefixLength } };
}

/** The network of an address: host bits cleared. */
export function networkOf(ip: Ip, prefixLength: number): Ip {
  const bytes = Uint8Array.from(ip.bytes);
  for (let bit = prefixLength; bit < bytes.length * 8; bit++) {
    const i = bit >> 3;
    bytes[i] = (bytes[i] ?? 0) & ~(0x80 >> (bit & 7));
  }
  return { family: ip.family, address: ip.family === 4 ? formatIpv4(bytes) : formatIpv6(bytes), bytes };
}

/** A route destination: `default`, or a network `ADDR/LEN` with no host bits set; a bare address is a host route. */
export type Destination = { family: Family | undefined; to: 'default' } | { family: Family; to: Cidr };

/**
 * Parses a route's `to`. `default` leaves the family open (the gateway decides it); `0.0.0.0/0` and
 * `::/0` are the IPv4 and IPv6 default routes; a bare address is a host route (/32 or /128), as with
 * `ip route add 10.0.0.2 dev eth0`.
 */
export function parseDestination(text: string): Parsed<Destination> {
  if (text === 'default') return { ok: true, value: { family: undefined, to: 'default' } };
  if (/^default[-_]?(6|v6|ipv6|4|v4|ipv4)$/i.test(text)) {
    return fail(
      `${quote(text)} is not a destination`,
      'write "default" (its family comes from via, IPv4 with dev alone), or ::/0 for the IPv6 default route through a dev',
    );
  }
  if (!text.includes('/')) {
    const ip = parseIp(text);
    if (!ip.ok) return fail(ip.problem.message, 'a destination is a network such as 10.0.2.0/24 or fd00:2::/64, a single address, or "default"');
    const len = ip.value.family === 4 ? 32 : 128;
    return { ok: true, value: { family: ip.value.family, to: { family: ip.value.family, address: ip.value.address, prefixLength: len } } };
  }
  const p = parsePrefixed(text, 'route', (ip) => (ip.family === 4 ? '10.0.2.0/24' : 'fd00:2::/64'));
  if (!p.ok) return p;
  const { ip, prefixLength } = p.value;
  if (prefixLength === 0 && ip.bytes.every((x) => x === 0)) return { ok: true, value: { family: ip.family, to: 'default' } };
  const net = networkOf(ip, prefixLength);
  if (net.address !== ip.address) {
    return fail(
      `destination ${ip.address}/${prefixLength} has host bits set`,
      `a route goes to a network: write ${net.address}/${prefixLength}, or ${ip.address}/${ip.family === 4 ? 32 : 128} for that one host`,
    );
  }
  return { ok: true, value: { family: ip.family, to: { family: ip.family, address: ip.address, prefixLength } } };
}

/** Parses a gateway (`via`): an address without a prefix length that can be a next hop. */
export function parseGateway(text: string): Parsed<Ip> {
  if (text.includes('/')) {
    return fail(`gateway ${quote(text)} has a prefix length`, `a gateway is one address: write via: ${clip(text.slice(0, text.indexOf('/')))}`);
  }
  const ip = parseIp(text);
  if (!ip.ok) return fail(ip.problem.message, "a gateway is the address of a neighbour on one of the node's links, for example 10.0.1.1");
  const special = specialAddress(ip.value);
  if (special !== undefined) return fail(`gateway ${ip.value.address} is ${special}`, "use the address of a neighbour on one of the node's links");
  return ip;
}

/** `10.0.0.1/24` */
export function formatCidr(c: Cidr): string {
  return `${c.address}/${c.prefixLength}`;
}
