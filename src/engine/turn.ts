import type { Steps } from '../topology/steps.js';

/**
 * Lets the event loop turn (timers, I/O) before going on: long synchronous steps must not stall it.
 * Two immediates, not one: an immediate set from an I/O callback runs in the same turn of the loop, before
 * any timer (the loop's timers come first in a turn, its immediates last), so one would go on without a
 * timer having had its turn; the second runs in the next turn, after its timers.
 *
 * Those waiting go on one per turn, in the order they asked: several stretches of work at once (the
 * dispatcher's, the hosts views', the journal's) each woken by an immediate of the same turn ran one after
 * the other in it, and the loop waited for their sum (20 to 30 ms at 10,000 nodes, for stretches of 10).
 */
export function turn(): Promise<void> {
  return new Promise((resolve) => {
    waiting.push(resolve);
    if (waiting.length === 1) setImmediate(() => setImmediate(wakeOne));
  });
}

const waiting: (() => void)[] = [];

function wakeOne(): void {
  const next = waiting.shift();
  if (waiting.length > 0) setImmediate(() => setImmediate(wakeOne));
  next?.();
}

/**
 * Longest a stretch of sliced work runs before it lets the loop turn, in milliseconds of the clock (on a
 * loaded machine a stretch is longer than its CPU time; the clock is what a timer waiting behind it sees).
 */
export const STRETCH_MS = 10;

/** Runs work cut into pieces (topology/steps.ts) with a turn of the event loop every STRETCH_MS or so. */
export async function sliced<T>(steps: Steps<T>): Promise<T> {
  let since = clockMs();
  for (;;) {
    const r = steps.next();
    if (r.done === true) return r.value;
    if (clockMs() - since >= STRETCH_MS) {
      await turn();
      since = clockMs();
    }
  }
}

/**
 * A monotonic clock in milliseconds. Not performance.now(): the first call loads node's perf_hooks (ten
 * modules, 2 to 3 ms of a command's start).
 */
export function clockMs(): number {
  return Number(process.hrtime.bigint()) / 1e6;
}
