#!/usr/bin/env node
// The README's test command (`npm test`). Runs every test file under test/ with node's test runner.
//
// As root, each test file runs in a private sandbox of its own (scripts/sandbox.mjs: own network and mount
// namespaces, tmpfs on /run and /etc/netns), so no test can see or touch the host's network, and files run
// side by side without seeing each other's labs. Before a sandbox closes it checks that its file left no
// namespace, link or lab state behind; a leak fails the run.
// As a normal user it runs the same files; tests that need root skip themselves and say so.
//
// Usage: npm test [-- [--jobs N] FILE_OR_DIR ...]   (default: test/, jobs: NSLAB_TEST_JOBS or 4)
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmdirSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { debris, enterSandbox, isRoot } from './sandbox.mjs';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const self = fileURLToPath(import.meta.url);
const args = process.argv.slice(2);

function collect(path, out) {
  if (statSync(path).isDirectory()) {
    for (const entry of readdirSync(path).sort()) collect(join(path, entry), out);
  } else if (/\.test\.(ts|mjs|js)$/.test(path)) {
    out.push(path);
  }
  return out;
}

// The nslab-source condition makes `import ... from 'nslab'` (package.json exports) load src/, as the
// tests that use nslab as a user would (examples/testing/) import it.
const nodeTest = (files, reporter = 'spec') => [
  process.execPath,
  ['--conditions=nslab-source', '--import', 'tsx', '--test', `--test-reporter=${reporter}`, ...files],
];

// Inside one file's sandbox: run it, then check for debris.
if (args[0] === '--inner') {
  enterSandbox(self, args);
  const [cmd, argv] = nodeTest(args.slice(1));
  let status = spawnSync(cmd, argv, { cwd: root, stdio: 'inherit' }).status ?? 1;
  const left = debris();
  if (left.any) {
    console.error(`${args.slice(1).join(' ')} left debris behind (a test did not clean up what it made):`);
    if (left.namespaces.length) console.error(`  namespaces: ${left.namespaces.join(' ')}`);
    if (left.state.length) console.error(`  /run/nslab: ${left.state.join(' ')}`);
    if (left.links.length) console.error(`  links in the sandbox's root namespace: ${left.links.join(' ')}`);
    if (left.processes.length) console.error(`  processes: ${left.processes.join('; ')}`);
    status = 1;
  }
  process.exit(status);
}

let jobs = Number(process.env.NSLAB_TEST_JOBS ?? 4);
const targets = [];
for (let i = 0; i < args.length; i++) {
  if (args[i] === '--jobs') jobs = Number(args[++i]);
  else targets.push(args[i]);
}
const files = (targets.length > 0 ? targets : ['test']).flatMap((t) => collect(resolve(root, t), []));
if (files.length === 0) {
  console.error(`no test files under ${targets.join(', ')}`);
  process.exit(1);
}

// The CLI the tests run (test/helpers/cli.ts) is the bundle, made from the sources now.
if (spawnSync(process.execPath, [join(root, 'scripts', 'bundle.mjs')], { cwd: root, stdio: 'inherit' }).status !== 0) process.exit(1);

if (!isRoot) {
  const [cmd, argv] = nodeTest(files);
  process.exit(spawnSync(cmd, argv, { cwd: root, stdio: 'inherit' }).status ?? 1);
}

// As root: a pool of sandboxes, one file each, the longest files first; each file's output is printed
// whole when it ends. The mount point of the sandboxes' /etc/netns is made once for all of them (and
// removed at the end when the host had none), so that no sandbox removes it under another.
const madeEtcNetns = !existsSync('/etc/netns');
if (madeEtcNetns) mkdirSync('/etc/netns');
const started = Date.now();
const results = [];
// The slowest files first, as the last run timed them (build/test-times.json), else the biggest. Files that
// wait on something real (a routing protocol's timers) say so on their first line and start before all
// others, so that their wait runs beside the other files rather than after them.
const timesFile = join(root, 'build', 'test-times.json');
const lastTimes = existsSync(timesFile) ? JSON.parse(readFileSync(timesFile, 'utf8')) : {};
const weight = (f) => lastTimes[relative(root, f)] ?? statSync(f).size;
const slow = (f) => readFileSync(f, 'utf8').startsWith('// nslab-test: slow');
const queue = [...files].sort((a, b) => Number(slow(b)) - Number(slow(a)) || weight(b) - weight(a));
const runOne = (file) =>
  new Promise((done) => {
    const t0 = Date.now();
    const child = spawn(process.execPath, [self, '--inner', file], { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] });
    const chunks = [];
    child.stdout.on('data', (d) => chunks.push(d));
    child.stderr.on('data', (d) => chunks.push(d));
    child.on('close', (code, signal) => {
      const output = Buffer.concat(chunks).toString('utf8');
      const count = (what) => Number(output.match(new RegExp(`^ℹ ${what} (\\d+)`, 'm'))?.[1] ?? 0);
      results.push({ file, code: code ?? 1, signal, ms: Date.now() - t0, pass: count('pass'), fail: count('fail'), skipped: count('skipped') });
      process.stdout.write(`\n── ${relative(root, file)} (${((Date.now() - t0) / 1000).toFixed(1)} s) ──\n${output}`);
      done();
    });
  });
const workers = Array.from({ length: Math.max(1, jobs) }, async () => {
  for (let file = queue.shift(); file !== undefined; file = queue.shift()) await runOne(file);
});
await Promise.all(workers);

if (madeEtcNetns) rmdirSync('/etc/netns');
mkdirSync(dirname(timesFile), { recursive: true });
writeFileSync(timesFile, JSON.stringify({ ...lastTimes, ...Object.fromEntries(results.map((r) => [relative(root, r.file), r.ms])) }, null, 1));
const failed = results.filter((r) => r.code !== 0);
const sum = (k) => results.reduce((n, r) => n + r[k], 0);
console.log(
  `\n${files.length} files, ${sum('pass')} tests passed, ${sum('fail')} failed, ${sum('skipped')} skipped, in ${((Date.now() - started) / 1000).toFixed(1)} s (${jobs} sandboxes at a time)`,
);
if (failed.length > 0) {
  console.log(`failed: ${failed.map((r) => `${relative(root, r.file)} (exit ${r.signal ?? r.code})`).join(', ')}`);
  process.exit(1);
}
console.log('every sandbox checked: no namespace, link, lab state or process left behind');
