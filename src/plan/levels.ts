/**
 * Waves: the plan cut into groups where every op's dependencies are in earlier groups. The engine runs a
 * wave concurrently (batching each namespace's requests), then the next.
 */
import type { Op, Plan } from './types.js';

/**
 * Groups the ops into waves by longest path from the start: an op lands in the first wave after all of
 * its `after`. Within a wave ops keep their plan order. Throws a plain Error (a planner bug, not a user
 * mistake) on a duplicate id, an `after` naming no op of the plan, or a cycle.
 */
export function levels(plan: Plan): Op[][] {
  const position = new Map<string, number>();
  plan.ops.forEach((op, i) => {
    if (position.has(op.id)) throw new Error(`plan ${plan.lab}: two operations have the id ${op.id}`);
    position.set(op.id, i);
  });
  const waiting = plan.ops.map((op) => new Set(op.after).size);
  const dependents: number[][] = plan.ops.map(() => []);
  plan.ops.forEach((op, i) => {
    for (const dep of new Set(op.after)) {
      const j = position.get(dep);
      if (j === undefined) throw new Error(`plan ${plan.lab}: ${op.id} waits for ${dep}, which is not in the plan`);
      if (j === i) throw new Error(`plan ${plan.lab}: ${op.id} waits for itself`);
      dependents[j]?.push(i);
    }
  });

  const waves: Op[][] = [];
  let current = plan.ops.map((_, i) => i).filter((i) => waiting[i] === 0);
  let placed = 0;
  while (current.length > 0) {
    waves.push(current.map((i) => plan.ops[i] as Op));
    placed += current.length;
    const next: number[] = [];
    for (const i of current) {
      for (const d of dependents[i] ?? []) {
        const left = (waiting[d] ?? 0) - 1;
        waiting[d] = left;
        if (left === 0) next.push(d);
      }
    }
    current = next.sort((x, y) => x - y);
  }
  if (placed < plan.ops.length) throw new Error(`plan ${plan.lab}: dependency cycle through ${describeCycle(plan, waiting)}`);
  return waves;
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
