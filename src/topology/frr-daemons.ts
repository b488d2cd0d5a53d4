/**
 * The FRR daemons nslab knows, as data: their names (as in FRR's `daemons` file and a topology's
 * `frr.daemons`), their programs, what each is for, and which configuration sections need which daemon.
 * The engine checks this list against the machine before anything is made; the topology layer uses it to
 * check names, to read a containerlab `daemons` file and to find the daemons a configuration needs.
 *
 * The order is FRR's own start order (frrcommon.sh: "keep zebra first"), which is also the order daemons
 * are listed in a resolved lab.
 */
import { clip } from './bounded.js';

/** Every FRR daemon nslab knows, in FRR's start order. */
export const FRR_DAEMON_NAMES = [
  'zebra',
  'bgpd',
  'ripd',
  'ripngd',
  'ospfd',
  'ospf6d',
  'isisd',
  'babeld',
  'pimd',
  'pim6d',
  'ldpd',
  'nhrpd',
  'eigrpd',
  'sharpd',
  'pbrd',
  'staticd',
  'bfdd',
  'fabricd',
  'vrrpd',
  'pathd',
] as const;

/** An FRR daemon's name, as FRR's daemons file and a topology's `frr.daemons` write it. */
export type FrrDaemon = (typeof FRR_DAEMON_NAMES)[number];

export interface FrrDaemonInfo {
  /** The program's file name, in one of FRR_PROGRAM_DIRS. */
  program: string;
  /** What it does, for messages. */
  what: string;
  /** FRR's init starts it whatever the daemons file says (frrcommon.sh). */
  always?: true;
  /** Missing from Debian's frr package (not built there): named in the message when it is missing. */
  notInDebian?: true;
}

export const FRR_DAEMONS: Readonly<Record<FrrDaemon, FrrDaemonInfo>> = {
  zebra: { program: 'zebra', what: 'the routing manager: puts the routes of every other daemon into the kernel', always: true },
  bgpd: { program: 'bgpd', what: 'BGP' },
  ripd: { program: 'ripd', what: 'RIP (IPv4)' },
  ripngd: { program: 'ripngd', what: 'RIPng (IPv6)' },
  ospfd: { program: 'ospfd', what: 'OSPFv2 (IPv4)' },
  ospf6d: { program: 'ospf6d', what: 'OSPFv3 (IPv6)' },
  isisd: { program: 'isisd', what: 'IS-IS' },
  babeld: { program: 'babeld', what: 'Babel' },
  pimd: { program: 'pimd', what: 'PIM (IPv4 multicast)' },
  pim6d: { program: 'pim6d', what: 'PIM (IPv6 multicast)', notInDebian: true },
  ldpd: { program: 'ldpd', what: 'LDP (MPLS labels)' },
  nhrpd: { program: 'nhrpd', what: 'NHRP' },
  eigrpd: { program: 'eigrpd', what: 'EIGRP' },
  sharpd: { program: 'sharpd', what: 'SHARP (FRR testing)', notInDebian: true },
  pbrd: { program: 'pbrd', what: 'policy-based routing' },
  staticd: { program: 'staticd', what: 'static routes written in the FRR configuration', always: true },
  bfdd: { program: 'bfdd', what: 'BFD' },
  fabricd: { program: 'fabricd', what: 'OpenFabric' },
  vrrpd: { program: 'vrrpd', what: 'VRRP' },
  pathd: { program: 'pathd', what: 'segment routing traffic engineering' },
};

/** Where FRR's programs are: Debian and Ubuntu, FRR's own packages and images; then a source build's. */
export const FRR_PROGRAM_DIRS = ['/usr/lib/frr', '/usr/sbin', '/usr/local/sbin'] as const;

/** vtysh, FRR's shell, which loads a configuration into the running daemons. */
export const FRR_SHELL = 'vtysh';

/** The Debian (and Ubuntu) package that has FRR. */
export const FRR_PACKAGE = 'frr';

const KNOWN: ReadonlySet<string> = new Set(FRR_DAEMON_NAMES);

export function isFrrDaemon(name: string): name is FrrDaemon {
  return KNOWN.has(name);
}

/** Daemons in FRR's start order, each once. */
export function inStartOrder(daemons: Iterable<FrrDaemon>): FrrDaemon[] {
  const set = new Set(daemons);
  return FRR_DAEMON_NAMES.filter((d) => set.has(d));
}

/**
 * The programs of the daemons that are not on this machine, found through `exists` (the caller's file
 * test: the topology layer does no I/O). Each daemon's program is looked for in `dirs` (FRR_PROGRAM_DIRS).
 * Returns the missing daemons and, when any is missing, what to tell the user.
 */
export function missingFrrDaemons(
  daemons: readonly FrrDaemon[],
  exists: (path: string) => boolean,
  dirs: readonly string[] = FRR_PROGRAM_DIRS,
): { missing: FrrDaemon[]; message?: string } {
  const missing = daemons.filter((d) => !dirs.some((dir) => exists(`${dir}/${FRR_DAEMONS[d].program}`)));
  if (missing.length === 0) return { missing };
  const none = !dirs.some((dir) => exists(`${dir}/zebra`));
  const notDebian = missing.filter((d) => FRR_DAEMONS[d].notInDebian === true);
  const where = dirs.join(', ');
  const message = none
    ? `FRR is not installed (no zebra in ${where}): install the Debian package ${FRR_PACKAGE} (apt-get install ${FRR_PACKAGE})`
    : `FRR daemon${missing.length === 1 ? '' : 's'} ${missing.join(', ')} not found in ${where}` +
      (notDebian.length > 0
        ? `; Debian's ${FRR_PACKAGE} package does not build ${notDebian.join(', ')}: use FRR's own packages`
        : `; reinstall the ${FRR_PACKAGE} package`);
  return { missing, message };
}

/**
 * Which daemon a configuration line needs, by the sections and commands that only that daemon takes.
 * Read at the start of a line (a section, or an interface command one space in).
 */
const NEEDS: readonly [RegExp, FrrDaemon][] = [
  [/^router bgp\b/, 'bgpd'],
  [/^router ospf6\b/, 'ospf6d'],
  [/^router ospf\b/, 'ospfd'],
  [/^router isis\b/, 'isisd'],
  [/^router ripng\b/, 'ripngd'],
  [/^router rip\b/, 'ripd'],
  [/^router eigrp\b/, 'eigrpd'],
  [/^router babel\b/, 'babeld'],
  [/^router openfabric\b/, 'fabricd'],
  [/^router pim\b/, 'pimd'],
  [/^mpls ldp\b/, 'ldpd'],
  [/^bfd\b/, 'bfdd'],
  [/^pbr-map\b/, 'pbrd'],
  [/^segment-routing\b/, 'pathd'],
  [/^\s+ip ospf\b/, 'ospfd'],
  [/^\s+ipv6 ospf6\b/, 'ospf6d'],
  [/^\s+ip router isis\b/, 'isisd'],
  [/^\s+ip pim\b/, 'pimd'],
  [/^\s+vrrp\b/, 'vrrpd'],
  [/^\s+ip nhrp\b/, 'nhrpd'],
  [/^(?:ip|ipv6) route\b/, 'staticd'],
];

/** A daemon an FRR configuration needs, and the first line (1-based) that says so. */
export interface NeededDaemon {
  daemon: FrrDaemon;
  line: number;
  text: string;
}

/** The daemons a configuration text needs (zebra aside: every configuration has it), in start order. */
export function daemonsNeededBy(config: string): NeededDaemon[] {
  const found = new Map<FrrDaemon, NeededDaemon>();
  const lines = config.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const text = (lines[i] as string).replace(/\r$/, '');
    for (const [pattern, daemon] of NEEDS) {
      if (!found.has(daemon) && pattern.test(text)) found.set(daemon, { daemon, line: i + 1, text: text.trim() });
    }
  }
  return inStartOrder(found.keys()).map((d) => found.get(d) as NeededDaemon);
}

/** One `name=yes` line of a daemons file that names no daemon nslab knows, or a line it cannot read. */
export interface DaemonsFileProblem {
  line: number;
  text: string;
  message: string;
}

/**
 * Reads FRR's `daemons` file (the one containerlab labs bind to /etc/frr/daemons): the daemons set to
 * `yes`, in start order. Other settings (`vtysh_enable`, `*_options`, `MAX_FDS`, ...) are the init
 * script's and are skipped; so are comments and daemons set to `no`.
 */
export function readDaemonsFile(text: string): { daemons: FrrDaemon[]; problems: DaemonsFileProblem[] } {
  const daemons: FrrDaemon[] = [];
  const problems: DaemonsFileProblem[] = [];
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const text = (lines[i] as string).trim();
    if (text === '' || text.startsWith('#')) continue;
    const m = /^([A-Za-z0-9_]+)\s*=\s*(["']?)([^"'#]*)\2\s*(?:#.*)?$/.exec(text);
    if (m === null) continue; // a shell line of the init script's (MAX_FDS=..., if ...): not ours to judge
    const name = m[1] as string;
    const value = (m[3] as string).trim().toLowerCase();
    if (value !== 'yes' && value !== 'no') continue; // vtysh_enable=yes is caught below; options are text
    if (name === 'vtysh_enable' || name === 'watchfrr_enable' || name === 'frr_profile') continue;
    if (value === 'no') continue;
    if (name === 'mgmtd') continue; // FRR 9 and later start it always, and 8 has none
    if (isFrrDaemon(name)) daemons.push(name);
    else problems.push({ line: i + 1, text, message: `${clip(name)} is not an FRR daemon nslab knows (it knows ${FRR_DAEMON_NAMES.join(', ')})` });
  }
  return { daemons: inStartOrder(daemons), problems };
}
