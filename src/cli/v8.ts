/**
 * How the nslab executable runs V8. A command is one short run, and on a small machine the cores it has
 * are wanted by the kernel: `nslab up` of a 1,000-node lab keeps both cores of a 2-core machine busy
 * (the kernel making namespaces and devices on one, nslab issuing requests on the other). V8's optimizing
 * compiler (TurboFan) spent about 0.35 s of CPU on a background thread during that up, compiling code
 * that ran a few thousand times and was done; without it the up took 1.30 s instead of 1.40-1.50 (see
 * docs/performance.md). The bytecode interpreter and its baseline compiler still run everything.
 */
import { setFlagsFromString } from 'node:v8';

/** Turns V8's optimizing compiler off for the rest of this process (the executable's, not the library's). */
export function runAsCommand(): void {
  setFlagsFromString('--no-opt');
}
