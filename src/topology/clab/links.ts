/**
 * containerlab's links -> cables. The brief form (`endpoints: ["a:eth1", "b:eth1"]`) and `type: veth`
 * (and veth-stitch, a plain cable here) become cables with containerlab's default MTU unless they say
 * one; links to this machine, its management network or another machine are refused.
 */
import type { Path } from '../issues.js';
import { quoteName } from '../names.js';
import { describeValue } from '../shape.js';
import { clip, listWords, quote } from '../bounded.js';
import { closest } from '../suggest.js';
import { BRIEF_LINK_KEYS, CLAB_DEFAULT_MTU, ENDPOINT_KEYS, REFUSED_LINK_TYPES, SPECIAL_ENDPOINT_NODES, VETH_LINK_KEYS } from './keys.js';
import type { Places } from './places.js';
import { checkKeys, isRecord } from './read.js';
import type { Report } from './report.js';

export interface RawEndpoint {
  node: string;
  interface?: string;
}

export interface RawLink {
  endpoints: RawEndpoint[];
  mtu: unknown;
}

function addressesLeftOut(path: Path, key: 'ipv4' | 'ipv6', report: Report): void {
  report.warn({
    path: [...path, key],
    at: 'key',
    message: `${key} is left out: containerlab sets these addresses only on some vendor kinds, never on a linux node`,
    hint: 'set the address in exec (ip addr add ...) or in the FRR config, as containerlab labs do',
  });
}

const TEMPLATES_ONLY = "it is for containerlab's templates";

/** The links, in file order (a refused link is a problem, and leaves the conversion unfinished). */
export function convertLinks(value: unknown, places: Places, report: Report): RawLink[] {
  if (value === undefined || value === null) return [];
  if (!Array.isArray(value)) {
    report.problem({
      path: ['topology', 'links'],
      message: `must be a list, not ${describeValue(value)}`,
      hint: 'write links: [{ endpoints: ["a:eth1", "b:eth1"] }]',
    });
    return [];
  }
  const links: RawLink[] = [];
  value.forEach((link: unknown, i) => {
    const made = convertLink(link, ['topology', 'links', i], links.length, places, report);
    if (made !== undefined) links.push(made);
  });
  return links;
}

function convertLink(link: unknown, path: Path, at: number, places: Places, report: Report): RawLink | undefined {
  if (!isRecord(link)) {
    report.problem({ path, message: `must be a mapping, not ${describeValue(link)}`, hint: 'write { endpoints: ["a:eth1", "b:eth1"] }' });
    return undefined;
  }
  const type = link.type;
  if (type !== undefined && typeof type !== 'string') {
    report.problem({ path: [...path, 'type'], message: `must be a string, not ${describeValue(type)}`, hint: 'write type: veth' });
    return undefined;
  }
  const kind = type?.trim().toLowerCase();
  if (kind !== undefined && kind !== 'veth' && kind !== 'veth-stitch') {
    const refused = Object.hasOwn(REFUSED_LINK_TYPES, kind) ? REFUSED_LINK_TYPES[kind] : undefined;
    if (refused !== undefined)
      report.problem({ path: [...path, 'type'], message: `this link is of type ${clip(kind)}, which nslab cannot make: ${refused.why}`, hint: refused.hint });
    else {
      const known = ['veth', 'veth-stitch', ...Object.keys(REFUSED_LINK_TYPES)];
      const near = closest(kind, known);
      report.problem({
        path: [...path, 'type'],
        message: `unknown link type ${quoteName(type ?? '')}`,
        hint: near !== undefined ? `did you mean ${near}?` : `containerlab's link types are ${listWords(known)}`,
      });
    }
    return undefined;
  }
  checkKeys(link, path, kind === undefined ? BRIEF_LINK_KEYS : VETH_LINK_KEYS, kind === undefined ? 'a link' : `a ${kind} link`, report);
  if (kind === 'veth-stitch')
    report.warn({
      path: [...path, 'type'],
      message:
        'this veth-stitch link is made as a plain cable: containerlab stitches one to capture or impair traffic it cannot reach otherwise, and a cable here can be captured and impaired itself',
    });
  for (const key of ['ipv4', 'ipv6'] as const) if (link[key] !== undefined) addressesLeftOut(path, key, report);
  for (const key of ['vars', 'labels'] as const)
    if (link[key] !== undefined) report.warn({ path: [...path, key], at: 'key', message: `${key} is left out: ${TEMPLATES_ONLY}` });

  const endpoints = link.endpoints;
  if (!Array.isArray(endpoints)) {
    report.problem(
      endpoints === undefined
        ? { path, message: 'missing required key "endpoints"', hint: 'give the two ends of the cable, for example endpoints: ["a:eth1", "b:eth1"]' }
        : { path: [...path, 'endpoints'], message: `must be a list, not ${describeValue(endpoints)}`, hint: 'write endpoints: ["a:eth1", "b:eth1"]' },
    );
    return undefined;
  }
  const ends: RawEndpoint[] = [];
  let whole = true;
  endpoints.forEach((e: unknown, j) => {
    const end =
      kind === undefined
        ? briefEndpoint(e, [...path, 'endpoints', j], ['links', at, 'endpoints', j], places, report)
        : vethEndpoint(e, [...path, 'endpoints', j], ['links', at, 'endpoints', j], places, report);
    if (end === undefined) whole = false;
    else ends.push(end);
  });
  if (!whole) return undefined;
  places.set(['links', at], { path });
  const out: RawLink = { endpoints: ends, mtu: link.mtu ?? CLAB_DEFAULT_MTU };
  places.set(['links', at, 'mtu'], { path: link.mtu !== undefined ? [...path, 'mtu'] : path });
  return out;
}

/** "node:interface" (or a containerlab special: host:..., mgmt-net:..., macvlan:..., refused). */
function briefEndpoint(e: unknown, path: Path, rawPath: Path, places: Places, report: Report): RawEndpoint | undefined {
  if (typeof e !== 'string') {
    report.problem({
      path,
      message: `must be a string such as "a:eth1", not ${describeValue(e)}`,
      hint: 'a brief link names each end "NODE:INTERFACE"; for ends written as mappings, add type: veth',
    });
    return undefined;
  }
  const colon = e.indexOf(':');
  const node = colon === -1 ? e : e.slice(0, colon);
  if ((SPECIAL_ENDPOINT_NODES as readonly string[]).includes(node)) {
    const refused = REFUSED_LINK_TYPES[node];
    report.problem({
      path,
      message: `this link goes to containerlab's ${node} (${quoteName(e)}), which nslab cannot make: ${refused?.why ?? ''}`,
      hint: refused?.hint ?? '',
    });
    return undefined;
  }
  places.set(rawPath, { path, charIndex: 0 });
  places.set([...rawPath, 'node'], { path, charIndex: 0 });
  if (colon === -1) return { node };
  places.set([...rawPath, 'interface'], { path, charIndex: colon + 1 });
  return { node, interface: e.slice(colon + 1) };
}

/** { node, interface, mac, ipv4, ipv6, vars }. */
function vethEndpoint(e: unknown, path: Path, rawPath: Path, places: Places, report: Report): RawEndpoint | undefined {
  if (!isRecord(e)) {
    report.problem({ path, message: `must be a mapping { node, interface }, not ${describeValue(e)}`, hint: 'write { node: a, interface: eth1 }' });
    return undefined;
  }
  checkKeys(e, path, ENDPOINT_KEYS, 'an endpoint', report);
  let whole = true;
  for (const key of ['node', 'interface'] as const) {
    if (typeof e[key] === 'string') continue;
    whole = false;
    report.problem(
      e[key] === undefined
        ? {
            path,
            message: `missing required key ${quote(key)}`,
            hint: key === 'node' ? 'say which node this end plugs into: node: a' : 'name the interface: interface: eth1',
          }
        : { path: [...path, key], message: `must be a string, not ${describeValue(e[key])}`, hint: `put it in quotes: "${String(e[key])}"` },
    );
  }
  if (!whole) return undefined;
  places.set(rawPath, { path });
  places.set([...rawPath, 'node'], { path: [...path, 'node'] });
  places.set([...rawPath, 'interface'], { path: [...path, 'interface'] });
  for (const key of ['ipv4', 'ipv6'] as const) if (e[key] !== undefined) addressesLeftOut(path, key, report);
  if (e.mac !== undefined)
    report.warn({
      path: [...path, 'mac'],
      at: 'key',
      message: `the MAC address ${clip(String(e.mac))} is left out: the kernel chooses one`,
      hint: 'set it in exec (ip link set dev IFNAME address MAC) if the lab needs it',
    });
  if (e.vars !== undefined) report.warn({ path: [...path, 'vars'], at: 'key', message: `vars is left out: ${TEMPLATES_ONLY}` });
  return { node: e.node as string, interface: e.interface as string };
}
