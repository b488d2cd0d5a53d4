/**
 * Finding a lab's processes from the kernel alone, for when its state file is lost: a process nslab
 * starts in a node carries NSLAB_LAB (and NSLAB_NODE) in its environment, which its children inherit and
 * the kernel keeps (/proc/PID/environ), and it runs inside one of the lab's network namespaces
 * (/proc/PID/ns/net). Both must hold: a process of someone else's in the lab's namespace, or one of another
 * lab's, is never taken for the lab's.
 */
import { readdirSync, readFileSync, readlinkSync } from 'node:fs';
import { processStartTime, type ProcessIdentity } from './identity.js';

/** The environment every process nslab starts in a node gets: the lab and the node it runs in. */
export function labEnv(lab: string, node: string, base: NodeJS.ProcessEnv = process.env): NodeJS.ProcessEnv {
  return { ...base, NSLAB_LAB: lab, NSLAB_NODE: node };
}

export interface FoundProcess extends ProcessIdentity {
  /** The node it runs in (its NSLAB_NODE). */
  node: string;
  /** Its command line, for messages. */
  command: string;
  /** For an FRR daemon (and a helper it forks): its NSLAB_FRR, `DAEMON:DIGEST`. */
  frr?: string;
}

/**
 * The processes that run inside one of these network namespaces (their nsfs inodes, as `net:[INODE]`
 * links name them) and carry NSLAB_LAB=`lab`.
 */
export function labProcesses(lab: string, namespaces: ReadonlySet<string>): FoundProcess[] {
  if (namespaces.size === 0) return [];
  const found: FoundProcess[] = [];
  const want = `NSLAB_LAB=${lab}`;
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      if (!namespaces.has(readlinkSync(`/proc/${entry}/ns/net`))) continue;
      const env = readFileSync(`/proc/${entry}/environ`, 'latin1').split('\0');
      if (!env.includes(want)) continue;
      const pid = Number(entry);
      const startTime = processStartTime(pid);
      if (startTime === undefined) continue;
      const node = env.find((e) => e.startsWith('NSLAB_NODE='))?.slice('NSLAB_NODE='.length) ?? '';
      const command = readFileSync(`/proc/${entry}/cmdline`, 'latin1').split('\0').join(' ').trim();
      const frr = env.find((e) => e.startsWith('NSLAB_FRR='))?.slice('NSLAB_FRR='.length);
      found.push({ pid, startTime, node, command, ...(frr !== undefined ? { frr } : {}) });
    } catch {
      // gone meanwhile, or a kernel thread
    }
  }
  return found;
}

/** A process found in a user namespace, with what `nslab world status` shows of it. */
export interface NamespaceProcess extends ProcessIdentity {
  command: string;
  /** Its resident memory (VmRSS), in KiB; 0 for a process without memory of its own. */
  rssKiB: number;
  /** Its environment, as the kernel keeps it (NAME=VALUE entries). */
  env: string[];
}

/**
 * The processes that run in the user namespace `userns` (as /proc/PID/ns/user names it: `user:[N]`) and
 * that this process may look at. A world's user namespace holds only what was started inside it.
 */
export function userNamespaceProcesses(userns: string): NamespaceProcess[] {
  const found: NamespaceProcess[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      if (readlinkSync(`/proc/${entry}/ns/user`) !== userns) continue;
      const pid = Number(entry);
      const startTime = processStartTime(pid);
      if (startTime === undefined) continue;
      const rss = /^VmRSS:\s+(\d+)/m.exec(readFileSync(`/proc/${entry}/status`, 'latin1'))?.[1];
      const command = readFileSync(`/proc/${entry}/cmdline`, 'latin1').split('\0').join(' ').trim();
      const env = readFileSync(`/proc/${entry}/environ`, 'latin1').split('\0');
      found.push({ pid, startTime, command, rssKiB: rss !== undefined ? Number(rss) : 0, env });
    } catch {
      // gone meanwhile, or not ours to read
    }
  }
  return found;
}
