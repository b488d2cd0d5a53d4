/**
 * Labs over several machines, as the library and the CLI see them: up, down and status through the
 * controller (src/multihost), and the one way to reach a node on its host: `nslabForNode` runs an nslab
 * command for a node there, over ssh (what exec, shell and ping do with a node on another host, and what
 * graph, ui and capture are to do).
 */
import { NslabError } from '../errors.js';
import {
  downHosts,
  hostOfNode,
  listHostsStates,
  probeHosts,
  readHostsState,
  runNslab,
  startNslab,
  statusHosts,
  whyHosts,
  upHosts,
  type HostCheck,
  type HostsDownResult,
  type HostStatus,
  type HostsUpResult,
  type HostRef,
  type SshOptions,
} from '../multihost/index.js';
import type { ResolvedLab } from '../topology/types.js';
import type { Child, RunResult } from '../process/index.js';
import { graphOverHosts, type GraphModel } from '../view/index.js';
import type { StatusJson } from './status.js';
import type { WhyResult, WhyShare } from '../engine/index.js';

export type { HostCheck, HostsDownResult, HostStatus, HostsUpResult, HostRef };
export { isOverHosts } from './running.js';

/** How nslab reaches the hosts: an ssh config file (ssh -F) and the nslab command on them. */
export interface HostsAccess {
  ssh?: Pick<SshOptions, 'config' | 'remote' | 'connectTimeout'>;
  /** Progress: called as each host answers. */
  onHost?: (host: string, what: string) => void;
}

/** Brings a lab over several machines up (or applies the difference): every host's part, or none. */
export function upOverHosts(lab: ResolvedLab, options: HostsAccess & { source?: string } = {}): Promise<HostsUpResult> {
  return upHosts(lab, options);
}

/** Takes a lab over several machines down on every host that answers; names those that do not. */
export function downOverHosts(name: string, lab?: ResolvedLab, options: HostsAccess = {}): Promise<HostsDownResult> {
  return downHosts(name, lab, options);
}

/** Each host's `nslab status` of the lab, or why it could not answer. */
export function statusOverHosts(name: string, options: HostsAccess = {}): Promise<{ lab: string; source?: string; hosts: HostStatus[] }> {
  return statusHosts(name, options);
}

/** Every host of a lab, as `nslab hosts check` reports them. */
export function checkHosts(lab: ResolvedLab, options: HostsAccess = {}): Promise<HostCheck[]> {
  return probeHosts(lab, options);
}

/** The labs spread over hosts from here. */
export function labsOverHosts(): string[] {
  return listHostsStates();
}

/** The host a node runs on, when its lab is spread over hosts from here. */
export function nodeHost(lab: string, node: string): HostRef | undefined {
  return hostOfNode(lab, node);
}

/**
 * Runs `nslab ARGS` on the host of `node` (a node of a lab spread over hosts from here), with the
 * terminal attached when `stdio` is `inherit` (a tty when this one is). Resolves with how it ended;
 * undefined when the node's lab is on this machine (run the command here then).
 */
export async function nslabForNode(
  lab: string,
  node: string,
  args: readonly string[],
  options: HostsAccess & { stdio?: 'pipe' | 'inherit'; input?: string; timeoutMs?: number } = {},
): Promise<RunResult | undefined> {
  const host = hostOfNode(lab, node);
  if (host === undefined) return undefined;
  const { STATE_ROOT } = await import('../engine/index.js');
  const { join } = await import('node:path');
  return runNslab(
    host,
    args,
    { ...options.ssh, controlDir: join(STATE_ROOT, '.ssh') },
    {
      ...(options.stdio !== undefined ? { stdio: options.stdio } : {}),
      ...(options.input !== undefined ? { input: options.input } : {}),
      ...(options.timeoutMs !== undefined ? { timeoutMs: options.timeoutMs } : {}),
    },
  );
}

/**
 * The graph of a lab over several machines now: the whole lab from the controller's journal, each node in
 * its host's group, each end's state as its host's `nslab status` says (no state where the host did not
 * answer). With the hosts' answers, for a page that says which host is gone.
 */
export async function hostsGraph(name: string, options: HostsAccess = {}): Promise<{ model: GraphModel; hosts: HostStatus[] }> {
  const applied = readHostsState(name)?.applied;
  if (applied === undefined) throw new NslabError('NSLAB_NOT_FOUND', `no lab named ${name} is up over several hosts; \`nslab ls\` lists the labs`);
  const { hosts } = await statusHosts(name, options);
  const states = new Map<string, boolean>();
  for (const h of hosts)
    for (const n of (h.status as StatusJson | undefined)?.nodes ?? []) for (const i of n.interfaces) states.set(`${n.name}:${i.name}`, i.state === 'up');
  const gone = hosts.filter((h) => !h.reachable).map((h) => h.name);
  return { model: graphOverHosts(applied, states, gone), hosts };
}

/**
 * Starts `nslab ARGS` on the host of `node` as a stream (a capture running until stopped): its output as
 * it comes on the child's stdout and stderr, kept nowhere. Its standard input stays open: ending it (or
 * this process dying, which ends the ssh session) is how the command there is told to stop, for a command
 * that takes `--until-input-ends`. Undefined when the node's lab is on this machine.
 */
export async function streamForNode(lab: string, node: string, args: readonly string[], options: HostsAccess = {}): Promise<Child | undefined> {
  const host = hostOfNode(lab, node);
  if (host === undefined) return undefined;
  const { STATE_ROOT } = await import('../engine/index.js');
  const { join } = await import('node:path');
  return startNslab(host, args, { ...options.ssh, controlDir: join(STATE_ROOT, '.ssh') }, { collect: false });
}

/**
 * `why` in a lab over several machines (`lab`: the whole lab): a path within one host is asked there; one
 * that crosses hosts is walked on every host's share joined, a host that does not answer named as the cause.
 */
export function whyOverHosts(
  lab: ResolvedLab,
  from: string,
  target: string,
  options: HostsAccess & { upCommand?: string; source?: string } = {},
): Promise<WhyResult> {
  return whyHosts(lab, from, target, options);
}

/**
 * A host's share of a `why` over several machines (`nslab part why-read`, run there): its part's nodes as
 * its kernel has them. A host without the lab's part says so in a note, its nodes absent.
 */
export async function whyShareOf(lab: string): Promise<WhyShare> {
  const { readState, whyShare } = await import('../engine/index.js');
  const part = readState(lab)?.applied;
  if (part === undefined) return { model: { nodes: {} }, upOps: [], upRefused: [], notes: [`this host has no part of lab ${lab}`] };
  return whyShare(part);
}
