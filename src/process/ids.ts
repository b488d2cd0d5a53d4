/**
 * What this process may do with user and group ids, from the kernel's files under /proc/self.
 */
import { readFileSync } from 'node:fs';

/**
 * True when this process may not call setgroups(2): in a world (docs/rootless.md), whose user namespace maps the user alone
 * and was made without a setuid helper (docs/rootless.md, "The ids"), so the kernel denies it. A program
 * that switches users fails there even when it switches to root: tcpdump, which after opening the
 * interface calls initgroups for its own user (or for the one `-Z` names).
 */
export function setgroupsDenied(path = '/proc/self/setgroups'): boolean {
  try {
    return readFileSync(path, 'utf8').trim() === 'deny';
  } catch {
    return false;
  }
}
