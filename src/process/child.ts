/**
 * The one way nslab starts a process. Everything that runs a command (a node's `exec` entries, `nslab exec`
 * and `shell`, `node.exec`, background servers, captures, routing daemons) goes through `startChild`, and
 * `run` is `startChild` waited for. The result has execa's shape (lib/return/result.js): `code`, `signal`,
 * `timedOut`, and output decoded once at the end (`Buffer.concat`, then UTF-8), so a character split
 * across two reads arrives whole.
 *
 * Not execa itself: loading it cost every `nslab exec` more than the command itself, and nano-spawn drops
 * the final newline and has no `timedOut` (figures: docs/architecture.md).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { bornAtBase } from './priority.js';
import { constants } from 'node:os';
import type { Readable, Writable } from 'node:stream';
import { StringDecoder } from 'node:string_decoder';
import { NslabError } from '../errors.js';
import { processStartTime } from './identity.js';

/** How a process ended. */
export interface Exit {
  /** Its exit code; undefined when a signal ended it. */
  code: number | undefined;
  /** The signal that ended it, if one did. */
  signal: NodeJS.Signals | undefined;
  /** True when nslab ended it because its `timeoutMs` ran out. */
  timedOut: boolean;
  /** The status a shell reports for it: the code, or 128 + the signal's number (143 for SIGTERM). */
  exitCode: number;
}

export interface ChildOptions {
  cwd?: string;
  /** The whole environment of the process (default: nslab's own). */
  env?: NodeJS.ProcessEnv;
  /** Written to its standard input, which is then closed. Without it, standard input is /dev/null (or the terminal with `stdio: 'inherit'`). */
  input?: string | Uint8Array;
  /** Its standard input a pipe the caller writes to and ends (`Child.stdin`), for a conversation; not with `input`. */
  stdinPipe?: boolean;
  /**
   * `pipe` (default): its output is collected (and streamed on `stdout`/`stderr`); `inherit`: it shares
   * nslab's terminal; `ignore`: both go nowhere; a file descriptor: both go to that open file (a log).
   */
  stdio?: 'pipe' | 'inherit' | 'ignore' | number;
  /** After this many milliseconds it is sent `killSignal`, and its exit says `timedOut`. */
  timeoutMs?: number;
  /** Aborting it sends `killSignal`; the result then rejects with NSLAB_ABORTED. */
  signal?: AbortSignal;
  /** The signal that ends it on timeout, abort or `kill()` (default SIGTERM). */
  killSignal?: NodeJS.Signals;
  /**
   * Its own process group, and not ended with nslab (a lab's background server that outlives the
   * command that started it). `kill()` then signals the whole group.
   */
  detached?: boolean;
  /**
   * With `detached`: keep nslab's event loop alive while it runs all the same (a process whose end the
   * caller may wait for, `node.spawn`'s). Without it a detached process is let go, and an `await` of its
   * `exited` could find the event loop already drained.
   */
  waited?: boolean;
  /** Where it runs, for error messages: `node red`. */
  where?: string;
  /**
   * false: its stdout is not kept (the caller reads `stdout` as it comes: a capture running for hours), and
   * of its stderr only the last 64 KiB. Default true: everything is kept for `output()` and `run`.
   */
  collect?: boolean;
}

/** A running process that nslab started. */
export interface Child {
  readonly pid: number;
  /** Its start time in clock ticks since boot (/proc/PID/stat): with the pid, its identity. */
  readonly startTime: string;
  /** The command line as a shell would read it, for messages. */
  readonly command: string;
  /** Its standard input, with `stdinPipe`. */
  readonly stdin: Writable | null;
  /** Its output as it comes (with `stdio: 'pipe'`); also collected for `exited`. */
  readonly stdout: Readable | null;
  readonly stderr: Readable | null;
  /** Resolves once it has ended and its output is read; rejects with NSLAB_ABORTED when aborted. */
  readonly exited: Promise<Exit>;
  /** Sends a signal (its whole group when detached); false when it had ended. */
  kill(signal?: NodeJS.Signals): boolean;
  /** Everything it has written to stdout and stderr so far, decoded (with `stdio: 'pipe'`). */
  output(): { stdout: string; stderr: string };
}

/** What `run` resolves with: how it ended, and its whole output. */
export interface RunResult extends Exit {
  command: string;
  stdout: string;
  stderr: string;
  durationMs: number;
}

/** `sh -c 'echo hi'` for messages: each word quoted only when it must be. */
export function commandText(argv: readonly string[]): string {
  return argv.map((w) => (/^[\w./:=@%+,-]+$/.test(w) ? w : `'${w.replaceAll("'", `'\\''`)}'`)).join(' ');
}

/** The status a shell reports for a process that ended with `code` or `signal`. */
export function shellStatus(code: number | null | undefined, signal: NodeJS.Signals | null | undefined): number {
  if (typeof code === 'number') return code;
  const n = signal != null ? constants.signals[signal] : undefined;
  return n !== undefined ? 128 + n : 1;
}

/** Collects a stream's bytes; decodes them once, or as far as they go when asked before the end. */
class Collector {
  #chunks: Buffer[] = [];
  #bytes = 0;
  /** Keeps only about the last this many bytes (whole chunks), when set. */
  readonly #tail: number | undefined;

  constructor(tail?: number) {
    this.#tail = tail;
  }

  add(chunk: Buffer): void {
    this.#chunks.push(chunk);
    this.#bytes += chunk.length;
    if (this.#tail !== undefined && this.#bytes > 2 * this.#tail) {
      const all = Buffer.concat(this.#chunks, this.#bytes).subarray(-this.#tail);
      this.#chunks = [all];
      this.#bytes = all.length;
    }
  }

  /** The text so far. Before the end, a character cut by the last read is left out until its rest arrives. */
  text(final: boolean): string {
    const all = this.#chunks.length === 1 ? (this.#chunks[0] as Buffer) : Buffer.concat(this.#chunks, this.#bytes);
    return final ? all.toString('utf8') : new StringDecoder('utf8').write(all);
  }
}

/**
 * Starts `argv` (no shell: a string command is the caller's `['sh', '-c', text]`). Rejects with NSLAB_EXEC
 * when it cannot start at all (no such program, an argument list the kernel refuses).
 */
export async function startChild(argv: readonly string[], options: ChildOptions = {}): Promise<Child> {
  const [file, ...args] = argv;
  const command = commandText(argv);
  if (file === undefined) throw new NslabError('NSLAB_EXEC', 'no command to run: the command is empty');
  options.signal?.throwIfAborted();
  const stdio = options.stdio ?? 'pipe';
  const input = options.input !== undefined || options.stdinPipe === true ? 'pipe' : stdio === 'inherit' ? 'inherit' : 'ignore';
  let child: ChildProcess;
  try {
    child = bornAtBase(() =>
      spawn(file, args, {
        stdio: [input, stdio, stdio],
        ...(options.cwd !== undefined ? { cwd: options.cwd } : {}),
        ...(options.env !== undefined ? { env: options.env } : {}),
        ...(options.detached === true ? { detached: true } : {}),
      }),
    );
  } catch (cause) {
    // Some refusals (E2BIG) are thrown at once rather than emitted.
    throw spawnError(cause as NodeJS.ErrnoException, command, options.where);
  }
  await new Promise<void>((resolve, reject) => {
    const onError = (cause: NodeJS.ErrnoException): void => reject(spawnError(cause, command, options.where));
    child.once('error', onError);
    child.once('spawn', () => {
      child.off('error', onError);
      resolve();
    });
  });
  return wrap(child, command, options);
}

function spawnError(cause: NodeJS.ErrnoException, command: string, where: string | undefined): NslabError {
  const place = where !== undefined ? ` on ${where}` : '';
  const shown = command.length > 200 ? `${command.slice(0, 200)}… (${command.length} characters)` : command;
  const hint =
    cause.code === 'ENOENT'
      ? 'the program is not installed or not on PATH'
      : cause.code === 'E2BIG'
        ? 'the command line is longer than the kernel allows (ARG_MAX): put the command in a script file and run that'
        : cause.code === 'EACCES'
          ? 'the program is not executable by this user'
          : 'the system refused to start it';
  return new NslabError('NSLAB_EXEC', `cannot start \`${shown}\`${place}: ${cause.message}; ${hint}`, { cause });
}

function wrap(child: ChildProcess, command: string, options: ChildOptions): Child {
  const pid = child.pid as number;
  const startTime = processStartTime(pid) ?? '';
  const killSignal = options.killSignal ?? 'SIGTERM';
  const collect = options.collect !== false;
  const stdout = new Collector();
  const stderr = new Collector(collect ? undefined : 64 * 1024);
  if (collect) child.stdout?.on('data', (d: Buffer) => stdout.add(d));
  child.stderr?.on('data', (d: Buffer) => stderr.add(d));
  // A process that exits without reading its input closes the pipe: not an error of ours.
  if (options.input !== undefined || options.stdinPipe === true) child.stdin?.on('error', () => undefined);
  if (options.input !== undefined) child.stdin?.end(options.input);
  let ended = false;
  const kill = (signal: NodeJS.Signals = killSignal): boolean => {
    if (ended) return false;
    try {
      if (options.detached === true) process.kill(-pid, signal);
      else child.kill(signal);
      return true;
    } catch {
      return false;
    }
  };
  let timedOut = false;
  const timer = options.timeoutMs !== undefined ? setTimeout(() => ((timedOut = true), kill()), options.timeoutMs) : undefined;
  const onAbort = (): void => void kill();
  options.signal?.addEventListener('abort', onAbort, { once: true });
  // 'close' comes once the process has ended and its pipes are drained: the output is whole.
  const exited = new Promise<Exit>((resolve, reject) => {
    child.once('close', (code, signal) => {
      ended = true;
      if (timer !== undefined) clearTimeout(timer);
      options.signal?.removeEventListener('abort', onAbort);
      if (options.signal?.aborted === true && !timedOut) {
        reject(
          new NslabError('NSLAB_ABORTED', `\`${command}\`${options.where !== undefined ? ` on ${options.where}` : ''} was cancelled`, {
            cause: options.signal.reason,
          }),
        );
        return;
      }
      resolve({ code: code ?? undefined, signal: signal ?? undefined, timedOut, exitCode: shellStatus(code, signal) });
    });
  });
  // A rejection nobody waits for (the caller only kills) must not end the process.
  exited.catch(() => undefined);
  if (options.detached === true && options.waited !== true) child.unref();
  return {
    pid,
    startTime,
    command,
    stdin: options.stdinPipe === true ? child.stdin : null,
    stdout: child.stdout,
    stderr: child.stderr,
    exited,
    kill,
    // Once it has ended, the whole of it; before, up to the last whole character.
    output: () => ({ stdout: stdout.text(ended), stderr: stderr.text(ended) }),
  };
}

/** Runs `argv` to its end and resolves with how it ended and its output; a non-zero exit is a result, not an error. */
export async function run(argv: readonly string[], options: ChildOptions = {}): Promise<RunResult> {
  const started = performance.now();
  const child = await startChild(argv, options);
  const exit = await child.exited;
  return { ...exit, command: child.command, ...child.output(), durationMs: performance.now() - started };
}
