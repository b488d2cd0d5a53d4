/**
 * The machine's limits a lab can run into, read from /proc (the check itself is pure:
 * topology/machine-limits.ts). Every figure is read each time: a sysctl may change between two runs.
 *
 * The soft RLIMIT_NOFILE needs no raising here: node raises it to the hard limit when it starts (PlatformInit
 * in node.cc), and the engine again (native descriptorLimit), so the soft limit read here is already as high
 * as an unprivileged process can make it.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { NslabError } from '../errors.js';
import { NETNS_RUN_DIR } from '../native/index.js';
import { checkMachineLimits, labNeeds, type DescriptorUse, type MachineLimits } from '../topology/machine-limits.js';
import type { ResolvedLab } from '../topology/types.js';

/**
 * The descriptors the engine holds while a lab comes up: a bounded set whatever the lab's size (namespaces.ts
 * keeps at most MAX_OPEN namespaces open, two descriptors each, within the limit less 512 for everything
 * else), so at least one namespace's two beside those 512.
 */
export const DESCRIPTOR_USE: DescriptorUse = { perNamespace: 0, atOnce: 514 };

/** The file's text, or undefined when it cannot be read. */
function read(path: string): string | undefined {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return undefined;
  }
}

function number(text: string | undefined): number | undefined {
  const v = text === undefined ? NaN : Number(text.trim());
  return Number.isFinite(v) ? v : undefined;
}

/**
 * `Max open files  20000  20000  files` of /proc/self/limits, and the descriptors open now besides those of
 * the spare namespaces this run holds (`spares`, made ahead for the lab: its own two a namespace, counted
 * there). A listing of /proc/self/fd, not a readlink each: spares made ahead are thousands.
 */
function openFiles(spares: number): MachineLimits['openFiles'] {
  const line = read('/proc/self/limits')
    ?.split('\n')
    .find((l) => l.startsWith('Max open files'));
  const [soft, hard] = (line?.slice('Max open files'.length).trim().split(/\s+/) ?? []).map((w) => (w === 'unlimited' ? Infinity : Number(w)));
  if (soft === undefined || hard === undefined || Number.isNaN(soft) || Number.isNaN(hard)) return undefined;
  let open = 0;
  try {
    open = readdirSync('/proc/self/fd').length - 2 * spares;
  } catch {
    // no /proc/self/fd: count none
  }
  return { soft, hard, open: Math.max(0, open) };
}

/** The memory the kernel can still give: MemAvailable, or the room left under this process's cgroup limit when that is less. */
function memory(): MachineLimits['memory'] {
  const available = number(/^MemAvailable:\s+(\d+) kB/m.exec(read('/proc/meminfo') ?? '')?.[1]);
  let best = available !== undefined ? { available: available * 1024, from: 'the machine (MemAvailable)' } : undefined;
  // cgroup v2 ("0::/path"), else v1's memory controller ("N:memory:/path").
  const cgroups = read('/proc/self/cgroup') ?? '';
  const v2 = /^0::(\/.*)$/m.exec(cgroups)?.[1];
  const v1 = /^\d+:(?:[^:]*,)?memory(?:,[^:]*)?:(\/.*)$/m.exec(cgroups)?.[1];
  const room = (max: string | undefined, current: string | undefined): number | undefined => {
    const m = number(max);
    const c = number(current);
    return m === undefined || c === undefined ? undefined : m - c;
  };
  const left =
    v2 !== undefined && existsSync(join('/sys/fs/cgroup', v2, 'memory.max'))
      ? room(read(join('/sys/fs/cgroup', v2, 'memory.max')), read(join('/sys/fs/cgroup', v2, 'memory.current')))
      : v1 !== undefined
        ? room(read(join('/sys/fs/cgroup/memory', v1, 'memory.limit_in_bytes')), read(join('/sys/fs/cgroup/memory', v1, 'memory.usage_in_bytes')))
        : undefined;
  if (left !== undefined && (best === undefined || left < best.available))
    best = { available: Math.max(0, left), from: "this process's cgroup (its memory limit)" };
  return best;
}

/**
 * The machine's limits now, for a lab whose namespaces go under `netnsDir`, and for which this process
 * holds `spares` namespaces made ahead (engine/spares.ts).
 */
export function readMachineLimits(netnsDir = NETNS_RUN_DIR, spares = 0): MachineLimits {
  const limits: MachineLimits = {};
  const files = openFiles(spares);
  if (files !== undefined) limits.openFiles = files;
  const mountMax = number(read('/proc/sys/fs/mount-max'));
  const mounts = read('/proc/self/mounts');
  if (mountMax !== undefined && mounts !== undefined) limits.mounts = { max: mountMax, now: mounts.split('\n').length - 1 };
  const netnsMax = number(read('/proc/sys/user/max_net_namespaces'));
  if (netnsMax !== undefined) limits.netNamespaces = { max: netnsMax, now: existsSync(netnsDir) ? readdirSync(netnsDir).length : 0 };
  const mem = memory();
  if (mem !== undefined) limits.memory = mem;
  return limits;
}

/**
 * Refuses a lab that goes over a limit of this machine, before anything of it is made: every limit it goes
 * over, each with its value and how to raise it.
 */
export function checkMachine(lab: ResolvedLab, netnsDir = NETNS_RUN_DIR, limits: MachineLimits = readMachineLimits(netnsDir)): void {
  // One listing of the directory, not a stat a node: 10,000 of those held the event loop 0.3 s.
  const present = new Set(existsSync(netnsDir) ? readdirSync(netnsDir) : []);
  const needs = labNeeds(lab, (netns) => present.has(netns));
  const problems = checkMachineLimits(lab.name, needs, limits, DESCRIPTOR_USE);
  if (problems.length === 0) return;
  throw new NslabError(
    'NSLAB_MACHINE_LIMIT',
    `lab ${lab.name} does not fit this machine, and nslab makes nothing of a lab that does not fit:\n${problems.map((p) => `  ${p.message}`).join('\n')}`,
  );
}
