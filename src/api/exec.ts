/**
 * Commands inside a node, through the one process runner (src/process). A module of its own, without the
 * topology parser, so that `nslab exec` and `shell` load only this.
 */
import { inNetns, run, type RunResult } from '../process/index.js';

/**
 * How a command run in a node ended, and its whole output: `code` (undefined when a signal ended it),
 * `signal`, `timedOut`, `exitCode` (the code, or 128 + the signal's number, as a shell reports it),
 * `stdout` and `stderr` decoded as UTF-8 once the command has ended.
 */
export type ExecResult = RunResult;

export interface ExecOptions {
  /** Text written to the command's standard input. */
  input?: string;
  /** After this many milliseconds the command is sent SIGTERM and its result says `timedOut`. */
  timeoutMs?: number;
  /** Aborting it ends the command; `exec` then rejects with NSLAB_ABORTED. */
  signal?: AbortSignal;
  /** The command's whole environment (default: this process's). */
  env?: NodeJS.ProcessEnv;
  cwd?: string;
  /** `pipe` (default) collects the output; `inherit` gives the command this process's terminal. */
  stdio?: 'pipe' | 'inherit';
}

/**
 * Runs argv inside a namespace through `ip netns exec` (which also applies /etc/netns/NETNS/ files).
 * `where` names the place in messages (`node red of lab demo`).
 *
 * Equivalent to: ip netns exec NETNS CMD...
 */
export function runIn(netns: string, argv: readonly string[], options: ExecOptions = {}, where?: string): Promise<ExecResult> {
  return run(inNetns(netns, argv), { ...options, where: where ?? `netns ${netns}` });
}
