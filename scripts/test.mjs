#!/usr/bin/env node
// The README's test command (`npm test`). Runs every test file under test/ with node's test runner.
//
// As root it first re-executes itself inside a private sandbox: `unshare --net --mount` gives the run its
// own network namespace (only a `lo` that nothing touches) and its own mount namespace, in which a tmpfs
// covers /run (so /run/netns and /run/nslab are private) and /etc/netns. No test can see or change the
// host's interfaces, namespaces or lab state, and whatever a test leaks dies with the sandbox. Before the
// sandbox closes, the run checks that the tests left no namespace, link or state file of their own; a
// leak fails the run.
//
// As a normal user it runs the same files; tests that need root skip themselves and say so.
//
// Usage: npm test [-- FILE_OR_DIR ...]   (default: test/)
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, statSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const args = process.argv.slice(2);
const isRoot = process.getuid?.() === 0;

function run(cmd, argv, opts = {}) {
  const r = spawnSync(cmd, argv, { stdio: 'inherit', ...opts });
  if (r.error) throw r.error;
  return r.status ?? 1;
}

if (isRoot && process.env.NSLAB_SANDBOX !== '1') {
  const status = run('unshare', ['--net', '--mount', '--propagation', 'private', '--', process.execPath, fileURLToPath(import.meta.url), ...args], {
    env: { ...process.env, NSLAB_SANDBOX: '1' },
  });
  process.exit(status);
}

if (isRoot) {
  // Inside the sandbox: private /run and /etc/netns. /etc/netns is created on the host only if it is
  // missing (an empty directory, as `ip netns` itself would make).
  if (!existsSync('/etc/netns')) mkdirSync('/etc/netns', { recursive: true });
  for (const [where, name] of [['/run', 'nslab-test-run'], ['/etc/netns', 'nslab-test-etc-netns']]) {
    if (run('mount', ['-t', 'tmpfs', '-o', 'mode=755', name, where]) !== 0) {
      console.error(`test sandbox: could not mount a tmpfs on ${where}; refusing to run tests that could touch the host`);
      process.exit(1);
    }
  }
  if (run('ip', ['link', 'set', 'lo', 'up']) !== 0) process.exit(1); // the sandbox's own lo, not the host's
}

function collect(path, out) {
  const st = statSync(path);
  if (st.isDirectory()) {
    for (const entry of readdirSync(path).sort()) collect(join(path, entry), out);
  } else if (/\.test\.(ts|mjs|js)$/.test(path)) {
    out.push(path);
  }
  return out;
}
const targets = args.length > 0 ? args : ['test'];
const files = targets.flatMap((t) => collect(resolve(root, t), []));
if (files.length === 0) {
  console.error(`no test files under ${targets.join(', ')}`);
  process.exit(1);
}

const status = run(process.execPath, ['--import', 'tsx', '--test', '--test-reporter=spec', ...files], { cwd: root });

if (isRoot) {
  const leftNs = existsSync('/run/netns') ? readdirSync('/run/netns') : [];
  const leftState = existsSync('/run/nslab') ? readdirSync('/run/nslab') : [];
  const links = spawnSync('ip', ['-o', 'link', 'show'], { encoding: 'utf8' }).stdout
    .split('\n').map((l) => l.split(': ')[1]?.split('@')[0]).filter((n) => n && n !== 'lo');
  if (leftNs.length + leftState.length + links.length > 0) {
    console.error('Tests left debris behind (a test did not clean up what it made):');
    if (leftNs.length) console.error(`  namespaces: ${leftNs.join(' ')}`);
    if (leftState.length) console.error(`  /run/nslab: ${leftState.join(' ')}`);
    if (links.length) console.error(`  links in the sandbox's root namespace: ${links.join(' ')}`);
    process.exit(1);
  }
  console.log('sandbox check: no namespace, link or lab state left behind');
}
process.exit(status);
