/**
 * The topology pipeline (pure: no I/O; the caller reads the file): text or object -> strict parse ->
 * every problem at once -> ResolvedLab.
 */
export { parseTopology, type ParseOptions } from './parse.js';
export { convertClab, isClabText, printNslab, type ClabResult, type PrintOptions } from './clab/index.js';
export {
  FRR_DAEMONS,
  FRR_DAEMON_NAMES,
  FRR_PACKAGE,
  FRR_PROGRAM_DIRS,
  FRR_SHELL,
  missingFrrDaemons,
  type FrrDaemon,
  type FrrDaemonInfo,
} from './frr-daemons.js';
export { resolveTopology, renameLab } from './resolve.js';
export { routesOf, routeTableOf } from './routing.js';
export { addressFor, firstAddresses, hostsViews, hostsViewSteps, nodeAddresses, type HostsView } from './reach.js';
export { checkScenario, checkPartition, msText, DEFAULT_CHECK_TIMEOUT_MS, type ScenarioContext, type CodeStep } from './scenario.js';
export type { TopologyInput } from './schema.js';
export { topologyJsonSchema } from './json-schema.js';
export { DEFAULT_LAB_NAME, DEFAULT_LAB_TEXT } from './default-lab.js';
export type {
  Cidr,
  ComputedRoutes,
  ExecEntry,
  Family,
  FrrConfigSource,
  LabSubnet,
  NodeKind,
  NodeRoutes,
  ResolvedEndpoint,
  ResolvedFrr,
  ResolvedHost,
  ResolvedLab,
  ResolvedLink,
  ResolvedNode,
  ResolvedRoute,
  ResolvedTunnel,
  Shaping,
  ScenarioStep,
  ScenarioAction,
  ScenarioCheck,
  ScenarioLinkChange,
} from './types.js';
