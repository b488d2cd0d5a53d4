/**
 * What a node routes by, read now: the routes of its main table with the protocol that installed each and
 * its next hops (the kernel's own words), and, for a node that runs FRR, whether its routing protocols have
 * converged, in FRR's own words (vtysh's JSON): OSPF neighbours Full and no interface still waiting to
 * elect its designated router, BGP sessions Established. This tells "not converged yet" (an adjacency
 * still forming) from "broken" (every adjacency up and still no route), for `nslab routes`, `why` and
 * `nslab wait`.
 */
import { Rtn } from '../netlink/index.js';
import { protocolText, RTPROT_NSLAB } from '../plan/index.js';
import { inNetns, labEnv, run } from '../process/index.js';
import { Handle, type Route } from '../rtnl/index.js';
import { frrDir, inFrrView } from '../topology/frr-view.js';
import type { FrrDaemon } from '../topology/frr-daemons.js';
import type { ResolvedNode } from '../topology/types.js';

/** The route protocols of routing daemons (zebra's, babel's, and FRR's 186 to 197: bgp, isis, ospf, rip...). */
function byDaemon(protocol: number): boolean {
  return protocol === 11 || protocol === 42 || (protocol >= 186 && protocol <= 197);
}

/** A route of a node's main table as the kernel has it. */
export interface KernelRoute {
  /** 4 or 6. */
  family: 4 | 6;
  /** `10.0.0.0/24`, `fd00::/64` or `default`. */
  to: string;
  /** As `ip route` names it: `kernel`, `nslab`, `ospf`, `bgp`, `static` (FRR's staticd), `zebra`... */
  protocol: string;
  /** Who put it there: the kernel (a connected subnet), nslab, a routing daemon, or something else. */
  origin: 'kernel' | 'nslab' | 'daemon' | 'other';
  /** Where it sends packets: one next hop, or each path of an equal-cost route. */
  nexthops: { via?: string; dev?: string }[];
  /** The route's metric, when the kernel says (a routing daemon's routes carry zebra's, 20). */
  metric?: number;
}

/** Classifies a route by the protocol that installed it (`ip route`'s `proto`). */
export function routeOrigin(protocol: number): KernelRoute['origin'] {
  if (protocol === 2) return 'kernel';
  if (protocol === RTPROT_NSLAB) return 'nslab';
  return byDaemon(protocol) ? 'daemon' : 'other';
}

/** The kernel's routes of one namespace's main table (link-local and multicast ones left out). */
export async function kernelRoutes(netns: string): Promise<KernelRoute[]> {
  await using h = await Handle.open({ netns });
  return await readRoutesOf(h);
}

/** The same, through a Handle the caller holds. */
export async function readRoutesOf(h: Handle): Promise<KernelRoute[]> {
  const names = new Map((await h.link.list()).map((l) => [l.index, l.name]));
  const routes = [...(await h.route.list({ family: 4 })), ...(await h.route.list({ family: 6 }))];
  return routes.filter((r) => r.type === Rtn.UNICAST && !r.to.startsWith('fe80:')).map((r) => kernelRoute(r, names));
}

function kernelRoute(r: Route, names: ReadonlyMap<number, string>): KernelRoute {
  const hop = (via: string | undefined, oif: number | undefined): { via?: string; dev?: string } => ({
    ...(via !== undefined ? { via } : {}),
    ...(oif !== undefined ? { dev: names.get(oif) ?? `#${oif}` } : {}),
  });
  const nexthops = r.nexthops !== undefined ? r.nexthops.map((n) => hop(n.via, n.oif)) : [hop(r.via, r.oif)];
  return {
    family: r.family,
    to: r.to,
    protocol: protocolText(r.protocol),
    origin: routeOrigin(r.protocol),
    nexthops,
    ...(r.metric !== undefined ? { metric: r.metric } : {}),
  };
}

/** A table as text that two reads compare by: every route, its protocol and next hops, sorted. */
export function tableText(routes: readonly KernelRoute[]): string {
  return routes
    .map((r) => `${r.to} ${r.protocol} ${r.nexthops.map((n) => `${n.via ?? ''}@${n.dev ?? ''}`).join(',')} ${r.metric ?? ''}`)
    .sort()
    .join('\n');
}

/** One routing protocol of a router, as its daemon reports it. */
export interface ProtocolStatus {
  /** The protocol: its daemon's name without the d. */
  protocol: 'ospf' | 'ospf6' | 'bgp';
  /** Every adjacency (neighbour, session) is up. */
  converged: boolean;
  /** `2 of 2 neighbours Full`; what is not there yet: `neighbour 10.0.0.1 on eth0 is ExStart`. */
  text: string;
  /**
   * The longest a routing table may rest between two changes while the protocol still converges (OSPF: a
   * router announces a change at most every LSA interval, and backs SPF off up to its hold time).
   */
  settleMs?: number;
}

/** Whether a router's routing protocols have converged, in FRR's words. */
export interface RoutingStatus {
  /** The router's node name. */
  node: string;
  /** Every protocol has converged. */
  converged: boolean;
  /** One entry per daemon that forms adjacencies (ospfd, ospf6d, bgpd); none for a router of static routes. */
  protocols: ProtocolStatus[];
  /** When vtysh could not be asked (its daemons gone, a timeout): what happened. */
  error?: string;
}

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** The JSON documents vtysh prints one after the other for several `-c ... json` commands. */
export function splitJson(text: string): unknown[] {
  const out: unknown[] = [];
  let depth = 0;
  let start = -1;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (inString) {
      if (c === '\\') i++;
      else if (c === '"') inString = false;
      continue;
    }
    if (c === '"') inString = true;
    else if (c === '{' || c === '[') {
      if (depth === 0) start = i;
      depth++;
    } else if ((c === '}' || c === ']') && depth > 0) {
      depth--;
      if (depth === 0) {
        try {
          out.push(JSON.parse(text.slice(start, i + 1)));
        } catch {
          out.push(undefined);
        }
      }
    }
  }
  return out;
}

/** An OSPF neighbour is done once Full; two routers that are neither DR nor backup stay at 2-Way, as they should. */
const ospfDone = (state: string, role: unknown): boolean => state.startsWith('Full') || (state.startsWith('2-Way') && role === 'DROther');

/**
 * ospfd's `show ip ospf neighbor json`, `show ip ospf interface json` and `show ip ospf json`.
 * `everyLinkHasOne`: every active (not passive) interface that is up must have a neighbour (true for the
 * configurations nslab writes, where an interface is active only towards another router).
 */
export function ospfStatus(neighbors: unknown, interfaces: unknown, general: unknown, everyLinkHasOne: boolean): ProtocolStatus {
  const waiting: string[] = [];
  let full = 0;
  let total = 0;
  const byIf = new Map<string, number>();
  const nbrs = isRecord(neighbors) && isRecord(neighbors.neighbors) ? neighbors.neighbors : {};
  for (const [id, list] of Object.entries(nbrs)) {
    for (const n of Array.isArray(list) ? list : []) {
      if (!isRecord(n)) continue;
      const state = typeof n.nbrState === 'string' ? n.nbrState : typeof n.state === 'string' ? n.state : '?';
      const ifname = typeof n.ifaceName === 'string' ? (n.ifaceName.split(':')[0] ?? '') : '';
      total++;
      if (ospfDone(state, n.role)) {
        full++;
        byIf.set(ifname, (byIf.get(ifname) ?? 0) + 1);
      } else waiting.push(`neighbour ${id} on ${ifname} is ${state.split('/')[0] ?? state}`);
    }
  }
  const ifs = isRecord(interfaces) && isRecord(interfaces.interfaces) ? interfaces.interfaces : {};
  for (const [name, i] of Object.entries(ifs)) {
    if (!isRecord(i) || i.ifUp === false || i.timerPassiveIface === true) continue;
    if (i.state === 'Waiting') {
      const wait = typeof i.timerWaitSecs === 'number' ? ` (OSPF's wait timer: ${i.timerWaitSecs} s from its start)` : '';
      waiting.push(`${name} waits to elect its designated router${wait}`);
    } else if (everyLinkHasOne && (byIf.get(name) ?? 0) === 0 && i.state !== 'Loopback' && i.state !== 'Down') waiting.push(`${name} has no neighbour yet`);
  }
  const text = waiting.length === 0 ? `${full} of ${total} neighbour${total === 1 ? '' : 's'} Full` : waiting.join('; ');
  // FRR's defaults: an LSA at most every 5 s, SPF held off up to 5 s; a second beyond, for the kernel.
  const ms = (key: string, fallback: number): number => (isRecord(general) && typeof general[key] === 'number' ? general[key] : fallback);
  const settleMs = Math.max(ms('lsaMinIntervalMsecs', 5000), ms('holdtimeMaxMsecs', 5000)) + 1000;
  return { protocol: 'ospf', converged: waiting.length === 0, text, settleMs };
}

/** ospf6d's `show ipv6 ospf6 neighbor json`. */
export function ospf6Status(neighbors: unknown): ProtocolStatus {
  const list = isRecord(neighbors) && Array.isArray(neighbors.neighbors) ? neighbors.neighbors : [];
  const waiting: string[] = [];
  let full = 0;
  for (const n of list) {
    if (!isRecord(n)) continue;
    const state = typeof n.state === 'string' ? n.state : '?';
    if (state === 'Full' || state === 'TwoWay') full++;
    else waiting.push(`neighbour ${String(n.neighborId)} on ${String(n.interfaceName)} is ${state}`);
  }
  const text = waiting.length === 0 ? `${full} of ${list.length} neighbour${list.length === 1 ? '' : 's'} Full` : waiting.join('; ');
  return { protocol: 'ospf6', converged: waiting.length === 0, text };
}

/** bgpd's `show bgp summary json`: every session of every address family Established (but those shut down). */
export function bgpStatus(summary: unknown): ProtocolStatus {
  const waiting: string[] = [];
  let up = 0;
  let total = 0;
  const seen = new Set<string>();
  for (const family of isRecord(summary) ? Object.values(summary) : []) {
    if (!isRecord(family) || !isRecord(family.peers)) continue;
    for (const [peer, p] of Object.entries(family.peers)) {
      if (!isRecord(p) || seen.has(peer)) continue;
      seen.add(peer);
      const state = typeof p.state === 'string' ? p.state : '?';
      if (state.includes('Admin') || p.peerState === 'Admin') continue;
      total++;
      if (state === 'Established') up++;
      else waiting.push(`session with ${peer} is ${state}`);
    }
  }
  const text = waiting.length === 0 ? `${up} of ${total} session${total === 1 ? '' : 's'} Established` : waiting.join('; ');
  return { protocol: 'bgp', converged: waiting.length === 0, text };
}

/** What to ask each daemon that forms adjacencies. */
const ASK: Partial<Record<FrrDaemon, string[]>> = {
  ospfd: ['show ip ospf neighbor json', 'show ip ospf interface json', 'show ip ospf json'],
  ospf6d: ['show ipv6 ospf6 neighbor json'],
  bgpd: ['show bgp summary json'],
};

/**
 * A router's routing status, asked of its daemons through vtysh (one vtysh for every question); undefined
 * for a node that runs no FRR. A router whose daemons form no adjacencies (static routes in FRR) is
 * converged once it answers.
 *
 * Equivalent to: nslab vtysh NODE -c 'show ip ospf neighbor json' -c ... -c 'show bgp summary json'
 */
export async function routingStatus(lab: string, node: ResolvedNode): Promise<RoutingStatus | undefined> {
  const frr = node.frr;
  if (frr === undefined) return undefined;
  const daemons = frr.daemons.filter((d) => ASK[d] !== undefined);
  const commands = daemons.flatMap((d) => ASK[d] ?? []);
  if (commands.length === 0) return { node: node.name, converged: true, protocols: [] };
  const argv = inFrrView(frrDir(lab, node.name), node.name, ['vtysh', ...commands.flatMap((c) => ['-c', c])]);
  const r = await run(inNetns(node.netns, argv), { env: labEnv(lab, node.name), timeoutMs: 10_000, where: `node ${node.name}` });
  const docs = splitJson(r.stdout);
  if (r.exitCode !== 0 || docs.length < commands.length) {
    const said = `${r.stderr}${r.stdout}`.trim().split('\n').slice(-2).join(' ');
    return {
      node: node.name,
      converged: false,
      protocols: [],
      error: `vtysh answered ${r.timedOut ? 'nothing within 10 s' : `with exit code ${r.exitCode}`}${said !== '' ? `: ${said}` : ''}`,
    };
  }
  const protocols: ProtocolStatus[] = [];
  let at = 0;
  for (const d of daemons) {
    if (d === 'ospfd') protocols.push(ospfStatus(docs[at], docs[at + 1], docs[at + 2], frr.source.kind === 'generated'));
    else if (d === 'ospf6d') protocols.push(ospf6Status(docs[at]));
    else if (d === 'bgpd') protocols.push(bgpStatus(docs[at]));
    at += ASK[d]?.length ?? 0;
  }
  return { node: node.name, converged: protocols.every((p) => p.converged), protocols };
}

/** `ospf: 2 of 2 neighbours Full; bgp: session with 10.0.0.1 is Active` */
export function statusText(s: RoutingStatus): string {
  if (s.error !== undefined) return s.error;
  return s.protocols.length === 0 ? 'no protocol that forms adjacencies' : s.protocols.map((p) => `${p.protocol}: ${p.text}`).join('; ');
}

/**
 * What to say of a router that has no route where one is needed: its routing has not converged yet (wait),
 * or it has and the route is missing for good (broken), in FRR's words; '' for a node that runs no FRR.
 */
export async function convergenceHint(lab: string, node: ResolvedNode): Promise<string> {
  const s = await routingStatus(lab, node);
  if (s === undefined) return '';
  if (s.error !== undefined) return `${node.name} runs FRR, and it did not answer (${s.error}): \`nslab status\` shows whether its daemons run`;
  if (!s.converged) return `${node.name}'s routing has not converged yet (${statusText(s)}): wait for it (nslab wait) and ask again`;
  // A pulled cable: the protocol forgets the interface, and the router has no way there for that reason.
  const down = await downInterfaces(node);
  if (down.length > 0)
    return `${node.name}'s routing has converged (${statusText(s)}), with no way there: ${down.map((d) => `${d.ifname} is ${d.why}`).join(', ')}; bring ${down.length === 1 ? 'it' : 'them'} up (nslab link set ${node.name}:${down[0]?.ifname ?? ''} up, or its other end)`;
  return `${node.name}'s routing has converged (${statusText(s)}) and still has no route there, so no router announces it: check the routing configuration of the router that has that address (nslab vtysh ROUTER -c 'show running-config')`;
}

/** The node's lab interfaces that are down, or have no carrier (their cable's other end is down). */
async function downInterfaces(node: ResolvedNode): Promise<{ ifname: string; why: string }[]> {
  try {
    await using h = await Handle.open({ netns: node.netns });
    const links = await h.link.list();
    return node.interfaces.flatMap((ifname) => {
      const l = links.find((x) => x.name === ifname);
      if (l === undefined) return [];
      if (!l.up) return [{ ifname, why: 'down' }];
      return l.lowerUp ? [] : [{ ifname, why: 'without carrier' }];
    });
  } catch {
    return [];
  }
}
