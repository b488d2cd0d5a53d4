/**
 * A process started in a node of a running lab (`node.spawn`): its output as it comes, how it ended,
 * waits for a line of output or a listening port, and an end by signal. The lab records it (pid and start
 * time) in its state, so that `down`, by this process or any other, ends it.
 */
import type { Readable } from 'node:stream';
import { forgetLabProcess, startLabProcess } from '../engine/index.js';
import { NslabError } from '../errors.js';
import { endProcess, type Child, type Exit } from '../process/index.js';
import { waitForListening } from './net.js';

export interface SpawnOptions {
  /** The process's whole environment (default: this process's). */
  env?: NodeJS.ProcessEnv;
  cwd?: string;
  /** Text written to its standard input, which is then closed (default: standard input is /dev/null). */
  input?: string;
}

/** What `waitForPort` takes (`lab.waitConverged` takes WaitOptions). */
export interface PortWaitOptions {
  /** Give up after this many milliseconds (default 10,000) with NSLAB_TIMEOUT. */
  timeoutMs?: number;
}

export interface OutputWaitOptions extends PortWaitOptions {
  /** Which output to watch (default: both). */
  stream?: 'stdout' | 'stderr' | 'both';
}

const DEFAULT_WAIT_MS = 10_000;

/** Lets startNodeProcess make a NodeProcess, whose constructor is not public (set in its static block). */
let wrap: (child: Child, node: string, netns: string, lab: string) => NodeProcess;

/** Starts `argv` in a node of a running lab and records it in the lab's state: `node.spawn`. Internal to the package. */
export async function startNodeProcess(lab: string, node: string, netns: string, argv: readonly string[], options: SpawnOptions): Promise<NodeProcess> {
  return wrap(await startLabProcess(lab, node, argv, options), node, netns, lab);
}

/** The last lines of a text, indented, for messages. */
function tail(text: string, lines = 5): string {
  const t = text.trimEnd();
  return t === '' ? '(nothing)' : t.split('\n').slice(-lines).join('\n    ');
}

/** A process running in a node (see `Node.spawn`). */
export class NodeProcess implements AsyncDisposable {
  /** The node it runs in. */
  readonly node: string;
  readonly pid: number;
  /** The command line, as a shell would read it. */
  readonly command: string;
  /** Its standard output and error as they come (also collected: see `output()`). */
  readonly stdout: Readable;
  readonly stderr: Readable;
  /**
   * Resolves once it has ended and its output is read: `{ code, signal, exitCode, timedOut }` (`code` is
   * undefined when a signal ended it; `exitCode` is the shell's status, 128 + N for signal N).
   */
  readonly exited: Promise<Exit>;
  readonly #child: Child;
  readonly #netns: string;
  readonly #where: string;
  #ended = false;

  private constructor(child: Child, node: string, netns: string, lab: string) {
    this.#child = child;
    this.node = node;
    this.pid = child.pid;
    this.command = child.command;
    this.stdout = child.stdout as Readable;
    this.stderr = child.stderr as Readable;
    this.#netns = netns;
    this.#where = `node ${node} of lab ${lab}`;
    this.exited = child.exited.then((exit) => {
      this.#ended = true;
      // Out of the lab's state once it has ended; a later `down` would only have skipped it.
      void forgetLabProcess(lab, child).catch(() => undefined);
      return exit;
    });
  }

  static {
    wrap = (child, node, netns, lab) => new NodeProcess(child, node, netns, lab);
  }

  /** Everything it has written so far, decoded as UTF-8 (a character cut by the last read waits for its rest). */
  output(): { stdout: string; stderr: string } {
    return this.#child.output();
  }

  /**
   * Sends a signal (default SIGTERM) to it and to every process it started (it leads its own process
   * group). False when it had ended already.
   */
  kill(signal?: NodeJS.Signals): boolean {
    return this.#child.kill(signal);
  }

  /**
   * Resolves with the first match of `pattern` (a string is matched as is) in its output, the output so far
   * included. Rejects with NSLAB_EXEC when it exits without printing it, and NSLAB_TIMEOUT when the time
   * runs out; both messages carry the last lines it printed.
   */
  waitForOutput(pattern: string | RegExp, options: OutputWaitOptions = {}): Promise<RegExpExecArray> {
    const re =
      typeof pattern === 'string' ? new RegExp(pattern.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')) : new RegExp(pattern.source, pattern.flags.replace(/[gy]/g, ''));
    const stream = options.stream ?? 'both';
    const timeoutMs = options.timeoutMs ?? DEFAULT_WAIT_MS;
    const find = (): RegExpExecArray | null => {
      const out = this.output();
      return (stream !== 'stderr' ? re.exec(out.stdout) : null) ?? (stream !== 'stdout' ? re.exec(out.stderr) : null);
    };
    const shown = (): string => {
      const out = this.output();
      return tail(stream === 'stderr' ? out.stderr : stream === 'stdout' ? out.stdout : `${out.stdout}${out.stderr}`);
    };
    return new Promise<RegExpExecArray>((resolve, reject) => {
      const streams = [stream !== 'stderr' ? this.stdout : undefined, stream !== 'stdout' ? this.stderr : undefined].filter((s) => s !== undefined);
      const finish = (): void => {
        clearTimeout(timer);
        for (const s of streams) s.off('data', onData);
      };
      const onData = (): void => {
        const m = find();
        if (m === null) return;
        finish();
        resolve(m);
      };
      const timer = setTimeout(() => {
        finish();
        reject(
          new NslabError(
            'NSLAB_TIMEOUT',
            `\`${this.command}\` on ${this.#where} printed nothing matching ${re} in ${timeoutMs} ms; its last lines:\n    ${shown()}`,
          ),
        );
      }, timeoutMs);
      for (const s of streams) s.on('data', onData);
      void this.exited.then((exit) => {
        const m = find();
        finish();
        if (m !== null) resolve(m);
        else
          reject(
            new NslabError(
              'NSLAB_EXEC',
              `\`${this.command}\` on ${this.#where} ${exitText(exit)} without printing anything matching ${re}; its last lines:\n    ${shown()}`,
            ),
          );
      });
      onData();
    });
  }

  /**
   * Resolves once a TCP socket listens on `port` in its node (see `node.waitForPort`). Rejects with
   * NSLAB_EXEC as soon as the process exits instead, with its last lines, and NSLAB_TIMEOUT after the time.
   */
  waitForPort(port: number, options: PortWaitOptions = {}): Promise<void> {
    const stop = this.exited.then((exit): never => {
      throw new NslabError(
        'NSLAB_EXEC',
        `\`${this.command}\` on ${this.#where} ${exitText(exit)} before listening on TCP port ${port}; its last lines:\n    ${tail(`${this.output().stdout}${this.output().stderr}`)}`,
      );
    });
    return waitForListening(this.#netns, port, { timeoutMs: options.timeoutMs ?? DEFAULT_WAIT_MS, where: this.#where, stop });
  }

  /** `await using p = await node.spawn(...)` ends it (SIGTERM, then SIGKILL after half a second) at the end of the scope. */
  async [Symbol.asyncDispose](): Promise<void> {
    if (this.#ended) return;
    await endProcess(this.#child);
    await this.exited;
  }
}

function exitText(exit: Exit): string {
  return exit.signal !== undefined ? `was ended by ${exit.signal}` : `exited with code ${exit.exitCode}`;
}
