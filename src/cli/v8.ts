/**
 * How the nslab executable runs V8. A command is one short run, and on a small machine its cores are
 * wanted by the kernel: `nslab up` of a 1,000-node lab keeps both cores of a 2-core machine busy (the
 * kernel making namespaces and devices, nslab issuing requests). Measured on that up (docs/performance.md):
 *
 * - No optimizing compiler (--no-opt): TurboFan spent about 0.35 s of CPU on a background thread compiling
 *   code that ran a few thousand times and was done; without it the up took 1.30 s instead of 1.40-1.50.
 *   The interpreter and its baseline compiler still run everything.
 * - A young generation that does not grow (--semi-space-growth-factor=1): thousands of requests wait for
 *   the kernel across turns of the event loop, and once the young generation had grown to several MB, one
 *   collection copying them held the event loop 20 to 40 ms. Small, frequent collections stay under 10 ms;
 *   the longest stall of the up went from 40-60 ms to 26-32, at no cost in time.
 */
import { setFlagsFromString } from 'node:v8';

/** Sets the flags above for the rest of this process (the executable's, not the library's). */
export function runAsCommand(): void {
  setFlagsFromString('--no-opt');
  setFlagsFromString('--semi-space-growth-factor=1');
}
