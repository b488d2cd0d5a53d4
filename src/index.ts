/**
 * nslab: virtual networks of Linux network namespaces. The one public door of the package: what is
 * exported here is the contract (docs/api.md; the API report in etc/nslab.api.md shows every change to it).
 */
export { Lab, Node, LinkEnd, takeLabsDownOnExit, type ExecResult, type ExecOptions, type RunResult, type Exit } from './api/index.js';
export type { Capture, CaptureOptions, CapturedPacket, CaptureEnd } from './api/index.js';
export { down, status, clean, listLabs, type DownOptions, type DownResult, type LabStatus, type LabSummary } from './api/index.js';
export {
  opChannel,
  labChannel,
  checkMachine,
  type LinkChange,
  type ProgressEvent,
  type ApplyOptions,
  type UpOptions,
  type UpResult,
  type WhyResult,
  type WhyWalk,
  type WhyHop,
  type WhyAdvice,
  type WhyCause,
  type WhyCauseKind,
  type WaitOptions,
  type ConvergeProgress,
  type ConvergeResult,
  type KernelRoute,
  type RoutingStatus,
  type ProtocolStatus,
  type LabState,
  type StateProcess,
} from './api/index.js';
export { explain, describe, plan, cidrText, routeText, rateText } from './api/index.js';
export type { Plan, Op, OpBase, EndRef, FrrProcess, ObservedLab, ObservedNamespace, ObservedLink, ObservedProcess, VxlanEnds } from './api/index.js';
export type { HostStatus } from './api/index.js';
export {
  parseTopology,
  resolveTopology,
  topologyJsonSchema,
  convertClab,
  printNslab,
  routesOf,
  routeTableOf,
  DEFAULT_LAB_TEXT,
  type ParseOptions,
  type ClabResult,
  type PrintOptions,
} from './api/index.js';
export type {
  ResolvedLab,
  ResolvedNode,
  ResolvedLink,
  ResolvedEndpoint,
  ResolvedRoute,
  Cidr,
  ExecEntry,
  Family,
  NodeKind,
  LabSubnet,
  Shaping,
  ResolvedFrr,
  FrrConfigSource,
  FrrDaemon,
  ComputedRoutes,
  NodeRoutes,
  ResolvedHost,
  ResolvedTunnel,
} from './api/index.js';
export { FRR_DAEMON_NAMES } from './api/index.js';
export {
  Handle,
  NetlinkError,
  type OpenOptions,
  type DevRef,
  type EventGroup,
  type Link,
  type Address,
  type Route,
  type RouteSpec,
  type RtnlEvent,
  type Subscription,
} from './rtnl/index.js';
export type {
  AddrOps,
  LinkOps,
  QdiscOps,
  RouteOps,
  NeighOps,
  NetconfOps,
  Neighbour,
  Netconf,
  LinkMessage,
  LinkStats,
  NetlinkMessage,
  AddOptions,
  BridgeOptions,
  VethOptions,
  VxlanOptions,
  VxlanIntoOptions,
  LinkChanges,
  RouteLookup,
  Qdisc,
  QdiscSpec,
  TbfSpec,
  NetemSpec,
} from './rtnl/index.js';
export { NslabError, TopologyError, type NslabErrorCode, type TopologyIssue } from './errors.js';
