/**
 * Device configuration (RTM_NEWNETCONF, RTM_GETNETCONF): struct netconfmsg (family u8, padded to 4 bytes)
 * followed by NETCONFA_* attributes, one message per device and one each for `all` and `default`
 * (NETCONFA_IFINDEX -1 and -2). What /proc/sys/net/ipv4/conf/DEV/ holds, in one dump per namespace.
 * Equivalent to: ip -4 netconf show
 */
import { decodeAttributes, defineAttributes, encodeAttributesAfter } from './attributes.js';
import type { AttributeValues } from './attributes.js';
import { viewOf } from './bytes.js';
import { Netconfa } from './constants.js';
import { NetlinkDecodeError, NetlinkEncodeError } from './error.js';

/** struct netconfmsg is one byte; attributes start at the next 4-byte boundary. */
export const NETCONFMSG_LEN = 4;

export const netconfAttributes = defineAttributes('NETCONFA', {
  /** The device, or NETCONFA_IFINDEX_ALL (-1), NETCONFA_IFINDEX_DEFAULT (-2). */
  ifindex: { type: Netconfa.IFINDEX, kind: 's32' },
  forwarding: { type: Netconfa.FORWARDING, kind: 's32' },
  /** 0 off, 1 strict, 2 loose. */
  rpFilter: { type: Netconfa.RP_FILTER, kind: 's32' },
  mcForwarding: { type: Netconfa.MC_FORWARDING, kind: 's32' },
  proxyNeigh: { type: Netconfa.PROXY_NEIGH, kind: 's32' },
  ignoreRoutesWithLinkdown: { type: Netconfa.IGNORE_ROUTES_WITH_LINKDOWN, kind: 's32' },
  input: { type: Netconfa.INPUT, kind: 's32' },
  bcForwarding: { type: Netconfa.BC_FORWARDING, kind: 's32' },
});

export type NetconfAttrs = AttributeValues<typeof netconfAttributes.fields>;

/** struct netconfmsg + attributes. */
export interface NetconfMessage {
  family: number;
  attrs: NetconfAttrs;
}

/** Body of a netconf message (a dump request carries the family alone). */
export function encodeNetconf(msg: NetconfMessage): Buffer {
  if (!Number.isInteger(msg.family) || msg.family < 0 || msg.family > 0xff) throw new NetlinkEncodeError(`netconfmsg family must be 0..255, not ${msg.family}`);
  const body = encodeAttributesAfter(NETCONFMSG_LEN, netconfAttributes, msg.attrs);
  body[0] = msg.family;
  return body;
}

/** Decodes the body of RTM_NEWNETCONF. */
export function decodeNetconf(body: Uint8Array): NetconfMessage {
  if (body.length < 1) throw new NetlinkDecodeError('netconf message body is empty, too short for struct netconfmsg', 0);
  const family = viewOf(body).getUint8(0);
  // The kernel pads the one-byte struct to 4; a body of exactly the struct has no attributes.
  const attrs = body.length > NETCONFMSG_LEN ? decodeAttributes(netconfAttributes, body.subarray(NETCONFMSG_LEN), NETCONFMSG_LEN) : {};
  return { family, attrs };
}
