/**
 * The scale benchmarks' topologies: chain, ring, star (hosts around one bridge) and a two-level tree of
 * routers, generated from one in-memory description each, and rendered four ways for four contenders:
 *
 *   nslab      a topology file in nslab's YAML format (star and tree use the future `kind: bridge` and
 *              `kind: router` keys; see docs/performance.md)
 *   ip/step    a bash script of one `ip` command per step, as tutorials and Mininet do it
 *   ip -batch  as few ip processes as ip allows: one batch for the namespaces, one for every cable, and one
 *              `ip -n NS -batch FILE` per namespace (a batch cannot switch namespace per line)
 *   limit      the input of bench/limit.c, the kernel's limit (raw netlink, batched, no bookkeeping)
 *
 * and the check each contender's result must pass (kernel state read back with `ip -j`, pings).
 *
 * Sizes count namespaces: a chain of 100 is 100 namespaces, a star of 100 is the bridge and 99 hosts, a
 * tree of 100 is the root router, 10 routers under it and 89 hosts under those. Up to 10,000.
 *
 * Besides, labs for issue 17: `hub` (one host with a cable to each of the others, the star of thousands: a
 * bridge takes 1,023 ports at most), `lan` (a LAN of N hosts on one bridge: a star of N + 1 namespaces), and two
 * routed labs, `grid` (a square grid of N routers, N a square: 1,024 is 32 x 32) and `router-ring` (a ring
 * of N routers), both with `routing: static`: nslab's file says so, and the other contenders install the
 * routes nslab computes for it (resolveTopology and routesOf, the library's own), the same ones.
 */
import { join } from 'node:path';
import { resolveTopology, routesOf } from '../src/topology/index.js';

export type NodeKind = 'host' | 'router' | 'bridge';

export interface Route {
  /** "default" or a network, as a.b.c.d/len. */
  to: string;
  via?: string;
  dev?: string;
}

export interface Node {
  name: string;
  kind: NodeKind;
  routes: Route[];
}

export interface End {
  node: string;
  ifname: string;
  /** a.b.c.d/len, or absent (a bridge port). */
  address?: string;
}

/** One veth cable. `a` is the end whose namespace creates it (the lower node index). */
export interface Cable {
  a: End;
  b: End;
}

export interface Ping {
  from: string;
  /** Destination address, without its prefix length. */
  to: string;
  why: string;
}

export interface Topology {
  /** Lab name: chain-10, tree-1000, ... */
  name: string;
  shape: string;
  size: number;
  /** Namespace name prefix; namespace = prefix + node name. */
  prefix: string;
  nodes: Node[];
  cables: Cable[];
  /** Nodes whose state the check reads back (all of them up to 100 nodes; a sample above). */
  sample: string[];
  pings: Ping[];
  /** What the check covers, in a sentence (printed with the figures). */
  checkNote: string;
  /** `routing: static`: nslab computes the routes; the nodes' `routes` are those it computes, for the others. */
  routed?: boolean;
}

/** The shapes of the default run and of --topologies. */
export const SHAPES = ['chain', 'ring', 'star', 'tree'] as const;
/** Every shape --topologies takes. */
export const ALL_SHAPES = [...SHAPES, 'hub', 'lan', 'grid', 'router-ring'] as const;
export type Shape = (typeof ALL_SHAPES)[number];

/** The bridge device made in a bridge node. */
export const BRIDGE_DEV = 'br0';

const strip = (cidr: string): string => cidr.split('/')[0] as string;

/** The two ends of /31 number `i` in 10.<first>.0.0/16 and upwards: base.0 for the `a` end, base+1 for `b`. */
function slash31(first: number, i: number): { a: string; b: string } {
  const base = i * 2;
  const o2 = first + (base >> 16);
  const o3 = (base >> 8) & 255;
  const o4 = base & 255;
  return { a: `10.${o2}.${o3}.${o4}/31`, b: `10.${o2}.${o3}.${o4 + 1}/31` };
}

/** Deterministic sample: every node up to 100; above, >= 50 evenly spaced plus the ends and `extra`. */
function sampleOf(names: readonly string[], extra: readonly string[] = []): string[] {
  if (names.length <= 100) return [...names];
  const step = Math.floor(names.length / 50);
  const picked = new Set<string>();
  for (let i = 0; i < names.length; i += step) picked.add(names[i] as string);
  picked.add(names[0] as string);
  picked.add(names[names.length - 1] as string);
  for (const e of extra) picked.add(e);
  return [...picked];
}

function sampleNote(t: Pick<Topology, 'nodes' | 'sample'>): string {
  return t.sample.length === t.nodes.length
    ? `all ${t.nodes.length} nodes' links and addresses`
    : `links and addresses of a deterministic sample of ${t.sample.length} of ${t.nodes.length} nodes (every ${Math.floor(t.nodes.length / 50)}th, both ends, the hubs)`;
}

function prefixOf(shape: Shape, size: number): string {
  return `${shape[0]}${size}-`;
}

/** Hosts n0..n(N-1), cable i from n(i):e1 to n(i+1):e0, a /31 on each. Ring: plus n(N-1):e1 to n0:e0. */
function chainOrRing(shape: 'chain' | 'ring', size: number): Topology {
  const nodes: Node[] = Array.from({ length: size }, (_, i) => ({ name: `n${i}`, kind: 'host', routes: [] }));
  const cables: Cable[] = [];
  const count = shape === 'ring' ? size : size - 1;
  for (let i = 0; i < count; i++) {
    const j = (i + 1) % size;
    const ad = slash31(100, i);
    // The creator is the lower node index: for the closing cable of a ring that is n0 (its e0 end).
    cables.push(
      j > i
        ? { a: { node: `n${i}`, ifname: 'e1', address: ad.a }, b: { node: `n${j}`, ifname: 'e0', address: ad.b } }
        : { a: { node: `n${j}`, ifname: 'e0', address: ad.b }, b: { node: `n${i}`, ifname: 'e1', address: ad.a } },
    );
  }
  // Without forwarding a ping crosses one cable: ping across the first, the middle and the last one.
  const at = (i: number, why: string): Ping => {
    const c = cables[i] as Cable;
    return { from: c.a.node, to: strip(c.b.address as string), why };
  };
  const mid = Math.floor((count - 1) / 2);
  const pings = [at(0, 'first cable'), at(mid, 'middle cable'), at(count - 1, shape === 'ring' ? 'closing cable' : 'last cable')];
  const t = {
    name: `${shape}-${size}`,
    shape,
    size,
    prefix: prefixOf(shape, size),
    nodes,
    cables,
    sample: sampleOf(nodes.map((n) => n.name)),
    pings,
    checkNote: '',
  };
  t.checkNote = `${sampleNote(t)}; pings across the first, middle and last cable (hosts do not forward, so no ping crosses more than one cable)`;
  return t;
}

/**
 * One bridge node `sw` (br0, every port enslaved) and N-1 hosts h1.. on one subnet (a /24, or as large as
 * they need above 253 hosts). A Linux bridge takes 1,023 ports at most (EXFULL past them): `hub` is the
 * star of thousands.
 */
function star(size: number): Topology {
  const hosts = size - 1;
  if (hosts > 1023) throw new Error(`star of ${size}: a Linux bridge takes 1,023 ports at most; a hub takes more (--topologies hub)`);
  const plen = hosts <= 253 ? 24 : Math.min(22, 32 - Math.ceil(Math.log2(hosts + 2)));
  const nodes: Node[] = [{ name: 'sw', kind: 'bridge', routes: [] }];
  const cables: Cable[] = [];
  for (let i = 1; i <= hosts; i++) {
    nodes.push({ name: `h${i}`, kind: 'host', routes: [] });
    cables.push({ a: { node: 'sw', ifname: `p${i}` }, b: { node: `h${i}`, ifname: 'e0', address: `10.1.${i >> 8}.${i & 255}/${plen}` } });
  }
  const last = cables[cables.length - 1] as Cable;
  const t = {
    name: `star-${size}`,
    shape: 'star',
    size,
    prefix: prefixOf('star', size),
    nodes,
    cables,
    sample: sampleOf(
      nodes.map((n) => n.name),
      ['sw'],
    ),
    pings: [{ from: 'h1', to: strip(last.b.address as string), why: `h1 to h${hosts} through the bridge` }],
    checkNote: '',
  };
  t.checkNote = `${sampleNote(t)} (bridge ports enslaved to ${BRIDGE_DEV}); one ping from the first host to the last through the bridge`;
  return t;
}

/** One host `hub` with a cable to each of the N-1 hosts h1.. (`c<i>` to `e0`), a /31 each: one namespace with thousands of devices. */
function hub(size: number): Topology {
  const nodes: Node[] = [{ name: 'hub', kind: 'host', routes: [] }];
  const cables: Cable[] = [];
  for (let i = 1; i < size; i++) {
    nodes.push({ name: `h${i}`, kind: 'host', routes: [] });
    const ad = slash31(100, i - 1);
    cables.push({ a: { node: 'hub', ifname: `c${i}`, address: ad.a }, b: { node: `h${i}`, ifname: 'e0', address: ad.b } });
  }
  const last = cables[cables.length - 1] as Cable;
  const t = {
    name: `hub-${size}`,
    shape: 'hub',
    size,
    prefix: `h${size}-`,
    nodes,
    cables,
    sample: sampleOf(
      nodes.map((n) => n.name),
      ['hub'],
    ),
    pings: [
      { from: 'hub', to: strip((cables[0] as Cable).b.address as string), why: 'the first cable of the hub' },
      { from: 'hub', to: strip(last.b.address as string), why: 'the last cable of the hub' },
    ],
    checkNote: '',
  };
  t.checkNote = `${sampleNote(t)}; pings from the hub across its first and last cable`;
  return t;
}

/**
 * Root router r0; k = round(sqrt(N)) routers r1..rk under it (uplink `up` to r0's `d<i>`); the remaining
 * hosts dealt round-robin under r1..rk (host's `e0` to its router's `d<j>`). Router i's subtree is
 * 10.<i>.0.0/16; the root's links are in 10.0.0.0/16. Routes: hosts default via their router, routers
 * default via the root, the root one /16 per router. Routers forward.
 */
function tree(size: number): Topology {
  const k = Math.max(1, Math.round(Math.sqrt(size)));
  const hosts = size - 1 - k;
  if (hosts < k) throw new Error(`tree of ${size}: too small for ${k} routers`);
  const nodes: Node[] = [{ name: 'r0', kind: 'router', routes: [] }];
  const cables: Cable[] = [];
  const perRouter = new Array<number>(k + 1).fill(0);
  for (let i = 1; i <= k; i++) {
    const ad = slash31(0, i);
    nodes.push({ name: `r${i}`, kind: 'router', routes: [{ to: 'default', via: strip(ad.a) }] });
    (nodes[0] as Node).routes.push({ to: `10.${i}.0.0/16`, via: strip(ad.b) });
    cables.push({ a: { node: 'r0', ifname: `d${i}`, address: ad.a }, b: { node: `r${i}`, ifname: 'up', address: ad.b } });
  }
  const hostsOf: string[][] = Array.from({ length: k + 1 }, () => []);
  for (let h = 0; h < hosts; h++) {
    const r = (h % k) + 1;
    const j = perRouter[r] ?? 0;
    perRouter[r] = j + 1;
    const ad = slash31(0, j);
    const a = ad.a.replace(/^10\.0\./, `10.${r}.`);
    const b = ad.b.replace(/^10\.0\./, `10.${r}.`);
    const name = `h${h + 1}`;
    nodes.push({ name, kind: 'host', routes: [{ to: 'default', via: strip(a) }] });
    cables.push({ a: { node: `r${r}`, ifname: `d${j}`, address: a }, b: { node: name, ifname: 'e0', address: b } });
    hostsOf[r]?.push(name);
  }
  const from = hostsOf[1]?.[0] as string;
  const toName = hostsOf[k]?.[(hostsOf[k]?.length ?? 1) - 1] as string;
  const toCable = cables.find((c) => c.b.node === toName) as Cable;
  const routers = nodes.filter((n) => n.kind === 'router').map((n) => n.name);
  const t = {
    name: `tree-${size}`,
    shape: 'tree',
    size,
    prefix: prefixOf('tree', size),
    nodes,
    cables,
    sample: sampleOf(
      nodes.map((n) => n.name),
      [...routers.slice(0, 2), routers[routers.length - 1] as string, from, toName],
    ),
    pings: [{ from, to: strip(toCable.b.address as string), why: `${from} (under r1) to ${toName} (under r${k}): four hops through three routers` }],
    checkNote: '',
  };
  t.checkNote = `${sampleNote(t)}; one ping host to host across the tree (host, router, root, router, host; forwarding and routes)`;
  return t;
}

/**
 * The routes nslab computes for a routed lab (`routing: static`), given to its nodes for the contenders
 * that are told them: the same ones, through the library's own computation of the lab nslab reads.
 */
function withComputedRoutes(t: Topology): Topology {
  const lab = resolveTopology(labObject(t));
  const byName = new Map(t.nodes.map((n) => [n.name, n]));
  for (const node of lab.nodes) {
    const routes = (byName.get(node.name) as Node).routes;
    for (const r of routesOf(lab, node)) {
      routes.push({
        to: r.to === 'default' ? 'default' : `${r.to.address}/${r.to.prefixLength}`,
        ...(r.via !== undefined ? { via: r.via } : {}),
        ...(r.dev !== undefined ? { dev: r.dev } : {}),
      });
    }
  }
  return t;
}

/**
 * A square grid of routers r<row>x<col>, side = sqrt(size): each cabled to its east (`ee` to `ew`) and south
 * (`es` to `en`) neighbour, a /31 each from 10.0.0.0 up; routing: static. A ping corner to corner crosses
 * every row and column.
 */
function grid(size: number): Topology {
  const side = Math.round(Math.sqrt(size));
  if (side * side !== size) throw new Error(`grid of ${size}: not a square (1,024 is 32 x 32)`);
  const name = (r: number, c: number): string => `r${r}x${c}`;
  const nodes: Node[] = [];
  for (let r = 0; r < side; r++) for (let c = 0; c < side; c++) nodes.push({ name: name(r, c), kind: 'router', routes: [] });
  const cables: Cable[] = [];
  const cable = (a: string, ai: string, b: string, bi: string): void => {
    const ad = slash31(0, cables.length);
    cables.push({ a: { node: a, ifname: ai, address: ad.a }, b: { node: b, ifname: bi, address: ad.b } });
  };
  for (let r = 0; r < side; r++) {
    for (let c = 0; c < side; c++) {
      if (c + 1 < side) cable(name(r, c), 'ee', name(r, c + 1), 'ew');
      if (r + 1 < side) cable(name(r, c), 'es', name(r + 1, c), 'en');
    }
  }
  const far = cables.find((x) => x.b.node === name(side - 1, side - 1)) as Cable;
  const t: Topology = {
    name: `grid-${size}`,
    shape: 'grid',
    size,
    prefix: `g${size}-`,
    nodes,
    cables,
    sample: sampleOf(
      nodes.map((n) => n.name),
      [name(0, side - 1), name(side - 1, 0)],
    ),
    pings: [{ from: name(0, 0), to: strip(far.b.address as string), why: `corner to corner, ${2 * (side - 1)} routers on the way` }],
    checkNote: '',
    routed: true,
  };
  t.checkNote = `${sampleNote(t)} and the routes of every sampled router; a ping corner to corner`;
  return withComputedRoutes(t);
}

/** A ring of routers n0..n(N-1) as chainOrRing's, routing: static; a ping to the far side of the ring. */
function routerRing(size: number): Topology {
  const t = chainOrRing('ring', size);
  for (const n of t.nodes) n.kind = 'router';
  // A ping lives 64 hops: as far round the ring as that goes, both ways.
  const hops = Math.min(60, Math.floor(size / 2));
  const far = t.cables[hops] as Cable;
  Object.assign(t, {
    name: `router-ring-${size}`,
    shape: 'router-ring',
    prefix: `rr${size}-`,
    routed: true,
    pings: [{ from: 'n0', to: strip(far.b.address as string), why: `${hops} routers round the ring` }],
  });
  t.checkNote = `${sampleNote(t)} and the routes of every sampled router; a ping ${hops} routers round the ring`;
  return withComputedRoutes(t);
}

export function generate(shape: Shape, size: number): Topology {
  if (size < 3) throw new Error(`size ${size}: the scale topologies need at least 3 nodes`);
  switch (shape) {
    case 'chain':
    case 'ring':
      return chainOrRing(shape, size);
    case 'star':
      return star(size);
    case 'hub':
      return hub(size);
    case 'lan':
      return { ...star(size + 1), name: `lan-${size}`, shape: 'lan', size, prefix: `l${size}-` };
    case 'tree':
      return tree(size);
    case 'grid':
      return grid(size);
    case 'router-ring':
      return routerRing(size);
  }
}

export const netnsOf = (t: Topology, node: string): string => t.prefix + node;

/** Every interface of a node, with its address and master (for the check and the renderings). */
export interface Iface {
  ifname: string;
  address?: string;
  master?: string;
}

export function interfacesOf(t: Topology): Map<string, Iface[]> {
  const m = new Map<string, Iface[]>(t.nodes.map((n) => [n.name, []]));
  const kind = new Map(t.nodes.map((n) => [n.name, n.kind]));
  for (const n of t.nodes) if (n.kind === 'bridge') m.get(n.name)?.push({ ifname: BRIDGE_DEV });
  for (const c of t.cables) {
    for (const e of [c.a, c.b]) {
      m.get(e.node)?.push({
        ifname: e.ifname,
        ...(e.address !== undefined ? { address: e.address } : {}),
        ...(kind.get(e.node) === 'bridge' ? { master: BRIDGE_DEV } : {}),
      });
    }
  }
  return m;
}

// ---------------------------------------------------------------------------------------------------
// (a) nslab's YAML.

/** The lab as nslab's topology object (the YAML's content): for resolveTopology. */
function labObject(t: Topology): Record<string, unknown> {
  const end = (e: End): string => `${e.node}:${e.ifname}${e.address !== undefined ? ` ${e.address}` : ''}`;
  return {
    name: t.name,
    prefix: t.prefix,
    ...(t.routed === true ? { routing: 'static' } : {}),
    nodes: Object.fromEntries(t.nodes.map((n) => [n.name, n.kind !== 'host' ? { kind: n.kind } : {}])),
    links: t.cables.map((c) => ({ endpoints: [end(c.a), end(c.b)] })),
  };
}

export function toYaml(t: Topology): string {
  const out = [`name: ${t.name}`, `prefix: "${t.prefix}"`, ...(t.routed === true ? ['routing: static'] : []), 'nodes:'];
  for (const n of t.nodes) {
    const keys: string[] = [];
    if (n.kind !== 'host') keys.push(`kind: ${n.kind}`);
    if (n.routes.length > 0 && t.routed !== true)
      keys.push(
        `routes: [${n.routes.map((r) => `{ to: ${r.to}${r.via !== undefined ? `, via: ${r.via}` : ''}${r.dev !== undefined ? `, dev: ${r.dev}` : ''} }`).join(', ')}]`,
      );
    out.push(`  ${n.name}: {${keys.length > 0 ? ` ${keys.join(', ')} ` : ''}}`);
  }
  out.push('links:');
  const end = (e: End): string => `"${e.node}:${e.ifname}${e.address !== undefined ? ` ${e.address}` : ''}"`;
  for (const c of t.cables) out.push(`  - endpoints: [${end(c.a)}, ${end(c.b)}]`);
  return `${out.join('\n')}\n`;
}

// ---------------------------------------------------------------------------------------------------
// (b) one ip command per step, and (c) ip -batch.

const ipRoute = (r: Route): string => `${r.to}${r.via !== undefined ? ` via ${r.via}` : ''}${r.dev !== undefined ? ` dev ${r.dev}` : ''}`;

/** The per-namespace commands (without `ip -n NS`), in order: bridge, masters, up, addresses, routes. */
function perNamespace(t: Topology): Map<string, string[]> {
  const ifs = interfacesOf(t);
  const m = new Map<string, string[]>();
  for (const n of t.nodes) {
    const lines: string[] = [];
    const own = ifs.get(n.name) ?? [];
    if (n.kind === 'bridge') lines.push(`link add name ${BRIDGE_DEV} type bridge`);
    for (const i of own) if (i.master !== undefined) lines.push(`link set dev ${i.ifname} master ${i.master}`);
    lines.push('link set dev lo up');
    for (const i of own) lines.push(`link set dev ${i.ifname} up`);
    for (const i of own) if (i.address !== undefined) lines.push(`addr add ${i.address} dev ${i.ifname}`);
    for (const r of n.routes) lines.push(`route add ${ipRoute(r)}`);
    m.set(n.name, lines);
  }
  return m;
}

const vethLine = (t: Topology, c: Cable): string =>
  `link add name ${c.a.ifname} netns ${netnsOf(t, c.a.node)} type veth peer name ${c.b.ifname} netns ${netnsOf(t, c.b.node)}`;
const forwardCmd = (ns: string): string => `ip netns exec ${ns} sysctl -q -w net.ipv4.ip_forward=1`;

export function ipPerStepScript(t: Topology): string {
  const lines: string[] = [];
  for (const n of t.nodes) lines.push(`ip netns add ${netnsOf(t, n.name)}`);
  for (const n of t.nodes) if (n.kind === 'router') lines.push(forwardCmd(netnsOf(t, n.name)));
  for (const c of t.cables) lines.push(`ip ${vethLine(t, c)}`);
  for (const [node, cmds] of perNamespace(t)) for (const cmd of cmds) lines.push(`ip -n ${netnsOf(t, node)} ${cmd}`);
  return `${lines.join('\n')}\n`;
}

const LINKS_PER_BATCH = 2000;

/** Writes the batch files into `dir` and returns the script that runs them. */
export function ipBatchFiles(t: Topology, dir: string): { script: string; files: Map<string, string> } {
  const files = new Map<string, string>();
  files.set(join(dir, 'netns.batch'), `${t.nodes.map((n) => `netns add ${netnsOf(t, n.name)}`).join('\n')}\n`);
  const lines = [`ip -batch ${join(dir, 'netns.batch')}`];
  for (const n of t.nodes) if (n.kind === 'router') lines.push(forwardCmd(netnsOf(t, n.name)));
  // ip keeps a descriptor of every namespace a batch names (both ends of each cable): a batch of 10,000
  // cables runs out of 20,000 (`Invalid "netns" value`). Batches of 2,000 cables.
  for (let i = 0; i < t.cables.length; i += LINKS_PER_BATCH) {
    const f = join(dir, `links-${i / LINKS_PER_BATCH}.batch`);
    files.set(
      f,
      `${t.cables
        .slice(i, i + LINKS_PER_BATCH)
        .map((c) => vethLine(t, c))
        .join('\n')}\n`,
    );
    lines.push(`ip -batch ${f}`);
  }
  for (const [node, cmds] of perNamespace(t)) {
    const f = join(dir, `ns-${node}.batch`);
    files.set(f, `${cmds.join('\n')}\n`);
    lines.push(`ip -n ${netnsOf(t, node)} -batch ${f}`);
  }
  return { script: `${lines.join('\n')}\n`, files };
}

/** The down baseline: `ip netns del` per namespace (veths die with their namespaces). */
export function ipDownScript(t: Topology): string {
  return `${t.nodes.map((n) => `ip netns del ${netnsOf(t, n.name)}`).join('\n')}\n`;
}

export function ipDownBatch(t: Topology, dir: string): { script: string; files: Map<string, string> } {
  const f = join(dir, 'netns-del.batch');
  return { script: `ip -batch ${f}\n`, files: new Map([[f, `${t.nodes.map((n) => `netns del ${netnsOf(t, n.name)}`).join('\n')}\n`]]) };
}

// ---------------------------------------------------------------------------------------------------
// (d) the input of bench/limit.c. Namespaces by number (order of the `ns` lines); interfaces by the
// index the limit gives them at creation (lo is 1; ours count from 2 in each namespace). Lines:
//   ns NAME [forward]
//   bridge NS IFNAME IFINDEX
//   veth NS IFNAME IFINDEX PEERNS PEERNAME PEERINDEX MASTER|0
//   up NS IFINDEX
//   addr NS IFINDEX A.B.C.D PLEN
//   route NS A.B.C.D PLEN GATEWAY|- OIF|0
// The limit sends a namespace's lines in one batch, namespaces in order; a veth line belongs to the
// namespace that creates it, which comes before its peer's, so every device exists before it is named.
// The bridge is created up; lo is brought up by the limit itself in every namespace.

export function limitInput(t: Topology): string {
  const nsIndex = new Map(t.nodes.map((n, i) => [n.name, i]));
  const next = new Map(t.nodes.map((n) => [n.name, 2]));
  const index = new Map<string, number>(); // "node:ifname" -> ifindex
  const take = (node: string, ifname: string): number => {
    const i = next.get(node) ?? 2;
    next.set(node, i + 1);
    index.set(`${node}:${ifname}`, i);
    return i;
  };
  const byNs = new Map<string, string[]>(t.nodes.map((n) => [n.name, []]));
  const lines = t.nodes.map((n) => `ns ${netnsOf(t, n.name)}${n.kind === 'router' ? ' forward' : ''}`);
  for (const n of t.nodes) if (n.kind === 'bridge') byNs.get(n.name)?.push(`bridge ${nsIndex.get(n.name)} ${BRIDGE_DEV} ${take(n.name, BRIDGE_DEV)}`);
  const kind = new Map(t.nodes.map((n) => [n.name, n.kind]));
  const master = (node: string): number => (kind.get(node) === 'bridge' ? (index.get(`${node}:${BRIDGE_DEV}`) ?? 0) : 0);
  for (const c of t.cables) {
    const ai = take(c.a.node, c.a.ifname);
    const bi = take(c.b.node, c.b.ifname);
    if ((nsIndex.get(c.a.node) ?? 0) >= (nsIndex.get(c.b.node) ?? 0))
      throw new Error(`${t.name}: cable ${c.a.node}-${c.b.node} is not created by the lower namespace`);
    if (master(c.b.node) !== 0) throw new Error(`${t.name}: a bridge port must be the creating end of its cable`);
    byNs.get(c.a.node)?.push(`veth ${nsIndex.get(c.a.node)} ${c.a.ifname} ${ai} ${nsIndex.get(c.b.node)} ${c.b.ifname} ${bi} ${master(c.a.node)}`);
  }
  // Up: a veth cannot be created up (its peer is not joined to it yet when the kernel opens it).
  for (const [k, i] of index) {
    const node = k.slice(0, k.indexOf(':'));
    if (kind.get(node) !== 'bridge' || !k.endsWith(`:${BRIDGE_DEV}`)) byNs.get(node)?.push(`up ${nsIndex.get(node)} ${i}`);
  }
  for (const c of t.cables) {
    for (const e of [c.a, c.b]) {
      if (e.address === undefined) continue;
      const [a, plen] = e.address.split('/');
      byNs.get(e.node)?.push(`addr ${nsIndex.get(e.node)} ${index.get(`${e.node}:${e.ifname}`)} ${a} ${plen}`);
    }
  }
  for (const n of t.nodes) {
    for (const r of n.routes) {
      const [dst, plen] = r.to === 'default' ? ['0.0.0.0', '0'] : r.to.split('/');
      const oif = r.dev !== undefined ? (index.get(`${n.name}:${r.dev}`) ?? 0) : 0;
      byNs.get(n.name)?.push(`route ${nsIndex.get(n.name)} ${dst} ${plen} ${r.via ?? '-'} ${oif}`);
    }
  }
  for (const n of t.nodes) lines.push(...(byNs.get(n.name) ?? []));
  return `${lines.join('\n')}\n`;
}
