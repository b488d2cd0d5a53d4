/**
 * Validation: every problem of a topology at once. The shape check (zod) and the value checks run on the
 * same input side by side; the value checks read the input defensively and skip what has the wrong
 * structure (the shape check has said so already), so one wrong type does not hide the other problems.
 * When nothing is wrong, the result is a checked topology with every value parsed and every interface named.
 */
import { formatCidr, parseDestination, parseGateway, parseInterfaceAddress, type Parsed } from './address.js';
import { readEndpoint, type EndpointSpec, type Placed } from './endpoint.js';
import { writeRoutingConfigs, type RoutingRouter } from './frr-config.js';
import { inStartOrder } from './frr-daemons.js';
import { ownFrr, readFrrNode, readOspf, type FileAccess, type FrrNodeDraft, type OspfWritten, type Routing } from './frr-settings.js';
import { assignInterfaceNames, type NamingRequest } from './interface-names.js';
import { OTHER, type Path, type Problem } from './issues.js';
import { checkInterfaceName, checkLabName, checkNetnsName, checkNodeName, describeChar, quoteName } from './names.js';
import { checkUniqueVnis, readHosts, readNodeHosts } from './hosts.js';
import { place } from './placement.js';
import { assignPoolAddresses, readAddressing } from './pools.js';
import { METRIC_MAX, MTU_MAX, MTU_MIN, VNI_MAX, VNI_MIN } from './schema.js';
import { buildSegments, type SegmentEnd } from './segments.js';
import { checkShape, describeValue } from './shape.js';
import { clip, count, listWords } from './bounded.js';
import { closest, suggester } from './suggest.js';
import type { Cidr, ExecEntry, Family, NodeKind, ResolvedFrr, ResolvedHost, ResolvedRoute, ScenarioStep, Shaping } from './types.js';
import { checkScenario } from './scenario.js';
import { parseDuration, parseLoss, parseRate } from './units.js';
import { NslabError } from '../errors.js';

export interface CheckedEndpoint {
  node: string;
  ifname: string;
  addresses: Cidr[];
  /** The end's own MTU (over the link's). */
  mtu?: number;
  /** The end's shaping: its own values over the link's. */
  shaping?: Shaping;
  bridgePort?: boolean;
}

export interface CheckedLink {
  a: CheckedEndpoint;
  b: CheckedEndpoint;
  mtu?: number;
  vni?: number;
}

export interface CheckedNode {
  name: string;
  kind: NodeKind;
  forwarding: boolean;
  /** The bridge device of a bridge node. */
  bridge?: string;
  routes: ResolvedRoute[];
  exec: ExecEntry[];
  /** FRR in the node: its own configuration, or the one routing: ospf|bgp writes. */
  frr?: ResolvedFrr;
  /** The host the node runs on, in a lab over several machines. */
  host?: string;
}

/** A topology with nothing wrong: names final, addresses and routes parsed. */
export interface CheckedTopology {
  name: string;
  prefix: string;
  nodes: CheckedNode[];
  links: CheckedLink[];
  routing?: Routing;
  /** What is not wrong but worth saying (see ResolvedLab.warnings), with its place. */
  warnings?: Problem[];
  /** `addressing: { summarize: true }`. */
  summarize?: boolean;
  hosts?: ResolvedHost[];
  scenario?: ScenarioStep[];
}

export interface CheckOptions extends FileAccess {
  /** Node names in file order (a JavaScript object puts integer-like keys first). */
  nodeOrder?: readonly string[];
}

/** The most ports a Linux bridge takes: BR_MAX_PORTS (1,024) less port number 0, which is never given. */
const BRIDGE_MAX_PORTS = 1023;

/** The smallest MTU IPv6 works with (RFC 8200). */
const IPV6_MIN_MTU = 1280;

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const isInt = (v: unknown, min: number, max: number): v is number => typeof v === 'number' && Number.isInteger(v) && v >= min && v <= max;
const at = <T>(p: Placed<T>): Pick<Problem, 'path' | 'charIndex'> => (p.charIndex === undefined ? { path: p.path } : { path: p.path, charIndex: p.charIndex });

/** The settings of a node written without any (`red:` or `red: {}`). */
const NO_SETTINGS: Readonly<Record<string, unknown>> = Object.freeze({});

/** No interface names: for a node no endpoint names one. */
const NONE: ReadonlySet<string> = new Set();

/** The bridge device of a bridge node without `bridge-name`. */
export const DEFAULT_BRIDGE_NAME = 'br0';

/** Link properties as read from a link or one end, each with where it is written. */
interface Properties {
  mtu?: Placed<number>;
  rate?: Placed<number>;
  delayMs?: Placed<number>;
  jitterMs?: Placed<number>;
  lossPercent?: Placed<number>;
  /** A delay key is written, valid or not (a jitter beside a wrong delay is not reported again). */
  delayWritten?: boolean;
}

interface DraftEndpoint {
  spec: EndpointSpec;
  /** The node exists and the interface name (if any) is valid: it takes part in naming. */
  usable: boolean;
  /** The interface name the file gives, when it is valid. */
  ifname: string | undefined;
  addresses: Cidr[];
  /** Where each of `addresses` is written. */
  addressPlaces: readonly Placed<string>[];
  props: Properties;
}

interface DraftLink {
  ends: (DraftEndpoint | undefined)[];
  mtu?: number;
  vni?: number;
  props: Properties;
  path: Path;
}

interface NodeType {
  kind: NodeKind;
  forwarding: boolean;
  bridge?: Placed<string>;
}

const parseDelay = (text: string): Parsed<number> => parseDuration(text, 'delay');
const parseJitter = (text: string): Parsed<number> => parseDuration(text, 'jitter');

/** A value with a unit at `raw[key]`, parsed; a wrong one is a problem. */
function readUnit(
  raw: Record<string, unknown>,
  key: 'rate' | 'delay' | 'jitter' | 'loss',
  parse: (text: string) => Parsed<number>,
  path: Path,
  problems: Problem[],
): Placed<number> | undefined {
  const v = raw[key];
  if (typeof v !== 'string') return undefined;
  const r = parse(v);
  if (r.ok) return { value: r.value, path: [...path, key] };
  problems.push({ path: [...path, key], ...r.problem });
  return undefined;
}

function readProperties(raw: Record<string, unknown>, path: Path, problems: Problem[]): Properties {
  const props: Properties = {};
  if (raw.delay !== undefined) props.delayWritten = true;
  if (isInt(raw.mtu, MTU_MIN, MTU_MAX)) props.mtu = { value: raw.mtu, path: [...path, 'mtu'] };
  const rate = readUnit(raw, 'rate', parseRate, path, problems);
  const delay = readUnit(raw, 'delay', parseDelay, path, problems);
  const jitter = readUnit(raw, 'jitter', parseJitter, path, problems);
  const loss = readUnit(raw, 'loss', parseLoss, path, problems);
  if (rate !== undefined) props.rate = rate;
  if (delay !== undefined) props.delayMs = delay;
  if (jitter !== undefined) props.jitterMs = jitter;
  if (loss !== undefined) props.lossPercent = loss;
  return props;
}

/** Kinds, forwarding and bridge names, with their problems. */
function readNodeTypes(rawNodes: Record<string, unknown> | undefined, names: readonly string[], problems: Problem[]): Map<string, NodeType> {
  const types = new Map<string, NodeType>();
  // Indexed, and no path made unless a problem needs it: this runs for every node with a cold JIT.
  for (let i = 0; i < names.length; i++) {
    const n = names[i] as string;
    const s = rawNodes?.[n];
    const settings = isRecord(s) ? s : NO_SETTINGS;
    const kind: NodeKind = settings.kind === 'router' || settings.kind === 'bridge' ? settings.kind : 'host';
    const type: NodeType = { kind, forwarding: kind === 'router' };
    if (typeof settings.forwarding === 'boolean') {
      if (kind === 'router' && !settings.forwarding) {
        problems.push({
          path: ['nodes', n, 'forwarding'],
          message: `node ${quoteName(n)} is a router and forwarding is false`,
          hint: 'a router always forwards: remove forwarding, or write kind: host for a node that does not',
        });
      } else if (kind === 'bridge') {
        problems.push({
          path: ['nodes', n, 'forwarding'],
          message: `node ${quoteName(n)} is a bridge, and forwarding is for hosts and routers`,
          hint: 'a bridge passes frames within its LAN without it: remove forwarding, and make a router to join LANs',
        });
      } else if (kind === 'host') {
        type.forwarding = settings.forwarding;
      }
    }
    const bridgeName = settings['bridge-name'];
    if (typeof bridgeName === 'string') {
      const where: Path = ['nodes', n, 'bridge-name'];
      if (kind !== 'bridge') {
        problems.push({
          path: where,
          message: `node ${quoteName(n)} is a ${kind}, and bridge-name is for bridges`,
          hint: 'add kind: bridge to make the node a LAN segment, or remove bridge-name',
        });
      } else {
        const bad = checkInterfaceName(bridgeName);
        if (bad !== undefined) problems.push({ path: where, ...bad });
        else type.bridge = { value: bridgeName, path: where };
      }
    } else if (kind === 'bridge') {
      type.bridge = { value: DEFAULT_BRIDGE_NAME, path: ['nodes', n] };
    }
    if (kind === 'bridge') {
      if (Array.isArray(settings.routes) && settings.routes.length > 0) {
        problems.push({
          path: ['nodes', n, 'routes'],
          message: `bridge ${quoteName(n)} has routes`,
          hint: 'a bridge passes frames within its LAN and routes nothing: put the routes on the hosts and routers (or use routing: static)',
        });
      }
      if (Array.isArray(settings.exec) && settings.exec.length > 0) {
        problems.push({
          path: ['nodes', n, 'exec'],
          message: `bridge ${quoteName(n)} has commands to run`,
          hint: 'a bridge node is a LAN segment, not a computer: run the commands on a host or router of the LAN',
        });
      }
    }
    types.set(n, type);
  }
  return types;
}

function checkPrefix(prefix: string, problems: Problem[]): boolean {
  const bad = [...prefix].find((ch) => ch === '/' || (ch.codePointAt(0) ?? 0) < 0x20 || ch === '\u007f');
  if (bad === undefined) return true;
  problems.push({
    path: ['prefix'],
    message: `prefix ${quoteName(prefix)} contains ${describeChar(bad)}`,
    hint: 'the prefix starts every namespace name, and namespaces are files under /run/netns: no "/" or control characters',
  });
  return false;
}

function orderedNodeNames(nodes: Record<string, unknown>, order: readonly string[] | undefined): string[] {
  const keys = Object.keys(nodes);
  if (order === undefined) return keys;
  const present = new Set(keys);
  const seen = new Set<string>();
  const out: string[] = [];
  for (const n of [...order, ...keys]) {
    if (present.has(n) && !seen.has(n)) {
      seen.add(n);
      out.push(n);
    }
  }
  return out;
}

function unknownNode(spec: EndpointSpec, names: readonly string[], suggest: (word: string) => string | undefined): Problem {
  const near = suggest(spec.node.value);
  const name = quoteName(spec.node.value);
  let hint: string;
  if (near !== undefined) hint = `did you mean ${quoteName(near)}? The nodes are ${listWords(names)}`;
  else if (names.length === 0) hint = `add ${name} under nodes:`;
  else hint = `add ${name} under nodes:, or use one of ${listWords(names)}`;
  return { ...at(spec.node), message: `unknown node ${name}`, hint };
}

// The loops over links, ends and addresses below are indexed `for` loops rather than forEach or for...of:
// they run once per process for every end of the lab, before the JIT has warmed up.

/** The node names, and "did you mean" among them (made at the first unknown node: most labs have none). */
interface KnownNodes {
  set: ReadonlySet<string>;
  names: readonly string[];
  suggest?: (word: string) => string | undefined;
}

function readEndpoints(
  endpoints: readonly unknown[],
  linkIndex: number,
  known: KnownNodes,
  types: ReadonlyMap<string, NodeType>,
  problems: Problem[],
): (DraftEndpoint | undefined)[] {
  const ends: (DraftEndpoint | undefined)[] = [];
  for (let j = 0; j < endpoints.length; j++) {
    const e = endpoints[j];
    const endPath: Path = ['links', linkIndex, 'endpoints', j];
    const spec = readEndpoint(e, endPath, problems);
    if (spec === undefined) {
      ends.push(undefined);
      continue;
    }
    let usable = true;
    if (!known.set.has(spec.node.value)) {
      known.suggest ??= suggester(known.names);
      problems.push(unknownNode(spec, known.names, known.suggest));
      usable = false;
    }
    const props = isRecord(e) ? readProperties(e, endPath, problems) : {};
    let ifname: string | undefined;
    if (spec.interface !== undefined) {
      const bad = checkInterfaceName(spec.interface.value);
      if (bad !== undefined) {
        problems.push({ ...at(spec.interface), ...bad });
        usable = false;
      } else {
        ifname = spec.interface.value;
      }
    }
    const addresses: Cidr[] = [];
    // Set at the first wrong address: the places of the right ones. Until then they are the spec's own list.
    let places: Placed<string>[] | undefined;
    for (let k = 0; k < spec.addresses.length; k++) {
      const a = spec.addresses[k] as Placed<string>;
      const parsed = parseInterfaceAddress(a.value);
      if (parsed.ok) {
        addresses.push(parsed.value);
        places?.push(a);
      } else {
        problems.push({ ...at(a), ...parsed.problem });
        places ??= spec.addresses.slice(0, k);
      }
    }
    const end: DraftEndpoint = { spec, usable, ifname, addresses, addressPlaces: places ?? spec.addresses, props };
    const first = spec.addresses[0];
    if (first !== undefined && types.get(spec.node.value)?.kind === 'bridge') {
      problems.push({
        ...at(first),
        message: `${first.value} is on an end of bridge ${quoteName(spec.node.value)}, and a bridge port has no addresses`,
        hint: "put the addresses on the hosts' and routers' ends of the bridge's links (or let addressing: lan give them); the bridge only joins them",
      });
    }
    ends.push(end);
  }
  return ends;
}

function readLinks(raw: unknown, nodeNames: readonly string[], types: ReadonlyMap<string, NodeType>, problems: Problem[]): DraftLink[] {
  if (!Array.isArray(raw)) return [];
  const known: KnownNodes = { set: new Set(nodeNames), names: nodeNames };
  const links: DraftLink[] = [];
  for (let i = 0; i < raw.length; i++) {
    const link: unknown = raw[i];
    if (!isRecord(link)) continue;
    const path: Path = ['links', i];
    const props = readProperties(link, path, problems);
    const endpoints = link.endpoints;
    if (!Array.isArray(endpoints)) continue;
    if (endpoints.length !== 2) {
      const hint =
        endpoints.length < 2
          ? 'a link is a cable with two ends: add the other end, for example endpoints: ["red:eth0", "green:eth0"]'
          : 'a link is one cable between two nodes: write one link for each cable';
      problems.push({ path: [...path, 'endpoints'], message: `a link has exactly 2 endpoints; this one has ${endpoints.length}`, hint });
    }
    const draft: DraftLink = { ends: readEndpoints(endpoints, i, known, types, problems), path, props };
    if (isInt(link.mtu, MTU_MIN, MTU_MAX)) draft.mtu = link.mtu;
    if (isInt(link.vni, VNI_MIN, VNI_MAX)) draft.vni = link.vni;
    const a = draft.ends[0];
    const b = draft.ends[1];
    if (endpoints.length === 2 && a !== undefined && b !== undefined && a.spec.node.value === b.spec.node.value && known.set.has(a.spec.node.value)) {
      const n = a.spec.node.value;
      a.usable = false;
      b.usable = false;
      problems.push({
        path,
        message: `both ends of the link are on node ${quoteName(n)}`,
        hint: `a link joins two different nodes: connect ${clip(n)} to another node`,
      });
    }
    links.push(draft);
  }
  return links;
}

/** Each address once in the lab. */
function checkUniqueAddresses(links: readonly DraftLink[], problems: Problem[]): void {
  const first = new Map<string, Placed<string>>();
  for (let i = 0; i < links.length; i++) {
    const ends = (links[i] as DraftLink).ends;
    for (let j = 0; j < ends.length; j++) {
      const end = ends[j];
      if (end === undefined) continue;
      for (let k = 0; k < end.addresses.length; k++) {
        const a = end.addressPlaces[k] as Placed<string>;
        const key = (end.addresses[k] as Cidr).address;
        const prior = first.get(key);
        if (prior === undefined) {
          first.set(key, a);
          continue;
        }
        problems.push({
          ...at(a),
          message: `address ${key} is given twice: here and at ${OTHER}`,
          hint: 'every address in a lab must be unique: change one of them',
          other: prior.path,
          ...(prior.charIndex !== undefined ? { otherCharIndex: prior.charIndex } : {}),
        });
      }
    }
  }
}

/** Whether an end (of a link's ends) has an IPv6 address. */
function endsHaveIpv6(ends: readonly ({ addresses: readonly Cidr[] } | undefined)[]): boolean {
  for (let i = 0; i < ends.length; i++) {
    const e = ends[i];
    if (e === undefined) continue;
    for (let k = 0; k < e.addresses.length; k++) if (e.addresses[k]?.family === 6) return true;
  }
  return false;
}

/** MTUs below 1280 (the link's, or an end's own) on a link with IPv6 addresses; `fromPool`: the addresses come from addressing.ipv6. */
function checkIpv6Mtu(
  links: readonly { props: Properties; ends: readonly ({ props: Properties } | undefined)[]; path: Path }[],
  hasV6: (i: number) => boolean,
  fromPool: boolean,
  problems: Problem[],
): void {
  for (let i = 0; i < links.length; i++) {
    const link = links[i];
    if (link === undefined || !hasV6(i)) continue;
    for (const mtu of [link.props.mtu, ...link.ends.map((e) => e?.props.mtu)]) {
      if (mtu === undefined || mtu.value >= IPV6_MIN_MTU) continue;
      problems.push(
        fromPool
          ? {
              path: mtu.path,
              message: `MTU ${mtu.value} is below ${IPV6_MIN_MTU}, the least IPv6 works with, and this link gets IPv6 addresses from addressing.ipv6`,
              hint: `raise it to at least ${IPV6_MIN_MTU}, or give this link's ends IPv4 addresses only, by hand`,
            }
          : {
              path: mtu.path,
              message: `MTU ${mtu.value} is below ${IPV6_MIN_MTU}, the least IPv6 works with, and this link has IPv6 addresses`,
              hint: `raise it to at least ${IPV6_MIN_MTU}, or use only IPv4 on this link`,
            },
      );
    }
  }
}

/** A jitter (the link's or an end's) where that end has no delay: netem varies a delay. */
function checkJitter(links: readonly DraftLink[], problems: Problem[]): void {
  const reported = new Set<string>();
  for (let i = 0; i < links.length; i++) {
    const link = links[i] as DraftLink;
    for (let j = 0; j < link.ends.length; j++) {
      const end = link.ends[j];
      const jitter = end?.props.jitterMs ?? link.props.jitterMs;
      const delay = end?.props.delayWritten === true || link.props.delayWritten === true;
      if (jitter === undefined || delay) continue;
      const key = JSON.stringify(jitter.path);
      if (reported.has(key)) continue;
      reported.add(key);
      problems.push({
        path: jitter.path,
        message: 'jitter without a delay',
        hint: 'jitter varies a delay: add one, for example delay: 20ms with jitter: 5ms for 15 to 25 ms',
      });
    }
  }
}

const noShaping = (p: Properties): boolean => p.rate === undefined && p.delayMs === undefined && p.jitterMs === undefined && p.lossPercent === undefined;

/** The shaping of one end: its own values over the link's; undefined when neither gives any. */
function shapingOf(link: Properties, end: Properties): Shaping | undefined {
  if (noShaping(link) && noShaping(end)) return undefined;
  const shaping: Shaping = {};
  const rate = end.rate ?? link.rate;
  const delay = end.delayMs ?? link.delayMs;
  const jitter = end.jitterMs ?? link.jitterMs;
  const loss = end.lossPercent ?? link.lossPercent;
  if (rate !== undefined) shaping.rate = rate.value;
  if (delay !== undefined) shaping.delayMs = delay.value;
  if (jitter !== undefined) shaping.jitterMs = jitter.value;
  if (loss !== undefined) shaping.lossPercent = loss.value;
  return Object.keys(shaping).length > 0 ? shaping : undefined;
}

/**
 * `interfaces`: the node's interfaces; `mentioned`: names the file gives the node's endpoints, valid or not
 * (a route through an interface whose name is already reported is not reported again).
 */
function readRoutes(node: string, raw: unknown, interfaces: readonly string[], mentioned: ReadonlySet<string>, problems: Problem[]): ResolvedRoute[] {
  if (!Array.isArray(raw)) return [];
  const routes: ResolvedRoute[] = [];
  const seen = new Map<string, Path>();
  raw.forEach((r: unknown, i) => {
    if (!isRecord(r)) return;
    const path: Path = ['nodes', node, 'routes', i];
    let ok = true;
    let family: Family | undefined;
    let to: Cidr | 'default' | undefined;
    if (typeof r.to === 'string') {
      const d = parseDestination(r.to);
      if (d.ok) {
        family = d.value.family;
        to = d.value.to;
      } else {
        problems.push({ path: [...path, 'to'], ...d.problem });
        ok = false;
      }
    } else ok = false;
    let via: string | undefined;
    if (typeof r.via === 'string') {
      const g = parseGateway(r.via);
      if (!g.ok) {
        problems.push({ path: [...path, 'via'], ...g.problem });
        ok = false;
      } else {
        via = g.value.address;
        if (family !== undefined && g.value.family !== family && to !== undefined) {
          const dest = to === 'default' ? `the IPv${family} default route` : `destination ${formatCidr(to)}`;
          problems.push({
            path: [...path, 'via'],
            message: `gateway ${via} is IPv${g.value.family} but ${dest} is IPv${family}`,
            hint: `a route's destination and gateway are of one family: use an IPv${family} gateway`,
          });
          ok = false;
        }
        family ??= g.value.family;
      }
    } else if (r.via !== undefined) ok = false;
    let dev: string | undefined;
    if (typeof r.dev === 'string') {
      if (interfaces.includes(r.dev)) dev = r.dev;
      else if (mentioned.has(r.dev)) ok = false;
      else {
        const near = closest(r.dev, interfaces);
        const has =
          interfaces.length === 0 ? `${clip(node)} has no interfaces: connect it with a link first` : `${clip(node)}'s interfaces are ${listWords(interfaces)}`;
        problems.push({
          path: [...path, 'dev'],
          message: `node ${quoteName(node)} has no interface ${quoteName(r.dev)}`,
          hint: near !== undefined ? `did you mean ${quoteName(near)}? ${has}` : has,
        });
        ok = false;
      }
    } else if (r.dev !== undefined) ok = false;
    if (!('via' in r) && !('dev' in r)) {
      problems.push({
        path,
        message: 'the route has neither via (a gateway) nor dev (an interface)',
        hint: 'give one or both, for example { to: 10.0.2.0/24, via: 10.0.1.1 } or { to: 10.0.2.0/24, dev: eth0 }',
      });
      ok = false;
    }
    if (r.metric !== undefined && !isInt(r.metric, 0, METRIC_MAX)) ok = false;
    if (!ok || to === undefined) return;
    const fam: Family = family ?? 4;
    const route: ResolvedRoute = { family: fam, to };
    if (via !== undefined) route.via = via;
    if (dev !== undefined) route.dev = dev;
    // The kernel's default metric reads back as no metric: 0 for IPv4, 0 or 1024 for IPv6.
    if (typeof r.metric === 'number' && r.metric !== 0 && !(fam === 6 && r.metric === 1024)) route.metric = r.metric;
    const key = `${fam} ${to === 'default' ? 'default' : formatCidr(to)} ${route.metric ?? 0}`;
    const prior = seen.get(key);
    if (prior !== undefined) {
      const dest = to === 'default' ? `the IPv${fam} default route` : `the route to ${formatCidr(to)}`;
      problems.push({
        path,
        message: `${dest} is given twice in node ${quoteName(node)}: here and at ${OTHER}`,
        hint: 'remove one of them, or give them different metrics',
        other: prior,
      });
      return;
    }
    seen.set(key, path);
    routes.push(route);
  });
  return routes;
}

/**
 * The most bytes one argument of a program may have on Linux, with the NUL that ends it (MAX_ARG_STRLEN:
 * 32 pages of 4 KiB). A command runs as `sh -c COMMAND`, one argument, so a longer one passes every
 * check here and then fails to start (E2BIG) in the middle of `up`. The whole of a program's arguments
 * and environment has a limit too, a quarter of the stack limit (2 MB under the usual `ulimit -s` of
 * 8 MB): a property of the machine, not of the file, and one command under this limit is far below it.
 */
export const ARG_MAX_BYTES = 131_072;

const utf8 = new TextEncoder();

/** What stops a command from being passed to `sh -c`, or undefined. */
function commandProblem(run: string): Pick<Problem, 'message' | 'hint'> | undefined {
  // UTF-8 takes at most 3 bytes for each UTF-16 unit: most commands are short enough not to count.
  if (run.length * 3 >= ARG_MAX_BYTES) {
    const bytes = utf8.encode(run).length;
    if (bytes >= ARG_MAX_BYTES)
      return {
        message: `the command is ${count(bytes)} bytes, and Linux takes at most ${count(ARG_MAX_BYTES - 1)} for one argument (MAX_ARG_STRLEN: sh -c gets the command as one)`,
        hint: 'put the commands in a script file and run that, for example exec: ["sh /path/to/setup.sh"]',
      };
  }
  if (run.includes('\u0000'))
    return {
      message: 'the command contains a NUL character, which no argument of a program can hold',
      hint: 'remove it; in a double-quoted YAML string \\0 is a NUL character: write \\\\0 for a backslash and a 0',
    };
  return undefined;
}

function readExec(node: string, raw: unknown, problems: Problem[]): ExecEntry[] {
  if (!Array.isArray(raw)) return [];
  const out: ExecEntry[] = [];
  raw.forEach((e: unknown, i) => {
    const path: Path = ['nodes', node, 'exec', i];
    let entry: ExecEntry | undefined;
    if (typeof e === 'string') entry = { run: e, background: false };
    else if (isRecord(e) && typeof e.run === 'string' && (e.background === undefined || typeof e.background === 'boolean'))
      entry = { run: e.run, background: e.background === true };
    if (entry === undefined) return;
    const where = typeof e === 'string' ? path : [...path, 'run'];
    if (entry.run.trim() === '') {
      problems.push({
        path: where,
        message: 'the command is empty',
        hint: 'write a shell command, for example "ping -c 1 10.0.0.2", or remove the entry',
      });
      return;
    }
    const bad = commandProblem(entry.run);
    if (bad !== undefined) {
      problems.push({ path: where, ...bad });
      return;
    }
    out.push(entry);
  });
  return out;
}

/** The interface names the file gives each node's endpoints, valid or not. */
function mentionedInterfaces(links: readonly DraftLink[]): Map<string, Set<string>> {
  const mentioned = new Map<string, Set<string>>();
  for (const link of links) {
    for (const e of link.ends) {
      if (e?.spec.interface === undefined) continue;
      const set = mentioned.get(e.spec.node.value) ?? new Set<string>();
      mentioned.set(e.spec.node.value, set.add(e.spec.interface.value));
    }
  }
  return mentioned;
}

/** Checks a value meant as a topology. Returns every problem, and the checked topology when there are none. */
export function checkTopology(value: unknown, options: CheckOptions = {}): { problems: Problem[]; topology?: CheckedTopology } {
  if (!isRecord(value)) {
    const problem: Problem =
      value === null || value === undefined
        ? { path: [], message: 'the topology is empty', hint: 'a lab needs at least name: and nodes:, as in examples/two-computers.yaml' }
        : {
            path: [],
            message: `the top level must be a mapping of name, nodes and links, not ${describeValue(value)}`,
            hint: 'start with name: my-lab, as in examples/two-computers.yaml',
          };
    return { problems: [problem] };
  }
  const problems = checkShape(value);

  const name = typeof value.name === 'string' ? value.name : undefined;
  const nameProblem = name !== undefined ? checkLabName(name) : undefined;
  if (nameProblem !== undefined) problems.push({ path: ['name'], ...nameProblem });
  const prefix = typeof value.prefix === 'string' ? value.prefix : name !== undefined ? `${name}-` : undefined;
  // A bad default prefix is the bad name's fault, reported once at name.
  const prefixOk = typeof value.prefix === 'string' ? checkPrefix(value.prefix, problems) : nameProblem === undefined;

  const rawNodes = isRecord(value.nodes) ? value.nodes : undefined;
  const nodeNames = rawNodes !== undefined ? orderedNodeNames(rawNodes, options.nodeOrder) : [];
  if (rawNodes !== undefined && nodeNames.length === 0) {
    problems.push({ path: ['nodes'], message: 'the lab has no nodes', hint: 'add at least one, for example nodes: { red: {}, green: {} }' });
  }
  for (let i = 0; i < nodeNames.length; i++) {
    const n = nodeNames[i] as string;
    const bad = checkNodeName(n);
    if (bad !== undefined) {
      problems.push({ path: ['nodes', n], at: 'key', ...bad });
      continue;
    }
    if (prefix !== undefined && prefixOk) {
      const netns = checkNetnsName(prefix + n);
      if (netns !== undefined) problems.push({ path: ['nodes', n], at: 'key', ...netns });
    }
  }

  const types = readNodeTypes(rawNodes, nodeNames, problems);
  const hosts = readHosts(value.hosts, problems);
  const pinned = readNodeHosts(rawNodes, nodeNames, hosts, problems);
  checkUniqueVnis(value.links, problems);
  const routing = readRouting(value, problems);
  const pools = readAddressing(value.addressing, problems);
  if (pools.summarize && value.routing !== 'static') {
    problems.push({
      path: ['addressing', 'summarize'],
      message: 'summarize: true summarizes the routes routing: static computes, and this lab computes none',
      hint: 'add routing: static, or leave summarize out',
    });
  }
  const links = readLinks(value.links, nodeNames, types, problems);
  checkUniqueAddresses(links, problems);
  checkIpv6Mtu(links, (i) => endsHaveIpv6(links[i]?.ends ?? []), false, problems);
  checkJitter(links, problems);
  const isBridge = (n: string): boolean => types.get(n)?.kind === 'bridge';
  // Only links between two bridges can close a loop of bridges: the segments of the others are not needed here.
  const bridgeLinks: { a: SegmentEnd; b: SegmentEnd; path: Path }[] = [];
  /** Ports of each bridge, and the link that goes over the kernel's number. */
  const ports = new Map<string, number>();
  const tooMany = new Map<string, Path>();
  for (let i = 0; i < links.length; i++) {
    const l = links[i] as DraftLink;
    const a = l.ends[0];
    const b = l.ends[1];
    for (const e of l.ends) {
      if (e?.usable !== true || !isBridge(e.spec.node.value)) continue;
      const count = (ports.get(e.spec.node.value) ?? 0) + 1;
      ports.set(e.spec.node.value, count);
      if (count === BRIDGE_MAX_PORTS + 1) tooMany.set(e.spec.node.value, l.path);
    }
    if (a?.usable === true && b?.usable === true && l.ends.length === 2 && isBridge(a.spec.node.value) && isBridge(b.spec.node.value)) {
      bridgeLinks.push({ a: { node: a.spec.node.value, ifname: '', addresses: [] }, b: { node: b.spec.node.value, ifname: '', addresses: [] }, path: l.path });
    }
  }
  for (const [bridge, path] of tooMany) {
    problems.push({
      path,
      message: `bridge ${quoteName(bridge)} gets ${ports.get(bridge)} ports with this link and those after it, and a Linux bridge takes ${BRIDGE_MAX_PORTS} at most (the kernel answers EXFULL)`,
      hint: `join more bridges by cables (one LAN), each with at most ${BRIDGE_MAX_PORTS} ports`,
    });
  }
  for (const i of buildSegments(bridgeLinks, isBridge).loops) {
    const l = bridgeLinks[i];
    if (l === undefined) continue;
    problems.push({
      path: l.path,
      message: `this link between bridges ${quoteName(l.a.node)} and ${quoteName(l.b.node)} closes a loop of bridges`,
      hint: 'bridges without spanning tree would pass frames round the loop for ever: remove a link of the loop, or join the LANs with a router',
    });
  }

  const requests: NamingRequest[] = [];
  for (let i = 0; i < links.length; i++) {
    const ends = (links[i] as DraftLink).ends;
    for (let j = 0; j < ends.length; j++) {
      const e = ends[j];
      if (e?.usable === true) requests.push({ node: e.spec.node.value, explicit: e.ifname, place: e.spec.interface ?? e.spec.node });
    }
  }
  const named = assignInterfaceNames(requests);
  for (const dup of named.duplicates) {
    problems.push({
      ...at(dup.place),
      message: `interface ${quoteName(dup.ifname)} is used twice on node ${quoteName(dup.node)}: here and at ${OTHER}`,
      hint: 'give this end another name, or leave the name out to have one chosen',
      other: dup.first.path,
      ...(dup.first.charIndex !== undefined ? { otherCharIndex: dup.first.charIndex } : {}),
    });
  }

  const nodes: CheckedNode[] = [];
  const frrDrafts = new Map<string, FrrNodeDraft>();
  let mentioned: Map<string, Set<string>> | undefined; // made for the first node with routes
  for (let i = 0; i < nodeNames.length; i++) {
    const n = nodeNames[i] as string;
    const settings = rawNodes?.[n];
    const type = types.get(n) ?? { kind: 'host', forwarding: false };
    const node: CheckedNode = { name: n, kind: type.kind, forwarding: type.forwarding, routes: [], exec: [] };
    nodes.push(node);
    if (isRecord(settings) && (settings.frr !== undefined || settings.ospf !== undefined || settings.bgp !== undefined)) {
      frrDrafts.set(n, readFrrNode(n, settings, type.kind, type.forwarding, routing.routing, options, problems));
    }
    if (type.bridge !== undefined) {
      node.bridge = type.bridge.value;
      if (named.byNode.get(n)?.includes(type.bridge.value) === true) {
        problems.push({
          path: type.bridge.path,
          ...(type.bridge.path.length === 2 ? { at: 'key' as const } : {}),
          message: `bridge ${quoteName(n)} has a port named ${quoteName(type.bridge.value)}, the name of its bridge device`,
          hint:
            type.bridge.path.length === 2
              ? `name that end otherwise, or give the bridge another name with bridge-name`
              : 'give the bridge or that end another name',
        });
      }
      continue;
    }
    if (!isRecord(settings)) continue; // no routes, no commands
    if (Array.isArray(settings.routes)) {
      mentioned ??= mentionedInterfaces(links);
      node.routes = readRoutes(n, settings.routes, named.byNode.get(n) ?? [], mentioned.get(n) ?? NONE, problems);
    }
    if (Array.isArray(settings.exec)) node.exec = readExec(n, settings.exec, problems);
  }

  const scenario =
    value.scenario !== undefined
      ? checkScenario(
          value.scenario,
          ['scenario'],
          {
            nodes: nodeNames,
            kindOf: (n) => (nodeNames.includes(n) ? (types.get(n)?.kind ?? 'host') : undefined),
            interfacesOf: (n) => (nodeNames.includes(n) ? (named.byNode.get(n) ?? []) : undefined),
            cablesBetween: (a, b) =>
              links.filter((l) => {
                const x = l.ends[0]?.spec.node.value;
                const y = l.ends[1]?.spec.node.value;
                return (x === a && y === b) || (x === b && y === a);
              }).length,
          },
          problems,
        )
      : undefined;

  if (problems.length > 0 || name === undefined || prefix === undefined) return { problems };
  let k = 0;
  const checkedLinks: CheckedLink[] = [];
  for (let i = 0; i < links.length; i++) {
    const l = links[i] as DraftLink;
    const ends: CheckedEndpoint[] = [];
    for (let j = 0; j < l.ends.length; j++) {
      const e = l.ends[j];
      const end: CheckedEndpoint = { node: e?.spec.node.value ?? '', ifname: named.names[k++] ?? '', addresses: e?.addresses ?? [] };
      if (e?.props.mtu !== undefined) end.mtu = e.props.mtu.value;
      const shaping = shapingOf(l.props, e?.props ?? {});
      if (shaping !== undefined) end.shaping = shaping;
      if (isBridge(end.node)) end.bridgePort = true;
      ends.push(end);
    }
    const a = ends[0];
    const b = ends[1];
    if (a === undefined || b === undefined) throw new NslabError('NSLAB_INTERNAL', 'unreachable: a link without two ends passed validation');
    const checked: CheckedLink = l.mtu !== undefined ? { a, b, mtu: l.mtu } : { a, b };
    if (l.vni !== undefined) checked.vni = l.vni;
    checkedLinks.push(checked);
  }

  // Address pools, once everything else is right: they need the whole lab. Without pools, nothing to do.
  if (pools.p2p !== undefined || pools.lan !== undefined || pools.ipv6 !== undefined) {
    const hadV6 = checkedLinks.map((l) => endsHaveIpv6([l.a, l.b]));
    const { segments } = buildSegments(checkedLinks, isBridge);
    assignPoolAddresses(segments, pools, (n) => types.get(n)?.forwarding === true, problems);
    checkIpv6Mtu(links, (i) => hadV6[i] !== true && endsHaveIpv6([checkedLinks[i]?.a, checkedLinks[i]?.b]), true, problems);
  }
  if (problems.length > 0) return { problems };
  const warnings: Problem[] = [];
  addFrr(nodes, checkedLinks, frrDrafts, routing, isBridge, problems, warnings);
  if (problems.length > 0) return { problems };
  const topology: CheckedTopology = { name, prefix, nodes, links: checkedLinks };
  if (hosts !== undefined) {
    topology.hosts = hosts;
    placeNodes(nodes, checkedLinks, hosts, pinned);
  }
  if (routing.routing !== undefined) topology.routing = routing.routing;
  if (warnings.length > 0) topology.warnings = warnings;
  if (pools.summarize) topology.summarize = true;
  // A file's scenario has no code steps (only lab.schedule's may).
  if (scenario !== undefined) topology.scenario = scenario.filter((s): s is ScenarioStep => !('code' in s));
  return { problems, topology };
}

/** The lab's routing and, for ospf, its OSPF settings. */
function readRouting(value: Record<string, unknown>, problems: Problem[]): { routing?: Routing; ospf?: OspfWritten } {
  const r = value.routing;
  const routing: Routing | undefined = r === 'static' || r === 'none' || r === 'ospf' || r === 'bgp' ? r : undefined;
  const out: { routing?: Routing; ospf?: OspfWritten } = routing !== undefined ? { routing } : {};
  if (value.ospf === undefined) return out;
  if (routing !== 'ospf') {
    if (r === undefined || routing !== undefined)
      problems.push({
        path: ['ospf'],
        at: 'key',
        message: `the lab has OSPF settings, and its routing is ${routing ?? 'none'}`,
        hint: 'they are for routing: ospf: write that, or remove ospf',
      });
    return out;
  }
  const ospf = readOspf(value.ospf, ['ospf'], problems);
  if (ospf !== undefined) out.ospf = ospf;
  return out;
}

/**
 * Each node's FRR: its own configuration where it has one, else, under routing: ospf or bgp, the one
 * nslab writes for every router (nodes that forward).
 */
function addFrr(
  nodes: CheckedNode[],
  links: readonly CheckedLink[],
  drafts: ReadonlyMap<string, FrrNodeDraft>,
  routing: { routing?: Routing; ospf?: OspfWritten },
  isBridge: (n: string) => boolean,
  problems: Problem[],
  warnings: Problem[],
): void {
  const protocol = routing.routing === 'ospf' || routing.routing === 'bgp' ? routing.routing : undefined;
  const routers: RoutingRouter[] = [];
  for (const node of nodes) {
    const draft = drafts.get(node.name);
    if (protocol !== undefined && node.forwarding && draft?.config === undefined) {
      const r: RoutingRouter = { name: node.name };
      if (draft?.ospf !== undefined) r.ospf = draft.ospf;
      if (draft?.bgp !== undefined) r.bgp = draft.bgp;
      routers.push(r);
      continue;
    }
    const own = draft !== undefined ? ownFrr(node.name, draft, warnings) : undefined;
    if (own !== undefined) node.frr = own;
  }
  if (protocol === undefined || routers.length === 0) return;
  const input: Parameters<typeof writeRoutingConfigs>[0] = { routing: protocol, routers, segments: buildSegments(links, isBridge).segments };
  if (routing.ospf !== undefined) input.lab = routing.ospf;
  const configs = writeRoutingConfigs(input, problems);
  for (const node of nodes) {
    const frr = configs.get(node.name);
    if (frr === undefined) continue;
    // Daemons the node names besides the protocol's run too (a bfdd beside ospfd, say).
    const named = drafts.get(node.name)?.daemons?.value ?? [];
    node.frr = named.length > 0 ? { ...frr, daemons: inStartOrder([...frr.daemons, ...named]) } : frr;
  }
}

/** Every node's host: its own `host:`, else where placement.ts puts it. */
function placeNodes(nodes: CheckedNode[], links: readonly CheckedLink[], hosts: readonly ResolvedHost[], pinned: ReadonlyMap<string, string>): void {
  const index = new Map(nodes.map((n, i) => [n.name, i]));
  const hostIndex = new Map(hosts.map((h, i) => [h.name, i]));
  const pins = new Map<number, number>();
  for (const [node, host] of pinned) pins.set(index.get(node) ?? 0, hostIndex.get(host) ?? 0);
  const hostOf = place({
    nodes: nodes.map((n) => n.name),
    cables: links.map((l) => [index.get(l.a.node) ?? 0, index.get(l.b.node) ?? 0] as const),
    hosts: hosts.map((h) => h.name),
    pinned: pins,
  });
  nodes.forEach((n, i) => {
    n.host = hosts[hostOf[i] ?? 0]?.name ?? '';
  });
}
