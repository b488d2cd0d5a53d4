/**
 * The TypeScript face of the addon (src/native/*.cc; nslab.cc lists its parts). Everything here that touches a namespace does
 * so on a throwaway native thread; nothing moves a libuv or V8 thread. Errors come back as NslabError
 * with code NSLAB_NATIVE, naming the system call, the path and the errno.
 */
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { getSystemErrorName } from 'node:util';
import { NslabError } from '../errors.js';

/** Where `ip netns` keeps named namespaces. */
export const NETNS_RUN_DIR = '/run/netns';
/** NETLINK_ROUTE, the protocol of rtnetlink sockets. */
export const NETLINK_ROUTE = 0;
/** Send and receive buffers of request sockets: large enough for one sendmsg to carry hundreds of requests. */
const SOCKET_BUF_BYTES = 4 << 20;

interface SysErrObject {
  errno: number;
  syscall: string;
  path: string;
  message: string;
}

/** The addon's spare maker (an opaque external). */
declare const spareMakerBrand: unique symbol;
type SpareMakerHandle = { readonly [spareMakerBrand]: true };

interface Addon {
  netnsAdd(
    dir: string,
    names: string[],
    threads: number,
    setup: NativeSetup | null,
    spares?: (SpareNamespace | null)[],
  ): Promise<(SysErrObject | MadeNamespace | null)[]>;
  sparesStart(count: number, bufBytes: number): SpareMakerHandle;
  sparesTake(maker: SpareMakerHandle): Promise<SpareNamespace[]>;
  sparesTarget(maker: SpareMakerHandle, count: number): void;
  sparesHeld(maker: SpareMakerHandle): number;
  netnsDel(dir: string, names: string[], threads: number, slowNs: number): Promise<(SysErrObject | null)[] & { threads: number }>;
  netnsIdentities(paths: string[]): Promise<(string | null)[]>;
  removeHostsFiles(dir: string, names: string[], header: string): Promise<(boolean | SysErrObject)[]>;
  openSockets(paths: string[], protocol: number, groups: number, bufBytes: number): Promise<({ fd: number; portId: number } | SysErrObject)[]>;
  openInetSockets(paths: string[], family: number, type: number): Promise<({ fd: number } | SysErrObject)[]>;
  sysctl(items: [string, string, string | null][]): Promise<(string | SysErrObject)[]>;
  transact(items: [number, Buffer][], timeoutMs: number): Promise<(Buffer | SysErrObject)[]>;
  watch(fd: number, callback: (err: SysErrObject | null, data: Buffer) => void, keepAlive: boolean): number;
  unwatch(id: number): void;
  closeFd(fd: number): void;
  closeFds(fds: number[]): Promise<null>;
  tryLock(path: string): number | null | SysErrObject;
  raiseFileLimit(): [number, number] | SysErrObject;
  workerNice(nice: number): void;
}

interface NativeSetup {
  /** Per name, in the order of the names. */
  sysctls: [string, string][][];
  bufBytes: number;
  hello: Buffer;
}

let addon: Addon | undefined;

/** The nslab package's root: the nearest directory above this module whose package.json is nslab's. */
export function packageRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    const manifest = join(dir, 'package.json');
    if (existsSync(manifest) && (JSON.parse(readFileSync(manifest, 'utf8')) as { name?: string }).name === 'nslab') return dir;
    const up = dirname(dir);
    if (up === dir) throw new NslabError('NSLAB_ADDON_MISSING', `cannot find nslab's package.json above ${fileURLToPath(import.meta.url)}`);
    dir = up;
  }
}

/** node-gyp-build's finder: the addon of build/Release, else the prebuild in prebuilds/ that fits this machine. */
interface AddonFinder {
  path(dir: string): string;
}

/**
 * The addon: the one compiled in build/Release (a clone, or an install that compiled), else the prebuilt
 * one of prebuilds/<platform>-<arch>/ that fits this machine (what `npm pack` ships for linux-x64; see
 * docs/architecture.md). node-gyp-build decides, the same way its install script decided whether to compile.
 */
function load(): Addon {
  if (addon !== undefined) return addon;
  const root = packageRoot();
  const howToBuild = `Run \`npm run install\` in ${root} to compile it; it needs python3, make and g++.`;
  // build/Release first, as node-gyp-build looks; its finder (a CommonJS module) loads only for a prebuild.
  let path = join(root, 'build', 'Release', 'nslab_native.node');
  if (!existsSync(path)) {
    try {
      path = (createRequire(import.meta.url)('node-gyp-build') as AddonFinder).path(root);
    } catch (cause) {
      throw new NslabError(
        'NSLAB_ADDON_MISSING',
        `nslab's native addon is not built (${join(root, 'build', 'Release')}) and no prebuilt one fits ${process.platform}-${process.arch} (${join(root, 'prebuilds')}). ${howToBuild}`,
        { cause },
      );
    }
  }
  try {
    // process.dlopen, not require: a command that needs no CommonJS module starts no CommonJS loader.
    const module = { exports: {} };
    process.dlopen(module, path);
    addon = module.exports as Addon;
  } catch (cause) {
    throw new NslabError('NSLAB_ADDON_MISSING', `nslab's native addon ${path} does not load: ${(cause as Error).message}. ${howToBuild}`, { cause });
  }
  return addon;
}

function isSysErr(v: unknown): v is SysErrObject {
  return typeof v === 'object' && v !== null && 'errno' in v && 'syscall' in v;
}

/** Turns the addon's error record into an NslabError that says the call, the path and the errno. */
export function nativeError(e: SysErrObject, doing?: string): NslabError {
  const name = e.errno > 0 ? getSystemErrorName(-e.errno) : 'E?';
  const hint = e.errno === 1 /* EPERM */ ? '; nslab needs root (CAP_SYS_ADMIN and CAP_NET_ADMIN), or to run inside your nslab world (docs/rootless.md)' : '';
  const err = new NslabError(
    e.errno === 1 ? 'NSLAB_PERMISSION' : 'NSLAB_NATIVE',
    `${doing !== undefined ? `${doing}: ` : ''}${e.syscall} ${e.path}: ${e.message} (${name})${hint}`,
  );
  Object.assign(err, { errno: e.errno, syscall: e.syscall, path: e.path });
  return err;
}

/** The path of a named namespace's file. */
export function netnsPath(name: string, dir = NETNS_RUN_DIR): string {
  return `${dir}/${name}`;
}

/**
 * Makes persistent named namespaces, as `ip netns add NAME` does (shared mount on the run directory,
 * namespace file bind-mounted under it), using up to `threads` native threads. Returns, per name, the
 * error that stopped it or undefined; a name that failed leaves no file behind.
 *
 * Equivalent to: ip netns add NAME
 */
export async function addNamespaces(names: readonly string[], options: { dir?: string; threads?: number } = {}): Promise<(NslabError | undefined)[]> {
  if (names.length === 0) return [];
  const res = await load().netnsAdd(options.dir ?? NETNS_RUN_DIR, [...names], options.threads ?? 2, null);
  return res.map((e, i) => (isSysErr(e) ? nativeError(e, `adding namespace ${names[i] ?? ''}`) : undefined));
}

/** A namespace made ready by makeNamespaces. The caller owns (and closes) both descriptors. */
export interface MadeNamespace {
  /** Its NETLINK_ROUTE socket, born inside it. */
  fd: number;
  portId: number;
  /** The namespace itself, for IFLA_NET_NS_FD. */
  nsFd: number;
  /** `inode:ctime-ns` of its file (as namespaceIdentities reads it). */
  identity: string;
}

export interface ReadyOptions {
  dir?: string;
  threads?: number;
  /** Written under /proc/sys inside the named namespaces: [key, value], key as `net/ipv4/ip_forward`. */
  sysctls?: ReadonlyMap<string, readonly (readonly [key: string, value: string])[]>;
  /** Netlink requests sent first on each namespace's socket, each with NLM_F_ACK; any error fails the namespace. */
  hello?: Buffer;
  /** Socket buffer size (as openSockets). */
  bufBytes?: number;
  /**
   * Spare namespaces (see startSpares) to name instead of making new ones: `spares[i]` becomes
   * `names[i]`. Their descriptors pass to the answer (or are closed when naming fails).
   */
  spares?: readonly SpareNamespace[];
}

/** A namespace made ahead of its name (see startSpares): held only by its two descriptors. */
export interface SpareNamespace {
  /** The namespace itself. */
  nsFd: number;
  /** Its NETLINK_ROUTE socket, born inside it. */
  fd: number;
  portId: number;
}

/** Spare namespaces being made (see startSpares). */
export interface SpareMaker {
  /**
   * Stops making spares (after the one under way) and hands over those made; the caller owns their
   * descriptors from then on. A second take gets none.
   */
  take(): Promise<SpareNamespace[]>;
  /** Sets how many spares to make in all: more than made so far and the making goes on; fewer, it stops. */
  target(count: number): void;
  /** How many spares the maker holds now (made, not yet taken): two descriptors each. */
  held(): number;
}

/**
 * Starts making `count` spare namespaces on one native thread (SpareMaker.target changes the count), and
 * returns at once. A spare is unnamed, held only by an fd of it and its NETLINK_ROUTE socket: closing
 * both (closeSockets) frees it, and nothing of it is ever seen by name. makeNamespaces names spares
 * later. The kernel's costly part of making a namespace (docs/performance.md) so runs on the core the
 * caller leaves idle while it still works out what to call them. One that fails ends the making (the
 * caller makes the rest itself).
 */
export function startSpares(count: number, options: { bufBytes?: number } = {}): SpareMaker {
  const maker = load().sparesStart(Math.max(0, Math.floor(count)), options.bufBytes ?? SOCKET_BUF_BYTES);
  return {
    take: () => load().sparesTake(maker),
    target: (n) => load().sparesTarget(maker, Math.max(0, Math.floor(n))),
    held: () => load().sparesHeld(maker),
  };
}

/**
 * Makes named namespaces as addNamespaces does, and readies each on the native thread that made it while
 * that thread is still inside: sysctls written, a NETLINK_ROUTE socket opened, the `hello` requests sent
 * and acknowledged, an fd of the namespace opened and its identity read. One native call instead of four
 * for a thousand namespaces. A name that failed leaves no file and no descriptor behind. With `spares`,
 * the first names take spare namespaces (bind-mounted to their name, sysctls written from a thread that
 * joins them) instead of new ones.
 */
export async function makeNamespaces(names: readonly string[], options: ReadyOptions = {}): Promise<(MadeNamespace | NslabError)[]> {
  if (names.length === 0) return [];
  const sysctls = names.map((n) => (options.sysctls?.get(n) ?? []).map(([k, v]): [string, string] => [k, v]));
  const setup: NativeSetup = { sysctls, bufBytes: options.bufBytes ?? SOCKET_BUF_BYTES, hello: options.hello ?? Buffer.alloc(0) };
  const res = await load().netnsAdd(
    options.dir ?? NETNS_RUN_DIR,
    [...names],
    options.threads ?? 2,
    setup,
    options.spares !== undefined ? [...options.spares] : undefined,
  );
  // With a setup the addon answers every name with its namespace or its error, never null.
  return res.map((r, i) => (isSysErr(r) ? nativeError(r, `making namespace ${names[i] ?? ''}`) : (r as MadeNamespace)));
}

/** What deleteNamespaces answers: an error or undefined for each name, and (not enumerable) how many threads did it. */
export type Deletions = (NslabError | undefined)[] & { readonly threads: number };

const deletions = (errors: (NslabError | undefined)[], threads: number): Deletions =>
  Object.defineProperty(errors, 'threads', { value: threads, enumerable: false }) as Deletions;

/**
 * Deletes named namespaces: detaches the bind mount and removes the file. The kernel frees a namespace
 * once nothing holds it: close its sockets first. One native thread deletes, joined by more (up to
 * `threads`, by default one for 64 names, at most 8) once its deletions take over `slowUs` each (mean over
 * a window): each umount waits for an RCU grace period, quick on a quiet machine, where more threads only
 * wait on each other, and slow while the kernel tears thousands of namespaces down, where they share the
 * wait (src/native/namespaces.cc, widening).
 *
 * Equivalent to: ip netns del NAME
 */
export async function deleteNamespaces(names: readonly string[], options: { dir?: string; threads?: number; slowUs?: number } = {}): Promise<Deletions> {
  if (names.length === 0) return deletions([], 0);
  const threads = options.threads ?? Math.min(8, Math.ceil(names.length / 64));
  const res = await load().netnsDel(options.dir ?? NETNS_RUN_DIR, [...names], threads, Math.round((options.slowUs ?? DELETE_SLOW_US) * 1000));
  const errors = res.map((e, i) => (e === null ? undefined : nativeError(e, `deleting namespace ${names[i] ?? ''}`)));
  return deletions(errors, res.threads);
}

/** deleteNamespaces' default for when its deletions are slow enough that more threads help. */
const DELETE_SLOW_US = 200;

/**
 * Each file's identity, `inode:ctime-ns` (undefined where there is no file), stat'ed on a threadpool
 * thread: what a namespace nslab made keeps for its whole life, and a namespace made later under the same
 * name does not have.
 */
export async function namespaceIdentities(paths: readonly string[]): Promise<(string | undefined)[]> {
  if (paths.length === 0) return [];
  return (await load().netnsIdentities([...paths])).map((id) => id ?? undefined);
}

/**
 * Removes `dir/NAME/hosts` for each name whose file's first line is `header` (true; false for a file that
 * is not there or not the lab's), then its directory unless other files are in it, on a threadpool thread.
 * A run killed between a file and its directory leaves that directory empty: the caller journals the names
 * first. The first error is thrown once every name has been tried.
 */
export async function removeHostsFiles(dir: string, names: readonly string[], header: string): Promise<boolean[]> {
  if (names.length === 0) return [];
  const res = await load().removeHostsFiles(dir, [...names], header);
  const failed = res.find(isSysErr);
  if (failed !== undefined) throw nativeError(failed, 'removing hosts files');
  return res.map((r) => r === true);
}

export interface NativeSocket {
  fd: number;
  /** The socket's netlink port id (nl_pid). */
  portId: number;
}

export interface OpenOptions {
  protocol?: number;
  /** Multicast group bit mask (RTNLGRP_* as 1 << (group - 1)); 0 for a request socket. */
  groups?: number;
  /** Send and receive buffer size; large buffers let one sendmsg carry hundreds of requests. */
  bufBytes?: number;
}

/**
 * Opens one netlink socket inside each namespace file path ('' = the process's own namespace), all on one
 * throwaway native thread: setns -> socket -> setns back.
 */
export async function openSockets(paths: readonly string[], options: OpenOptions = {}): Promise<(NativeSocket | NslabError)[]> {
  if (paths.length === 0) return [];
  const res = await load().openSockets([...paths], options.protocol ?? NETLINK_ROUTE, options.groups ?? 0, options.bufBytes ?? SOCKET_BUF_BYTES);
  return res.map((r, i) => (isSysErr(r) ? nativeError(r, `opening a netlink socket in ${paths[i] || 'the current namespace'}`) : r));
}

/**
 * Opens an unconnected, non-blocking IP socket (TCP unless `udp`) inside each namespace file path, on one
 * throwaway native thread: setns -> socket -> setns back. Hand the descriptor to libuv (net.Socket) to
 * connect it: no thread waits on the network, and the socket stays in the namespace it was born in.
 */
export async function openInetSockets(paths: readonly string[], family: 4 | 6, options: { udp?: boolean } = {}): Promise<({ fd: number } | NslabError)[]> {
  if (paths.length === 0) return [];
  // AF_INET 2, AF_INET6 10; SOCK_STREAM 1, SOCK_DGRAM 2.
  const res = await load().openInetSockets([...paths], family === 4 ? 2 : 10, options.udp === true ? 2 : 1);
  return res.map((r, i) => (isSysErr(r) ? nativeError(r, `opening an IPv${family} socket in ${paths[i] || 'the current namespace'}`) : r));
}

/**
 * Sends each buffer of netlink requests on its socket and collects every answer, until each request has
 * its ACK, error or end of dump. The items run in order on one libuv threadpool thread; call several
 * times concurrently to use several cores.
 */
export async function transact(items: readonly (readonly [fd: number, request: Buffer])[], timeoutMs = 30_000): Promise<(Buffer | NslabError)[]> {
  if (items.length === 0) return [];
  const res = await load().transact(
    items.map(([fd, b]) => [fd, b]),
    timeoutMs,
  );
  return res.map((r) => (isSysErr(r) ? nativeError(r) : r));
}

/** Reads (value null) or writes values under /proc/sys inside namespaces. key: `net/ipv4/ip_forward`. */
export async function sysctl(items: readonly (readonly [nsPath: string, key: string, value: string | null])[]): Promise<(string | NslabError)[]> {
  if (items.length === 0) return [];
  const res = await load().sysctl(items.map(([p, k, v]) => [p, k, v]));
  return res.map((r, i) => (isSysErr(r) ? nativeError(r, `sysctl ${items[i]?.[1] ?? ''} in ${items[i]?.[0] || 'the current namespace'}`) : r));
}

/** Calls `onData` with every batch of datagrams that arrives on the socket. Returns a stop function. */
export function watch(fd: number, onData: (data: Buffer) => void, onError: (err: NslabError) => void, keepAlive = true): () => void {
  const id = load().watch(fd, (err, data) => (err !== null ? onError(nativeError(err, 'watching netlink events')) : onData(data)), keepAlive);
  return () => load().unwatch(id);
}

/** Closes a socket opened by openSockets. */
export function closeSocket(fd: number): void {
  load().closeFd(fd);
}

/** Closes many sockets (or namespace fds) on a native thread; resolves once they are closed. */
export async function closeSockets(fds: readonly number[]): Promise<void> {
  if (fds.length > 0) await load().closeFds([...fds]);
}

/**
 * An exclusive lock on `path` (flock, the file made if missing): the fd that holds it, or undefined when
 * another process holds it. The kernel releases it when the fd closes (closeSocket) or its holder dies,
 * however it dies. A file unlinked by its holder between this open and the lock is retried on the new one.
 *
 * Equivalent to: flock -n PATH
 */
export function tryLock(path: string): number | undefined {
  const r = load().tryLock(path);
  if (isSysErr(r)) throw nativeError(r, 'locking');
  return r ?? undefined;
}

let fileLimit: { soft: number; hard: number } | undefined;

/**
 * The nice value every thread that runs the addon's work (namespaces, netlink transactions) takes from now
 * on: the process's own, when its event loop has a higher priority than they (src/process/priority.ts).
 */
export function workerNice(nice: number): void {
  load().workerNice(nice);
}

/**
 * How many descriptors this process may hold, after raising the soft limit (RLIMIT_NOFILE) to the hard
 * one, once: a run holds a socket and a descriptor for each namespace it works on at once.
 */
export function descriptorLimit(): { soft: number; hard: number } {
  if (fileLimit !== undefined) return fileLimit;
  const r = load().raiseFileLimit();
  if (isSysErr(r)) throw nativeError(r, 'raising the descriptor limit');
  fileLimit = { soft: r[0], hard: r[1] };
  return fileLimit;
}
