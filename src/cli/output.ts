/**
 * How the CLI speaks: errors as one clear paragraph (a stack trace only with --debug), exit codes, and the
 * human forms of plans and status.
 */
import { NslabError, TopologyError } from '../errors.js';
import { cidrText, describe, routeText } from '../api/format.js';
import type { LabStatus, Plan } from '../api/index.js';

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

export function exitCodeFor(error: unknown): number {
  if (error instanceof UsageError || error instanceof TopologyError) return EXIT_USAGE;
  return EXIT_FAILURE;
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

/** `nslab status --json`: what the kernel says of the lab. */
export interface StatusJson {
  lab: string;
  source: string | null;
  createdAt: string | null;
  nodes: {
    name: string;
    netns: string;
    interfaces: { name: string; kind: string; state: 'up' | 'down'; mtu: number; addresses: string[]; peer?: { netns: string; ifname: string } }[];
    routes: { to: string; via?: string; dev?: string; metric?: number }[];
    sysctls: Record<string, string>;
  }[];
  processes: LabStatus['observed']['processes'];
}

export function statusJson(s: LabStatus): StatusJson {
  const nodes = Object.entries(s.observed.namespaces).map(([netns, ns]) => ({
    name: ns.node,
    netns,
    interfaces: ns.links.map((l) => ({
      name: l.ifname,
      kind: l.kind,
      state: l.up ? ('up' as const) : ('down' as const),
      mtu: l.mtu,
      addresses: l.addresses.map(cidrText),
      ...(l.peer !== undefined ? { peer: l.peer } : {}),
    })),
    routes: ns.routes.map((r) => ({
      to: r.to === 'default' ? 'default' : cidrText(r.to),
      ...(r.via !== undefined ? { via: r.via } : {}),
      ...(r.dev !== undefined ? { dev: r.dev } : {}),
      ...(r.metric !== undefined ? { metric: r.metric } : {}),
    })),
    sysctls: ns.sysctls,
  }));
  return {
    lab: s.lab,
    source: s.state?.source ?? null,
    createdAt: s.state?.createdAt ?? null,
    nodes: nodes.sort((a, b) => a.name.localeCompare(b.name)),
    processes: s.observed.processes,
  };
}

export function formatStatus(s: LabStatus): string {
  const j = statusJson(s);
  const lines = [`lab ${s.lab}: ${j.nodes.length} node${j.nodes.length === 1 ? '' : 's'}${s.state?.source !== undefined ? ` from ${s.state.source}` : ''}`];
  for (const n of j.nodes) {
    lines.push(`  ${n.name}${n.netns !== n.name ? ` (netns ${n.netns})` : ''}`);
    for (const i of n.interfaces) {
      const peer = i.peer !== undefined ? `  <-> ${i.peer.netns}:${i.peer.ifname}` : '';
      lines.push(
        `    ${i.name.padEnd(15)} ${i.kind.padEnd(6)} ${i.state.toUpperCase().padEnd(4)} mtu ${String(i.mtu).padEnd(5)} ${i.addresses.join(' ') || '-'}${peer}`,
      );
    }
    for (const r of s.observed.namespaces[n.netns]?.routes ?? []) lines.push(`    route ${routeText(r)}`);
  }
  for (const p of s.observed.processes) lines.push(`  process ${p.pid} on ${p.node}: ${p.run}`);
  return lines.join('\n');
}
