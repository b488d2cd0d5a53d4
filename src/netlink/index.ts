/**
 * The rtnetlink wire codec: the public door of src/netlink for src/rtnl. Pure: no I/O, no root.
 */
export * from './constants.js';
export { NetlinkDecodeError, NetlinkEncodeError, decodeAck, decodeDone } from './error.js';
export type { Ack, DumpDone, EchoedHeader, Extack } from './error.js';
export {
  checkHeader,
  encodeMessage,
  encodeMessages,
  decodeMessages,
  frameMessages,
  isBareAck,
  countRequests,
  frameHeaders,
  HeaderColumn,
  numberRequests,
  putMessage,
  isDone,
  isError,
  isMultipart,
  isDumpInterrupted,
} from './message.js';
export type { MessageFrame, MessageHeader, NetlinkMessage, OutgoingMessage } from './message.js';
export { defineAttributes, encodeAttributes, decodeAttributes, encodeAttribute, splitAttributes } from './attributes.js';
export type { AttributeCodec, AttributeSpec, AttributeTable, AttributeValues, AttributeValue, RawAttribute, WireAttribute } from './attributes.js';
export { ipv4ToBytes, ipv6ToBytes, ipToBytes, bytesToIpv4, bytesToIpv6, bytesToIp, ipVersion, macToBytes, bytesToMac } from './address.js';
export { encodeLink, decodeLink, encodeLinkProp, linkAttributes, IFINFOMSG_LEN } from './link.js';
export type { LinkAttrs, LinkHeader, LinkMessage, LinkRequest } from './link.js';
export { LINK_STATS_FIELDS, type LinkStats } from './link-stats.js';
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
export { encodeRouteRequests, longestRouteRequest, putRouteRequest, routeDestination, routeRequestSize, routeShape } from './route-batch.js';
export type { RouteDestination, RouteRequest, RouteShape } from './route-batch.js';
export { align4 } from './bytes.js';
export { encodeNeigh, decodeNeigh, neighAttributes, NDMSG_LEN } from './neigh.js';
export type { NeighMessage, NeighAttrs, NeighCacheInfo } from './neigh.js';
export { encodeNetconf, decodeNetconf, netconfAttributes, NETCONFMSG_LEN } from './netconf.js';
export type { NetconfMessage, NetconfAttrs } from './netconf.js';
export { encodeQdisc, decodeQdisc, tcAttributes, tcHMake, tcHMaj, tcHMin, formatTcHandle, TCMSG_LEN } from './tc.js';
export type { QdiscAttrs, QdiscMessage, QdiscRequest, TcHeader } from './tc.js';
export type { QdiscKindCodec } from './qdiscs/kind.js';
export { qdiscKinds } from './qdiscs/index.js';
export type { QdiscInfo, KnownQdiscInfo, RawQdiscInfo } from './qdiscs/index.js';
export { PSCHED_DEFAULT, parsePsched, timeToTicks, ticksToTime, nsToTicks, ticksToNs, transmitTicks, transmitSize } from './qdiscs/psched.js';
export type { Psched } from './qdiscs/psched.js';
export { defineStruct } from './qdiscs/struct.js';
export type { StructCodec, StructValue, StructOf, ScalarKind } from './qdiscs/struct.js';
export { TcaTbf, tbfAttributes, tbfOptions, tcRatespec, tcTbfQopt, defaultTbfBurst, defaultTbfLimit } from './qdiscs/tbf.js';
export type { TbfQdiscInfo, TbfAttrs, TbfSettings, TcRatespec, TcTbfQopt } from './qdiscs/tbf.js';
export {
  TcaNetem,
  NetemLoss,
  netemAttributes,
  netemLossAttributes,
  netemOptions,
  percentToProbability,
  probabilityToPercent,
  tcNetemQopt,
} from './qdiscs/netem.js';
export type { NetemQdiscInfo, NetemAttrs, NetemSettings, TcNetemQopt } from './qdiscs/netem.js';
export {
  NETLINK_SOCK_DIAG,
  SOCK_DIAG_BY_FAMILY,
  IPPROTO_TCP,
  TcpState,
  encodeInetDiagRequest,
  decodeInetDiagMessage,
  INET_DIAG_MSG_LEN,
  INET_DIAG_REQ_V2_LEN,
} from './sock-diag.js';
export type { InetDiagSocket } from './sock-diag.js';
