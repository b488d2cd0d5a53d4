/**
 * A pure model of what a plan does to the kernel: applies ops to an ObservedLab and returns the state the
 * engine would observe afterwards. It refuses what the kernel refuses (a name taken, a device missing or
 * down, a gateway off every connected subnet) and an op that runs before something it waits for, so it
 * checks a plan as well as predicting its result (`--dry-run`, and the planner's own tests).
 */
import { kindOf, type Model } from './ops/index.js';
import { fail } from './ops/kind.js';
import type { ObservedLab, ObservedLink, ObservedNamespace, Op, Plan } from './types.js';

/**
 * Applies `plan` to `observed` (null: nothing exists) and returns the new state; the input is not changed.
 * Throws a plain Error naming the op when the plan could not run as written.
 */
export function simulate(plan: Plan, observed: ObservedLab | null): ObservedLab {
  const lab: ObservedLab = observed === null ? { namespaces: {}, processes: [] } : structuredClone(observed);
  let pid = Math.max(1000, ...lab.processes.map((p) => p.pid));
  const nsOf = (op: Op, netns: string): ObservedNamespace => {
    const ns = Object.hasOwn(lab.namespaces, netns) ? lab.namespaces[netns] : undefined;
    return ns ?? fail(op, `no namespace ${netns} (ENOENT)`);
  };
  const linkOf = (op: Op, netns: string, ifname: string): ObservedLink =>
    nsOf(op, netns).links.find((l) => l.ifname === ifname) ?? fail(op, `no device ${ifname} in ${netns} (ENODEV)`);
  const model: Model = { lab, nsOf, linkOf, nextPid: () => ++pid };
  const done = new Set<string>();
  for (const op of plan.ops) {
    for (const dep of op.after) if (!done.has(dep)) fail(op, `runs before ${dep}, which it waits for`);
    if (done.has(op.id)) fail(op, 'a second op with this id');
    kindOf(op).simulate(op, model);
    done.add(op.id);
  }
  return lab;
}
