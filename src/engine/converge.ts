/**
 * Waiting for a lab's routing to converge: until every router's daemons report their adjacencies done
 * (routing.ts) and every router's routing table has stopped changing, or, when asked, until given pairs of
 * nodes reach each other. A router's daemons starting says nothing of when its routes arrive: OSPF waits
 * its dead interval (40 s by FRR's default) on a broadcast link before it elects a designated router, and
 * a table can still change after every adjacency is up (SPF, BGP updates). So both are waited for.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { isIP } from 'node:net';
import { NslabError } from '../errors.js';
import { inNetns, labEnv, run } from '../process/index.js';
import { Handle } from '../rtnl/index.js';
import type { ResolvedLab, ResolvedNode } from '../topology/types.js';
import { readRoutesOf, routingStatus, statusText, tableText, type RoutingStatus } from './routing.js';

export interface ConvergeOptions {
  /** How long to wait before giving up with NSLAB_TIMEOUT (default 120 s). */
  timeoutMs?: number;
  /**
   * How long every router's table must stay unchanged once its adjacencies are up (default 1 s; longer
   * where a router's protocol may rest longer between two changes: 6 s under FRR's OSPF defaults).
   */
  settleMs?: number;
  /**
   * Wait instead until each pair reaches: `[from, to]`, `to` a node (its first address, IPv4 first) or an
   * address; a ping, answered within a second, proves a pair.
   */
  reach?: readonly (readonly [from: string, to: string])[];
  /** Called at each round with what is done and what is still waited for. */
  onProgress?: (progress: ConvergeProgress) => void;
  signal?: AbortSignal;
}

export interface ConvergeProgress {
  /** `routing`: adjacencies forming; `settling`: tables still changing; `reaching`: pairs not reaching yet. */
  phase: 'routing' | 'settling' | 'reaching';
  /** Routers converged, or pairs that reached. */
  done: number;
  /** Routers, or pairs, in all. */
  total: number;
  /** The first thing still waited for: `r3: ospf: neighbour 10.0.0.1 on eth0 is ExStart`. */
  waiting?: string;
  /** Since the wait began. */
  elapsedMs: number;
}

export interface ConvergeResult {
  /** The lab's name. */
  lab: string;
  /** How long it took. */
  ms: number;
  /** Routers whose daemons were waited for (0 when pairs were). */
  routers: number;
  /** Pairs that were proven to reach. */
  pairs: number;
}

const POLL_MS = 250;
/** Routers asked at once (each a vtysh process). */
const PARALLEL = 8;

async function eachLimited<T, R>(items: readonly T[], limit: number, fn: (item: T) => Promise<R>): Promise<R[]> {
  const out = new Array<R>(items.length);
  let next = 0;
  const worker = async (): Promise<void> => {
    for (let i = next++; i < items.length; i = next++) out[i] = await fn(items[i] as T);
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return out;
}

/** Every pair of hosts that have an address nslab gave them: what `--all-hosts` waits for. */
export function hostPairs(lab: ResolvedLab): [string, string][] {
  const addressed = new Set(
    lab.links
      .flatMap((l) => [l.a, l.b])
      .filter((e) => e.addresses.length > 0)
      .map((e) => e.node),
  );
  const hosts = lab.nodes.filter((n) => n.kind === 'host' && !n.forwarding && addressed.has(n.name)).map((n) => n.name);
  const pairs: [string, string][] = [];
  for (let i = 0; i < hosts.length; i++) for (let j = i + 1; j < hosts.length; j++) pairs.push([hosts[i] as string, hosts[j] as string]);
  return pairs;
}

function nodeOf(lab: ResolvedLab, name: string): ResolvedNode {
  const n = lab.nodes.find((x) => x.name === name);
  if (n === undefined) throw new NslabError('NSLAB_NOT_FOUND', `lab ${lab.name} has no node ${name}; its nodes are ${lab.nodes.map((x) => x.name).join(', ')}`);
  return n;
}

/** A node's first address (IPv4 first), or the address given. */
function addressOf(lab: ResolvedLab, target: string): string {
  if (isIP(target) !== 0) return target;
  const node = nodeOf(lab, target);
  const all = lab.links
    .flatMap((l) => [l.a, l.b])
    .filter((e) => e.node === node.name)
    .flatMap((e) => e.addresses);
  const a = all.find((c) => c.family === 4) ?? all[0];
  if (a === undefined)
    throw new NslabError(
      'NSLAB_NOT_FOUND',
      `node ${target} of lab ${lab.name} has no address nslab gave it: name one of its addresses instead (an exec command's)`,
    );
  return a.address;
}

/**
 * Waits until the lab's routing has converged (or the pairs in `reach` reach each other). Resolves with
 * how long it took; rejects with NSLAB_TIMEOUT naming what was still waited for, NSLAB_ABORTED when aborted.
 */
export async function waitConverged(lab: ResolvedLab, options: ConvergeOptions = {}): Promise<ConvergeResult> {
  const started = performance.now();
  const deadline = started + (options.timeoutMs ?? 120_000);
  const elapsed = (): number => performance.now() - started;
  const check = (waiting: () => string): void => {
    if (options.signal?.aborted === true) throw new NslabError('NSLAB_ABORTED', `waiting for lab ${lab.name} was cancelled`, { cause: options.signal.reason });
    if (performance.now() > deadline) throw new NslabError('NSLAB_TIMEOUT', `${waiting()}, after ${((options.timeoutMs ?? 120_000) / 1000).toFixed(0)} s`);
  };
  if (options.reach !== undefined) {
    await waitReach(lab, options.reach, options, check, elapsed);
    return { lab: lab.name, ms: elapsed(), routers: 0, pairs: options.reach.length };
  }
  const routers = lab.nodes.filter((n) => n.frr !== undefined);
  if (routers.length > 0) await waitRouting(lab, routers, options, check, elapsed);
  return { lab: lab.name, ms: elapsed(), routers: routers.length, pairs: 0 };
}

async function waitRouting(
  lab: ResolvedLab,
  routers: readonly ResolvedNode[],
  options: ConvergeOptions,
  check: (waiting: () => string) => void,
  elapsed: () => number,
): Promise<void> {
  const last = new Map<string, RoutingStatus>();
  const notYet = (): string => {
    const open = routers.map((r) => last.get(r.name)).filter((s): s is RoutingStatus => s !== undefined && !s.converged);
    const lines = open.slice(0, 5).map((s) => `  ${s.node}: ${statusText(s)}`);
    return `the routing of lab ${lab.name} has not converged: ${open.length} of ${routers.length} routers are not done\n${lines.join('\n')}${open.length > 5 ? `\n  and ${open.length - 5} more` : ''}\n\`nslab vtysh ROUTER\` shows a router's view; \`nslab why A B\` the path a packet takes`;
  };
  const handles = await Handle.openMany(routers.map((r) => r.netns));
  try {
    let pending = [...routers];
    for (;;) {
      check(notYet);
      const statuses = await eachLimited(pending, PARALLEL, async (r) => (await routingStatus(lab.name, r)) as RoutingStatus);
      for (const s of statuses) last.set(s.node, s);
      pending = pending.filter((r) => last.get(r.name)?.converged !== true);
      const first = pending[0] !== undefined ? last.get(pending[0].name) : undefined;
      options.onProgress?.({
        phase: 'routing',
        done: routers.length - pending.length,
        total: routers.length,
        ...(first !== undefined ? { waiting: `${first.node}: ${statusText(first)}` } : {}),
        elapsedMs: elapsed(),
      });
      if (pending.length > 0) {
        await sleep(POLL_MS);
        continue;
      }
      // Every adjacency is up: the tables must now stay as they are for settleMs, or for as long as a
      // router's protocol may rest between two changes (FRR's OSPF defaults: 6 s), if that is longer.
      const settle = Math.max(options.settleMs ?? 1000, ...[...last.values()].flatMap((st) => st.protocols.map((p) => p.settleMs ?? 0)));
      const tables = async (): Promise<string> => (await Promise.all(handles.map(async (h) => tableText(await readRoutesOf(h))))).join('\n--\n');
      let seen = await tables();
      let stableSince = performance.now();
      while (performance.now() - stableSince < settle) {
        check(() => `the routing tables of lab ${lab.name} kept changing: every router's adjacencies are up, and routes still come and go`);
        await sleep(Math.min(POLL_MS, settle));
        const now = await tables();
        if (now !== seen) {
          seen = now;
          stableSince = performance.now();
        }
        options.onProgress?.({ phase: 'settling', done: routers.length, total: routers.length, elapsedMs: elapsed() });
      }
      // An adjacency may have gone meanwhile: ask every router once more.
      const again = await eachLimited(routers, PARALLEL, async (r) => (await routingStatus(lab.name, r)) as RoutingStatus);
      for (const s of again) last.set(s.node, s);
      pending = routers.filter((r) => last.get(r.name)?.converged !== true);
      if (pending.length === 0) return;
    }
  } finally {
    await Handle.closeAll(handles);
  }
}

async function waitReach(
  lab: ResolvedLab,
  pairs: readonly (readonly [string, string])[],
  options: ConvergeOptions,
  check: (waiting: () => string) => void,
  elapsed: () => number,
): Promise<void> {
  const wanted = pairs.map(([from, to]) => ({ from: nodeOf(lab, from), to, address: addressOf(lab, to) }));
  let pending = wanted;
  const notYet = (): string =>
    `${pending.length} of ${wanted.length} pairs of lab ${lab.name} do not reach each other yet: ${pending
      .slice(0, 5)
      .map((p) => `${p.from.name} -> ${p.to}`)
      .join(
        ', ',
      )}${pending.length > 5 ? ` and ${pending.length - 5} more` : ''}; \`nslab why ${pending[0]?.from.name ?? 'A'} ${pending[0]?.to ?? 'B'}\` says what is in the way`;
  for (;;) {
    check(notYet);
    const reached = await eachLimited(pending, PARALLEL, async (p) => {
      const r = await run(inNetns(p.from.netns, ['ping', ...(p.address.includes(':') ? ['-6'] : []), '-n', '-q', '-c', '1', '-W', '1', p.address]), {
        env: labEnv(lab.name, p.from.name),
        timeoutMs: 3000,
      });
      return r.exitCode === 0;
    });
    pending = pending.filter((_p, i) => reached[i] !== true);
    const first = pending[0];
    options.onProgress?.({
      phase: 'reaching',
      done: wanted.length - pending.length,
      total: wanted.length,
      ...(first !== undefined ? { waiting: `${first.from.name} -> ${first.to} (${first.address})` } : {}),
      elapsedMs: elapsed(),
    });
    if (pending.length === 0) return;
    await sleep(POLL_MS);
  }
}
