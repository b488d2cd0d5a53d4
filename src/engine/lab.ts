/**
 * The lab lifecycle: up (create or reconcile), down, status, list, clean. Each takes the lab's lock, reads
 * the kernel, plans, and applies. Nothing outside the lab's marks is ever touched.
 */
import { channel } from 'node:diagnostics_channel';
import { NslabError } from '../errors.js';
import { plan as makePlan, teardownPlan } from '../plan/index.js';
import type { ObservedLab, Plan } from '../plan/types.js';
import type { ResolvedLab } from '../topology/types.js';
import { Applier, type ApplyOptions, type EngineOptions } from './apply.js';
import { checkFeatures } from './features.js';
import { removeHosts, writeHosts } from './hosts.js';
import { markFor, parseMark } from '../plan/marks.js';
import { listNamespaces, observeLab, readNamespaceMarks, type Observation } from './observe.js';
import { listStates, lockLab, newState, readState, removeState, writeState, type LabState } from './state.js';
import { turn } from './turn.js';

export interface UpOptions extends ApplyOptions {
  /** Apply what the kernel can and report the rest in `skipped`, instead of refusing the lab. */
  allowMissingFeatures?: boolean;
  /** Plan only: return the plan without changing anything. */
  dryRun?: boolean;
  /** The topology file, recorded in the state. */
  source?: string;
  lockWaitMs?: number;
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

async function runUp(wanted: ResolvedLab, options: UpOptions & EngineOptions): Promise<UpResult> {
  // Before anything is touched: can this kernel do what the lab asks?
  const { lab: desired, skipped } = await checkFeatures(wanted, options.allowMissingFeatures === true, options.netnsDir);
  const release = await lockLab(desired.name, lockOptions(options));
  let state: LabState | undefined;
  let existed = false;
  try {
    // Turns of the event loop between the synchronous steps that grow with the lab (a 1,000-node lab's
    // observation and plan take 10 to 30 ms each): none may stall it long.
    await turn();
    state = readState(desired.name, options.stateRoot);
    const candidates = new Map<string, string>(Object.entries(state?.namespaces ?? {}));
    for (const n of desired.nodes) candidates.set(n.netns, n.name);
    const seen = await observeLab(desired.name, state?.id, candidates, state, options.netnsDir);
    const wantedNs = new Set(desired.nodes.map((n) => n.netns));
    // Before anything can throw: the catch below removes the state of a lab that did not exist.
    existed = seen.owned.size > 0 || seen.halfMade.length > 0;
    const foreign = seen.foreign.filter((f) => wantedNs.has(f.netns));
    if (foreign.length > 0) throw notOurs(desired, foreign);
    if (seen.halfMade.length > 0) {
      throw new NslabError(
        'NSLAB_HALF_MADE',
        `lab ${desired.name}: an earlier run was killed while it made namespace${seen.halfMade.length === 1 ? '' : 's'} ${seen.halfMade.slice(0, 5).join(', ')}${seen.halfMade.length > 5 ? ` and ${seen.halfMade.length - 5} more` : ''}, and left ${seen.halfMade.length === 1 ? 'its file' : 'their files'} in ${options.netnsDir ?? '/run/netns'} without a namespace.\nRun \`nslab down --lab ${desired.name}\` to remove what is left of the lab, then \`nslab up\` again.`,
      );
    }
    const observed: ObservedLab | null = existed ? seen.observed : null;
    await turn();
    // What the state says nslab applied tells its addresses from those exec commands and FRR added.
    const plan = makePlan(desired, observed, state?.applied);
    await turn();
    if (options.dryRun === true) return { lab: desired.name, plan, changed: false, existed, skipped };
    if (plan.ops.length === 0) {
      await writeHosts(desired, options.etcNetns);
      return { lab: desired.name, plan, changed: false, existed, skipped };
    }
    state ??= newState(desired.name, options.source);
    if (seen.foundId !== undefined) state.id = seen.foundId;
    if (options.source !== undefined) state.source = options.source;
    for (const [netns, node] of seen.owned) state.namespaces[netns] = node;
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
      throw e;
    }
    state.applied = desired;
    writeState(state, options.stateRoot);
    // Namespaces that left the lab lose their hosts file.
    await removeHosts(
      desired.name,
      Object.keys(seen.observed.namespaces).filter((n) => !wantedNs.has(n)),
      options.etcNetns,
    );
    return { lab: desired.name, plan, changed: true, existed, skipped };
  } catch (e) {
    // A first `up` that failed has rolled back: leave no state behind either.
    if (!existed && state !== undefined) removeState(desired.name, options.stateRoot);
    throw e;
  } finally {
    release();
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
    // Without a state file (lost, or a crash before it was written) the marks are the only record: look
    // at every namespace and take those whose lo carries this lab's mark.
    const candidates = new Map<string, string>(state !== undefined ? Object.entries(state.namespaces) : listNamespaces(options.netnsDir).map((n) => [n, '']));
    const seen = await observeLab(lab, state?.id, candidates, state, options.netnsDir, 'marks');
    // Namespace files a killed run left half made go as its namespaces do (umount finds no mount; the file goes).
    for (const netns of seen.halfMade) seen.observed.namespaces[netns] = { node: state?.namespaces[netns] ?? '', links: [], routes: [], sysctls: {} };
    const found = seen.owned.size > 0 || state !== undefined;
    const plan = teardownPlan(lab, seen.observed);
    // Hosts files go while the kernel deletes the namespaces.
    const hosts = (): Promise<void> => removeHosts(lab, [...new Set([...seen.owned.keys(), ...Object.keys(state?.namespaces ?? {})])], options.etcNetns);
    if (plan.ops.length > 0) {
      const st = state ?? newState(lab);
      await new Applier(st, markFor(lab, seen.foundId ?? st.id), { ...options, meanwhile: hosts }).run(plan);
    } else {
      await hosts();
    }
    removeState(lab, options.stateRoot);
    return { lab, plan, found };
  } finally {
    release();
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
  state: LabState | undefined;
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
 * Removes every lab (or the named ones) by their kernel marks: for labs whose state is gone or stale after
 * a crash. Only namespaces whose `lo` carries an nslab mark are touched.
 */
export async function clean(options: DownOptions & EngineOptions & { labs?: string[] } = {}): Promise<DownResult[]> {
  const marks = await readNamespaceMarks(listNamespaces(options.netnsDir), options.netnsDir);
  const labs = new Set(listStates(options.stateRoot));
  for (const alias of marks.values()) {
    const m = typeof alias === 'string' ? parseMark(alias) : undefined;
    if (m !== undefined) labs.add(m.lab);
  }
  const chosen = [...labs].filter((l) => options.labs === undefined || options.labs.includes(l)).sort();
  const results: DownResult[] = [];
  for (const lab of chosen) results.push(await down(lab, options));
  return results;
}
