/**
 * Addresses (RTM_NEWADDR, RTM_DELADDR, RTM_GETADDR): struct ifaddrmsg (family u8, prefixlen u8, flags u8,
 * scope u8, index u32) followed by IFA_* attributes.
 *
 * On IPv4, IFA_LOCAL is the interface's own address and IFA_ADDRESS the peer on point-to-point links
 * (equal to IFA_LOCAL otherwise); send both, as iproute2 does. On IPv6, IFA_ADDRESS is the address and
 * IFA_LOCAL, if present, the same. Flags above 0xff (IFA_F_NOPREFIXROUTE...) go in the IFA_FLAGS attribute,
 * which then wins over ifa_flags.
 * Equivalent to: ip addr add 10.10.1.2/32 dev rveth
 */
import { decodeAttributes, defineAttributes, encodeAttributesAfter } from './attributes.js';
import type { AttributeCodec, AttributeValues } from './attributes.js';
import { HOST_LITTLE_ENDIAN, putU32, viewOf } from './bytes.js';
import { Af, Ifa } from './constants.js';
import { NetlinkDecodeError, NetlinkEncodeError } from './error.js';
import { checkFamily } from './family.js';

/** Size of struct ifaddrmsg. */
export const IFADDRMSG_LEN = 8;

/** struct ifa_cacheinfo: lifetimes in seconds (0xffffffff = forever), timestamps in centiseconds since boot. */
export interface AddrCacheInfo {
  preferred: number;
  valid: number;
  created: number;
  updated: number;
}

const cacheInfoCodec: AttributeCodec<AddrCacheInfo> = {
  encode(c) {
    const out = new Uint8Array(16);
    const v = viewOf(out);
    [c.preferred, c.valid, c.created, c.updated].forEach((n, i) => v.setUint32(i * 4, n, HOST_LITTLE_ENDIAN));
    return out;
  },
  decode(payload, at) {
    if (payload.length !== 16) throw new NetlinkDecodeError(`struct ifa_cacheinfo has ${payload.length} bytes, expected 16`, at);
    const v = viewOf(payload);
    const n = (i: number): number => v.getUint32(i * 4, HOST_LITTLE_ENDIAN);
    return { preferred: n(0), valid: n(1), created: n(2), updated: n(3) };
  },
};

export const addrAttributes = defineAttributes('IFA', {
  /** The interface's own address (IPv4); iproute2 sends it first. */
  local: { type: Ifa.LOCAL, kind: 'ip' },
  /** The address, or on IPv4 point-to-point links the peer's. */
  address: { type: Ifa.ADDRESS, kind: 'ip' },
  /** IPv4 label, 'eth0' or 'eth0:1' (must start with the interface name). */
  label: { type: Ifa.LABEL, kind: 'string' },
  broadcast: { type: Ifa.BROADCAST, kind: 'ipv4' },
  anycast: { type: Ifa.ANYCAST, kind: 'ip' },
  cacheinfo: { type: Ifa.CACHEINFO, kind: 'custom', codec: cacheInfoCodec },
  multicast: { type: Ifa.MULTICAST, kind: 'ip' },
  /** All IFA_F_* flags, including those above 0xff. */
  flags: { type: Ifa.FLAGS, kind: 'u32' },
  /** Metric of the prefix route the kernel adds for this address. */
  rtPriority: { type: Ifa.RT_PRIORITY, kind: 'u32' },
  targetNetnsId: { type: Ifa.TARGET_NETNSID, kind: 's32' },
  /** Who added the address (IFAPROT_*): 0 unspecified, 1 kernel loopback, 2 RA, 3 link-local. */
  proto: { type: Ifa.PROTO, kind: 'u8' },
});

export type AddrAttrs = AttributeValues<typeof addrAttributes.fields>;

/** struct ifaddrmsg + attributes. */
export interface AddrMessage {
  family: number;
  prefixlen: number;
  /** The low 8 IFA_F_* bits (all of them are in attrs.flags when the kernel sends IFA_FLAGS). */
  flags: number;
  /** RT_SCOPE_*: universe (0) for global addresses, link (253) for fe80::, host (254) for 127.0.0.1. */
  scope: number;
  index: number;
  attrs: AddrAttrs;
}

function u8(n: number, what: string): number {
  if (!Number.isInteger(n) || n < 0 || n > 0xff) throw new NetlinkEncodeError(`ifaddrmsg ${what} must be 0..255, not ${n}`);
  return n;
}

/** Body of an address message: struct ifaddrmsg + IFA attributes. */
export function encodeAddr(msg: AddrMessage): Buffer {
  checkFamily('address message', msg.family, {
    local: msg.attrs.local,
    address: msg.attrs.address,
    anycast: msg.attrs.anycast,
    multicast: msg.attrs.multicast,
  });
  const maxPrefix = msg.family === Af.INET ? 32 : 128;
  if (!Number.isInteger(msg.prefixlen) || msg.prefixlen < 0 || msg.prefixlen > maxPrefix) {
    throw new NetlinkEncodeError(`prefix length ${msg.prefixlen} is out of range 0..${maxPrefix}`);
  }
  if (!Number.isInteger(msg.index) || msg.index < 0 || msg.index > 0xffffffff) throw new NetlinkEncodeError(`ifaddrmsg index ${msg.index} is out of range`);
  const family = u8(msg.family, 'family');
  const flags = u8(msg.flags, 'flags');
  const scope = u8(msg.scope, 'scope');
  const body = encodeAttributesAfter(IFADDRMSG_LEN, addrAttributes, msg.attrs);
  body[0] = family;
  body[1] = msg.prefixlen;
  body[2] = flags;
  body[3] = scope;
  putU32(body, 4, msg.index);
  return body;
}

/** Decodes the body of RTM_NEWADDR/RTM_DELADDR. */
export function decodeAddr(body: Uint8Array): AddrMessage {
  if (body.length < IFADDRMSG_LEN) throw new NetlinkDecodeError(`address message body has ${body.length} bytes, too few for the 8-byte struct ifaddrmsg`, 0);
  const v = viewOf(body);
  return {
    family: v.getUint8(0),
    prefixlen: v.getUint8(1),
    flags: v.getUint8(2),
    scope: v.getUint8(3),
    index: v.getUint32(4, HOST_LITTLE_ENDIAN),
    attrs: decodeAttributes(addrAttributes, body.subarray(IFADDRMSG_LEN), IFADDRMSG_LEN),
  };
}
