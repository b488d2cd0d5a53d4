/**
 * vxlan: Ethernet over UDP (RFC 7348), the cable between hosts. IFLA_INFO_DATA carries IFLA_VXLAN_*. The
 * destination port is network byte order (be16) and has no default the kernel agrees with IANA on: without
 * IFLA_VXLAN_PORT the kernel uses 8472 (the pre-IANA Linux port), so send 4789 explicitly.
 * Equivalent to: ip link add vx0 type vxlan id 42 dstport 4789 local 10.10.1.2 ttl 64 nolearning
 */
import { defineAttributes, decodeAttributes, encodeAttributes } from '../attributes.js';
import type { AttributeCodec, AttributeValues } from '../attributes.js';
import { viewOf } from '../bytes.js';
import { NetlinkDecodeError } from '../error.js';
import type { LinkKindCodec } from '../link-kind.js';

/** VXLAN attributes (IFLA_VXLAN_*). */
export const IflaVxlan = {
  ID: 1,
  GROUP: 2,
  LINK: 3,
  LOCAL: 4,
  TTL: 5,
  TOS: 6,
  LEARNING: 7,
  AGEING: 8,
  LIMIT: 9,
  PORT_RANGE: 10,
  PROXY: 11,
  RSC: 12,
  L2MISS: 13,
  L3MISS: 14,
  PORT: 15,
  GROUP6: 16,
  LOCAL6: 17,
  UDP_CSUM: 18,
  UDP_ZERO_CSUM6_TX: 19,
  UDP_ZERO_CSUM6_RX: 20,
  REMCSUM_TX: 21,
  REMCSUM_RX: 22,
  GBP: 23,
  REMCSUM_NOPARTIAL: 24,
  COLLECT_METADATA: 25,
  LABEL: 26,
  GPE: 27,
  TTL_INHERIT: 28,
  DF: 29,
  VNIFILTER: 30,
  LOCALBYPASS: 31,
  LABEL_POLICY: 32,
  RESERVED_BITS: 33,
} as const;

/** struct ifla_vxlan_port_range: UDP source ports to pick from, both network order. */
export interface VxlanPortRange {
  low: number;
  high: number;
}

const portRangeCodec: AttributeCodec<VxlanPortRange> = {
  encode(r) {
    const out = new Uint8Array(4);
    const v = viewOf(out);
    v.setUint16(0, r.low, false);
    v.setUint16(2, r.high, false);
    return out;
  },
  decode(payload, at) {
    if (payload.length !== 4) throw new NetlinkDecodeError(`struct ifla_vxlan_port_range has ${payload.length} bytes, expected 4`, at);
    const v = viewOf(payload);
    return { low: v.getUint16(0, false), high: v.getUint16(2, false) };
  },
};

/**
 * IFLA_VXLAN_TTL_INHERIT is a flag in requests (the kernel's policy is NLA_FLAG: a payload is refused) but
 * the kernel reports it as a u8 0/1. Like any flag: true when set, absent when not (a reported 0 decodes
 * to absent, so a decoded link encodes back to the same request).
 */
const ttlInheritCodec: AttributeCodec<true> = {
  encode() {
    return new Uint8Array(0);
  },
  decode(payload, at) {
    if (payload.length === 0) return true;
    if (payload.length === 1) return payload[0] !== 0 ? true : undefined;
    throw new NetlinkDecodeError(`IFLA_VXLAN_TTL_INHERIT has ${payload.length} bytes, expected 0 or 1`, at);
  },
};

// Field order follows what iproute2 sends, so our requests compare byte for byte with `ip link add`.
export const vxlanAttributes = defineAttributes('IFLA_VXLAN', {
  /** Outer IP TTL; 0 means inherit from the inner packet ("ttl auto"). */
  ttl: { type: IflaVxlan.TTL, kind: 'u8' },
  tos: { type: IflaVxlan.TOS, kind: 'u8' },
  df: { type: IflaVxlan.DF, kind: 'u8' },
  label: { type: IflaVxlan.LABEL, kind: 'be32' },
  /** VXLAN network identifier, 0 to 16777215 (24 bits). */
  id: { type: IflaVxlan.ID, kind: 'u32' },
  /** IPv4 multicast group, or the one remote for point-to-point ("remote"). */
  group: { type: IflaVxlan.GROUP, kind: 'ipv4' },
  group6: { type: IflaVxlan.GROUP6, kind: 'ipv6' },
  /** IPv4 source address of the outer packets. */
  local: { type: IflaVxlan.LOCAL, kind: 'ipv4' },
  local6: { type: IflaVxlan.LOCAL6, kind: 'ipv6' },
  /** Underlay interface index ("dev"). */
  link: { type: IflaVxlan.LINK, kind: 'u32' },
  /** Learn remote MACs from received packets; false when the FDB is programmed (EVPN, static). */
  learning: { type: IflaVxlan.LEARNING, kind: 'bool8' },
  proxy: { type: IflaVxlan.PROXY, kind: 'bool8' },
  rsc: { type: IflaVxlan.RSC, kind: 'bool8' },
  l2miss: { type: IflaVxlan.L2MISS, kind: 'bool8' },
  l3miss: { type: IflaVxlan.L3MISS, kind: 'bool8' },
  collectMetadata: { type: IflaVxlan.COLLECT_METADATA, kind: 'bool8' },
  /** Seconds a learnt FDB entry lives. Default 300. */
  ageing: { type: IflaVxlan.AGEING, kind: 'u32' },
  /** Maximum number of FDB entries, 0 for no limit. */
  limit: { type: IflaVxlan.LIMIT, kind: 'u32' },
  portRange: { type: IflaVxlan.PORT_RANGE, kind: 'custom', codec: portRangeCodec },
  /** UDP destination port, network byte order on the wire. Use 4789 (IANA). */
  port: { type: IflaVxlan.PORT, kind: 'be16' },
  udpCsum: { type: IflaVxlan.UDP_CSUM, kind: 'bool8' },
  udpZeroCsum6Tx: { type: IflaVxlan.UDP_ZERO_CSUM6_TX, kind: 'bool8' },
  udpZeroCsum6Rx: { type: IflaVxlan.UDP_ZERO_CSUM6_RX, kind: 'bool8' },
  remcsumTx: { type: IflaVxlan.REMCSUM_TX, kind: 'bool8' },
  remcsumRx: { type: IflaVxlan.REMCSUM_RX, kind: 'bool8' },
  gbp: { type: IflaVxlan.GBP, kind: 'flag' },
  remcsumNopartial: { type: IflaVxlan.REMCSUM_NOPARTIAL, kind: 'flag' },
  gpe: { type: IflaVxlan.GPE, kind: 'flag' },
  /** Outer TTL copied from the inner packet ("ttl inherit"). */
  ttlInherit: { type: IflaVxlan.TTL_INHERIT, kind: 'custom', codec: ttlInheritCodec },
  vnifilter: { type: IflaVxlan.VNIFILTER, kind: 'bool8' },
  localbypass: { type: IflaVxlan.LOCALBYPASS, kind: 'bool8' },
  labelPolicy: { type: IflaVxlan.LABEL_POLICY, kind: 'u32' },
});

export type VxlanAttrs = AttributeValues<typeof vxlanAttributes.fields>;

export interface VxlanLinkInfo extends VxlanAttrs {
  kind: 'vxlan';
  raw?: never;
}

export const vxlanKind: LinkKindCodec<VxlanLinkInfo> = {
  kind: 'vxlan',
  encodeData(info) {
    const data = encodeAttributes(vxlanAttributes, info);
    return data.length > 0 ? data : undefined;
  },
  decodeData(data, at) {
    return { kind: 'vxlan', ...(data === undefined ? {} : decodeAttributes(vxlanAttributes, data, at)) };
  },
};
