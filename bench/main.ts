/**
 * nslab's benchmarks. Every figure is a median of interleaved runs and is printed next to its baseline
 * run in the same process run, as a ratio: this machine is noisy, absolute times are not comparable across
 * runs, ratios are. Every timed run is checked (the kernel's state, a ping), not only timed.
 *
 * Suites:
 *   tutorial  the tutorial's steps through the Handle, against the tutorial's ip commands one per step
 *   ring      a 200-namespace ring (veth, addresses, up) through the Handle, against ip -batch
 *   cli       `nslab up` of the built-in lab, process start to ping proof, and `nslab down`
 *   watch     the picture of a 1,000-node chain; `nslab ui`'s event-to-page latency and idle CPU (bench/watch.ts)
 *   scale     chain, ring, star, tree (and lan, grid, router-ring) by the CLI against ip and the C limit: scale.ts
 *   rootless  the 1,000-node chain without root (in the user's world) against as root; entering the world
 *   routed    only when asked (--only routed): a 32 x 32 grid and a ring of 1,000 routers with routing: static
 *   multihost (only with --only multihost) a 1,000-node chain on 1 and over 4 simulated hosts, ssh per host,
 *             VXLAN against veth throughput (bench/multihost.ts)
 *   frr       only when asked (--only frr): FRR routers' start and memory, up to converged under OSPF against static (bench/frr.ts)
 *   testing   nslab as a test suite's network: a lab per test, spawn to listening, a 4-file suite (bench/testing.ts)
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { addNamespaces } from '../src/native/index.js';
import { Handle } from '../src/rtnl/index.js';
import { deleteAllNamespaces, fmt, interleave, median, NSLAB_BIN, NSLAB_BUNDLE, sh, timeScript, type Contender } from './lib.js';
import type { ScaleRow } from './scale.js';

/** The table's rows; the scale suite's extra fields ride along in --json. */
type Row = ScaleRow;

const args = process.argv.slice(2);
const json = args.includes('--json');
const only = args.includes('--only') ? (args[args.indexOf('--only') + 1] ?? '').split(',') : undefined;
const repsArg = args.includes('--reps') ? Number(args[args.indexOf('--reps') + 1]) : undefined;
const rows: Row[] = [];
const log = (s: string): void => {
  if (!json) process.stderr.write(`${s}\n`);
};

function pingOk(netns: string, address: string): void {
  const out = sh('ip', ['netns', 'exec', netns, 'ping', '-n', '-c', '1', '-W', '2', address]);
  if (!out.includes('1 received')) throw new Error(`check failed: ${netns} does not reach ${address}`);
}

// ---------------------------------------------------------------------------------------------------
// The tutorial, step by step.

async function tutorialHandle(): Promise<number> {
  const start = performance.now();
  const errs = await addNamespaces(['red', 'green']);
  if (errs.some((e) => e !== undefined)) throw errs.find((e) => e !== undefined);
  const [r, g] = await Handle.openMany(['red', 'green']);
  if (r === undefined || g === undefined) throw new Error('no handles');
  const rv = { index: 2, name: 'rveth' };
  const gv = { index: 2, name: 'gveth' };
  // red: veth (both ends straight in their namespaces), lo up, rveth up, address, route; one sendmsg.
  await Promise.all([
    r.link.addVeth({ name: 'rveth', index: 2, peer: { name: 'gveth', netns: 'green', index: 2 } }),
    r.link.set({ index: 1, name: 'lo' }, { up: true }),
    r.link.set(rv, { up: true }),
    r.addr.add(rv, '10.10.1.2/32'),
    r.route.add({ to: '10.10.1.3/32', dev: rv }),
  ]);
  await Promise.all([
    g.link.set({ index: 1, name: 'lo' }, { up: true }),
    g.link.set(gv, { up: true }),
    g.addr.add(gv, '10.10.1.3/32'),
    g.route.add({ to: '10.10.1.2/32', dev: gv }),
  ]);
  const ms = performance.now() - start;
  r.close();
  g.close();
  pingOk('red', '10.10.1.3');
  return ms;
}

const TUTORIAL_SCRIPT = `
ip netns add red
ip netns add green
ip link add rveth netns red type veth peer name gveth netns green
ip -n red link set lo up
ip -n green link set lo up
ip -n red link set rveth up
ip -n green link set gveth up
ip -n red addr add 10.10.1.2/32 dev rveth
ip -n green addr add 10.10.1.3/32 dev gveth
ip -n red route add 10.10.1.3/32 dev rveth
ip -n green route add 10.10.1.2/32 dev gveth
`;

async function suiteTutorial(): Promise<void> {
  const reps = repsArg ?? 15;
  log(`tutorial: ${reps} interleaved runs of each`);
  const times = await interleave(
    [
      { name: 'nslab Handle', run: tutorialHandle, reset: deleteAllNamespaces },
      {
        name: 'ip per step',
        run: async () => {
          const ms = timeScript(TUTORIAL_SCRIPT);
          pingOk('red', '10.10.1.3');
          return ms;
        },
        reset: deleteAllNamespaces,
      },
    ],
    reps,
  );
  const h = median(times.get('nslab Handle') ?? []);
  const ip = median(times.get('ip per step') ?? []);
  rows.push({ suite: 'tutorial', contender: 'ip per step', medianMs: ip, runs: reps });
  rows.push({ suite: 'tutorial', contender: 'nslab Handle', medianMs: h, runs: reps, ratio: h / ip, baseline: 'ip per step', target: '< 30 ms', met: h < 30 });
}

// ---------------------------------------------------------------------------------------------------
// A ring of N namespaces: node i's `a` cables to node i+1's `b`; 10.R.S.1/31 and .0/31 on each cable.

const RING = 200;
const ringName = (i: number): string => `ring${i}`;
function cable(i: number): { a: string; b: string } {
  const base = i * 2;
  const third = (base >> 8) & 255;
  const fourth = base & 255;
  return { a: `10.${100 + (base >> 16)}.${third}.${fourth + 1}/31`, b: `10.${100 + (base >> 16)}.${third}.${fourth}/31` };
}

async function ringHandle(): Promise<number> {
  const names = Array.from({ length: RING }, (_, i) => ringName(i));
  const start = performance.now();
  const errs = await addNamespaces(names);
  if (errs.some((e) => e !== undefined)) throw errs.find((e) => e !== undefined);
  const hs = await Handle.openMany(names);
  const a = { index: 2, name: 'a' };
  const b = { index: 3, name: 'b' };
  // Wave 1: every node makes its cable to the next (index 2 here, 3 there), brings lo and `a` up, addresses it.
  await Promise.all(
    hs.flatMap((h, i) => [
      h.link.addVeth({ name: 'a', index: 2, peer: { name: 'b', netns: ringName((i + 1) % RING), index: 3 } }),
      h.link.set({ index: 1, name: 'lo' }, { up: true }),
      h.link.set(a, { up: true }),
      h.addr.add(a, cable(i).a),
    ]),
  );
  // Wave 2: the `b` ends that the previous node's cable put here.
  await Promise.all(hs.flatMap((h, i) => [h.link.set(b, { up: true }), h.addr.add(b, cable((i + RING - 1) % RING).b)]));
  const ms = performance.now() - start;
  for (const h of hs) h.close();
  checkRing();
  return ms;
}

function ringBatchScript(dir: string): string {
  // As few ip processes as ip allows: one batch for the namespaces, one for every cable, and (since a
  // batch cannot switch namespace per line) one `ip -n NS -batch` per namespace for addresses and up.
  const lines = [`ip -batch ${join(dir, 'netns.batch')}`, `ip -batch ${join(dir, 'links.batch')}`];
  for (let i = 0; i < RING; i++) lines.push(`ip -n ${ringName(i)} -batch ${join(dir, `${i}.batch`)}`);
  return lines.join('\n');
}

async function writeRingBatches(dir: string): Promise<void> {
  const { mkdirSync, writeFileSync } = await import('node:fs');
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'netns.batch'), Array.from({ length: RING }, (_, i) => `netns add ${ringName(i)}`).join('\n'));
  writeFileSync(
    join(dir, 'links.batch'),
    Array.from({ length: RING }, (_, i) => `link add name a netns ${ringName(i)} type veth peer name b netns ${ringName((i + 1) % RING)}`).join('\n'),
  );
  for (let i = 0; i < RING; i++) {
    writeFileSync(
      join(dir, `${i}.batch`),
      ['link set dev lo up', 'link set dev a up', 'link set dev b up', `addr add ${cable(i).a} dev a`, `addr add ${cable((i + RING - 1) % RING).b} dev b`].join(
        '\n',
      ),
    );
  }
}

function checkRing(): void {
  // Every node's cable carries a ping to its neighbour (a sample of them: the first, the middle, the last).
  for (const i of [0, RING >> 1, RING - 1]) pingOk(ringName(i), cable(i).b.split('/')[0] as string);
  const addrs = JSON.parse(sh('ip', ['-j', '-n', ringName(7), '-4', 'addr', 'show'])) as {
    ifname: string;
    operstate: string;
    addr_info: { local: string }[];
  }[];
  const got = addrs
    .filter((x) => x.ifname !== 'lo')
    .map((x) => `${x.ifname}=${x.addr_info[0]?.local}:${x.operstate}`)
    .sort();
  const want = [`a=${cable(7).a.split('/')[0]}:UP`, `b=${cable(6).b.split('/')[0]}:UP`];
  if (JSON.stringify(got) !== JSON.stringify(want)) throw new Error(`ring check failed at ${ringName(7)}: ${got.join(' ')}`);
}

async function suiteRing(): Promise<void> {
  const reps = repsArg ?? 5;
  const dir = '/run/nslab-bench';
  await writeRingBatches(dir);
  log(`ring: ${RING} namespaces, ${reps} interleaved runs of each`);
  const contenders: Contender[] = [
    { name: 'nslab Handle', run: ringHandle, reset: deleteAllNamespaces },
    {
      name: 'ip -batch',
      run: async () => {
        const ms = timeScript(ringBatchScript(dir));
        checkRing();
        return ms;
      },
      reset: deleteAllNamespaces,
    },
  ];
  const times = await interleave(contenders, reps);
  sh('rm', ['-rf', dir]);
  const h = median(times.get('nslab Handle') ?? []);
  const ip = median(times.get('ip -batch') ?? []);
  rows.push({ suite: `ring ${RING}`, contender: 'ip -batch', medianMs: ip, runs: reps });
  rows.push({
    suite: `ring ${RING}`,
    contender: 'nslab Handle',
    medianMs: h,
    runs: reps,
    ratio: h / ip,
    baseline: 'ip -batch',
    target: '<= 0.5x ip -batch',
    met: h / ip <= 0.5,
  });
}

// ---------------------------------------------------------------------------------------------------
// The CLI, as a user starts it: process start to the ping proof, and down.

async function suiteCli(): Promise<void> {
  if (!existsSync(NSLAB_BUNDLE)) {
    log('cli: skipped, dist/ is not built (npm run build)');
    return;
  }
  const reps = repsArg ?? 5;
  const up: number[] = [];
  const down: number[] = [];
  const tutorial: number[] = [];
  log(`cli: ${reps} runs of nslab up / nslab down, interleaved with the tutorial's ip commands`);
  for (let i = 0; i < reps; i++) {
    let t = performance.now();
    const out = sh(NSLAB_BIN, ['up']);
    up.push(performance.now() - t);
    if (!out.includes('3 received')) throw new Error(`nslab up gave no ping proof:\n${out}`);
    t = performance.now();
    sh(NSLAB_BIN, ['down']);
    down.push(performance.now() - t);
    if (existsSync('/run/netns/red') || existsSync('/run/netns/green')) throw new Error('nslab down left namespaces');
    tutorial.push(timeScript(`${TUTORIAL_SCRIPT}\nip netns exec red ping -n -c 3 -i 0.1 -W 1 10.10.1.3 >/dev/null`));
    await deleteAllNamespaces();
  }
  const baseline = median(tutorial);
  rows.push({ suite: 'cli', contender: 'ip per step + ping', medianMs: baseline, runs: reps });
  rows.push({
    suite: 'cli',
    contender: 'nslab up (start to ping proof)',
    medianMs: median(up),
    runs: reps,
    ratio: median(up) / baseline,
    baseline: 'ip per step + ping',
    target: '< 1000 ms',
    met: median(up) < 1000,
  });
  rows.push({ suite: 'cli', contender: 'nslab down', medianMs: median(down), runs: reps, target: '< 300 ms', met: median(down) < 300 });
}

const suites: Record<string, () => Promise<void>> = {
  tutorial: suiteTutorial,
  ring: suiteRing,
  cli: suiteCli,
  // chain/ring/star/tree at --sizes 10,100,1000, --topologies ...: nslab CLI vs ip per step, ip -batch, C limit
  scale: async () => (await import('./scale.js')).suiteScale(rows, log, repsArg),
  watch: async () => (await import('./watch.js')).suiteWatch(rows, log),
  // the 1,000-node chain (--rootless-size N) up without root against as root; the cost of entering the world
  rootless: async () => (await import('./rootless.js')).suiteRootless(rows, log, repsArg),
  // Only with --only routed: the 32 x 32 grid and the ring of 1,000 routers, routing: static (minutes).
  routed: async () => {
    const scale = await import('./scale.js');
    return scale.suiteScale(rows, log, repsArg, scale.ROUTED_CASES);
  },
  // Only when named (--only multihost): it starts 4 simulated hosts, each with an sshd.
  multihost: async () => (await import('./multihost.js')).suiteMultihost(rows, log),
  // Only with --only frr: FRR routers (issue 19), a 6-router ring and a 10 x 10 grid under OSPF against static.
  frr: async () => (await import('./frr.js')).suiteFrr(rows, log, repsArg),
  testing: async () => (await import('./testing.js')).suiteTesting(rows, log, repsArg),
};
/** Suites a plain `npm run bench` leaves out: each takes minutes or starts daemons. */
const onRequest = new Set(['routed', 'multihost', 'frr']);
try {
  for (const [name, suite] of Object.entries(suites)) {
    if (only !== undefined ? !only.includes(name) : onRequest.has(name)) continue;
    await suite();
  }
} finally {
  await deleteAllNamespaces();
}

if (json) {
  process.stdout.write(
    `${JSON.stringify({ machine: { cpus: (await import('node:os')).cpus().length, kernel: sh('uname', ['-r']).trim(), node: process.version }, rows }, null, 2)}\n`,
  );
} else {
  const lines = [['suite', 'contender', 'median ms', 'ratio', 'target', 'met'].join(' | '), '--- | --- | --- | --- | --- | ---'];
  for (const r of rows) {
    lines.push(
      [
        r.suite,
        r.contender,
        fmt(r.medianMs),
        r.ratio !== undefined ? `${r.ratio.toFixed(2)}x ${r.baseline ?? ''}` : '',
        r.target ?? '',
        r.met === undefined ? '' : r.met ? 'yes' : 'NO',
      ].join(' | '),
    );
  }
  process.stdout.write(`${lines.join('\n')}\n`);
}
