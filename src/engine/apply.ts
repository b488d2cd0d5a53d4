/**
 * Runs a plan against the kernel. Each operation starts as soon as what it waits for allows (Dispatcher);
 * the requests started in one turn leave in one sendmsg per namespace (the Handle coalesces them), and
 * each kind is run as its entry in the table says (requests.ts). Everything made is journaled; on a
 * failure the journal is undone in reverse and the first cause is thrown.
 */
import { channel } from 'node:diagnostics_channel';
import { NslabError } from '../errors.js';
import { NETNS_RUN_DIR } from '../native/index.js';
import { dependencyGraphSteps } from '../plan/levels.js';
import { PIECE, type Steps } from '../topology/steps.js';
import { socketOf } from '../plan/ops/index.js';
import type { Op, OpKind, Plan } from '../plan/types.js';
import { Dispatcher } from './dispatch.js';
import { HandleSet } from './handles.js';
import { FIRST_INDEX, Indexes } from './indexes.js';
import { Journal, runFailure } from './journal.js';
import { Namespaces, SKIPPED } from './namespaces.js';
import { Processes } from './processes.js';
import { FrrDaemons } from './frr.js';
import { RUNNERS, type RunContext, type Runner } from './requests.js';
import type { Spares } from './spares.js';
import type { ProcessIdentity } from '../process/index.js';
import type { LabState } from './state.js';
import { clockMs, sliced } from './turn.js';

/** Published on `diagnostics_channel` 'nslab:op' for every finished operation. */
export const opChannel = channel('nslab:op');

export interface ProgressEvent {
  lab: string;
  op: Op;
  /** The op's position in the plan: ops finish in any order their dependencies allow; the plan's is one that works. */
  index: number;
  done: number;
  total: number;
  ms: number;
}

/** What a caller of the library may ask of a run. */
export interface ApplyOptions {
  signal?: AbortSignal;
  onProgress?: (event: ProgressEvent) => void;
}

/** The engine's own options of a run, beside the caller's: where things live, and what runs alongside. */
export interface EngineOptions {
  /** Directory of named namespaces (default /run/netns). */
  netnsDir?: string;
  stateRoot?: string;
  /** Where `ip netns exec` finds per-namespace files (default /etc/netns). */
  etcNetns?: string;
  /**
   * Work of the caller's to run while the kernel works: it starts once the namespaces the run makes exist
   * (while their devices are made), or with the run when it makes none. The run waits for it before it
   * ends (or rolls back). If it fails, the run fails (and an up rolls back).
   */
  meanwhile?: () => Promise<unknown>;
  /**
   * Called once the network is made (every op but FRR's starts and the exec entries has finished), before
   * any FRR daemon or exec entry runs and before the run ends; the run waits for it, and fails (an up rolls back) if it rejects. A lab
   * over several hosts holds each host's part here until every host has its network (multihost/).
   */
  gate?: () => Promise<void>;
  /** Spare namespaces (Spares.start) that the run names first instead of making new ones. */
  spares?: Spares;
  /** At most this many namespaces the run makes are open at once (default: see namespaces.ts MAX_OPEN). */
  maxOpenNamespaces?: number;
  /**
   * The process the lab belongs to, recorded when the lab is first made: the library's labs belong to the
   * process that brought them up (`clean --orphans` removes them once it is gone); the CLI's to nobody.
   */
  owner?: ProcessIdentity;
  /** Where FRR's daemons are looked for (default FRR_PROGRAM_DIRS: /usr/lib/frr, /usr/sbin, /usr/local/sbin). */
  frrDirs?: readonly string[];
}

/** Operations issued per turn of the event loop, so that no turn holds it long (see docs/performance.md). */
const SLICE = 50;
/** Ops that cost little to start (namespaces to make, queued for one native call) started per turn. */
const FREE_SLICE = 2000;

export { FIRST_INDEX };

export class Applier {
  readonly #state: LabState;
  readonly #mark: string;
  readonly #opts: ApplyOptions & EngineOptions;
  readonly #indexBase: number;
  #done = 0;
  #ops: readonly Op[] = [];
  #started = 0;
  #meanwhileRun: Promise<unknown> | undefined;
  /** Namespaces this run makes -> how many ops still use them (see #countUses). */
  readonly #uses = new Map<string, number>();
  #releasable: string[] = [];
  #releasing = false;
  #handles: HandleSet | undefined;
  #namespaces: Namespaces | undefined;
  #gateRun: Promise<void> | undefined;

  /** indexBase: above every interface index the lab has now (see Observation.maxIndex). */
  constructor(state: LabState, mark: string, options: ApplyOptions & EngineOptions = {}, indexBase = FIRST_INDEX) {
    this.#state = state;
    this.#mark = mark;
    this.#opts = options;
    this.#indexBase = indexBase;
  }

  /** Runs the plan; on failure undoes what this run made and rethrows the first cause. */
  async run(plan: Plan): Promise<void> {
    const dir = this.#opts.netnsDir ?? NETNS_RUN_DIR;
    const journal = new Journal();
    const handles = (this.#handles = new HandleSet(dir));
    const indexes = new Indexes(this.#indexBase);
    let dispatcher: Dispatcher | undefined;
    const namespaces = (this.#namespaces = new Namespaces({
      dir,
      mark: this.#mark,
      state: this.#state,
      stateRoot: this.#opts.stateRoot,
      handles,
      journal,
      spares: this.#opts.spares,
      onMade: () => void this.#startMeanwhile(),
      stopping: () => dispatcher?.stopping === true,
      ...(this.#opts.maxOpenNamespaces !== undefined ? { maxOpen: this.#opts.maxOpenNamespaces } : {}),
    }));
    const ctx: RunContext = {
      mark: this.#mark,
      dev: (netns, ifname) => indexes.dev(netns, ifname),
      nsFd: (netns) => handles.nsFd(netns),
      undo: (netns, undo) => {
        if (!namespaces.fresh.has(netns)) journal.push(undo);
      },
      undoAlways: (undo) => journal.push(undo),
      handle: (netns) => handles.open(netns),
      underlay: () => handles.underlay(),
      gate: () => (this.#gateRun ??= this.#opts.gate?.() ?? Promise.resolve()),
      namespaces,
      processes: new Processes(this.#state, this.#opts.stateRoot, journal),
      frr: new FrrDaemons(this.#state, this.#opts.stateRoot, journal, this.#opts.frrDirs),
    };
    // What grows with the lab is read in pieces, with turns of the event loop between them (turn.ts).
    await sliced(indexes.read(plan));
    await sliced(namespaces.read(plan));
    const graph = await sliced(dependencyGraphSteps(plan));
    this.#ops = plan.ops;
    await sliced(this.#countUses(plan, namespaces.fresh));
    this.#started = clockMs();
    await namespaces.journal(plan);
    if (!plan.ops.some((op) => op.op === 'netns.add')) void this.#startMeanwhile();
    try {
      this.#opts.signal?.throwIfAborted();
      // The handles of namespaces that existed before open together (a new namespace's comes with it).
      await handles.openAll(await sliced(existingSockets(plan, namespaces.fresh)));
      const free = (position: number): boolean => RUNNERS[(plan.ops[position] as Op).op].via === 'batch';
      const d = (dispatcher = new Dispatcher(graph, (positions) => this.#start(positions, d, handles, ctx), {
        slice: SLICE,
        free,
        freeSlice: FREE_SLICE,
        signal: this.#opts.signal,
      }));
      await d.run();
      await ctx.gate();
      const failed = await this.#startMeanwhile();
      if (failed !== undefined) throw failed;
    } catch (cause) {
      // The caller's work must not go on behind the rollback (its files would outlive the run).
      await this.#meanwhileRun;
      const rollbackErrors = await journal.rollback();
      const aborted = cause instanceof Error && this.#opts.signal?.aborted === true && cause.name === 'AbortError';
      const err = aborted ? new NslabError('NSLAB_ABORTED', `nslab up of ${this.#state.lab} was cancelled; what it had made is removed`, { cause }) : cause;
      throw runFailure(err, this.#state.lab, rollbackErrors);
    } finally {
      await handles.releaseAll();
    }
  }

  /**
   * Starts the ops at these positions, in this order (see StartOps): never throws, and finishes each with
   * the dispatcher. Batched kinds go together, one call per kind; a request whose handle is open is queued
   * at once, so requests queue in the order their ops started.
   */
  #start(positions: number[], d: Dispatcher, handles: HandleSet, ctx: RunContext): void {
    const batches = new Map<OpKind, number[]>();
    for (const position of positions) {
      const op = this.#ops[position] as Op;
      const runner = RUNNERS[op.op] as Runner<OpKind>;
      if (runner.via === 'batch') {
        const list = batches.get(op.op);
        if (list === undefined) batches.set(op.op, [position]);
        else list.push(position);
      } else if (runner.via === 'process') {
        this.#track(d, position, runner.run(op, ctx));
      } else {
        const netns = socketOf(op) as string;
        const h = handles.get(netns);
        this.#track(d, position, h !== undefined ? runner.send(op, h, ctx) : handles.open(netns).then((opened) => runner.send(op, opened, ctx)));
      }
    }
    for (const [kind, list] of batches) {
      const runner = RUNNERS[kind] as Extract<Runner<OpKind>, { via: 'batch' }>;
      const work = runner.start(
        list.map((p) => this.#ops[p] as Op),
        ctx,
      );
      list.forEach((p, i) => this.#track(d, p, work[i] as Promise<void>));
    }
  }

  /**
   * The ops that use each namespace this run makes (its socket, or its descriptor as a veth's far end), so
   * that its socket and descriptor close once the last is done, and the run's working set stays bounded.
   */
  *#countUses(plan: Plan, fresh: ReadonlySet<string>): Steps<void> {
    for (let i = 0; i < plan.ops.length; i++) {
      if (i % PIECE === PIECE - 1) yield;
      for (const netns of usesOf(plan.ops[i] as Op)) if (fresh.has(netns)) this.#uses.set(netns, (this.#uses.get(netns) ?? 0) + 1);
    }
  }

  /** An op is done with its namespaces: those this run made and nothing else will use are released. */
  #doneWith(op: Op): void {
    // A namespace made that no op uses is done with at once (else it would hold its room for the run).
    if (op.op === 'netns.add' && !this.#uses.has(op.netns)) this.#releasable.push(op.netns);
    for (const netns of usesOf(op)) {
      const left = this.#uses.get(netns);
      if (left === undefined) continue;
      if (left > 1) this.#uses.set(netns, left - 1);
      else {
        this.#uses.delete(netns);
        this.#releasable.push(netns);
      }
    }
    if (this.#releasable.length > 0 && !this.#releasing) {
      this.#releasing = true;
      // Released together, once a turn: one native call closes them all.
      setImmediate(() => {
        this.#releasing = false;
        const names = this.#releasable.splice(0);
        void this.#handles?.release(names).then(() => this.#namespaces?.released(names.length));
      });
    }
  }

  /** Finishes an op with the dispatcher when its work settles. */
  #track(d: Dispatcher, position: number, work: Promise<void>): void {
    work.then(
      () => {
        this.#doneWith(this.#ops[position] as Op);
        this.#progress(position);
        d.done(position);
      },
      (e: unknown) => (e === SKIPPED ? d.skipped() : d.failed(e)),
    );
  }

  #progress(position: number): void {
    this.#done += 1;
    const listener = this.#opts.onProgress;
    if (listener === undefined && !opChannel.hasSubscribers) return;
    const event: ProgressEvent = {
      lab: this.#state.lab,
      op: this.#ops[position] as Op,
      index: position,
      done: this.#done,
      total: this.#ops.length,
      ms: clockMs() - this.#started,
    };
    listener?.(event);
    if (opChannel.hasSubscribers) opChannel.publish(event);
  }

  /** Starts the caller's `meanwhile` (see EngineOptions) unless started; resolves with its error, if any. */
  #startMeanwhile(): Promise<unknown> {
    return (this.#meanwhileRun ??= this.#meanwhile());
  }

  async #meanwhile(): Promise<unknown> {
    try {
      await this.#opts.meanwhile?.();
      return undefined;
    } catch (e) {
      return e ?? new NslabError('NSLAB_INTERNAL', 'the work run beside the kernel failed without saying why');
    }
  }
}

/** The namespaces an op needs open: the one its request goes to, and a veth's far end. */
function usesOf(op: Op): string[] {
  const socket = socketOf(op);
  const uses = socket !== undefined ? [socket] : [];
  if (op.op === 'veth.add' && op.b.netns !== socket) uses.push(op.b.netns);
  // Made from the host's namespace into the node's, by the node's descriptor.
  if (op.op === 'vxlan.add') uses.push(op.end.netns);
  return uses;
}

/** The namespaces whose sockets the plan's ops use and that exist before the run (not `fresh`), in pieces. */
function* existingSockets(plan: Plan, fresh: ReadonlySet<string>): Steps<Set<string>> {
  const found = new Set<string>();
  for (let i = 0; i < plan.ops.length; i++) {
    if (i % PIECE === PIECE - 1) yield;
    const netns = socketOf(plan.ops[i] as Op);
    if (netns !== undefined && !fresh.has(netns)) found.add(netns);
  }
  return found;
}
