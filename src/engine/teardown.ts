/**
 * Taking labs down: `down` (one lab, by its state file, or by its kernel marks when the state is gone) and
 * `clean` (every lab a kill or a lost state left), and the teardown an `up` finishing a killed run shares.
 * Apart from up (lab.ts) so that a down loads none of the planner and the checks an up needs.
 */
import { namespaceIdentities, NETNS_RUN_DIR, netnsPath } from '../native/index.js';
import { markFor, parseMark } from '../plan/marks.js';
import { teardownPlan } from '../plan/teardown.js';
import type { ObservedProcess, Plan } from '../plan/types.js';
import { isRunning, labProcesses, type FoundProcess } from '../process/index.js';
import { isFrrDaemon } from '../topology/frr-daemons.js';
import { Applier, type ApplyOptions, type EngineOptions } from './apply.js';
import { hostsLeftovers, removeHosts } from './hosts-files.js';
import { listNamespaces, observeLab, readNamespaceMarks, vxlanDevices } from './observe.js';
import { listStates, lockLab, lockOptions, newState, publishLab, readState, removeState, strayLabDirs, writeState, type LabState } from './state.js';

export interface DownOptions extends ApplyOptions {
  lockWaitMs?: number;
}

export interface DownResult {
  lab: string;
  plan: Plan;
  /** False when nothing of the lab existed. */
  found: boolean;
}

/** Removes exactly the lab: its processes (by pid), namespaces (with their links) and state. */
export async function down(lab: string, options: DownOptions & EngineOptions = {}): Promise<DownResult> {
  publishLab('down-start', lab);
  try {
    return await runDown(lab, options);
  } finally {
    publishLab('down-end', lab);
  }
}

async function runDown(lab: string, options: DownOptions & EngineOptions): Promise<DownResult> {
  const release = await lockLab(lab, lockOptions(options));
  try {
    const state = readState(lab, options.stateRoot);
    const result = await teardown(lab, state, options);
    removeState(lab, options.stateRoot);
    return result;
  } finally {
    release();
  }
}

/**
 * Takes down the lab's namespaces (all, or those `only` picks) with its processes and hosts files, holding
 * the lab's lock. Without a state file (lost, set aside, or a crash before it was written) the marks are
 * the only record: every namespace is looked at, and those whose lo carries the lab's mark are its. The
 * lab's processes are those the state names and those found in its namespaces carrying its mark in their
 * environment (src/process/scan.ts), so a lost state leaves none behind.
 */
export async function teardown(
  lab: string,
  state: LabState | undefined,
  options: DownOptions & EngineOptions,
  only?: (netns: string) => boolean,
): Promise<DownResult> {
  const dir = options.netnsDir ?? NETNS_RUN_DIR;
  const named = state !== undefined ? Object.entries(state.namespaces) : listNamespaces(dir).map((n): [string, string] => [n, '']);
  const candidates = new Map<string, string>(only !== undefined ? named.filter(([n]) => only(n)) : named);
  const seen = await observeLab(lab, state?.id, candidates, state, dir, 'marks');
  // VXLAN devices go before their namespaces (plan/teardown.ts): those the state names, or, with no state
  // to say, every one found.
  const tunnels = state !== undefined ? new Map(Object.entries(state.tunnels ?? {})) : await vxlanDevices([...seen.owned.keys()], dir);
  for (const [netns, names] of tunnels) {
    const ns = seen.observed.namespaces[netns];
    if (ns !== undefined) for (const ifname of names) ns.links.push({ ifname, kind: 'vxlan', up: false, mtu: 0, addresses: [] });
  }
  // Namespace files a killed run left half made go as its namespaces do (umount finds no mount; the file goes).
  for (const netns of seen.halfMade) seen.observed.namespaces[netns] = { node: state?.namespaces[netns] ?? '', links: [], routes: [], sysctls: {} };
  const known = new Set(seen.observed.processes.map((p) => `${p.pid}:${p.startTime}`));
  for (const p of labProcesses(lab, await namespaceLinks(seen.owned.keys(), dir, seen.identities))) {
    if (!known.has(`${p.pid}:${p.startTime}`)) seen.observed.processes.push(foundProcess(p));
  }
  if (only !== undefined) {
    const nodes = new Set(Object.values(seen.observed.namespaces).map((n) => n.node));
    seen.observed.processes = seen.observed.processes.filter((p) => nodes.has(p.node));
  }
  const found = seen.owned.size > 0 || seen.halfMade.length > 0 || (state !== undefined && only === undefined);
  const plan = teardownPlan(lab, seen.observed);
  // Hosts files go once the namespaces are deleted, not beside: each deletion waits for the kernel's RCU
  // grace period, which the JS thread's stream of file calls on the other core held up (a thousand
  // namespaces took 40-240 ms beside it, 30-45 after it; docs/performance.md).
  // After a killed run, or with the state lost, the state no longer names every namespace whose hosts file
  // is there (a killed down had deleted some, and dropped them from the state, before their files): those
  // files are found by their header then.
  const trusted = state !== undefined && state.run === undefined;
  const namespaces = [
    ...new Set([
      ...seen.owned.keys(),
      ...candidates.keys(),
      ...(trusted ? [] : (hostsLeftovers(options.etcNetns).get(lab) ?? []).filter((n) => only?.(n) ?? true)),
    ]),
  ];
  if (plan.ops.length > 0) {
    const st = state ?? newState(lab, undefined, options.stateRoot);
    // Intent before effect: a down killed from here on is finished by the next run.
    if (state !== undefined && only === undefined) {
      st.run = { kind: 'down', pid: process.pid, startedAt: new Date().toISOString() };
      writeState(st, options.stateRoot);
    }
    await new Applier(st, markFor(lab, seen.foundId ?? st.id), options).run(plan);
  }
  await removeHosts(lab, namespaces, options.etcNetns);
  return { lab, plan, found };
}

/** A process found by its environment (scan.ts), as observed: an FRR daemon says which and what it runs. */
export function foundProcess(p: FoundProcess): ObservedProcess {
  const [daemon = '', digest = ''] = (p.frr ?? '').split(':');
  return { node: p.node, pid: p.pid, startTime: p.startTime, run: p.command, ...(isFrrDaemon(daemon) ? { frr: { daemon, digest } } : {}) };
}

/**
 * The lab's processes running in these namespaces that the state does not list: those a killed run started
 * and had not recorded yet, or all of them when the state was lost.
 */
export async function untracked(lab: string, namespaces: Iterable<string>, state: LabState | undefined, dir: string): Promise<FoundProcess[]> {
  const known = new Set((state?.processes ?? []).map((p) => `${p.pid}:${p.startTime}`));
  return labProcesses(lab, await namespaceLinks(namespaces, dir)).filter((p) => !known.has(`${p.pid}:${p.startTime}`));
}

/**
 * `net:[INODE]` of each namespace still there, as /proc/PID/ns/net names it (the inode of its identity):
 * those whose identity the observation has already read are not stat'ed again.
 */
async function namespaceLinks(namespaces: Iterable<string>, dir: string, read: ReadonlyMap<string, string> = new Map()): Promise<Set<string>> {
  const unread = [...namespaces].filter((n) => !read.has(n));
  const identities = [...read.values(), ...(await namespaceIdentities(unread.map((n) => netnsPath(n, dir))))];
  return new Set(identities.filter((id): id is string => id !== undefined).map((id) => `net:[${id.split(':')[0]}]`));
}

/**
 * Removes every lab (or the named ones) found by its kernel marks, its state directory (a state file, or
 * only a lock or a state set aside, left by a kill) or its hosts files: for labs whose process was killed or
 * whose state is gone. Only what carries an nslab mark or name is touched.
 */
export async function clean(options: DownOptions & EngineOptions & { labs?: string[]; orphans?: boolean } = {}): Promise<DownResult[]> {
  if (options.orphans === true) {
    // Only the labs whose owner process is gone: a test run that was killed, say.
    const orphans = listStates(options.stateRoot).filter((lab) => {
      const owner = readState(lab, options.stateRoot)?.owner;
      return owner !== undefined && !isRunning(owner) && (options.labs === undefined || options.labs.includes(lab));
    });
    const results: DownResult[] = [];
    for (const lab of orphans) results.push(await down(lab, options));
    return results;
  }
  const marks = await readNamespaceMarks(listNamespaces(options.netnsDir), options.netnsDir);
  const labs = new Set([...listStates(options.stateRoot), ...strayLabDirs(options.stateRoot), ...hostsLeftovers(options.etcNetns).keys()]);
  for (const alias of marks.values()) {
    const m = typeof alias === 'string' ? parseMark(alias) : undefined;
    if (m !== undefined) labs.add(m.lab);
  }
  const chosen = [...labs].filter((l) => options.labs === undefined || options.labs.includes(l)).sort();
  const results: DownResult[] = [];
  for (const lab of chosen) {
    // A lab known only by hosts files has no namespaces to name them: its leftovers are those files.
    const result = await down(lab, options);
    const leftover = hostsLeftovers(options.etcNetns).get(lab);
    if (leftover !== undefined) await removeHosts(lab, leftover, options.etcNetns);
    results.push(result);
  }
  return results;
}
