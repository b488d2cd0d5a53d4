/**
 * Work cut into pieces: a generator that yields between pieces of a millisecond or so and returns its
 * result. Planning a lab of 10,000 nodes, or working out its hosts files, is hundreds of milliseconds of
 * synchronous work; the engine runs it piece by piece with turns of the event loop in between (engine/turn.ts `sliced`), so that nothing
 * else the process does waits that long. Pure code stays pure: yielding is no I/O. `finish` runs it in
 * one go, for callers that want the result at once.
 */
export type Steps<T> = Generator<void, T, undefined>;

/** Items a loop over a lab's nodes, links or ops handles between two yields: a millisecond or so, cold. */
export const PIECE = 512;

/** Runs the steps through and returns their result. */
export function finish<T>(steps: Steps<T>): T {
  for (;;) {
    const r = steps.next();
    if (r.done === true) return r.value;
  }
}
