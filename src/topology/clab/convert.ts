/**
 * containerlab's topology format -> nslab's raw form (the shape of our own files), so that every later
 * check, error and step is the one our files meet. Pure: the files a lab names (the frr.conf and daemons
 * files it binds) are read through the caller's reader.
 *
 * What maps to what (docs/containerlab.md says it for users):
 * - `name` is the lab's; `prefix` makes namespace names as containerlab makes container names:
 *   clab-NAME-NODE by default, NAME-NODE for `__lab-name`, NODE for "", PREFIX-NAME-NODE otherwise.
 * - A node's settings come from the node, its group, its kind (`kinds`), then `defaults` (inherit.ts).
 * - kind linux: a host, or a router when it runs FRR (frr.ts). A host with two links or more forwards, as
 *   every container does under Docker (a new namespace inherits the machine's net.ipv4.ip_forward, which
 *   Docker sets). kind bridge and ovs-bridge: a bridge node, a LAN inside the lab (node.ts).
 * - exec entries run as ours do, after the whole network is up; `sysctls` under net. run before them.
 * - links, brief and `type: veth`, become cables with containerlab's default MTU, 9500 (links.ts).
 * What a namespace cannot be is refused (a problem, placed); a container's own settings are warned of.
 */
import type { Path, Problem } from '../issues.js';
import { describeValue } from '../shape.js';
import type { Definition } from './inherit.js';
import { NODE_KEYS, TOP_KEYS, TOPOLOGY_KEYS } from './keys.js';
import { convertLinks } from './links.js';
import { convertNode } from './node.js';
import { Places } from './places.js';
import { checkKeys, checkTextSettings, isRecord } from './read.js';
import { Report } from './report.js';

export interface ClabConvertOptions {
  /** Reads a file by its path as written, relative to the containerlab file (see ParseOptions.read). */
  read?: (path: string) => string;
  /** The node names in file order (a JavaScript object puts integer-like keys first). */
  nodeOrder?: readonly string[];
}

export interface Conversion {
  /** The lab in nslab's raw form. */
  raw: Record<string, unknown>;
  /** What makes the file one nslab cannot make (refusals, unknown keys, wrong types), placed in the containerlab file. */
  problems: Problem[];
  /** What nslab leaves out, placed in the containerlab file. */
  warnings: Problem[];
  /** A problem found in `raw`, placed in the containerlab file instead. */
  toClab: (p: Problem) => Problem;
  /** For each node whose FRR config is written inline (a startup-config block), where it is. */
  inlineConfigs: Map<string, Path>;
  /** The node names in file order. */
  nodeOrder: string[];
}

const LEFT_OUT: Readonly<Record<string, string>> = {
  mgmt: 'nslab makes no management network',
  settings: 'it sets up containerlab itself',
  debug: "it is containerlab's own logging",
};

/** Converts a containerlab topology (as plain values) into nslab's raw form. */
export function convertClabValue(value: unknown, options: ClabConvertOptions = {}): Conversion {
  const report = new Report();
  const places = new Places();
  const raw: Record<string, unknown> = {};
  const inlineConfigs = new Map<string, Path>();
  const result = (nodeOrder: string[]): Conversion => ({
    raw,
    problems: report.problems,
    warnings: report.warnings(),
    inlineConfigs,
    nodeOrder,
    toClab: (p) => places.map(p),
  });

  if (!isRecord(value)) {
    report.problem({
      path: [],
      message:
        value === null || value === undefined ? 'the file is empty' : `the top level must be a mapping of name and topology, not ${describeValue(value)}`,
      hint: 'a containerlab file starts with name: and topology: { nodes: ..., links: ... }',
    });
    return result([]);
  }
  checkKeys(value, [], TOP_KEYS, 'a containerlab file', report);
  for (const [key, why] of Object.entries(LEFT_OUT))
    if (value[key] !== undefined) report.warn({ path: [key], at: 'key', message: `${key} is left out: ${why}` });

  const name = value.name;
  if (name === undefined) report.problem({ path: [], message: 'missing required key "name"', hint: 'name the lab, for example name: my-lab' });
  raw.name = name;
  places.set(['name'], { path: ['name'] }, true);
  const prefix = value.prefix;
  if (prefix !== undefined && typeof prefix !== 'string')
    report.problem({ path: ['prefix'], message: `must be a string, not ${describeValue(prefix)}`, hint: 'write prefix: "" or prefix: mylab' });
  const labName = typeof name === 'string' ? name : '';
  raw.prefix = prefix === undefined ? `clab-${labName}-` : prefix === '' ? '' : prefix === '__lab-name' ? `${labName}-` : `${String(prefix)}-${labName}-`;
  places.set(['prefix'], { path: prefix === undefined ? ['name'] : ['prefix'] });

  const topology = value.topology;
  if (!isRecord(topology)) {
    report.problem(
      topology === undefined
        ? { path: [], message: 'missing required key "topology"', hint: 'give the lab under topology: { nodes: ..., links: ... }' }
        : { path: ['topology'], message: `must be a mapping, not ${describeValue(topology)}`, hint: 'write topology: { nodes: ..., links: ... }' },
    );
    return result([]);
  }
  checkKeys(topology, ['topology'], TOPOLOGY_KEYS, 'topology', report);
  if (topology.nodes === undefined) report.problem({ path: ['topology'], message: 'missing required key "nodes"', hint: 'list the lab nodes under nodes:' });
  const nodes = definitions(topology, 'nodes', report);
  const inherit = { groups: definitions(topology, 'groups', report), kinds: definitions(topology, 'kinds', report), defaults: defaultsOf(topology, report) };

  const links = convertLinks(topology.links, places, report);
  const linkCount = new Map<string, number>();
  for (const l of links) for (const e of l.endpoints) linkCount.set(e.node, (linkCount.get(e.node) ?? 0) + 1);

  const names = orderedNames([...nodes.keys()], options.nodeOrder);
  const rawNodes: Record<string, unknown> = {};
  places.set(['nodes'], { path: ['topology', 'nodes'] });
  const access = options.read !== undefined ? { read: options.read } : {};
  for (const n of names) rawNodes[n] = convertNode(n, nodes.get(n), { inherit, links: linkCount.get(n) ?? 0, access, places, report, inlineConfigs });
  raw.nodes = rawNodes;
  if (links.length > 0) {
    raw.links = links.map((l) => ({ endpoints: l.endpoints.map((e) => ({ ...e })), mtu: l.mtu }));
    places.set(['links'], { path: ['topology', 'links'] });
  }
  return result(names);
}

/** The definitions under topology.nodes, groups or kinds: each a node's keys (nodes may be empty). */
function definitions(topology: Record<string, unknown>, key: 'nodes' | 'groups' | 'kinds', report: Report): Map<string, Definition | undefined> {
  const out = new Map<string, Definition | undefined>();
  const v = topology[key];
  if (v === undefined || v === null) return out;
  if (!isRecord(v)) {
    report.problem({ path: ['topology', key], message: `must be a mapping, not ${describeValue(v)}`, hint: `write ${key}: { NAME: { ... } }` });
    return out;
  }
  for (const [k, d] of Object.entries(v)) {
    const path: Path = ['topology', key, k];
    if (d === null || d === undefined) out.set(k, undefined);
    else if (!isRecord(d))
      report.problem({
        path,
        message: `must be a mapping, not ${describeValue(d)}`,
        hint: 'write its settings as key: value lines under it, or leave it empty',
      });
    else {
      checkKeys(d, path, NODE_KEYS, key === 'nodes' ? 'a node' : key === 'groups' ? 'a group' : 'a kind', report);
      checkTextSettings(d, path, report);
      out.set(k, { value: d, path });
    }
  }
  return out;
}

function defaultsOf(topology: Record<string, unknown>, report: Report): Definition | undefined {
  const d = topology.defaults;
  if (d === undefined || d === null) return undefined;
  const path: Path = ['topology', 'defaults'];
  if (!isRecord(d)) {
    report.problem({ path, message: `must be a mapping, not ${describeValue(d)}`, hint: 'write defaults: { kind: linux }' });
    return undefined;
  }
  checkKeys(d, path, NODE_KEYS, 'defaults', report);
  checkTextSettings(d, path, report);
  return { value: d, path };
}

function orderedNames(keys: string[], order: readonly string[] | undefined): string[] {
  if (order === undefined) return keys;
  const present = new Set(keys);
  return [...new Set([...order.filter((k) => present.has(k)), ...keys])];
}
