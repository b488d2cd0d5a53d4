// The private sandbox that the tests and benchmarks run in, as root: `unshare --net --mount --pid` gives the
// process its own network namespace (only a `lo`), mount namespace, in which a tmpfs covers /run (so
// /run/netns and /run/nslab are private) and /etc/netns, and PID namespace (with its own /proc). Nothing
// inside can see or change the host's interfaces, namespaces, lab state or processes, and whatever leaks
// dies with the sandbox: when its first process ends, the kernel ends every process left in it (a server a
// killed test started included).
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { existsSync, mkdirSync, readdirSync, readFileSync, readlinkSync, rmdirSync } from 'node:fs';

export const isRoot = process.getuid?.() === 0;

function run(cmd, argv, opts = {}) {
  const r = spawnSync(cmd, argv, { stdio: 'inherit', ...opts });
  if (r.error) throw r.error;
  return r.status ?? 1;
}

/**
 * As root and not yet inside: re-executes `script` with `args` inside a new sandbox and exits with its
 * status. Inside (or not root): prepares the sandbox's mounts once and returns.
 */
export function enterSandbox(script, args) {
  if (!isRoot) return;
  if (process.env.NSLAB_SANDBOX !== '1') {
    // The sandbox mounts a tmpfs on /etc/netns, which needs the directory as a mount point: when the host
    // has none, it is made here, outside, and removed again once the sandbox is gone.
    const madeEtcNetns = !existsSync('/etc/netns');
    if (madeEtcNetns) mkdirSync('/etc/netns');
    const status = run(
      'unshare',
      ['--net', '--mount', '--propagation', 'private', '--pid', '--fork', '--mount-proc', '--', process.execPath, script, ...args],
      {
        env: { ...process.env, NSLAB_SANDBOX: '1' },
      },
    );
    if (madeEtcNetns) rmdirSync('/etc/netns');
    process.exit(status);
  }
  for (const [where, name] of [
    ['/run', 'nslab-sandbox-run'],
    ['/etc/netns', 'nslab-sandbox-etc-netns'],
  ]) {
    if (run('mount', ['-t', 'tmpfs', '-o', 'mode=755', name, where]) !== 0) {
      console.error(`sandbox: could not mount a tmpfs on ${where}; refusing to go on where the host could be touched`);
      process.exit(1);
    }
  }
  if (run('ip', ['link', 'set', 'lo', 'up']) !== 0) process.exit(1); // the sandbox's own lo, not the host's
}

/** Processes of the sandbox other than this one (its first), or those `which` picks: what a test started and did not end. */
function strayProcesses(which = (pid) => Number(pid) !== process.pid) {
  const found = [];
  for (const pid of readdirSync('/proc').filter((p) => /^\d+$/.test(p) && which(p))) {
    try {
      const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
      if (stat.slice(stat.lastIndexOf(')') + 2).startsWith('Z')) continue;
      found.push(`${pid} ${readFileSync(`/proc/${pid}/cmdline`, 'latin1').split('\0').join(' ').trim()}`);
    } catch {
      // gone meanwhile
    }
  }
  return found;
}

/** What is left in the sandbox: namespaces, lab state, links of its root namespace other than lo, processes. */
export function debris() {
  return left(strayProcesses());
}

/**
 * What is left in a world (docs/rootless.md), checked from inside it: the same, where the processes are those
 * of the world's user namespace other than this one, the processes it runs in (`nslab world run`) and the
 * world's holder (the world has no PID namespace of its own: /proc shows the host's processes too).
 */
export function worldDebris() {
  const userns = readlinkSync('/proc/self/ns/user');
  const keep = new Set([process.pid]);
  const parentOf = (pid) => {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
  };
  for (let pid = parentOf(process.pid); pid > 1; pid = parentOf(pid)) {
    try {
      if (readlinkSync(`/proc/${pid}/ns/user`) !== userns) break;
    } catch {
      break;
    }
    keep.add(pid);
  }
  const record = join(process.env.NSLAB_WORLD ?? '', 'world');
  if (existsSync(record)) keep.add(Number(readFileSync(record, 'utf8').split(' ')[0]));
  return left(
    strayProcesses((pid) => {
      try {
        return !keep.has(Number(pid)) && readlinkSync(`/proc/${pid}/ns/user`) === userns;
      } catch {
        return false;
      }
    }),
  );
}

/**
 * The processes (not zombies) of this process's real uid, other than this one and its ancestors, that run
 * in a world the tests made (NSLAB_WORLD in their environment names a directory that starts with one of
 * `prefixes`), a holder included: the user's own world (`/tmp/nslab-UID` without XDG_RUNTIME_DIR) and
 * everything else of theirs are not the tests'.
 */
export function userProcesses(prefixes) {
  const uid = String(process.getuid());
  const marks = prefixes.map((p) => `NSLAB_WORLD=${p}`);
  const keep = new Set([process.pid]);
  for (let pid = process.ppid; pid > 1;) {
    keep.add(pid);
    try {
      const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
      pid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
    } catch {
      break;
    }
  }
  return strayProcesses((pid) => {
    try {
      if (keep.has(Number(pid)) || /^Uid:\t(\d+)/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] !== uid) return false;
      return readFileSync(`/proc/${pid}/environ`, 'latin1')
        .split('\0')
        .some((e) => marks.some((m) => e.startsWith(m)));
    } catch {
      return false;
    }
  });
}

function left(processes) {
  const namespaces = existsSync('/run/netns') ? readdirSync('/run/netns') : [];
  const state = existsSync('/run/nslab') ? readdirSync('/run/nslab') : [];
  const links = spawnSync('ip', ['-o', 'link', 'show'], { encoding: 'utf8' })
    .stdout.split('\n')
    .map((l) => l.split(': ')[1]?.split('@')[0])
    .filter((n) => n && n !== 'lo');
  return { namespaces, state, links, processes, any: namespaces.length + state.length + links.length + processes.length > 0 };
}
