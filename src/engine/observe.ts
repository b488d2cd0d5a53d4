/**
 * Reads what exists of a lab from the kernel: its namespaces (by the mark on their `lo`), its links (by
 * their own mark), addresses, nslab's routes and sysctls; plus its live background processes from the
 * state file. Anything unmarked is not the lab's and is never reported as such.
 */
import { existsSync, readdirSync } from 'node:fs';
import { NslabError } from '../errors.js';
import { NETNS_RUN_DIR, namespaceIdentities, netnsPath, sysctl } from '../native/index.js';
import { Handle, type Link, type Route } from '../rtnl/index.js';
import { PLANNED_SYSCTLS } from '../plan/sysctls.js';
import type { ForeignRoute, ObservedLab, ObservedLink, ObservedNamespace, ObservedProcess, VxlanEnds } from '../plan/types.js';
import type { Cidr, ResolvedRoute } from '../topology/types.js';
import { optional } from './optional.js';
import { shapingOf } from './shaping.js';
import { parseMark, RTPROT_NSLAB } from '../plan/marks.js';
import { Rtprot } from '../netlink/index.js';
import { isRunning } from '../process/index.js';
import { readState, type LabState } from './state.js';

export interface Observation {
  observed: ObservedLab;
  /** Namespaces found carrying this lab's mark (namespace -> node). */
  owned: Map<string, string>;
  /** Namespaces the lab wants that exist and are not this lab's. */
  foreign: { netns: string; owner: string }[];
  /**
   * Files the lab's state names that are not namespaces: a run killed while it made them left them (see
   * NOT_A_NAMESPACE). Only a teardown removes them; they are in neither `owned` nor `observed`.
   */
  halfMade: string[];
  /** The identities read of the namespaces found the lab's by the identity the state recorded. */
  identities: Map<string, string>;
  /** The lab id found in the marks (when the state file was lost, the lab keeps its identity). */
  foundId: string | undefined;
  /** The highest interface index in any of the lab's namespaces (0 when it has none). */
  maxIndex: number;
}

/**
 * What `readNamespaceMarks` answers for a file under the run directory that is not a namespace: what an
 * `ip netns add` or an nslab run leaves when it is killed between creating the file and mounting the
 * namespace on it.
 */
export const NOT_A_NAMESPACE = Symbol('not a namespace');

/** What the `lo` alias of each existing namespace says, read through one handle each. */
export async function readNamespaceMarks(names: readonly string[], dir = NETNS_RUN_DIR): Promise<Map<string, string | undefined | typeof NOT_A_NAMESPACE>> {
  // One readdir, not a stat per name.
  const present = new Set(listNamespaces(dir));
  const existing = names.filter((n) => present.has(n));
  const marks = new Map<string, string | undefined | typeof NOT_A_NAMESPACE>();
  if (existing.length === 0) return marks;
  const opened = await Handle.openEach(existing, dir);
  const handles = opened.filter((h): h is Handle => !(h instanceof Error));
  try {
    const failed = opened.find((h): h is NslabError => h instanceof Error && !isNotANamespace(h) && !isGone(h));
    if (failed !== undefined) throw failed;
    const los = await Promise.all(opened.map((h) => (h instanceof Error ? (isGone(h) ? GONE : NOT_A_NAMESPACE) : h.link.get('lo'))));
    existing.forEach((n, i) => {
      const lo = los[i];
      // Deleted since the directory was read (another lab's down, running beside this one): not there.
      if (lo === GONE) return;
      marks.set(n, lo === NOT_A_NAMESPACE ? lo : lo?.alias);
    });
  } finally {
    await Handle.closeAll(handles);
  }
  return marks;
}

const GONE = Symbol('gone');

/** A namespace file removed between the directory's read and its open. */
function isGone(e: NslabError): boolean {
  const { errno, syscall } = e as NslabError & { errno?: number; syscall?: string };
  return errno === 2 && syscall === 'open';
}

/** setns refuses a file that is not a namespace with EINVAL. */
function isNotANamespace(e: NslabError): boolean {
  const { errno, syscall } = e as NslabError & { errno?: number; syscall?: string };
  return errno === 22 && syscall === 'setns';
}

/** Every namespace under the run directory (what `ip netns list` shows). */
export function listNamespaces(dir = NETNS_RUN_DIR): string[] {
  return existsSync(dir) ? readdirSync(dir).sort() : [];
}

/**
 * Observes a lab. `candidates` maps namespace -> node for every namespace that could be the lab's (the
 * state file's and the desired topology's).
 */
/**
 * How much to read: `full` is everything the planner compares (links, addresses, routes, sysctls, and
 * qdiscs with `shaping`); `marks` only which namespaces are the lab's, which is all a teardown needs.
 */
export type Depth = 'full' | 'shaping' | 'marks';

/** Given every route of a namespace as its dump arrives (of every protocol), with its links then. */
export type RouteListener = (netns: string, routes: readonly Route[], links: readonly Link[]) => void;

export async function observeLab(
  lab: string,
  labId: string | undefined,
  candidates: Map<string, string>,
  state: LabState | undefined,
  dir = NETNS_RUN_DIR,
  depth: Depth = 'shaping',
  onRoutes?: RouteListener,
): Promise<Observation> {
  const withShaping = depth === 'shaping';
  const owned = new Map<string, string>();
  // A namespace that still has the identity nslab recorded when it made it is the lab's without asking
  // the kernel for its mark (a teardown of a thousand namespaces then costs a stat each).
  const known = depth === 'marks' && labId !== undefined ? (state?.identities ?? {}) : {};
  const recorded = [...candidates].filter(([netns]) => known[netns] !== undefined);
  const identities = await namespaceIdentities(recorded.map(([netns]) => netnsPath(netns, dir)));
  const verified = new Map<string, string>();
  recorded.forEach(([netns, node], i) => {
    const id = identities[i];
    if (id === undefined || id !== known[netns]) return;
    owned.set(netns, node);
    verified.set(netns, id);
  });
  const marks = await readNamespaceMarks(
    [...candidates.keys()].filter((n) => !owned.has(n)),
    dir,
  );
  const foreign: Observation['foreign'] = [];
  const halfMade: string[] = [];
  let foundId = labId;
  for (const [netns, alias] of marks) {
    if (alias === NOT_A_NAMESPACE) {
      // The journal names a namespace before it is made: one the state names is this lab's, half made.
      if (state?.namespaces[netns] !== undefined) halfMade.push(netns);
      else foreign.push({ netns, owner: 'a file that is not a namespace (left by an interrupted `ip netns add`?)' });
      continue;
    }
    const mark = parseMark(alias);
    if (mark !== undefined && mark.lab === lab && (foundId === undefined || mark.id === foundId)) {
      owned.set(netns, candidates.get(netns) ?? '');
      foundId = mark.id;
    } else
      foreign.push({
        netns,
        owner: mark !== undefined ? `nslab lab ${mark.lab}` : alias !== undefined && alias !== '' ? `lo alias "${alias}"` : 'not made by nslab',
      });
  }
  const namespaces: Record<string, ObservedNamespace> = {};
  let maxIndex = 0;
  const names = [...owned.keys()];
  if (depth === 'marks') {
    for (const [netns, node] of owned) namespaces[netns] = { node, links: [], routes: [], sysctls: {} };
  } else if (names.length > 0) {
    const handles = await Handle.openMany(names, dir);
    try {
      const sysctls = await sysctl(names.flatMap((n) => PLANNED_SYSCTLS.map((k) => [netnsPath(n, dir), k, null] as const)));
      // A namespace's routes are turned into the observation's as its dump arrives: a router of a large
      // grid has thousands, and holding every namespace's decoded dump until all had come doubled the peak.
      const perNs = await Promise.all(
        handles.map(async (h, i) => {
          const links = await h.link.list();
          const addrs = await h.addr.list();
          const dump = [...(await h.route.list({ family: 4 })), ...(await h.route.list({ family: 6 }))];
          onRoutes?.(names[i] as string, dump, links);
          const routes = observedRoutes(dump, links);
          const qdiscs = withShaping ? (await h.qdisc.list()).filter((q) => q.root) : [];
          return { links, addrs, ...routes, qdiscs };
        }),
      );
      const peersOfOurs = unmarkedPeersOfOurs(
        lab,
        names,
        perNs.map((p) => p.links),
      );
      names.forEach((netns, i) => {
        const seen = perNs[i];
        if (seen === undefined) return;
        for (const l of seen.links) maxIndex = Math.max(maxIndex, l.index);
        const ours = seen.links.filter((l) => l.name !== 'lo' && (parseMark(l.alias)?.lab === lab || peersOfOurs.has(`${netns}\0${l.name}`)));
        const foreignLinks = seen.links.filter((l) => l.name !== 'lo' && !ours.includes(l)).map((l) => l.name);
        const byIndex = new Map(seen.links.map((l) => [l.index, l.name]));
        const links: ObservedLink[] = ours.map((l) => ({
          ifname: l.name,
          kind: l.kind,
          up: l.up,
          mtu: l.mtu,
          addresses: seen.addrs
            .filter((a) => a.index === l.index && !(a.family === 6 && a.address.startsWith('fe80:')))
            .map((a): Cidr => ({ family: a.family, address: a.address, prefixLength: a.prefixLength })),
          ...(l.master !== undefined && byIndex.has(l.master) ? { master: byIndex.get(l.master) as string } : {}),
          ...optional('shaping', shapingOf(seen.qdiscs.find((q) => q.ifindex === l.index)?.spec)),
          ...optional('vxlan', vxlanEnds(l)),
        }));
        const { routes, foreignRoutes } = seen;
        const values: Record<string, string> = {};
        PLANNED_SYSCTLS.forEach((k, j) => {
          const v = sysctls[i * PLANNED_SYSCTLS.length + j];
          if (typeof v === 'string') values[k] = v.trim();
        });
        namespaces[netns] = {
          node: owned.get(netns) ?? '',
          links,
          routes,
          sysctls: values,
          ...(foreignLinks.length > 0 ? { foreignLinks } : {}),
          ...(foreignRoutes.length > 0 ? { foreignRoutes } : {}),
        };
      });
      pairPeers(names, handles.length > 0 ? perNs.map((p) => p.links) : [], namespaces);
    } finally {
      await Handle.closeAll(handles);
    }
  }
  const processes: ObservedProcess[] = (state?.processes ?? [])
    .filter(isRunning)
    .map((p) => ({ node: p.node, pid: p.pid, startTime: p.startTime, run: p.run, ...optional('frr', p.frr) }));
  return { observed: { namespaces, processes }, owned, foreign, halfMade, identities: verified, foundId, maxIndex };
}

/** A namespace's routes as observed: nslab's, and those of other protocols but the kernel's own. */
function observedRoutes(dump: readonly Route[], links: readonly Link[]): { routes: ResolvedRoute[]; foreignRoutes: ForeignRoute[] } {
  const byIndex = new Map(links.map((l) => [l.index, l.name]));
  const asRoute = (r: Route): ResolvedRoute => ({
    family: r.family,
    to: r.to === 'default' ? 'default' : toCidr(r.to, r.family),
    ...(r.via !== undefined ? { via: r.via } : {}),
    ...(r.oif !== undefined && byIndex.has(r.oif) ? { dev: byIndex.get(r.oif) as string } : {}),
    ...(r.metric !== undefined && r.metric !== 0 && !(r.family === 6 && r.metric === 1024) ? { metric: r.metric } : {}),
  });
  return {
    routes: dump.filter((r) => r.protocol === RTPROT_NSLAB).map(asRoute),
    // The kernel's own routes (those of connected subnets, link-local, multicast) are nobody's to mind.
    foreignRoutes: dump.filter((r) => r.protocol !== RTPROT_NSLAB && r.protocol !== Rtprot.KERNEL).map((r) => ({ ...asRoute(r), protocol: r.protocol })),
  };
}

/**
 * Unmarked veth ends (`netns\0name`) whose far end is a marked link of the lab: the far end of a cable
 * nslab made into a namespace that existed, before the request that marks it (a run killed in between
 * leaves it so). Its peer makes it the lab's.
 */
function unmarkedPeersOfOurs(
  lab: string,
  names: string[],
  links: { name: string; index: number; kind: string; peerIndex?: number; alias?: string }[][],
): Set<string> {
  const found = new Set<string>();
  const ends = names.flatMap((netns, i) => (links[i] ?? []).filter((l) => l.kind === 'veth' && l.peerIndex !== undefined).map((l) => ({ netns, ...l })));
  for (const end of ends) {
    if (parseMark(end.alias)?.lab === lab) continue;
    const peers = ends.filter((e) => e !== end && e.index === end.peerIndex && e.peerIndex === end.index);
    if (peers.length === 1 && parseMark(peers[0]?.alias)?.lab === lab) found.add(`${end.netns}\0${end.name}`);
  }
  return found;
}

/**
 * Matches veth ends across namespaces: A's peer index is B's index and B's peer index is A's. The engine
 * gives every veth end an index unique within the lab, so the match is unambiguous for what nslab made.
 */
function pairPeers(
  names: string[],
  links: { name: string; index: number; kind: string; peerIndex?: number }[][],
  namespaces: Record<string, ObservedNamespace>,
): void {
  const ends: { netns: string; name: string; index: number; peerIndex: number }[] = [];
  names.forEach((netns, i) => {
    for (const l of links[i] ?? [])
      if (l.kind === 'veth' && l.peerIndex !== undefined) ends.push({ netns, name: l.name, index: l.index, peerIndex: l.peerIndex });
  });
  for (const netns of names) {
    for (const link of namespaces[netns]?.links ?? []) {
      const me = ends.find((e) => e.netns === netns && e.name === link.ifname);
      if (me === undefined) continue;
      const candidates = ends.filter((e) => e !== me && e.index === me.peerIndex && e.peerIndex === me.index);
      if (candidates.length === 1 && candidates[0] !== undefined) link.peer = { netns: candidates[0].netns, ifname: candidates[0].name };
    }
  }
}

/** A VXLAN device's VNI, outer addresses and port, as the kernel reports them. */
function vxlanEnds(l: Link): VxlanEnds | undefined {
  const info = l.message.attrs.linkinfo;
  if (info?.kind !== 'vxlan' || info.raw === true) return undefined;
  return { vni: info.id ?? 0, local: info.local ?? info.local6 ?? '', remote: info.group ?? info.group6 ?? '', port: info.port ?? 0 };
}

function toCidr(text: string, family: 4 | 6): Cidr {
  const [address = '', len = ''] = text.split('/');
  return { family, address, prefixLength: Number(len) };
}

/**
 * The VXLAN devices of these namespaces (namespace -> names), each read with one dump: for a teardown
 * whose state does not say which the lab has (it was lost, or a killed first up never wrote it).
 */
export async function vxlanDevices(names: readonly string[], dir = NETNS_RUN_DIR): Promise<Map<string, string[]>> {
  const found = new Map<string, string[]>();
  if (names.length === 0) return found;
  const opened = await Handle.openEach(names, dir);
  const handles = opened.filter((h): h is Handle => !(h instanceof Error));
  try {
    const lists = await Promise.all(handles.map((h) => h.link.list()));
    handles.forEach((h, i) => {
      const vx = (lists[i] ?? []).filter((l) => l.kind === 'vxlan').map((l) => l.name);
      if (vx.length > 0) found.set(h.netns as string, vx);
    });
  } finally {
    await Handle.closeAll(handles);
  }
  return found;
}

export interface LabStatus {
  lab: string;
  /** The lab's state file (a lab without one is not up: status throws NSLAB_NOT_FOUND). */
  state: LabState;
  observed: ObservedLab;
}

/** What the kernel says of the lab now. */
export async function status(lab: string, options: { netnsDir?: string; stateRoot?: string } = {}): Promise<LabStatus> {
  const state = readState(lab, options.stateRoot);
  if (state === undefined) throw new NslabError('NSLAB_NOT_FOUND', `no lab named ${lab} is up; \`nslab ls\` lists the labs`);
  const seen = await observeLab(lab, state.id, new Map(Object.entries(state.namespaces)), state, options.netnsDir);
  return { lab, state, observed: seen.observed };
}
