/**
 * Neighbours (RTM_NEWNEIGH, RTM_DELNEIGH, RTM_GETNEIGH): struct ndmsg (family u8, pad u8, pad u16,
 * ifindex s32, state u16, flags u8, type u8) followed by NDA_* attributes. With family AF_BRIDGE the same
 * message is a forwarding-database entry (`bridge fdb`): NDA_LLADDR is the MAC, NDA_DST a VXLAN remote.
 * Equivalent to: ip neigh add 10.10.1.9 lladdr 02:00:00:00:00:09 dev rveth
 */
import { decodeAttributes, defineAttributes, encodeAttributes } from './attributes.js';
import type { AttributeCodec, AttributeValues } from './attributes.js';
import { HOST_LITTLE_ENDIAN, concatBytes, viewOf } from './bytes.js';
import { Nda } from './constants.js';
import { NetlinkDecodeError, NetlinkEncodeError } from './error.js';
import { checkFamily } from './family.js';

/** Size of struct ndmsg. */
export const NDMSG_LEN = 12;

/** struct nda_cacheinfo: ages in clock ticks (USER_HZ). */
export interface NeighCacheInfo {
  confirmed: number;
  used: number;
  updated: number;
  refcnt: number;
}

const cacheInfoCodec: AttributeCodec<NeighCacheInfo> = {
  encode(c) {
    const out = new Uint8Array(16);
    const v = viewOf(out);
    [c.confirmed, c.used, c.updated, c.refcnt].forEach((n, i) => v.setUint32(i * 4, n, HOST_LITTLE_ENDIAN));
    return out;
  },
  decode(payload, at) {
    if (payload.length !== 16) throw new NetlinkDecodeError(`struct nda_cacheinfo has ${payload.length} bytes, expected 16`, at);
    const v = viewOf(payload);
    const n = (i: number): number => v.getUint32(i * 4, HOST_LITTLE_ENDIAN);
    return { confirmed: n(0), used: n(1), updated: n(2), refcnt: n(3) };
  },
};

export const neighAttributes = defineAttributes('NDA', {
  /** The neighbour's IP address (or, in an FDB entry, the VXLAN remote). */
  dst: { type: Nda.DST, kind: 'ip' },
  /** Its link-layer address. */
  lladdr: { type: Nda.LLADDR, kind: 'mac' },
  cacheinfo: { type: Nda.CACHEINFO, kind: 'custom', codec: cacheInfoCodec },
  probes: { type: Nda.PROBES, kind: 'u32' },
  vlan: { type: Nda.VLAN, kind: 'u16' },
  /** VXLAN FDB: UDP destination port, network byte order. */
  port: { type: Nda.PORT, kind: 'be16' },
  vni: { type: Nda.VNI, kind: 'u32' },
  /** VXLAN FDB: the underlay interface to reach the remote through. */
  ifindex: { type: Nda.IFINDEX, kind: 'u32' },
  master: { type: Nda.MASTER, kind: 'u32' },
  linkNetnsId: { type: Nda.LINK_NETNSID, kind: 's32' },
  srcVni: { type: Nda.SRC_VNI, kind: 'u32' },
  protocol: { type: Nda.PROTOCOL, kind: 'u8' },
  nhId: { type: Nda.NH_ID, kind: 'u32' },
  flagsExt: { type: Nda.FLAGS_EXT, kind: 'u32' },
  stateMask: { type: Nda.NDM_STATE_MASK, kind: 'u16' },
  flagsMask: { type: Nda.NDM_FLAGS_MASK, kind: 'u8' },
});

export type NeighAttrs = AttributeValues<typeof neighAttributes.fields>;

/** struct ndmsg + attributes. */
export interface NeighMessage {
  family: number;
  ifindex: number;
  /** NUD_* state; NUD_PERMANENT for static entries. */
  state: number;
  /** NTF_* flags (NTF_SELF, NTF_MASTER for FDB entries). */
  flags: number;
  /** RTN_* type; RTN_UNSPEC in requests. */
  type: number;
  attrs: NeighAttrs;
}

function check(n: number, max: number, what: string): number {
  if (!Number.isInteger(n) || n < 0 || n > max) throw new NetlinkEncodeError(`ndmsg ${what} must be 0..${max}, not ${n}`);
  return n;
}

/** Body of a neighbour message: struct ndmsg + NDA attributes. */
export function encodeNeigh(msg: NeighMessage): Buffer {
  checkFamily('neighbour message', msg.family, { dst: msg.attrs.dst });
  const head = Buffer.alloc(NDMSG_LEN);
  const v = viewOf(head);
  v.setUint8(0, check(msg.family, 0xff, 'family'));
  v.setInt32(4, check(msg.ifindex, 0x7fffffff, 'ifindex'), HOST_LITTLE_ENDIAN);
  v.setUint16(8, check(msg.state, 0xffff, 'state'), HOST_LITTLE_ENDIAN);
  v.setUint8(10, check(msg.flags, 0xff, 'flags'));
  v.setUint8(11, check(msg.type, 0xff, 'type'));
  return concatBytes([head, encodeAttributes(neighAttributes, msg.attrs)]);
}

/** Decodes the body of RTM_NEWNEIGH/RTM_DELNEIGH. */
export function decodeNeigh(body: Uint8Array): NeighMessage {
  if (body.length < NDMSG_LEN) throw new NetlinkDecodeError(`neighbour message body has ${body.length} bytes, too few for the 12-byte struct ndmsg`, 0);
  const v = viewOf(body);
  return {
    family: v.getUint8(0),
    ifindex: v.getInt32(4, HOST_LITTLE_ENDIAN),
    state: v.getUint16(8, HOST_LITTLE_ENDIAN),
    flags: v.getUint8(10),
    type: v.getUint8(11),
    attrs: decodeAttributes(neighAttributes, body.subarray(NDMSG_LEN), NDMSG_LEN),
  };
}
