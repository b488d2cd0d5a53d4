/**
 * The plan that takes a whole lab down: end its background processes, then delete its namespaces
 * (each takes its links, addresses and routes with it). Only what the observation holds, which is only
 * what carries the lab's mark, is touched.
 */
import { frrDir } from '../topology/frr-view.js';
import { PlanBuilder } from './builder.js';
import type { FrrProcess, ObservedLab, Plan } from './types.js';

/**
 * `proc.kill` for every observed process (`frr.stop` for a node's FRR daemons, which removes its FRR
 * files too), then `netns.del` for every observed namespace, each after the kills of its node's processes
 * (a process left running would keep a deleted namespace alive) and the deletion of its VXLAN devices (the
 * observed links of kind vxlan).
 */
export function teardownPlan(lab: string, observed: ObservedLab): Plan {
  const b = new PlanBuilder(lab);
  const kills = new Map<string, string[]>();
  const processes = [...observed.processes].sort((x, y) => (x.node < y.node ? -1 : x.node > y.node ? 1 : x.pid - y.pid));
  const frr = new Map<string, FrrProcess[]>();
  for (const p of processes) {
    if (p.frr !== undefined) {
      frr.set(p.node, [...(frr.get(p.node) ?? []), { daemon: p.frr.daemon, pid: p.pid, startTime: p.startTime }]);
      continue;
    }
    const id = b.push({ op: 'proc.kill', id: `kill:${p.node}:${p.pid}`, after: [], node: p.node, pid: p.pid, startTime: p.startTime });
    kills.set(p.node, [...(kills.get(p.node) ?? []), id]);
  }
  for (const [node, daemons] of frr) {
    const id = b.push({ op: 'frr.stop', id: `frr-stop:${node}`, after: [], node, dir: frrDir(lab, node), daemons });
    kills.set(node, [...(kills.get(node) ?? []), id]);
  }
  for (const netns of Object.keys(observed.namespaces).sort()) {
    const ns = observed.namespaces[netns];
    const node = ns?.node ?? '';
    const label = node !== '' ? node : netns;
    const after = [...(kills.get(node) ?? [])];
    // VXLAN devices go before their namespace: deleted with it, a device frees its VNI only a while later,
    // and an up of the lab right after would find the VNI busy.
    for (const link of ns?.links ?? []) {
      if (link.kind === 'vxlan') after.push(b.push({ op: 'vxlan.del', id: `del-vxlan:${label}:${link.ifname}`, after: [], netns, node, ifname: link.ifname }));
    }
    b.push({ op: 'netns.del', id: `del-netns:${label}`, after, netns, node });
  }
  return b.build();
}
