/**
 * A lab's processes: its nodes' exec entries, run once the network is up, the background servers they
 * start, and the processes started in a running lab (`node.spawn`), each recorded in the state (pid and
 * start time) so that `down`, by whichever process, ends exactly them. (FRR's daemons are frr.ts's.)
 */
import { closeSync, openSync } from 'node:fs';
import { join } from 'node:path';
import { NslabError } from '../errors.js';
import type { OpOf } from '../plan/index.js';
import { endProcess, inNetns, labEnv, run, startChild, type Child, type ChildOptions, type ProcessIdentity } from '../process/index.js';
import { inFrrView } from '../topology/frr-view.js';
import type { Journal } from './journal.js';
import { labDir, lockLab, readState, writeState, type LabState, type StateProcess } from './state.js';

export class Processes {
  readonly #state: LabState;
  readonly #stateRoot: string | undefined;
  readonly #journal: Journal;

  constructor(state: LabState, stateRoot: string | undefined, journal: Journal) {
    this.#state = state;
    this.#stateRoot = stateRoot;
    this.#journal = journal;
  }

  /**
   * Runs an exec entry: a background one is started with its output in a log under the lab's directory and
   * recorded; any other must exit 0.
   */
  async exec(op: OpOf<'exec'>): Promise<void> {
    // On a node that runs FRR, in its FRR view: `vtysh` there is the node's.
    const command = ['sh', '-c', op.entry.run];
    const argv = inNetns(op.netns, op.frrDir !== undefined ? inFrrView(op.frrDir, op.node, command) : command);
    const where = `node ${op.node}`;
    if (op.entry.background) {
      const log = join(labDir(this.#state.lab, this.#stateRoot), `${op.node}.${this.#state.processes.length}.log`);
      const fd = openSync(log, 'a');
      let child: Child;
      try {
        child = await startChild(argv, { stdio: fd, detached: true, where, env: labEnv(this.#state.lab, op.node) });
      } finally {
        closeSync(fd);
      }
      const record: StateProcess = { node: op.node, pid: child.pid, startTime: child.startTime, run: op.entry.run, log };
      this.#state.processes.push(record);
      writeState(this.#state, this.#stateRoot);
      this.#journal.push(() => endProcess(record));
      return;
    }
    const r = await run(argv, { where, env: labEnv(this.#state.lab, op.node) });
    if (r.exitCode !== 0) {
      const tail = `${r.stdout}${r.stderr}`.trim().split('\n').slice(-5).join('\n    ');
      const how = r.signal !== undefined ? `was ended by ${r.signal}` : `failed with exit code ${r.exitCode}`;
      throw new NslabError(
        'NSLAB_EXEC',
        `exec on node ${op.node} ${how}: ${op.entry.run}${tail !== '' ? `\n    ${tail}` : ''}\nFix the command in the node's exec list (it must exit 0), or mark a server with background: true.`,
      );
    }
  }

  /** Ends a process of the lab, by its pid and start time, and forgets it. */
  async kill(op: OpOf<'proc.kill'>): Promise<void> {
    await endProcess(op);
    this.#state.processes = this.#state.processes.filter((p) => p.pid !== op.pid || p.startTime !== op.startTime);
  }
}

export interface LabProcessOptions extends Pick<ChildOptions, 'env' | 'cwd' | 'input'> {
  stateRoot?: string;
  lockWaitMs?: number;
}

/**
 * Starts `argv` in a node of a running lab and records it in the lab's state, under the lab's lock, so that
 * `down` (of this process or of any other, the CLI's) ends it by pid and start time. It leads a process
 * group of its own, so that ending it ends what it started too. Its output is piped to the caller.
 * Throws NSLAB_NOT_FOUND when the lab is not up or has no such node; the lock keeps a `down` from
 * passing between the start and the record.
 */
export async function startLabProcess(lab: string, node: string, argv: readonly string[], options: LabProcessOptions = {}): Promise<Child> {
  const release = await lockLab(lab, {
    ...(options.stateRoot !== undefined ? { root: options.stateRoot } : {}),
    ...(options.lockWaitMs !== undefined ? { waitMs: options.lockWaitMs } : {}),
  });
  try {
    const state = readState(lab, options.stateRoot);
    const applied = state?.applied;
    if (state === undefined || applied === undefined)
      throw new NslabError('NSLAB_NOT_FOUND', `lab ${lab} is not up: bring it up (lab.up()) before starting processes in it`);
    const n = applied.nodes.find((x) => x.name === node);
    if (n === undefined)
      throw new NslabError('NSLAB_NOT_FOUND', `lab ${lab} has no node ${node}; its nodes are ${applied.nodes.map((x) => x.name).join(', ')}`);
    const child = await startChild(inNetns(n.netns, argv), {
      detached: true,
      waited: true,
      where: `node ${node} of lab ${lab}`,
      // NSLAB_LAB and NSLAB_NODE: a lost state file still finds it (process/scan.ts).
      env: labEnv(lab, node, options.env),
      ...(options.cwd !== undefined ? { cwd: options.cwd } : {}),
      ...(options.input !== undefined ? { input: options.input } : {}),
    });
    state.processes.push({ node, pid: child.pid, startTime: child.startTime, run: child.command });
    try {
      writeState(state, options.stateRoot);
    } catch (e) {
      // Unrecorded, no `down` would find it: it goes now.
      await endProcess(child);
      throw e;
    }
    return child;
  } finally {
    release();
  }
}

/**
 * Takes an ended process out of the lab's state, under the lab's lock. Nothing to do when the lab is gone
 * (its `down` ended it) or the process was not recorded.
 */
export async function forgetLabProcess(lab: string, p: ProcessIdentity, options: { stateRoot?: string } = {}): Promise<void> {
  const release = await lockLab(lab, options.stateRoot !== undefined ? { root: options.stateRoot } : {});
  try {
    const state = readState(lab, options.stateRoot);
    if (state === undefined) return;
    const i = state.processes.findIndex((x) => x.pid === p.pid && x.startTime === p.startTime);
    if (i < 0) return;
    state.processes.splice(i, 1);
    writeState(state, options.stateRoot);
  } finally {
    release();
  }
}
