/**
 * Waves: the plan cut into groups that the engine runs one after the other, each concurrently (batching
 * each namespace's requests into one sendmsg), and the requests of one namespace in plan order.
 */
import type { Op, Plan } from './types.js';

/**
 * Groups the ops into waves: an op lands in the first wave after all of its `after`, except that it may
 * share a wave with a dependency on the same lane (see laneOf). Within a wave ops keep their plan order.
 * Throws a plain Error (a planner bug, not a user mistake) on a duplicate id, an `after` naming no op of
 * the plan, or a cycle.
 */
export function levels(plan: Plan): Op[][] {
  const position = new Map<string, number>();
  plan.ops.forEach((op, i) => {
    if (position.has(op.id)) throw new Error(`plan ${plan.lab}: two operations have the id ${op.id}`);
    position.set(op.id, i);
  });
  const deps: number[][] = plan.ops.map((op, i) =>
    [...new Set(op.after)].map((dep) => {
      const j = position.get(dep);
      if (j === undefined) throw new Error(`plan ${plan.lab}: ${op.id} waits for ${dep}, which is not in the plan`);
      if (j === i) throw new Error(`plan ${plan.lab}: ${op.id} waits for itself`);
      return j;
    }),
  );
  const dependents: number[][] = plan.ops.map(() => []);
  deps.forEach((ds, i) => ds.forEach((j) => dependents[j]?.push(i)));

  // Kahn's order, then each op's wave: the latest of its dependencies', plus one unless it rides the
  // dependency's lane (and comes after it in the plan, which is the order the engine sends a wave in).
  const lanes = laneOf(plan);
  const waiting = deps.map((ds) => ds.length);
  const wave: number[] = plan.ops.map(() => 0);
  const ready = plan.ops.map((_, i) => i).filter((i) => waiting[i] === 0);
  let placed = 0;
  while (placed < ready.length) {
    const i = ready[placed++] as number;
    for (const j of deps[i] ?? []) {
      const sameLane = lanes[i] !== undefined && lanes[i] === lanes[j] && j < i;
      wave[i] = Math.max(wave[i] ?? 0, (wave[j] ?? 0) + (sameLane ? 0 : 1));
    }
    for (const d of dependents[i] ?? []) {
      const left = (waiting[d] ?? 0) - 1;
      waiting[d] = left;
      if (left === 0) ready.push(d);
    }
  }
  if (placed < plan.ops.length) throw new Error(`plan ${plan.lab}: dependency cycle through ${describeCycle(plan, waiting)}`);
  const waves: Op[][] = [];
  plan.ops.forEach((op, i) => (waves[wave[i] ?? 0] ??= []).push(op));
  return waves.filter((w) => w !== undefined);
}

/**
 * Each op's lane: the namespace whose socket carries its request, for the ops whose request is queued the
 * moment the engine issues them; undefined for the others (namespaces and sysctls go through the addon, exec
 * and kills are processes, and a request naming a device the plan does not make looks its index up
 * first). The kernel answers one socket's requests in the order they were sent, so an op can go in the same
 * wave as a dependency on its lane, right behind it: an address in the wave that makes its device.
 */
export function laneOf(plan: Plan): (string | undefined)[] {
  const made = new Set<string>();
  const dev = (netns: string, ifname: string): string => `${netns}\u0000${ifname}`;
  for (const op of plan.ops) {
    if (op.op === 'veth.add') for (const end of [op.a, op.b]) made.add(dev(end.netns, end.ifname));
    if (op.op === 'bridge.add') made.add(dev(op.netns, op.name));
  }
  const known = (netns: string, ifname: string | undefined): boolean => ifname === undefined || made.has(dev(netns, ifname));
  return plan.ops.map((op) => {
    switch (op.op) {
      case 'veth.add':
        return op.a.netns;
      case 'bridge.add':
        return op.netns;
      case 'addr.add':
        return known(op.netns, op.ifname) ? op.netns : undefined;
      case 'link.set':
        return known(op.netns, op.ifname) && known(op.netns, op.master) ? op.netns : undefined;
      case 'route.add':
        return known(op.netns, op.route.dev) ? op.netns : undefined;
      default:
        return undefined;
    }
  });
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
