/**
 * The FRR configurations `routing: ospf` and `routing: bgp` write, one per router, the way netlab writes a
 * device's configuration from its modules: from the lab's links and addresses alone, exact text, the same
 * every run. Routers with an FRR config of their own keep it and take no part here.
 *
 * OSPF (ospfd for IPv4, ospf6d beside it when the router has IPv6 addresses):
 * - Every interface with an address of the family runs OSPF. It is active where another OSPF router shares
 *   the link (a cable, or a LAN of bridges), passive elsewhere (towards hosts): its subnet is announced, and
 *   no hello leaves it.
 * - A cable between two routers is point-to-point (no designated router, no 40 s wait): a veth has exactly
 *   two ends, whatever its prefix (/31, /30 or wider). A LAN keeps OSPF's broadcast type.
 * - Areas: each router's (its `ospf.area`, else the lab's, else 0). A link between routers of one area is in
 *   it; a link between backbone routers and routers of one other area is in that area (the backbone router
 *   becomes an area border router); routers of two non-backbone areas on one link are refused.
 * - Timers: hello and dead as the router or the lab says (dead defaults to four hellos when hello is
 *   given), else FRR's 10 and 40. Routers that share a link must agree, or they would never be neighbours.
 *   A router with its hello given also resends an unanswered database exchange after 1 s (not 5), and
 *   announces changes and runs SPF without FRR's waits (LSA interval and arrival 100 ms, SPF at once and
 *   at most 500 ms apart): a lab with fast timers converges in about two seconds.
 * - Router id: the router's lowest IPv4 address (a /31 end, stable as long as the addressing is).
 *
 * BGP (bgpd): an AS per router (its `bgp.as`, else 65001, 65002, ... in file order, skipping those given by
 * hand), a session with every BGP router that shares a subnet with it (eBGP between different ASes, iBGP
 * with next-hop-self within one), IPv4 and IPv6 each in its own address family, and `redistribute
 * connected`, so every subnet of the lab, host LANs included, is announced. Timers are a lab's: keepalive
 * 3 s, hold 9 s, and a retry 5 s after a failed connection (FRR's traditional defaults wait 120 s).
 */
import { addressValue, subnetOf } from './ip-math.js';
import type { OspfWritten } from './frr-settings.js';
import { OTHER, type Path, type Problem } from './issues.js';
import { listWords } from './bounded.js';
import type { Attachment, NetworkSegment } from './segments.js';
import type { Cidr, Family, ResolvedFrr } from './types.js';

/** A router whose configuration nslab writes. */
export interface RoutingRouter {
  name: string;
  ospf?: OspfWritten;
  bgp?: { as: number; path: Path };
}

export interface RoutingInput {
  routing: 'ospf' | 'bgp';
  /** In file order. */
  routers: readonly RoutingRouter[];
  /** The lab's `ospf`. */
  lab?: OspfWritten;
  /** Every segment, addresses assigned. */
  segments: readonly NetworkSegment[];
}

/** FRR's defaults for the OSPF intervals. */
const HELLO_DEFAULT = 10;
const DEAD_DEFAULT = 40;
/** The first AS handed out: private 16-bit ASes are 64512 to 65534 (RFC 6996); past them, private 32-bit ones. */
const AS_FIRST = 65001;
const AS_LAST_16 = 65534;
const AS_FIRST_32 = 4200000000;

interface Area {
  value: number;
  text: string;
}

interface Timers {
  hello?: number;
  dead?: number;
  /** Where they are said, for problems. */
  path: Path;
}

/** A router's links in file order: each attachment, with the segment it is on. */
interface Port {
  attachment: Attachment;
  segment: NetworkSegment;
}

const familyOf = (c: Cidr): Family => c.family;
/** A global or unique-local IPv6 address, or any IPv4 address: what a routing protocol announces. */
const routable = (c: Cidr): boolean => c.family === 4 || !/^fe[89ab]/i.test(c.address);

function portsByRouter(segments: readonly NetworkSegment[], routers: ReadonlySet<string>): Map<string, Port[]> {
  const ports = new Map<string, Port[]>();
  for (const segment of segments) {
    for (const attachment of segment.attachments) {
      if (!routers.has(attachment.node)) continue;
      const list = ports.get(attachment.node) ?? [];
      ports.set(attachment.node, list);
      list.push({ attachment, segment });
    }
  }
  for (const list of ports.values()) list.sort((x, y) => x.attachment.link - y.attachment.link || x.attachment.end - y.attachment.end);
  return ports;
}

/** The router id: the lowest IPv4 address of the router, else an id no address of the lab can have (0.0.x.y). */
function routerIds(routers: readonly RoutingRouter[], ports: ReadonlyMap<string, Port[]>): Map<string, string> {
  const ids = new Map<string, string>();
  let synthetic = 0;
  for (const r of routers) {
    let best: { value: bigint; text: string } | undefined;
    for (const p of ports.get(r.name) ?? []) {
      for (const a of p.attachment.addresses) {
        if (a.family !== 4) continue;
        const value = addressValue(a.address);
        if (best === undefined || value < best.value) best = { value, text: a.address };
      }
    }
    if (best !== undefined) ids.set(r.name, best.text);
    else {
      // 0.0.0.0/8 is never an interface address here (pools keep out of it, and a hand-given one would
      // have to be chosen to collide): a router without IPv4 still needs a 32-bit id of its own.
      synthetic++;
      ids.set(r.name, `0.0.${synthetic >> 8}.${synthetic & 255}`);
    }
  }
  return ids;
}

const header = (router: string, routing: 'ospf' | 'bgp'): string[] => [
  `! FRR configuration of ${router}, written by nslab for routing: ${routing}`,
  'frr defaults traditional',
  `hostname ${router}`,
  '!',
];

/** Writes the configurations. Problems (areas, timers) go to `problems`; the result has one entry per router. */
export function writeRoutingConfigs(input: RoutingInput, problems: Problem[]): Map<string, ResolvedFrr> {
  const names = new Set(input.routers.map((r) => r.name));
  const ports = portsByRouter(input.segments, names);
  const ids = routerIds(input.routers, ports);
  return input.routing === 'ospf' ? writeOspf(input, ports, ids, problems) : writeBgp(input, ports, ids);
}

function writeOspf(input: RoutingInput, ports: ReadonlyMap<string, Port[]>, ids: ReadonlyMap<string, string>, problems: Problem[]): Map<string, ResolvedFrr> {
  const byName = new Map(input.routers.map((r) => [r.name, r]));
  const areaOf = (r: RoutingRouter): Area => r.ospf?.area ?? input.lab?.area ?? { value: 0, text: '0' };
  const timersOf = (r: RoutingRouter): Timers => {
    const hello = r.ospf?.hello ?? input.lab?.hello;
    const dead = r.ospf?.dead ?? input.lab?.dead;
    const timers: Timers = { path: r.ospf?.hello?.path ?? r.ospf?.dead?.path ?? r.ospf?.path ?? input.lab?.path ?? ['nodes', r.name] };
    if (hello !== undefined) timers.hello = hello.value;
    if (dead !== undefined) timers.dead = dead.value;
    else if (hello !== undefined) timers.dead = hello.value * 4;
    return timers;
  };
  const effective = (t: Timers): string => `hello ${t.hello ?? HELLO_DEFAULT}, dead ${t.dead ?? DEAD_DEFAULT}`;

  // A dead interval no longer than the hello interval, once for each place that says it.
  const reported = new Set<string>();
  for (const r of input.routers) {
    const t = timersOf(r);
    const hello = t.hello ?? HELLO_DEFAULT;
    const dead = t.dead ?? DEAD_DEFAULT;
    const where = r.ospf?.dead?.path ?? input.lab?.dead?.path ?? t.path;
    if (dead > hello || reported.has(JSON.stringify(where))) continue;
    reported.add(JSON.stringify(where));
    problems.push({
      path: where,
      message: `${r.name}'s OSPF dead interval (${dead} s) is not longer than its hello interval (${hello} s)`,
      hint: `a neighbour is declared down after dead seconds without a hello: make it several hellos long, for example dead: ${hello * 4}`,
    });
  }

  // Each segment's OSPF routers and its area, once.
  const segmentArea = new Map<NetworkSegment, Area | undefined>();
  const checked = new Set<NetworkSegment>();
  /** Pairs of routers whose timers differ, said once (they may share several links). */
  const disagree = new Set<string>();
  for (const r of input.routers) {
    for (const { segment } of ports.get(r.name) ?? []) {
      if (checked.has(segment)) continue;
      checked.add(segment);
      const routers = [...new Set(segment.attachments.map((a) => a.node))].map((n) => byName.get(n)).filter((x) => x !== undefined);
      const areas = new Map<number, Area>();
      for (const x of routers) areas.set(areaOf(x).value, areaOf(x));
      const nonBackbone = [...areas.values()].filter((a) => a.value !== 0);
      if (nonBackbone.length > 1) {
        const where: Path = segment.kind === 'lan' ? ['nodes', segment.bridges[0] ?? ''] : ['links', segment.firstLink];
        const list = routers.map((x) => `${x.name} (${areaOf(x).text})`);
        problems.push({
          path: where,
          message: `OSPF routers of different areas share this ${segment.kind === 'lan' ? 'LAN' : 'link'}: ${listWords(list)}`,
          hint: 'an OSPF link is in one area: give these routers one area, or make one side the backbone (area 0), whose routers then join the other area through this link',
        });
        segmentArea.set(segment, undefined);
      } else segmentArea.set(segment, nonBackbone[0] ?? areas.get(0));
      // Timers of the routers that will be neighbours here.
      const first = routers[0];
      if (first === undefined) continue;
      for (const x of routers.slice(1)) {
        if (effective(timersOf(x)) === effective(timersOf(first)) || disagree.has(`${first.name}\u0000${x.name}`)) continue;
        disagree.add(`${first.name}\u0000${x.name}`);
        problems.push({
          path: timersOf(x).path,
          message: `routers ${first.name} and ${x.name} share a ${segment.kind === 'lan' ? 'LAN' : 'link'} with different OSPF timers (${effective(timersOf(first))} at ${OTHER}; ${effective(timersOf(x))} here): they would never become neighbours`,
          hint: 'give them the same hello and dead, or set them once for the whole lab under ospf: at the top',
          other: timersOf(first).path,
        });
      }
    }
  }

  const configs = new Map<string, ResolvedFrr>();
  for (const r of input.routers) {
    const ifaces: string[] = [];
    const timers = timersOf(r);
    let v4 = false;
    let v6 = false;
    for (const { attachment, segment } of ports.get(r.name) ?? []) {
      const families = new Set(attachment.addresses.filter(routable).map(familyOf));
      if (families.size === 0) continue;
      const area = segmentArea.get(segment) ?? areaOf(r);
      // Neighbours: other OSPF routers on the segment with an address of the family.
      const peers = (family: Family): boolean =>
        segment.attachments.some((a) => a.node !== r.name && byName.has(a.node) && a.addresses.some((c) => c.family === family && routable(c)));
      ifaces.push(`interface ${attachment.ifname}`);
      for (const family of [4, 6] as const) {
        if (!families.has(family)) continue;
        const ip = family === 4 ? 'ip ospf' : 'ipv6 ospf6';
        if (family === 4) v4 = true;
        else v6 = true;
        ifaces.push(` ${ip} area ${area.text}`);
        if (!peers(family)) {
          ifaces.push(` ${ip} passive`);
          continue;
        }
        if (segment.kind === 'p2p') ifaces.push(` ${ip} network point-to-point`);
        if (timers.hello !== undefined) ifaces.push(` ${ip} hello-interval ${timers.hello}`);
        if (timers.dead !== undefined) ifaces.push(` ${ip} dead-interval ${timers.dead}`);
        // With fast hellos, a database exchange that went unanswered (the neighbour's daemon had not read
        // its configuration yet) is sent again after 1 s rather than OSPF's 5.
        if (timers.hello !== undefined) ifaces.push(` ${ip} retransmit-interval 1`);
      }
      ifaces.push('exit', '!');
    }
    const id = ids.get(r.name) ?? '0.0.0.1';
    // Fast hellos ask for a fast lab: a new adjacency or a lost one then reaches every table within a
    // second, where FRR's defaults let a router announce a change only every 5 s and back SPF off to 5 s.
    const fast = timers.hello !== undefined;
    const throttle = fast ? [' timers throttle spf 0 50 500', ' timers lsa min-arrival 100'] : [];
    // The routing processes come first, with their router ids: an interface's `ip ospf area` read before
    // them would start the process with an id of FRR's choosing, which ospf6d keeps until it is restarted
    // and which ospfd's neighbours remember as a stale neighbour until its dead interval ends.
    const lines = header(r.name, 'ospf');
    if (v4 || !v6) lines.push('router ospf', ` ospf router-id ${id}`, ...(fast ? [' timers throttle lsa all 100'] : []), ...throttle, 'exit', '!');
    if (v6) lines.push('router ospf6', ` ospf6 router-id ${id}`, ...throttle, 'exit', '!');
    lines.push(...ifaces);
    const daemons: ResolvedFrr['daemons'] = ['zebra'];
    if (v4 || !v6) daemons.push('ospfd');
    if (v6) daemons.push('ospf6d');
    configs.set(r.name, { daemons, config: `${lines.join('\n')}\n`, source: { kind: 'generated', routing: 'ospf' } });
  }
  return configs;
}

/** Each router's AS: given by hand, else the next free one in file order. */
function assignAses(routers: readonly RoutingRouter[]): Map<string, number> {
  const taken = new Set(routers.flatMap((r) => (r.bgp !== undefined ? [r.bgp.as] : [])));
  const ases = new Map<string, number>();
  let next = AS_FIRST;
  for (const r of routers) {
    if (r.bgp !== undefined) {
      ases.set(r.name, r.bgp.as);
      continue;
    }
    while (taken.has(next)) next = next === AS_LAST_16 ? AS_FIRST_32 : next + 1;
    ases.set(r.name, next);
    taken.add(next);
  }
  return ases;
}

interface Neighbour {
  address: string;
  family: Family;
  as: number;
}

function writeBgp(input: RoutingInput, ports: ReadonlyMap<string, Port[]>, ids: ReadonlyMap<string, string>): Map<string, ResolvedFrr> {
  const ases = assignAses(input.routers);
  const configs = new Map<string, ResolvedFrr>();
  for (const r of input.routers) {
    const as = ases.get(r.name) ?? AS_FIRST;
    const neighbours: Neighbour[] = [];
    const seen = new Set<string>();
    const families = new Set<Family>();
    for (const { attachment, segment } of ports.get(r.name) ?? []) {
      for (const mine of attachment.addresses) {
        if (!routable(mine)) continue;
        families.add(mine.family);
        const subnet = subnetOf(mine).text;
        for (const other of segment.attachments) {
          const peerAs = ases.get(other.node);
          if (other.node === r.name || peerAs === undefined) continue;
          for (const theirs of other.addresses) {
            if (theirs.family !== mine.family || subnetOf(theirs).text !== subnet) continue;
            if (seen.has(theirs.address)) continue;
            seen.add(theirs.address);
            neighbours.push({ address: theirs.address, family: theirs.family, as: peerAs });
          }
        }
      }
    }
    const lines = header(r.name, 'bgp');
    lines.push(
      `router bgp ${as}`,
      ` bgp router-id ${ids.get(r.name) ?? '0.0.0.1'}`,
      ' no bgp ebgp-requires-policy',
      ' no bgp default ipv4-unicast',
      ' timers bgp 3 9',
    );
    for (const n of neighbours) lines.push(` neighbor ${n.address} remote-as ${n.as}`, ` neighbor ${n.address} timers connect 5`);
    for (const family of [4, 6] as const) {
      if (!families.has(family)) continue;
      lines.push(' !', ` address-family ${family === 4 ? 'ipv4' : 'ipv6'} unicast`, '  redistribute connected');
      for (const n of neighbours) {
        if (n.family !== family) continue;
        lines.push(`  neighbor ${n.address} activate`);
        if (n.as === as) lines.push(`  neighbor ${n.address} next-hop-self`);
      }
      lines.push(' exit-address-family');
    }
    lines.push('exit', '!');
    configs.set(r.name, { daemons: ['zebra', 'bgpd'], config: `${lines.join('\n')}\n`, source: { kind: 'generated', routing: 'bgp' } });
  }
  return configs;
}
