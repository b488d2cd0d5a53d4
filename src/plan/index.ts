/**
 * The planner: resolved topology + observed state -> ordered, serialisable operations. Pure: no I/O.
 */
export { plan, planSteps } from './plan.js';
export { finish, PIECE, type Steps } from '../topology/steps.js';
export { FORWARDING_SYSCTLS, NO_DAD_SYSCTLS, PLANNED_SYSCTLS } from './sysctls.js';
export { teardownPlan } from './teardown.js';
export { dependencyGraph, dependencyGraphSteps, levels, ridesLane, type DependencyGraph } from './levels.js';
export { OP_KINDS, describe, devicesMadeBy, explain, kindOf, socketOf, qdiscArgs, type OpKindSpec, type OpOf } from './ops/index.js';
export { simulate } from './simulate.js';
export { cidrText, destinationText, protocolText, rateText, routeText } from './format.js';
export { markFor, parseMark, RTPROT_NSLAB } from './marks.js';
export type { EndRef, ObservedLab, ObservedLink, ObservedNamespace, ObservedProcess, Op, OpBase, OpKind, Plan } from './types.js';
export { foreignConflicts } from './foreign.js';
export type { ForeignRoute } from './types.js';
