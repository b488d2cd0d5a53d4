/**
 * Commands inside a node run through `ip netns exec NETNS`, as the tutorial does: besides entering the
 * namespace it mounts /etc/netns/NETNS/* over /etc (the node's hosts file), and gives the command a /sys
 * of that namespace. nslab's own kernel work never goes through `ip`; a user's command may.
 */

/** The argv that runs `argv` inside the named namespace. */
export function inNetns(netns: string, argv: readonly string[]): string[] {
  return ['ip', 'netns', 'exec', netns, ...argv];
}
