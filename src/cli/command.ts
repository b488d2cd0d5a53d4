/**
 * What the nslab executable's process does before its command runs. The executable is bin/nslab, a POSIX
 * shell script: it gives node the V8 flags a short command wants on node's own command line (V8 reads
 * them as it starts; the script says why each), and starts node without NODE_EXTRA_CA_CERTS, whose file
 * node would read before any of nslab's code runs although nslab makes no TLS connection. The variable's
 * value travels as NSLAB_NODE_EXTRA_CA_CERTS and goes back into the environment here, for the commands
 * nslab runs (`nslab exec`, a lab's `exec` entries), which see it as the user set it.
 * docs/performance.md has what each measured.
 */

/** What the executable passes NODE_EXTRA_CA_CERTS on as (see above). */
export const EXTRA_CA_CERTS_CARRIER = 'NSLAB_NODE_EXTRA_CA_CERTS';

/** Gives this process's environment back as the user set it (the executable's process, not the library's). */
export function runAsCommand(): void {
  const carried = process.env[EXTRA_CA_CERTS_CARRIER];
  if (carried !== undefined) {
    process.env.NODE_EXTRA_CA_CERTS = carried;
    delete process.env[EXTRA_CA_CERTS_CARRIER];
  }
}
