/**
 * The controller's pure half: which cables cross hosts, their VNIs and MTUs, and each host's part, the lab
 * it runs exactly as a one-machine lab (its nodes, the cables within it, and a VXLAN end per cable that
 * leaves it). No I/O: what the hosts said of themselves (HostFacts) comes in.
 */
import type { ResolvedEndpoint, ResolvedLab, ResolvedLink, ResolvedTunnel } from '../topology/types.js';
import { routesOf } from '../topology/routing.js';

/** The VXLAN UDP port (IANA's). */
export const VXLAN_PORT = 4789;

/** Bytes a VXLAN adds to each frame: outer IPv4 (20) or IPv6 (40), UDP (8), VXLAN (8), inner Ethernet (14). */
export function vxlanOverhead(family: 4 | 6): number {
  return family === 4 ? 50 : 70;
}

/** What a host says of itself (`nslab part probe`). */
export interface HostFacts {
  name: string;
  version: string;
  /** The user nslab runs as there (0: root). */
  uid: number;
  vxlan: boolean;
  underlay: { address: string; family: 4 | 6; device: string; mtu: number };
  /** VNIs held on the host by others: other labs, and VXLAN devices of its own namespace. */
  vnisInUse: number[];
}

/** A cable between two hosts. */
export interface Cable {
  link: ResolvedLink;
  /** Its index in the file's links, for messages. */
  index: number;
  hostA: string;
  hostB: string;
  vni: number;
  mtu: number;
}

/** The first VNI nslab chooses (low ones are the ones people write by hand). */
const FIRST_VNI = 10000;

/** The host of every node. */
function hostOf(lab: ResolvedLab): Map<string, string> {
  return new Map(lab.nodes.map((n) => [n.name, n.host ?? '']));
}

/**
 * The cables between hosts, each with its VNI (the file's; else the one the lab had, `previous`; else the
 * first free from FIRST_VNI) and MTU (the file's, which must fit; else what fits over both underlays).
 * Every problem is returned, none thrown: the caller refuses the lab before anything is made.
 */
export function planCables(
  lab: ResolvedLab,
  facts: ReadonlyMap<string, HostFacts>,
  previous: Readonly<Record<string, number>> = {},
): { cables: Cable[]; problems: string[] } {
  const host = hostOf(lab);
  const problems: string[] = [];
  const cables: Cable[] = [];
  const taken = new Set<number>();
  for (const l of lab.links) if (host.get(l.a.node) !== host.get(l.b.node) && l.vni !== undefined) taken.add(l.vni);
  const heldOn = (h: string): Set<number> => new Set(facts.get(h)?.vnisInUse ?? []);
  let next = FIRST_VNI;
  lab.links.forEach((link, index) => {
    const hostA = host.get(link.a.node) ?? '';
    const hostB = host.get(link.b.node) ?? '';
    if (hostA === hostB) return;
    const held = new Set([...heldOn(hostA), ...heldOn(hostB)]);
    let vni = link.vni ?? previous[link.id];
    if (vni !== undefined && held.has(vni)) {
      problems.push(
        `links[${index}] (${link.id}, between hosts ${hostA} and ${hostB}): VNI ${vni} is in use on ${heldOn(hostA).has(vni) ? hostA : hostB} by another lab or VXLAN device; ${
          link.vni !== undefined ? 'give the link another vni, or' : 'take the lab down and up again to have another chosen, or'
        } remove what holds it there`,
      );
    }
    if (vni === undefined) {
      while (taken.has(next) || held.has(next)) next++;
      vni = next;
    }
    taken.add(vni);
    const a = facts.get(hostA);
    const b = facts.get(hostB);
    let mtu = 1500;
    if (a !== undefined && b !== undefined) {
      const underlay = Math.min(a.underlay.mtu, b.underlay.mtu);
      const fit = underlay - vxlanOverhead(a.underlay.family);
      const wanted = [link.mtu, link.a.mtu, link.b.mtu].filter((m): m is number => m !== undefined);
      const over = wanted.find((m) => m > fit);
      if (over !== undefined) {
        const raise = over + vxlanOverhead(a.underlay.family);
        problems.push(
          `links[${index}] (${link.id}): MTU ${over} does not fit in a VXLAN between hosts ${hostA} and ${hostB}: their underlay MTU is ${underlay} (${a.underlay.device} on ${hostA}: ${a.underlay.mtu}, ${b.underlay.device} on ${hostB}: ${b.underlay.mtu}), ${vxlanOverhead(a.underlay.family)} bytes of which VXLAN takes, so at most ${fit}. Lower the link's mtu to ${fit}, or raise the underlay's on both hosts (ip link set dev ${a.underlay.device} mtu ${raise}, and the switch between them)`,
        );
      }
      mtu = link.mtu ?? fit;
    }
    cables.push({ link, index, hostA, hostB, vni, mtu });
  });
  return { cables, problems };
}

/** Each host's part: its nodes, its cables within, and its ends of the cables to other hosts. */
export function splitParts(lab: ResolvedLab, cables: readonly Cable[], facts: ReadonlyMap<string, HostFacts>): Map<string, ResolvedLab> {
  const host = hostOf(lab);
  const parts = new Map<string, ResolvedLab>();
  // Static routes are computed over the whole lab, so a part carries them written out: computed again on
  // a host from its part alone, they would miss every node beyond it. Protocols compute their own.
  const written = lab.routing === 'static';
  for (const h of lab.hosts ?? []) {
    const nodes = lab.nodes.filter((n) => n.host === h.name).map((n) => (written ? { ...n, routes: routesOf(lab, n) } : n));
    if (nodes.length === 0) continue;
    const part: ResolvedLab = {
      name: lab.name,
      prefix: lab.prefix,
      nodes,
      links: lab.links.filter((l) => host.get(l.a.node) === h.name && host.get(l.b.node) === h.name),
    };
    if (lab.routing !== undefined && !written) part.routing = lab.routing;
    if (lab.subnets !== undefined) part.subnets = lab.subnets;
    const tunnels: ResolvedTunnel[] = [];
    for (const c of cables) {
      const ends: [ResolvedEndpoint, ResolvedEndpoint, string][] = [];
      if (c.hostA === h.name) ends.push([c.link.a, c.link.b, c.hostB]);
      if (c.hostB === h.name) ends.push([c.link.b, c.link.a, c.hostA]);
      for (const [end, other, otherHost] of ends) {
        tunnels.push({
          id: c.link.id,
          end,
          mtu: c.mtu,
          vni: c.vni,
          port: VXLAN_PORT,
          local: facts.get(h.name)?.underlay.address ?? '',
          remote: facts.get(otherHost)?.underlay.address ?? '',
          peer: { host: otherHost, node: other.node, ifname: other.ifname },
        });
      }
    }
    if (tunnels.length > 0) part.tunnels = tunnels;
    parts.set(h.name, part);
  }
  return parts;
}

/** The problems of the hosts themselves: nslab's version, the user, VXLAN. */
export function hostProblems(facts: readonly HostFacts[], version: string): string[] {
  const problems: string[] = [];
  for (const f of facts) {
    if (f.version !== version)
      problems.push(
        `host ${f.name} runs nslab ${f.version}, and this one is ${version}: install the same version on every host (npm install -g nslab@${version})`,
      );
    if (f.uid !== 0) problems.push(`host ${f.name}: nslab runs there as user ${f.uid}, and makes namespaces only as root: reach it as root (ssh: root@...)`);
    if (!f.vxlan) problems.push(`host ${f.name}: its kernel has no vxlan (neither built in nor loadable): modprobe vxlan there, or use a kernel with it`);
  }
  return problems;
}
