/**
 * The chaos test of issue 14: kill -9 at a random moment of `nslab up` or `nslab down` (or of an update),
 * recover with one nslab command, and check that nothing of the lab is left and that a fresh `up` pings.
 * Runs inside a private sandbox (npm run chaos; npm test runs a short one): every leftover it looks for is
 * in the sandbox's own /run, /etc/netns, network namespace and processes.
 *
 *   npm run chaos -- --cycles 1000 --seed 42
 *   npm run chaos -- --cycles 50 --frr          (FRR labs too: rings under OSPF and BGP)
 *
 * Every cycle is drawn from the seed, and a failure prints the seed and the cycle, so that it replays:
 * `npm run chaos -- --seed S --from N --cycles 1`.
 */
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, readlinkSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { prng } from '../helpers/random.js';

const ROOT = join(fileURLToPath(import.meta.url), '..', '..', '..');
const NSLAB = join(ROOT, 'bin', 'nslab');

export type Shape = 'chain' | 'ring' | 'star' | 'lan' | 'routed' | 'ospf' | 'bgp';
export const SHAPES: readonly Shape[] = ['chain', 'ring', 'star', 'lan', 'routed'];
/** With `--frr`: rings of routers that run FRR as well (slower: their daemons start, and routing converges). */
export const FRR_SHAPES: readonly Shape[] = [...SHAPES, 'ospf', 'bgp'];

const isFrr = (shape: Shape): boolean => shape === 'ospf' || shape === 'bgp';

/** A lab of `size` nodes of a shape, with a background process on a few nodes, as nslab YAML. */
export function labFile(name: string, shape: Shape, size: number, servers: number): string {
  const nodes: string[] = [];
  const links: string[] = [];
  const n = (i: number): string => `n${i}`;
  const server = (i: number): string => (i < servers ? `    exec:\n      - { run: "sleep 100000", background: true }\n` : '');
  if (shape === 'chain' || shape === 'ring') {
    // Routers, so that the ends reach each other over the routes nslab computes.
    for (let i = 0; i < size; i++) nodes.push(`  ${n(i)}:\n    kind: router\n${server(i)}`);
    for (let i = 0; i + 1 < size; i++) links.push(`  - endpoints: [${n(i)}, ${n(i + 1)}]`);
    if (shape === 'ring' && size > 2) links.push(`  - endpoints: [${n(size - 1)}, ${n(0)}]`);
    return `name: ${name}\naddressing: { p2p: 10.${(size % 200) + 1}.0.0/16 }\nrouting: static\nnodes:\n${nodes.join('')}links:\n${links.join('\n')}\n`;
  }
  if (shape === 'star' || shape === 'lan') {
    // star: a router in the middle of /30 cables; lan: one bridge and its hosts.
    const hub = shape === 'star' ? 'hub:\n    kind: router\n' : 'sw:\n    kind: bridge\n';
    nodes.push(`  ${hub}`);
    for (let i = 1; i < size; i++) nodes.push(`  ${n(i)}:\n${server(i - 1)}`);
    for (let i = 1; i < size; i++) links.push(`  - endpoints: [${shape === 'star' ? 'hub' : 'sw'}, ${n(i)}]`);
    const addressing = shape === 'star' ? 'addressing: { p2p: 10.50.0.0/16 }\nrouting: static\n' : 'addressing: { lan: 10.60.0.0/16 }\n';
    return `name: ${name}\n${addressing}nodes:\n${nodes.join('')}links:\n${links.join('\n')}\n`;
  }
  // routed: a ring of routers, each with a host (ospf, bgp: the routers run FRR, with fast OSPF timers).
  const routers = Math.max(3, Math.floor(size / 2));
  for (let i = 0; i < routers; i++) nodes.push(`  r${i}:\n    kind: router\n`, `  h${i}:\n${server(i)}`);
  for (let i = 0; i < routers; i++) links.push(`  - endpoints: [r${i}, r${(i + 1) % routers}]`, `  - endpoints: [r${i}, h${i}]`);
  const routing = shape === 'ospf' ? 'routing: ospf\nospf: { hello: 1 }\n' : shape === 'bgp' ? 'routing: bgp\n' : 'routing: static\n';
  return `name: ${name}\naddressing: { p2p: 10.70.0.0/16 }\n${routing}nodes:\n${nodes.join('')}links:\n${links.join('\n')}\n`;
}

/** Two nodes of the lab that must reach each other once it is up. */
function pingPair(shape: Shape, size: number): [from: string, to: string] {
  if (shape === 'routed' || isFrr(shape)) return ['h0', `h${Math.max(3, Math.floor(size / 2)) - 1}`];
  if (shape === 'star' || shape === 'lan') return ['n1', `n${size - 1}`];
  return ['n0', `n${size - 1}`];
}

export type Stage = 'up' | 'down' | 'update' | 'contended';
export type Recovery = 'down FILE' | 'down --lab' | 'clean' | 'up FILE + down FILE';
const STAGES: readonly Stage[] = ['up', 'down', 'update', 'contended'];
const RECOVERIES: readonly Recovery[] = ['down FILE', 'down --lab', 'clean', 'up FILE + down FILE'];

export interface Cycle {
  index: number;
  shape: Shape;
  size: number;
  stage: Stage;
  killAfterMs: number;
  recovery: Recovery;
}

export interface CycleResult extends Cycle {
  /** Did the kill land while the command ran (rather than after it had finished)? */
  killed: boolean;
  /** What was left after the recovery, or what failed; empty when the cycle passed. */
  problems: string[];
  ms: number;
}

/** The cycles a seed draws (the same for the same seed, whatever else runs). */
export function drawCycles(seed: number, from: number, count: number, maxNodes: number, frr = false): Cycle[] {
  const next = prng(seed); // the same seed, the same cycles
  const cycles: Cycle[] = [];
  const shapes = frr ? FRR_SHAPES : SHAPES;
  for (let index = 0; index < from + count; index++) {
    const shape = shapes[Math.floor(next() * shapes.length)] as Shape;
    // An FRR lab is a ring of routers and hosts, 6 to 20 nodes: its daemons are the point, not its size.
    const size = isFrr(shape) ? 6 + Math.floor(next() * Math.min(15, maxNodes - 5)) : 3 + Math.floor(next() * (maxNodes - 2));
    const stage = STAGES[Math.floor(next() * STAGES.length)] as Stage;
    const killAt = next();
    const recovery = RECOVERIES[Math.floor(next() * RECOVERIES.length)] as Recovery;
    // The moment: anywhere from the start of the process to about when a command of this size ends (an
    // FRR router's daemons take some 60 ms to start).
    const killAfterMs = Math.floor(killAt * (150 + size * (isFrr(shape) ? 40 : 4)));
    if (index >= from) cycles.push({ index, shape, size, stage, killAfterMs, recovery });
  }
  return cycles;
}

function nslab(args: string[]): { code: number; out: string } {
  const r = spawnSync(NSLAB, args, { encoding: 'utf8', timeout: 120_000 });
  return { code: r.status ?? 1, out: `${r.stdout ?? ''}${r.stderr ?? ''}` };
}

function nslabOk(args: string[], problems: string[], what: string): void {
  const r = nslab(args);
  if (r.code !== 0) problems.push(`${what}: nslab ${args.join(' ')} exited ${r.code}: ${r.out.trim().slice(0, 2000)}`);
}

/** Runs nslab and kills it with SIGKILL after `ms`; true when it was still running then. */
async function killDuring(args: string[], ms: number): Promise<boolean> {
  const child = spawn(NSLAB, args, { stdio: 'ignore' });
  let exited = false;
  const done = new Promise<void>((resolve) => child.once('exit', () => ((exited = true), resolve())));
  await new Promise((r) => setTimeout(r, ms));
  const killed = !exited && child.kill('SIGKILL');
  await done;
  return killed;
}

/** What of the lab is left anywhere the sandbox can hold it. */
export function leftovers(lab: string, prefix: string): string[] {
  const found: string[] = [];
  const ns = existsSync('/run/netns') ? readdirSync('/run/netns').filter((n) => n.startsWith(prefix)) : [];
  if (ns.length > 0) found.push(`namespaces: ${ns.slice(0, 8).join(' ')}${ns.length > 8 ? ` and ${ns.length - 8} more` : ''}`);
  const mounts = readFileSync('/proc/self/mountinfo', 'utf8')
    .split('\n')
    .filter((l) => l.includes(`/run/netns/${prefix}`));
  if (mounts.length > 0) found.push(`mounts: ${mounts.length} under /run/netns/${prefix}*`);
  if (existsSync(`/run/nslab/${lab}`)) found.push(`/run/nslab/${lab}: ${readdirSync(`/run/nslab/${lab}`).join(' ')}`);
  const etc = existsSync('/etc/netns') ? readdirSync('/etc/netns').filter((n) => n.startsWith(prefix) || n === `.nslab-${lab}.hosts`) : [];
  if (etc.length > 0) found.push(`/etc/netns: ${etc.slice(0, 8).join(' ')}`);
  const procs: string[] = [];
  for (const pid of readdirSync('/proc').filter((p) => /^\d+$/.test(p))) {
    try {
      const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
      if (stat.slice(stat.lastIndexOf(')') + 2).startsWith('Z')) continue;
      if (readFileSync(`/proc/${pid}/environ`, 'latin1').split('\0').includes(`NSLAB_LAB=${lab}`)) procs.push(`${pid} (${readlinkSync(`/proc/${pid}/exe`)})`);
    } catch {
      // gone meanwhile
    }
  }
  if (procs.length > 0) found.push(`processes: ${procs.join(', ')}`);
  // The sandbox's /run/frr is only a mount point of nslab's: anything in it is a daemon's file left behind.
  const runFrr = existsSync('/run/frr') ? readdirSync('/run/frr') : [];
  if (runFrr.length > 0) found.push(`/run/frr: ${runFrr.join(' ')}`);
  const links = spawnSync('ip', ['-o', 'link', 'show'], { encoding: 'utf8' })
    .stdout.split('\n')
    .map((l) => l.split(': ')[1]?.split('@')[0])
    .filter((n): n is string => n !== undefined && n !== 'lo');
  if (links.length > 0) found.push(`links in the root namespace: ${links.join(' ')}`);
  return found;
}

/** One cycle: bring the lab to the stage, kill the command, recover with one command, check, prove. */
export async function runCycle(cycle: Cycle, dir: string): Promise<CycleResult> {
  const started = Date.now();
  const lab = `chaos${cycle.index}`;
  const prefix = `${lab}-`;
  const file = join(dir, `${lab}.yaml`);
  const servers = Math.min(3, cycle.size - 1);
  writeFileSync(file, labFile(lab, cycle.shape, cycle.size, servers));
  // An up whose lab must then ping waits for its routing to converge (a lab without FRR has none to wait for).
  const upToPing = (f: string): string[] => ['up', f, ...(isFrr(cycle.shape) ? ['--wait', '60'] : [])];
  const problems: string[] = [];
  let killed = false;
  try {
    if (cycle.stage === 'up') {
      killed = await killDuring(['up', file], cycle.killAfterMs);
    } else if (cycle.stage === 'down') {
      nslabOk(['up', file], problems, 'setting up');
      killed = await killDuring(['down', file], cycle.killAfterMs);
    } else if (cycle.stage === 'contended') {
      // Two ups of one lab: the first, holding the lock, is killed; the second, waiting for it, must
      // finish the lab and prove it.
      const first = spawn(NSLAB, ['up', file], { stdio: 'ignore' });
      await new Promise((r) => setTimeout(r, 30));
      const second = spawn(NSLAB, ['up', file], { stdio: ['ignore', 'pipe', 'pipe'] });
      const output: Buffer[] = [];
      second.stdout?.on('data', (d: Buffer) => output.push(d));
      second.stderr?.on('data', (d: Buffer) => output.push(d));
      const secondDone = new Promise<number>((resolve) => second.once('close', (code) => resolve(code ?? 1)));
      await new Promise((r) => setTimeout(r, cycle.killAfterMs));
      killed = first.exitCode === null && first.kill('SIGKILL');
      const code = await secondDone;
      if (code !== 0) problems.push(`the waiting up exited ${code}: ${Buffer.concat(output).toString('utf8').trim().slice(0, 2000)}`);
      const [from, to] = pingPair(cycle.shape, cycle.size);
      nslabOk(['ping', '--lab', lab, from, to, '-c', '3'], problems, 'the lab the waiting up finished pings');
    } else {
      // An update: the lab up at one size, killed while it grows.
      const bigger = join(dir, `${lab}-bigger.yaml`);
      writeFileSync(bigger, labFile(lab, cycle.shape, cycle.size + 2, servers + 1));
      nslabOk(['up', file], problems, 'setting up');
      killed = await killDuring(['up', bigger], cycle.killAfterMs);
    }
    if (cycle.recovery === 'down FILE') nslabOk(['down', file], problems, 'recovering');
    else if (cycle.recovery === 'down --lab') nslabOk(['down', '--lab', lab], problems, 'recovering');
    else if (cycle.recovery === 'clean') nslabOk(['clean'], problems, 'recovering');
    else {
      nslabOk(upToPing(file), problems, 'recovering (up)');
      const [from, to] = pingPair(cycle.shape, cycle.size);
      nslabOk(['ping', '--lab', lab, from, to, '-c', '3'], problems, 'the repaired lab pings');
      nslabOk(['down', file], problems, 'recovering (down)');
    }
    problems.push(...leftovers(lab, prefix));
    if (problems.length === 0) {
      // A fresh lab of the same name comes up whole and pings.
      nslabOk(upToPing(file), problems, 'a fresh up');
      const [from, to] = pingPair(cycle.shape, cycle.size);
      nslabOk(['ping', '--lab', lab, from, to, '-c', '3'], problems, 'the fresh lab pings');
      nslabOk(['down', file], problems, 'a fresh down');
      problems.push(...leftovers(lab, prefix));
    }
  } catch (e) {
    problems.push(`the cycle itself failed: ${(e as Error).stack ?? String(e)}`);
  }
  if (problems.length > 0) {
    // Leave nothing for the next cycle, whatever this one left.
    nslab(['clean']);
  }
  rmSync(file, { force: true });
  return { ...cycle, killed, problems, ms: Date.now() - started };
}

export interface ChaosOptions {
  seed: number;
  cycles: number;
  from?: number;
  maxNodes?: number;
  /** Draw FRR labs too (routing: ospf and bgp rings): slower cycles. */
  frr?: boolean;
  onCycle?: (r: CycleResult) => void;
}

export async function runChaos(options: ChaosOptions): Promise<CycleResult[]> {
  const dir = mkdtempSync(join(tmpdir(), 'nslab-chaos-'));
  const results: CycleResult[] = [];
  try {
    for (const cycle of drawCycles(options.seed, options.from ?? 0, options.cycles, options.maxNodes ?? 60, options.frr === true)) {
      const r = await runCycle(cycle, dir);
      results.push(r);
      options.onCycle?.(r);
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  return results;
}

/** `npm run chaos -- --cycles N --seed S [--from K] [--max-nodes M]`, inside the sandbox (scripts/chaos.mjs). */
async function main(argv: string[]): Promise<number> {
  const value = (flag: string, fallback: number): number => {
    const i = argv.indexOf(flag);
    return i >= 0 ? Number(argv[i + 1]) : fallback;
  };
  const seed = value('--seed', Math.floor(Math.random() * 2 ** 31));
  const cycles = value('--cycles', 100);
  const from = value('--from', 0);
  const maxNodes = value('--max-nodes', 60);
  const frr = argv.includes('--frr');
  console.log(`chaos: seed ${seed}, cycles ${from}..${from + cycles - 1}, labs of 3 to ${maxNodes} nodes${frr ? ', FRR labs among them' : ''}`);
  const t0 = Date.now();
  let failed = 0;
  let killedCount = 0;
  await runChaos({
    seed,
    cycles,
    from,
    maxNodes,
    frr,
    onCycle: (r) => {
      if (r.killed) killedCount++;
      if (r.problems.length > 0) {
        failed++;
        console.log(`FAIL cycle ${r.index} (${r.shape} of ${r.size}, kill ${r.stage} after ${r.killAfterMs} ms, recovery ${r.recovery}):`);
        for (const p of r.problems) console.log(`  ${p}`);
        console.log(`  replay: npm run chaos -- --seed ${seed} --from ${r.index} --cycles 1${frr ? ' --frr' : ''}`);
      } else if ((r.index + 1) % 50 === 0) {
        console.log(`  ${r.index + 1 - from} cycles, ${failed} failed, ${((Date.now() - t0) / 1000).toFixed(0)} s`);
      }
    },
  });
  console.log(`chaos: seed ${seed}: ${cycles} cycles, ${failed} failed, ${killedCount} killed while running, in ${((Date.now() - t0) / 1000).toFixed(0)} s`);
  return failed === 0 ? 0 : 1;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) process.exit(await main(process.argv.slice(2)));
