/**
 * The event loop's priority. A command may favour its event loop (favourLoop): its JS thread then gets a
 * lower nice value than the process had, where the process may (CAP_SYS_NICE: root outside a user
 * namespace). On Linux a nice value is a thread's, and what a thread starts inherits it: the processes
 * nslab starts are born at the process's own (bornAtBase), and the addon's threads take it back too
 * (native workerNice, which the caller sets to the base favourLoop returns).
 */
import { access } from 'node:fs';
import { getPriority, setPriority } from 'node:os';

/** The JS thread's nice value before favourLoop changed it; undefined while unchanged. */
let base: number | undefined;

/**
 * Gives the calling thread (the JS thread: the event loop) the nice value `nice`. Returns the value it had
 * before (the process's, for everything else), or undefined when the process may not (nothing changed).
 */
export function favourLoop(nice: number): number | undefined {
  const before = getPriority(0);
  // The threadpool's threads are made on its first work, all at once: made now, before the change, they
  // are born at the process's nice value (an async call makes them; its answer does not matter).
  access('.', () => undefined);
  try {
    setPriority(0, nice);
  } catch {
    return undefined;
  }
  base ??= before;
  return base;
}

/**
 * Runs `start` (which starts a process) with the calling thread at the process's own nice value, so that
 * the process is born with it, not with the event loop's favour; the favour is back after.
 */
export function bornAtBase<T>(start: () => T): T {
  if (base === undefined) return start();
  const now = getPriority(0);
  setPriority(0, base);
  try {
    return start();
  } finally {
    setPriority(0, now);
  }
}
