#!/usr/bin/env node
// Runs nslab's CLI program (see NSLAB_BENCH_PROGRAM below) in this process with the event loop watched, for the scale
// benchmarks (bench/scale.ts): `node bench/nslab-run.mjs up FILE --json` behaves as `node dist/bin/nslab.mjs
// up FILE --json`, and on exit writes one line to stderr:
//   nslab-bench-stats {"maxDelayMs":..,"maxDelayLoadMs":..,"maxDelayRunMs":..,"maxDelayUpMs":..,"maxRssKb":..,"sinceStartMs":..}
// maxDelayUpMs covers the engine's up only (from the 'nslab:lab' channel's up-start to up-end).
// The delay monitor is enabled on this module's first line, before nslab's modules load, so it covers the
// process from the start of user code (node's own bootstrap precedes it); `sinceStartMs` counts from the
// process's start (performance.timeOrigin). maxRssKb is the process's ru_maxrss. Plain JavaScript, so no
// loader sits between node and nslab.
import { subscribe } from 'node:diagnostics_channel';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { pathToFileURL } from 'node:url';

const histogram = monitorEventLoopDelay({ resolution: 10 });
histogram.enable();

// The engine says when its up (or down) starts and ends (diagnostics_channel 'nslab:lab'): the stall
// target is about that span, after the topology file is parsed (see docs/performance.md).
const upHistogram = monitorEventLoopDelay({ resolution: 10 });
let maxDelayUpMs = 0;
subscribe('nslab:lab', (message) => {
  const { event } = /** @type {{ event: string }} */ (message);
  if (event === 'up-start' || event === 'down-start') {
    upHistogram.reset();
    upHistogram.enable();
  } else if (event === 'up-end' || event === 'down-end') {
    upHistogram.disable();
    maxDelayUpMs = Math.max(maxDelayUpMs, upHistogram.max / 1e6);
  }
});

// NSLAB_BENCH_PROGRAM: a bundle of src/cli/program.ts (bench/scale.ts makes one, as dist/bin/nslab.mjs is made
// from src/cli/main.ts, so that start-up costs what the real bin's does); else the unbundled build.
const program =
  process.env.NSLAB_BENCH_PROGRAM !== undefined ? pathToFileURL(process.env.NSLAB_BENCH_PROGRAM) : new URL('../dist/cli/program.js', import.meta.url);
const { main, runAsCommand, headStart } = await import(program.href);
// As the executable does (src/cli/main.ts), the head start of `up FILE` included (here after the program
// has loaded: what it starts runs on another thread, so the stall and RSS figures are the same).
runAsCommand();
const argv = process.argv.slice(2);
const early = headStart(argv);
const maxDelayLoadMs = histogram.max / 1e6;
histogram.reset();
const code = await main(argv, early !== undefined ? { early } : {});
histogram.disable();
const maxDelayRunMs = histogram.max / 1e6;
const stats = {
  maxDelayMs: Math.max(maxDelayLoadMs, maxDelayRunMs),
  maxDelayLoadMs,
  maxDelayRunMs,
  maxDelayUpMs,
  maxRssKb: process.resourceUsage().maxRSS,
  sinceStartMs: performance.now(),
};
process.stderr.write(`nslab-bench-stats ${JSON.stringify(stats)}\n`);
await Promise.all([process.stdout, process.stderr].map((s) => new Promise((r) => s.write('', () => r()))));
process.exit(code);
