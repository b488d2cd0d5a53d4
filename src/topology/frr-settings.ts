/**
 * A node's FRR settings (`frr`, `ospf`, `bgp`) and the lab's (`routing`, `ospf`), read and checked. The
 * shape check (zod) has said what is of the wrong type; here come the rules a schema cannot say: which
 * nodes may have which settings, the configuration file read through the caller's reader (this layer does
 * no I/O), the daemons a configuration needs, and areas and timers that make sense.
 */
import { posix } from 'node:path';
import { dottedQuadValue } from './address.js';
import { daemonsNeededBy, FRR_DAEMONS, inStartOrder, type FrrDaemon } from './frr-daemons.js';
import type { Path, Problem } from './issues.js';
import { quoteName } from './names.js';
import type { FrrConfigSource, NodeKind, ResolvedFrr } from './types.js';

export type Routing = 'static' | 'none' | 'ospf' | 'bgp';

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** Where the topology's own file is and how to read the files it names (see ParseOptions). */
export interface FileAccess {
  file?: string;
  read?: (path: string) => string;
}

/** OSPF settings as written (the lab's, or one router's), each with its place. */
export interface OspfWritten {
  path: Path;
  area?: { value: number; text: string; path: Path };
  hello?: { value: number; path: Path };
  dead?: { value: number; path: Path };
}

/** What a node says of FRR, checked. */
export interface FrrNodeDraft {
  /** The daemons written in `frr.daemons`, and where. */
  daemons?: { value: FrrDaemon[]; path: Path };
  /** The node's own configuration, read. */
  config?: { text: string; source: FrrConfigSource; path: Path };
  /** `frr` is written (maybe empty). */
  written: boolean;
  ospf?: OspfWritten;
  bgp?: { as: number; path: Path };
}

/** `0` or `0.0.0.1` as a number, or undefined when it is neither. */
export function ospfArea(v: unknown): { value: number; text: string } | undefined {
  if (typeof v === 'number' && Number.isInteger(v) && v >= 0 && v <= 4294967295) return { value: v, text: String(v) };
  if (typeof v !== 'string' || !/^[0-9]{1,3}(\.[0-9]{1,3}){3}$/.test(v)) return undefined;
  const value = dottedQuadValue(v);
  return Number.isNaN(value) || value < 0 ? undefined : { value, text: v };
}

/** Reads `ospf` of the lab or of a node (values of the wrong type are the shape check's). */
export function readOspf(raw: unknown, path: Path, problems: Problem[]): OspfWritten | undefined {
  if (!isRecord(raw)) return undefined;
  const out: OspfWritten = { path };
  if (raw.area !== undefined) {
    const area = ospfArea(raw.area);
    if (area !== undefined) out.area = { ...area, path: [...path, 'area'] };
    else if (typeof raw.area === 'string')
      problems.push({
        path: [...path, 'area'],
        message: `OSPF area ${quoteName(raw.area)} is neither a number nor four numbers 0 to 255`,
        hint: 'write a number such as 0 or 1, or four numbers such as 0.0.0.1',
      });
  }
  const interval = (key: 'hello' | 'dead'): { value: number; path: Path } | undefined => {
    const v = raw[key];
    return typeof v === 'number' && Number.isInteger(v) && v >= 1 && v <= 65535 ? { value: v, path: [...path, key] } : undefined;
  };
  const hello = interval('hello');
  const dead = interval('dead');
  if (hello !== undefined) out.hello = hello;
  if (dead !== undefined) out.dead = dead;
  return out;
}

/** The file a config path names, as the reader is asked for it and as errors should name it. */
export function configFile(path: string, topologyFile: string | undefined): string {
  if (topologyFile === undefined || posix.isAbsolute(path)) return path;
  return posix.join(posix.dirname(topologyFile), path);
}

/** Text with a line break is a configuration written inline; one line is the path of a file. */
export const isInlineConfig = (text: string): boolean => text.includes('\n');

/** Reads a node's `frr`, `ospf` and `bgp` settings. `routing` is the lab's. */
export function readFrrNode(
  node: string,
  settings: Record<string, unknown>,
  kind: NodeKind,
  forwarding: boolean,
  routing: Routing | undefined,
  access: FileAccess,
  problems: Problem[],
): FrrNodeDraft {
  const draft: FrrNodeDraft = { written: false };
  const base: Path = ['nodes', node];
  const frr = settings.frr;
  if (frr !== undefined) {
    if (kind === 'bridge') {
      problems.push({
        path: [...base, 'frr'],
        message: `bridge ${quoteName(node)} has FRR settings`,
        hint: 'a bridge is a LAN segment and routes nothing: run FRR on a router of the LAN',
      });
    } else if (isRecord(frr)) {
      draft.written = true;
      if (Array.isArray(frr.daemons)) {
        const daemons: FrrDaemon[] = [];
        const seen = new Map<string, number>();
        frr.daemons.forEach((d: unknown, i) => {
          if (typeof d !== 'string' || !Object.hasOwn(FRR_DAEMONS, d)) return; // the shape check says so
          const first = seen.get(d);
          if (first !== undefined) {
            problems.push({
              path: [...base, 'frr', 'daemons', i],
              message: `${d} is named twice in the daemons of ${quoteName(node)} (first at daemons[${first}])`,
              hint: 'name each daemon once',
            });
            return;
          }
          seen.set(d, i);
          daemons.push(d as FrrDaemon);
        });
        draft.daemons = { value: daemons, path: [...base, 'frr', 'daemons'] };
      }
      if (typeof frr.config === 'string') {
        const config = readConfig(frr.config, [...base, 'frr', 'config'], access, problems);
        if (config !== undefined) draft.config = config;
      }
    }
  }
  if (settings.ospf !== undefined) {
    const where: Path = [...base, 'ospf'];
    const why = settingsMisplaced(node, 'ospf', kind, forwarding, routing, draft.config !== undefined);
    if (why !== undefined) problems.push({ path: where, at: 'key', ...why });
    else {
      const ospf = readOspf(settings.ospf, where, problems);
      if (ospf !== undefined) draft.ospf = ospf;
    }
  }
  if (settings.bgp !== undefined) {
    const where: Path = [...base, 'bgp'];
    const why = settingsMisplaced(node, 'bgp', kind, forwarding, routing, draft.config !== undefined);
    if (why !== undefined) problems.push({ path: where, at: 'key', ...why });
    else if (isRecord(settings.bgp) && typeof settings.bgp.as === 'number') draft.bgp = { as: settings.bgp.as, path: [...where, 'as'] };
  }
  return draft;
}

/** Why a node may not have `ospf` or `bgp` settings, or undefined when it may. */
function settingsMisplaced(
  node: string,
  protocol: 'ospf' | 'bgp',
  kind: NodeKind,
  forwarding: boolean,
  routing: Routing | undefined,
  ownConfig: boolean,
): { message: string; hint: string } | undefined {
  const name = protocol === 'ospf' ? 'OSPF' : 'BGP';
  if (routing !== protocol)
    return {
      message: `node ${quoteName(node)} has ${name} settings, and the lab's routing is ${routing ?? 'none'}`,
      hint: `they are for routing: ${protocol}: write that at the top of the file, or remove ${protocol} here`,
    };
  if (!forwarding)
    return {
      message: `${kind} ${quoteName(node)} has ${name} settings, and only routers run ${name}`,
      hint: `make it kind: router, or remove ${protocol} here (hosts get routes to their gateway router)`,
    };
  if (ownConfig)
    return {
      message: `router ${quoteName(node)} has an FRR config of its own, so nslab writes none for it and its ${name} settings would not be used`,
      hint: `remove ${protocol} here, or remove frr.config to have nslab write the configuration`,
    };
  return undefined;
}

function readConfig(text: string, path: Path, access: FileAccess, problems: Problem[]): FrrNodeDraft['config'] {
  if (text.trim() === '') {
    problems.push({ path, message: 'the FRR config is empty', hint: 'give a file (r1/frr.conf) or the configuration itself, or remove config' });
    return undefined;
  }
  if (isInlineConfig(text)) {
    const source: FrrConfigSource = { kind: 'inline' };
    if (access.file !== undefined) source.file = access.file;
    return { text, source, path };
  }
  const file = configFile(text, access.file);
  if (access.read === undefined) {
    problems.push({
      path,
      message: `the FRR config file ${quoteName(text)} cannot be read: the lab was given as text or an object, without a way to read its files`,
      hint: 'write the configuration inline (text with line breaks), or load the lab from its file (Lab.fromFile, nslab up FILE), or pass read to parseTopology',
    });
    return undefined;
  }
  try {
    return { text: access.read(text), source: { kind: 'file', file }, path };
  } catch (e) {
    problems.push({
      path,
      message: `cannot read the FRR config ${file}: ${(e as Error).message}`,
      hint: "the path is relative to the topology file's directory; check it names an existing, readable file",
    });
    return undefined;
  }
}

/** zebra first, the named ones, and staticd, as FRR's own init starts them for a configuration of your own. */
export function ownFrr(node: string, draft: FrrNodeDraft, warnings: Problem[]): ResolvedFrr | undefined {
  if (!draft.written) return undefined;
  const config = draft.config?.text ?? '';
  const needed = daemonsNeededBy(config);
  let named: FrrDaemon[];
  if (draft.daemons !== undefined) {
    named = draft.daemons.value;
    for (const n of needed) {
      if (named.includes(n.daemon) || FRR_DAEMONS[n.daemon].always === true) continue;
      warnings.push({
        path: draft.daemons.path,
        message: `the FRR config of ${quoteName(node)} needs ${n.daemon} (line ${n.line}: ${n.text}), which is not among its daemons: FRR leaves that part out`,
        hint: `add ${n.daemon} to daemons, or leave daemons out to have them found from the config`,
      });
    }
  } else named = needed.map((n) => n.daemon);
  const frr: ResolvedFrr = {
    daemons: inStartOrder(['zebra', ...named, 'staticd']),
    config,
    source: draft.config?.source ?? { kind: 'none' },
  };
  return frr;
}
