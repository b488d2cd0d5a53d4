/**
 * veth: a virtual Ethernet cable. The request carries the peer as a whole link message (struct ifinfomsg +
 * IFLA attributes) inside VETH_INFO_PEER, so the peer gets its own IFLA_IFNAME, IFLA_ADDRESS and
 * IFLA_NET_NS_FD: both ends are created straight in their namespaces, with no move afterwards.
 * The kernel never reports the peer back (a veth has no fill_info): dumps show `{ kind: 'veth' }` only,
 * and IFLA_LINK (plus IFLA_LINK_NETNSID when it lives in another namespace) names the peer instead.
 */
import { encodeAttribute, splitAttributes } from '../attributes.js';
import { NetlinkDecodeError } from '../error.js';
import type { LinkKindCodec } from '../link-kind.js';
import type { LinkRequest } from '../link.js';

/** Attributes inside IFLA_INFO_DATA of a veth (VETH_INFO_*). */
export const VethInfo = {
  PEER: 1,
} as const;

export interface VethLinkInfo {
  kind: 'veth';
  raw?: never;
  /** The other end. Leave out to let the kernel name it vethN in the same namespace. */
  peer?: LinkRequest;
}

export const vethKind: LinkKindCodec<VethLinkInfo> = {
  kind: 'veth',
  encodeData(info, ctx) {
    if (info.peer === undefined) return undefined;
    // VETH_INFO_PEER starts with a struct, so it is not a pure nest: no NLA_F_NESTED (iproute2 agrees).
    return encodeAttribute(VethInfo.PEER, ctx.encodeLink(info.peer));
  },
  decodeData(data, at, ctx) {
    const info: VethLinkInfo = { kind: 'veth' };
    if (data === undefined) return info;
    for (const attr of splitAttributes(data, at, 'VETH_INFO attribute')) {
      if (attr.type !== VethInfo.PEER) continue;
      if (attr.data.length < 16) throw new NetlinkDecodeError(`VETH_INFO_PEER has ${attr.data.length} bytes, too few for struct ifinfomsg`, attr.at);
      info.peer = ctx.decodeLink(attr.data, attr.at + 4);
    }
    return info;
  },
};
