/**
 * The plan's dependencies by position (what the engine schedules from), each op's lane (which dependencies
 * it need only follow onto the same socket), and waves: the plan cut into groups of ops that can run
 * together.
 */
import { kindOf } from './ops/index.js';
import type { Op, Plan } from './types.js';
import { NslabError } from '../errors.js';
import { finish, PIECE, type Steps } from '../topology/steps.js';

/**
 * Groups the ops into waves: an op lands in the first wave after all of its `after`, except that it may
 * share a wave with a dependency on the same lane (see ridesLane). Within a wave ops keep their plan
 * order. Throws as dependencyGraph does. (The engine does not wait for whole waves: it sends each op as
 * soon as its own dependencies allow. Waves are the plan's concurrency in a form people and tests read.)
 */
export function levels(plan: Plan): Op[][] {
  const { ops, waiting: counts, dependents, lanes } = dependencyGraph(plan);
  const waiting = [...counts];
  // Kahn's order. Each op's wave is the latest of its dependencies', plus one unless it rides the
  // dependency's lane (and comes after it in the plan, which is the order the engine sends a wave in):
  // each placed op passes its wave on to the ops waiting for it, so an op's wave is final once it is ready.
  const wave: number[] = [];
  const ready: number[] = [];
  for (let i = 0; i < ops.length; i++) {
    wave.push(0);
    if (waiting[i] === 0) ready.push(i);
  }
  let placed = 0;
  while (placed < ready.length) {
    const j = ready[placed++] as number;
    const list = dependents[j];
    if (list === undefined) continue;
    for (let k = 0; k < list.length; k++) {
      const i = list[k] as number;
      wave[i] = Math.max(wave[i] as number, (wave[j] as number) + (ridesLane(lanes, j, i) ? 0 : 1));
      const left = (waiting[i] as number) - 1;
      waiting[i] = left;
      if (left === 0) ready.push(i);
    }
  }
  const waves: Op[][] = [];
  for (let i = 0; i < ops.length; i++) (waves[wave[i] as number] ??= []).push(ops[i] as Op);
  return waves.filter((w) => w !== undefined);
}

/** The plan's dependencies by position, checked: what the engine schedules from (and levels() too). */
export interface DependencyGraph {
  ops: readonly Op[];
  /** For each op, how many distinct ops it waits for. */
  waiting: readonly number[];
  /** For each op, the positions of the ops that wait for it (undefined where none do). */
  dependents: readonly (readonly number[] | undefined)[];
  /** Each op's lane (see laneOf). */
  lanes: readonly (string | undefined)[];
}

/**
 * Op `i` need not wait for its dependency `j` to be answered, only to be sent: both go out on one socket
 * (their lane) and `j` comes first in the plan, so the kernel answers `j` before it reads `i`.
 */
export function ridesLane(lanes: readonly (string | undefined)[], j: number, i: number): boolean {
  const lane = lanes[i];
  return lane !== undefined && lane === lanes[j] && j < i;
}

/**
 * Reads the plan's `after` lists into positions. Throws a plain Error (a planner bug, not a user mistake)
 * on a duplicate id, an `after` naming no op of the plan, or a cycle.
 */
export function dependencyGraph(plan: Plan): DependencyGraph {
  return finish(dependencyGraphSteps(plan));
}

/** dependencyGraph, in pieces (steps.ts): what the engine runs, with turns of the event loop between them. */
export function* dependencyGraphSteps(plan: Plan): Steps<DependencyGraph> {
  // Index loops and plain arrays throughout: this runs once per process, before the JIT warms up, where
  // `for...of`, callbacks, spreads and a Set per op all cost.
  const ops = plan.ops;
  const position = new Map<string, number>();
  for (let i = 0; i < ops.length; i++) {
    if (i % PIECE === PIECE - 1) yield;
    const id = (ops[i] as Op).id;
    position.set(id, i);
    // One lookup per id, not two: an id seen before leaves the map's size as it was.
    if (position.size === i) throw new NslabError('NSLAB_INTERNAL', `plan ${plan.lab}: two operations have the id ${id}`);
  }
  // How many ops each op waits for (each counted once) and, the other way round, which ops wait for it
  // (a list only where some do). `listedFor[j] === i + 1` says op i lists j already: the duplicate check
  // without a Set per op.
  const waiting: number[] = [];
  const dependents: (number[] | undefined)[] = [];
  for (let i = 0; i < ops.length; i++) dependents.push(undefined);
  const listedFor = new Array<number>(ops.length).fill(0);
  for (let i = 0; i < ops.length; i++) {
    if (i % PIECE === PIECE - 1) yield;
    const op = ops[i] as Op;
    let count = 0;
    for (let k = 0; k < op.after.length; k++) {
      const dep = op.after[k] as string;
      const j = position.get(dep);
      if (j === undefined) throw new NslabError('NSLAB_INTERNAL', `plan ${plan.lab}: ${op.id} waits for ${dep}, which is not in the plan`);
      if (j === i) throw new NslabError('NSLAB_INTERNAL', `plan ${plan.lab}: ${op.id} waits for itself`);
      if (listedFor[j] === i + 1) continue;
      listedFor[j] = i + 1;
      count++;
      const list = dependents[j];
      if (list === undefined) dependents[j] = [i];
      else list.push(i);
    }
    waiting.push(count);
  }
  // A cycle leaves ops that never become ready.
  const left = [...waiting];
  const ready: number[] = [];
  for (let i = 0; i < ops.length; i++) if (left[i] === 0) ready.push(i);
  for (let r = 0; r < ready.length; r++) {
    if (r % PIECE === PIECE - 1) yield;
    const list = dependents[ready[r] as number];
    if (list !== undefined) for (let k = 0; k < list.length; k++) if (--(left[list[k] as number] as number) === 0) ready.push(list[k] as number);
  }
  if (ready.length < ops.length) throw new NslabError('NSLAB_INTERNAL', `plan ${plan.lab}: dependency cycle through ${describeCycle(plan, left)}`);
  yield;
  return { ops, waiting, dependents, lanes: yield* laneSteps(plan) };
}

/**
 * Each op's lane: the namespace whose socket carries its request, for the ops whose request is queued the
 * moment the engine issues them; undefined for the others (namespaces and sysctls go through the addon, exec
 * and kills are processes, and a request naming a device the plan does not make looks its index up
 * first). The kernel answers one socket's requests in the order they were sent, so an op can go in the same
 * wave as a dependency on its lane, right behind it: an address in the wave that makes its device.
 */
export function laneOf(plan: Plan): (string | undefined)[] {
  return finish(laneSteps(plan));
}

/** laneOf, in pieces (steps.ts). */
function* laneSteps(plan: Plan): Steps<(string | undefined)[]> {
  // The devices the plan makes: namespace -> interface names (nested, so no key string is built per op).
  const made = new Map<string, Set<string>>();
  const ops = plan.ops;
  for (let i = 0; i < ops.length; i++) {
    if (i % PIECE === PIECE - 1) yield;
    const spec = kindOf(ops[i] as Op);
    if (spec.makes === undefined) continue;
    for (const [netns, ifname] of spec.makes(ops[i] as Op)) {
      let names = made.get(netns);
      if (names === undefined) made.set(netns, (names = new Set()));
      names.add(ifname);
    }
  }
  const makes = (netns: string, ifname: string | undefined): boolean => ifname === undefined || made.get(netns)?.has(ifname) === true;
  const lanes: (string | undefined)[] = [];
  for (let i = 0; i < ops.length; i++) {
    if (i % PIECE === PIECE - 1) yield;
    lanes.push(kindOf(ops[i] as Op).lane(ops[i] as Op, makes));
  }
  return lanes;
}

/** Finds one cycle among the ops that never became ready, as `a -> b -> a`. */
function describeCycle(plan: Plan, waiting: number[]): string {
  const stuck = new Map<string, Op>();
  plan.ops.forEach((op, i) => {
    if ((waiting[i] ?? 0) > 0) stuck.set(op.id, op);
  });
  const first = stuck.values().next().value;
  if (first === undefined) return '(unknown)';
  // Walk stuck -> one of its stuck dependencies until an id repeats: that stretch is a cycle.
  const path: string[] = [];
  const seenAt = new Map<string, number>();
  let op: Op | undefined = first;
  while (op !== undefined && !seenAt.has(op.id)) {
    seenAt.set(op.id, path.length);
    path.push(op.id);
    const nextId: string | undefined = op.after.find((dep) => stuck.has(dep));
    op = nextId !== undefined ? stuck.get(nextId) : undefined;
  }
  if (op === undefined) return path.join(' -> ');
  const cycle = path.slice(seenAt.get(op.id));
  return [...cycle, op.id].join(' -> ');
}
