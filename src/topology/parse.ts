/**
 * The whole pipeline for a topology file: strict YAML parse (JSON is YAML too) -> shape and value checks ->
 * resolve. Every problem is reported at once with its line and column; YAML syntax errors stop the
 * pipeline first, since a broken document cannot be checked further.
 *
 * Two readers: js-yaml is tried first, since it reads a large lab several times faster than `yaml` (with a
 * cold JIT; docs/performance.md) but keeps no positions. Its value is used only when the file checks
 * clean. Anything else (a syntax error, any problem, an alias, a %directive, node names that a JavaScript
 * object would reorder) goes through `yaml`, which places every problem at its line and column (and is
 * loaded only then: see lazy.ts).
 */
import { load as quickLoad } from 'js-yaml';
import { TopologyError } from '../errors.js';
import { isClabText, parseClab } from './clab/index.js';
import { toIssues } from './issues.js';
import { duplicateKeys, makeLocator, nodeOrder, placeInlineConfigs } from './positions.js';
import { toResolvedLab } from './resolve.js';
import { checkText, decodeTopology } from './text.js';
import type { ResolvedLab } from './types.js';
import { checkTopology, type CheckedTopology } from './validate.js';
import { readYamlDocument } from './yaml-document.js';
import type { ParseOptions } from './parse-options.js';

export type { ParseOptions } from './parse-options.js';

/** fn, called the first time only. */
function once<A>(fn: (a: A) => void): (a: A) => void {
  let called = false;
  return (a) => {
    if (called) return;
    called = true;
    fn(a);
  };
}

function announce(value: unknown, options: ParseOptions): void {
  if (options.onRead === undefined || typeof value !== 'object' || value === null) return;
  const { name, nodes } = value as { name?: unknown; nodes?: unknown };
  options.onRead({ name, nodes: typeof nodes === 'object' && nodes !== null ? Object.keys(nodes).length : 0 });
}

/**
 * Parses, validates and resolves a topology file: its text, or its bytes as read from the file (a binary
 * file is then refused as "not a text file" before anything reads it as YAML). Throws TopologyError (with
 * `file` set) listing every problem. A containerlab file (named *.clab.yml, or with a top-level
 * `topology:`) is read through its translation to this format (clab/), so it meets the same checks.
 */
export function parseTopology(input: string | Uint8Array, options: ParseOptions = {}): ResolvedLab {
  let text: string;
  if (typeof input === 'string') {
    const binary = checkText(input);
    if (binary !== undefined) throw new TopologyError([binary], options.file);
    text = input;
  } else {
    const decoded = decodeTopology(input);
    if (!decoded.ok) throw new TopologyError([decoded.issue], options.file);
    text = decoded.text;
  }
  if (isClabText(text, options.file)) return parseClab(text, options);
  // onRead hears from whichever reader reads the file first, and only from it.
  const told = options.onRead === undefined ? options : { ...options, onRead: once(options.onRead) };
  const quick = quickTopology(text, told);
  return quick !== undefined ? toResolvedLab(quick) : placedParse(text, told);
}

/** What checkTopology needs of the options: the file and its reader. */
function access(options: ParseOptions): { file?: string; read?: (path: string) => string } {
  const out: { file?: string; read?: (path: string) => string } = {};
  if (options.file !== undefined) out.file = options.file;
  if (options.read !== undefined) out.read = options.read;
  return out;
}

/** Integer-like keys, which a JavaScript object lists first and in numeric order, not in the file's. */
const INDEX_KEY = /^(?:0|[1-9]\d*)$/;

/** The file's topology when js-yaml reads it and it checks clean, else undefined (see the top of this file). */
function quickTopology(text: string, options: ParseOptions): CheckedTopology | undefined {
  if (/^%/m.test(text)) return undefined;
  let value: unknown;
  try {
    // Core schema, as `yaml`'s; duplicate keys throw; aliases throw (`yaml` bounds their expansion).
    value = quickLoad(text, { maxAliases: 0 });
  } catch {
    return undefined;
  }
  announce(value, options);
  const nodes = typeof value === 'object' && value !== null ? (value as { nodes?: unknown }).nodes : undefined;
  if (typeof nodes === 'object' && nodes !== null && Object.keys(nodes).some((k) => INDEX_KEY.test(k))) return undefined;
  const { problems, topology } = checkTopology(value, access(options));
  // Warnings and inline FRR configs need their lines: the placed reader finds them.
  if (topology?.warnings !== undefined || topology?.nodes.some((n) => n.frr?.source.kind === 'inline') === true) return undefined;
  return problems.length === 0 ? topology : undefined;
}

/** The `yaml` reader alone: every problem with its line and column (exported for the tests that hold both readers to one answer). */
export function placedParse(text: string, options: ParseOptions = {}): ResolvedLab {
  const { doc, value, lineCounter, positionOf } = readYamlDocument(text, options.file);
  announce(value, options);
  const { problems, topology } = checkTopology(value, { ...access(options), nodeOrder: nodeOrder(doc) });
  problems.push(...duplicateKeys(doc, lineCounter));
  const locate = makeLocator(doc, lineCounter, text);
  if (topology === undefined || problems.length > 0) {
    throw new TopologyError(toIssues(problems, value, locate, positionOf), options.file);
  }
  const lab = toResolvedLab(topology, topology.warnings !== undefined ? toIssues(topology.warnings, value, locate) : undefined);
  placeInlineConfigs(lab, doc, lineCounter, (node) => ['nodes', node, 'frr', 'config']);
  return lab;
}
