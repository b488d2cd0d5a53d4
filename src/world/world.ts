/**
 * A world's life: find it, lock it while it is made or stopped, enter it, and end what runs in it.
 */
import { NslabError } from '../errors.js';
import { holdLockFile } from '../native/flock.js';
import { endProcess, userNamespaceProcesses, type NamespaceProcess } from '../process/index.js';
import { lockPath, WORLD_ENV, type WorldPlace } from './place.js';
import { holderRunning, insideRecord, readRecord, type WorldRecord } from './record.js';

export interface FoundWorld {
  record: WorldRecord;
  /** False when the holder has ended (killed, or the machine restarted with the directory kept). */
  running: boolean;
}

/** The world recorded in `place`, running or not; undefined when there is no record. */
export function findWorld(place: WorldPlace): FoundWorld | undefined {
  const record = readRecord(place);
  return record !== undefined ? { record, running: holderRunning(record) } : undefined;
}

/** True when this process runs inside the running world of `place`. */
export function insideWorld(place: WorldPlace): boolean {
  const found = findWorld(place);
  return found !== undefined && found.running && insideRecord(found.record);
}

/**
 * Takes the world's lock (a flock on DIR/lock, which the kernel releases when its holder dies), waiting for
 * another nslab process that makes or stops the world; returns the release. Only one of two commands that
 * find no world at once makes it; the other then finds it made.
 */
export async function lockWorld(place: WorldPlace, waitMs = 30_000): Promise<() => void> {
  return holdLockFile(lockPath(place), {
    dirMode: 0o700,
    waitMs,
    timeout: () => new NslabError('NSLAB_LOCKED', `your nslab world (${place.dir}) is being made or stopped by another nslab process; wait for it to finish`),
  });
}

/**
 * The argv and environment that run `argv` inside the world: util-linux's nsenter joins the holder's user,
 * mount and network namespaces and runs it there, as the user (uid 0 of the world), in the same directory.
 * `--preserve-credentials`: the world maps only the user's own ids and refuses setgroups, which nsenter
 * would otherwise call.
 */
export function enterCommand(
  place: WorldPlace,
  record: WorldRecord,
  argv: readonly string[],
  env: NodeJS.ProcessEnv = process.env,
  cwd = process.cwd(),
): { argv: string[]; env: NodeJS.ProcessEnv } {
  return {
    argv: ['nsenter', '--preserve-credentials', '--user', '--mount', '--net', `--target=${record.pid}`, `--wd=${cwd}`, '--', ...argv],
    env: { ...env, [WORLD_ENV]: place.dir },
  };
}

/** The processes in the world's user namespace (while any runs, the world's namespaces live). */
export function worldProcesses(record: WorldRecord): NamespaceProcess[] {
  return userNamespaceProcesses(record.userns);
}

/**
 * Ends every process in the world's user namespace but those in `keep`, the holder last, and waits until
 * none is left (SIGTERM, SIGKILL after a grace). With `marked`, only processes that carry nslab's marks in
 * their environment (NSLAB_WORLD of this world, or NSLAB_LAB): for a world whose holder has died, whose
 * user namespace's number the kernel may have given to another once it was freed. Returns what it ended.
 */
export async function endWorldProcesses(
  place: WorldPlace,
  record: WorldRecord,
  options: { keep?: ReadonlySet<number>; marked?: boolean } = {},
): Promise<NamespaceProcess[]> {
  const ours = (p: NamespaceProcess): boolean =>
    options.marked !== true || p.env.includes(`${WORLD_ENV}=${place.dir}`) || p.env.some((e) => e.startsWith('NSLAB_LAB='));
  const remaining = (): NamespaceProcess[] => worldProcesses(record).filter((p) => options.keep?.has(p.pid) !== true && ours(p));
  const ended = new Map<number, NamespaceProcess>();
  // Rounds: a process ending may have started another meanwhile (a shell's last command).
  for (let round = 0, left = remaining(); left.length > 0 && round < 5; round++, left = remaining()) {
    // The holder last: until it goes, the world stays whole for what is still ending.
    await Promise.all(left.filter((p) => p.pid !== record.pid).map((p) => endProcess(p, { group: false, graceMs: 1000 })));
    await Promise.all(left.filter((p) => p.pid === record.pid).map((p) => endProcess(p, { group: false, graceMs: 1000 })));
    for (const p of left) ended.set(p.pid, p);
  }
  const left = remaining();
  if (left.length === 0) return [...ended.values()];
  throw new NslabError(
    'NSLAB_WORLD',
    `processes of your nslab world would not end: ${left.map((p) => `${p.pid} (${p.command})`).join(', ')}; end them yourself (kill -9 PID)`,
  );
}
