/**
 * How the CLI speaks: errors as one clear paragraph (a stack trace only with --debug), exit codes, and the
 * human forms of plans and status.
 */
import { NslabError, TopologyError } from '../errors.js';
import { describe, routeText } from '../api/format.js';
import type { LabStatus, Plan } from '../api/index.js';
import { formatBits, formatBytes, formatCount, type InterfaceCounters, type InterfaceRates } from '../api/counters.js';
import { statusJson } from '../api/status.js';

export const EXIT_OK = 0;
export const EXIT_FAILURE = 1;
export const EXIT_USAGE = 2;

/** A usage mistake on the command line (exit code 2). */
export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}

/**
 * A node or interface that the lab, which is up, does not have: a mistake on the command line (exit 2),
 * still NSLAB_NOT_FOUND in JSON. A lab that is simply not up is a plain NSLAB_NOT_FOUND (exit 1).
 */
export class UnknownNameError extends NslabError {
  constructor(message: string) {
    super('NSLAB_NOT_FOUND', message);
  }
}

export function exitCodeFor(error: unknown): number {
  if (error instanceof UsageError || error instanceof TopologyError || error instanceof UnknownNameError) return EXIT_USAGE;
  return EXIT_FAILURE;
}

/** A topology problem as `--json` prints it: every key always there, null when unknown. */
export interface ProblemJson {
  path: string;
  line: number | null;
  column: number | null;
  message: string;
  hint: string | null;
}

export function problemsJson(error: TopologyError): ProblemJson[] {
  return error.issues.map((i) => ({ path: i.path, line: i.line ?? null, column: i.column ?? null, message: i.message, hint: i.hint ?? null }));
}

/** `nslab validate --json` of a file with problems (exit code 2). */
export function invalidJson(file: string, error: TopologyError): { valid: false; file: string; problems: ProblemJson[] } {
  return { valid: false, file, problems: problemsJson(error) };
}

/**
 * What a `--json` command prints on stdout when it fails, so that a script always reads JSON: the error's
 * stable code (NSLAB_USAGE for a mistake on the command line, NSLAB_INTERNAL for an error nslab did not
 * expect) and its message; the problems of a refused topology; the steps a failed rollback left.
 */
export interface ErrorJson {
  error: {
    code: string;
    message: string;
    file?: string;
    problems?: ProblemJson[];
    rollback?: string[];
  };
}

export function errorJson(error: unknown): ErrorJson {
  if (error instanceof TopologyError) {
    return {
      error: { code: error.code, message: error.message, ...(error.file !== undefined ? { file: error.file } : {}), problems: problemsJson(error) },
    };
  }
  if (error instanceof NslabError) {
    const rollback = error.rollbackErrors?.errors.map((e: unknown) => (e instanceof Error ? e.message : String(e)));
    return { error: { code: error.code, message: error.message, ...(rollback !== undefined ? { rollback } : {}) } };
  }
  if (error instanceof UsageError) return { error: { code: 'NSLAB_USAGE', message: error.message } };
  return { error: { code: 'NSLAB_INTERNAL', message: error instanceof Error ? error.message : String(error) } };
}

/** The paragraph printed for an error; with debug, the stack and every cause too. */
export function formatError(error: unknown, debug: boolean): string {
  if (!(error instanceof Error)) return `nslab: ${String(error)}`;
  if (!debug) {
    const code = error instanceof NslabError ? ` [${error.code}]` : '';
    const known = error instanceof NslabError || error instanceof UsageError;
    const rollback = error instanceof NslabError && error.rollbackErrors !== undefined ? `\n${rollbackText(error.rollbackErrors)}` : '';
    return `nslab: ${error.message}${code}${rollback}${known ? '' : '\n(an unexpected error: run again with --debug for the stack trace, and report it)'}`;
  }
  const parts: string[] = [];
  let e: unknown = error;
  while (e instanceof Error) {
    parts.push(e.stack ?? e.message);
    e = e.cause;
  }
  if (e !== undefined) parts.push(String(e));
  return parts.join('\ncaused by: ');
}

/** The steps of a rollback that failed, one a line, under what to do. */
function rollbackText(errors: AggregateError): string {
  return [`${errors.message}:`, ...errors.errors.map((e: unknown) => `  ${e instanceof Error ? e.message : String(e)}`)].join('\n');
}

/** A plan for people: one phrase per operation (with --explain, src/cli/progress.ts prints it as a script). */
export function formatPlan(plan: Plan): string {
  if (plan.ops.length === 0) return `lab ${plan.lab}: nothing to change`;
  return [`lab ${plan.lab}: ${plan.ops.length} operation${plan.ops.length === 1 ? '' : 's'}`, ...plan.ops.map((op) => `  ${describe(op)}`)].join('\n');
}

/** `nslab status --json`: what the kernel says of the lab (src/api/status.ts, shared with the web page). */
export { statusJson, type StatusJson } from '../api/status.js';

/**
 * `nslab status`: the lab node by node; with counters (--stats), each interface's packets, bytes, drops and
 * errors each way, and with rates (--watch) what they do per second.
 */
export function formatStatus(s: LabStatus, counters?: readonly InterfaceCounters[], rates?: readonly InterfaceRates[]): string {
  const j = statusJson(s, counters);
  const rateOf = new Map((rates ?? []).map((r) => [`${r.node}:${r.ifname}`, r]));
  const lines = [`lab ${s.lab}: ${j.nodes.length} node${j.nodes.length === 1 ? '' : 's'}${s.state?.source !== undefined ? ` from ${s.state.source}` : ''}`];
  for (const n of j.nodes) {
    lines.push(`  ${n.name}${n.netns !== n.name ? ` (netns ${n.netns})` : ''}`);
    for (const i of n.interfaces) {
      const peer = i.peer !== undefined ? `  <-> ${i.peer.netns}:${i.peer.ifname}` : '';
      lines.push(
        `    ${i.name.padEnd(15)} ${i.kind.padEnd(6)} ${i.state.toUpperCase().padEnd(4)} mtu ${String(i.mtu).padEnd(5)} ${i.addresses.join(' ') || '-'}${peer}`,
      );
      const c = i.stats;
      if (c !== undefined) {
        const r = rateOf.get(`${n.name}:${i.name}`);
        const way = (packets: number, bytes: number, pps?: number, bps?: number): string =>
          `${`${packets} pkts ${formatBytes(bytes)}`.padEnd(18)}${pps !== undefined && bps !== undefined ? ` (${formatCount(pps)} pkt/s ${formatBits(bps * 8)}/s)`.padEnd(26) : ''}`;
        lines.push(
          `      rx ${way(c.rxPackets, c.rxBytes, r?.rxPackets, r?.rxBytes)}  tx ${way(c.txPackets, c.txBytes, r?.txPackets, r?.txBytes)}  drops ${c.rxDropped}/${c.txDropped}  errors ${c.rxErrors}/${c.txErrors}`,
        );
      }
    }
    for (const r of s.observed.namespaces[n.netns]?.routes ?? []) lines.push(`    route ${routeText(r)}`);
  }
  for (const p of s.observed.processes) lines.push(`  process ${p.pid} on ${p.node}: ${p.run}`);
  return lines.join('\n');
}
