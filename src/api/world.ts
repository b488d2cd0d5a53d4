/**
 * nslab without root: the user's world (src/world: one user + mount + network namespace per user, held
 * by a small process) with the labs in it. What `nslab world` and the CLI's way into the world ask; a
 * process that uses Lab without root runs inside the world (`nslab world run -- CMD`, docs/rootless.md).
 */
import { existsSync, readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { listLabs, type LabSummary } from '../engine/index.js';
import { NslabError } from '../errors.js';
import { run, startChild, type Child } from '../process/index.js';
import {
  checkDir,
  endWorldProcesses,
  enterCommand,
  findWorld,
  insideRecord,
  labsDir,
  launcher,
  lockWorld,
  makeWorld,
  prepareDir,
  removeRecord,
  rootlessRefusal,
  worldPlace,
  worldProcesses,
  writeRecord,
  type WorldPlace,
  type WorldRecord,
} from '../world/index.js';

export type { WorldPlace, WorldRecord, Child };

/** The user's world directory, checked to be theirs alone when it exists. */
function place(): WorldPlace {
  const p = worldPlace();
  if (existsSync(p.dir)) checkDir(p);
  return p;
}

/** True when this process runs inside the user's running world. */
export function inWorld(): boolean {
  const p = worldPlace();
  const found = existsSync(p.dir) ? findWorld(p) : undefined;
  return found !== undefined && found.running && insideRecord(found.record);
}

/** A world that was found ended (its holder killed) and replaced. */
export interface EndedWorld {
  record: WorldRecord;
  /** The labs that were up in it, gone with it. */
  labs: string[];
  /** Its processes that were still running (a lab's server, a world shell), now ended. */
  ended: number;
}

export interface EnsureResult {
  place: WorldPlace;
  record: WorldRecord;
  /** True when this call made the world (it was not running). */
  made: boolean;
  /** The world found ended, when this call replaced one. */
  replaced?: EndedWorld;
}

/**
 * The user's running world, made when there is none. Before anything is made, what would stop it is
 * refused with its reason (NSLAB_USERNS_DISABLED, NSLAB_USERNS_RESTRICTED, NSLAB_WORLD). A world whose
 * holder has died is replaced: what still runs in it is ended, and its labs are reported in `replaced`.
 * Two commands that find no world at once make one world: the second waits for the first's.
 */
export async function ensureWorld(): Promise<EnsureResult> {
  const p = place();
  const found = existsSync(p.dir) ? findWorld(p) : undefined;
  if (found?.running === true) return { place: p, record: found.record, made: false };
  const refusal = rootlessRefusal(process.getuid?.() ?? 0);
  if (refusal !== undefined) throw refusal;
  prepareDir(p);
  const release = await lockWorld(p);
  try {
    const now = findWorld(p);
    if (now?.running === true) return { place: p, record: now.record, made: false };
    let replaced: EndedWorld | undefined;
    if (now !== undefined) {
      const labs = listLabs(labsDir(p)).map((l) => l.name);
      const ended = await endWorldProcesses(p, now.record, { marked: true });
      for (const entry of readdirSync(labsDir(p))) rmSync(join(labsDir(p), entry), { recursive: true, force: true });
      removeRecord(p);
      replaced = { record: now.record, labs, ended: ended.length };
    }
    const record = await makeWorld(p);
    writeRecord(p, record);
    return { place: p, record, made: true, ...(replaced !== undefined ? { replaced } : {}) };
  } finally {
    release();
  }
}

/** What `nslab world status` shows. */
export interface WorldStatus {
  dir: string;
  /** True when XDG_RUNTIME_DIR is not set and the world is recorded under /tmp. */
  fallback: boolean;
  /** `none`: no world; `running`; `ended`: recorded, but its holder is gone (the next command replaces it). */
  state: 'none' | 'running' | 'ended';
  holder?: { pid: number; startTime: string };
  id?: string;
  createdAt?: string;
  /** The labs in it (for an ended world: those that were, and are gone). */
  labs: LabSummary[];
  /** The processes in it, the holder included (none for an ended world). */
  processes: { pid: number; command: string; rssKiB: number }[];
  /** Their resident memory, in KiB. */
  memoryKiB: number;
}

export function worldStatus(): WorldStatus {
  const p = place();
  const found = existsSync(p.dir) ? findWorld(p) : undefined;
  const base = { dir: p.dir, fallback: p.fallback };
  if (found === undefined) return { ...base, state: 'none', labs: [], processes: [], memoryKiB: 0 };
  const { record } = found;
  const processes = found.running ? worldProcesses(record).map(({ pid, command, rssKiB }) => ({ pid, command, rssKiB })) : [];
  return {
    ...base,
    state: found.running ? 'running' : 'ended',
    holder: { pid: record.pid, startTime: record.startTime },
    id: record.id,
    createdAt: record.createdAt,
    labs: existsSync(labsDir(p)) ? listLabs(labsDir(p)) : [],
    processes,
    memoryKiB: processes.reduce((sum, x) => sum + x.rssKiB, 0),
  };
}

export interface StopResult {
  dir: string;
  /** What was found: no world, a running one (now stopped), or one whose holder had died (now cleared). */
  found: 'none' | 'running' | 'ended';
  /** The labs taken down (for an ended world: those that had gone with it). */
  labs: string[];
  /** Processes ended besides the labs' own (world shells, the holder). */
  ended: { pid: number; command: string }[];
}

/**
 * Stops the user's world for a clean slate: takes every lab in it down as `nslab clean` does (inside it,
 * through bin/nslab), ends whatever else runs in it (world shells), the holder last, and removes its
 * directory. Nothing of nslab is left: no process, no namespace, no file. Runs outside the world.
 */
export async function stopWorld(): Promise<StopResult> {
  const p = place();
  const first = existsSync(p.dir) ? findWorld(p) : undefined;
  if (first === undefined) {
    // A directory without a record: a stop or a make that was killed; nothing runs from it.
    if (existsSync(p.dir)) rmSync(p.dir, { recursive: true, force: true });
    return { dir: p.dir, found: 'none', labs: [], ended: [] };
  }
  if (first.running && insideRecord(first.record))
    throw new NslabError(
      'NSLAB_WORLD',
      'nslab world stop ends the world this process runs in, so it runs outside it: leave the world shell (exit) and run it from your own shell',
    );
  const release = await lockWorld(p);
  try {
    const found = findWorld(p);
    if (found === undefined) return { dir: p.dir, found: 'none', labs: [], ended: [] };
    const labs = listLabs(labsDir(p)).map((l) => l.name);
    if (found.running) {
      const clean = enterCommand(p, found.record, [launcher(), 'clean', '--json']);
      const r = await run(clean.argv, { env: clean.env, where: 'your world' });
      if (r.exitCode !== 0)
        throw new NslabError(
          'NSLAB_WORLD',
          `taking the labs of your world down failed (\`nslab clean\` in it exited ${r.exitCode}): ${r.stderr.trim()}; the world is left running, as it was`,
        );
    }
    const ended = await endWorldProcesses(p, found.record, { marked: !found.running });
    rmSync(p.dir, { recursive: true, force: true });
    return { dir: p.dir, found: found.running ? 'running' : 'ended', labs, ended: ended.map(({ pid, command }) => ({ pid, command })) };
  } finally {
    release();
  }
}

/**
 * The argv and environment that run `argv` inside the user's world (made when there is none): how the
 * CLI runs a command that started outside it, and how `nslab world run` and `world shell` start theirs.
 */
export async function worldCommand(argv: readonly string[]): Promise<EnsureResult & { argv: string[]; env: NodeJS.ProcessEnv }> {
  const world = await ensureWorld();
  return { ...world, ...enterCommand(world.place, world.record, argv) };
}

/**
 * Starts a command prepared by worldCommand with this process's terminal (its exit is awaited through the
 * returned child's `exited`).
 */
export function startWorldCommand(command: { argv: readonly string[]; env: NodeJS.ProcessEnv }): Promise<Child> {
  return startChild(command.argv, { env: command.env, stdio: 'inherit', where: 'your world' });
}
