/**
 * Whether this process may make and enter namespaces, asked before anything is made: the library's
 * refusal for a process without root outside the user's world says how to run it inside (docs/rootless.md).
 */
import { readFileSync } from 'node:fs';
import { NslabError } from '../errors.js';

/** CAP_NET_ADMIN and CAP_SYS_ADMIN, as bits of /proc/self/status's CapEff. */
const NEEDED = (1n << 12n) | (1n << 21n);

/** Throws NSLAB_PERMISSION when this process lacks CAP_SYS_ADMIN or CAP_NET_ADMIN (root has both, and so has the root of a world). */
export function requireRights(what: string): void {
  let effective = 0n;
  try {
    const hex = /^CapEff:\s*([0-9a-f]+)$/m.exec(readFileSync('/proc/self/status', 'latin1'))?.[1];
    if (hex !== undefined) effective = BigInt(`0x${hex}`);
  } catch {
    // no /proc: the kernel will say
    return;
  }
  if ((effective & NEEDED) === NEEDED) return;
  throw new NslabError(
    'NSLAB_PERMISSION',
    `${what} needs root's rights over namespaces (CAP_SYS_ADMIN and CAP_NET_ADMIN), which this process (uid ${process.getuid?.() ?? '?'}) lacks: ` +
      'run it with sudo, or inside your own nslab world, where you are root of namespaces of your own: `nslab world run -- node SCRIPT` ' +
      '(a test runner: `nslab world run -- npm test`); see docs/rootless.md',
  );
}
