// The private sandbox that the tests and benchmarks run in, as root: `unshare --net --mount` gives the
// process its own network namespace (only a `lo`) and mount namespace, in which a tmpfs covers /run (so
// /run/netns and /run/nslab are private) and /etc/netns. Nothing inside can see or change the host's
// interfaces, namespaces or lab state, and whatever leaks dies with the sandbox.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, rmdirSync } from 'node:fs';

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
    const status = run('unshare', ['--net', '--mount', '--propagation', 'private', '--', process.execPath, script, ...args], {
      env: { ...process.env, NSLAB_SANDBOX: '1' },
    });
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

/** What is left in the sandbox: namespaces, lab state, links of its root namespace other than lo. */
export function debris() {
  const namespaces = existsSync('/run/netns') ? readdirSync('/run/netns') : [];
  const state = existsSync('/run/nslab') ? readdirSync('/run/nslab') : [];
  const links = spawnSync('ip', ['-o', 'link', 'show'], { encoding: 'utf8' })
    .stdout.split('\n')
    .map((l) => l.split(': ')[1]?.split('@')[0])
    .filter((n) => n && n !== 'lo');
  return { namespaces, state, links, any: namespaces.length + state.length + links.length > 0 };
}
