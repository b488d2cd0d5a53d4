export { up, type UpOptions, type UpResult } from './lab.js';
export { down, clean, type DownOptions, type DownResult } from './teardown.js';
export { status, type LabStatus } from './observe.js';
export { listLabs, labChannel, type LabSummary } from './state.js';
export { opChannel, type ProgressEvent, type ApplyOptions } from './apply.js';
export { markFor, parseMark, RTPROT_NSLAB } from '../plan/marks.js';
export { STATE_ROOT, readState, type LabState, type StateProcess, type StateRun } from './state.js';
export { Spares } from './spares.js';
export {
  why,
  whyShare,
  whyTarget,
  whyResult,
  whyWalk,
  upAgain,
  type WhyShare,
  type WhyResult,
  type WhyWalk,
  type WhyHop,
  type WhyAdvice,
  type WhyCause,
  type WhyCauseKind,
  type WhyOptions,
} from './why.js';
export { setLink, findInterface, type LinkChange } from './link.js';
export { checkMachine, readMachineLimits } from './limits.js';
export { waitConverged, hostPairs, type ConvergeOptions, type ConvergeProgress, type ConvergeResult } from './converge.js';
export { kernelRoutes, routingStatus, statusText, type KernelRoute, type RoutingStatus, type ProtocolStatus } from './routing.js';
export { startLabProcess, forgetLabProcess, type LabProcessOptions } from './processes.js';
