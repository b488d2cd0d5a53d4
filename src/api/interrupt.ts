/**
 * Interrupt safety: the labs this process brought up are taken down when it gets SIGINT or SIGTERM, or
 * dies of an uncaught exception (an unhandled rejection included, which Node turns into one), before it
 * exits. A test runner stopped with Ctrl-C or killed by its CI then leaves no namespace, state or process
 * behind. SIGKILL cannot be caught: `nslab clean --orphans` removes what such a process left.
 *
 * The handlers are installed with the first lab brought up and removed when none is left, so a process
 * with no lab up keeps Node's own behaviour. Once the labs are down the process ends as it would have
 * without them: killed by the same signal (its parent sees SIGTERM, not an exit code), or the exception
 * thrown again for Node to print and exit with. Where the program has handlers of its own for the signal,
 * it keeps control: the labs are taken down and nothing else is done; one with its own uncaughtException
 * handler keeps running, and its labs stay up. A second signal while labs are going down
 * ends the process at once. `takeLabsDownOnExit(false)` opts out, for a process whose labs must outlive it.
 */

/** What the registry needs of a lab: Lab.down. */
export interface Downable {
  readonly name: string;
  down(): Promise<unknown>;
}

const labs = new Set<Downable>();
let enabled = true;
let installed = false;
let stopping = false;

/**
 * Whether this process takes the labs it brought up down when it is interrupted or dies of an uncaught
 * exception (default: it does). Turned off, a lab stays up after its process, as `nslab up` leaves it.
 */
export function takeLabsDownOnExit(on: boolean): void {
  enabled = on;
  if (on && labs.size > 0) install();
  else if (!on) uninstall();
}

/** A lab this process brought up: taken down if the process is interrupted. */
export function broughtUpHere(lab: Downable): void {
  labs.add(lab);
  if (enabled) install();
}

/** A lab taken down (or handed over): no longer this process's to take down. */
export function takenDown(lab: Downable): void {
  labs.delete(lab);
  if (labs.size === 0) uninstall();
}

const SIGNALS = ['SIGINT', 'SIGTERM'] as const;

function install(): void {
  if (installed) return;
  installed = true;
  for (const s of SIGNALS) process.on(s, onSignal);
  process.on('uncaughtException', onUncaught);
}

function uninstall(): void {
  if (!installed || stopping) return;
  installed = false;
  for (const s of SIGNALS) process.off(s, onSignal);
  process.off('uncaughtException', onUncaught);
}

/** Every lab down, each whatever the others do; a failure is said on stderr with the lab's name. */
async function downAll(): Promise<void> {
  const all = [...labs];
  const results = await Promise.allSettled(all.map((l) => l.down()));
  results.forEach((r, i) => {
    if (r.status === 'rejected') {
      const name = (all[i] as Downable).name;
      const why = r.reason instanceof Error ? r.reason.message : String(r.reason);
      process.stderr.write(`nslab: lab ${name} could not be taken down on exit: ${why}; run: nslab down --lab ${name}\n`);
    }
  });
  labs.clear();
}

function onSignal(signal: NodeJS.Signals): void {
  // Other listeners of this signal than ours: the program handles it and decides when to exit.
  const theirs = process.listenerCount(signal) > 1;
  if (stopping) {
    // A second signal while the labs go down: the user means it; the signal's own way out, at once.
    if (!theirs) dieOf(signal);
    return;
  }
  stopping = true;
  void downAll().finally(() => (theirs ? release() : dieOf(signal)));
}

function onUncaught(error: unknown): void {
  // A program with a handler of its own keeps running: its labs stay up, as it may still use them.
  if (stopping || process.listenerCount('uncaughtException') > 1) return;
  stopping = true;
  // Thrown again once the labs are down and nothing of ours listens: Node prints it and exits as it would have.
  void downAll().finally(() => {
    release();
    setImmediate(() => {
      throw error;
    });
  });
}

function release(): void {
  stopping = false;
  uninstall();
}

/** Ends the process by `signal`, as if nslab had never listened for it. */
function dieOf(signal: NodeJS.Signals): void {
  release();
  process.kill(process.pid, signal);
}
