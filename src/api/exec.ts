/**
 * Commands inside a node, through the one process runner (src/process). A module of its own, without the
 * topology parser, so that `nslab exec` and `shell` load only this.
 */
import { inNetns, labEnv, run, type RunResult } from '../process/index.js';
import { inFrrView } from '../topology/frr-view.js';

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

/** A node of a lab, where a command runs. */
export interface NodePlace {
  lab: string;
  node: string;
  netns: string;
  /** The node's FRR directory when it runs FRR: commands then run in its FRR view (topology/frr-view.ts). */
  frrDir?: string;
}

/**
 * Runs argv inside a node through `ip netns exec` (which also applies /etc/netns/NETNS/ files). The
 * command carries NSLAB_LAB and NSLAB_NODE in its environment: the mark by which `down` finds what runs in
 * the lab even with its state file lost. In a node that runs FRR it runs in the node's FRR view: its own
 * /etc/frr and /run/frr (so `vtysh` is the node's) and its hostname.
 *
 * Equivalent to: ip netns exec NETNS CMD...
 */
export function runIn(place: NodePlace, argv: readonly string[], options: ExecOptions = {}): Promise<ExecResult> {
  const command = place.frrDir !== undefined ? inFrrView(place.frrDir, place.node, argv) : argv;
  return run(inNetns(place.netns, command), { ...options, env: labEnv(place.lab, place.node, options.env), where: `node ${place.node} of lab ${place.lab}` });
}
