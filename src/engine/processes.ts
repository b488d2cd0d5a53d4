/**
 * A lab's processes: its nodes' exec entries, run once the network is up, and the background servers they
 * start, recorded in the state (pid and start time) so that `down` ends exactly them. (FRR's daemons are
 * frr.ts's.)
 */
import { closeSync, openSync } from 'node:fs';
import { join } from 'node:path';
import { NslabError } from '../errors.js';
import type { OpOf } from '../plan/index.js';
import { endProcess, inNetns, labEnv, run, startChild, type Child } from '../process/index.js';
import { inFrrView } from '../topology/frr-view.js';
import type { Journal } from './journal.js';
import { labDir, writeState, type LabState, type StateProcess } from './state.js';

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
