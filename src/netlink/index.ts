/**
 * The rtnetlink wire codec: the public door of src/netlink for src/rtnl. Pure: no I/O, no root.
 */
export * from './constants.js';
export { NetlinkDecodeError, NetlinkEncodeError, decodeAck, decodeDone } from './error.js';
export type { Ack, DumpDone, EchoedHeader, Extack } from './error.js';
export { encodeMessage, decodeMessages, isDone, isError, isMultipart, isDumpInterrupted } from './message.js';
export type { MessageHeader, NetlinkMessage } from './message.js';
export { defineAttributes, encodeAttributes, decodeAttributes, encodeAttribute, splitAttributes } from './attributes.js';
export type { AttributeCodec, AttributeSpec, AttributeTable, AttributeValues, AttributeValue, RawAttribute, WireAttribute } from './attributes.js';
export { ipv4ToBytes, ipv6ToBytes, ipToBytes, bytesToIpv4, bytesToIpv6, bytesToIp, ipVersion, macToBytes, bytesToMac } from './address.js';
export { encodeLink, decodeLink, encodeLinkProp, linkAttributes, IFINFOMSG_LEN } from './link.js';
export type { LinkAttrs, LinkHeader, LinkMessage, LinkRequest } from './link.js';
export type { LinkKindCodec, PortKindCodec, LinkCodecContext } from './link-kind.js';
export { linkKinds, portKinds } from './kinds/index.js';
export type { LinkInfo, KnownLinkInfo, RawLinkInfo, PortInfo, KnownPortInfo, RawPortInfo } from './kinds/index.js';
export { VethInfo } from './kinds/veth.js';
export type { VethLinkInfo } from './kinds/veth.js';
export { IflaBr, IflaBrport, bridgeAttributes, bridgePortAttributes } from './kinds/bridge.js';
export type { BridgeLinkInfo, BridgePortInfo, BridgeAttrs, BridgePortAttrs, BridgeId, BridgeBoolopts } from './kinds/bridge.js';
export { IflaVxlan, vxlanAttributes } from './kinds/vxlan.js';
export type { VxlanLinkInfo, VxlanAttrs, VxlanPortRange } from './kinds/vxlan.js';
export { encodeAddr, decodeAddr, addrAttributes, IFADDRMSG_LEN } from './addr.js';
export type { AddrMessage, AddrAttrs, AddrCacheInfo } from './addr.js';
export { encodeRoute, decodeRoute, routeAttributes, routeMetricsAttributes, nexthopAttributes, RTMSG_LEN } from './route.js';
export type { RouteMessage, RouteAttrs, RouteCacheInfo, Nexthop, Via } from './route.js';
export { encodeNeigh, decodeNeigh, neighAttributes, NDMSG_LEN } from './neigh.js';
export type { NeighMessage, NeighAttrs, NeighCacheInfo } from './neigh.js';
