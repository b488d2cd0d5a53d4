import { readFile } from 'node:fs';
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { sliced, STRETCH_MS, turn } from '../../src/engine/turn.js';
import type { Steps } from '../../src/plan/index.js';

const busy = (ms: number): void => {
  const end = performance.now() + ms;
  while (performance.now() < end);
};

test('lets a timer run even when called from an I/O callback (one immediate there would not)', async () => {
  const ran = await new Promise<boolean>((resolve) =>
    readFile(import.meta.filename, () => {
      let fired = false;
      setTimeout(() => (fired = true), 0);
      busy(5); // the timer is due
      void turn().then(() => resolve(fired));
    }),
  );
  assert.equal(ran, true);
});

test('runs sliced work through to its result, letting timers in between', async () => {
  let ticks = 0;
  const timer = setInterval(() => ticks++, 1);
  function* work(): Steps<number> {
    for (let i = 0; i < 20; i++) {
      busy(STRETCH_MS / 2);
      yield;
    }
    return 42;
  }
  assert.equal(await sliced(work()), 42);
  clearInterval(timer);
  assert.ok(ticks >= 5, `\${ticks} timer ticks`);
});
