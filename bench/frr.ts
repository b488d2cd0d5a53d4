/**
 * FRR in nslab (issue 19), behind `--only frr` (not in the default run: the grid alone takes a minute):
 *
 * - start time and memory per FRR router: `nslab up` of a 6-router ring under `routing: ospf` against the
 *   same ring under `routing: static` (the difference, per router, is what starting FRR costs), and the
 *   resident memory of each router's daemons (RSS, and PSS: shared pages counted once per sharer);
 * - time from `nslab up` to converged (`nslab wait` returns) for the 6-router ring and a 10 x 10 grid of
 *   routers under `routing: ospf` (fast timers: hello 1), against the same labs under `routing: static`
 *   (converged when up returns: its routes are installed by then), each checked by a ping between its
 *   farthest hosts.
 *
 * The machine is shared and its load varies: every wall time has its CPU time beside it (nslab up and what
 * it waited for, from /proc/self/stat's cutime and cstime, plus the daemons' own from /proc/PID/stat).
 *
 *   npm run bench -- --only frr [--reps N]
 */
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { median, NSLAB_BIN, sh, timeCommand } from './lib.js';
import type { ScaleRow } from './scale.js';

const DIR = '/run/nslab-bench-frr';

type Routing = 'ospf' | 'static';

/** The 6-router ring of examples/router-ring*.yaml, a host on each router. */
function ring(name: string, routing: Routing): string {
  const nodes = [1, 2, 3, 4, 5, 6].flatMap((i) => [`  r${i}: { kind: router }`, `  h${i}:`]);
  const links = [1, 2, 3, 4, 5, 6].flatMap((i) => [`  - endpoints: [r${i}, r${(i % 6) + 1}]`, `  - endpoints: [r${i}, h${i}]`]);
  return [
    `name: ${name}`,
    'addressing: { p2p: 10.3.0.0/24 }',
    `routing: ${routing}`,
    ...(routing === 'ospf' ? ['ospf: { hello: 1 }'] : []),
    'nodes:',
    ...nodes,
    'links:',
    ...links,
    '',
  ].join('\n');
}

/** An n x n grid of routers, each cabled to its right and lower neighbours; a host at two opposite corners. */
function grid(name: string, n: number, routing: Routing): string {
  const r = (i: number, j: number): string => `r${i}_${j}`;
  const nodes: string[] = [];
  const links: string[] = [];
  for (let i = 0; i < n; i++)
    for (let j = 0; j < n; j++) {
      nodes.push(`  ${r(i, j)}: { kind: router }`);
      if (j + 1 < n) links.push(`  - endpoints: [${r(i, j)}, ${r(i, j + 1)}]`);
      if (i + 1 < n) links.push(`  - endpoints: [${r(i, j)}, ${r(i + 1, j)}]`);
    }
  nodes.push('  ha:', '  hb:');
  links.push(`  - endpoints: [${r(0, 0)}, ha]`, `  - endpoints: [${r(n - 1, n - 1)}, hb]`);
  return [
    `name: ${name}`,
    'addressing: { p2p: 10.80.0.0/16 }',
    `routing: ${routing}`,
    ...(routing === 'ospf' ? ['ospf: { hello: 1 }'] : []),
    'nodes:',
    ...nodes,
    'links:',
    ...links,
    '',
  ].join('\n');
}

/** kB of a /proc/PID file's `Key:` line (VmRSS in status, Pss in smaps_rollup). */
function kb(pid: string, file: string, key: string): number {
  const line = readFileSync(`/proc/${pid}/${file}`, 'utf8')
    .split('\n')
    .find((l) => l.startsWith(`${key}:`));
  return Number(line?.split(/\s+/)[1] ?? 0);
}

/** RSS and PSS (MB) of the lab's FRR daemons, by daemon (summed over its routers). */
function frrMemory(lab: string): { rss: number; pss: number; byDaemon: Record<string, number>; count: number } {
  let rss = 0;
  let pss = 0;
  let count = 0;
  const byDaemon: Record<string, number> = {};
  for (const pid of readdirSync('/proc').filter((p) => /^\d+$/.test(p))) {
    try {
      const env = readFileSync(`/proc/${pid}/environ`, 'latin1').split('\0');
      if (!env.includes(`NSLAB_LAB=${lab}`)) continue;
      const daemon = env
        .find((e) => e.startsWith('NSLAB_FRR='))
        ?.slice('NSLAB_FRR='.length)
        .split(':')[0];
      if (daemon === undefined) continue;
      const r = kb(pid, 'status', 'VmRSS');
      rss += r;
      pss += kb(pid, 'smaps_rollup', 'Pss');
      byDaemon[daemon] = (byDaemon[daemon] ?? 0) + r;
      count++;
    } catch {
      // gone meanwhile
    }
  }
  return { rss: rss / 1024, pss: pss / 1024, byDaemon, count };
}

/** CPU (ms) this process's waited-for children have used, their own waited children included (/proc/self/stat cutime + cstime). */
function childrenCpuMs(): number {
  const stat = readFileSync('/proc/self/stat', 'utf8');
  const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(f[13]) + Number(f[14])) * 10; // clock ticks of 10 ms (CLK_TCK 100)
}

/** CPU (ms) the lab's FRR daemons have used since they started (they are nobody's waited-for children). */
function daemonCpuMs(lab: string): number {
  let ticks = 0;
  for (const pid of readdirSync('/proc').filter((p) => /^\d+$/.test(p))) {
    try {
      if (
        !readFileSync(`/proc/${pid}/environ`, 'latin1')
          .split('\0')
          .some((e) => e.startsWith('NSLAB_FRR=')) ||
        !readFileSync(`/proc/${pid}/environ`, 'latin1').includes(`NSLAB_LAB=${lab}\0`)
      )
        continue;
      const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
      const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      ticks += Number(f[11]) + Number(f[12]);
    } catch {
      // gone meanwhile
    }
  }
  return ticks * 10;
}

interface Run {
  /** CPU of nslab up and what it waited for, plus the daemons' own CPU by the time up returned. */
  upCpuMs: number;
  upMs: number;
  convergedMs: number;
  downMs: number;
  memory?: ReturnType<typeof frrMemory>;
}

/** One lab, once: up, wait for routing, ping its farthest hosts, memory, down. */
function runLab(file: string, lab: string, from: string, to: string): Run {
  const cpu0 = childrenCpuMs();
  const t0 = performance.now();
  timeCommand(NSLAB_BIN, ['up', file]);
  const upMs = performance.now() - t0;
  const upCpuMs = childrenCpuMs() - cpu0 + daemonCpuMs(lab);
  timeCommand(NSLAB_BIN, ['wait', '--lab', lab, '--timeout', '300']);
  const convergedMs = performance.now() - t0;
  const ping = sh(NSLAB_BIN, ['ping', '--lab', lab, from, to, '-c', '1']);
  if (!ping.includes('1 received')) throw new Error(`check failed: ${from} does not reach ${to} in ${lab} once converged:\n${ping}`);
  const memory = frrMemory(lab);
  const downMs = timeCommand(NSLAB_BIN, ['down', '--lab', lab]).ms;
  if (existsSync(`/run/nslab/${lab}`)) throw new Error(`nslab down left /run/nslab/${lab}`);
  return { upCpuMs, upMs, convergedMs, downMs, ...(memory.count > 0 ? { memory } : {}) };
}

export async function suiteFrr(rows: ScaleRow[], log: (s: string) => void, repsArg?: number): Promise<void> {
  if (!existsSync('/usr/lib/frr/zebra')) {
    log('frr: skipped, FRR is not installed (Debian package frr)');
    return;
  }
  mkdirSync(DIR, { recursive: true });
  try {
    const cases = [
      {
        suite: 'frr ring 6',
        routers: 6,
        reps: repsArg ?? 3,
        text: (r: Routing) => ring(`bring-${r}`, r),
        lab: (r: Routing) => `bring-${r}`,
        from: 'h1',
        to: 'h4',
      },
      {
        suite: 'frr grid 10x10',
        routers: 100,
        reps: repsArg ?? 1,
        text: (r: Routing) => grid(`bgrid-${r}`, 10, r),
        lab: (r: Routing) => `bgrid-${r}`,
        from: 'ha',
        to: 'hb',
      },
    ];
    for (const c of cases) {
      log(`${c.suite}: ${c.reps} interleaved runs of routing: static and routing: ospf (nslab up, nslab wait, a ping, nslab down)`);
      const runs: Record<Routing, Run[]> = { static: [], ospf: [] };
      for (let i = 0; i < c.reps; i++) {
        for (const routing of ['static', 'ospf'] as const) {
          const file = join(DIR, `${c.lab(routing)}.yaml`);
          writeFileSync(file, c.text(routing));
          runs[routing].push(runLab(file, c.lab(routing), c.from, c.to));
        }
      }
      type Key = 'upCpuMs' | 'upMs' | 'convergedMs' | 'downMs';
      const m = (r: Routing, k: Key): number => median(runs[r].map((x) => x[k]));
      const times = (r: Routing, k: Key): number[] => runs[r].map((x) => Math.round(x[k]));
      for (const phase of ['upMs', 'upCpuMs', 'convergedMs', 'downMs'] as const) {
        const what =
          phase === 'upMs'
            ? 'nslab up'
            : phase === 'upCpuMs'
              ? 'nslab up, CPU ms'
              : phase === 'convergedMs'
                ? 'up to converged (nslab wait returns)'
                : 'nslab down';
        rows.push({ suite: c.suite, contender: `static: ${what}`, medianMs: m('static', phase), runs: c.reps, timesMs: times('static', phase) });
        rows.push({
          suite: c.suite,
          contender: `ospf: ${what}`,
          medianMs: m('ospf', phase),
          runs: c.reps,
          ratio: m('ospf', phase) / m('static', phase),
          baseline: `static: ${what}`,
          timesMs: times('ospf', phase),
        });
      }
      const perRouter = (m('ospf', 'upMs') - m('static', 'upMs')) / c.routers;
      const mem = runs.ospf.at(-1)?.memory;
      rows.push({
        suite: c.suite,
        contender: 'FRR start per router, CPU ms (ospf up - static up, / routers)',
        medianMs: (m('ospf', 'upCpuMs') - m('static', 'upCpuMs')) / c.routers,
        runs: c.reps,
      });
      rows.push({
        suite: c.suite,
        contender: 'FRR start per router, wall ms (ospf up - static up, / routers)',
        medianMs: perRouter,
        runs: c.reps,
        ...(mem !== undefined
          ? {
              note: `memory per router: RSS ${(mem.rss / c.routers).toFixed(1)} MB, PSS ${(mem.pss / c.routers).toFixed(1)} MB (${Object.entries(mem.byDaemon)
                .map(([d, kbs]) => `${d} ${(kbs / 1024 / c.routers).toFixed(1)}`)
                .join(', ')} MB RSS), ${mem.count} daemons`,
            }
          : {}),
      });
      if (mem !== undefined) log(`${c.suite}: ${rows.at(-1)?.note ?? ''}`);
    }
  } finally {
    rmSync(DIR, { recursive: true, force: true });
  }
}
