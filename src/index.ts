/**
 * nslab: virtual networks of Linux network namespaces. The one public door of the package.
 */
export { Lab, Node, LinkEnd, type ExecResult, type ExecOptions } from './api/index.js';
export {
  up,
  down,
  status,
  listLabs,
  clean,
  setLink,
  why,
  opChannel,
  Spares,
  type LinkChange,
  type WhyResult,
  type UpOptions,
  type UpResult,
  type DownOptions,
  type DownResult,
  type LabSummary,
  type LabStatus,
  type ProgressEvent,
} from './engine/index.js';
export { Handle, NetlinkError, type Link, type Address, type Route, type RouteSpec, type RtnlEvent, type Subscription } from './rtnl/index.js';
export { parseTopology, resolveTopology, topologyJsonSchema, DEFAULT_LAB_TEXT, type ParseOptions } from './topology/index.js';
export type { ResolvedLab, ResolvedNode, ResolvedLink, ResolvedEndpoint, ResolvedRoute, Cidr, ExecEntry } from './topology/types.js';
export { plan, explain } from './plan/index.js';
export type { Plan, Op, ObservedLab } from './plan/types.js';
export { NslabError, TopologyError, type NslabErrorCode, type TopologyIssue } from './errors.js';
