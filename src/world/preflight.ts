/**
 * What stops a world from being made, found before anything is made: user namespaces turned off, Ubuntu's
 * AppArmor restriction without nslab's profile, a missing tool. Each refusal says which switch it is and
 * what lifts it (docs/rootless.md has the details). The kernel has the last word: a refusal it makes anyway
 * (a container's seccomp filter, a limit reached) is explained by `explainFailure` from the same facts.
 */
import { accessSync, constants, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { NslabError } from '../errors.js';

/** Where the facts are read; tests point them at a directory of their own. */
export interface HostPaths {
  /** /proc/sys */
  sysctls: string;
  /** AppArmor's list of loaded profiles */
  apparmorProfiles: string;
}

export const HOST_PATHS: HostPaths = { sysctls: '/proc/sys', apparmorProfiles: '/sys/kernel/security/apparmor/profiles' };

/** The name of nslab's AppArmor profile (etc/apparmor/nslab-world), which grants user namespaces to bin/nslab-world. */
export const APPARMOR_PROFILE = 'nslab-world';

const DOCS = 'docs/rootless.md';

function read(path: string): string | undefined {
  try {
    return readFileSync(path, 'utf8').trim();
  } catch {
    return undefined;
  }
}

const sysctl = (paths: HostPaths, name: string): string | undefined => read(join(paths.sysctls, ...name.split('.')));

/** The programs a world needs, besides /bin/sh: util-linux's unshare, nsenter and mount, iproute2's ip. */
export const WORLD_TOOLS = ['unshare', 'nsenter', 'mount', 'ip'] as const;

/** True when an executable named `name` is on PATH. */
export function onPath(name: string, path: string = process.env.PATH ?? ''): boolean {
  return path.split(':').some((dir) => {
    try {
      accessSync(join(dir === '' ? '.' : dir, name), constants.X_OK);
      return true;
    } catch {
      return false;
    }
  });
}

/** True when AppArmor restricts user namespaces and nslab's profile is not loaded (undefined: cannot tell). */
function apparmorRestricts(paths: HostPaths, uid: number): boolean | undefined {
  if (uid === 0 || sysctl(paths, 'kernel.apparmor_restrict_unprivileged_userns') !== '1') return false;
  const loaded = read(paths.apparmorProfiles);
  if (loaded === undefined) return undefined;
  return !loaded.split('\n').some((line) => line.startsWith(`${APPARMOR_PROFILE} `));
}

/**
 * Why this machine cannot make a world for `uid`, or undefined when nothing is known to stop it. Reads
 * only: nothing is made.
 */
export function rootlessRefusal(uid: number, paths: HostPaths = HOST_PATHS, hasTool: (name: string) => boolean = onPath): NslabError | undefined {
  const max = sysctl(paths, 'user.max_user_namespaces');
  if (max === '0')
    return new NslabError(
      'NSLAB_USERNS_DISABLED',
      'user namespaces are turned off here (user.max_user_namespaces = 0), and nslab without root works in a user namespace of your own; ' +
        'as root, `sysctl -w user.max_user_namespaces=15000` turns them on (a file in /etc/sysctl.d/ keeps it), or run nslab as root. ' +
        `See ${DOCS}`,
    );
  if (uid !== 0 && sysctl(paths, 'kernel.unprivileged_userns_clone') === '0')
    return new NslabError(
      'NSLAB_USERNS_DISABLED',
      'user namespaces are turned off for users other than root here (kernel.unprivileged_userns_clone = 0), and nslab without root works in a user namespace of your own; ' +
        'as root, `sysctl -w kernel.unprivileged_userns_clone=1` turns them on (a file in /etc/sysctl.d/ keeps it), or run nslab as root. ' +
        `See ${DOCS}`,
    );
  if (apparmorRestricts(paths, uid) === true) return apparmorRefusal();
  const missing = WORLD_TOOLS.filter((t) => !hasTool(t));
  if (missing.length > 0)
    return new NslabError(
      'NSLAB_WORLD',
      `nslab without root needs ${missing.join(', ')} on PATH to make your world (${missing.includes('ip') ? 'ip is in iproute2, ' : ''}unshare, nsenter and mount in util-linux)`,
    );
  return undefined;
}

function apparmorRefusal(cause?: unknown): NslabError {
  return new NslabError(
    'NSLAB_USERNS_RESTRICTED',
    'AppArmor lets only programs with a profile that allows it make user namespaces here (kernel.apparmor_restrict_unprivileged_userns = 1, as on Ubuntu 23.10 and later), ' +
      `and nslab without root works in a user namespace of your own; load nslab's profile, which allows it to bin/nslab-world alone ` +
      `(as root: edit the path in etc/apparmor/nslab-world of the package, copy it to /etc/apparmor.d/ and run \`apparmor_parser -r /etc/apparmor.d/nslab-world\`), ` +
      `or lift the restriction for every program (\`sysctl -w kernel.apparmor_restrict_unprivileged_userns=0\`), or run nslab as root. See ${DOCS}`,
    cause !== undefined ? { cause } : undefined,
  );
}

/**
 * The error for a world that the kernel refused to make although no switch said so beforehand: `output` is
 * what bin/nslab-world printed. Explained from the same facts, where they explain it.
 */
export function explainFailure(output: string, uid: number, paths: HostPaths = HOST_PATHS): NslabError {
  const text = output.trim().replace(/\s+/g, ' ');
  if (uid !== 0 && sysctl(paths, 'kernel.apparmor_restrict_unprivileged_userns') === '1') return apparmorRefusal(new Error(text));
  const hint = /No space left on device/.test(text)
    ? `you have as many user namespaces as user.max_user_namespaces allows (${sysctl(paths, 'user.max_user_namespaces') ?? '?'}): end some, or raise the limit as root`
    : /unshare failed: Operation not permitted/.test(text)
      ? 'the system does not let this process make a user namespace: inside a container, its seccomp profile or missing capabilities forbid it (run nslab on the host, or allow unshare and setns to the container)'
      : /overlay/.test(text)
        ? 'this kernel does not let a user namespace mount an overlay (Linux 5.11 and later do); as root, `mkdir -p /run/netns /run/nslab /etc/netns` once spares nslab the need'
        : `see ${DOCS}`;
  return new NslabError('NSLAB_WORLD', `could not make your nslab world: ${text || 'bin/nslab-world ended without a word'}; ${hint}`);
}
