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

test('several waiting for a turn go on one per turn of the loop, in the order they asked', async () => {
  // A chain of immediates counts the loop's turns (an immediate set from an immediate runs in the next).
  let turns = 0;
  let counting = true;
  const count = (): void => {
    turns++;
    if (counting) setImmediate(count);
  };
  setImmediate(count);
  const woke: [string, number][] = [];
  await Promise.all(['a', 'b', 'c'].map((name) => turn().then(() => woke.push([name, turns]))));
  counting = false;
  // Each woken in a turn of its own: three stretches of work woken together ran one after the other in one.
  assert.deepEqual(
    woke.map(([name]) => name),
    ['a', 'b', 'c'],
  );
  assert.equal(new Set(woke.map(([, at]) => at)).size, 3, JSON.stringify(woke));
});
