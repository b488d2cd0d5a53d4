/**
 * One Handle per network namespace (vishvananda/netlink's NewHandleAt): a netlink socket born inside the
 * namespace, a sequence counter, and the request/answer bookkeeping. No package-global default handle.
 *
 * Requests issued in the same tick are coalesced: they leave in one sendmsg and the kernel answers each in
 * order, so `await Promise.all([h.link.set(...), h.addr.add(...)])` costs one trip to the kernel.
 */
import { availableParallelism } from 'node:os';
import { closeSocket, closeSockets, netnsPath, openSockets, transact } from '../native/index.js';
import { NslabError } from '../errors.js';
import {
  align4,
  checkHeader,
  countRequests,
  decodeAck,
  frameHeaders,
  HeaderColumn,
  messageTypeName,
  NlmF,
  Nlmsg,
  NLMSG_HDRLEN,
  numberRequests,
  putMessage,
} from '../netlink/index.js';
import type { NetlinkMessage } from '../netlink/index.js';
import { NetlinkError } from './error.js';
import { AddrOps } from './addr.js';
import { LinkOps } from './link.js';
import { NeighOps } from './neigh.js';
import { NetconfOps } from './netconf.js';
import { QdiscOps } from './qdisc.js';
import { RouteOps } from './route.js';
import { subscribe, type EventGroup, type Subscription, type RtnlEvent } from './events.js';
import { isVxlanIntoAnotherNamespace } from './underlay.js';

/** One netlink request, built by the link/addr/route operations. */
export interface Request {
  /** RTM_* message type. */
  type: number;
  /** NLM_F_* flags besides NLM_F_REQUEST and NLM_F_ACK, which the Handle adds (CREATE, EXCL, REPLACE, DUMP...). */
  flags: number;
  body: Buffer;
  /**
   * What the request is about, for error messages: `veth red:rveth<->green:gveth`. As a function, it is
   * called only when a message needs the text: nearly every request succeeds, and describing thousands of
   * them up front was a good part of their cost. It runs after the request was made, so it must build the
   * text from values that do not change meanwhile (the operation's own arguments).
   */
  object: string | (() => string);
  /** Called once the request has left (or failed): release what had to stay open until then (netns fds). */
  release?: () => void;
}

/**
 * Many change requests of one type, encoded already, back to back in one buffer (encodeRouteRequests):
 * sent together, with one promise for all. The Handle writes their sequence numbers and flags.
 */
export interface ManyRequests {
  /** RTM_* message type, the same for every request. */
  type: number;
  /** NLM_F_* flags besides NLM_F_REQUEST and NLM_F_ACK (CREATE, EXCL, REPLACE), the same for every request. */
  flags: number;
  /** The messages: headers (sequence numbers and flags left for the Handle) and bodies. */
  messages: Buffer;
  /** What request i is about, for its error message; called only for a request the kernel refuses. */
  object: (i: number) => string;
}

/** A request of a ManyRequests the kernel refused: its position, and the error that names it. */
export interface RequestFailure {
  index: number;
  error: NetlinkError;
}

interface Pending {
  request: Request;
  /** Given when the request goes into a batch; its answer's messages carry it. */
  seq: number;
  /** How many messages: 1, or a ManyRequests' count (sequence numbers seq .. seq + count - 1). */
  count: number;
  /** A ManyRequests': how it settles. */
  many: ManyState | undefined;
  attempts: number;
  resolve: (messages: NetlinkMessage[]) => void;
  reject: (error: Error) => void;
  // The state of its current trip to the kernel, reset by #takeBatch (a dump may be sent again). Kept here
  // rather than in a map per batch, which cost a few objects per request for every batch settled.
  /** Its ACK, error or NLMSG_DONE has been read. */
  answered: boolean;
  /** A message of its dump came with NLM_F_DUMP_INTR. */
  interrupted: boolean;
  /** The messages of its answer so far (a dump's, a get's reply); undefined until the first. */
  messages: NetlinkMessage[] | undefined;
}

/** The bookkeeping of a ManyRequests on its trip. */
interface ManyState {
  object: (i: number) => string;
  /** ACKs and errors read so far. */
  answers: number;
  failures: RequestFailure[];
  resolve: (failures: RequestFailure[]) => void;
}

/** What #takeBatch hands the flush group: one socket's requests, encoded, and how to settle them. */
interface Batch {
  fd: number;
  buffer: Buffer;
  settle: (answer: Buffer | Error) => void;
}

export interface OpenOptions {
  /** Namespace name under /run/netns; omit or null for the namespace this process runs in (read-only). */
  netns?: string | null;
  /** Directory of named namespaces (default /run/netns). */
  dir?: string;
}

const DUMP_RETRIES = 5;

/**
 * What carries a flush group's batches to the kernel and back: given (socket, requests) pairs, the answers
 * in the same order. The addon's `transact` in nslab; tests give their own (see handlesOver).
 */
export type Transport = (items: readonly (readonly [fd: number, buffer: Buffer])[]) => Promise<(Buffer | Error)[]>;

/** Reaches into a Handle for its flush group and its next batch (set by Handle's static block). */
let newHandle: (netns: string | null, fd: number, path: string, group: FlushGroup) => Handle;
let takeBatchOf: (h: Handle) => Batch | undefined;

export class Handle implements AsyncDisposable {
  /** The namespace's name, or null for the namespace this process runs in. */
  readonly netns: string | null;
  readonly link: LinkOps;
  readonly addr: AddrOps;
  readonly route: RouteOps;
  readonly neigh: NeighOps;
  readonly netconf: NetconfOps;
  readonly qdisc: QdiscOps;
  readonly #fd: number;
  readonly #path: string;
  #seq = 0;
  #queue: Pending[] = [];
  #flushing = false;
  #closed = false;
  #inFlight = 0;
  #idle: (() => void)[] = [];
  #subscriptions = new Set<Subscription>();
  readonly #group: FlushGroup;

  static {
    newHandle = (netns, fd, path, group) => new Handle(netns, fd, path, group);
    takeBatchOf = (h) => h.#takeBatch();
  }

  private constructor(netns: string | null, fd: number, path: string, group: FlushGroup) {
    this.netns = netns;
    this.#group = group;
    this.#fd = fd;
    this.#path = path;
    this.link = new LinkOps(this);
    this.addr = new AddrOps(this);
    this.route = new RouteOps(this);
    this.neigh = new NeighOps(this);
    this.netconf = new NetconfOps(this);
    this.qdisc = new QdiscOps(this);
  }

  /** Opens a handle in a named namespace (or, with no name, the current one, read-only). */
  static async open(options: OpenOptions = {}): Promise<Handle> {
    const [handle] = await Handle.openMany([options.netns ?? null], options.dir);
    if (handle === undefined) throw new NslabError('NSLAB_INTERNAL', 'unreachable: openMany returned nothing');
    return handle;
  }

  /**
   * Opens one handle per namespace, all sockets made by one native call. All or nothing. Handles opened
   * together flush together: the requests all of them issue in one tick reach the kernel in one native
   * call per core, not one per namespace. Given `joining`, they flush with that handle's group instead.
   */
  static async openMany(names: readonly (string | null)[], dir?: string, joining?: Handle): Promise<Handle[]> {
    const opened = await Handle.openEach(names, dir, joining);
    const failed = opened.find((h) => h instanceof Error);
    if (failed !== undefined) {
      for (const h of opened) if (!(h instanceof Error)) h.close();
      throw failed;
    }
    return opened as Handle[];
  }

  /** As openMany, but each name answers with its handle or the error that stopped it. */
  static async openEach(names: readonly (string | null)[], dir?: string, joining?: Handle): Promise<(Handle | NslabError)[]> {
    const sockets = await openSockets(names.map((n) => (n === null ? '' : netnsPath(n, dir))));
    const handles = Handle.adopt(
      sockets.flatMap((s, i) => (s instanceof Error ? [] : [{ netns: names[i] ?? null, fd: s.fd }])),
      dir,
      joining,
    );
    let k = 0;
    return sockets.map((s) => (s instanceof Error ? s : (handles[k++] as Handle)));
  }

  /**
   * Handles over NETLINK_ROUTE sockets already open inside their namespaces (makeNamespaces opens them as
   * it makes the namespaces); each handle owns its socket from now on. They flush together, as openMany's
   * (with `joining`'s group, if given).
   */
  static adopt(sockets: readonly { netns: string | null; fd: number }[], dir?: string, joining?: Handle): Handle[] {
    const group = joining !== undefined ? joining.#group : new FlushGroup();
    return sockets.map((s) => new Handle(s.netns, s.fd, s.netns === null ? '' : netnsPath(s.netns, dir), group));
  }

  /** For messages: `netns red` or `the current namespace`. */
  get where(): string {
    return this.netns === null ? 'the current namespace' : `netns ${this.netns}`;
  }

  /** The namespace file (empty for the current namespace). */
  get path(): string {
    return this.#path;
  }

  get closed(): boolean {
    return this.#closed;
  }

  /**
   * Sends one request (coalesced with the others of this tick) and resolves with the messages of its answer:
   * none for an acknowledged change, every message for a dump. Rejects with NetlinkError if the kernel
   * refuses it.
   */
  request(request: Request): Promise<NetlinkMessage[]> {
    if (this.#closed) {
      request.release?.();
      return Promise.reject(new NslabError('NSLAB_NATIVE', `the netlink handle of ${this.where} is closed`));
    }
    // The one exception (underlay.ts): a VXLAN made straight into another namespace, its socket here.
    if (this.netns === null && !isReadOnlyType(request.type) && !isVxlanIntoAnotherNamespace(request.type, request.flags, request.body)) {
      request.release?.();
      return Promise.reject(
        new NslabError(
          'NSLAB_NOT_OURS',
          `refusing ${messageTypeName(request.type)} ${objectOf(request)} in the namespace nslab runs in: nslab changes only namespaces it made. Open a Handle with { netns: NAME }.`,
        ),
      );
    }
    // Checked here, where the caller gets the error, not when the batch is encoded in the flush.
    try {
      checkHeader({ type: request.type, flags: wireFlags(request), seq: 0 });
    } catch (e) {
      request.release?.();
      return Promise.reject(e as Error);
    }
    return new Promise((resolve, reject) => {
      this.#queue.push({ request, seq: 0, count: 1, many: undefined, attempts: 0, resolve, reject, answered: false, interrupted: false, messages: undefined });
      this.#schedule();
    });
  }

  /**
   * Sends many change requests of one type at once (coalesced with the others of this tick, as `request`'s)
   * and resolves once the kernel has answered every one, with those it refused (none: an empty list). The
   * kernel goes on with the next request after one it refuses. Rejects only when no answer came (a closed
   * handle, a failed socket), leaving unknown which of them were made.
   *
   * @internal The engine's (route.addMany): the messages are written by src/netlink, not part of the package.
   */
  requestMany(many: ManyRequests): Promise<RequestFailure[]> {
    // As a whole, a request is named by its first: `RTM_NEWROUTE requests starting with 10.0.0.4/31 via ...`.
    const object = (): string => `requests starting with ${many.object(0)}`;
    const describe = (): string => `${messageTypeName(many.type)} ${object()}`;
    const request: Request = { type: many.type, flags: many.flags, body: many.messages, object };
    let count: number;
    try {
      if (this.#closed) throw new NslabError('NSLAB_NATIVE', `the netlink handle of ${this.where} is closed`);
      if (isReadOnlyType(many.type)) throw new NslabError('NSLAB_INTERNAL', `requestMany sends changes, not ${messageTypeName(many.type)}`);
      if (this.netns === null) {
        throw new NslabError(
          'NSLAB_NOT_OURS',
          `refusing ${describe()} in the namespace nslab runs in: nslab changes only namespaces it made. Open a Handle with { netns: NAME }.`,
        );
      }
      checkHeader({ type: many.type, flags: wireFlags(request), seq: 0 });
      count = countRequests(many.messages, many.type);
    } catch (e) {
      return Promise.reject(e as Error);
    }
    if (count === 0) return Promise.resolve([]);
    return new Promise((resolve, reject) => {
      const state: ManyState = { object: many.object, answers: 0, failures: [], resolve };
      this.#queue.push({
        request,
        seq: 0,
        count,
        many: state,
        attempts: 0,
        resolve: () => {},
        reject,
        answered: false,
        interrupted: false,
        messages: undefined,
      });
      this.#schedule();
    });
  }

  /**
   * Asks the handle's flush group to send this handle's queue at the end of the tick. One transaction at a
   * time per socket: answers to two concurrent ones would be read by whichever thread reads first.
   * Requests queued meanwhile leave together when the one in flight is answered.
   */
  #schedule(): void {
    if (this.#flushing || this.#inFlight > 0) return;
    this.#flushing = true;
    this.#group.schedule(this);
  }

  /**
   * Takes the next batch off the queue, encoded, for the flush group to send; undefined when there is
   * nothing to send. The kernel runs one dump per socket at a time (a second dump request in the same
   * sendmsg gets EBUSY): a batch ends with its first dump, and the rest waits for the next flush.
   */
  #takeBatch(): Batch | undefined {
    this.#flushing = false;
    const queue = this.#queue;
    // Where the batch ends: the whole queue unless a dump comes first.
    let count = 0;
    while (count < queue.length) if (isDumpRequest((queue[count++] as Pending).request)) break;
    if (count === 0) return undefined;
    const batch = count === queue.length ? queue : queue.slice(0, count);
    this.#queue = count === queue.length ? [] : queue.slice(count);

    // A batch's sequence numbers are consecutive, so #settle finds a request by subtracting the first from
    // a message's seq. When a batch would run past 2^32 - 1, numbering starts again at 1 (0 is not used).
    // A ManyRequests takes as many numbers as it has messages; `owners` then finds a message's request.
    let seqs = 0;
    let bytes = 0;
    for (let i = 0; i < count; i++) {
      const p = batch[i] as Pending;
      seqs += p.count;
      bytes += p.many !== undefined ? p.request.body.length : align4(NLMSG_HDRLEN + p.request.body.length);
    }
    if (this.#seq > 0xffffffff - seqs) this.#seq = 0;
    const first = this.#seq + 1;
    this.#seq += seqs;
    const owners = seqs === count ? undefined : new Int32Array(seqs);
    // A ManyRequests alone (a window of computed routes) leaves in its own buffer, numbered in place.
    const alone = count === 1 && (batch[0] as Pending).many !== undefined;
    const buffer = alone ? (batch[0] as Pending).request.body : Buffer.allocUnsafe(bytes);
    let seq = first;
    let off = 0;
    for (let i = 0; i < count; i++) {
      const p = batch[i] as Pending;
      p.seq = seq;
      p.answered = false;
      p.interrupted = false;
      p.messages = undefined;
      if (p.many !== undefined) {
        p.many.answers = 0;
        p.many.failures = [];
        if (!alone) buffer.set(p.request.body, off);
        off = numberRequests(buffer.subarray(off, off + p.request.body.length), seq, wireFlags(p.request)) + off;
      } else {
        off = putMessage(buffer, off, { type: p.request.type, flags: wireFlags(p.request), seq }, p.request.body);
      }
      if (owners !== undefined) owners.fill(i, seq - first, seq - first + p.count);
      seq += p.count;
    }
    this.#inFlight += 1;
    return {
      fd: this.#fd,
      buffer,
      settle: (answer) => {
        this.#inFlight -= 1;
        this.#settle(batch, answer, owners);
        if (this.#queue.length > 0) this.#schedule();
        else if (this.#idle.length > 0) for (const f of this.#idle.splice(0)) f();
      },
    };
  }

  #settle(batch: Pending[], answer: Buffer | Error, owners: Int32Array | undefined): void {
    if (answer instanceof Error) {
      for (const p of batch) {
        p.request.release?.();
        p.reject(answer);
      }
      return;
    }
    let decodeError: Error | undefined;
    try {
      this.#readAnswer(batch, answer, owners);
    } catch (e) {
      decodeError = e instanceof Error ? e : new NslabError('NSLAB_INTERNAL', String(e));
    }
    for (let i = 0; i < batch.length; i++) {
      const p = batch[i] as Pending;
      if (p.answered) continue;
      p.request.release?.();
      p.reject(
        decodeError ??
          new NslabError('NSLAB_NATIVE', `no answer from the kernel to ${messageTypeName(p.request.type)} ${objectOf(p.request)} in ${this.where}`),
      );
    }
  }

  /**
   * Settles the requests of a batch from the answer, message by message in the kernel's order. Headers are
   * read in place, with no object a message (a window of routes is 256 ACKs); only what someone receives
   * is decoded: a dump's or a get's messages (copied out), and errors (decodeAck). The answer most requests
   * get, a bare ACK, is read in place.
   */
  #readAnswer(batch: Pending[], answer: Buffer, owners: Int32Array | undefined): void {
    const first = (batch[0] as Pending).seq;
    const seqs = owners?.length ?? batch.length;
    // frameHeaders checks the framing of the whole answer first: a malformed one settles no request from
    // a partial reading, and every request of the batch gets its error.
    const headers = frameHeaders(answer);
    for (let m = 0; m < headers.length; m += HeaderColumn.count) {
      const type = headers[m + HeaderColumn.type] as number;
      const flags = headers[m + HeaderColumn.flags] as number;
      const seq = headers[m + HeaderColumn.seq] as number;
      const body = headers[m + HeaderColumn.body] as number;
      const end = headers[m + HeaderColumn.end] as number;
      const bare = headers[m + HeaderColumn.bareAck] === 1;
      const i = seq - first;
      const p = i >= 0 && i < seqs ? (batch[owners !== undefined ? (owners[i] as number) : i] as Pending) : undefined;
      if (p === undefined || p.answered) continue; // not one of ours, or after its end
      if (p.many !== undefined) {
        if (type !== Nlmsg.ERROR) continue;
        const ack = bare ? undefined : decodeAck(answer.subarray(body, end), flags);
        const many = p.many;
        if (ack !== undefined && ack.errno !== 0) {
          const index = seq - p.seq;
          const error = new NetlinkError({
            errno: ack.errno,
            operation: messageTypeName(p.request.type),
            object: many.object(index),
            netns: this.where,
            kernelMessage: ack.message,
          });
          many.failures.push({ index, error });
        }
        if (++many.answers === p.count) {
          p.answered = true;
          many.resolve(many.failures);
        }
        continue;
      }
      if (type === Nlmsg.ERROR) {
        // decodeAck may throw on a malformed body: the request is then left unanswered, and #settle
        // rejects it with that error.
        const ack = bare ? undefined : decodeAck(answer.subarray(body, end), flags);
        p.answered = true;
        p.request.release?.();
        if (ack === undefined || ack.errno === 0) p.resolve(p.messages ?? []);
        else
          p.reject(
            new NetlinkError({
              errno: ack.errno,
              operation: messageTypeName(p.request.type),
              object: objectOf(p.request),
              netns: this.where,
              kernelMessage: ack.message,
            }),
          );
      } else if (type === Nlmsg.DONE) {
        p.answered = true;
        if (p.interrupted && p.attempts < DUMP_RETRIES) {
          // The dump changed under us (NLM_F_DUMP_INTR): ask again.
          p.attempts += 1;
          this.#queue.push(p);
          this.#schedule();
        } else {
          p.request.release?.();
          p.resolve(p.messages ?? []);
        }
      } else {
        if ((flags & NlmF.DUMP_INTR) !== 0) p.interrupted = true;
        // A copy, as decodeMessages makes: what callers keep does not pin the whole answer.
        (p.messages ??= []).push({ type, flags, seq, pid: headers[m + HeaderColumn.pid] as number, body: new Uint8Array(answer.subarray(body, end)) });
      }
    }
  }

  /**
   * Subscribes to multicast events of this namespace (link and address changes) on a socket of its own.
   *
   * Equivalent to: ip -n NETNS monitor link address
   */
  async subscribe(groups: readonly EventGroup[], onEvent: (event: RtnlEvent) => void, onError: (error: Error) => void = () => {}): Promise<Subscription> {
    const sub = await subscribe(this.#path, this.where, groups, onEvent, onError, () => this.#subscriptions.delete(sub));
    this.#subscriptions.add(sub);
    return sub;
  }

  /** Resolves once no request of this handle is queued or in flight. */
  async idle(): Promise<void> {
    if (this.#inFlight === 0 && this.#queue.length === 0 && !this.#flushing) return;
    await new Promise<void>((resolve) => this.#idle.push(resolve));
  }

  /**
   * Closes the socket (and the handle's subscriptions). Idempotent. Close a namespace's handles before
   * deleting it: an open socket keeps a deleted namespace alive.
   */
  close(): void {
    const fd = this.#shut();
    if (fd !== undefined) closeSocket(fd);
  }

  /**
   * Closes many handles (as close() each), their sockets in one native call off the JS thread: closing a
   * thousand sockets one by one held the JS thread (docs/performance.md). Also closes `fds` (other descriptors the
   * caller is done with) in that call. Resolves once they are closed.
   */
  static async closeAll(handles: Iterable<Handle>, fds: readonly number[] = []): Promise<void> {
    const now = [...fds];
    for (const h of handles) {
      const fd = h.#shut();
      if (fd !== undefined) now.push(fd);
    }
    await closeSockets(now);
  }

  /** Marks the handle closed; returns its socket if the caller is to close it now (nothing in flight). */
  #shut(): number | undefined {
    if (this.#closed) return undefined;
    this.#closed = true;
    for (const sub of [...this.#subscriptions]) sub.close();
    for (const p of this.#queue.splice(0)) {
      p.request.release?.();
      p.reject(
        new NslabError(
          'NSLAB_NATIVE',
          `the netlink handle of ${this.where} was closed before ${messageTypeName(p.request.type)} ${objectOf(p.request)} was sent`,
        ),
      );
    }
    if (this.#inFlight === 0) return this.#fd;
    void this.idle().then(() => closeSocket(this.#fd));
    return undefined;
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.idle();
    this.close();
  }
}

/**
 * How many native calls a flush group spreads its batches over: one per core, so the kernel's work runs on
 * all. Asked on the first flush, not as the module loads (a startup snapshot keeps what the build machine
 * said), and once: every flush asking was a system call on the hot path.
 */
let cores: number | undefined;
const parallel = (): number => (cores ??= Math.max(1, Math.min(4, availableParallelism())));

/**
 * The handles opened together. At the end of a tick it sends every batch its handles queued, in as many
 * native calls as there are cores (each call runs its sockets' transactions one after another on a libuv
 * threadpool thread).
 */
class FlushGroup {
  readonly #transport: Transport;
  #waiting: Handle[] = [];
  #scheduled = false;

  constructor(transport: Transport = transact) {
    this.#transport = transport;
  }

  schedule(handle: Handle): void {
    this.#waiting.push(handle);
    if (this.#scheduled) return;
    this.#scheduled = true;
    queueMicrotask(() => this.#flush());
  }

  #flush(): void {
    this.#scheduled = false;
    const waiting = this.#waiting;
    this.#waiting = [];
    const batches: Batch[] = [];
    for (let i = 0; i < waiting.length; i++) {
      const batch = takeBatchOf(waiting[i] as Handle);
      if (batch !== undefined) batches.push(batch);
    }
    if (batches.length === 0) return;
    const per = Math.ceil(batches.length / parallel());
    for (let i = 0; i < batches.length; i += per) {
      const slice = batches.slice(i, i + per);
      this.#transport(slice.map((b) => [b.fd, b.buffer] as const)).then(
        (answers) => slice.forEach((b, j) => b.settle(answers[j] ?? new NslabError('NSLAB_NATIVE', 'the addon returned no answer for a batch'))),
        (e: unknown) => slice.forEach((b) => b.settle(e instanceof Error ? e : new NslabError('NSLAB_NATIVE', String(e)))),
      );
    }
  }
}

/** The text of a request's `object`, built now if it was left to be built when needed. */
function objectOf(request: Request): string {
  return typeof request.object === 'function' ? request.object() : request.object;
}

/** The nlmsg_flags a request is sent with: every request but a dump asks for an ACK, which is how the addon knows it has been answered. */
function wireFlags(request: Request): number {
  return NlmF.REQUEST | request.flags | (isDumpRequest(request) ? 0 : NlmF.ACK);
}

function isDumpRequest(request: Request): boolean {
  return (request.flags & NlmF.DUMP) === NlmF.DUMP && isReadOnlyType(request.type);
}

/** GET requests read; everything else changes the kernel's state. */
function isReadOnlyType(type: number): boolean {
  // RTM_GET* types are 2 modulo 4 in the rtnetlink numbering (RTM_GETLINK = 18, RTM_GETADDR = 22...).
  return type % 4 === 2;
}

/**
 * Handles over sockets that need not exist, whose batches go to `transport` instead of the kernel: how the
 * tests look at what a Handle sends and answer it. Not part of the package's surface (src/index.ts).
 */
export function handlesOver(transport: Transport, sockets: readonly { netns: string | null; fd: number }[]): Handle[] {
  const group = new FlushGroup(transport);
  return sockets.map((s) => newHandle(s.netns, s.fd, '', group));
}
