/**
 * A node's FRR daemons: started through the one process runner in the node's FRR view (see
 * topology/frr-view.ts: its own /etc/frr, /run/frr and /var/tmp/frr, and its hostname), each recorded in
 * the state (pid, start time, which daemon, the fingerprint of the FRR it runs) and carrying NSLAB_LAB,
 * NSLAB_NODE and NSLAB_FRR in its environment, so that a lost state still finds them; stopped by pid, and
 * their files (under /run/nslab/LAB/frr/NODE) removed with them.
 *
 * The daemons run in the foreground, each in a process group of its own (no `-d`): the pid nslab starts is
 * the daemon's (a daemon that forks itself would leave the pid of a parent that exits), its output goes to
 * its log, and it is ready once its vty socket exists. zebra comes first and is waited for: the others
 * connect to its zserv socket at start, and one that finds none retries only 10 s later.
 */
import { chmodSync, chownSync, closeSync, existsSync, mkdirSync, openSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { NslabError } from '../errors.js';
import type { OpOf } from '../plan/index.js';
import { commandText, endProcess, inNetns, labEnv, run, startChild, type Child, type Exit } from '../process/index.js';
import { FRR_DAEMONS, FRR_PACKAGE, FRR_PROGRAM_DIRS, FRR_SHELL, missingFrrDaemons, type FrrDaemon } from '../topology/frr-daemons.js';
import { FRR_BINDS, daemonArgv, inFrrView, readyFiles, VTYSH_CONF } from '../topology/frr-view.js';
import type { FrrConfigSource } from '../topology/types.js';
import type { Journal } from './journal.js';
import { writeState, type LabState, type StateProcess } from './state.js';

/** How long a daemon may take to open its vty socket (a loaded machine starting a hundred routers). */
const READY_MS = 30_000;

/** FRR on this machine: each daemon's program, vtysh, and the user the daemons run as. */
export interface FrrInstall {
  program(daemon: FrrDaemon): string;
  /** vtysh, by name (found on PATH). */
  shell: string;
  uid: number;
  gid: number;
}

/** `frr:x:105:113:...` -> the user's uid and gid, from the password file. */
function frrUser(passwd = '/etc/passwd'): { uid: number; gid: number } | undefined {
  try {
    const line = readFileSync(passwd, 'utf8')
      .split('\n')
      .find((l) => l.startsWith('frr:'));
    const [, , uid, gid] = line?.split(':') ?? [];
    return uid !== undefined && gid !== undefined ? { uid: Number(uid), gid: Number(gid) } : undefined;
  } catch {
    return undefined;
  }
}

function onPath(name: string): boolean {
  return (process.env.PATH ?? '/usr/bin:/bin').split(':').some((d) => d !== '' && existsSync(join(d, name)));
}

/**
 * Finds FRR's programs for these daemons in `dirs` (FRR_PROGRAM_DIRS unless told), vtysh on PATH and
 * FRR's user; throws NSLAB_MISSING_FEATURE naming what is missing and the Debian package when one is not
 * there.
 */
export function locateFrr(daemons: readonly FrrDaemon[], dirs: readonly string[] = FRR_PROGRAM_DIRS): FrrInstall {
  const { message } = missingFrrDaemons(daemons, existsSync, dirs);
  const problems: string[] = message !== undefined ? [message] : [];
  if (message === undefined && !onPath(FRR_SHELL)) problems.push(`FRR's shell ${FRR_SHELL} is not on PATH: reinstall the ${FRR_PACKAGE} package`);
  const user = frrUser();
  if (problems.length === 0 && user === undefined)
    problems.push(`FRR's user frr does not exist (its daemons run as frr): reinstall the ${FRR_PACKAGE} package`);
  if (problems.length > 0 || user === undefined) throw new NslabError('NSLAB_MISSING_FEATURE', problems.join('; '));
  return {
    program: (d) => {
      const file = FRR_DAEMONS[d].program;
      const dir = dirs.find((x) => existsSync(join(x, file))) ?? dirs[0] ?? FRR_PROGRAM_DIRS[0];
      return join(dir, file);
    },
    shell: FRR_SHELL,
    uid: user.uid,
    gid: user.gid,
  };
}

/** A place vtysh names in a configuration (line N of it), as the file the user wrote it in says it. */
function placeOf(source: FrrConfigSource, node: string, line: number): string {
  switch (source.kind) {
    case 'file':
      return `${source.file}:${line}`;
    case 'inline':
      if (source.file !== undefined && source.line !== undefined) return `${source.file}:${source.line + line - 1}`;
      return `line ${line} of the FRR config of node ${node}${source.file !== undefined ? `, written inline in ${source.file}` : ''}`;
    case 'generated':
      return `line ${line} of the configuration nslab wrote for node ${node} (routing: ${source.routing})`;
    case 'none':
      return `line ${line}`;
  }
}

/** vtysh -b's complaints (`line 6: % Unknown command[41]:  bogus`), each placed in the file that has the line. */
export function configProblems(output: string, source: FrrConfigSource, node: string, config: string): string[] {
  const lines = config.split('\n');
  const found: string[] = [];
  for (const m of output.matchAll(/^line (\d+): (.*)$/gm)) {
    const n = Number(m[1]);
    const what = (m[2] ?? '')
      .replace(/\[\d+\]:/, ':')
      .replace(/\s+/g, ' ')
      .trim();
    const text = lines[n - 1]?.trim();
    found.push(`${placeOf(source, node, n)}: ${what}${text !== undefined && text !== '' && !what.includes(text) ? ` (${text})` : ''}`);
  }
  return found;
}

function logTail(file: string, lines = 8): string {
  try {
    return readFileSync(file, 'utf8').trim().split('\n').slice(-lines).join('\n    ');
  } catch {
    return '';
  }
}

export class FrrDaemons {
  readonly #state: LabState;
  readonly #stateRoot: string | undefined;
  readonly #journal: Journal;
  readonly #dirs: readonly string[] | undefined;
  #install: FrrInstall | undefined;
  #mountPoints = false;

  constructor(state: LabState, stateRoot: string | undefined, journal: Journal, dirs?: readonly string[]) {
    this.#state = state;
    this.#stateRoot = stateRoot;
    this.#journal = journal;
    this.#dirs = dirs;
  }

  #frr(daemons: readonly FrrDaemon[]): FrrInstall {
    return (this.#install ??= locateFrr(daemons, this.#dirs));
  }

  /**
   * Starts the node's daemons and loads its configuration. On failure the daemons it started are ended
   * and its files removed (the run's rollback); a configuration vtysh refuses is NSLAB_FRR, each complaint
   * placed in the file that has the line.
   */
  async start(op: OpOf<'frr.start'>): Promise<void> {
    const frr = this.#frr(op.frr.daemons);
    const lab = this.#state.lab;
    const started: { daemon: FrrDaemon; child: Child }[] = [];
    // Intent before effect: whatever this start makes goes with a rollback of the run.
    this.#journal.push(async () => {
      await Promise.all(started.map((s) => endProcess(s.child)));
      const pids = new Set(started.map((s) => s.child.pid));
      this.#state.processes = this.#state.processes.filter((p) => p.node !== op.node || !pids.has(p.pid));
      rmSync(op.dir, { recursive: true, force: true });
    });
    this.#prepare(op, frr);
    const startOne = async (daemon: FrrDaemon): Promise<void> => {
      const log = join(op.dir, `${daemon}.log`);
      const fd = openSync(log, 'a', 0o640);
      let child: Child;
      try {
        child = await startChild(inNetns(op.netns, inFrrView(op.dir, op.node, daemonArgv(daemon, frr.program(daemon)))), {
          stdio: fd,
          detached: true,
          where: `node ${op.node}`,
          env: { ...labEnv(lab, op.node), NSLAB_FRR: `${daemon}:${op.digest}` },
        });
      } finally {
        closeSync(fd);
      }
      started.push({ daemon, child });
      await ready(op, daemon, child, log);
    };
    const [first, ...rest] = op.frr.daemons;
    try {
      if (first !== undefined) await startOne(first);
      await Promise.all(rest.map(startOne));
    } finally {
      // Recorded whatever happened: a daemon that started is the lab's until it is ended.
      this.#record(op, started);
    }
    if (op.frr.config === '') return;
    const r = await run(inNetns(op.netns, inFrrView(op.dir, op.node, [frr.shell, '-b'])), { env: labEnv(lab, op.node), where: `node ${op.node}` });
    if (r.exitCode === 0) return;
    const problems = configProblems(`${r.stdout}\n${r.stderr}`, op.frr.source, op.node, op.frr.config);
    const tail = `${r.stdout}${r.stderr}`.trim().split('\n').slice(-6).join('\n    ');
    const generated = op.frr.source.kind === 'generated';
    throw new NslabError(
      'NSLAB_FRR',
      `FRR refused the configuration of node ${op.node} (vtysh -b exited ${r.exitCode}):\n` +
        (problems.length > 0 ? problems.map((p) => `  ${p}`).join('\n') : `    ${tail}`) +
        (generated
          ? `\nnslab wrote this configuration from the lab's file: this is a bug of nslab's (the FRR here, ${FRR_PACKAGE} from Debian, may be older than what it was written for); please report it, with the lab's file.`
          : `\nFix the configuration and run nslab up again; what this up had made is removed.`),
    );
  }

  /** The node's directories, fresh, owned by FRR's user; its configuration; and FRR's own directories as mount points. */
  #prepare(op: OpOf<'frr.start'>, frr: FrrInstall): void {
    if (!this.#mountPoints) {
      for (const b of FRR_BINDS) {
        if (existsSync(b.target)) continue;
        mkdirSync(b.target, { recursive: true, mode: b.sub === 'tmp' ? 0o700 : 0o755 });
        chownSync(b.target, frr.uid, frr.gid);
      }
      this.#mountPoints = true;
    }
    rmSync(op.dir, { recursive: true, force: true });
    mkdirSync(op.dir, { recursive: true, mode: 0o755 });
    const modes = { etc: 0o750, run: 0o755, tmp: 0o700 } as const;
    for (const b of FRR_BINDS) {
      const d = join(op.dir, b.sub);
      mkdirSync(d, { mode: modes[b.sub] });
      chmodSync(d, modes[b.sub]);
      chownSync(d, frr.uid, frr.gid);
    }
    for (const [name, text] of [
      ['frr.conf', op.frr.config],
      ['vtysh.conf', VTYSH_CONF],
    ] as const) {
      const file = join(op.dir, 'etc', name);
      writeFileSync(file, text, { mode: 0o640 });
      chownSync(file, frr.uid, frr.gid);
    }
  }

  #record(op: OpOf<'frr.start'>, started: readonly { daemon: FrrDaemon; child: Child }[]): void {
    if (started.length === 0) return;
    for (const { daemon, child } of started) {
      const record: StateProcess = {
        node: op.node,
        pid: child.pid,
        startTime: child.startTime,
        run: commandText(daemonArgv(daemon, this.#install?.program(daemon))),
        log: join(op.dir, `${daemon}.log`),
        frr: { daemon, digest: op.digest },
      };
      this.#state.processes.push(record);
    }
    writeState(this.#state, this.#stateRoot);
  }

  /** Ends the node's daemons (each with its process group: ldpd's helpers go with it) and removes its files. */
  async stop(op: OpOf<'frr.stop'>): Promise<void> {
    await Promise.all(op.daemons.map((p) => endProcess(p)));
    const gone = new Set(op.daemons.map((p) => `${p.pid}:${p.startTime}`));
    this.#state.processes = this.#state.processes.filter((p) => !gone.has(`${p.pid}:${p.startTime}`));
    rmSync(op.dir, { recursive: true, force: true });
  }
}

/** Resolves once the daemon takes commands (its sockets exist); rejects when it ends first or takes too long. */
async function ready(op: OpOf<'frr.start'>, daemon: FrrDaemon, child: Child, log: string): Promise<void> {
  let exit: Exit | undefined;
  child.exited.then(
    (e) => (exit = e),
    () => undefined,
  );
  const files = readyFiles(daemon).map((f) => join(op.dir, 'run', f));
  const deadline = Date.now() + READY_MS;
  for (;;) {
    if (files.every((f) => existsSync(f))) return;
    if (exit !== undefined || Date.now() > deadline) {
      const how =
        exit === undefined ? `did not open its vty socket within ${READY_MS / 1000} s` : `ended at start (${exit.signal ?? `exit code ${exit.exitCode}`})`;
      const tail = logTail(log);
      throw new NslabError(
        'NSLAB_FRR',
        `FRR's ${daemon} on node ${op.node} ${how}${tail !== '' ? `; its log (${log}) ends:\n    ${tail}` : ` (its log: ${log})`}`,
      );
    }
    await sleep(5);
  }
}
