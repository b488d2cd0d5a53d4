/**
 * The planner: resolved topology + observed state -> ordered, serialisable operations. Pure: no I/O.
 */
export { plan, FORWARDING_SYSCTLS, NO_DAD_SYSCTLS, PLANNED_SYSCTLS } from './plan.js';
export { teardownPlan } from './teardown.js';
export { dependencyGraph, levels, ridesLane, type DependencyGraph } from './levels.js';
export { explain } from './explain.js';
export { describe } from './describe.js';
export { simulate } from './simulate.js';
export type { EndRef, ObservedLab, ObservedLink, ObservedNamespace, ObservedProcess, Op, OpBase, OpKind, Plan } from './types.js';
