/**
 * How the nslab executable runs its process. A command is one short run, and on a small machine its cores
 * are wanted by the kernel: `nslab up` of a 1,000-node lab keeps both cores of a 2-core machine busy (the
 * kernel making namespaces and devices, nslab issuing requests). Measured on that up (docs/performance.md):
 *
 * - No optimizing compiler (--no-opt): TurboFan spent about 0.35 s of CPU on a background thread compiling
 *   code that ran a few thousand times and was done; without it the up took 1.30 s instead of 1.40-1.50.
 *   The interpreter and its baseline compiler still run everything.
 * - A young generation that does not grow (--semi-space-growth-factor=1): thousands of requests wait for
 *   the kernel across turns of the event loop, and once the young generation had grown to several MB, one
 *   collection copying them held the event loop 20 to 40 ms. Small, frequent collections stay under 10 ms;
 *   the longest stall of the up went from 40-60 ms to 26-32, at no cost in time.
 * - Young-generation collections on this thread alone (--no-parallel-scavenge): nearly everything a
 *   command allocates lives to its end, so each of its small collections copies most of what it finds,
 *   and helper threads doing that beside it took CPU the kernel wanted. In 18 paired runs of the up it
 *   was faster in 11; medians 1.13 -> 1.10 s of time and 1.34 -> 1.27 s of CPU. (Turning off concurrent
 *   marking the same way, at run time, crashed V8: it stays.)
 * - NODE_EXTRA_CA_CERTS: node reads every certificate of that file when it starts, before any of nslab's
 *   code runs (50-60 ms for the 220 KB system bundle on a small VM), and nslab makes no TLS connection.
 *   The executable (dist/bin/nslab, written by scripts/bundle.mjs) starts node without it and passes its
 *   value on as NSLAB_NODE_EXTRA_CA_CERTS; it goes back into the environment here, for the commands nslab
 *   runs (`nslab exec`, a lab's `exec` entries), which see it as the user set it.
 */
import { setFlagsFromString } from 'node:v8';

/** What the executable passes NODE_EXTRA_CA_CERTS on as (see above). */
export const EXTRA_CA_CERTS_CARRIER = 'NSLAB_NODE_EXTRA_CA_CERTS';

/** Sets the flags above for the rest of this process (the executable's, not the library's), and gives the environment back. */
export function runAsCommand(): void {
  setFlagsFromString('--no-opt');
  setFlagsFromString('--semi-space-growth-factor=1');
  setFlagsFromString('--no-parallel-scavenge');
  const carried = process.env[EXTRA_CA_CERTS_CARRIER];
  if (carried !== undefined) {
    process.env.NODE_EXTRA_CA_CERTS = carried;
    delete process.env[EXTRA_CA_CERTS_CARRIER];
  }
}
