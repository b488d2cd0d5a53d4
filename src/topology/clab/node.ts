/**
 * One containerlab node -> one nslab node's settings. kind linux: a host, or a router that runs FRR; kind
 * bridge (and ovs-bridge): a bridge node, a LAN inside the lab. The container's own settings are warned of
 * and left out; what would make the node something else than a namespace of the lab is refused.
 */
import { checkInterfaceName, quoteName } from '../names.js';
import type { Path } from '../issues.js';
import { closest } from '../suggest.js';
import { findFrr, isFrrBind, isFrrImage, normalTarget, parseBind, type Bind, type FileAccess } from './frr.js';
import { first, joined, lineage, mergedMap, once, type Definition, type Found, type Inheritance } from './inherit.js';
import { CLAB_KINDS, CONTAINER_SETTING, IGNORED_BECAUSE, NODE_KEYS, REFUSED_KINDS, USED_NODE_KEYS } from './keys.js';
import type { Places } from './places.js';
import { isRecord } from './read.js';
import type { Report } from './report.js';

/** The sysctls that turn forwarding on: the node's own `forwarding: true`. */
const FORWARDING = new Set(['net.ipv4.ip_forward', 'net.ipv4.conf.all.forwarding', 'net.ipv6.conf.all.forwarding']);

export interface NodeContext {
  inherit: Inheritance;
  /** How many links the node has: a host with two or more forwards (see convert.ts). */
  links: number;
  access: FileAccess;
  places: Places;
  report: Report;
  /** Nodes whose FRR config is written inline, and where. */
  inlineConfigs: Map<string, Path>;
}

export function convertNode(name: string, def: Definition | undefined, c: NodeContext): Record<string, unknown> {
  const { places, report } = c;
  const nodePath: Path = ['topology', 'nodes', name];
  const rawPath: Path = ['nodes', name];
  places.set(rawPath, { path: nodePath });
  const { chain, kind } = lineage(name, def, c.inherit, report);
  const settings: Record<string, unknown> = {};
  if (kind === undefined) {
    report.problem({
      path: nodePath,
      at: 'key',
      message: `node ${quoteName(name)} has no kind`,
      hint: 'give it one, for example kind: linux (a computer) or kind: bridge (a LAN); or one for every node under defaults',
    });
    return settings;
  }
  places.set([...rawPath, 'kind'], { path: kind.path });
  places.set([...rawPath, 'bridge-name'], { path: kind.path });
  const k = kind.value;
  if (!makeable(name, kind, report) || !ownNamespace(name, chain, report)) return settings;

  if (k === 'bridge' || k === 'ovs-bridge') return bridge(name, k, kind, chain, c);

  if (k === 'frr')
    report.warnNode(
      name,
      kind.path,
      "kind frr is nslab's own; containerlab has no such kind (it runs FRR as kind: linux with an FRR image) and would refuse this file",
      {
        hint: "write kind: linux and an FRR image to keep the file containerlab's",
      },
    );
  // Binds with one target once: the most specific wins (GetNodeBinds).
  const byTarget = new Map<string, Bind>();
  for (const b of joined(chain, 'binds', report).map(parseBind)) byTarget.set(normalTarget(b.target), b);
  const binds = [...byTarget.values()];
  const image = first(chain, 'image');
  const frrImage = typeof image?.value === 'string' && isFrrImage(image.value);
  const extras = first(chain, 'extras');
  const extrasFrr =
    extras !== undefined && isRecord(extras.value) && extras.value.frr !== undefined ? { value: extras.value.frr, path: [...extras.path, 'frr'] } : undefined;
  const frrBinds = binds.filter(isFrrBind);
  const runsFrr = k === 'frr' || frrBinds.length > 0 || frrImage || extrasFrr !== undefined;

  for (const b of binds) {
    if (!isFrrBind(b))
      report.warnNode(name, b.path, `${b.source} is not mounted at ${b.target}: a node sees this machine's files as they are`, {
        hint: `if a command needs the file, have it read ${b.source} where it is`,
      });
  }
  if (image !== undefined)
    report.warnNode(
      name,
      image.path,
      runsFrr
        ? `image ${String(image.value)} is not run: FRR here is this machine's (Debian's frr package), whatever version the image has`
        : `image ${String(image.value)} is not run: commands here run this machine's programs`,
      { at: 'key' },
    );
  for (const key of NODE_KEYS) {
    if (USED_NODE_KEYS.has(key)) continue;
    const found = first(chain, key);
    if (found !== undefined) report.warnNode(name, found.path, `${key} is left out: ${IGNORED_BECAUSE[key] ?? CONTAINER_SETTING}`, { at: 'key' });
  }
  if (extras !== undefined && isRecord(extras.value)) {
    for (const key of Object.keys(extras.value))
      if (key !== 'frr') report.warnNode(name, [...extras.path, key], `extras.${key} is left out: ${CONTAINER_SETTING}`, { at: 'key' });
  }

  // sysctls: forwarding as the node's own setting; other net. ones set in the node before its exec, as
  // containerlab sets them when it makes the container; the rest are the machine's, not a node's.
  const before: Found<string>[] = [];
  let forwarding: Found<string> | undefined;
  for (const [key, s] of mergedMap(chain, 'sysctls', report)) {
    if (FORWARDING.has(key) && s.value === '1') forwarding = s;
    else if (key.startsWith('net.')) before.push({ value: `sysctl -w ${key}=${s.value}`, path: s.path });
    else report.warnNode(name, s.path, `sysctl ${key} is left out: it is this machine's, not one network namespace's`, { at: 'key' });
  }

  const startup = first(chain, 'startup-config');
  if (runsFrr) {
    settings.kind = 'router';
    const frr = findFrr(name, { binds: frrBinds, startup, extrasFrr }, c.access, report);
    const out: Record<string, unknown> = {};
    if (frr.daemons !== undefined) {
      out.daemons = frr.daemons.value;
      places.set([...rawPath, 'frr', 'daemons'], { path: frr.daemons.place }, frr.daemons.deep);
    }
    if (frr.config !== undefined) {
      out.config = frr.config.text;
      places.set(
        [...rawPath, 'frr', 'config'],
        frr.config.charIndex !== undefined ? { path: frr.config.place, charIndex: frr.config.charIndex } : { path: frr.config.place },
      );
      if (frr.config.inline) c.inlineConfigs.set(name, frr.config.place);
    }
    settings.frr = out;
    places.set([...rawPath, 'frr'], { path: frrBinds[0]?.path ?? (frrImage ? (image?.path ?? kind.path) : (extrasFrr?.path ?? kind.path)) });
  } else {
    if (startup !== undefined)
      report.warnNode(name, startup.path, 'startup-config is left out: containerlab itself does nothing with it on a linux node', { at: 'key' });
    if (forwarding !== undefined || c.links >= 2) settings.forwarding = true;
    places.set([...rawPath, 'forwarding'], { path: forwarding?.path ?? kind.path });
  }
  exec(settings, rawPath, [...before, ...once(joined(chain, 'exec', report))], places);
  return settings;
}

/** False (and a problem) for a kind nslab cannot make. */
function makeable(name: string, kind: Found<string>, report: Report): boolean {
  const k = kind.value;
  if (k === 'linux' || k === 'bridge' || k === 'ovs-bridge' || k === 'frr') return true;
  if (Object.hasOwn(REFUSED_KINDS, k))
    report.problem({
      path: kind.path,
      message: `node ${quoteName(name)} is of kind ${k}, which nslab cannot make: ${REFUSED_KINDS[k] ?? ''}`,
      hint: 'remove the node and its links, or use containerlab for this lab',
    });
  else if ((CLAB_KINDS as readonly string[]).includes(k))
    report.problem({
      path: kind.path,
      message: `node ${quoteName(name)} is of kind ${k}, a vendor's network OS, which runs in its own image: a network namespace cannot be it`,
      hint: 'make it kind: linux running FRR (bind its frr.conf and daemons into /etc/frr) to route in its place, or use containerlab for this lab',
    });
  else {
    const near = closest(k, [...CLAB_KINDS, 'frr']);
    report.problem({
      path: kind.path,
      message: `unknown kind ${quoteName(k)}`,
      hint: near !== undefined ? `did you mean ${near}?` : 'nslab makes kind linux (a computer, or a router with FRR) and kind bridge (a LAN)',
    });
  }
  return false;
}

/** False (and a problem) for a network mode that makes the node another namespace than its own. */
function ownNamespace(name: string, chain: readonly Definition[], report: Report): boolean {
  const found = first(chain, 'network-mode');
  if (found === undefined) return true;
  const mode = String(found.value);
  if (mode === 'host') {
    report.problem({
      path: found.path,
      message: `node ${quoteName(name)} has network-mode: host, which makes it this machine's own network`,
      hint: "nslab never touches the machine's network: remove network-mode, or use containerlab for this lab",
    });
    return false;
  }
  if (mode.startsWith('container:')) {
    report.problem({
      path: found.path,
      message: `node ${quoteName(name)} shares the network namespace of ${quoteName(mode.slice('container:'.length))} (network-mode: ${mode}), and in nslab each node is a namespace of its own`,
      hint: 'remove network-mode and join the nodes with a cable, or use containerlab for this lab',
    });
    return false;
  }
  // none (no management interface) is what every node is here; bridge is Docker's default.
  if (mode !== 'none' && mode !== 'bridge') report.warnNode(name, found.path, `network-mode ${mode} is left out: a node's namespace has only the lab's links`);
  return true;
}

function bridge(name: string, k: string, kind: Found<string>, chain: readonly Definition[], c: NodeContext): Record<string, unknown> {
  const settings: Record<string, unknown> = { kind: 'bridge' };
  const own = checkInterfaceName(name) === undefined;
  if (own) settings['bridge-name'] = name;
  c.report.warnNode(
    name,
    kind.path,
    `made as a bridge inside the lab, in a namespace of its own (containerlab's ${k} is a bridge of this machine, made beforehand)` +
      (k === 'ovs-bridge' ? ', and a Linux bridge, not Open vSwitch' : '') +
      (own ? '' : `; its device is br0, since ${quoteName(name)} cannot be an interface name`),
    { hint: 'nothing changes for the lab, unless it reaches this machine through the bridge' },
  );
  for (const key of NODE_KEYS) {
    if (key === 'kind' || key === 'group' || key === 'network-mode') continue;
    const found = first(chain, key);
    const why = key === 'image' || key === 'binds' || key === 'exec' ? 'a bridge runs nothing' : (IGNORED_BECAUSE[key] ?? CONTAINER_SETTING);
    if (found !== undefined) c.report.warnNode(name, found.path, `${key} is left out: ${why}`, { at: 'key' });
  }
  return settings;
}

function exec(settings: Record<string, unknown>, rawPath: Path, entries: readonly Found<string>[], places: Places): void {
  if (entries.length === 0) return;
  settings.exec = entries.map((e) => e.value);
  entries.forEach((e, i) => places.set([...rawPath, 'exec', i], { path: e.path }));
  places.set([...rawPath, 'exec'], { path: entries[0]?.path.slice(0, -1) ?? [] });
}
