/**
 * The plan that takes a whole lab down: end its background processes, then delete its namespaces
 * (each takes its links, addresses and routes with it). Only what the observation holds, which is only
 * what carries the lab's mark, is touched.
 */
import { PlanBuilder } from './builder.js';
import type { ObservedLab, Plan } from './types.js';

/**
 * `proc.kill` for every observed process, then `netns.del` for every observed namespace, each after the
 * kills of its node's processes (a process left running would keep a deleted namespace alive).
 */
export function teardownPlan(lab: string, observed: ObservedLab): Plan {
  const b = new PlanBuilder(lab);
  const kills = new Map<string, string[]>();
  const processes = [...observed.processes].sort((x, y) => (x.node < y.node ? -1 : x.node > y.node ? 1 : x.pid - y.pid));
  for (const p of processes) {
    const id = b.push({ op: 'proc.kill', id: `kill:${p.node}:${p.pid}`, after: [], node: p.node, pid: p.pid, startTime: p.startTime });
    kills.set(p.node, [...(kills.get(p.node) ?? []), id]);
  }
  for (const netns of Object.keys(observed.namespaces).sort()) {
    const node = observed.namespaces[netns]?.node ?? '';
    b.push({ op: 'netns.del', id: `del-netns:${node !== '' ? node : netns}`, after: kills.get(node) ?? [], netns, node });
  }
  return b.build();
}
