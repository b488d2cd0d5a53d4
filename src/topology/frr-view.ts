/**
 * A node's FRR as files and as a command line: where its daemons keep their files, and how a command runs
 * "in the router" (its daemons, `vtysh`, and anything else run in a node that has FRR).
 *
 * FRR's programs take their paths from FRR's own directories: the configuration from /etc/frr, the pid,
 * vty and zserv files from /run/frr, the graceful-restart state of every ospfd from one shared
 * /run/frr/ospfd-gr.json, and their crash logs from /var/tmp/frr. FRR's pathspace option (`-N NAME`)
 * moves only some of them (not ospfd-gr.json, not the crash logs, not ldpd's control socket), and a
 * `write memory` typed in vtysh would still write this machine's /etc/frr/frr.conf. So each FRR process
 * of a node runs in a mount namespace of its own in which those three directories are the node's
 * (bind mounts of directories under the lab's run directory, which vanish with the process), and in a UTS
 * namespace of its own whose hostname is the node's (so `show` output and vtysh's prompt name it). Every
 * FRR program then runs with its defaults, `vtysh` included, as it would in a container of its own.
 *
 * Pure: the paths and argv only; the engine makes the directories and starts the processes.
 */
import { FRR_DAEMONS, FRR_PROGRAM_DIRS, type FrrDaemon } from './frr-daemons.js';
import type { ResolvedFrr } from './types.js';

/** Where nslab keeps each lab's files: /run/nslab/LAB (a tmpfs, gone at reboot as the namespaces are). */
export const LAB_RUN_ROOT = '/run/nslab';

/** The node's FRR directory: /run/nslab/LAB/frr/NODE, which holds `etc`, `run` and `tmp` (FRR_BINDS) and the daemons' logs. */
export function frrDir(lab: string, node: string, root: string = LAB_RUN_ROOT): string {
  return `${root}/${lab}/frr/${node}`;
}

/** FRR's directories, and the subdirectory of the node's FRR directory each is in the node's view. */
export const FRR_BINDS: readonly { sub: 'etc' | 'run' | 'tmp'; target: string }[] = [
  { sub: 'etc', target: '/etc/frr' },
  { sub: 'run', target: '/run/frr' },
  { sub: 'tmp', target: '/var/tmp/frr' },
];

/** The kernel's limit on a hostname (HOST_NAME_MAX). */
const HOSTNAME_MAX = 64;

/**
 * The script of the view: `$1` the node's FRR directory, `$2` its hostname, the rest the command. The
 * hostname is written to /proc (sethostname) rather than through hostname(1), which refuses some names a
 * node may have.
 */
const VIEW_SCRIPT = `${FRR_BINDS.map((b) => `mount --bind "$1/${b.sub}" ${b.target}`).join(' && ')} && printf %s "$2" > /proc/sys/kernel/hostname && shift 2 && exec "$@"`;

/**
 * The argv that runs `argv` in a node's FRR view (to be run inside the node's network namespace):
 *
 *   unshare --mount --uts sh -c 'mount --bind "$1/etc" /etc/frr && ... && exec "$@"' nslab-frr DIR NODE ARGV...
 *
 * `unshare` (util-linux) makes the two namespaces and then runs sh, which execs the command: no process in
 * between, so the pid nslab starts is the command's own.
 */
export function inFrrView(dir: string, hostname: string, argv: readonly string[]): string[] {
  return ['unshare', '--mount', '--uts', 'sh', '-c', VIEW_SCRIPT, 'nslab-frr', dir, hostname.slice(0, HOSTNAME_MAX), ...argv];
}

/** The files a daemon makes in the node's `run` directory once it takes commands: its vty socket, and zebra's zserv socket. */
export function readyFiles(daemon: FrrDaemon): string[] {
  return daemon === 'zebra' ? ['zserv.api', 'zebra.vty'] : [`${daemon}.vty`];
}

/**
 * A daemon's command line, as Debian's /etc/frr/daemons starts it (FRR's own init script): its vty on
 * 127.0.0.1 only, and zebra with a netlink receive buffer large enough for a full routing table. In the
 * foreground (no `-d`): the process nslab starts is the daemon, and its own output goes to its log.
 */
export function daemonArgv(daemon: FrrDaemon, program: string = `${FRR_PROGRAM_DIRS[0]}/${FRR_DAEMONS[daemon].program}`): string[] {
  return [program, '-A', '127.0.0.1', ...(daemon === 'zebra' ? ['-s', '90000000'] : [])];
}

/** What vtysh.conf says in every node: one integrated frr.conf, which `vtysh -b` loads and `write memory` writes. */
export const VTYSH_CONF = 'service integrated-vtysh-config\n';

/**
 * A short fingerprint of a node's FRR (its daemons and configuration), recorded with each daemon it
 * starts: a daemon whose fingerprint differs from the node's now runs an older configuration. cyrb53 (53
 * bits, exact in a double), in hex: a difference only has to be seen, not resisted, and node:crypto would
 * cost every start its load time.
 */
export function frrDigest(frr: Pick<ResolvedFrr, 'daemons' | 'config'>): string {
  const text = `${frr.daemons.join(',')}\n${frr.config}`;
  let h1 = 0xdeadbeef;
  let h2 = 0x41c6ce57;
  for (let i = 0; i < text.length; i++) {
    const ch = text.charCodeAt(i);
    h1 = Math.imul(h1 ^ ch, 2654435761);
    h2 = Math.imul(h2 ^ ch, 1597334677);
  }
  h1 = Math.imul(h1 ^ (h1 >>> 16), 2246822507) ^ Math.imul(h2 ^ (h2 >>> 13), 3266489909);
  h2 = Math.imul(h2 ^ (h2 >>> 16), 2246822507) ^ Math.imul(h1 ^ (h1 >>> 13), 3266489909);
  return (4294967296 * (2097151 & h2) + (h1 >>> 0)).toString(16).padStart(14, '0');
}
