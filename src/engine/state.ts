/**
 * The lab's state file and lock under /run/nslab/<lab>/ (a tmpfs: gone at reboot, as the namespaces are).
 * The state file journals what the lab owns so `down` works with the topology file gone; the kernel's
 * marks remain the authority when the two disagree (after a crash). Also what every run says of itself
 * (the channels 'nslab:lab' and 'nslab:warning') and the labs the state files list.
 */
import { channel } from 'node:diagnostics_channel';
import { closeSync, existsSync, fsyncSync, mkdirSync, openSync, readdirSync, readFileSync, renameSync, rmSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { NslabError } from '../errors.js';
import { holdLockFile } from '../native/flock.js';
import { namespaceIdentities, NETNS_RUN_DIR, netnsPath } from '../native/index.js';
import { LAB_NAME_PATTERN } from '../topology/names.js';
import type { FrrDaemon } from '../topology/frr-daemons.js';
import { LAB_RUN_ROOT } from '../topology/frr-view.js';
import type { ResolvedLab } from '../topology/types.js';
import { jsonSteps } from './json-steps.js';
import { sliced } from './turn.js';

export const STATE_ROOT = LAB_RUN_ROOT;

/**
 * The state file's format. A file of another version (or none) is set aside like a corrupt one, except
 * version 2, which held the applied lab inline (read as it is; the next write splits it off).
 */
export const STATE_VERSION = 3;

export interface LabState {
  version: 3;
  lab: string;
  /** Random identity of this lab instance, part of every mark. */
  id: string;
  createdAt: string;
  updatedAt: string;
  /** Topology file it came from, if any. */
  source?: string;
  /** Namespaces of the lab: namespace name -> node name. Written before they are made. */
  namespaces: Record<string, string>;
  /**
   * The kernel identity of each namespace nslab made, `inode:ctime-ns` of its file under /run/netns (see
   * namespaceIdentities in src/native): the nsfs inode of its bind-mounted file with that inode's change
   * time, fixed when the namespace was made. An inode number alone can be reused after a namespace is
   * freed; with its nanosecond time it names one namespace, whatever its name.
   */
  identities?: Record<string, string>;
  /** Background processes started by exec entries (and by the library's spawn), and FRR daemons. */
  processes: StateProcess[];
  /**
   * The lab as last applied. Kept in a file of its own beside the state (`appliedFile`), read only when
   * asked for: it is most of a lab's state (465 of 530 KB for a 1,000-node chain), and a down or a run's
   * intent needs none of it.
   */
  applied?: ResolvedLab;
  /** The file under the lab's directory that holds `applied`: a new name each time it changes (see writeState). */
  appliedFile?: string;
  /**
   * The VXLAN devices of the lab (a host's part of a lab over several), namespace -> names: written before
   * they are made, so that a teardown deletes them before their namespaces (see plan/teardown.ts).
   */
  tunnels?: Record<string, string[]>;
  /** The process the lab belongs to (a test suite's, say); none for a lab the CLI made, which stays. */
  owner?: { pid: number; startTime: string };
  /**
   * The run changing the lab now: written before it changes anything, removed when it has finished. Found
   * by a later run (which holds the lock, so this one is gone), it says a run was killed and which.
   */
  run?: StateRun;
}

export interface StateProcess {
  node: string;
  pid: number;
  /** Start time of the process (clock ticks since boot, /proc/PID/stat field 22): a reused pid is not ours. */
  startTime: string;
  run: string;
  /** The file its output goes to (an exec entry's); absent when the process that started it reads its output (node.spawn). */
  log?: string;
  /** For an FRR daemon: which, and the fingerprint of the node's FRR it runs (topology/frr-view.ts frrDigest). */
  frr?: { daemon: FrrDaemon; digest: string };
}

export interface StateRun {
  kind: 'up' | 'down';
  pid: number;
  startedAt: string;
}

/**
 * `digits` random hex digits, for names that only need to differ from run to run (a lab's id, a probe's
 * name), not to resist a guess: Math.random, since loading node:crypto costs every start time.
 */
export function randomHex(digits: number): string {
  let s = '';
  while (s.length < digits)
    s += Math.floor(Math.random() * 0x100000000)
      .toString(16)
      .padStart(8, '0');
  return s.slice(0, digits);
}

export function labDir(lab: string, root = STATE_ROOT): string {
  return join(root, lab);
}

/** The lab's state file. */
function stateFile(lab: string, root = STATE_ROOT): string {
  return join(labDir(lab, root), 'state.json');
}

/** Has the lab a state file (it is up, or was, and its namespaces may exist)? */
export function hasState(lab: string, root = STATE_ROOT): boolean {
  return existsSync(stateFile(lab, root));
}

/** Published on `diagnostics_channel` 'nslab:warning': `{ lab, message }`, for what nslab repaired on its own. */
export const warningChannel = channel('nslab:warning');

/** Says what nslab did about something wrong it found and could repair (the CLI prints it). */
export function warn(lab: string, message: string): void {
  if (warningChannel.hasSubscribers) warningChannel.publish({ lab, message });
}

/**
 * The lab's state, or undefined when it has none. A file that does not parse, is not a state of this
 * version, or cannot be read is set aside (renamed to `state.json.corrupt-TIME`, with a warning that says
 * where) and counts as none: the kernel's marks are the authority then, and no command is blocked by it.
 */
export function readState(lab: string, root = STATE_ROOT): LabState | undefined {
  const file = stateFile(lab, root);
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    return setAside(lab, file, `cannot be read (${(e as Error).message})`);
  }
  let state: unknown;
  try {
    state = JSON.parse(text);
  } catch (e) {
    return setAside(lab, file, `is not valid JSON (${(e as Error).message})`);
  }
  const problem = stateProblem(state, lab);
  if (problem !== undefined) return setAside(lab, file, problem);
  const read = state as LabState & { version: 2 | 3 };
  if ((read.version as number) === 2) {
    // The applied lab inline: taken as set, so the next write puts it in a file of its own.
    read.version = STATE_VERSION;
    return withApplied(read, labDir(lab, root), read.applied, true);
  }
  return withApplied(read, labDir(lab, root), undefined, false);
}

/** Where each state keeps its applied lab: the value once read or set, and whether the file has it yet. */
const appliedOf = new WeakMap<LabState, { dir: string; value: ResolvedLab | undefined; loaded: boolean; dirty: boolean }>();

/**
 * Makes `state.applied` an accessor: reading it reads the state's applied file the first time (a file gone
 * or unreadable reads as no applied lab, with a warning), setting it marks it for the next write.
 */
function withApplied(state: LabState, dir: string, value: ResolvedLab | undefined, dirty: boolean): LabState {
  const slot = { dir, value, loaded: dirty, dirty };
  appliedOf.set(state, slot);
  Object.defineProperty(state, 'applied', {
    configurable: true,
    enumerable: false,
    get: () => {
      if (!slot.loaded) {
        slot.loaded = true;
        slot.value = state.appliedFile !== undefined ? readApplied(state, join(dir, state.appliedFile)) : undefined;
      }
      return slot.value;
    },
    set: (v: ResolvedLab | undefined) => {
      slot.value = v;
      slot.loaded = true;
      slot.dirty = true;
    },
  });
  return state;
}

function readApplied(state: LabState, file: string): ResolvedLab | undefined {
  try {
    return JSON.parse(readFileSync(file, 'utf8')) as ResolvedLab;
  } catch (e) {
    warn(state.lab, `the lab as last applied (${file}) cannot be read (${(e as Error).message}); lab ${state.lab} is taken as never applied whole`);
    return undefined;
  }
}

/** What is wrong with a parsed state file, if anything (only what the engine relies on is checked). */
function stateProblem(state: unknown, lab: string): string | undefined {
  if (typeof state !== 'object' || state === null) return 'is not an object';
  const s = state as Partial<LabState>;
  if (s.version !== STATE_VERSION && (s.version as unknown) !== 2) return `is of version ${String(s.version)}, not ${STATE_VERSION}`;
  if (s.lab !== lab) return `names lab ${String(s.lab)}, not ${lab}`;
  if (typeof s.id !== 'string' || typeof s.namespaces !== 'object' || s.namespaces === null || !Array.isArray(s.processes))
    return 'lacks its id, namespaces or processes';
  return undefined;
}

function setAside(lab: string, file: string, why: string): undefined {
  const aside = `${file}.corrupt-${new Date().toISOString().replaceAll(':', '-')}`;
  try {
    renameSync(file, aside);
    warn(lab, `the state file ${file} ${why}; it was moved to ${aside}, and lab ${lab} is found by its kernel marks instead`);
  } catch (e) {
    throw new NslabError(
      'NSLAB_STATE',
      `the state file ${file} ${why}, and could not be moved aside (${(e as Error).message}); remove it, and \`nslab clean\` finds the lab by its kernel marks`,
      { cause: e },
    );
  }
  return undefined;
}

export function newState(lab: string, source?: string, root = STATE_ROOT): LabState {
  const now = new Date().toISOString();
  const state: LabState = {
    version: STATE_VERSION,
    lab,
    id: randomHex(8),
    createdAt: now,
    updatedAt: now,
    ...(source !== undefined ? { source } : {}),
    namespaces: {},
    processes: [],
  };
  return withApplied(state, labDir(lab, root), undefined, false);
}

/**
 * Writes the state atomically and durably: a temporary file written and synced, renamed over the state,
 * and the directory synced, so that a kill (or a crash of the machine) at any instant leaves either the old
 * state or the new one, whole.
 */
export function writeState(state: LabState, root = STATE_ROOT): void {
  state.updatedAt = new Date().toISOString();
  const applied = appliedText(state, root, (value) => JSON.stringify(value));
  writeStateText(state.lab, JSON.stringify(state, withoutApplied), root, applied, state.appliedFile);
  appliedSlot(state, root).dirty = false;
}

/**
 * writeState, with the state made into text in pieces (json-steps.ts) and turns of the event loop between
 * them: the state of a 10,000-node lab is megabytes. Nothing may change the state meanwhile: for the
 * steps of a run where nothing else runs (before its ops start, after they end).
 */
export async function writeStateSliced(state: LabState, root = STATE_ROOT): Promise<void> {
  state.updatedAt = new Date().toISOString();
  const slot = appliedSlot(state, root);
  const text = slot.dirty && slot.value !== undefined ? await sliced(jsonSteps(slot.value)) : '';
  const applied = appliedText(state, root, () => text);
  writeStateText(state.lab, await sliced(jsonSteps(withoutAppliedCopy(state))), root, applied, state.appliedFile);
  slot.dirty = false;
}

/** JSON.stringify's replacer that leaves the applied lab out of the state file (it has a file of its own). */
function withoutApplied(key: string, value: unknown): unknown {
  return key === 'applied' ? undefined : value;
}

/** The state's own keys, without the applied lab (for jsonSteps, which takes no replacer). */
function withoutAppliedCopy(state: LabState): Record<string, unknown> {
  const copy: Record<string, unknown> = {};
  for (const key of Object.keys(state)) if (key !== 'applied') copy[key] = (state as unknown as Record<string, unknown>)[key];
  return copy;
}

/**
 * The state's applied lab, where it is: a state made by hand, or whose applied lab was deleted or replaced
 * by a plain value, counts as changed.
 */
function appliedSlot(state: LabState, root: string): { value: ResolvedLab | undefined; dirty: boolean } {
  const own = Object.getOwnPropertyDescriptor(state, 'applied');
  const slot = appliedOf.get(state);
  if (slot !== undefined && own?.get !== undefined) return slot;
  withApplied(state, labDir(state.lab, root), own?.value as ResolvedLab | undefined, true);
  return appliedOf.get(state) as { value: ResolvedLab | undefined; dirty: boolean };
}

/**
 * The applied lab's new text and file name when it changed since it was read or last written (the state
 * then names the new file), else undefined. It stays changed until the write has succeeded.
 */
function appliedText(state: LabState, root: string, text: (value: ResolvedLab) => string): { file: string; text: string } | undefined {
  const slot = appliedSlot(state, root);
  if (!slot.dirty) return undefined;
  if (slot.value === undefined) {
    delete state.appliedFile;
    return undefined;
  }
  state.appliedFile = `applied-${randomHex(8)}.json`;
  return { file: state.appliedFile, text: text(slot.value) };
}

/**
 * Writes the applied lab's new file (if it changed), then the state that names it, then removes the
 * applied files the state no longer names: a kill at any instant leaves the old state with its old file,
 * or the new state with its new one.
 */
function writeStateText(lab: string, text: string, root: string, applied: { file: string; text: string } | undefined, keep: string | undefined): void {
  const dir = labDir(lab, root);
  mkdirSync(dir, { recursive: true, mode: 0o755 });
  if (applied !== undefined) writeSynced(join(dir, applied.file), applied.text);
  const file = stateFile(lab, root);
  const tmp = `${file}.${process.pid}.tmp`;
  // Compact: `nslab status` reads it for people.
  writeSynced(tmp, text);
  renameSync(tmp, file);
  syncDirectory(dir);
  // What an earlier write or a killed one left: every applied file the state does not name.
  for (const old of readdirSync(dir)) if (/^applied-[0-9a-f]+\.json$/.test(old) && old !== keep) rmSync(join(dir, old), { force: true });
}

function writeSynced(file: string, text: string): void {
  const fd = openSync(file, 'w', 0o644);
  try {
    writeSync(fd, `${text}\n`);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}

function syncDirectory(dir: string): void {
  const fd = openSync(dir, 'r');
  try {
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}

/** Removes the lab's state directory (state file, logs, lock). */
export function removeState(lab: string, root = STATE_ROOT): void {
  rmSync(labDir(lab, root), { recursive: true, force: true });
}

/** Lab names that have a state directory. */
export function listStates(root = STATE_ROOT): string[] {
  if (!existsSync(root)) return [];
  return readdirSync(root)
    .filter((n) => hasState(n, root))
    .sort();
}

/**
 * Takes the lab's lock, waiting up to `waitMs` for another nslab process to finish; returns the release.
 * The lock is a flock on /run/nslab/LAB/lock, which the kernel releases when its holder dies, however it
 * dies: a killed run never leaves a lock to judge stale, and an empty or odd lock file holds nothing. The
 * holder writes its pid into the file, for the message of a run that waits.
 */
export async function lockLab(lab: string, options: { root?: string; waitMs?: number } = {}): Promise<() => void> {
  const file = join(labDir(lab, options.root), 'lock');
  return holdLockFile(file, {
    dirMode: 0o755,
    waitMs: options.waitMs ?? 30_000,
    // A lab that never got a state file (a refused first up) leaves no empty directory either.
    removeEmptyDir: true,
    timeout: (holder) => new NslabError('NSLAB_LOCKED', `lab ${lab} is locked by nslab process ${holder} (${file}); wait for it to finish`),
  });
}

/** Lab directories that hold no state file (a lock, or a state set aside, left by a kill): `clean` removes them. */
export function strayLabDirs(root = STATE_ROOT): string[] {
  if (!existsSync(root)) return [];
  // Names starting with "." are no lab's (a lab name starts with a letter or digit): nslab's own directories.
  return readdirSync(root)
    .filter((n) => !n.startsWith('.') && !hasState(n, root))
    .sort();
}

/** Published on `diagnostics_channel` 'nslab:lab': `{ event: 'up-start' | 'up-end' | 'down-start' | 'down-end', lab }`. */
export const labChannel = channel('nslab:lab');

/** Says on labChannel that a run of the lab starts or ends. */
export function publishLab(event: string, lab: string): void {
  if (labChannel.hasSubscribers) labChannel.publish({ event, lab });
}

/** lockLab's options, from a run's. */
export function lockOptions(options: { stateRoot?: string; lockWaitMs?: number }): { root?: string; waitMs?: number } {
  return {
    ...(options.stateRoot !== undefined ? { root: options.stateRoot } : {}),
    ...(options.lockWaitMs !== undefined ? { waitMs: options.lockWaitMs } : {}),
  };
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

/**
 * Stats the files of the namespaces the lab's state names, without waiting for the answer: the first stat
 * of a namespace's file costs several microseconds, and a down of 1,000 namespaces spent 10 to 13 ms on
 * its identity check. Started while node loads the command (src/cli/early.ts), the check finds them in
 * the kernel's caches. A read and nothing else: the check itself, under the lab's lock, decides; any
 * doubt (no state, a state that does not parse, a name that is no lab's) means nothing is read.
 */
export function warmNamespaces(lab: string, root = STATE_ROOT, dir = NETNS_RUN_DIR): void {
  if (!new RegExp(LAB_NAME_PATTERN).test(lab)) return;
  let names: string[];
  try {
    names = Object.keys((JSON.parse(readFileSync(stateFile(lab, root), 'utf8')) as { namespaces?: Record<string, string> }).namespaces ?? {});
  } catch {
    return;
  }
  namespaceIdentities(names.map((n) => netnsPath(n, dir))).catch(() => undefined);
}
