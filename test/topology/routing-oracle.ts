/**
 * The route computation of `routing: static` as it was before the compact route table (commit 786865a):
 * quadratic in memory, kept here unchanged as the oracle the new one is checked against on random labs.
 */
import { formatCidr } from '../../src/topology/address.js';
import { netText, subnetOf, type Net } from '../../src/topology/ip-math.js';
import { segmentName, type Attachment, type NetworkSegment } from '../../src/topology/segments.js';
import { listWords } from '../../src/topology/bounded.js';
import type { Cidr, Family, ResolvedRoute } from '../../src/topology/types.js';

interface RoutingNode {
  name: string;
  /** Bridges take no part in routing. */
  bridge: boolean;
  forwarding: boolean;
  /** Routes given by hand. */
  routes: readonly ResolvedRoute[];
}

interface Member {
  attachment: Attachment;
  address: Cidr;
  value: bigint;
}

interface SubnetEntry {
  net: Net;
  cidr: string;
  segment: NetworkSegment;
  members: Member[];
}

/** A way out of a node: to a neighbour, through `dev`, via the neighbour's address in a shared subnet. */
interface Edge {
  to: string;
  via: string;
  viaValue: bigint;
  dev: string;
  subnet: string;
}

/** Every subnet of every segment, in segment order and then the order the ends' addresses come in. */
function subnetEntries(segments: readonly NetworkSegment[]): SubnetEntry[] {
  const entries: SubnetEntry[] = [];
  // Indexed loops, and each address read once: this runs for every address of the lab with a cold JIT.
  // The latest entry of each subnet: one Map for the lab, not one a segment. A segment's addresses are read
  // together, so an entry of another segment is never the one to add to.
  const latest = new Map<string, SubnetEntry>();
  for (let i = 0; i < segments.length; i++) {
    const segment = segments[i] as NetworkSegment;
    for (let j = 0; j < segment.attachments.length; j++) {
      const attachment = segment.attachments[j] as Attachment;
      for (let k = 0; k < attachment.addresses.length; k++) {
        const address = attachment.addresses[k] as Cidr;
        const { net, text: cidr, value } = subnetOf(address);
        let entry = latest.get(cidr);
        if (entry?.segment !== segment) {
          entry = { net, cidr, segment, members: [] };
          latest.set(cidr, entry);
          entries.push(entry);
        }
        entry.members.push({ attachment, address, value });
      }
    }
  }
  return entries;
}

const destinationKey = (family: Family, to: Cidr | 'default'): string => `${family} ${to === 'default' ? 'default' : formatCidr(to)}`;

export interface OracleRouting {
  /** Computed routes by node, hand-written destinations already left out. */
  routes: Map<string, ResolvedRoute[]>;
  notes: string[];
}

/** Computes the routes of `routing: static`. Pure and deterministic: the same lab gives the same routes. */
export function oracleRoutes(nodes: readonly RoutingNode[], segments: readonly NetworkSegment[]): OracleRouting {
  const entries = subnetEntries(segments);
  const byName = new Map(nodes.map((n) => [n.name, n]));
  const forwards = (name: string): boolean => byName.get(name)?.forwarding === true;
  const routes = new Map<string, ResolvedRoute[]>(nodes.filter((n) => !n.bridge).map((n) => [n.name, []]));
  const notes: string[] = [];

  // One subnet on two segments: a routing puzzle worth a note.
  const segmentsOf = new Map<string, NetworkSegment[]>();
  for (const e of entries) segmentsOf.set(e.cidr, [...(segmentsOf.get(e.cidr) ?? []), e.segment]);
  for (const [cidr, segs] of segmentsOf) {
    if (segs.length > 1) notes.push(`${cidr} is on ${segs.length} segments (${listWords(segs.map(segmentName))}); routes lead to the nearest`);
  }

  for (const family of [4, 6] as const) {
    const fam = entries.filter((e) => e.net.family === family);
    if (fam.length === 0) continue;

    // Edges and who is on each subnet.
    const edges = new Map<string, Edge[]>();
    const on = new Map<string, Set<string>>();
    const hasFamily = new Set<string>();
    for (const e of fam) {
      const set = on.get(e.cidr) ?? new Set<string>();
      on.set(e.cidr, set);
      for (const m of e.members) {
        set.add(m.attachment.node);
        hasFamily.add(m.attachment.node);
      }
      for (const x of e.members) {
        for (const y of e.members) {
          if (x.attachment.node === y.attachment.node) continue;
          const list = edges.get(x.attachment.node) ?? [];
          edges.set(x.attachment.node, list);
          list.push({ to: y.attachment.node, via: y.address.address, viaValue: y.value, dev: x.attachment.ifname, subnet: e.cidr });
        }
      }
    }
    // Nodes by index, and each router's router neighbours, for the searches below.
    const index = new Map(nodes.map((n, i) => [n.name, i]));
    const at = (name: string): number => index.get(name) ?? -1;
    const neighbours: number[][] = nodes.map((n) => [...new Set((edges.get(n.name) ?? []).filter((e) => forwards(e.to)).map((e) => at(e.to)))]);
    const destinations: { cidr: string; to: Cidr; key: string; dist: Int32Array }[] = [];
    const seen = new Set<string>();
    for (const e of fam) {
      // A /0 address makes every address on-link: it is no destination.
      if (e.net.prefixLength === 0 || seen.has(e.cidr)) continue;
      seen.add(e.cidr);
      const to: Cidr = { family, address: netText(e.net).split('/')[0] ?? '', prefixLength: e.net.prefixLength };
      // Distance from every router to the destination, in hops between routers: a breadth-first search
      // from the routers on it. -1: no path.
      const dist = new Int32Array(nodes.length).fill(-1);
      let frontier = [...(on.get(e.cidr) ?? [])].filter(forwards).map(at);
      for (const r of frontier) dist[r] = 0;
      for (let d = 1; frontier.length > 0; d++) {
        const next: number[] = [];
        for (const r of frontier) {
          for (const n of neighbours[r] ?? []) {
            if (dist[n] !== -1) continue;
            dist[n] = d;
            next.push(n);
          }
        }
        frontier = next;
      }
      destinations.push({ cidr: e.cidr, to, key: `${family} ${e.cidr}`, dist });
    }

    const unreachable = new Map<string, string[]>();
    for (const node of nodes) {
      if (node.bridge || !hasFamily.has(node.name)) continue;
      const out = routes.get(node.name) ?? [];
      const hand = new Set(node.routes.map((r) => destinationKey(r.family, r.to)));
      const handDefault = hand.has(destinationKey(family, 'default'));
      const gateways = (edges.get(node.name) ?? []).filter((e) => forwards(e.to)).map((e) => ({ ...e, at: at(e.to) }));
      const only = gateways.length === 1 && !node.forwarding ? gateways[0] : undefined;
      if (only !== undefined && !handDefault) {
        out.push({
          family,
          to: 'default',
          via: only.via,
          dev: only.dev,
          computed: true,
          reason: `default route: ${only.to} (${only.via} on ${only.subnet}) is the only gateway`,
        });
      }
      for (const dest of destinations) {
        if (on.get(dest.cidr)?.has(node.name) === true) continue;
        let best = -1;
        for (const g of gateways) {
          const d = dest.dist[g.at] ?? -1;
          if (d !== -1 && (best === -1 || d < best)) best = d;
        }
        if (best === -1) {
          if (!hand.has(dest.key) && !handDefault) unreachable.set(dest.cidr, [...(unreachable.get(dest.cidr) ?? []), node.name]);
          continue;
        }
        if (only !== undefined || hand.has(dest.key)) continue;
        let chosen: (typeof gateways)[number] | undefined;
        let ties = 0;
        for (const g of gateways) {
          if (dest.dist[g.at] !== best) continue;
          ties++;
          if (chosen === undefined || g.viaValue < chosen.viaValue) chosen = g;
        }
        if (chosen === undefined) continue;
        const pick = chosen;
        const others = ties > 1 ? [...new Set(gateways.filter((g) => dest.dist[g.at] === best && g.to !== pick.to).map((g) => g.to))] : [];
        const tie = others.length > 0 ? `; equal-cost paths via ${listWords(others)} too: the lowest gateway address wins` : '';
        out.push({
          family,
          to: { ...dest.to },
          via: pick.via,
          dev: pick.dev,
          computed: true,
          reason: `shortest path to ${dest.cidr} via ${pick.to}, ${best + 2} hops${tie}`,
        });
      }
    }
    for (const [cidr, from] of unreachable) {
      const entry = fam.find((e) => e.cidr === cidr);
      const where = entry !== undefined ? ` (${segmentName(entry.segment)})` : '';
      const why = [...(on.get(cidr) ?? [])].some(forwards) ? 'no path through routers leads there' : 'no router is on it, so only the nodes on it reach it';
      notes.push(`IPv${family} subnet ${cidr}${where} cannot be reached from ${listWords(from)}: ${why}`);
    }
  }
  return { routes, notes };
}
