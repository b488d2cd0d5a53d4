export { Handle, type ManyRequests, type OpenOptions, type Request, type RequestFailure } from './handle.js';
export { NetlinkError } from './error.js';
export type { DevRef } from './dev.js';
export type { Link, VethOptions, BridgeOptions, VxlanOptions, VxlanIntoOptions, LinkChanges } from './link.js';
export { upWithAliasRequest } from './link.js';
export { parseCidr, type Address, type AddOptions } from './addr.js';
export type { Route, RouteLookup, RouteSpec } from './route.js';
export { neighbourStateText, type Neighbour } from './neigh.js';
export type { Netconf } from './netconf.js';
export type { EventGroup, RtnlEvent, Subscription } from './events.js';
export {
  qdiscSupported,
  isMissingQdisc,
  QdiscKindMissingError,
  defaultTbfBurst,
  defaultTbfLimit,
  type DeviceSizes,
  type Qdisc,
  type QdiscSpec,
  type TbfSpec,
  type NetemSpec,
} from './qdisc.js';
export type { AddrOps } from './addr.js';
export type { LinkOps } from './link.js';
export type { QdiscOps } from './qdisc.js';
export type { RouteOps } from './route.js';
export type { NeighOps } from './neigh.js';
export type { NetconfOps } from './netconf.js';
export type { LinkMessage, LinkStats, NetlinkMessage } from '../netlink/index.js';
export { SocketTable, type InetDiagSocket } from './sockets.js';
