/**
 * The `watch` suite: what it costs to see a lab.
 *
 *   graph     the picture of a 1,000-node chain (layout and SVG), in the library and through `nslab graph`
 *   ui        `nslab ui` (the bundle, a process of its own) with the tutorial's page open in chromium:
 *             event-to-page latency (a cable end pulled or plugged through netlink, until the page has
 *             applied the kernel's event), the median of 20; and the server's CPU over 10 s with the page
 *             open and idle, and with no page open.
 */
import { spawn } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Lab } from '../src/index.js';
import { resolveTopology } from '../src/topology/index.js';
import { graphFromLab, renderGraph } from '../src/view/index.js';
import { openBrowser } from '../test/helpers/browser.js';
import { median, timeCommand } from './lib.js';
import type { ScaleRow } from './scale.js';

const CHAIN = 1000;
const PULLS = 20;
const IDLE_MS = 10_000;

function chain(): { name: string; addressing: { p2p: string }; nodes: Record<string, unknown>; links: unknown[] } {
  const nodes: Record<string, unknown> = {};
  const links: unknown[] = [];
  for (let i = 0; i < CHAIN; i++) nodes[`n${i}`] = { kind: 'router' };
  for (let i = 1; i < CHAIN; i++) links.push({ endpoints: [`n${i - 1}`, `n${i}`] });
  return { name: 'chain', addressing: { p2p: '10.0.0.0/8' }, nodes, links };
}

/** User and system CPU of a process so far, in milliseconds (/proc/PID/stat, clock ticks of 10 ms). */
function cpuMs(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) * 10;
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

export async function suiteWatch(rows: ScaleRow[], log: (s: string) => void): Promise<void> {
  // --- graph of a 1,000-node chain ---
  const lab = resolveTopology(chain());
  const times: number[] = [];
  const cpu: number[] = [];
  for (let i = 0; i < 3; i++) {
    const t = performance.now();
    const c = process.cpuUsage();
    await renderGraph(graphFromLab(lab), 'svg');
    times.push(performance.now() - t);
    const used = process.cpuUsage(c);
    cpu.push((used.user + used.system) / 1000);
  }
  log(`graph ${CHAIN}-node chain (library): ${times.map((t) => t.toFixed(0)).join(', ')} ms; CPU ${cpu.map((t) => t.toFixed(0)).join(', ')} ms`);
  rows.push({
    suite: 'watch',
    contender: `graph ${CHAIN}-node chain, svg (library, CPU of the first of 3)`,
    medianMs: cpu[0] ?? 0,
    runs: 1,
    target: '< 5000 ms',
    met: (cpu[0] ?? 0) < 5000,
  });
  rows.push({
    suite: 'watch',
    contender: `graph ${CHAIN}-node chain, svg (library, first of 3)`,
    medianMs: times[0] ?? 0,
    runs: 1,
    target: '< 5000 ms',
    met: (times[0] ?? 0) < 5000,
  });
  rows.push({ suite: 'watch', contender: `graph ${CHAIN}-node chain, svg (library, warm)`, medianMs: median(times.slice(1)), runs: 2 });
  const file = '/run/nslab-bench-chain.yaml';
  writeFileSync(file, JSON.stringify(chain()));
  const cli = [0, 1, 2].map(() => timeCommand(process.execPath, [join(process.cwd(), 'dist', 'bin', 'nslab.mjs'), 'graph', file, '-o', '/dev/null']).ms);
  log(`nslab graph of the chain: ${cli.map((t) => t.toFixed(0)).join(', ')} ms`);
  rows.push({
    suite: 'watch',
    contender: `nslab graph ${CHAIN}-node chain (process start to file)`,
    medianMs: median(cli),
    runs: 3,
    target: '< 5000 ms',
    met: median(cli) < 5000,
  });

  // --- the live page ---
  await using tutorial = Lab.define({
    name: 'bench-ui',
    prefix: 'bench-ui-',
    nodes: { red: { routes: [{ to: '10.10.1.3/32', dev: 'rveth' }] }, green: { routes: [{ to: '10.10.1.2/32', dev: 'gveth' }] } },
    links: [{ endpoints: ['red:rveth 10.10.1.2/32', 'green:gveth 10.10.1.3/32'] }],
  });
  await tutorial.up();
  const child = spawn(process.execPath, [join(process.cwd(), 'dist', 'bin', 'nslab.mjs'), 'ui', '--lab', 'bench-ui', '--port', '0'], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  try {
    const url = await new Promise<string>((resolve, reject) => {
      let out = '';
      child.stdout.on('data', (d: Buffer) => {
        out += d.toString();
        const m = /open (http:\/\/\S+)/.exec(out);
        if (m?.[1] !== undefined) resolve(m[1]);
      });
      child.once('exit', (code) => reject(new Error(`nslab ui exited ${code}`)));
    });
    const pid = child.pid as number;
    await sleep(2000);
    const before = cpuMs(pid);
    await sleep(IDLE_MS);
    const closedPct = ((cpuMs(pid) - before) / IDLE_MS) * 100;

    await using browser = await openBrowser();
    const page = browser.context.pages()[0] ?? (await browser.context.newPage());
    await page.goto(url);
    await page.waitForSelector('g.end.up[data-end="red:rveth"]');
    const seenAt = (): Promise<number | undefined> =>
      page.evaluate(() => (globalThis as { nslabLinkSeen?: Record<string, number> }).nslabLinkSeen?.['red:rveth']);
    const latencies: number[] = [];
    for (let i = 0; i < PULLS; i++) {
      const up = i % 2 === 1;
      const start = Date.now();
      await tutorial.link('red:rveth').set({ up });
      for (;;) {
        const seen = await seenAt();
        const painted = await page.locator(`g.end.${up ? 'up' : 'down'}[data-end="red:rveth"]`).count();
        if (seen !== undefined && seen >= start && painted > 0) {
          latencies.push(seen - start);
          break;
        }
        if (Date.now() - start > 5000)
          throw new Error(`the page did not show red:rveth ${up ? 'up' : 'down'} within 5 s (last link event: ${JSON.stringify(seen)}, painted ${painted})`);
        await sleep(5);
      }
      await sleep(100);
    }
    log(`ui event-to-page latency: ${latencies.join(', ')} ms`);
    rows.push({
      suite: 'watch',
      contender: `ui event-to-page latency (median of ${PULLS} pulls)`,
      medianMs: median(latencies),
      runs: PULLS,
      target: '< 1000 ms',
      met: median(latencies) < 1000,
    });
    await tutorial.link('red:rveth').set({ up: true });
    await sleep(2000);
    const openBefore = cpuMs(pid);
    await sleep(IDLE_MS);
    const openPct = ((cpuMs(pid) - openBefore) / IDLE_MS) * 100;
    log(`ui server CPU: ${openPct.toFixed(2)} % of a core with a page open and idle, ${closedPct.toFixed(2)} % with none`);
    rows.push({
      suite: 'watch',
      contender: 'ui server CPU, a page open and idle (% of a core)',
      medianMs: openPct,
      runs: 1,
      note: `percent of a core over ${IDLE_MS / 1000} s, not ms`,
    });
    rows.push({
      suite: 'watch',
      contender: 'ui server CPU, no page open (% of a core)',
      medianMs: closedPct,
      runs: 1,
      note: `percent of a core over ${IDLE_MS / 1000} s, not ms`,
    });
  } finally {
    child.kill('SIGTERM');
    await new Promise((r) => child.once('exit', r));
  }
}
