/**
 * Does a lab fit the machine? The limits a lab can run into (open files, mounts, network namespaces,
 * kernel memory), checked before anything is made, so a lab too large is refused with the limit, its value
 * and how to raise it, instead of failing at the ten-thousandth namespace and rolling back. Pure: the
 * engine reads the machine (src/engine/limits.ts) and says how many descriptors it holds.
 */
import type { ResolvedLab } from './types.js';
import { routeTableOf } from './routing.js';

/** What the machine allows, as read from /proc; a limit that could not be read is left out. */
export interface MachineLimits {
  /**
   * RLIMIT_NOFILE: the soft limit the process runs under, the hard one, and the descriptors open now
   * besides those of namespaces made ahead and their sockets (DescriptorUse counts those).
   */
  openFiles?: { soft: number; hard: number; open: number };
  /** fs.mount-max, and the mounts of the process's mount namespace now. */
  mounts?: { max: number; now: number };
  /** user.max_net_namespaces, and the namespaces under /run/netns now (a floor: others may exist). */
  netNamespaces?: { max: number; now: number };
  /** Memory the kernel can still give, in bytes, and where the figure comes from. */
  memory?: { available: number; from: string };
}

/** How many descriptors the engine holds while a lab comes up. */
export interface DescriptorUse {
  /** For each namespace of the lab, for the whole run. */
  perNamespace: number;
  /** At most at once besides, whatever the size of the lab. */
  atOnce: number;
}

/**
 * The kernel memory a lab takes, measured on Linux 6.x (Slab, Percpu, KernelStack and PageTables of
 * /proc/meminfo before and after; docs/performance.md): about 200 KB a namespace, 87 KB a veth pair and
 * 190 bytes an IPv4 route, rounded up to leave room for what the measure misses (a namespace's sysctl
 * tables, the devices' queues).
 */
export const KERNEL_BYTES = { namespace: 256 * 1024, cable: 160 * 1024, route: 256 } as const;

/** What a lab needs of the machine. */
export interface LabNeeds {
  namespaces: number;
  /** Namespaces the run makes (those that do not exist yet). */
  newNamespaces: number;
  cables: number;
  routes: number;
}

/** A lab's needs; `exists` tells whether a namespace is there already. */
export function labNeeds(lab: ResolvedLab, exists: (netns: string) => boolean): LabNeeds {
  let newNamespaces = 0;
  for (const n of lab.nodes) if (!exists(n.netns)) newNamespaces++;
  let routes = routeTableOf(lab)?.size ?? 0;
  for (const n of lab.nodes) routes += n.routes.length;
  return { namespaces: lab.nodes.length, newNamespaces, cables: lab.links.length, routes };
}

/** A limit the lab goes over: which, its value, what the lab needs, and the whole sentence. */
export interface LimitProblem {
  limit: string;
  value: number;
  need: number;
  message: string;
}

const n = (x: number): string => x.toLocaleString('en-US');
const mb = (bytes: number): string => `${n(Math.ceil(bytes / 2 ** 20))} MB`;

/** Every limit of the machine the lab goes over, each with how to raise it; empty when it fits. */
export function checkMachineLimits(lab: string, needs: LabNeeds, limits: MachineLimits, descriptors: DescriptorUse): LimitProblem[] {
  const problems: LimitProblem[] = [];
  const files = limits.openFiles;
  if (files !== undefined) {
    const need = files.open + descriptors.atOnce + descriptors.perNamespace * needs.namespaces;
    if (need > files.soft) {
      const per = descriptors.perNamespace > 0 ? `${descriptors.perNamespace} for each of its ${n(needs.namespaces)} namespaces while it comes up, ` : '';
      const besides =
        descriptors.perNamespace > 0
          ? `${descriptors.atOnce} at most besides`
          : `${descriptors.atOnce} at most for the namespaces it works on at once and the rest`;
      const raise =
        need <= files.hard
          ? `raise the soft limit: ulimit -Sn ${need} before nslab`
          : `raise the hard limit and then the soft one, as root: ulimit -Hn ${need}; ulimit -Sn ${need} (or nofile in /etc/security/limits.conf)`;
      problems.push({
        limit: 'RLIMIT_NOFILE',
        value: files.soft,
        need,
        message: `lab ${lab} needs about ${n(need)} open files (${per}${n(files.open)} open now and ${besides}), and this process may open ${n(files.soft)} (RLIMIT_NOFILE, ulimit -n; hard limit ${n(files.hard)}): ${raise}${descriptors.perNamespace > 0 ? ', or make the lab smaller' : ''}`,
      });
    }
  }
  const mounts = limits.mounts;
  if (mounts !== undefined && mounts.now + needs.newNamespaces > mounts.max) {
    const need = mounts.now + needs.newNamespaces;
    problems.push({
      limit: 'fs.mount-max',
      value: mounts.max,
      need,
      message: `lab ${lab} makes ${n(needs.newNamespaces)} namespaces, each one a mount under /run/netns, beside the ${n(mounts.now)} mounts there are now, and fs.mount-max is ${n(mounts.max)}: raise it, as root: sysctl -w fs.mount-max=${need}`,
    });
  }
  const netns = limits.netNamespaces;
  if (netns !== undefined && netns.now + needs.newNamespaces > netns.max) {
    const need = netns.now + needs.newNamespaces;
    problems.push({
      limit: 'user.max_net_namespaces',
      value: netns.max,
      need,
      message: `lab ${lab} makes ${n(needs.newNamespaces)} network namespaces, beside the ${n(netns.now)} in /run/netns now, and user.max_net_namespaces is ${n(netns.max)}: raise it, as root: sysctl -w user.max_net_namespaces=${need}`,
    });
  }
  const memory = limits.memory;
  if (memory !== undefined) {
    const need = needs.newNamespaces * KERNEL_BYTES.namespace + needs.cables * KERNEL_BYTES.cable + needs.routes * KERNEL_BYTES.route;
    if (need > memory.available) {
      problems.push({
        limit: 'memory',
        value: memory.available,
        need,
        message: `lab ${lab} needs about ${mb(need)} of kernel memory (${n(needs.newNamespaces)} new namespaces, ${n(needs.cables)} cables, ${n(needs.routes)} routes), and ${memory.from} has ${mb(memory.available)} available: free memory, or make the lab smaller (with routing: static, addressing: { summarize: true } can cut the routes)`,
      });
    }
  }
  return problems;
}
