/**
 * The lab lifecycle: up (create or reconcile), down, status, list, clean. Each takes the lab's lock, reads
 * the kernel, plans, and applies. Nothing outside the lab's marks is ever touched.
 */
import { channel } from 'node:diagnostics_channel';
import { NslabError } from '../errors.js';
import { foreignConflicts, planSteps, teardownPlan } from '../plan/index.js';
import type { ObservedLab, ObservedProcess, Plan } from '../plan/types.js';
import type { ResolvedLab } from '../topology/types.js';
import { Applier, type ApplyOptions, type EngineOptions } from './apply.js';
import { checkFeatures } from './features.js';
import { hostsLeftovers, removeHosts, writeHosts } from './hosts.js';
import { markFor, parseMark } from '../plan/marks.js';
import { checkMachine, readMachineLimits } from './limits.js';
import { listNamespaces, observeLab, readNamespaceMarks, vxlanDevices, type Observation } from './observe.js';
import {
  listStates,
  lockLab,
  newState,
  readState,
  removeState,
  strayLabDirs,
  warn,
  writeState,
  writeStateSliced,
  type LabState,
  type StateProcess,
} from './state.js';
import { deleteNamespaces, NETNS_RUN_DIR, netnsPath } from '../native/index.js';
import { endProcess, isRunning, labProcesses, setgroupsDenied, type FoundProcess, type ProcessIdentity } from '../process/index.js';
import { isFrrDaemon } from '../topology/frr-daemons.js';
import { frrDir } from '../topology/frr-view.js';
import { statSync } from 'node:fs';
import { sliced, turn } from './turn.js';

export interface UpOptions extends ApplyOptions {
  /** Apply what the kernel can and report the rest in `skipped`, instead of refusing the lab. */
  allowMissingFeatures?: boolean;
  /** Plan only: return the plan without changing anything. */
  dryRun?: boolean;
  /** The topology file, recorded in the state. */
  source?: string;
  lockWaitMs?: number;
  /**
   * Refuse (NSLAB_EXISTS) a lab that is up and owned by another process that still runs, instead of
   * adopting it: for test suites, where two processes using one lab name would share one network.
   */
  exclusive?: boolean;
}

export interface UpResult {
  lab: string;
  plan: Plan;
  /** Did this run change anything? (false for a re-up of an unchanged lab) */
  changed: boolean;
  /** False when the lab did not exist before this run. */
  existed: boolean;
  /** What the kernel could not do and was left out (with allowMissingFeatures). */
  skipped: string[];
}

/** Published on `diagnostics_channel` 'nslab:lab': `{ event: 'up-start' | 'up-end' | 'down-start' | 'down-end', lab }`. */
export const labChannel = channel('nslab:lab');

function publish(event: string, lab: string): void {
  if (labChannel.hasSubscribers) labChannel.publish({ event, lab });
}

export async function up(wanted: ResolvedLab, options: UpOptions & EngineOptions = {}): Promise<UpResult> {
  publish('up-start', wanted.name);
  try {
    return await runUp(wanted, options);
  } finally {
    // Spares the run did not name (all of them when it failed early, made none, or only planned) are freed.
    await options.spares?.close();
    publish('up-end', wanted.name);
  }
}

/**
 * FRR's daemons switch to the frr user and group as they start (and want root in its vty group), which a
 * world's user namespace, where the user alone exists and setgroups is denied, forbids: refused before
 * anything is made (docs/rootless.md, limits).
 */
function refuseFrrInWorld(lab: ResolvedLab): void {
  const routers = lab.nodes.filter((n) => n.frr !== undefined).map((n) => n.name);
  if (routers.length === 0 || !setgroupsDenied()) return;
  throw new NslabError(
    'NSLAB_FRR',
    `lab ${lab.name}: ${routers.length === 1 ? 'router' : 'routers'} ${routers.join(', ')} run FRR, whose daemons switch to the frr user as they start, ` +
      'and your nslab world (a user namespace of yours, in which you alone exist) forbids that; bring this lab up as root (sudo nslab up ...), ' +
      'or route it with routing: static instead of FRR. See docs/rootless.md',
  );
}

async function runUp(wanted: ResolvedLab, options: UpOptions & EngineOptions): Promise<UpResult> {
  // Before anything is touched: does the lab fit this machine, and can this kernel do what it asks?
  checkMachine(wanted, options.netnsDir, readMachineLimits(options.netnsDir, options.spares?.held()));
  if (options.dryRun !== true) refuseFrrInWorld(wanted);
  const { lab: desired, skipped } = await checkFeatures(wanted, options.allowMissingFeatures === true, options.netnsDir, options.frrDirs);
  const release = await lockLab(desired.name, lockOptions(options));
  let state: LabState | undefined;
  let existed = false;
  try {
    // Turns of the event loop between the synchronous steps that grow with the lab: none may stall it long.
    await turn();
    state = readState(desired.name, options.stateRoot);
    if (options.exclusive === true && state !== undefined) refuseIfOwned(state, options.owner);
    // A run that was killed left its mark in the state: finish or undo what it was doing first.
    if (state?.run !== undefined && options.dryRun !== true) state = await recover(state, options);
    const candidates = new Map<string, string>(Object.entries(state?.namespaces ?? {}));
    for (const n of desired.nodes) candidates.set(n.netns, n.name);
    const seen = await observeLab(desired.name, state?.id, candidates, state, options.netnsDir);
    const wantedNs = new Set(desired.nodes.map((n) => n.netns));
    // Before anything can throw: the catch below removes the state of a lab that did not exist.
    existed = seen.owned.size > 0 || seen.halfMade.length > 0;
    const foreign = seen.foreign.filter((f) => wantedNs.has(f.netns));
    if (foreign.length > 0) throw notOurs(desired, foreign);
    const inTheWay = foreignConflicts(desired, seen.observed);
    if (inTheWay.length > 0) throw notOursInside(desired.name, inTheWay);
    // Files of namespaces a killed run journaled and did not make: the lab's, so cleared, and made anew.
    if (seen.halfMade.length > 0 && options.dryRun !== true) await clearHalfMade(seen.halfMade, state, options);
    // A lost state lost the record of the lab's FRR daemons: found by their environment, they are the lab's again.
    const adopted = state === undefined && existed ? adoptFrr(desired.name, seen.owned.keys(), options.netnsDir ?? NETNS_RUN_DIR) : [];
    for (const p of adopted)
      seen.observed.processes.push({ node: p.node, pid: p.pid, startTime: p.startTime, run: p.run, ...(p.frr !== undefined ? { frr: p.frr } : {}) });
    const observed: ObservedLab | null = existed ? seen.observed : null;
    await turn();
    // What the state says nslab applied tells its addresses from those exec commands and FRR added.
    const plan = await sliced(planSteps(desired, observed, state?.applied));
    await turn();
    if (options.dryRun === true) return { lab: desired.name, plan, changed: false, existed, skipped };
    if (plan.ops.length === 0) {
      // The kernel has the lab as its file says; a state lost or set aside is written anew from the marks.
      if (state === undefined) {
        state = newState(desired.name, options.source);
        if (seen.foundId !== undefined) state.id = seen.foundId;
        for (const [netns, node] of seen.owned) state.namespaces[netns] = node;
        state.processes.push(...adopted);
        state.applied = desired;
        writeState(state, options.stateRoot);
      }
      await writeHosts(desired, options.etcNetns);
      return { lab: desired.name, plan, changed: false, existed, skipped };
    }
    if (state === undefined) {
      state = newState(desired.name, options.source);
      if (options.owner !== undefined) state.owner = { pid: options.owner.pid, startTime: options.owner.startTime };
      state.processes.push(...adopted);
    }
    if (seen.foundId !== undefined) state.id = seen.foundId;
    if (options.source !== undefined) state.source = options.source;
    for (const [netns, node] of seen.owned) state.namespaces[netns] = node;
    // Intent before effect: the state says a run is changing the lab before it changes anything, and
    // names the VXLAN devices it may make (a teardown deletes them before their namespaces).
    state.run = { kind: 'up', pid: process.pid, startedAt: new Date().toISOString() };
    for (const t of desired.tunnels ?? []) {
      const names = ((state.tunnels ??= {})[t.end.netns] ??= []);
      if (!names.includes(t.end.ifname)) names.push(t.end.ifname);
    }
    await writeStateSliced(state, options.stateRoot);
    // Names are written while the kernel makes the namespaces; a failed run takes the new ones back.
    const hosts = (): Promise<unknown> => writeHosts(desired, options.etcNetns);
    const applier = new Applier(state, markFor(desired.name, state.id), { ...options, meanwhile: hosts }, seen.maxIndex + 1);
    try {
      await applier.run(plan);
    } catch (e) {
      await removeHosts(
        desired.name,
        [...wantedNs].filter((n) => !seen.owned.has(n)),
        options.etcNetns,
      );
      // Best effort: the run's own error is the one to report.
      if (state.applied !== undefined) await writeHosts(state.applied, options.etcNetns).catch(() => undefined);
      if (existed) {
        delete state.run;
        writeState(state, options.stateRoot);
      }
      throw e;
    }
    state.applied = desired;
    delete state.run;
    if (desired.tunnels !== undefined && desired.tunnels.length > 0) {
      state.tunnels = {};
      for (const t of desired.tunnels) (state.tunnels[t.end.netns] ??= []).push(t.end.ifname);
    } else delete state.tunnels;
    await writeStateSliced(state, options.stateRoot);
    // Namespaces that left the lab lose their hosts file.
    await removeHosts(
      desired.name,
      Object.keys(seen.observed.namespaces).filter((n) => !wantedNs.has(n)),
      options.etcNetns,
    );
    return { lab: desired.name, plan, changed: true, existed, skipped };
  } catch (e) {
    // A first `up` that failed has rolled back: leave no state behind either.
    if (!existed && state !== undefined && options.dryRun !== true) removeState(desired.name, options.stateRoot);
    throw e;
  } finally {
    release();
  }
}

/** NSLAB_EXISTS when the lab is owned by a process that still runs and is not `me`. */
function refuseIfOwned(state: LabState, me: ProcessIdentity | undefined): void {
  const owner = state.owner;
  if (owner === undefined || !isRunning(owner) || (me !== undefined && owner.pid === me.pid && owner.startTime === me.startTime)) return;
  throw new NslabError(
    'NSLAB_EXISTS',
    `lab ${state.lab} is up and belongs to process ${owner.pid}, which still runs; two processes would share one network. Give this lab its own name (\`Lab.fromFile(file, { isolate: true })\`, or another \`name:\`), or take the other down first`,
  );
}

/**
 * After a killed run (the state says one was under way, and this run holds the lock, so it is gone): a
 * killed `down` is finished; a killed first `up` is undone whole; a killed `up` of a lab that was up loses
 * the namespaces it had made, which the plan then makes anew, whole (with their exec entries). Returns
 * the state to go on from (undefined when nothing of the lab is left).
 */
async function recover(state: LabState, options: EngineOptions): Promise<LabState | undefined> {
  const run = state.run as NonNullable<LabState['run']>;
  const whole = run.kind === 'down' || state.applied === undefined;
  warn(
    state.lab,
    `an earlier \`nslab ${run.kind}\` of lab ${state.lab} (process ${run.pid}, started ${run.startedAt}) was killed; ${
      run.kind === 'down'
        ? 'finishing its teardown'
        : whole
          ? 'removing what it had made, to start over'
          : 'removing the namespaces it had made, to make them anew'
    }`,
  );
  if (whole) {
    await teardown(state.lab, state, options);
    removeState(state.lab, options.stateRoot);
    return undefined;
  }
  const applied = new Set((state.applied as ResolvedLab).nodes.map((n) => n.netns));
  await teardown(state.lab, state, options, (netns) => !applied.has(netns));
  // What the killed run started in the namespaces that stay and had not recorded (an FRR it was restarting).
  const left = untracked(state.lab, Object.keys(state.namespaces), state, options.netnsDir ?? NETNS_RUN_DIR);
  await Promise.all(left.map((p) => endProcess(p)));
  delete state.run;
  writeState(state, options.stateRoot);
  return state;
}

/** The FRR daemons running in these namespaces of the lab (found by their environment), as the state records them. */
function adoptFrr(lab: string, namespaces: Iterable<string>, dir: string): StateProcess[] {
  const adopted: StateProcess[] = [];
  for (const p of untracked(lab, namespaces, undefined, dir)) {
    const o = foundProcess(p);
    if (o.frr === undefined) continue;
    adopted.push({ node: o.node, pid: o.pid, startTime: o.startTime, run: o.run, log: `${frrDir(lab, o.node)}/${o.frr.daemon}.log`, frr: o.frr });
  }
  return adopted;
}

/** Removes the files of namespaces the state journaled and no namespace was mounted on (a killed run). */
async function clearHalfMade(names: readonly string[], state: LabState | undefined, options: EngineOptions): Promise<void> {
  const errors = await deleteNamespaces(names, { ...(options.netnsDir !== undefined ? { dir: options.netnsDir } : {}) });
  const failed = errors.find((e) => e !== undefined);
  if (failed !== undefined) throw failed;
  if (state === undefined) return;
  for (const n of names) {
    delete state.namespaces[n];
    delete state.identities?.[n];
  }
}

function lockOptions(options: { stateRoot?: string; lockWaitMs?: number }): { root?: string; waitMs?: number } {
  return {
    ...(options.stateRoot !== undefined ? { root: options.stateRoot } : {}),
    ...(options.lockWaitMs !== undefined ? { waitMs: options.lockWaitMs } : {}),
  };
}

function notOurs(desired: ResolvedLab, foreign: Observation['foreign']): NslabError {
  const lines = foreign.map((f) => `  namespace ${f.netns} (node ${desired.nodes.find((n) => n.netns === f.netns)?.name ?? '?'}): ${f.owner}`);
  return new NslabError(
    'NSLAB_NOT_OURS',
    `lab ${desired.name} needs namespaces that already exist and are not this lab's; nslab never adopts or deletes them:\n${lines.join('\n')}\nDelete them yourself if they are leftovers (ip netns del NAME), or give the lab another \`prefix\` so its namespace names differ.`,
  );
}

function notOursInside(lab: string, problems: string[]): NslabError {
  return new NslabError(
    'NSLAB_NOT_OURS',
    `lab ${lab} cannot be brought up as its file says: its namespaces hold what nslab did not make and will not touch:\n${problems.map((p) => `  ${p}`).join('\n')}`,
  );
}

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
  publish('down-start', lab);
  try {
    return await runDown(lab, options);
  } finally {
    publish('down-end', lab);
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
async function teardown(
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
  const inodes = new Set([...seen.owned.keys()].map((n) => namespaceLink(netnsPath(n, dir))).filter((l): l is string => l !== undefined));
  const known = new Set(seen.observed.processes.map((p) => `${p.pid}:${p.startTime}`));
  for (const p of labProcesses(lab, inodes)) {
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
    const st = state ?? newState(lab);
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
function foundProcess(p: FoundProcess): ObservedProcess {
  const [daemon = '', digest = ''] = (p.frr ?? '').split(':');
  return { node: p.node, pid: p.pid, startTime: p.startTime, run: p.command, ...(isFrrDaemon(daemon) ? { frr: { daemon, digest } } : {}) };
}

/**
 * The lab's processes running in these namespaces that the state does not list: those a killed run started
 * and had not recorded yet, or all of them when the state was lost.
 */
function untracked(lab: string, namespaces: Iterable<string>, state: LabState | undefined, dir: string): FoundProcess[] {
  const inodes = new Set([...namespaces].map((n) => namespaceLink(netnsPath(n, dir))).filter((l): l is string => l !== undefined));
  const known = new Set((state?.processes ?? []).map((p) => `${p.pid}:${p.startTime}`));
  return labProcesses(lab, inodes).filter((p) => !known.has(`${p.pid}:${p.startTime}`));
}

/** `net:[INODE]`, as /proc/PID/ns/net names the namespace mounted at `path`; undefined when it is gone. */
function namespaceLink(path: string): string | undefined {
  try {
    return `net:[${statSync(path).ino}]`;
  } catch {
    return undefined;
  }
}

export interface LabSummary {
  name: string;
  source?: string;
  nodes: number;
  createdAt?: string;
}

/** Labs that have a state file, with their size. */
export function listLabs(stateRoot?: string): LabSummary[] {
  return listStates(stateRoot).map((name) => {
    const s = readState(name, stateRoot);
    return {
      name,
      nodes: Object.keys(s?.namespaces ?? {}).length,
      ...(s?.source !== undefined ? { source: s.source } : {}),
      ...(s?.createdAt !== undefined ? { createdAt: s.createdAt } : {}),
    };
  });
}

export interface LabStatus {
  lab: string;
  /** The lab's state file (a lab without one is not up: status throws NSLAB_NOT_FOUND). */
  state: LabState;
  observed: ObservedLab;
}

/** What the kernel says of the lab now. */
export async function status(lab: string, options: { netnsDir?: string; stateRoot?: string } = {}): Promise<LabStatus> {
  const state = readState(lab, options.stateRoot);
  if (state === undefined) throw new NslabError('NSLAB_NOT_FOUND', `no lab named ${lab} is up; \`nslab ls\` lists the labs`);
  const seen = await observeLab(lab, state.id, new Map(Object.entries(state.namespaces)), state, options.netnsDir);
  return { lab, state, observed: seen.observed };
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
