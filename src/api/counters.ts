/**
 * The counters of a running lab's interfaces (IFLA_STATS64, what `ip -s link` prints), read in one link
 * dump per namespace, and the rates between two readings. Only the lab's own links (by their mark) count.
 */
import { parseMark } from '../plan/marks.js';
import { readState } from '../engine/state.js';
import { NslabError } from '../errors.js';
import { Handle, type Link } from '../rtnl/index.js';

export { formatBits, formatBytes, formatCount } from '../view/numbers.js';

/** One interface's counters since it was made. */
export interface InterfaceCounters {
  node: string;
  ifname: string;
  rxPackets: number;
  txPackets: number;
  rxBytes: number;
  txBytes: number;
  rxDropped: number;
  txDropped: number;
  rxErrors: number;
  txErrors: number;
}

/** Per second, between two readings of the same interface. */
export interface InterfaceRates {
  node: string;
  ifname: string;
  rxPackets: number;
  txPackets: number;
  rxBytes: number;
  txBytes: number;
}

/** The counters of a lab's links among `links`, the dump of one of its namespaces. */
export function countersOf(lab: string, node: string, links: readonly Link[]): InterfaceCounters[] {
  return links
    .filter((l) => l.name !== 'lo' && parseMark(l.alias)?.lab === lab)
    .map((l) => {
      const s = l.stats ?? {};
      return {
        node,
        ifname: l.name,
        rxPackets: s.rxPackets ?? 0,
        txPackets: s.txPackets ?? 0,
        rxBytes: s.rxBytes ?? 0,
        txBytes: s.txBytes ?? 0,
        rxDropped: s.rxDropped ?? 0,
        txDropped: s.txDropped ?? 0,
        rxErrors: s.rxErrors ?? 0,
        txErrors: s.txErrors ?? 0,
      };
    });
}

/** Orders counters by node, then interface, as status prints them. */
export function byNodeAndName<T extends { node: string; ifname: string }>(list: T[]): T[] {
  return list.sort((a, b) => a.node.localeCompare(b.node) || a.ifname.localeCompare(b.ifname));
}

/**
 * The counters of every interface of a running lab, now.
 *
 * Equivalent to: ip -n NETNS -s link show (for each of the lab's namespaces)
 */
export async function labCounters(lab: string): Promise<InterfaceCounters[]> {
  const state = readState(lab);
  if (state === undefined) throw new NslabError('NSLAB_NOT_FOUND', `no lab named ${lab} is up; \`nslab ls\` lists the labs`);
  const namespaces = Object.entries(state.namespaces);
  const handles = await Handle.openMany(namespaces.map(([netns]) => netns));
  try {
    const dumps = await Promise.all(handles.map((h) => h.link.list()));
    return byNodeAndName(namespaces.flatMap(([, node], i) => countersOf(lab, node, dumps[i] ?? [])));
  } finally {
    await Handle.closeAll(handles);
  }
}

/** Rates per second between two readings `seconds` apart; an interface in only one of them has none. */
export function ratesBetween(before: readonly InterfaceCounters[], after: readonly InterfaceCounters[], seconds: number): InterfaceRates[] {
  const old = new Map(before.map((c) => [`${c.node}:${c.ifname}`, c]));
  const rate = (now: number, then: number): number => (seconds > 0 && now >= then ? (now - then) / seconds : 0);
  return after.flatMap((c) => {
    const o = old.get(`${c.node}:${c.ifname}`);
    if (o === undefined) return [];
    return [
      {
        node: c.node,
        ifname: c.ifname,
        rxPackets: rate(c.rxPackets, o.rxPackets),
        txPackets: rate(c.txPackets, o.txPackets),
        rxBytes: rate(c.rxBytes, o.rxBytes),
        txBytes: rate(c.txBytes, o.txBytes),
      },
    ];
  });
}
