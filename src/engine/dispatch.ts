/**
 * Starts a plan's ops as soon as their own dependencies allow, with no barrier between waves: an op starts
 * once every op it waits for has finished, or, for a dependency on its lane (see ridesLane), once that one
 * has been started (its request is then queued ahead on the same socket). An end comes up as soon as its
 * cable is made, and a route goes in as soon as its device has its address, while other cables are still
 * being laid.
 */
import { ridesLane, type DependencyGraph } from '../plan/levels.js';

/**
 * Starts the ops at these positions, in this order (a dependency on a lane comes before the ops that ride
 * it). It must not throw: it calls the Dispatcher's done, failed or skipped once for each op, now or later.
 * It queues the request of each op it sends on a netlink socket before it returns, so that the order of
 * the list is the order on each socket.
 */
export type StartOps = (positions: number[]) => void;

export class Dispatcher {
  readonly #graph: DependencyGraph;
  readonly #start: StartOps;
  readonly #slice: number;
  readonly #free: ((position: number) => boolean) | undefined;
  readonly #freeSlice: number;
  readonly #signal: AbortSignal | undefined;
  /** Per op: the dependencies it still waits for. */
  readonly #left: number[];
  readonly #ready: number[] = [];
  #head = 0;
  #running = 0;
  #finished = 0;
  #draining = false;
  #failure: { error: unknown } | undefined;
  #settle: ((failure: { error: unknown } | undefined) => void) | undefined;

  /**
   * `slice`: ops started per turn of the event loop, so that no turn holds it long; ops for which `free`
   * says true do not count (starting one costs little: a namespace to make, queued for one native call),
   * but no more than `freeSlice` of them start in one turn (10,000 at once held the loop 20 ms).
   */
  constructor(
    graph: DependencyGraph,
    start: StartOps,
    options: { slice: number; free?: (position: number) => boolean; freeSlice?: number; signal?: AbortSignal | undefined },
  ) {
    this.#graph = graph;
    this.#start = start;
    this.#slice = options.slice;
    this.#free = options.free;
    this.#freeSlice = options.freeSlice ?? Infinity;
    this.#signal = options.signal;
    this.#left = [...graph.waiting];
  }

  /**
   * Runs every op; resolves when all have finished. After the first failure no op starts; it rejects with
   * that failure once the ops already started have finished (so that none is still at work during a
   * rollback). An abort of the signal counts as a failure before the next op starts.
   */
  run(): Promise<void> {
    const total = this.#graph.ops.length;
    for (let i = 0; i < total; i++) if (this.#left[i] === 0) this.#ready.push(i);
    return new Promise((resolve, reject) => {
      this.#settle = (failure) => (failure === undefined ? resolve() : reject(failure.error));
      if (total === 0) this.#settle(undefined);
      else this.#drain();
    });
  }

  /** True once an op has failed (or the signal aborted): ops not yet at work should be skipped. */
  get stopping(): boolean {
    return this.#failure !== undefined;
  }

  /** The op at `position` has finished. */
  done(position: number): void {
    this.#running -= 1;
    this.#finished += 1;
    this.#release(position, false);
    this.#check();
  }

  /** An op has failed; the first failure is the run's. */
  failed(error: unknown): void {
    this.#running -= 1;
    this.#finished += 1;
    this.#failure ??= { error };
    this.#check();
  }

  /** An op was given up before it did anything, as the run is stopping. */
  skipped(): void {
    this.#running -= 1;
    this.#check();
  }

  /** Passes an op's start (`started`) or its end on to the ops waiting for it. */
  #release(position: number, started: boolean): void {
    const list = this.#graph.dependents[position];
    if (list === undefined) return;
    const lanes = this.#graph.lanes;
    for (let k = 0; k < list.length; k++) {
      const i = list[k] as number;
      // A dependency on the lane was counted off when it started.
      if (ridesLane(lanes, position, i) !== started) continue;
      const left = (this.#left[i] as number) - 1;
      this.#left[i] = left;
      if (left === 0) this.#ready.push(i);
    }
    if (!started && this.#head < this.#ready.length) this.#scheduleDrain();
  }

  #scheduleDrain(): void {
    if (this.#draining) return;
    this.#draining = true;
    setImmediate(() => this.#drain());
  }

  #drain(): void {
    this.#draining = false;
    if (this.#failure === undefined && this.#signal?.aborted === true) this.#failure = { error: this.#signal.reason };
    if (this.#failure !== undefined) {
      this.#check();
      return;
    }
    const batch: number[] = [];
    let cost = 0;
    let free = 0;
    while (cost < this.#slice && free < this.#freeSlice && this.#head < this.#ready.length) {
      const position = this.#ready[this.#head++] as number;
      batch.push(position);
      if (this.#free?.(position) === true) free += 1;
      else cost += 1;
      this.#release(position, true);
    }
    if (this.#head === this.#ready.length) {
      this.#ready.length = 0;
      this.#head = 0;
    }
    this.#running += batch.length;
    this.#start(batch);
    if (this.#head < this.#ready.length) this.#scheduleDrain();
    this.#check();
  }

  #check(): void {
    if (this.#settle === undefined || this.#running > 0) return;
    if (this.#failure === undefined && this.#finished < this.#graph.ops.length) return;
    const settle = this.#settle;
    this.#settle = undefined;
    settle(this.#failure);
  }
}
