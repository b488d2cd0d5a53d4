/** Lets the event loop turn (timers, I/O) before going on: long synchronous steps must not stall it. */
export function turn(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}
