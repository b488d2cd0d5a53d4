/**
 * Runs a plan against the kernel. Each operation starts as soon as what it waits for allows (see
 * Dispatcher); the requests started in one turn leave in one sendmsg per namespace (the Handle coalesces
 * them). The namespaces a run makes are made together, in one native call.
 * Devices made in a namespace this run created get indexes chosen here, so address and route requests can
 * follow their device in the same batch without a lookup. Everything made is journaled; on a failure the
 * journal is undone in reverse and the first cause is thrown.
 */
import { channel } from 'node:diagnostics_channel';
import { closeSync, openSync } from 'node:fs';
import { join } from 'node:path';
import { NslabError } from '../errors.js';
import { deleteNamespaces, makeNamespaces, NETNS_RUN_DIR, netnsPath, sysctl } from '../native/index.js';
import { dependencyGraph } from '../plan/index.js';
import type { Op, Plan } from '../plan/types.js';
import { Handle, upWithAliasRequest, type DevRef, type RouteSpec } from '../rtnl/index.js';
import type { ResolvedRoute } from '../topology/types.js';
import { Dispatcher } from './dispatch.js';
import { optional } from './optional.js';
import { qdiscSpec } from './shaping.js';
import type { Spares } from './spares.js';
import { turn } from './turn.js';
import { RTPROT_NSLAB } from './marks.js';
import { endProcess, inNetns, run, startChild, type Child } from '../process/index.js';
import { labDir, writeState, type LabState, type StateProcess } from './state.js';

/** Published on `diagnostics_channel` 'nslab:op' for every finished operation. */
export const opChannel = channel('nslab:op');

export interface ProgressEvent {
  lab: string;
  op: Op;
  done: number;
  total: number;
  ms: number;
}

export interface ApplyOptions {
  signal?: AbortSignal;
  onProgress?: (event: ProgressEvent) => void;
  /** Directory of named namespaces (default /run/netns). */
  netnsDir?: string;
  stateRoot?: string;
  /** Where `ip netns exec` finds per-namespace files (default /etc/netns). */
  etcNetns?: string;
  /** Test hook: throw before running the op with this id (proves rollback). */
  failBefore?: string;
  /**
   * Work of the caller's to run while the kernel works: it starts once the namespaces the run makes exist
   * (while their devices are made; making namespaces keeps every core busy already), or with the run when
   * it makes none. The run waits for it before it ends (or rolls back). If it fails, the run fails (and an
   * up rolls back).
   */
  meanwhile?: () => Promise<unknown>;
  /**
   * Spare namespaces (Spares.start) that the run names first instead of making new ones. It takes what it
   * needs; closing the rest is the caller's (`up` does it).
   */
  spares?: Spares;
}

/**
 * Operations issued per turn of the event loop. 250 let a 1,000-node wave stall it 55-60 ms; with 100 a
 * young-generation collection (up to 27 ms here, most of a wave's requests being alive) on top of a slice
 * came to 47 ms; 50 leaves room for it.
 */
const SLICE = 50;

/** Lowest index nslab gives a device: above any the kernel makes in a new namespace by itself (lo, tunnels). */
export const FIRST_INDEX = 100;

type Undo = () => Promise<void>;

export class Applier {
  readonly #state: LabState;
  readonly #mark: string;
  readonly #opts: ApplyOptions;
  readonly #dir: string;
  readonly #handles = new Map<string, Handle>();
  /** Open fds of the namespaces this run made, for the IFLA_NET_NS_FD of veth peers. */
  readonly #nsFds = new Map<string, number>();
  /** netns -> ifname -> the index this run gives the device. */
  readonly #indexes = new Map<string, Map<string, number>>();
  readonly #undo: Undo[] = [];
  /** Namespaces this run creates. */
  readonly #fresh = new Set<string>();
  /** sysctl.set ops done as their namespace is made (see #takeEarlySysctls), and their values by namespace. */
  readonly #early = new Set<Op>();
  readonly #earlySysctls = new Map<string, [key: string, value: string][]>();
  #done = 0;
  /** Set by run(). */
  #ops: readonly Op[] = [];
  #dispatcher: Dispatcher | undefined;
  #started = 0;
  /** netns.add ops started and not yet made (their positions), and whether a native call is making some. */
  #toMake: number[] = [];
  #making = false;
  /** The caller's `meanwhile`, once started. */
  #meanwhileRun: Promise<unknown> | undefined;
  /** The namespaces made so far. */
  readonly #made: string[] = [];

  readonly #indexBase: number;

  /** indexBase: above every interface index the lab has now (see Observation.maxIndex). */
  constructor(state: LabState, mark: string, options: ApplyOptions = {}, indexBase = FIRST_INDEX) {
    this.#indexBase = Math.max(FIRST_INDEX, indexBase);
    this.#state = state;
    this.#mark = mark;
    this.#opts = options;
    this.#dir = options.netnsDir ?? NETNS_RUN_DIR;
  }

  /** Runs the plan; on failure undoes what this run made and rethrows the first cause. */
  async run(plan: Plan): Promise<void> {
    this.#assignIndexes(plan);
    this.#takeEarlySysctls(plan);
    const graph = dependencyGraph(plan);
    this.#ops = plan.ops;
    await turn();
    this.#started = performance.now();
    this.#journalNamespaces();
    if (!plan.ops.some((op) => op.op === 'netns.add')) this.#startMeanwhile();
    try {
      this.#opts.signal?.throwIfAborted();
      await this.#openHandles();
      const free = (position: number): boolean => (plan.ops[position] as Op).op.startsWith('netns.');
      this.#dispatcher = new Dispatcher(graph, (positions) => this.#start(positions), { slice: SLICE, free, signal: this.#opts.signal });
      await this.#dispatcher.run();
      const failed = await this.#startMeanwhile();
      if (failed !== undefined) throw failed;
    } catch (cause) {
      // The caller's work must not go on behind the rollback (its files would outlive the run).
      await this.#meanwhileRun;
      const rollbackErrors = await this.#rollback();
      const err =
        cause instanceof Error && this.#opts.signal?.aborted === true && cause.name === 'AbortError'
          ? new NslabError('NSLAB_ABORTED', `nslab up of ${this.#state.lab} was cancelled; what it had made is removed`, { cause })
          : cause;
      if (rollbackErrors.length > 0 && err instanceof Error) {
        err.message += `\nRolling back also failed for: ${rollbackErrors.map((e) => e.message).join('; ')}. Run \`nslab down --lab ${this.#state.lab}\`.`;
      }
      throw err;
    } finally {
      await this.#release([...this.#handles.keys(), ...this.#nsFds.keys()]);
    }
  }

  /**
   * Closes the handles and namespace fds the run holds for these namespaces, in one native call (before a
   * namespace is deleted: an open socket keeps it alive).
   */
  async #release(names: Iterable<string>): Promise<void> {
    const handles: Handle[] = [];
    const fds: number[] = [];
    for (const n of names) {
      const h = this.#handles.get(n);
      const fd = this.#nsFds.get(n);
      if (h !== undefined) handles.push(h);
      if (fd !== undefined) fds.push(fd);
      this.#handles.delete(n);
      this.#nsFds.delete(n);
    }
    await Handle.closeAll(handles, fds);
  }

  /**
   * Every veth end this plan makes gets an index chosen here, unique within the lab: later requests name
   * the device by it in the same batch (no lookup), and observe() pairs veth ends without ambiguity.
   */
  #assignIndexes(plan: Plan): void {
    for (const op of plan.ops) if (op.op === 'netns.add') this.#fresh.add(op.netns);
    let next = this.#indexBase;
    const give = (netns: string, ifname: string): void => {
      let inNs = this.#indexes.get(netns);
      if (inNs === undefined) this.#indexes.set(netns, (inNs = new Map()));
      inNs.set(ifname, next++);
    };
    for (const op of plan.ops) {
      if (op.op === 'bridge.add') give(op.netns, op.name);
      if (op.op !== 'veth.add') continue;
      give(op.a.netns, op.a.ifname);
      give(op.b.netns, op.b.ifname);
    }
  }

  /**
   * The sysctls of namespaces this run makes, which wait for nothing else, are written by the thread that
   * makes the namespace (see makeNamespaces) instead of in a native call of their own.
   */
  #takeEarlySysctls(plan: Plan): void {
    const made = new Set(plan.ops.filter((op) => op.op === 'netns.add').map((op) => op.id));
    for (const op of plan.ops) {
      if (op.op !== 'sysctl.set' || !this.#fresh.has(op.netns) || !op.after.every((id) => made.has(id))) continue;
      this.#early.add(op);
      const list = this.#earlySysctls.get(op.netns) ?? [];
      list.push([op.key, op.value]);
      this.#earlySysctls.set(op.netns, list);
    }
  }

  #dev(netns: string, ifname: string): DevRef {
    const index = this.#indexes.get(netns)?.get(ifname);
    return index !== undefined ? { index, name: ifname } : ifname;
  }

  /**
   * Opens a handle not opened beforehand (see #openHandles). The ops call it only when the handle is not in
   * #handles yet, so a request whose handle is there is queued at once, in the order the ops started.
   */
  async #handle(netns: string): Promise<Handle> {
    let h = this.#handles.get(netns);
    if (h === undefined) {
      [h] = await Handle.openMany([netns], this.#dir, this.#anyHandle());
      this.#handles.set(netns, h as Handle);
    }
    return h as Handle;
  }

  /**
   * Journal first: the state names every namespace the run will make before the first is made, so that
   * `down` finds them after a crash (a namespace it names that does not exist counts as gone).
   */
  #journalNamespaces(): void {
    let any = false;
    for (const op of this.#ops) {
      if (op.op !== 'netns.add') continue;
      this.#state.namespaces[op.netns] = op.node;
      any = true;
    }
    if (any) writeState(this.#state, this.#opts.stateRoot);
  }

  /**
   * Opens, in one native call, the handles of the namespaces that existed before this run and that its
   * requests go to (a namespace this run makes gets its handle as it is made).
   */
  async #openHandles(): Promise<void> {
    const names = new Set<string>();
    for (const op of this.#ops) {
      const netns = socketOf(op);
      if (netns !== undefined && !this.#fresh.has(netns) && !this.#handles.has(netns)) names.add(netns);
    }
    if (names.size === 0) return;
    const opened = await Handle.openMany([...names], this.#dir, this.#anyHandle());
    for (const h of opened) this.#handles.set(h.netns as string, h);
  }

  /** A handle of this run's, whose flush group new handles join (all of a run's requests flush together). */
  #anyHandle(): Handle | undefined {
    return this.#handles.values().next().value;
  }

  /** Starts the ops at these positions (see StartOps): never throws, and finishes each with the dispatcher. */
  #start(positions: number[]): void {
    const ops = this.#ops;
    const dels: number[] = [];
    const sysctls: number[] = [];
    for (const position of positions) {
      const op = ops[position] as Op;
      if (op.op === 'netns.add') this.#toMake.push(position);
      else if (op.op === 'netns.del') dels.push(position);
      else if (op.op === 'sysctl.set' && this.#early.has(op))
        this.#finished([position]); // written as its namespace was made
      else if (op.op === 'sysctl.set') sysctls.push(position);
      else this.#track([position], this.#one(op));
    }
    this.#makeNext();
    if (dels.length > 0) this.#track(dels, this.#deleteNamespaces(dels.map((p) => ops[p] as Extract<Op, { op: 'netns.del' }>)));
    if (sysctls.length > 0) this.#track(sysctls, this.#sysctls(sysctls.map((p) => ops[p] as Extract<Op, { op: 'sysctl.set' }>)));
  }

  /** Finishes these ops with the dispatcher when `work` settles. */
  #track(positions: number[], work: Promise<void>): void {
    work.then(
      () => this.#finished(positions),
      (e: unknown) => {
        for (let k = 0; k < positions.length; k++) this.#dispatcher?.failed(e);
      },
    );
  }

  #finished(positions: number[]): void {
    this.#progress(positions);
    for (const p of positions) this.#dispatcher?.done(p);
  }

  /**
   * Makes the namespaces started so far in one native call, unless a call is at work (those started
   * meanwhile wait for it); once the run stops, none. All at once rather than in chunks that let cables
   * start sooner: the kernel makes namespaces and devices under the same locks, and a 1,000-node up took
   * 0.1 s longer with chunks of 50 (the threads spinning on each other's locks).
   */
  #makeNext(): void {
    if (this.#making || this.#toMake.length === 0) return;
    const d = this.#dispatcher as Dispatcher;
    if (d.stopping) {
      for (let k = this.#toMake.splice(0).length; k > 0; k--) d.skipped();
      return;
    }
    const batch = this.#toMake.splice(0);
    this.#making = true;
    const settle = (errors: readonly (Error | undefined)[]): void => {
      this.#making = false;
      void this.#startMeanwhile();
      batch.forEach((p, i) => {
        const error = errors[i];
        if (error !== undefined) d.failed(error);
        else this.#finished([p]);
      });
      this.#makeNext();
    };
    this.#addNamespaces(batch.map((p) => this.#ops[p] as Extract<Op, { op: 'netns.add' }>)).then(settle, (e: unknown) =>
      settle(batch.map(() => (e instanceof Error ? e : new Error(String(e))))),
    );
  }

  #progress(positions: number[]): void {
    const listener = this.#opts.onProgress;
    if (listener === undefined && !opChannel.hasSubscribers) {
      this.#done += positions.length;
      return;
    }
    const ms = performance.now() - this.#started;
    const total = this.#ops.length;
    for (const position of positions) {
      const op = this.#ops[position] as Op;
      this.#done += 1;
      const event: ProgressEvent = { lab: this.#state.lab, op, done: this.#done, total, ms };
      listener?.(event);
      if (opChannel.hasSubscribers) opChannel.publish(event);
    }
  }

  /** Makes these namespaces (journaled by run()); resolves with each one's error, if any. */
  async #addNamespaces(ops: Extract<Op, { op: 'netns.add' }>[]): Promise<(NslabError | undefined)[]> {
    const names = ops.map((o) => o.netns);
    // Each namespace is born ready, on the native thread that makes it (or names a spare): its early
    // sysctls written, its socket open, and its lo up carrying the lab's mark (as the tutorial's `ip link
    // set lo up`).
    const spares = (await this.#opts.spares?.take(names.length)) ?? [];
    const results = await makeNamespaces(names, { dir: this.#dir, sysctls: this.#earlySysctls, hello: upWithAliasRequest(1, this.#mark), spares });
    const identities = (this.#state.identities ??= {});
    const sockets: { netns: string; fd: number }[] = [];
    results.forEach((r, i) => {
      const name = names[i] as string;
      if (r instanceof Error) return;
      identities[name] = r.identity;
      this.#nsFds.set(name, r.nsFd);
      sockets.push({ netns: name, fd: r.fd });
    });
    // One undo for every namespace the run makes, in the journal where the first was made.
    if (this.#made.length === 0 && sockets.length > 0) {
      this.#undo.push(async () => {
        await this.#release(this.#made);
        await deleteNamespaces(this.#made, { dir: this.#dir });
      });
    }
    for (const s of sockets) this.#made.push(s.netns);
    Handle.adopt(sockets, this.#dir, this.#anyHandle()).forEach((h) => this.#handles.set(h.netns as string, h));
    return results.map((r) => (r instanceof Error ? r : undefined));
  }

  /** Starts the caller's `meanwhile` (see ApplyOptions) unless started; resolves with its error, if any. */
  #startMeanwhile(): Promise<unknown> {
    return (this.#meanwhileRun ??= this.#meanwhile());
  }

  async #meanwhile(): Promise<unknown> {
    try {
      await this.#opts.meanwhile?.();
      return undefined;
    } catch (e) {
      return e ?? new Error('meanwhile failed');
    }
  }

  async #deleteNamespaces(ops: Extract<Op, { op: 'netns.del' }>[]): Promise<void> {
    const names = ops.map((o) => o.netns);
    await this.#release(names);
    const errors = await deleteNamespaces(names, { dir: this.#dir });
    names.forEach((n, i) => {
      if (errors[i] !== undefined) return;
      delete this.#state.namespaces[n];
      delete this.#state.identities?.[n];
    });
    // A lab left with no namespace is on its way out (its caller removes the state); the state as it was
    // names only namespaces that are gone, which `down` and `up` take as gone.
    if (Object.keys(this.#state.namespaces).length > 0) writeState(this.#state, this.#opts.stateRoot);
    const firstError = errors.find((e) => e !== undefined);
    if (firstError !== undefined) throw firstError;
  }

  async #sysctls(ops: Extract<Op, { op: 'sysctl.set' }>[]): Promise<void> {
    const res = await sysctl(ops.map((o) => [netnsPath(o.netns, this.#dir), o.key, o.value] as const));
    const err = res.find((r): r is NslabError => r instanceof Error);
    if (err !== undefined) throw err;
  }

  async #one(op: Op): Promise<void> {
    if (this.#opts.failBefore === op.id) throw new NslabError('NSLAB_NATIVE', `injected failure before ${op.id}`);
    if (op.op === 'exec') return this.#exec(op);
    if (op.op === 'proc.kill') {
      const p = this.#state.processes.find((x) => x.pid === op.pid);
      return p !== undefined ? endProcess(p) : undefined;
    }
    const netns = socketOf(op);
    if (netns === undefined) throw new Error(`unreachable: ${op.op} is run by the Applier itself`);
    // An open handle is taken at once, so that requests queue in the order their ops started (StartOps).
    return this.#send(op, this.#handles.get(netns) ?? (await this.#handle(netns)));
  }

  /** Sends an op's requests on its namespace's handle and waits for the answers. */
  async #send(op: Op, h: Handle): Promise<void> {
    switch (op.op) {
      case 'veth.add': {
        const a = this.#dev(op.a.netns, op.a.ifname);
        const b = this.#dev(op.b.netns, op.b.ifname);
        const made = h.link.addVeth({
          name: op.a.ifname,
          ...(typeof a !== 'string' ? { index: a.index } : {}),
          ...(op.mtu !== undefined ? { mtu: op.mtu } : {}),
          peer: {
            name: op.b.ifname,
            netns: op.b.netns,
            ...(typeof b !== 'string' ? { index: b.index } : {}),
            ...optional('netnsFd', this.#nsFds.get(op.b.netns)),
          },
        });
        // The link.set that brings each end up writes the mark. In a namespace that existed before, the
        // first end is marked at once too, so a crash in between leaves nothing unmarked there.
        const marked = this.#fresh.has(op.a.netns) ? undefined : h.link.set(a, { alias: this.#mark });
        await made;
        this.#undoUnlessFresh(op.a.netns, () => h.link.del(op.a.ifname));
        await marked;
        return;
      }
      case 'veth.del':
        return h.link.del(op.a.ifname);
      case 'bridge.add': {
        const dev = this.#dev(op.netns, op.name);
        const made = h.link.addBridge({ name: op.name, ...(typeof dev !== 'string' ? { index: dev.index } : {}) });
        const set = h.link.set(dev, { up: true, alias: this.#mark });
        await made;
        this.#undoUnlessFresh(op.netns, () => h.link.del(op.name));
        await set;
        return;
      }
      case 'addr.add': {
        const cidr = `${op.cidr.address}/${op.cidr.prefixLength}`;
        const dev = this.#dev(op.netns, op.ifname);
        await h.addr.add(dev, cidr, { nodad: true });
        this.#undoUnlessFresh(op.netns, () => h.addr.del(dev, cidr));
        return;
      }
      case 'addr.del':
        return h.addr.del(op.ifname, `${op.cidr.address}/${op.cidr.prefixLength}`);
      case 'link.set': {
        // Every link.set also (re)writes the mark, so both ends of a new veth carry it.
        return h.link.set(this.#dev(op.netns, op.ifname), {
          ...(op.up !== undefined ? { up: op.up } : {}),
          ...(op.mtu !== undefined ? { mtu: op.mtu } : {}),
          ...(op.master !== undefined ? { master: this.#dev(op.netns, op.master) } : {}),
          alias: this.#mark,
        });
      }
      case 'route.add': {
        const spec = this.#route(op.netns, op.route);
        await h.route.add(spec);
        this.#undoUnlessFresh(op.netns, () => h.route.del(spec));
        return;
      }
      case 'route.del':
        return h.route.del(this.#route(op.netns, op.route));
      case 'qdisc.set': {
        return h.qdisc.replace(this.#dev(op.netns, op.ifname), qdiscSpec(op.shaping));
      }
      case 'qdisc.del': {
        await h.qdisc.del(this.#dev(op.netns, op.ifname));
        return;
      }
      default:
        throw new Error(`unreachable: ${op.op} sends no request of its own`);
    }
  }

  /** Things made inside a namespace this run created go with the namespace; others need their own undo. */
  #undoUnlessFresh(netns: string, undo: () => Promise<void>): void {
    if (!this.#fresh.has(netns)) this.#undo.push(undo);
  }

  #route(netns: string, r: ResolvedRoute): RouteSpec {
    return routeSpec(r, (dev) => this.#dev(netns, dev));
  }

  async #exec(op: Extract<Op, { op: 'exec' }>): Promise<void> {
    const argv = inNetns(op.netns, ['sh', '-c', op.entry.run]);
    const where = `node ${op.node}`;
    if (op.entry.background) {
      const log = join(labDir(this.#state.lab, this.#opts.stateRoot), `${op.node}.${this.#state.processes.length}.log`);
      const fd = openSync(log, 'a');
      let child: Child;
      try {
        child = await startChild(argv, { stdio: fd, detached: true, where });
      } finally {
        closeSync(fd);
      }
      const record: StateProcess = { node: op.node, pid: child.pid, startTime: child.startTime, run: op.entry.run, log };
      this.#state.processes.push(record);
      writeState(this.#state, this.#opts.stateRoot);
      this.#undo.push(() => endProcess(record));
      return;
    }
    const r = await run(argv, { where });
    if (r.exitCode !== 0) {
      const tail = `${r.stdout}${r.stderr}`.trim().split('\n').slice(-5).join('\n    ');
      const how = r.signal !== undefined ? `was ended by ${r.signal}` : `failed with exit code ${r.exitCode}`;
      throw new NslabError(
        'NSLAB_EXEC',
        `exec on node ${op.node} ${how}: ${op.entry.run}${tail !== '' ? `\n    ${tail}` : ''}\nFix the command in the node's exec list (it must exit 0), or mark a server with background: true.`,
      );
    }
  }

  async #rollback(): Promise<Error[]> {
    const errors: Error[] = [];
    for (const undo of this.#undo.reverse()) {
      try {
        await undo();
      } catch (e) {
        errors.push(e instanceof Error ? e : new Error(String(e)));
      }
    }
    this.#undo.length = 0;
    return errors;
  }
}

/** The namespace whose socket carries an op's request; undefined for the ops that send none. */
function socketOf(op: Op): string | undefined {
  switch (op.op) {
    case 'veth.add':
    case 'veth.del':
      return op.a.netns;
    case 'netns.add':
    case 'netns.del':
    case 'sysctl.set':
    case 'exec':
    case 'proc.kill':
      return undefined;
    default:
      return op.netns;
  }
}

/** A lab route as the Handle takes it, marked with nslab's route protocol; `dev` names the device. */
export function routeSpec(r: ResolvedRoute, dev: (ifname: string) => DevRef): RouteSpec {
  return {
    to: r.to === 'default' ? 'default' : `${r.to.address}/${r.to.prefixLength}`,
    family: r.family,
    protocol: RTPROT_NSLAB,
    ...(r.via !== undefined ? { via: r.via } : {}),
    ...(r.dev !== undefined ? { dev: dev(r.dev) } : {}),
    ...(r.metric !== undefined ? { metric: r.metric } : {}),
  };
}
