/**
 * Labs over several machines, as the library and the CLI see them: up, down and status through the
 * controller (src/multihost), and the one way to reach a node on its host: `nslabForNode` runs an nslab
 * command for a node there, over ssh (what exec, shell and ping do with a node on another host, and what
 * graph, ui and capture are to do).
 */
import {
  downHosts,
  hostOfNode,
  listHostsStates,
  probeHosts,
  readHostsState,
  runNslab,
  statusHosts,
  upHosts,
  type HostCheck,
  type HostsDownResult,
  type HostStatus,
  type HostsUpResult,
  type HostRef,
  type SshOptions,
} from '../multihost/index.js';
import type { ResolvedLab } from '../topology/types.js';
import type { RunResult } from '../process/index.js';

export type { HostCheck, HostsDownResult, HostStatus, HostsUpResult, HostRef };

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

/** True when the controller here has a record of the lab spread over hosts. */
export function isOverHosts(name: string): boolean {
  return readHostsState(name) !== undefined;
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
