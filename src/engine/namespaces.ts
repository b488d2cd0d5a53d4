/**
 * A run's namespaces: made, deleted and given sysctls through the addon, in batches. The namespaces
 * started in one turn (and those started while a native call is at work) are made together, in one call:
 * the kernel makes namespaces and devices under the same locks, and chunks that let cables start sooner
 * made a large up slower (see docs/performance.md). Each is born ready on the native thread that makes it
 * (or names a spare): its early sysctls written, its socket open, its `lo` up carrying the lab's mark.
 */
import { NslabError } from '../errors.js';
import { deleteNamespaces, descriptorLimit, makeNamespaces, netnsPath, sysctl, type MadeNamespace } from '../native/index.js';
import type { Op, Plan } from '../plan/types.js';
import { PIECE, type Steps } from '../topology/steps.js';
import { type OpOf } from '../plan/ops/index.js';
import { upWithAliasRequest } from '../rtnl/index.js';
import type { HandleSet } from './handles.js';
import type { Journal } from './journal.js';
import type { Spares } from './spares.js';
import { writeState, writeStateSliced, type LabState } from './state.js';
import { turn } from './turn.js';

export interface NamespaceOptions {
  dir: string;
  mark: string;
  state: LabState;
  stateRoot: string | undefined;
  handles: HandleSet;
  journal: Journal;
  spares: Spares | undefined;
  /** Called each time a batch of namespaces has been made (the run starts its `meanwhile` then). */
  onMade: () => void;
  /** True once the run is stopping: namespaces not yet being made are then given up. */
  stopping: () => boolean;
  /** At most this many open at once (default MAX_OPEN, within the descriptor limit). */
  maxOpen?: number;
}

/** What a namespace op given up before anything was done rejects with (not a failure of its own). */
export const SKIPPED = Symbol('skipped');

interface Queued {
  op: OpOf<'netns.add'>;
  settle: (error: Error | typeof SKIPPED | undefined) => void;
}

/**
 * How many namespaces of a run may be open at once (each holds its netlink socket and a descriptor of the
 * namespace until its last op is done): the working set stays bounded whatever the lab's size, and within
 * the process's descriptor limit. A lab of up to this many namespaces has them all made in one native call.
 */
const MAX_OPEN = 4096;

export class Namespaces {
  readonly #o: NamespaceOptions;
  /** Namespaces made and not yet released (their socket and descriptor still open). */
  #open = 0;
  readonly #maxOpen: number;
  /** Namespaces this run makes. */
  readonly fresh = new Set<string>();
  /** sysctl.set ops written by the thread that makes their namespace, and their values by namespace. */
  readonly #early = new Set<Op>();
  readonly #earlySysctls = new Map<string, [key: string, value: string][]>();
  /** netns.add ops waiting for the next native call, and how each is to be settled. */
  #queued: Queued[] = [];
  #making = false;
  /** The namespaces made so far. */
  readonly #made: string[] = [];

  constructor(options: NamespaceOptions) {
    this.#o = options;
    // Two descriptors each, and room for everything else the process holds.
    this.#maxOpen = Math.max(1, Math.min(options.maxOpen ?? MAX_OPEN, Math.floor((descriptorLimit().soft - 512) / 2)));
  }

  /** Reads what the plan makes (before the run starts), in pieces (topology/steps.ts). */
  *read(plan: Plan): Steps<void> {
    const made = new Set<string>();
    for (let i = 0; i < plan.ops.length; i++) {
      if (i % PIECE === PIECE - 1) yield;
      const op = plan.ops[i] as Op;
      if (op.op !== 'netns.add') continue;
      this.fresh.add(op.netns);
      made.add(op.id);
    }
    // The sysctls of namespaces this run makes that wait for nothing else are written as each is made.
    for (let i = 0; i < plan.ops.length; i++) {
      if (i % PIECE === PIECE - 1) yield;
      const op = plan.ops[i] as Op;
      if (op.op !== 'sysctl.set' || !this.fresh.has(op.netns) || !op.after.every((id) => made.has(id))) continue;
      this.#early.add(op);
      const list = this.#earlySysctls.get(op.netns) ?? [];
      list.push([op.key, op.value]);
      this.#earlySysctls.set(op.netns, list);
    }
  }

  /**
   * Journal first: the state names every namespace the run will make before the first is made, so that
   * `down` finds them after a crash (a namespace it names that does not exist counts as gone).
   */
  async journal(plan: Plan): Promise<void> {
    if (this.fresh.size === 0) return;
    for (let i = 0; i < plan.ops.length; i++) {
      if (i % PIECE === PIECE - 1) await turn();
      const op = plan.ops[i] as Op;
      if (op.op === 'netns.add') this.#o.state.namespaces[op.netns] = op.node;
    }
    await writeStateSliced(this.#o.state, this.#o.stateRoot);
  }

  /**
   * Makes these namespaces, with the others started meanwhile; resolves (or rejects) per op, with SKIPPED
   * for those given up because the run is stopping.
   */
  make(ops: OpOf<'netns.add'>[]): Promise<void>[] {
    const work = ops.map((op) => new Promise<void>((resolve, reject) => this.#queued.push({ op, settle: (e) => (e === undefined ? resolve() : reject(e)) })));
    this.#next();
    return work;
  }

  #next(): void {
    if (this.#making || this.#queued.length === 0) return;
    if (this.#o.stopping()) {
      for (const q of this.#queued.splice(0)) q.settle(SKIPPED);
      return;
    }
    const room = this.#maxOpen - this.#open;
    if (room <= 0) return; // a namespace released makes room (released())
    const batch = this.#queued.splice(0, room);
    this.#open += batch.length;
    this.#making = true;
    void this.#add(batch);
  }

  /**
   * Makes a batch in one native call, then hands it over: the next batch goes to the kernel first, and
   * this one's namespaces are taken over and their ops settled a piece at a time, with turns of the event
   * loop between (thousands at once held it 20 ms). Never rejects: each op is settled, with its error if
   * it failed. A rollback waits for every op under way, so none of the batch is left out of the handles.
   */
  async #add(batch: Queued[]): Promise<void> {
    const names = batch.map((q) => q.op.netns);
    let results: (MadeNamespace | Error)[];
    try {
      const spares = (await this.#o.spares?.take(names.length)) ?? [];
      results = await makeNamespaces(names, { dir: this.#o.dir, sysctls: this.#earlySysctls, hello: upWithAliasRequest(1, this.#o.mark), spares });
    } catch (e) {
      results = names.map(() => (e instanceof Error ? e : new NslabError('NSLAB_INTERNAL', String(e))));
    }
    this.#making = false;
    const identities = (this.#o.state.identities ??= {});
    const firstMade = this.#made.length === 0;
    for (let i = 0; i < results.length; i++) {
      const r = results[i] as MadeNamespace | Error;
      // A namespace that was not made holds nothing.
      if (r instanceof Error) this.#open -= 1;
      else {
        identities[names[i] as string] = r.identity;
        this.#made.push(names[i] as string);
      }
    }
    // One undo for every namespace the run makes, in the journal where the first was made.
    if (firstMade && this.#made.length > 0) {
      this.#o.journal.push(async () => {
        await this.#o.handles.release(this.#made);
        await deleteNamespaces(this.#made, { dir: this.#o.dir });
      });
    }
    this.#o.onMade();
    this.#next();
    for (let from = 0; from < batch.length; from += PIECE) {
      if (from > 0) await turn();
      const to = Math.min(batch.length, from + PIECE);
      const made: { netns: string; fd: number; nsFd: number }[] = [];
      for (let i = from; i < to; i++) {
        const r = results[i] as MadeNamespace | Error;
        if (!(r instanceof Error)) made.push({ netns: names[i] as string, fd: r.fd, nsFd: r.nsFd });
      }
      this.#o.handles.adopt(made);
      for (let i = from; i < to; i++) {
        const r = results[i];
        (batch[i] as Queued).settle(r instanceof Error ? r : undefined);
      }
    }
  }

  /** These namespaces' work is done and their socket and descriptor were closed: room for more. */
  released(count: number): void {
    this.#open -= count;
    this.#next();
  }

  /** True for a sysctl.set written as its namespace was made. */
  isEarly(op: Op): boolean {
    return this.#early.has(op);
  }

  /** Deletes namespaces of the lab (their handles closed first) and drops them from the state. */
  async delete(ops: OpOf<'netns.del'>[]): Promise<void> {
    const names = ops.map((o) => o.netns);
    await this.#o.handles.release(names);
    const errors = await deleteNamespaces(names, { dir: this.#o.dir });
    const state = this.#o.state;
    names.forEach((n, i) => {
      if (errors[i] !== undefined) return;
      delete state.namespaces[n];
      delete state.identities?.[n];
    });
    // A lab left with no namespace is on its way out (its caller removes the state); the state as it was
    // names only namespaces that are gone, which `down` and `up` take as gone.
    if (Object.keys(state.namespaces).length > 0) writeState(state, this.#o.stateRoot);
    const firstError = errors.find((e) => e !== undefined);
    if (firstError !== undefined) throw firstError;
  }

  /** Writes sysctls in one native call (each from a thread that joins its namespace). */
  async sysctls(ops: OpOf<'sysctl.set'>[]): Promise<void> {
    const res = await sysctl(ops.map((o) => [netnsPath(o.netns, this.#o.dir), o.key, o.value] as const));
    const err = res.find((r): r is NslabError => r instanceof Error);
    if (err !== undefined) throw err;
  }
}
