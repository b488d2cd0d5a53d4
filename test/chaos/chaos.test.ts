/**
 * A short run of the chaos test (test/chaos/chaos.ts; `npm run chaos` runs a long one): kill -9 at random
 * moments of up, down and updates, recovery by one nslab command, nothing left, and a fresh up that pings.
 * The seed is printed; a failure replays with `npm run chaos -- --seed S --from N --cycles 1`.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { needsRoot } from '../helpers/sandbox.js';
import { runChaos } from './chaos.js';

describe('chaos (short)', { skip: needsRoot }, () => {
  test('12 cycles of kill -9 and one recovery command leave nothing, and the lab comes back', async (t) => {
    const seed = Number(process.env.NSLAB_CHAOS_SEED ?? Math.floor(Math.random() * 2 ** 31));
    t.diagnostic(`seed ${seed}`);
    const results = await runChaos({ seed, cycles: 12, maxNodes: 30 });
    const failed = results.filter((r) => r.problems.length > 0);
    assert.deepEqual(
      failed.map((r) => `cycle ${r.index} (${r.shape} of ${r.size}, kill ${r.stage} after ${r.killAfterMs} ms, ${r.recovery}): ${r.problems.join('; ')}`),
      [],
      `seed ${seed}: replay with npm run chaos -- --seed ${seed} --from N --cycles 1`,
    );
  });
});
