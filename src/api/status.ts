/**
 * What `nslab status --json` prints and the web page's node panel shows: the kernel's view of a lab, node
 * by node, with each interface's counters when asked. One shape for both, so the page says what the
 * command says.
 */
import { status, type LabStatus } from './lifecycle.js';
import { cidrText } from '../plan/format.js';
import { labCounters, type InterfaceCounters } from './counters.js';

export interface StatusJson {
  lab: string;
  source: string | null;
  createdAt: string | null;
  nodes: {
    name: string;
    netns: string;
    interfaces: {
      name: string;
      kind: string;
      state: 'up' | 'down';
      mtu: number;
      addresses: string[];
      peer?: { netns: string; ifname: string };
      /** With stats: packets, bytes, drops and errors each way since the interface was made. */
      stats?: Omit<InterfaceCounters, 'node' | 'ifname'>;
    }[];
    routes: { to: string; via?: string; dev?: string; metric?: number }[];
    sysctls: Record<string, string>;
  }[];
  processes: LabStatus['observed']['processes'];
}

export function statusJson(s: LabStatus, counters?: readonly InterfaceCounters[]): StatusJson {
  const countersOf = new Map((counters ?? []).map(({ node, ifname, ...rest }) => [`${node}:${ifname}`, rest]));
  const nodes = Object.entries(s.observed.namespaces).map(([netns, ns]) => ({
    name: ns.node,
    netns,
    interfaces: ns.links.map((l) => {
      const stats = countersOf.get(`${ns.node}:${l.ifname}`);
      return {
        name: l.ifname,
        kind: l.kind,
        state: l.up ? ('up' as const) : ('down' as const),
        mtu: l.mtu,
        addresses: l.addresses.map(cidrText),
        ...(l.peer !== undefined ? { peer: l.peer } : {}),
        ...(stats !== undefined ? { stats } : {}),
      };
    }),
    routes: ns.routes.map((r) => ({
      to: r.to === 'default' ? 'default' : cidrText(r.to),
      ...(r.via !== undefined ? { via: r.via } : {}),
      ...(r.dev !== undefined ? { dev: r.dev } : {}),
      ...(r.metric !== undefined ? { metric: r.metric } : {}),
    })),
    sysctls: ns.sysctls,
  }));
  return {
    lab: s.lab,
    source: s.state?.source ?? null,
    createdAt: s.state?.createdAt ?? null,
    nodes: nodes.sort((a, b) => a.name.localeCompare(b.name)),
    processes: s.observed.processes,
  };
}

/** A running lab's status as StatusJson, with every interface's counters when `stats` is set. */
export async function labStatus(lab: string, options: { stats?: boolean } = {}): Promise<{ status: LabStatus; json: StatusJson }> {
  const [s, counters] = await Promise.all([status(lab), options.stats === true ? labCounters(lab) : undefined]);
  return { status: s, json: statusJson(s, counters) };
}
