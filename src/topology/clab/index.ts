/**
 * containerlab files, read as nslab labs: detection, the conversion to nslab's raw form (convert.ts), and
 * the whole pipeline behind parseTopology for them. Every problem and warning is placed in the
 * containerlab file, whether the conversion found it or the checks every nslab lab meets.
 */
import { TopologyError, type TopologyIssue } from '../../errors.js';
import type { ParseOptions } from '../parse-options.js';
import { toIssues, type Problem } from '../issues.js';
import { duplicateKeys, makeLocator, placeInlineConfigs } from '../positions.js';
import { toResolvedLab } from '../resolve.js';
import type { ResolvedLab } from '../types.js';
import { checkTopology, type CheckedTopology } from '../validate.js';
import { readYamlDocument, type YamlDocument } from '../yaml-document.js';
import { convertClabValue } from './convert.js';

export { printNslab, type PrintOptions } from './print.js';

/** containerlab's own names for its files: NAME.clab.yml or NAME.clab.yaml. */
const CLAB_FILE = /\.clab\.ya?ml$/i;
/** A top-level `topology:` key (block YAML), or `"topology":` in a JSON text: nslab files have none. */
const TOPOLOGY_KEY = /^(?:topology|"topology"|'topology')[ \t]*:/m;

/** Whether a text (and its file name) is a containerlab topology rather than an nslab one. */
export function isClabText(text: string, file?: string): boolean {
  if (file !== undefined && CLAB_FILE.test(file)) return true;
  if (TOPOLOGY_KEY.test(text)) return true;
  // JSON and flow style keep their keys anywhere on a line: look at the top level only if it parses quickly.
  const t = text.trimStart();
  if (!t.startsWith('{')) return false;
  try {
    const v: unknown = JSON.parse(t);
    return typeof v === 'object' && v !== null && 'topology' in v && !('nodes' in v);
  } catch {
    return false;
  }
}

/** A containerlab file converted: what `nslab convert` prints, and what it says of the file. */
export interface ClabResult {
  /** The lab in nslab's raw form: what `nslab convert` prints. */
  raw: Record<string, unknown>;
  /** What nslab leaves out of the file, or doubts, each placed in the containerlab file. */
  warnings: TopologyIssue[];
}

interface Checked {
  read: YamlDocument;
  raw: Record<string, unknown>;
  topology: CheckedTopology;
  warnings: TopologyIssue[];
  inlineConfigs: Map<string, readonly (string | number)[]>;
}

/** The node names of `topology.nodes` in file order. */
function clabNodeOrder(read: YamlDocument): string[] {
  const nodes = read.doc.getIn(['topology', 'nodes'], true);
  if (nodes === null || typeof nodes !== 'object' || !('items' in nodes) || !Array.isArray(nodes.items)) return [];
  return (nodes.items as { key?: unknown }[]).map((p) => {
    const k = p.key as { value?: unknown } | null | undefined;
    return String(k !== null && typeof k === 'object' && 'value' in k ? k.value : k);
  });
}

/**
 * containerlab renders a topology file as a Go template (with its _vars file) before reading it: nslab
 * reads files as written, so a file with template actions is refused where the first one is.
 */
function refuseTemplates(text: string, file: string | undefined): void {
  const at = text.indexOf('{{');
  if (at === -1 || text.indexOf('}}', at) === -1) return;
  const before = text.slice(0, at).split('\n');
  throw new TopologyError(
    [
      {
        path: '',
        message: 'this file is a containerlab template ({{ ... }}), which containerlab renders before reading it, and nslab reads files as written',
        hint: 'render the template first, or write its values in',
        line: before.length,
        column: (before[before.length - 1] ?? '').length + 1,
      },
    ],
    file,
  );
}

/** containerlab replaces ${NAME}, ${NAME:=default} and ${NAME:-default} with the environment before reading a file. */
function environmentWarnings(text: string): Problem[] {
  const out: Problem[] = [];
  for (const m of text.matchAll(/\$\{([A-Za-z_][A-Za-z0-9_]*)(?::?[-=][^}]*)?\}/g)) {
    out.push({
      path: [],
      offset: m.index,
      message: `${m[0]} is read as written: containerlab would put the environment variable ${m[1] ?? ''} (or the default) here before reading the file`,
      hint: 'write the value in, if it matters here (a shell command in exec expands it itself)',
    });
  }
  return out;
}

function check(text: string, options: ParseOptions): Checked {
  refuseTemplates(text, options.file);
  const read = readYamlDocument(text, options.file);
  const { doc, value, lineCounter, positionOf } = read;
  if (options.onRead !== undefined) {
    const v = value as { name?: unknown; topology?: { nodes?: unknown } } | null;
    const nodes = v?.topology?.nodes;
    options.onRead({ name: v?.name, nodes: typeof nodes === 'object' && nodes !== null ? Object.keys(nodes).length : 0 });
  }
  const access: { file?: string; read?: (path: string) => string } = {};
  if (options.file !== undefined) access.file = options.file;
  if (options.read !== undefined) access.read = options.read;
  const nodeOrder = clabNodeOrder(read);
  const conversion = convertClabValue(value, options.read !== undefined ? { read: options.read, nodeOrder } : { nodeOrder });
  const locate = makeLocator(doc, lineCounter, text);
  const problems: Problem[] = [...conversion.problems, ...duplicateKeys(doc, lineCounter)];
  // The nslab checks run on a conversion that is whole: a refused node left out would only make its links'
  // ends unknown nodes, a second message about the same line.
  if (problems.length > 0) throw new TopologyError(toIssues(problems, value, locate, positionOf), options.file);
  const checked = checkTopology(conversion.raw, { ...access, nodeOrder: conversion.nodeOrder });
  if (checked.topology === undefined || checked.problems.length > 0)
    throw new TopologyError(toIssues(checked.problems.map(conversion.toClab), value, locate, positionOf), options.file);
  const warnings = toIssues(
    [...environmentWarnings(text), ...conversion.warnings, ...(checked.topology.warnings ?? []).map(conversion.toClab)],
    value,
    locate,
    positionOf,
  );
  return { read, raw: conversion.raw, topology: checked.topology, warnings, inlineConfigs: conversion.inlineConfigs };
}

/**
 * Converts a containerlab file's text into nslab's raw form, checked as an nslab lab. Throws TopologyError
 * listing every problem, placed in the containerlab file (`file`, line and column).
 */
export function convertClab(text: string, options: Pick<ParseOptions, 'file' | 'read'> = {}): ClabResult {
  const { raw, warnings } = check(text, options);
  return { raw, warnings };
}

/** parseTopology for a containerlab file: the resolved lab, its warnings included. */
export function parseClab(text: string, options: ParseOptions = {}): ResolvedLab {
  const { read, topology, warnings, inlineConfigs } = check(text, options);
  const lab = toResolvedLab(topology, warnings);
  placeInlineConfigs(lab, read.doc, read.lineCounter, (node) => inlineConfigs.get(node) ?? []);
  return lab;
}
