/**
 * `nslab why`, the pure part: a model of a lab's network (model.ts), a packet walked through it (walk.ts),
 * and the diagnosis with its checked fixes (diagnose.ts). The engine reads the kernel into a model.
 */
export {
  applyChanges,
  applyPlan,
  emptyModel,
  inScope,
  modelOfLab,
  ModelRefusal,
  routeScope,
  type EndName,
  type ModelChange,
  type ModelLink,
  type ModelNeighbour,
  type ModelNode,
  type ModelRoute,
  type NetModel,
  type RouteScope,
  type RouteType,
} from './model.js';
export { lookup, probe, routeText, walk, type Probe, type Walk, type WalkHop, type WalkStop } from './walk.js';
export { diagnose, type Diagnosis, type HostGone, type WhyAdvice, type WhyCause, type WhyCauseKind, type WhyInput } from './diagnose.js';
