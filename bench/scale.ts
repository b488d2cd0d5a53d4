/**
 * The scale benchmarks (issue 4): chain, ring, star and tree labs of 10, 100 and 1,000 namespaces, brought
 * up and down by four contenders, interleaved A B C D A B C D so the machine's drift hits each alike:
 *
 *   nslab        the real CLI: `bin/nslab up FILE --json`, `... down --lab NAME --json` (the executable
 *                npm run build writes; node on dist/cli/main.js if there is none)
 *   ip per step  one `ip` process per step (bash script), as tutorials and Mininet do it; down: `ip netns del`
 *                per namespace, the down baseline
 *   ip -batch    as few ip processes as ip allows; down: one `ip -batch` of `netns del`
 *   C limit      bench/limit.c, raw netlink batched per namespace, no bookkeeping; down: umount2 + unlink
 *
 * Every up is checked (links, addresses and up state read back with `ip -j`, pings; see topologies.ts) and
 * every down too (nothing left in /run/netns); checks are outside the timings. Times are process start
 * to exit (down: until the namespaces are gone from /run/netns). For nslab, one more run after the timed
 * ones, through bench/nslab-run.mjs under /usr/bin/time -v, gives the peak RSS and the longest event-loop
 * stall.
 *
 * Flags: --sizes 10,100,1000  --topologies chain,ring,star,tree  (--reps N: that many at every size)
 * Sizes go to 10,000 (--sizes 10000; star stops at 1,024: a bridge takes 1,023 ports); the shapes besides:
 * hub (one host cabled to every other), lan (N hosts on one bridge), grid (N routers, a
 * square: 1024) and router-ring, both routed (routing: static). `--only routed` (bench/main.ts) runs the
 * grid of 1,024 and the ring of 1,000 routers. Above 1,000 nodes and for the routed labs, ip per step is left
 * out (tens of thousands of ip processes, or millions: an hour and more).
 *
 * At the end, a table of how each figure grows with the size: nslab's up against the limit's, nslab's down
 * against one ip -batch of netns del, nslab's peak RSS.
 *
 * The targets (docs/performance.md "Targets"; issue 17's for 1,000 and 10,000 nodes and the routed labs) are
 * rows with `met`: the up ratios, the chain's down (1,000: under 120 ms; 10,000: within 1.5x one ip -batch
 * of netns del plus node's start, measured in the same run), the stall and RSS of the instrumented run, and
 * for a routed lab the planning (`up --dry-run --json`: the ring of 1,000 routers under 2 s and 300 MB).
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import {
  deleteAllNamespaces,
  fmt,
  interleave,
  median,
  netnsObjects,
  NSLAB_BIN,
  NSLAB_BUNDLE,
  nslabBinEnv,
  nslabBinNodeFlags,
  settle,
  sh,
  timeCommand,
  type Contender,
} from './lib.js';
import {
  generate,
  interfacesOf,
  ipBatchFiles,
  ipDownBatch,
  ipDownScript,
  ipPerStepScript,
  limitInput,
  netnsOf,
  ALL_SHAPES,
  SHAPES,
  toYaml,
  type Shape,
  type Topology,
} from './topologies.js';

/** A row of bench/main.ts's table; the extra fields ride along in --json. */
export interface ScaleRow {
  suite: string;
  contender: string;
  medianMs: number;
  runs: number;
  ratio?: number;
  baseline?: string;
  target?: string;
  met?: boolean;
  topology?: string;
  size?: number;
  phase?: 'up' | 'down';
  timesMs?: number[];
  unavailable?: string;
  peakRssMb?: number;
  maxEventLoopStallMs?: number;
  note?: string;
}

const ROOT = process.cwd();
const WORK = '/run/nslab-bench-scale'; // inside the sandbox's tmpfs
/** The executable users run (npm run build makes it), else node on the unbundled build. */
const CLI: readonly string[] = existsSync(NSLAB_BUNDLE) ? [NSLAB_BIN] : [process.execPath, join(ROOT, 'dist', 'cli', 'main.js')];
/** What CLI runs: the bundle the executable starts node on, or the unbuilt main.js. */
const CLI_FILE = CLI.length === 1 ? NSLAB_BUNDLE : (CLI.at(-1) as string);
const nslabCommand = (args: string[]): [string, string[]] => [CLI[0] as string, [...CLI.slice(1), ...args]];
/** src/cli/program.ts bundled as dist/bin/nslab.mjs is, for bench/nslab-run.mjs (inside the package, so the addon is found). */
const PROGRAM_BUNDLE = join(ROOT, '.nslab-bench', 'nslab-program.mjs');
const RUNNER = join(ROOT, 'bench', 'nslab-run.mjs');
const LIMIT_SRC = join(ROOT, 'bench', 'limit.c');
const LIMIT = join(WORK, 'nslab-limit');

/**
 * The default run (no --sizes, no --topologies) stays within 5 minutes on a 2-core machine: every shape at
 * 10 and 100 nodes and the 1,000-node chain, which carries the targets, 1 run each. With 3 runs at 10 and
 * 100 the whole `npm run bench` took 196 s on a quiet day and 400 s on a day when every `ip` process
 * started four times slower (ip per step 60 s for the 1,000-node chain); with 1 and 2, 337 s on such a
 * day. Ask for --reps when a figure matters.
 */
const DEFAULT_REPS: Record<number, number> = { 10: 1, 100: 1, 1000: 1 };
const DEFAULT_CASES: readonly (readonly [Shape, number])[] = [...[10, 100].flatMap((n) => SHAPES.map((s) => [s, n] as const)), ['chain', 1000]];

/** `--only routed`: the routed labs of issue 17, a 32 x 32 grid and a ring of 1,000 routers. */
export const ROUTED_CASES: readonly (readonly [Shape, number])[] = [
  ['grid', 1024],
  ['router-ring', 1000],
];

function flag(name: string): string | undefined {
  const argv = process.argv;
  const i = argv.indexOf(name);
  return i >= 0 ? argv[i + 1] : undefined;
}

/** The cases to run, size by size: every --topologies shape at every --sizes size, or the default cases. */
function parseFlags(): (readonly [Shape, number])[] {
  const sizesArg = flag('--sizes');
  const shapesArg = flag('--topologies');
  if (sizesArg === undefined && shapesArg === undefined) return [...DEFAULT_CASES];
  const sizes = (sizesArg ?? '10,100,1000').split(',').map(Number);
  for (const s of sizes) if (!Number.isInteger(s) || s < 10 || s > 10_000) throw new Error(`--sizes: ${s} is not a whole number from 10 to 10000`);
  const shapes = (shapesArg?.split(',') ?? [...SHAPES]) as Shape[];
  for (const s of shapes) if (!ALL_SHAPES.includes(s)) throw new Error(`--topologies: ${s} is not one of ${ALL_SHAPES.join(', ')}`);
  return sizes.flatMap((n) => shapes.map((s) => [s, n] as const));
}

/** net_namespace objects with none of the bench's namespaces alive (see settle in lib.ts). */
let netnsBaseline: number | undefined;
/** Waits after a down that ran out of time with namespaces still held by the kernel (see quiet()). */
let pendingTeardowns = 0;
let settles = 0;

/** netnsObjects() once it stops falling (earlier suites' namespaces may still be in teardown), within 15 s. */
async function steadyNetnsObjects(): Promise<number | undefined> {
  let low = netnsObjects();
  const end = performance.now() + 15_000;
  for (let steady = 0; low !== undefined && steady < 5 && performance.now() < end;) {
    await new Promise((r) => setTimeout(r, 200));
    const now = netnsObjects() ?? low;
    steady = now < low - 8 ? 0 : steady + 1;
    low = Math.min(low, now);
  }
  return low;
}

/**
 * Lets the kernel finish tearing the last lab's namespaces down before the next contender runs, for at
 * most 0.5 s + 3 ms a namespace (about 2.5 s of work at 1,000 here). Past that the namespaces may still be
 * counted for tens of seconds (seen here after every contender alike, 45 s at worst, with little CPU; most
 * likely memory freed lazily after RCU grace periods, as this kernel has CONFIG_RCU_LAZY), which waiting
 * for would blow the time budget; such waits are counted and reported.
 */
async function quiet(size: number, log: (s: string) => void): Promise<void> {
  const start = performance.now();
  const ok = await settle(netnsBaseline, 500 + 3 * size, 300);
  settles++;
  if (!ok) pendingTeardowns++;
  if (process.env.NSLAB_BENCH_DEBUG !== undefined)
    log(`  settle: ${(performance.now() - start).toFixed(0)} ms, net_namespace objects ${netnsObjects()} (baseline ${netnsBaseline})`);
}

// ---------------------------------------------------------------------------------------------------
// Checks.

interface IpAddr {
  ifname: string;
  flags: string[];
  master?: string;
  addr_info: { family: string; local: string; prefixlen: number }[];
}

/** Reads back the sample's links and addresses, and pings. Throws naming the first difference. */
function checkUp(t: Topology, who: string): void {
  const want = interfacesOf(t);
  for (const node of t.sample) {
    const ns = netnsOf(t, node);
    const got = JSON.parse(sh('ip', ['-j', '-n', ns, 'addr', 'show'])) as IpAddr[];
    const fail = (what: string): never => {
      throw new Error(`${who} ${t.name}: check failed in netns ${ns}: ${what}`);
    };
    const lo = got.find((x) => x.ifname === 'lo');
    if (lo === undefined || !lo.flags.includes('UP')) fail('lo is not up');
    const ifs = got.filter((x) => x.ifname !== 'lo');
    const expected = want.get(node) ?? [];
    const names = (xs: { ifname: string }[]): string =>
      xs
        .map((x) => x.ifname)
        .sort()
        .join(',');
    if (names(ifs) !== names(expected)) fail(`interfaces are [${names(ifs)}], expected [${names(expected)}]`);
    for (const e of expected) {
      const g = ifs.find((x) => x.ifname === e.ifname) as IpAddr;
      if (!g.flags.includes('UP')) fail(`${e.ifname} is not up`);
      const addrs = g.addr_info.filter((a) => a.family === 'inet').map((a) => `${a.local}/${a.prefixlen}`);
      const wantAddrs = e.address !== undefined ? [e.address] : [];
      if (addrs.join(',') !== wantAddrs.join(',')) fail(`${e.ifname} has [${addrs.join(',')}], expected [${wantAddrs.join(',')}]`);
      if (g.master !== e.master) fail(`${e.ifname} has master ${g.master ?? 'none'}, expected ${e.master ?? 'none'}`);
    }
  }
  if (t.routed === true) checkRoutes(t, who);
  for (const p of t.pings) {
    // Up to 30 s for the first reply: the kernel turns carrier on and enables bridge ports asynchronously
    // (linkwatch, rate-limited to about once a second, and needing the rtnl lock, which the teardown of the
    // previous contender's 1,000 namespaces holds for long stretches), so the data plane can lag the last
    // ACK. A 10 s deadline once failed for a lab whose links and addresses had just been read back right.
    const from = netnsOf(t, p.from);
    const r = spawnSync('ip', ['netns', 'exec', from, 'ping', '-n', '-c', '1', '-i', '0.2', '-w', '30', '-t', '255', p.to], { encoding: 'utf8' });
    if (!r.stdout.includes('1 received')) {
      const links = spawnSync('ip', ['-n', from, '-d', '-br', 'link'], { encoding: 'utf8' }).stdout.trim();
      throw new Error(`${who} ${t.name}: check failed: ${p.from} does not reach ${p.to} (${p.why}); links of ${from} now:\n${links}`);
    }
  }
}

/** The routes of every sampled node, as the kernel has them (all but its own connected ones), against those nslab computes. */
function checkRoutes(t: Topology, who: string): void {
  const byName = new Map(t.nodes.map((n) => [n.name, n]));
  for (const node of t.sample) {
    const ns = netnsOf(t, node);
    const got = (JSON.parse(sh('ip', ['-j', '-n', ns, 'route', 'show'])) as { dst: string; gateway?: string; dev: string; protocol?: string }[])
      .filter((r) => r.protocol !== 'kernel')
      .map((r) => `${r.dst}${r.gateway !== undefined ? ` via ${r.gateway}` : ''} dev ${r.dev}`)
      .sort();
    const want = (byName.get(node)?.routes ?? [])
      .map((r) => `${r.to}${r.via !== undefined ? ` via ${r.via}` : ''}${r.dev !== undefined ? ` dev ${r.dev}` : ''}`)
      .sort();
    if (got.join('\n') !== want.join('\n')) {
      const missing = want.filter((r) => !got.includes(r));
      const extra = got.filter((r) => !want.includes(r));
      throw new Error(
        `${who} ${t.name}: check failed in netns ${ns}: ${got.length} routes, expected ${want.length}; missing ${missing.slice(0, 3).join(', ')}; unexpected ${extra.slice(0, 3).join(', ')}`,
      );
    }
  }
}

function checkDown(t: Topology, who: string): void {
  const left = existsSync('/run/netns') ? readdirSync('/run/netns') : [];
  if (left.length > 0) throw new Error(`${who} ${t.name}: after down, /run/netns still holds ${left.length} (${left.slice(0, 3).join(', ')}...)`);
  if (existsSync(join('/run/nslab', t.name))) throw new Error(`${who} ${t.name}: after down, /run/nslab/${t.name} remains`);
}

/** Down is timed until every namespace of the lab is gone from /run/netns. */
function timeDown(t: Topology, cmd: string, args: string[]): number {
  const start = performance.now();
  timeCommand(cmd, args);
  const ours = new Set(t.nodes.map((n) => netnsOf(t, n.name)));
  while (existsSync('/run/netns') && readdirSync('/run/netns').some((n) => ours.has(n))) {
    if (performance.now() - start > 60_000) throw new Error(`${t.name}: namespaces still in /run/netns 60 s after down`);
  }
  return performance.now() - start;
}

// ---------------------------------------------------------------------------------------------------
// Contenders.

interface Files {
  yaml: string;
  step: string;
  stepDown: string;
  batch: string;
  batchDown: string;
  limit: string;
}

function writeFiles(t: Topology): Files {
  const dir = join(WORK, t.name);
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  const f: Files = {
    yaml: join(dir, `${t.name}.yaml`),
    step: join(dir, 'up-per-step.sh'),
    stepDown: join(dir, 'down-per-step.sh'),
    batch: join(dir, 'up-batch.sh'),
    batchDown: join(dir, 'down-batch.sh'),
    limit: join(dir, 'limit.in'),
  };
  writeFileSync(f.yaml, toYaml(t));
  writeFileSync(f.step, ipPerStepScript(t));
  writeFileSync(f.stepDown, ipDownScript(t));
  const up = ipBatchFiles(t, dir);
  const down = ipDownBatch(t, dir);
  for (const [p, text] of [...up.files, ...down.files]) writeFileSync(p, text);
  writeFileSync(f.batch, up.script);
  writeFileSync(f.batchDown, down.script);
  writeFileSync(f.limit, limitInput(t));
  return f;
}

/** Removes whatever a failed run left (sandbox only): the lab through nslab if it has state, then every namespace. */
async function cleanup(t: Topology): Promise<void> {
  if (existsSync(join('/run/nslab', t.name))) spawnSync(...nslabCommand(['down', '--lab', t.name, '--json']), { encoding: 'utf8' });
  await deleteAllNamespaces();
  rmSync(join('/run/nslab', t.name), { recursive: true, force: true });
}

interface Timed {
  up: number[];
  down: number[];
}

function contender(t: Topology, name: string, timed: Map<string, Timed>, up: () => number, down: () => number, log: (s: string) => void): Contender {
  timed.set(name, { up: [], down: [] });
  let settled = false; // interleave() resets before and after each run: settle once between runs
  return {
    name,
    run: async () => {
      settled = false;
      const ms = up();
      checkUp(t, name);
      const d = down();
      checkDown(t, name);
      timed.get(name)?.down.push(d);
      return ms;
    },
    reset: async () => {
      if ((existsSync('/run/netns') && readdirSync('/run/netns').length > 0) || existsSync(join('/run/nslab', t.name))) await cleanup(t);
      if (!settled) await quiet(t.nodes.length, log);
      settled = true;
    },
  };
}

const nslabUp = (f: Files): number => timeCommand(...nslabCommand(['up', f.yaml, '--json'])).ms;
const nslabDown = (t: Topology): number => timeDown(t, ...nslabCommand(['down', '--lab', t.name, '--json']));

/** Is the nslab CLI there, and does it take this topology? An untimed up/check/down (also a warm-up). */
async function nslabAvailable(t: Topology, f: Files): Promise<string | undefined> {
  if (!existsSync(CLI_FILE)) return 'dist/ is not built (npm run build)';
  try {
    nslabUp(f);
    checkUp(t, 'nslab');
    nslabDown(t);
    checkDown(t, 'nslab');
    return undefined;
  } catch (e) {
    await cleanup(t);
    const m = /^\S+(?: \S+)? (up|down) [\s\S]*? failed \(([^)]*)\): ([\s\S]*)$/.exec((e as Error).message);
    const why = m !== null ? `nslab ${m[1]} exited ${m[2]}: ${m[3]}` : (e as Error).message;
    return why.replace(/\s+/g, ' ').slice(0, 240);
  }
}

/** The peak RSS `/usr/bin/time -v` printed (kB), if it did. */
const timeVRssKb = (stderr: string): string | undefined => /Maximum resident set size \(kbytes\): (\d+)/.exec(stderr)?.[1];

/** One instrumented nslab up (peak RSS, event-loop stall), untimed for the medians. */
function nslabInstrumented(t: Topology, f: Files, bundle: string | undefined): { rssMb: number; stallMs: number; stallWholeMs: number; upMs: number } {
  const useTime = existsSync('/usr/bin/time');
  // Node's flags as the executable gives them (bin/nslab), then the runner in place of the bundle.
  const argv = [...nslabBinNodeFlags(), RUNNER, 'up', f.yaml, '--json'];
  const env = { ...nslabBinEnv(process.env), ...(bundle !== undefined ? { NSLAB_BENCH_PROGRAM: bundle } : {}) };
  const start = performance.now();
  // Its stdout (the plan as JSON, megabytes for a routed lab) is not wanted: only the stats on stderr.
  const r = spawnSync(useTime ? '/usr/bin/time' : process.execPath, useTime ? ['-v', process.execPath, ...argv] : argv, {
    encoding: 'utf8',
    env,
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  const ms = performance.now() - start;
  if (r.status !== 0) throw new Error(`instrumented nslab up failed (${r.status}): ${r.stderr.slice(0, 500)}`);
  const statsLine = r.stderr.split('\n').find((l) => l.startsWith('nslab-bench-stats '));
  if (statsLine === undefined) throw new Error(`nslab-run.mjs printed no stats: ${r.stderr.slice(0, 300)}`);
  const stats = JSON.parse(statsLine.slice('nslab-bench-stats '.length)) as { maxDelayMs: number; maxDelayUpMs: number; maxRssKb: number };
  const timeRss = timeVRssKb(r.stderr);
  checkUp(t, 'nslab (instrumented)');
  nslabDown(t);
  checkDown(t, 'nslab (instrumented)');
  return { rssMb: Number(timeRss ?? stats.maxRssKb) / 1024, stallMs: stats.maxDelayUpMs, stallWholeMs: stats.maxDelayMs, upMs: ms };
}

/**
 * `nslab up FILE --dry-run --json` (observe and plan, change nothing), `reps` times under /usr/bin/time -v:
 * each run's wall time and the largest peak RSS. The plan as JSON goes to a pipe that is read and dropped.
 */
function nslabPlanning(t: Topology, f: Files, reps: number): { ms: number[]; rssMb: number } {
  const ms: number[] = [];
  let rssKb = 0;
  const [cmd, args] = nslabCommand(['up', f.yaml, '--dry-run', '--json']);
  const useTime = existsSync('/usr/bin/time');
  for (let i = 0; i < Math.max(1, reps); i++) {
    const r = timeCommand(useTime ? '/usr/bin/time' : cmd, useTime ? ['-v', cmd, ...args] : args);
    ms.push(r.ms);
    rssKb = Math.max(rssKb, Number(timeVRssKb(r.stderr) ?? 0));
  }
  if (existsSync('/run/netns') && readdirSync('/run/netns').length > 0) throw new Error(`nslab up --dry-run of ${t.name} left namespaces in /run/netns`);
  return { ms, rssMb: rssKb / 1024 };
}

/** How long node takes to start and exit with nothing to run, with the executable's flags: the median of five. */
function nodeStartMs(): number {
  const ms: number[] = [];
  for (let i = 0; i < 5; i++) ms.push(timeCommand(process.execPath, [...nslabBinNodeFlags(), '-e', '0']).ms);
  return median(ms);
}

/**
 * Issue 17's targets for a chain's down: the 1,000-node chain's under 120 ms; the 10,000-node chain's
 * within 1.5x of one `ip -batch` of `netns del` plus node's own start (nslab is a node program, ip is
 * not), node's start measured here, in the same run.
 */
export function downTargets(size: number, nslabMs: number, batchMs: number, times: number[]): ScaleRow[] {
  const base = { suite: `scale chain-${size} down`, medianMs: nslabMs, runs: times.length, topology: 'chain', size, phase: 'down' as const, timesMs: times };
  if (size === 1000) return [{ ...base, contender: 'nslab down', target: '< 120 ms', met: nslabMs < 120 }];
  if (size !== 10_000) return [];
  const start = nodeStartMs();
  const ratio = nslabMs / (batchMs + start);
  return [
    {
      ...base,
      contender: `nslab vs ip -batch netns del + node's start (${fmt(start)} ms)`,
      ratio,
      baseline: 'ip -batch netns del + node start',
      target: '<= 1.5x',
      met: ratio <= 1.5,
    },
  ];
}

// ---------------------------------------------------------------------------------------------------
// The suite.

/** Bundles src/cli/program.ts with esbuild as scripts/bundle.mjs bundles the bin; undefined if it cannot. */
async function bundleProgram(log: (s: string) => void): Promise<string | undefined> {
  try {
    const { build, stop } = await import('esbuild');
    // Split into chunks as the executable's bundle is (scripts/bundle.mjs): in one file, every command's
    // modules load at start, and the process held about 130 MB more at the 10,000-node chain's peak
    // (437-441 MB against the executable's 305-310 MB, by hand).
    await build({
      entryPoints: { 'nslab-program': join(ROOT, 'src', 'cli', 'program.ts') },
      outdir: dirname(PROGRAM_BUNDLE),
      outExtension: { '.js': '.mjs' },
      splitting: true,
      chunkNames: 'chunk-[hash]',
      bundle: true,
      platform: 'node',
      format: 'esm',
      target: 'node20',
      logLevel: 'warning',
      banner: { js: "import { createRequire as nslabCreateRequire } from 'node:module';\nconst require = nslabCreateRequire(import.meta.url);" },
    });
    // esbuild's service process would otherwise run until the bench ends, and its check for debris counts it.
    await stop();
    return PROGRAM_BUNDLE;
  } catch (e) {
    log(`scale: could not bundle src/cli/program.ts (${(e as Error).message.split('\n')[0]}); the stall and RSS run loads the unbundled dist/cli/program.js`);
    return undefined;
  }
}

function buildLimit(): void {
  mkdirSync(WORK, { recursive: true });
  const r = spawnSync('cc', ['-O2', '-o', LIMIT, LIMIT_SRC], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`cc -O2 -o ${LIMIT} bench/limit.c failed: ${r.stderr || r.error?.message}`);
}

const pct = (x: number): string => `${x.toFixed(2)}x`;

export async function suiteScale(
  rows: { push(row: ScaleRow): unknown },
  log: (s: string) => void,
  repsArg: number | undefined,
  only?: readonly (readonly [Shape, number])[],
): Promise<void> {
  const cases = only ?? parseFlags();
  const growth: string[] = [];
  buildLimit();
  const bundle = existsSync(CLI_FILE) ? await bundleProgram(log) : undefined;
  await deleteAllNamespaces();
  netnsBaseline = await steadyNetnsObjects();
  const summary: string[] = [];
  try {
    for (const [shape, size] of cases) {
      const reps = repsArg ?? DEFAULT_REPS[size] ?? (size <= 10 ? 5 : size <= 100 ? 3 : 1);
      const t = generate(shape, size);
      const f = writeFiles(t);
      const suite = `scale ${t.name}`;
      await cleanup(t);
      const unavailable = await nslabAvailable(t, f);
      const routeCount = t.nodes.reduce((sum, n) => sum + n.routes.length, 0);
      log(
        `scale ${t.name}: ${t.nodes.length} namespaces, ${t.cables.length} cables, ${routeCount} routes, ${reps} interleaved run${reps === 1 ? '' : 's'} of each; check: ${t.checkNote}${unavailable !== undefined ? `; nslab unavailable: ${unavailable}` : ''}`,
      );
      const timed = new Map<string, Timed>();
      const contenders: Contender[] = [];
      if (unavailable === undefined)
        contenders.push(
          contender(
            t,
            'nslab',
            timed,
            () => nslabUp(f),
            () => nslabDown(t),
            log,
          ),
        );
      const stepless = t.nodes.length > 1000 || t.routed === true;
      if (!stepless)
        contenders.push(
          contender(
            t,
            'ip per step',
            timed,
            () => timeCommand('bash', ['-e', f.step]).ms,
            () => timeDown(t, 'bash', ['-e', f.stepDown]),
            log,
          ),
        );
      contenders.push(
        contender(
          t,
          'ip -batch',
          timed,
          () => timeCommand('bash', ['-e', f.batch]).ms,
          () => timeDown(t, 'bash', ['-e', f.batchDown]),
          log,
        ),
      );
      contenders.push(
        contender(
          t,
          'C limit',
          timed,
          () => timeCommand(LIMIT, [f.limit]).ms,
          () => timeDown(t, LIMIT, ['--delete', f.limit]),
          log,
        ),
      );
      const ups = await interleave(contenders, reps);
      for (const [name, xs] of ups) (timed.get(name) as Timed).up = xs;

      const med = (name: string, phase: 'up' | 'down'): number => median(timed.get(name)?.[phase] ?? []);
      const downName: Record<string, string> = {
        'ip per step': 'ip netns del per namespace',
        'ip -batch': 'ip -batch netns del',
        'C limit': 'C limit --delete',
      };
      const bases = ['ip per step', 'ip -batch', 'C limit'].filter((b) => timed.has(b));
      for (const phase of ['up', 'down'] as const) {
        for (const base of bases) {
          const label = phase === 'up' ? base : (downName[base] as string);
          rows.push({
            suite: `${suite} ${phase}`,
            contender: label,
            medianMs: med(base, phase),
            runs: reps,
            topology: shape,
            size,
            phase,
            timesMs: timed.get(base)?.[phase] ?? [],
          });
        }
        if (unavailable !== undefined) {
          rows.push({
            suite: `${suite} ${phase}`,
            contender: 'nslab',
            medianMs: Number.NaN,
            runs: 0,
            topology: shape,
            size,
            phase,
            unavailable,
            target: `unavailable: ${unavailable.slice(0, 120)}`,
          });
          continue;
        }
        const n = med('nslab', phase);
        const targets: Record<string, number | undefined> =
          phase === 'up'
            ? shape === 'chain' && size === 1000
              ? { 'ip per step': 0.1, 'ip -batch': 0.4, 'C limit': 1.3 }
              : shape === 'chain' && size === 10_000
                ? { 'C limit': 1.3 }
                : t.routed === true
                  ? { 'C limit': 2 }
                  : {}
            : size === 1000
              ? { 'ip per step': 0.1 }
              : {};
        if (phase === 'down' && shape === 'chain')
          for (const row of downTargets(size, n, med('ip -batch', 'down'), timed.get('nslab')?.down ?? [])) rows.push(row);
        for (const base of bases) {
          const label = phase === 'up' ? base : (downName[base] as string);
          const ratio = n / med(base, phase);
          const limit = targets[base];
          rows.push({
            suite: `${suite} ${phase}`,
            contender: `nslab vs ${label}`,
            medianMs: n,
            runs: reps,
            ratio,
            baseline: label,
            topology: shape,
            size,
            phase,
            timesMs: timed.get('nslab')?.[phase] ?? [],
            ...(limit !== undefined ? { target: `<= ${limit}x ${label}`, met: ratio <= limit } : {}),
          });
        }
      }
      let extra = '';
      if (unavailable === undefined && t.routed === true) {
        const p = nslabPlanning(t, f, reps);
        // Issue 17: the ring of 1,000 routers planned in under 2 s and 300 MB.
        const ring = shape === 'router-ring' && size === 1000;
        rows.push({
          suite: `${suite} plan`,
          contender: `nslab planning (up --dry-run --json; the largest peak RSS of those runs: ${p.rssMb.toFixed(0)} MB)`,
          medianMs: median(p.ms),
          runs: p.ms.length,
          topology: shape,
          size,
          timesMs: p.ms,
          peakRssMb: p.rssMb,
          ...(ring ? { target: '< 2000 ms and < 300 MB', met: median(p.ms) < 2000 && p.rssMb < 300 } : {}),
        });
        extra += `; planning ${fmt(median(p.ms))} ms, ${p.rssMb.toFixed(0)} MB`;
      }
      if (unavailable === undefined) {
        await quiet(t.nodes.length, log);
        let m: ReturnType<typeof nslabInstrumented> | undefined;
        try {
          m = nslabInstrumented(t, f, bundle);
        } catch (e) {
          await cleanup(t);
          log(`scale ${t.name}: the instrumented nslab run failed, no stall or RSS figure: ${(e as Error).message.slice(0, 300)}`);
        }
        // Issue 17: under 400 MB at 10,000 nodes; 200 MB at 1,000 (issue 4's line). A routed lab holds its
        // routes' table besides (a million routes for the ring of 1,000 routers): issue 17 sets its budget
        // for planning (the plan row), none for the whole up, so its RSS is reported without a target.
        const rssTarget = t.routed === true ? undefined : size >= 10_000 ? 400 : 200;
        if (m !== undefined) {
          rows.push({
            suite: `${suite} up`,
            contender: 'nslab event-loop stall',
            medianMs: m.stallMs,
            runs: 1,
            topology: shape,
            size,
            phase: 'up',
            maxEventLoopStallMs: m.stallMs,
            target: '< 50 ms',
            met: m.stallMs < 50,
          });
          rows.push({
            suite: `${suite} up`,
            contender: 'nslab event-loop stall, whole process (file parse included; no target)',
            medianMs: m.stallWholeMs,
            runs: 1,
            topology: shape,
            size,
            phase: 'up',
            maxEventLoopStallMs: m.stallWholeMs,
          });
          rows.push({
            suite: `${suite} up`,
            contender: 'nslab peak RSS (time: that run)',
            medianMs: m.upMs,
            runs: 1,
            topology: shape,
            size,
            phase: 'up',
            peakRssMb: m.rssMb,
            ...(rssTarget !== undefined
              ? { target: `< ${rssTarget} MB: ${m.rssMb.toFixed(0)} MB`, met: m.rssMb < rssTarget }
              : { contender: `nslab peak RSS (time: that run): ${m.rssMb.toFixed(0)} MB, no target for a routed lab's up (its planning's: the plan row)` }),
          });
          extra += `; nslab peak RSS ${m.rssMb.toFixed(0)} MB, longest event-loop stall ${m.stallMs.toFixed(0)} ms during up (${m.stallWholeMs.toFixed(0)} ms over the whole process, parsing the file included)`;
        }
      }
      const line = (phase: 'up' | 'down'): string => {
        const b = bases.map((x) => `${phase === 'up' ? x : downName[x]} ${fmt(med(x, phase))}`).join(', ');
        if (unavailable !== undefined) return `${phase}: ${b} ms; nslab unavailable`;
        const n = med('nslab', phase);
        const ratios = bases.map((x) => `nslab/${x === 'C limit' ? 'limit' : x.replaceAll(' ', '-')} ${pct(n / med(x, phase))}`).join(', ');
        return `${phase}: nslab ${fmt(n)}, ${b} ms; ${ratios}`;
      };
      growth.push(
        [
          t.name,
          String(t.nodes.length),
          String(routeCount),
          unavailable === undefined ? fmt(med('nslab', 'up')) : 'unavailable',
          fmt(med('C limit', 'up')),
          unavailable === undefined ? pct(med('nslab', 'up') / med('C limit', 'up')) : '',
          unavailable === undefined ? fmt(med('nslab', 'down')) : '',
          fmt(med('ip -batch', 'down')),
          unavailable === undefined ? pct(med('nslab', 'down') / med('ip -batch', 'down')) : '',
          /peak RSS (\d+) MB/.exec(extra)?.[1] ?? '',
          /stall (\d+) ms/.exec(extra)?.[1] ?? '',
        ].join(' | '),
      );
      summary.push(`${t.name} (${reps} rep${reps === 1 ? '' : 's'}) ${line('up')} | ${line('down')}${extra}`);
      log(`  ${summary[summary.length - 1]}`);
    }
    log(
      [
        'how the figures grow (ms; medians of this run):',
        'lab | nodes | routes | nslab up | limit up | nslab/limit | nslab down | ip -batch netns del | nslab/ip-batch | nslab RSS MB | stall ms',
        '--- | --- | --- | --- | --- | --- | --- | --- | --- | --- | ---',
        ...growth,
      ].join('\n'),
    );
    if (pendingTeardowns > 0)
      log(
        `scale: in ${pendingTeardowns} of ${settles} waits between runs the kernel still held namespaces of the last lab after 0.5 s + 3 ms a namespace (see docs/performance.md)`,
      );
  } finally {
    await deleteAllNamespaces();
    rmSync(WORK, { recursive: true, force: true });
    rmSync(dirname(PROGRAM_BUNDLE), { recursive: true, force: true });
  }
}
