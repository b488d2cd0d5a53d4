/**
 * Hosts are driven over the user's own OpenSSH: the system's `ssh`, so ~/.ssh/config, the agent,
 * ProxyJump and keys work as they do for the user. One ControlMaster per host (its socket under nslab's
 * directory, shared by every lab and command that reaches the host): about 180 ms for a command over a new
 * connection, about 7 ms over the master (docs/performance.md). Every ssh goes through src/process.
 *
 * `NSLAB_SSH_CONFIG` names an ssh config file to use instead of ~/.ssh/config (`ssh -F`); `NSLAB_REMOTE`
 * the nslab command on the hosts (default `nslab`, found on their PATH).
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { run, startChild, type Child, type ChildOptions, type RunResult } from '../process/index.js';
import { shellArg } from '../plan/shell-quote.js';

/** How the controller reaches the hosts. */
export interface SshOptions {
  /** An ssh config file (ssh -F) instead of the user's; default: $NSLAB_SSH_CONFIG, else ssh's own. */
  config?: string;
  /** The nslab command on the hosts; default: $NSLAB_REMOTE, else `nslab`. */
  remote?: string;
  /** Where the ControlMaster sockets live (default: STATE_ROOT/.ssh). */
  controlDir?: string;
  /** Seconds before an unanswered connection counts as unreachable (default 5). */
  connectTimeout?: number;
}

/** A host as ssh reaches it. */
export interface HostRef {
  name: string;
  ssh: string;
}

/** The argv of ssh to `host` running `remote` (each word quoted for the remote shell). */
export function sshArgv(host: HostRef, remote: readonly string[], options: SshOptions, tty: boolean): string[] {
  const dir = options.controlDir as string;
  const config = options.config ?? process.env.NSLAB_SSH_CONFIG;
  return [
    'ssh',
    ...(config !== undefined && config !== '' ? ['-F', config] : []),
    // No password prompt can hang a lab: keys or an agent, as for any automation.
    '-o',
    'BatchMode=yes',
    '-o',
    `ConnectTimeout=${options.connectTimeout ?? 5}`,
    // A host that dies mid-session is noticed within about 10 s.
    '-o',
    'ServerAliveInterval=5',
    '-o',
    'ServerAliveCountMax=2',
    '-o',
    'ControlMaster=auto',
    '-o',
    `ControlPath=${join(dir, '%C')}`,
    '-o',
    'ControlPersist=60',
    tty ? '-t' : '-T',
    '--',
    host.ssh,
    remote.map(shellArg).join(' '),
  ];
}

/** The nslab command on a host, with these arguments. */
export function remoteNslab(args: readonly string[], options: SshOptions): string[] {
  const remote = options.remote ?? process.env.NSLAB_REMOTE ?? 'nslab';
  return [...remote.split(/\s+/).filter((w) => w !== ''), ...args];
}

function ready(options: SshOptions): SshOptions {
  mkdirSync(options.controlDir as string, { recursive: true, mode: 0o700 });
  return options;
}

/** Runs `nslab ARGS` on the host to its end. */
export function runNslab(host: HostRef, args: readonly string[], options: SshOptions, child: ChildOptions = {}): Promise<RunResult> {
  const o = ready(options);
  return run(sshArgv(host, remoteNslab(args, o), o, child.stdio === 'inherit' && process.stdin.isTTY === true), {
    where: `host ${host.name} (${host.ssh})`,
    ...child,
  });
}

/** Starts `nslab ARGS` on the host, its standard input a pipe (a conversation: see part.ts). */
export function startNslab(host: HostRef, args: readonly string[], options: SshOptions, child: Pick<ChildOptions, 'collect'> = {}): Promise<Child> {
  const o = ready(options);
  return startChild(sshArgv(host, remoteNslab(args, o), o, false), { stdinPipe: true, where: `host ${host.name} (${host.ssh})`, ...child });
}

/** Asks each host's ControlMaster to stop taking sessions (it ends with its last one); none there is fine. */
export async function stopMasters(hosts: readonly HostRef[], options: SshOptions): Promise<void> {
  const o = ready(options);
  await Promise.all(
    hosts.map((h) => {
      const argv = sshArgv(h, [], o, false);
      // `ssh -O exit DEST`: the control command instead of a remote one. `exit` (not `stop`): sessions
      // through a master are this process's own, and over by now.
      return run([...argv.slice(0, argv.indexOf('--')), '-O', 'exit', '--', h.ssh], { timeoutMs: 5000 }).catch(() => undefined);
    }),
  );
}

/**
 * Why ssh failed, in one sentence, from its exit and what it said: ssh exits 255 for its own errors (no
 * connection, refused key), else with the remote command's status (127: nslab is not on the host's PATH).
 */
export function sshFailure(host: HostRef, result: { exitCode: number; stderr: string; timedOut?: boolean }): string {
  const said = result.stderr
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l !== '' && !l.startsWith('Warning: Permanently added'))
    .slice(-3)
    .join(' ');
  if (result.timedOut === true) return `host ${host.name} (${host.ssh}) did not answer in time`;
  if (result.exitCode === 255) return `host ${host.name} cannot be reached over ssh (${host.ssh}): ${said || 'ssh failed'}`;
  if (result.exitCode === 127)
    return `host ${host.name} (${host.ssh}) has no nslab on its PATH (${said || 'command not found'}): install nslab there, or set NSLAB_REMOTE to its path`;
  return `host ${host.name} (${host.ssh}): ${said || `exit code ${result.exitCode}`}`;
}
