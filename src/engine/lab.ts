/**
 * A lab's up: create or reconcile, finishing first what a killed run left (down and clean: teardown.ts).
 * It takes the lab's lock, reads the kernel, plans, and applies. Nothing outside the lab's marks is ever
 * touched.
 */
import { NslabError } from '../errors.js';
import { foreignConflicts } from '../plan/foreign.js';
import { planSteps } from '../plan/plan.js';
import type { ObservedLab, Plan } from '../plan/types.js';
import type { ResolvedLab } from '../topology/types.js';
import { Applier, type ApplyOptions, type EngineOptions } from './apply.js';
import { checkFeatures } from './features.js';
import { writeHosts } from './hosts.js';
import { removeHosts } from './hosts-files.js';
import { markFor } from '../plan/marks.js';
import { checkMachine, readMachineLimits } from './limits.js';
import { observeLab, type Observation } from './observe.js';
import { teardown, foundProcess, untracked } from './teardown.js';
import {
  lockOptions,
  publishLab,
  lockLab,
  newState,
  readState,
  removeState,
  warn,
  writeState,
  writeStateSliced,
  type LabState,
  type StateProcess,
} from './state.js';
import { deleteNamespaces, NETNS_RUN_DIR } from '../native/index.js';
import { endProcess, isRunning, setgroupsDenied, type ProcessIdentity } from '../process/index.js';
import { frrDir } from '../topology/frr-view.js';
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

export async function up(wanted: ResolvedLab, options: UpOptions & EngineOptions = {}): Promise<UpResult> {
  publishLab('up-start', wanted.name);
  try {
    return await runUp(wanted, options);
  } finally {
    // Spares the run did not name (all of them when it failed early, made none, or only planned) are freed.
    await options.spares?.close();
    publishLab('up-end', wanted.name);
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
    const adopted = state === undefined && existed ? await adoptFrr(desired.name, seen.owned.keys(), options.netnsDir ?? NETNS_RUN_DIR) : [];
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
        state = newState(desired.name, options.source, options.stateRoot);
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
      state = newState(desired.name, options.source, options.stateRoot);
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
  const left = await untracked(state.lab, Object.keys(state.namespaces), state, options.netnsDir ?? NETNS_RUN_DIR);
  await Promise.all(left.map((p) => endProcess(p)));
  delete state.run;
  writeState(state, options.stateRoot);
  return state;
}

/** The FRR daemons running in these namespaces of the lab (found by their environment), as the state records them. */
async function adoptFrr(lab: string, namespaces: Iterable<string>, dir: string): Promise<StateProcess[]> {
  const adopted: StateProcess[] = [];
  for (const p of await untracked(lab, namespaces, undefined, dir)) {
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
