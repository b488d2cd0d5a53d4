/**
 * `why` over several machines. A path that stays on one host is that host's question: its own `nslab why`
 * answers it there (with the kernel's lookups checked, as on one machine). A path that crosses hosts is
 * walked here, on one model joined from every host's share (`nslab part why-read`: its nodes as its kernel
 * has them), each VXLAN end wired to the node at its far end. The kernel cannot say a peer host is dead
 * (a VXLAN device keeps its carrier), so the question to each host is the probe: a host that does not
 * answer over ssh has its nodes absent, and a path that leads to one stops there with that as its cause.
 */
import { upAgain, whyResult, whyTarget, type WhyResult, type WhyShare } from '../engine/index.js';
import { diagnose, emptyModel, modelOfLab, type HostGone } from '../plan/why/index.js';
import type { ResolvedLab } from '../topology/types.js';
import type { HostsOptions } from './controller.js';
import { runNslab, sshFailure, type HostRef, type SshOptions } from './ssh.js';
import { readHostsState } from './state.js';
import { join } from 'node:path';
import { STATE_ROOT } from '../engine/index.js';

export interface WhyHostsOptions extends HostsOptions {
  /** How the advice says to bring the lab up again (default: `nslab up FILE` for its file, when here). */
  upCommand?: string;
}

function sshOf(options: HostsOptions): SshOptions {
  return { ...options.ssh, controlDir: join(options.stateRoot ?? STATE_ROOT, '.ssh') };
}

/** The hosts a result's walks cross, in order, each hop marked with its host. */
function withHosts(r: WhyResult, hostOf: ReadonlyMap<string, string>): WhyResult {
  const crossed: string[] = [];
  const mark = <T extends { node: string }>(hop: T): T & { host?: string } => {
    const host = hostOf.get(hop.node);
    if (host === undefined) return hop;
    if (crossed[crossed.length - 1] !== host) crossed.push(host);
    return { ...hop, host };
  };
  const there = { ...r.there, hops: r.there.hops.map(mark) };
  const back = r.back !== undefined ? { ...r.back, hops: r.back.hops.map(mark) } : undefined;
  return { ...r, there, ...(back !== undefined ? { back } : {}), hosts: crossed };
}

/** True when a walk leaves a node by a cable to another host: that host's own `why` could not follow it. */
function leavesHost(r: WhyResult, crossing: ReadonlySet<string>): boolean {
  return [...r.there.hops, ...(r.back?.hops ?? [])].some((h) => h.out !== undefined && crossing.has(`${h.node}:${h.out}`));
}

/**
 * Why does (or doesn't) a packet from `from` reach `target` in a lab over several machines (`lab`: the
 * whole lab, as the controller's journal has it)? See the module's comment.
 */
export async function whyHosts(lab: ResolvedLab, from: string, target: string, options: WhyHostsOptions = {}): Promise<WhyResult> {
  const { address, to } = whyTarget(lab, from, target);
  const state = readHostsState(lab.name, options.stateRoot);
  const hostOf = new Map(lab.nodes.filter((n) => n.host !== undefined).map((n) => [n.name, n.host as string]));
  const refs: HostRef[] = Object.entries(state?.hosts ?? {}).map(([name, p]) => ({ name, ssh: p.ssh }));
  const ssh = sshOf(options);
  const crossing = new Set<string>();
  for (const l of lab.links) if (hostOf.get(l.a.node) !== hostOf.get(l.b.node)) for (const e of [l.a, l.b]) crossing.add(`${e.node}:${e.ifname}`);

  // Both ends on one host: ask that host; its answer stands unless the path leaves it.
  const home = refs.find((h) => h.name === hostOf.get(from));
  if (home !== undefined && hostOf.get(to) === home.name) {
    const r = await runNslab(home, ['why', '--lab', lab.name, from, target, '--json'], ssh, { timeoutMs: 60_000 });
    if (r.exitCode === 0 || r.exitCode === 1) {
      const answer = JSON.parse(r.stdout) as WhyResult;
      if (!leavesHost(answer, crossing)) return withHosts(answer, hostOf);
    }
  }

  // Every host's share, at once; a host that does not answer is the probe's finding.
  const gone = new Map<string, HostGone>();
  const readFailures: string[] = [];
  const shares = await Promise.all(
    refs.map(async (h) => {
      const r = await runNslab(h, ['part', 'why-read', '--lab', lab.name], ssh, { timeoutMs: 30_000 });
      if (r.exitCode === 0) return { host: h.name, share: JSON.parse(r.stdout) as WhyShare };
      // ssh's own failure (255), or no answer in time: the host is gone. Anything else it said is a note.
      if (r.exitCode === 255 || r.timedOut) gone.set(h.name, { host: h.name, ssh: h.ssh, reason: sshFailure(h, r) });
      else readFailures.push(`${sshFailure(h, r)} (reading its part)`);
      return undefined;
    }),
  );
  const kernel = emptyModel(lab);
  const upOps: WhyShare['upOps'] = [];
  const upRefused: string[] = [];
  const notes: string[] = [...readFailures];
  for (const s of shares) {
    if (s === undefined) continue;
    for (const node of Object.values(s.share.model.nodes)) if (node.present && hostOf.get(node.name) === s.host) kernel.nodes[node.name] = node;
    upOps.push(...s.share.upOps);
    upRefused.push(...s.share.upRefused.map((x) => `on host ${s.host}: ${x}`));
    notes.push(...s.share.notes.map((x) => `on host ${s.host}: ${x}`));
  }
  // The cables between hosts: each VXLAN end leads to the other end's node, as a veth would.
  for (const l of lab.links) {
    if (hostOf.get(l.a.node) === hostOf.get(l.b.node)) continue;
    for (const [x, y] of [
      [l.a, l.b],
      [l.b, l.a],
    ] as const) {
      const dev = kernel.nodes[x.node]?.links.find((k) => k.ifname === x.ifname);
      if (dev?.kind === 'vxlan') dev.peer = { node: y.node, ifname: y.ifname };
    }
  }
  const hostsGone: Record<string, HostGone> = {};
  for (const [node, host] of hostOf) {
    const g = gone.get(host);
    if (g !== undefined) hostsGone[node] = g;
  }
  const upCommand = options.upCommand ?? upAgain(options.source ?? state?.source);
  const d = diagnose({
    lab,
    kernel,
    file: modelOfLab(lab),
    upOps,
    upRefused,
    ...(upCommand !== undefined ? { upCommand } : {}),
    from,
    address,
    to,
    hostsGone,
  });
  const result = whyResult(d, from, to, notes);
  return withHosts(result, hostOf);
}
