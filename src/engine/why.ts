/**
 * Why does (or doesn't) a packet get from one node to a target? This is the part that reads the kernel:
 * every namespace of the lab into a model (links, carrier, addresses, routes of every protocol, neighbour
 * entries, forwarding and the reverse path filter), and the plan `nslab up` would run now (how the kernel
 * has drifted from the file). The walk, the cause and the checked fixes are pure (src/plan/why). Each hop
 * the model walks through the kernel's state is then checked against the kernel's own lookup
 * (`ip route get`): where they disagree (policy rules, other tables), the answer says it is not sure.
 */
import { existsSync } from 'node:fs';
import { isIP } from 'node:net';
import { isAbsolute, resolve } from 'node:path';
import { NslabError } from '../errors.js';
import { NetconfIndex, Rtn } from '../netlink/index.js';
import { foreignConflicts, plan, type Op } from '../plan/index.js';
import { canonicalIp } from '../plan/ip.js';
import { shellArg } from '../plan/shell-quote.js';
import {
  diagnose,
  emptyModel,
  type Diagnosis,
  inScope,
  modelOfLab,
  routeScope,
  type ModelLink,
  type ModelRoute,
  type NetModel,
  type RouteScope,
  type RouteType,
  type Walk,
  type WhyAdvice,
  type WhyCause,
  type WhyInput,
} from '../plan/why/index.js';
import { Handle, NetlinkError, neighbourStateText, type Link, type Route } from '../rtnl/index.js';
import type { ResolvedEndpoint, ResolvedLab } from '../topology/types.js';
import { observeLab, type RouteListener } from './observe.js';
import { convergenceHint } from './routing.js';
import { readState } from './state.js';
import { listWords } from '../topology/bounded.js';

export type { WhyAdvice, WhyCause, WhyCauseKind } from '../plan/why/index.js';

export interface WhyHop {
  node: string;
  /** The host the node runs on, in a lab over several machines. */
  host?: string;
  /** What the kernel does here, in words. */
  text: string;
  /** The interface the packet came in on. */
  in?: string;
  /** The interface it leaves by. */
  out?: string;
  /** The next hop, when not the destination itself. */
  via?: string;
  /** The route picked, as `ip route` prints it, its protocol by name (`proto nslab`, `proto ospf`). */
  route?: string;
}

export interface WhyWalk {
  from: string;
  to: string;
  address: string;
  ok: boolean;
  hops: WhyHop[];
  /** The source address the packet carries. */
  source?: string;
  /** When not ok: what is in the way. */
  problem?: string;
}

export interface WhyResult {
  reaches: boolean;
  there: WhyWalk;
  /** The way back, from the target to the address the source sends from (absent if the way there fails). */
  back?: WhyWalk;
  /** One sentence: what happens, the cause, and the fix. */
  verdict: string;
  /** What stops the packet, and where. */
  cause?: WhyCause;
  /**
   * What to do, best first, each checked on a model of the lab before it is offered (applied, and the ping
   * walked again both ways). `nslab up FILE` first when the kernel has drifted from the file and that
   * restores it; then one command that fixes it alone, if there is one.
   */
  advice: WhyAdvice[];
  /** What `nslab up` of the file would change now, in words: empty when the kernel matches the file. */
  drift: string[];
  /** False when the kernel did something nslab's model does not explain (see notes): the verdict is then a guess and says so. */
  certain: boolean;
  /** Where the kernel's own lookups disagreed with the model, or a cable is not as the file says. */
  notes: string[];
  /** In a lab over several machines: the hosts the path crosses, in the order it meets them, there and back. */
  hosts?: string[];
}

export interface WhyOptions {
  /** The topology file to name in `nslab up FILE` (default: the one the lab was brought up from). */
  file?: string;
  /** The command that brings the lab up again as its definition says, when it is not `nslab up FILE` (the CLI's built-in lab: `nslab up`). */
  upCommand?: string;
  netnsDir?: string;
  stateRoot?: string;
}

const ROUTE_TYPES: Readonly<Record<number, RouteType>> = {
  [Rtn.UNICAST]: 'unicast',
  [Rtn.LOCAL]: 'local',
  [Rtn.BLACKHOLE]: 'blackhole',
  [Rtn.UNREACHABLE]: 'unreachable',
  [Rtn.PROHIBIT]: 'prohibit',
};

function modelRoute(r: Route, names: ReadonlyMap<number, string>): ModelRoute | undefined {
  if (r.to === '?') return undefined;
  const route: ModelRoute = {
    family: r.family,
    to: r.to,
    metric: r.metric ?? (r.family === 6 ? 1024 : 0),
    protocol: r.protocol,
    type: ROUTE_TYPES[r.type] ?? 'other',
  };
  if (r.via !== undefined) route.via = canonicalIp(r.via);
  const dev = r.oif !== undefined ? names.get(r.oif) : undefined;
  if (dev !== undefined) route.dev = dev;
  if (r.src !== undefined) route.src = canonicalIp(r.src);
  if (r.multipath === true) route.multipath = true;
  return route;
}

interface Read {
  model: NetModel;
  /** The kernel's links of each node read, for the lookups that check the walk. */
  links: Map<string, Link[]>;
  /** Where the lab's namespaces are (their run directory), for those lookups. */
  dir: string | undefined;
  notes: string[];
}

/**
 * Reads every present namespace of the lab into a model: links, addresses, neighbours and device settings
 * (forwarding, rp_filter: one netconf dump, not a /proc/sys file per device), a few dumps per namespace
 * sent together; the routes are those the observation behind the drift was given (`routes`, see gather).
 * Its handles are closed once read; the checks of the walk open those of its nodes again.
 */
async function readKernel(
  lab: ResolvedLab,
  owned: ReadonlySet<string>,
  dir: string | undefined,
  scope: RouteScope | undefined,
  routes: ReadonlyMap<string, ModelRoute[]>,
): Promise<Read> {
  const nodes = lab.nodes.filter((n) => owned.has(n.netns));
  const read: Read = { model: emptyModel(lab, scope), links: new Map(), dir, notes: [] };
  if (nodes.length === 0) return read;
  const opened = await Handle.openMany(
    nodes.map((n) => n.netns),
    dir,
  );
  try {
    await readInto(read, lab, nodes, opened, routes);
  } finally {
    await Handle.closeAll(opened);
  }
  return read;
}

async function readInto(read: Read, lab: ResolvedLab, nodes: ResolvedLab['nodes'], opened: Handle[], routes: ReadonlyMap<string, ModelRoute[]>): Promise<void> {
  const model = read.model;
  const seen = await Promise.all(
    opened.map(async (h) => {
      const [links, addrs, neighbours, conf4, conf6] = await Promise.all([h.link.list(), h.addr.list(), h.neigh.list(), h.netconf.list(4), h.netconf.list(6)]);
      return { links, addrs, neighbours, conf4, conf6 };
    }),
  );
  const kernelLinks = new Map<string, Link>();
  nodes.forEach((n, i) => {
    const s = seen[i];
    const node = model.nodes[n.name];
    if (s === undefined || node === undefined) return;
    const names = new Map(s.links.map((l) => [l.index, l.name]));
    const all4 = s.conf4.find((c) => c.index === NetconfIndex.ALL);
    node.present = true;
    node.forwarding = { 4: all4?.forwarding === true, 6: s.conf6.find((c) => c.index === NetconfIndex.ALL)?.forwarding === true };
    // The kernel filters by the higher of `all` and the device's own setting.
    for (const c of s.conf4) {
      const rp = Math.max(all4?.rpFilter ?? 0, c.rpFilter ?? 0);
      const dev = names.get(c.index);
      if (rp > 0 && dev !== undefined) node.rpFilter[dev] = rp;
    }
    node.links = s.links.map((l): ModelLink => {
      kernelLinks.set(`${n.name}\u0000${l.name}`, l);
      const link: ModelLink = {
        ifname: l.name,
        kind: l.name === 'lo' && l.kind === '' ? 'loopback' : l.kind === '' ? 'other' : l.kind,
        up: l.up,
        carrier: l.lowerUp,
        addresses: s.addrs.filter((a) => a.index === l.index).map((a) => ({ family: a.family, address: canonicalIp(a.address), prefixLength: a.prefixLength })),
      };
      if (l.mac !== undefined) link.mac = l.mac;
      const master = l.master !== undefined ? names.get(l.master) : undefined;
      if (master !== undefined) link.master = master;
      return link;
    });
    node.routes = routes.get(n.netns) ?? [];
    node.neighbours = s.neighbours.map((x) => ({
      ifname: names.get(x.index) ?? String(x.index),
      address: canonicalIp(x.address),
      ...(x.mac !== undefined ? { mac: x.mac } : {}),
      state: neighbourStateText(x.state),
    }));
    read.links.set(n.name, s.links);
  });
  // The cables: a veth end's other end is the file's when the kernel pairs them (each the other's peer index).
  const wire = (x: ResolvedEndpoint, y: ResolvedEndpoint): void => {
    const kx = kernelLinks.get(`${x.node}\u0000${x.ifname}`);
    const ky = kernelLinks.get(`${y.node}\u0000${y.ifname}`);
    const mx = model.nodes[x.node]?.links.find((l) => l.ifname === x.ifname);
    if (kx?.kind !== 'veth' || mx === undefined) return;
    // With the far end gone (its namespace deleted, or itself), the file says where it led.
    if (ky === undefined || (kx.peerIndex === ky.index && ky.peerIndex === kx.index)) mx.peer = { node: y.node, ifname: y.ifname };
    else read.notes.push(`${x.node}:${x.ifname} is not cabled to ${y.node}:${y.ifname} as the file says`);
  };
  for (const l of lab.links) {
    wire(l.a, l.b);
    wire(l.b, l.a);
  }
}

/** The addresses a node has in the file and, when its namespace is there, in the kernel. */
async function senderAddresses(lab: ResolvedLab, node: string, dir: string | undefined): Promise<string[]> {
  const inFile = lab.links.flatMap((l) => [l.a, l.b]).flatMap((e) => (e.node === node ? e.addresses.map((a) => canonicalIp(a.address)) : []));
  const netns = lab.nodes.find((n) => n.name === node)?.netns;
  const [h] = netns !== undefined ? await Handle.openEach([netns], dir) : [];
  if (!(h instanceof Handle)) return inFile;
  try {
    return [...inFile, ...(await h.addr.list()).map((a) => canonicalIp(a.address))];
  } finally {
    h.close();
  }
}

/** Checks each hop of a walk through the kernel's model against the kernel's own lookup; says where they differ. */
async function check(read: Read, w: Walk): Promise<string[]> {
  const nodes = [...new Set(w.hops.map((hop) => hop.node))].filter((n) => read.links.has(n));
  // A namespace gone since it was read is not checked.
  const opened = await Handle.openEach(
    nodes.map((n) => read.model.nodes[n]?.netns ?? n),
    read.dir,
  );
  const handles = new Map<string, Handle>();
  opened.forEach((h, i) => {
    if (h instanceof Handle) handles.set(nodes[i] as string, h);
  });
  try {
    return await checkHops(read, w, handles);
  } finally {
    await Handle.closeAll(handles.values());
  }
}

async function checkHops(read: Read, w: Walk, handles: ReadonlyMap<string, Handle>): Promise<string[]> {
  const notes: string[] = [];
  for (const [i, hop] of w.hops.entries()) {
    const h = handles.get(hop.node);
    if (h === undefined) continue;
    const last = i === w.hops.length - 1;
    const model =
      hop.out !== undefined
        ? `out of ${hop.out}${hop.via !== undefined ? ` via ${hop.via}` : ''}`
        : last && w.stop.stop === 'arrived'
          ? 'local'
          : last && w.stop.stop === 'no-route'
            ? 'no route'
            : undefined;
    if (model === undefined) continue;
    let kernel: string;
    try {
      const r = await h.route.get(w.address);
      const dev = read.links.get(hop.node)?.find((l) => l.index === r.oif)?.name ?? String(r.oif);
      kernel =
        r.type === Rtn.LOCAL
          ? 'local'
          : r.type === Rtn.UNICAST
            ? `out of ${dev}${r.via !== undefined ? ` via ${canonicalIp(r.via)}` : ''}`
            : `a route of type ${r.type}`;
    } catch (e) {
      if (!(e instanceof NetlinkError)) throw e;
      kernel = e.errnoName === 'ENETUNREACH' || e.errnoName === 'EHOSTUNREACH' ? 'no route' : `${e.errnoName ?? 'an error'}`;
    }
    if (kernel !== model)
      notes.push(
        `in ${hop.node}, the kernel's own lookup (ip route get ${w.address}) says ${kernel} where nslab's model says ${model}: policy rules or other tables may be at work`,
      );
  }
  return notes;
}

/** `nslab up FILE` for the file the lab came from, made absolute; undefined when there is none, or it is not there any more. */
export function upAgain(recorded: string | undefined): string | undefined {
  if (recorded === undefined || !existsSync(recorded)) return undefined;
  return `nslab up ${shellArg(isAbsolute(recorded) ? recorded : resolve(recorded))}`;
}

export function whyWalk(w: Walk, from: string, to: string, problem: string | undefined): WhyWalk {
  return {
    from,
    to,
    address: w.address,
    ok: w.ok,
    hops: w.hops.map((h) => ({ ...h })),
    ...(w.source !== undefined ? { source: w.source } : {}),
    ...(!w.ok && problem !== undefined ? { problem } : {}),
  };
}

/**
 * The kernel's state of the lab as a model, and what `nslab up` would do now. The routes are dumped once,
 * for the plan; the model keeps those its scope admits (with `about`: the walk's target and every address
 * the sender has in the file or the kernel, see routeScope), each namespace's as its dump arrives.
 */
async function gather(
  lab: ResolvedLab,
  options: WhyOptions,
  about?: { address: string; from: string },
): Promise<{ upOps: Op[]; upRefused: string[]; read: Read }> {
  const scope = about !== undefined ? routeScope([about.address, ...(await senderAddresses(lab, about.from, options.netnsDir))]) : undefined;
  const routes = new Map<string, ModelRoute[]>();
  const keep: RouteListener = (netns, dump, links) => {
    const names = new Map(links.map((l) => [l.index, l.name]));
    const kept: ModelRoute[] = [];
    for (const r of dump) {
      const route = modelRoute(r, names);
      if (route !== undefined && inScope(scope, route)) kept.push(route);
    }
    routes.set(netns, kept);
  };
  // The observation behind the plan goes before the kernel is read again: of a large routed lab it is large.
  const { upOps, upRefused, owned } = await drift(lab, options, keep);
  const read = await readKernel(lab, owned, options.netnsDir, scope, routes);
  return { upOps, upRefused, read };
}

/** The plan `nslab up FILE` would run now, made as up makes it (none when up would refuse to run), and the lab's namespaces. */
async function drift(lab: ResolvedLab, options: WhyOptions, onRoutes: RouteListener): Promise<{ upOps: Op[]; upRefused: string[]; owned: Set<string> }> {
  const state = readState(lab.name, options.stateRoot);
  const candidates = new Map<string, string>([...Object.entries(state?.namespaces ?? {}), ...lab.nodes.map((n): [string, string] => [n.netns, n.name])]);
  const seen = await observeLab(lab.name, state?.id, candidates, state, options.netnsDir, 'shaping', onRoutes);
  const wanted = new Set(lab.nodes.map((n) => n.netns));
  const upRefused = [
    ...seen.foreign.filter((f) => wanted.has(f.netns)).map((f) => `namespace ${f.netns} exists and is not the lab's (${f.owner})`),
    ...foreignConflicts(lab, seen.observed),
  ];
  const existed = seen.owned.size > 0 || seen.halfMade.length > 0;
  const upOps = upRefused.length > 0 ? [] : plan(lab, existed ? seen.observed : null, state?.applied).ops;
  return { upOps, upRefused, owned: new Set(seen.owned.keys()) };
}

/**
 * What `why FROM TARGET` asks about: the address (TARGET's first, IPv4 first, when it names a node) and
 * who holds it (`to`: the node, or the address itself when no node of the lab has it). Throws
 * NSLAB_NOT_FOUND for a node the lab does not have.
 */
export function whyTarget(lab: ResolvedLab, from: string, target: string): { address: string; to: string } {
  const nodeNamed = (name: string): ResolvedLab['nodes'][number] => {
    const n = lab.nodes.find((x) => x.name === name);
    if (n === undefined)
      throw new NslabError('NSLAB_NOT_FOUND', `lab ${lab.name} has no node ${name}; its nodes are ${listWords(lab.nodes.map((x) => x.name))}`);
    return n;
  };
  nodeNamed(from);
  if (isIP(target) === 0) {
    const end = lab.links.flatMap((l) => [l.a, l.b]).find((e) => e.node === nodeNamed(target).name && e.addresses.length > 0);
    const a = end?.addresses.find((x) => x.family === 4) ?? end?.addresses[0];
    if (a === undefined) throw new NslabError('NSLAB_NOT_FOUND', `node ${target} has no address to reach`);
    return { address: a.address, to: target };
  }
  const address = canonicalIp(target);
  const owner = lab.links.flatMap((l) => [l.a, l.b]).find((e) => e.addresses.some((c) => canonicalIp(c.address) === address));
  return { address, to: owner?.node ?? target };
}

/** One machine's share of a `why` over several: its nodes as the kernel has them, and what `nslab up` of its part would do. */
export interface WhyShare {
  /** The nodes of the lab (present or not) as this machine's kernel has them. */
  model: NetModel;
  upOps: Op[];
  upRefused: string[];
  notes: string[];
}

/**
 * Reads a lab's namespaces on this machine into why's model, for a walk that crosses machines (the
 * controller of a lab over several joins each host's share). Only reads.
 */
export async function whyShare(lab: ResolvedLab, options: WhyOptions = {}): Promise<WhyShare> {
  const { upOps, upRefused, read } = await gather(lab, options);
  return { model: read.model, upOps, upRefused, notes: read.notes };
}

/**
 * Explains whether `from` reaches `target` (a node name or an address) and back, and if not, the real
 * cause and a fix checked on a model of the lab.
 *
 * Equivalent to: ip -n NETNS route get ADDRESS, hop by hop, and back; ip link, ip addr, ip neigh, sysctl
 */
export async function why(lab: ResolvedLab, from: string, target: string, options: WhyOptions = {}): Promise<WhyResult> {
  const { address, to } = whyTarget(lab, from, target);

  const state = readState(lab.name, options.stateRoot);
  const { upOps, upRefused, read } = await gather(lab, options, { address, from });
  const upCommand = options.upCommand ?? upAgain(options.file ?? state?.source);
  const input: WhyInput = {
    lab,
    kernel: read.model,
    file: modelOfLab(lab, read.model.scope),
    upOps,
    upRefused,
    ...(upCommand !== undefined ? { upCommand } : {}),
    from,
    address,
    to,
  };
  let d = diagnose(input);
  // A router whose routes come from its daemons and that has none there: ask them whether they are still
  // converging or converged without a way (routing.ts), and say so. Only then: a vtysh call per router.
  const stuck = d.cause?.kind === 'unknown' ? lab.nodes.find((n) => n.name === d.cause?.node && n.frr !== undefined) : undefined;
  if (stuck !== undefined) {
    const hint = await convergenceHint(lab.name, stuck);
    if (hint !== '') d = diagnose({ ...input, routing: { [stuck.name]: hint } });
  }
  const { there, back } = d.probe;
  const notes = [...read.notes, ...(await check(read, there)), ...(back !== undefined ? await check(read, back) : [])];
  return whyResult(d, from, to, notes);
}

/** The answer of a diagnosis of `from` reaching `to`, with the notes that make it uncertain. */
export function whyResult(d: Diagnosis, from: string, to: string, notes: string[]): WhyResult {
  const { there, back } = d.probe;
  const problem = d.cause?.text;
  return {
    reaches: d.reaches,
    there: whyWalk(there, from, to, back === undefined ? problem : undefined),
    ...(back !== undefined ? { back: whyWalk(back, to, from, problem) } : {}),
    verdict: notes.length > 0 ? `${d.verdict}. But nslab is not sure: ${notes.join('; ')}` : d.verdict,
    ...(d.cause !== undefined ? { cause: d.cause } : {}),
    advice: d.advice,
    drift: d.drift,
    certain: notes.length === 0 && d.cause?.kind !== 'unknown',
    notes,
  };
}
