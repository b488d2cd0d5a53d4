/**
 * Probes from inside a node: a TCP connection (node.connect), the TCP ports that listen (node.waitForPort),
 * and ping (node.reach).
 *
 * A TCP probe is a socket born in the node's namespace by the addon (setns -> socket -> setns back on a
 * throwaway thread) and connected by libuv, like any socket of this process: no helper process to start
 * (5 to 10 ms each here, more on a loaded machine, and inside the measured time), so `ms` is the
 * handshake's own time, and no thread waits on the network. Which ports listen is read over sock_diag
 * (rtnl/sockets.ts), which no server notices, rather than by connecting to them.
 */
import { Socket } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { NslabError } from '../errors.js';
import { netnsPath, openInetSockets } from '../native/index.js';
import { SocketTable } from '../rtnl/index.js';

/** How a TCP connection attempt from a node went. */
export interface ConnectResult {
  /** The connection was accepted (it is closed again at once). */
  ok: boolean;
  /** Milliseconds from the connect to its answer (or to the timeout). */
  ms: number;
  /** The address connected to (a node name resolved from the viewer: Lab.resolveTarget). */
  address: string;
  port: number;
  /**
   * Why it failed: the errno name (`ECONNREFUSED`: nothing listens; `EHOSTUNREACH`, `ENETUNREACH`: no way
   * there), or `ETIMEDOUT` when no answer came within the timeout (dropped packets: a pulled cable, a
   * partition).
   */
  error?: string;
}

/** Connects from inside the namespace to address:port, and closes again. Never throws for a failed connection. */
export async function tcpConnect(netns: string, address: string, port: number, timeoutMs: number): Promise<ConnectResult> {
  const family = address.includes(':') ? 6 : 4;
  const [sock] = await openInetSockets([netnsPath(netns)], family);
  if (sock === undefined || sock instanceof Error) throw sock ?? new NslabError('NSLAB_INTERNAL', 'openInetSockets answered nothing');
  // Not readable or writable until connected: libuv must not poll an unconnected socket for data.
  const socket = new Socket({ fd: sock.fd, readable: false, writable: false });
  const started = performance.now();
  return new Promise<ConnectResult>((resolve) => {
    const done = (error?: string): void => {
      clearTimeout(timer);
      socket.removeAllListeners();
      // Errors after the answer (a reset as it closes) are of no interest.
      socket.on('error', () => undefined);
      socket.destroy();
      resolve({ ok: error === undefined, ms: performance.now() - started, address, port, ...(error !== undefined ? { error } : {}) });
    };
    const timer = setTimeout(() => done('ETIMEDOUT'), timeoutMs);
    socket.once('connect', () => done());
    socket.once('error', (e: NodeJS.ErrnoException) => done(e.code ?? e.message));
    socket.connect({ port, host: address });
  });
}

/**
 * Resolves once a TCP socket listens on `port` in the namespace (on any address), polling sock_diag every
 * few milliseconds. Rejects with NSLAB_TIMEOUT after `timeoutMs`, or with what `stop` rejects with (the
 * process meant to listen has exited).
 */
export async function waitForListening(netns: string, port: number, options: { timeoutMs: number; where: string; stop?: Promise<never> }): Promise<void> {
  // Watched before the first await: the process may end while the socket table opens, and a rejection
  // nobody handles yet ends node's process.
  let stopped: unknown;
  let isStopped = false;
  options.stop?.catch((e: unknown) => {
    isStopped = true;
    stopped = e;
  });
  using table = await SocketTable.open(netns);
  const deadline = performance.now() + options.timeoutMs;
  for (let wait = 1; ; wait = Math.min(wait * 2, 20)) {
    if ((await table.listeningTcp()).some((s) => s.localPort === port)) return;
    if (isStopped) throw stopped;
    if (performance.now() > deadline)
      throw new NslabError(
        'NSLAB_TIMEOUT',
        `nothing listens on TCP port ${port} in ${options.where} after ${options.timeoutMs} ms; is the server started, and on that port?`,
      );
    await sleep(wait);
    if (isStopped) throw stopped;
  }
}

/**
 * The ping that `reach` runs: echoes every 100 ms until `count` are answered; the caller's timer ends it at
 * the timeout (ping's own deadline, -w, takes whole seconds). Several echoes make it robust: one lost on a
 * loaded machine, or while a neighbour is resolved, is followed by the next.
 */
export function pingArgv(address: string, count: number, timeoutMs: number): string[] {
  const deadline = Math.max(1, Math.ceil(timeoutMs / 1000));
  return ['ping', ...(address.includes(':') ? ['-6'] : []), '-n', '-q', '-c', String(count), '-i', '0.1', '-w', String(deadline), address];
}
