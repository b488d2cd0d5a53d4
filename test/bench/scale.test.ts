// A short run of `npm run bench`'s scale suite (bench/scale.ts), as the test suite's: a chain of 10 and a
// ring of 6 routers, each brought up, checked and taken down by every contender, and the rows it reports.
// The long runs (1,000 and 10,000 nodes, the routed grid) are `npm run bench`'s.
import assert from 'node:assert/strict';
import { existsSync, readdirSync } from 'node:fs';
import { test } from 'node:test';
import { downTargets, suiteScale, type ScaleRow } from '../../bench/scale.js';
import { inWorld, needsRoot } from '../helpers/sandbox.js';

// The bench needs the machine's root (bench/main.ts refuses a user), not a world's.
const skip = needsRoot || (inWorld ? 'the benchmarks run as root only (npm run bench)' : false);

test('the scale suite, short: every contender brings the labs up and down, and the rows carry ratios and targets', { skip }, async () => {
  const rows: ScaleRow[] = [];
  const log: string[] = [];
  await suiteScale(rows, (s) => log.push(s), 1, [
    ['chain', 10],
    ['router-ring', 6],
  ]);
  const row = (suite: string, contender: string): ScaleRow => {
    const r = rows.find((x) => x.suite === suite && x.contender.startsWith(contender));
    assert.ok(r !== undefined, `no row ${suite} | ${contender}: ${rows.map((x) => `${x.suite} | ${x.contender}`).join('; ')}`);
    return r;
  };
  for (const base of ['ip per step', 'ip -batch', 'C limit']) {
    const r = row('scale chain-10 up', `nslab vs ${base}`);
    assert.ok(Number.isFinite(r.ratio) && (r.ratio as number) > 0, `${base}: ratio ${r.ratio}`);
  }
  assert.ok(row('scale chain-10 down', 'nslab vs ip -batch netns del').medianMs > 0);
  assert.equal(row('scale chain-10 up', 'nslab peak RSS').target?.startsWith('< 200 MB'), true);
  assert.equal(row('scale chain-10 up', 'nslab event-loop stall').target, '< 50 ms');
  // A routed lab: the limit installs the same routes, its target is 2x; planning has a row of its own.
  assert.equal(row('scale router-ring-6 up', 'nslab vs C limit').target, '<= 2x C limit');
  const plan = row('scale router-ring-6 plan', 'nslab planning');
  assert.equal(plan.runs, 1);
  assert.ok(plan.medianMs > 0 && (plan.peakRssMb ?? 0) > 10, `planning ${plan.medianMs} ms, ${plan.peakRssMb} MB`);
  assert.match(plan.contender, /peak RSS of those runs: \d+ MB\)$/);
  assert.equal(plan.target, undefined, 'the planning target is the ring of 1,000 routers');
  assert.match(row('scale router-ring-6 up', 'nslab peak RSS').contender, /no target for a routed lab/);
  assert.ok(log.some((l) => l.startsWith('how the figures grow')));
  // Nothing left: the suite's own checks ran after every down; its namespaces and files are gone.
  assert.deepEqual(existsSync('/run/netns') ? readdirSync('/run/netns') : [], []);
  assert.equal(existsSync('/run/nslab-bench-scale'), false);
});

test("issue 17's down targets: the 1,000-node chain's under 120 ms, the 10,000-node chain's within 1.5x ip -batch plus node's start", () => {
  const [small] = downTargets(1000, 119, 20, [119]);
  assert.deepEqual([small?.target, small?.met], ['< 120 ms', true]);
  assert.equal(downTargets(1000, 121, 20, [121])[0]?.met, false);
  const [large] = downTargets(10_000, 6000, 4000, [6000]);
  const start = Number(/node's start \(([\d.]+) ms\)/.exec(large?.contender ?? '')?.[1]);
  assert.ok(start > 5 && start < 2000, `node's start ${start} ms`);
  assert.ok(Math.abs((large?.ratio ?? 0) - 6000 / (4000 + start)) < 0.01);
  assert.equal(large?.met, true);
  assert.equal(downTargets(10_000, 7000, 4000, [7000])[0]?.met, false);
  assert.deepEqual(downTargets(100, 50, 20, [50]), []);
});
