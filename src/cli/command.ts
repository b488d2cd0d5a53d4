/**
 * What the nslab executable's process does before its command runs. The executable is bin/nslab, a POSIX
 * shell script: it gives node the V8 flags a short command wants on node's own command line (V8 reads
 * them as it starts; the script says why each), and starts node without NODE_EXTRA_CA_CERTS, whose file
 * node would read before any of nslab's code runs although nslab makes no TLS connection. The variable's
 * value travels as NSLAB_NODE_EXTRA_CA_CERTS and goes back into the environment here, for the commands
 * nslab runs (`nslab exec`, a lab's `exec` entries), which see it as the user set it.
 * As root, the process's event loop gets a higher priority than the threads that do the kernel's work
 * (LOOP_NICE). docs/performance.md has what each measured.
 */
import { favourLoop } from '../api/early.js';

/**
 * The nice value of the command's event loop as root (the addon's threads keep the process's, 0 as a
 * rule): on a 2-core machine, the kernel making a large lab's namespaces and devices on those threads kept
 * the loop that feeds it waiting for a core, 50 to 100 ms at a time; ahead of them, it waits for none.
 * The loop mostly sleeps, so the work it favours itself over loses nothing.
 */
export const LOOP_NICE = -5;

/** What the executable passes NODE_EXTRA_CA_CERTS on as (see above). */
export const EXTRA_CA_CERTS_CARRIER = 'NSLAB_NODE_EXTRA_CA_CERTS';

/**
 * Makes this process the command's (the executable's process, not the library's): its environment back
 * as the user set it, and its event loop ahead of the addon's threads where root may say so.
 */
export function runAsCommand(): void {
  if (process.getuid?.() === 0) favourLoop(LOOP_NICE);
  const carried = process.env[EXTRA_CA_CERTS_CARRIER];
  if (carried !== undefined) {
    process.env.NODE_EXTRA_CA_CERTS = carried;
    delete process.env[EXTRA_CA_CERTS_CARRIER];
  }
}
