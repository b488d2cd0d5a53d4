/**
 * The lab's state file and lock under /run/nslab/<lab>/ (a tmpfs: gone at reboot, as the namespaces are).
 * The state file journals what the lab owns so `down` works with the topology file gone; the kernel's
 * marks remain the authority when the two disagree (after a crash).
 */
import {
  closeSync,
  existsSync,
  mkdirSync,
  openSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmdirSync,
  rmSync,
  statSync,
  unlinkSync,
  writeFileSync,
  writeSync,
} from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { NslabError } from '../errors.js';
import type { ResolvedLab } from '../topology/types.js';

export const STATE_ROOT = '/run/nslab';

export interface LabState {
  version: 1;
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
   * namespaceIdentity): a namespace that still has it is the one nslab made, whatever its name.
   */
  identities?: Record<string, string>;
  /** Background processes started by exec entries. */
  processes: StateProcess[];
  /** The lab as last applied. */
  applied?: ResolvedLab;
}

export interface StateProcess {
  node: string;
  pid: number;
  /** Start time of the process (clock ticks since boot, /proc/PID/stat field 22): a reused pid is not ours. */
  startTime: string;
  run: string;
  log: string;
}

/**
 * `digits` random hex digits, for names that only need to differ from run to run (a lab's id, a probe's
 * name), not to resist a guess: Math.random, since node:crypto costs every start 6-7 ms to load.
 */
export function randomHex(digits: number): string {
  let s = '';
  while (s.length < digits)
    s += Math.floor(Math.random() * 0x100000000)
      .toString(16)
      .padStart(8, '0');
  return s.slice(0, digits);
}

/**
 * A namespace's kernel identity: the nsfs inode of its bind-mounted file with that inode's change time,
 * fixed when the namespace was made. An inode number alone can be reused after a namespace is freed;
 * with its nanosecond time it names one namespace. Undefined when the file is gone.
 */
export function namespaceIdentity(path: string): string | undefined {
  try {
    const st = statSync(path, { bigint: true });
    return `${st.ino}:${st.ctimeNs}`;
  } catch {
    return undefined;
  }
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

export function readState(lab: string, root = STATE_ROOT): LabState | undefined {
  const file = stateFile(lab, root);
  if (!existsSync(file)) return undefined;
  try {
    return JSON.parse(readFileSync(file, 'utf8')) as LabState;
  } catch (cause) {
    throw new NslabError('NSLAB_NOT_FOUND', `the state file ${file} is unreadable; \`nslab clean\` removes labs by their kernel marks without it`, { cause });
  }
}

export function newState(lab: string, source?: string): LabState {
  const now = new Date().toISOString();
  return { version: 1, lab, id: randomHex(8), createdAt: now, updatedAt: now, ...(source !== undefined ? { source } : {}), namespaces: {}, processes: [] };
}

/** Writes the state atomically (write to a temporary file, then rename). */
export function writeState(state: LabState, root = STATE_ROOT): void {
  const dir = labDir(state.lab, root);
  mkdirSync(dir, { recursive: true, mode: 0o755 });
  state.updatedAt = new Date().toISOString();
  const file = stateFile(state.lab, root);
  const tmp = `${file}.${process.pid}`;
  // Compact: a 1,000-node lab's state is about 0.5 MB, written in one synchronous stretch. `nslab status` reads it for people.
  writeFileSync(tmp, `${JSON.stringify(state)}\n`);
  renameSync(tmp, file);
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

function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * Takes the lab's lock (a lock file holding our pid, made with O_EXCL), waiting up to `waitMs` for another
 * nslab process to finish; a lock whose process is gone is stale and taken over. Returns the release.
 */
export async function lockLab(lab: string, options: { root?: string; waitMs?: number } = {}): Promise<() => void> {
  const dir = labDir(lab, options.root);
  mkdirSync(dir, { recursive: true, mode: 0o755 });
  const file = join(dir, 'lock');
  const deadline = Date.now() + (options.waitMs ?? 30_000);
  for (;;) {
    try {
      const fd = openSync(file, 'wx');
      writeSync(fd, `${process.pid}\n`);
      closeSync(fd);
      let released = false;
      return () => {
        if (released) return;
        released = true;
        try {
          unlinkSync(file);
          // A lab that never got a state file (a refused first up) leaves no empty directory either.
          if (readdirSync(dir).length === 0) rmdirSync(dir);
        } catch {
          // the state directory may be gone already (down removes it)
        }
      };
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
    }
    const holder = Number.parseInt(readFileSafe(file), 10);
    if (Number.isInteger(holder) && holder > 0 && !pidAlive(holder)) {
      rmSync(file, { force: true });
      continue;
    }
    if (Date.now() > deadline) {
      throw new NslabError(
        'NSLAB_LOCKED',
        `lab ${lab} is locked by nslab process ${Number.isNaN(holder) ? '?' : holder} (${file}); wait for it to finish, or remove the file if that process is gone`,
      );
    }
    await sleep(20);
  }
}

function readFileSafe(file: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch {
    return '';
  }
}
