/**
 * nslab as a test suite's network (`npm run bench -- --only testing`):
 *
 *   lab per test     up + down of an isolated 3-node lab, as the test fixtures do around each test
 *                    (median and p90; target: median < 30 ms)
 *   spawn to listen  node.spawn of a server and node.waitForPort, against the same server started with
 *                    `ip netns exec` that says when it listens: what nslab adds (the record in the lab's
 *                    state under its lock, the sock_diag polls)
 *   4-file suite     examples/testing/ (four node:test files on one topology file) with four files at once,
 *                    against one at a time
 */
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { Lab } from '../src/index.js';
import { median } from './lib.js';
import type { ScaleRow } from './scale.js';

type Rows = { push(row: ScaleRow): unknown };

/** The names under /run/netns now. */
const netnsNames = (): string[] => (existsSync('/run/netns') ? readdirSync('/run/netns') : []);

/** The value below which `share` of the times fall. */
function percentile(xs: readonly number[], share: number): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.ceil(share * s.length) - 1)] as number;
}

const CHAIN = {
  name: 'bench-test',
  addressing: { p2p: '10.77.0.0/24' },
  routing: 'static' as const,
  nodes: { client: {}, router: { kind: 'router' as const }, server: {} },
  links: [{ endpoints: ['client', 'router'] }, { endpoints: ['router', 'server'] }],
};

async function labPerTest(rows: Rows, log: (s: string) => void, reps: number): Promise<void> {
  log(`testing: ${reps} isolated 3-node labs up and down, as the fixtures do around each test`);
  const times: number[] = [];
  for (let i = 0; i < reps; i++) {
    const lab = Lab.define(CHAIN, { isolate: true });
    const start = performance.now();
    await lab.up();
    const upMs = performance.now() - start;
    // Checked, outside the timing: the three namespaces are there (and gone after down).
    const ns = netnsNames().filter((n) => n.startsWith(`${lab.name}-`));
    if (ns.length !== 3) throw new Error(`lab ${lab.name} has ${ns.length} namespaces, not 3`);
    const downStart = performance.now();
    await lab.down();
    times.push(upMs + performance.now() - downStart);
    if (netnsNames().some((n) => n.startsWith(`${lab.name}-`))) throw new Error(`lab ${lab.name} left namespaces`);
  }
  const med = median(times);
  rows.push({
    suite: 'testing',
    contender: 'lab per test: up + down, 3 nodes',
    medianMs: med,
    runs: reps,
    target: 'median < 30 ms',
    met: med < 30,
    timesMs: times,
  });
  rows.push({ suite: 'testing', contender: 'lab per test: p90', medianMs: percentile(times, 0.9), runs: reps });
}

const SERVER = "require('net').createServer((c) => c.end()).listen(9090, () => console.log('listening'))";

/** The server started with ip netns exec, until it prints that it listens: its own time to listen. */
function plainStart(netns: string): Promise<number> {
  const start = performance.now();
  return new Promise((resolve, reject) => {
    const child = spawn('ip', ['netns', 'exec', netns, 'node', '-e', SERVER], { stdio: ['ignore', 'pipe', 'inherit'] });
    child.stdout.on('data', () => {
      const ms = performance.now() - start;
      child.kill();
      child.once('close', () => resolve(ms));
    });
    child.once('error', reject);
  });
}

async function spawnToListen(rows: Rows, log: (s: string) => void, reps: number): Promise<void> {
  log(`testing: ${reps} interleaved server starts, node.spawn + waitForPort against ip netns exec + the server's own line`);
  const lab = Lab.define(CHAIN, { isolate: true });
  await lab.up();
  const viaNslab: number[] = [];
  const plain: number[] = [];
  try {
    const server = lab.node('server');
    for (let i = 0; i < reps; i++) {
      const start = performance.now();
      const p = await server.spawn(['node', '-e', SERVER]);
      await p.waitForPort(9090);
      viaNslab.push(performance.now() - start);
      // Checked: the client connects to it by name.
      if (!(await lab.node('client').connect('server', 9090)).ok) throw new Error('the spawned server took no connection');
      await p[Symbol.asyncDispose]();
      plain.push(await plainStart(server.netns));
    }
  } finally {
    await lab.down();
  }
  const a = median(viaNslab);
  const b = median(plain);
  rows.push({ suite: 'testing', contender: 'server start, ip netns exec (its own line)', medianMs: b, runs: reps });
  rows.push({ suite: 'testing', contender: 'server start, node.spawn + waitForPort', medianMs: a, runs: reps, ratio: a / b, baseline: 'ip netns exec' });
  rows.push({ suite: 'testing', contender: 'spawn-to-listening overhead (difference of medians)', medianMs: a - b, runs: reps });
}

function suiteRun(concurrency: number, files: readonly string[]): number {
  const { NODE_TEST_CONTEXT: _, ...env } = process.env;
  const start = performance.now();
  const r = spawnSync(process.execPath, ['--conditions=nslab-source', '--import', 'tsx', '--test', `--test-concurrency=${concurrency}`, ...files], {
    encoding: 'utf8',
    env,
  });
  const ms = performance.now() - start;
  if (r.status !== 0 || !/^# pass 7$/m.test(r.stdout))
    throw new Error(`examples/testing failed (concurrency ${concurrency}):\n${r.stdout.slice(-2000)}${r.stderr}`);
  return ms;
}

function fourFiles(rows: Rows, log: (s: string) => void, reps: number): void {
  const files = readdirSync('examples/testing')
    .filter((f) => f.endsWith('.test.ts'))
    .map((f) => `examples/testing/${f}`);
  log(`testing: examples/testing (${files.length} files), ${reps} interleaved runs four at a time and one at a time`);
  const parallel: number[] = [];
  const serial: number[] = [];
  for (let i = 0; i < reps; i++) {
    parallel.push(suiteRun(4, files));
    serial.push(suiteRun(1, files));
  }
  const p = median(parallel);
  const s = median(serial);
  rows.push({ suite: 'testing', contender: `${files.length}-file suite, one file at a time`, medianMs: s, runs: reps });
  rows.push({
    suite: 'testing',
    contender: `${files.length}-file suite, four files at once`,
    medianMs: p,
    runs: reps,
    ratio: p / s,
    baseline: 'one at a time',
  });
}

export async function suiteTesting(rows: Rows, log: (s: string) => void, repsArg: number | undefined): Promise<void> {
  await labPerTest(rows, log, repsArg ?? 30);
  await spawnToListen(rows, log, repsArg ?? 10);
  fourFiles(rows, log, Math.min(repsArg ?? 3, 5));
}
