/**
 * The library surface, and everything the CLI uses (the CLI reaches nothing below this layer). The
 * package's public door, src/index.ts, exports the public part of it.
 */
export {
  Lab,
  Node,
  LinkEnd,
  upWithSpares,
  type WaitOptions,
  type LabOptions,
  type ReachOptions,
  type ConnectOptions,
  type ReachPair,
  type ReachMatrixOptions,
} from './lab.js';
export { takeLabsDownOnExit } from './interrupt.js';
export { NodeProcess, type SpawnOptions, type PortWaitOptions, type OutputWaitOptions } from './process.js';
export { Cable, type Partition } from './faults.js';
export type { ConnectResult } from './net.js';
export {
  ScheduleError,
  stepLabel,
  type Schedule,
  type ScheduleStep,
  type ScenarioStepInput,
  type CodeStepInput,
  type ScheduleOptions,
  type ScheduleResult,
  type StepResult,
} from './schedule.js';
export { runIn, type ExecResult, type ExecOptions } from './exec.js';
export { packetClock, type Capture, type CaptureOptions, type CapturedPacket, type CaptureEnd } from './capture.js';
export type { RunResult, Exit } from '../process/index.js';
export { down, status, clean, type DownOptions, type DownResult, type LabStatus } from './lifecycle.js';
export { listLabs, labsHolding, appliedLab, appliedNode, nameList, DEFAULT_LAB_NAME, type LabSummary } from './running.js';
export {
  opChannel,
  labChannel,
  type ApplyOptions,
  type LinkChange,
  type ProgressEvent,
  type UpOptions,
  type UpResult,
  type WhyResult,
  type WhyWalk,
  type WhyHop,
  type WhyAdvice,
  type WhyCause,
  type WhyCauseKind,
  type ConvergeProgress,
  type ConvergeResult,
  type KernelRoute,
  type RoutingStatus,
  type ProtocolStatus,
  type LabState,
  type StateProcess,
  type StateRun,
  checkMachine,
} from '../engine/index.js';
export { explain, describe, cidrText, routeText, rateText, destinationText, protocolText } from './format.js';
export { plan } from '../plan/index.js';
export type { Op, OpBase, EndRef, FrrProcess, Plan, ObservedLab, ObservedNamespace, ObservedLink, ObservedProcess, VxlanEnds } from '../plan/types.js';
export {
  parseTopology,
  resolveTopology,
  topologyJsonSchema,
  convertClab,
  isClabText,
  printNslab,
  routesOf,
  routeTableOf,
  DEFAULT_LAB_TEXT,
  type ParseOptions,
  type ClabResult,
  type PrintOptions,
  type TopologyInput,
} from '../topology/index.js';
export { parseRate } from '../topology/units.js';
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
  ComputedRoutes,
  NodeRoutes,
  ResolvedHost,
  ResolvedTunnel,
  ScenarioStep,
  ScenarioAction,
  ScenarioCheck,
  ScenarioLinkChange,
} from '../topology/types.js';
export { FRR_DAEMON_NAMES, type FrrDaemon } from '../topology/frr-daemons.js';
export { readTopologyFile, topologyFileReader } from './files.js';
export {
  upOverHosts,
  downOverHosts,
  statusOverHosts,
  checkHosts,
  isOverHosts,
  labsOverHosts,
  nodeHost,
  nslabForNode,
  type HostsAccess,
  type HostCheck,
  type HostStatus,
  type HostsUpResult,
  type HostsDownResult,
  type HostRef,
} from './hosts.js';
export { partUp, probeHost, planCables } from '../multihost/index.js';
