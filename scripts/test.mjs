#!/usr/bin/env node
// The README's test command (`npm test`). Runs every test file under test/ with node's test runner.
//
// As root, each test file runs in a private sandbox of its own (scripts/sandbox.mjs: own network and mount
// namespaces, tmpfs on /run and /etc/netns), so no test can see or touch the host's network, and files run
// side by side without seeing each other's labs. Before a sandbox closes it checks that its file left no
// namespace, link or lab state behind; a leak fails the run.
// As a normal user (or as root with --rootless) each test file runs the same way inside a world of its own
// (docs/rootless.md: the user namespace in which nslab works without root; here each file gets its own
// XDG_RUNTIME_DIR, so its own world), where the user is root of the world and the tests that need root
// run. After the file, the same debris check inside the world, then `nslab world stop`, which must leave
// no process and no file of the world behind.
//
// Usage: npm test [-- [--jobs N] [--rootless] FILE_OR_DIR ...]   (default: test/, jobs: NSLAB_TEST_JOBS or 4)
import { spawn, spawnSync } from 'node:child_process';
import { accessSync, constants, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { debris, enterSandbox, isRoot, userProcesses, worldDebris } from './sandbox.mjs';

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

// Inside one file's sandbox (or world): run it, then check for debris.
if (args[0] === '--inner' || args[0] === '--inner-world') {
  if (args[0] === '--inner') enterSandbox(self, args);
  const [cmd, argv] = nodeTest(args.slice(1));
  let status = spawnSync(cmd, argv, { cwd: root, stdio: 'inherit' }).status ?? 1;
  const left = args[0] === '--inner' ? debris() : worldDebris();
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
let rootless = !isRoot;
const targets = [];
for (let i = 0; i < args.length; i++) {
  if (args[i] === '--jobs') jobs = Number(args[++i]);
  else if (args[i] === '--rootless') rootless = true;
  else targets.push(args[i]);
}
const files = (targets.length > 0 ? targets : ['test']).flatMap((t) => collect(resolve(root, t), []));
if (files.length === 0) {
  console.error(`no test files under ${targets.join(', ')}`);
  process.exit(1);
}

const writable = (path) => {
  try {
    accessSync(path, constants.W_OK);
    return true;
  } catch {
    return false;
  }
};
// The CLI the tests run (test/helpers/cli.ts) is the bundle, made from the sources now; a user who may not
// write the checkout (CI's unprivileged pass) runs the one `npm run build` made.
if (writable(join(root, 'dist'))) {
  if (spawnSync(process.execPath, [join(root, 'scripts', 'bundle.mjs')], { cwd: root, stdio: 'inherit' }).status !== 0) process.exit(1);
} else if (!existsSync(join(root, 'dist', 'bin', 'nslab.mjs'))) {
  console.error(`no bundle in ${join(root, 'dist', 'bin')} and no right to make it: run npm run build first`);
  process.exit(1);
}

// A pool of sandboxes (as root) or worlds (rootless), one file each, the longest files first; each file's
// output is printed whole when it ends. The mount point of the sandboxes' /etc/netns is made once for all
// of them (and removed at the end when the host had none), so that no sandbox removes it under another.
const madeEtcNetns = !rootless && !existsSync('/etc/netns');
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
/** Runs a process to its end; resolves with its status and its output (stdout and stderr as they came). */
const outputOf = (cmd, argv, env = process.env) =>
  new Promise((done) => {
    const child = spawn(cmd, argv, { cwd: root, env, stdio: ['ignore', 'pipe', 'pipe'] });
    const chunks = [];
    child.stdout.on('data', (d) => chunks.push(d));
    child.stderr.on('data', (d) => chunks.push(d));
    child.on('close', (code, signal) => done({ code: code ?? 1, signal, output: Buffer.concat(chunks).toString('utf8') }));
  });
const nslabBin = join(root, 'bin', 'nslab');
/**
 * One file in a world of its own (its own XDG_RUNTIME_DIR), then `nslab world stop`, which must leave
 * neither a process of the world nor a file of nslab in that directory.
 */
async function inWorld(file) {
  const xdg = mkdtempSync(join(tmpdir(), 'nslab-test-xdg-'));
  const env = { ...process.env, XDG_RUNTIME_DIR: xdg };
  delete env.NSLAB_WORLD;
  delete env.NSLAB_ROOTLESS;
  const flags = isRoot ? ['--rootless'] : [];
  const r = await outputOf(nslabBin, [...flags, 'world', 'run', '--', process.execPath, self, '--inner-world', file], env);
  const stop = await outputOf(nslabBin, [...flags, 'world', 'stop', '--json'], env);
  const left = existsSync(join(xdg, 'nslab')) ? readdirSync(join(xdg, 'nslab')) : [];
  let { code, output } = r;
  if (stop.code !== 0 || left.length > 0) {
    output += `\n${relative(root, file)}: nslab world stop exited ${stop.code}${left.length > 0 ? `, leaving ${left.join(' ')} in ${join(xdg, 'nslab')}` : ''}:\n${stop.output}`;
    code = code === 0 ? 1 : code;
  }
  rmSync(xdg, { recursive: true, force: true });
  return { ...r, code, output };
}
const runOne = async (file) => {
  const t0 = Date.now();
  const { code, signal, output } = rootless ? await inWorld(file) : await outputOf(process.execPath, [self, '--inner', file]);
  const count = (what) => Number(output.match(new RegExp(`^ℹ ${what} (\\d+)`, 'm'))?.[1] ?? 0);
  results.push({ file, code, signal, ms: Date.now() - t0, pass: count('pass'), fail: count('fail'), skipped: count('skipped') });
  process.stdout.write(`\n── ${relative(root, file)} (${((Date.now() - t0) / 1000).toFixed(1)} s) ──\n${output}`);
};
const workers = Array.from({ length: Math.max(1, jobs) }, async () => {
  for (let file = queue.shift(); file !== undefined; file = queue.shift()) await runOne(file);
});
await Promise.all(workers);

if (madeEtcNetns) rmdirSync('/etc/netns');
if (writable(dirname(timesFile)) || writable(root)) {
  mkdirSync(dirname(timesFile), { recursive: true });
  writeFileSync(timesFile, JSON.stringify({ ...lastTimes, ...Object.fromEntries(results.map((r) => [relative(root, r.file), r.ms])) }, null, 1));
}
// Without root, a process that a test's world left running (one nested in a file's world, which that
// world's stop does not see) is still here, outside any sandbox: none may be. The files' worlds
// (inWorld) and the world tests' (test/cli/world.test.ts) are made in the temporary directory.
const strays = !isRoot ? userProcesses([join(tmpdir(), 'nslab-test-xdg-'), join(tmpdir(), 'nslab-world-')]) : [];
if (strays.length > 0) {
  console.error(`processes of uid ${process.getuid()} left running after the worlds were stopped: ${strays.join('; ')}`);
  results.push({ file: 'worlds', code: 1, signal: null, ms: 0, pass: 0, fail: 1, skipped: 0 });
}
const failed = results.filter((r) => r.code !== 0);
const sum = (k) => results.reduce((n, r) => n + r[k], 0);
console.log(
  `\n${files.length} files, ${sum('pass')} tests passed, ${sum('fail')} failed, ${sum('skipped')} skipped, in ${((Date.now() - started) / 1000).toFixed(1)} s (${jobs} ${rootless ? 'worlds' : 'sandboxes'} at a time${rootless ? `, ${isRoot ? 'root with --rootless' : `as uid ${process.getuid()}`}` : ''})`,
);
if (failed.length > 0) {
  console.log(`failed: ${failed.map((r) => `${relative(root, r.file)} (exit ${r.signal ?? r.code})`).join(', ')}`);
  process.exit(1);
}
console.log(
  rootless
    ? 'every world checked: no namespace, link, lab state or process left behind, and nslab world stop left nothing'
    : 'every sandbox checked: no namespace, link, lab state or process left behind',
);
