/**
 * Names inside a lab: every node resolves every other node's name, because `ip netns exec NETNS` (which
 * nslab exec, shell and ping use) mounts /etc/netns/NETNS/hosts over /etc/hosts. nslab writes one hosts
 * file for the lab and hardlinks it into each namespace's directory (cheap at a thousand nodes). Each copy
 * starts with a header naming the lab; nslab never overwrites or deletes a hosts file without it.
 */
import { existsSync, linkSync, mkdirSync, readdirSync, readFileSync, rmdirSync, unlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { ResolvedLab } from '../topology/types.js';

export const ETC_NETNS = '/etc/netns';

function header(lab: string): string {
  return `# written by nslab for lab ${lab}; nslab down removes it\n`;
}

/** The hosts file of a lab: localhost, then each node's first IPv4 and first IPv6 address and its name. */
export function hostsText(lab: ResolvedLab): string {
  const lines = [header(lab.name).trimEnd(), '127.0.0.1\tlocalhost', '::1\tlocalhost ip6-localhost ip6-loopback'];
  for (const node of lab.nodes) {
    const addrs = lab.links.flatMap((l) => [l.a, l.b]).filter((e) => e.node === node.name).flatMap((e) => e.addresses);
    for (const family of [4, 6] as const) {
      const a = addrs.find((x) => x.family === family && !x.address.startsWith('fe80'));
      if (a !== undefined) lines.push(`${a.address}\t${node.name}`);
    }
  }
  return `${lines.join('\n')}\n`;
}

function isOurs(file: string, lab: string): boolean {
  try {
    return readFileSync(file, 'utf8').startsWith(header(lab));
  } catch {
    return false;
  }
}

/** Writes (or rewrites) the hosts file of every node of the lab; skips a node whose hosts file is not the lab's. */
export function writeHosts(lab: ResolvedLab, dir = ETC_NETNS): string[] {
  const skipped: string[] = [];
  let master: string | undefined;
  const text = hostsText(lab);
  for (const node of lab.nodes) {
    const nsDir = join(dir, node.netns);
    const file = join(nsDir, 'hosts');
    if (existsSync(file)) {
      if (!isOurs(file, lab.name)) {
        skipped.push(file);
        continue;
      }
      unlinkSync(file);
    }
    mkdirSync(nsDir, { recursive: true });
    if (master === undefined) {
      writeFileSync(file, text);
      master = file;
    } else {
      linkSync(master, file);
    }
  }
  return skipped;
}

/** Removes the lab's hosts files from the given namespaces' directories (and each directory left empty). */
export function removeHosts(lab: string, namespaces: readonly string[], dir = ETC_NETNS): void {
  for (const netns of namespaces) {
    const nsDir = join(dir, netns);
    const file = join(nsDir, 'hosts');
    if (!isOurs(file, lab)) continue;
    unlinkSync(file);
    if (readdirSync(nsDir).length === 0) rmdirSync(nsDir);
  }
}
