/**
 * Validation: every problem of a topology at once. The shape check (zod) and the value checks run on the
 * same input side by side; the value checks read the input defensively and skip what has the wrong
 * structure (the shape check has said so already), so one wrong type does not hide the other problems.
 * When nothing is wrong, the result is a checked topology with every value parsed and every interface named.
 */
import { formatCidr, parseDestination, parseGateway, parseInterfaceAddress } from './address.js';
import { readEndpoint, type EndpointSpec, type Placed } from './endpoint.js';
import { assignInterfaceNames } from './interface-names.js';
import { OTHER, type Path, type Problem } from './issues.js';
import { checkInterfaceName, checkLabName, checkNetnsName, checkNodeName, describeChar, quoteName } from './names.js';
import { METRIC_MAX, MTU_MAX, MTU_MIN } from './schema.js';
import { checkShape, describeValue } from './shape.js';
import { closest, listWords } from './suggest.js';
import type { Cidr, ExecEntry, Family, ResolvedRoute } from './types.js';

export interface CheckedEndpoint {
  node: string;
  ifname: string;
  addresses: Cidr[];
}

export interface CheckedLink {
  a: CheckedEndpoint;
  b: CheckedEndpoint;
  mtu?: number;
}

export interface CheckedNode {
  name: string;
  routes: ResolvedRoute[];
  exec: ExecEntry[];
}

/** A topology with nothing wrong: names final, addresses and routes parsed. */
export interface CheckedTopology {
  name: string;
  prefix: string;
  nodes: CheckedNode[];
  links: CheckedLink[];
}

export interface CheckOptions {
  /** Node names in file order (a JavaScript object puts integer-like keys first). */
  nodeOrder?: readonly string[];
}

/** The smallest MTU IPv6 works with (RFC 8200). */
const IPV6_MIN_MTU = 1280;

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const isInt = (v: unknown, min: number, max: number): v is number => typeof v === 'number' && Number.isInteger(v) && v >= min && v <= max;
const at = <T>(p: Placed<T>): Pick<Problem, 'path' | 'charIndex'> => (p.charIndex === undefined ? { path: p.path } : { path: p.path, charIndex: p.charIndex });

interface DraftEndpoint {
  spec: EndpointSpec;
  /** The node exists and the interface name (if any) is valid: it takes part in naming. */
  usable: boolean;
  ifname?: string;
  addresses: Cidr[];
}

interface DraftLink {
  ends: (DraftEndpoint | undefined)[];
  mtu?: number;
  path: Path;
}

function checkPrefix(prefix: string, problems: Problem[]): boolean {
  const bad = [...prefix].find((ch) => ch === '/' || (ch.codePointAt(0) ?? 0) < 0x20 || ch === '\u007f');
  if (bad === undefined) return true;
  problems.push({ path: ['prefix'], message: `prefix ${quoteName(prefix)} contains ${describeChar(bad)}`, hint: 'the prefix starts every namespace name, and namespaces are files under /run/netns: no "/" or control characters' });
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

function unknownNode(spec: EndpointSpec, names: readonly string[]): Problem {
  const near = closest(spec.node.value, names);
  const name = quoteName(spec.node.value);
  let hint: string;
  if (near !== undefined) hint = `did you mean ${quoteName(near)}? The nodes are ${listWords(names)}`;
  else if (names.length === 0) hint = `add ${name} under nodes:`;
  else hint = `add ${name} under nodes:, or use one of ${listWords(names)}`;
  return { ...at(spec.node), message: `unknown node ${name}`, hint };
}

function readLinks(raw: unknown, nodeNames: readonly string[], problems: Problem[]): DraftLink[] {
  if (!Array.isArray(raw)) return [];
  const known = new Set(nodeNames);
  const links: DraftLink[] = [];
  raw.forEach((link: unknown, i) => {
    if (!isRecord(link)) return;
    const path: Path = ['links', i];
    const draft: DraftLink = { ends: [], path };
    if (isInt(link.mtu, MTU_MIN, MTU_MAX)) draft.mtu = link.mtu;
    const endpoints = link.endpoints;
    if (!Array.isArray(endpoints)) return;
    if (endpoints.length !== 2) {
      const hint =
        endpoints.length < 2
          ? 'a link is a cable with two ends: add the other end, for example endpoints: ["red:eth0", "green:eth0"]'
          : 'a link is one cable between two nodes: write one link for each cable';
      problems.push({ path: [...path, 'endpoints'], message: `a link has exactly 2 endpoints; this one has ${endpoints.length}`, hint });
    }
    endpoints.forEach((e: unknown, j) => {
      const spec = readEndpoint(e, [...path, 'endpoints', j], problems);
      if (spec === undefined) {
        draft.ends.push(undefined);
        return;
      }
      let usable = true;
      if (!known.has(spec.node.value)) {
        problems.push(unknownNode(spec, nodeNames));
        usable = false;
      }
      const end: DraftEndpoint = { spec, usable, addresses: [] };
      if (spec.interface !== undefined) {
        const bad = checkInterfaceName(spec.interface.value);
        if (bad !== undefined) {
          problems.push({ ...at(spec.interface), ...bad });
          end.usable = false;
        } else {
          end.ifname = spec.interface.value;
        }
      }
      for (const a of spec.addresses) {
        const parsed = parseInterfaceAddress(a.value);
        if (parsed.ok) end.addresses.push(parsed.value);
        else problems.push({ ...at(a), ...parsed.problem });
      }
      draft.ends.push(end);
    });
    const [a, b] = draft.ends;
    if (endpoints.length === 2 && a !== undefined && b !== undefined && a.spec.node.value === b.spec.node.value && known.has(a.spec.node.value)) {
      const n = a.spec.node.value;
      a.usable = false;
      b.usable = false;
      problems.push({ path, message: `both ends of the link are on node ${quoteName(n)}`, hint: `a link joins two different nodes: connect ${n} to another node` });
    }
    links.push(draft);
  });
  return links;
}

/** Each address once in the lab. */
function checkUniqueAddresses(links: readonly DraftLink[], problems: Problem[]): void {
  const first = new Map<string, Placed<string>>();
  for (const link of links) {
    for (const end of link.ends) {
      if (end === undefined) continue;
      for (const a of end.spec.addresses) {
        const parsed = parseInterfaceAddress(a.value);
        if (!parsed.ok) continue;
        const key = parsed.value.address;
        const prior = first.get(key);
        if (prior === undefined) {
          first.set(key, a);
          continue;
        }
        problems.push({ ...at(a), message: `address ${key} is given twice: here and at ${OTHER}`, hint: 'every address in a lab must be unique: change one of them', other: prior.path, ...(prior.charIndex !== undefined ? { otherCharIndex: prior.charIndex } : {}) });
      }
    }
  }
}

function checkIpv6Mtu(links: readonly DraftLink[], problems: Problem[]): void {
  for (const link of links) {
    if (link.mtu === undefined || link.mtu >= IPV6_MIN_MTU) continue;
    if (link.ends.some((e) => e?.addresses.some((c) => c.family === 6))) {
      problems.push({ path: [...link.path, 'mtu'], message: `MTU ${link.mtu} is below ${IPV6_MIN_MTU}, the least IPv6 works with, and this link has IPv6 addresses`, hint: `raise it to at least ${IPV6_MIN_MTU}, or use only IPv4 on this link` });
    }
  }
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
          problems.push({ path: [...path, 'via'], message: `gateway ${via} is IPv${g.value.family} but ${dest} is IPv${family}`, hint: `a route's destination and gateway are of one family: use an IPv${family} gateway` });
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
        const has = interfaces.length === 0 ? `${node} has no interfaces: connect it with a link first` : `${node}'s interfaces are ${listWords(interfaces)}`;
        problems.push({ path: [...path, 'dev'], message: `node ${quoteName(node)} has no interface ${quoteName(r.dev)}`, hint: near !== undefined ? `did you mean ${quoteName(near)}? ${has}` : has });
        ok = false;
      }
    } else if (r.dev !== undefined) ok = false;
    if (!('via' in r) && !('dev' in r)) {
      problems.push({ path, message: 'the route has neither via (a gateway) nor dev (an interface)', hint: 'give one or both, for example { to: 10.0.2.0/24, via: 10.0.1.1 } or { to: 10.0.2.0/24, dev: eth0 }' });
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
      problems.push({ path, message: `${dest} is given twice in node ${quoteName(node)}: here and at ${OTHER}`, hint: 'remove one of them, or give them different metrics', other: prior });
      return;
    }
    seen.set(key, path);
    routes.push(route);
  });
  return routes;
}

function readExec(node: string, raw: unknown, problems: Problem[]): ExecEntry[] {
  if (!Array.isArray(raw)) return [];
  const out: ExecEntry[] = [];
  raw.forEach((e: unknown, i) => {
    const path: Path = ['nodes', node, 'exec', i];
    let entry: ExecEntry | undefined;
    if (typeof e === 'string') entry = { run: e, background: false };
    else if (isRecord(e) && typeof e.run === 'string' && (e.background === undefined || typeof e.background === 'boolean')) entry = { run: e.run, background: e.background === true };
    if (entry === undefined) return;
    if (entry.run.trim() === '') {
      problems.push({ path: typeof e === 'string' ? path : [...path, 'run'], message: 'the command is empty', hint: 'write a shell command, for example "ping -c 1 10.0.0.2", or remove the entry' });
      return;
    }
    out.push(entry);
  });
  return out;
}

/** Checks a value meant as a topology. Returns every problem, and the checked topology when there are none. */
export function checkTopology(value: unknown, options: CheckOptions = {}): { problems: Problem[]; topology?: CheckedTopology } {
  if (!isRecord(value)) {
    const problem: Problem =
      value === null || value === undefined
        ? { path: [], message: 'the topology is empty', hint: 'a lab needs at least name: and nodes:, as in examples/two-computers.yaml' }
        : { path: [], message: `the top level must be a mapping of name, nodes and links, not ${describeValue(value)}`, hint: 'start with name: my-lab, as in examples/two-computers.yaml' };
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
  for (const n of nodeNames) {
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

  const links = readLinks(value.links, nodeNames, problems);
  checkUniqueAddresses(links, problems);
  checkIpv6Mtu(links, problems);

  const named = assignInterfaceNames(
    links.flatMap((l) => l.ends.flatMap((e) => (e !== undefined && e.usable ? [{ node: e.spec.node.value, explicit: e.ifname, place: e.spec.interface ?? e.spec.node }] : []))),
  );
  for (const dup of named.duplicates) {
    problems.push({
      ...at(dup.place),
      message: `interface ${quoteName(dup.ifname)} is used twice on node ${quoteName(dup.node)}: here and at ${OTHER}`,
      hint: 'give this end another name, or leave the name out to have one chosen',
      other: dup.first.path,
      ...(dup.first.charIndex !== undefined ? { otherCharIndex: dup.first.charIndex } : {}),
    });
  }

  const mentioned = new Map<string, Set<string>>();
  for (const e of links.flatMap((l) => l.ends)) {
    if (e?.spec.interface === undefined) continue;
    const set = mentioned.get(e.spec.node.value) ?? new Set<string>();
    mentioned.set(e.spec.node.value, set.add(e.spec.interface.value));
  }
  const nodes: CheckedNode[] = nodeNames.map((n) => {
    const settings = rawNodes?.[n];
    const s = isRecord(settings) ? settings : {};
    return { name: n, routes: readRoutes(n, s.routes, named.byNode.get(n) ?? [], mentioned.get(n) ?? new Set(), problems), exec: readExec(n, s.exec, problems) };
  });

  if (problems.length > 0 || name === undefined || prefix === undefined) return { problems };
  let k = 0;
  const checkedLinks = links.map((l): CheckedLink => {
    const ends = l.ends.map((e): CheckedEndpoint => ({ node: e?.spec.node.value ?? '', ifname: named.names[k++] ?? '', addresses: e?.addresses ?? [] }));
    const [a, b] = ends;
    if (a === undefined || b === undefined) throw new Error('unreachable: a link without two ends passed validation');
    return l.mtu !== undefined ? { a, b, mtu: l.mtu } : { a, b };
  });
  return { problems, topology: { name, prefix, nodes, links: checkedLinks } };
}
