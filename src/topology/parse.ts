/**
 * The whole pipeline for a topology file: strict YAML parse (JSON is YAML too) -> shape and value checks ->
 * resolve. Every problem is reported at once with its line and column; YAML syntax errors stop the
 * pipeline first, since a broken document cannot be checked further.
 *
 * Two readers: js-yaml is tried first, since it reads a 1,000-node lab about five times faster than `yaml`
 * (45 ms against 230 with a cold JIT) but keeps no positions. Its value is used only when the file checks
 * clean. Anything else (a syntax error, any problem, an alias, a %directive, node names that a JavaScript
 * object would reorder) goes through `yaml`, which places every problem at its line and column (and is
 * loaded only then: see lazy.ts).
 */
import { load as quickLoad } from 'js-yaml';
import type { YAMLError } from 'yaml';
import { TopologyError, type TopologyIssue } from '../errors.js';
import { toIssues } from './issues.js';
import { yaml } from './lazy.js';
import { duplicateKeys, makeLocator, nodeOrder, positionFinder } from './positions.js';
import { toResolvedLab } from './resolve.js';
import type { ResolvedLab } from './types.js';
import { checkTopology, type CheckedTopology } from './validate.js';

export interface ParseOptions {
  /** The file name, for messages (`lab.yaml:3:5: ...`) and TopologyError.file. */
  file?: string;
  /**
   * Told the lab's name and how many nodes it lists as soon as the YAML is read, before anything is
   * checked (either may be wrong: `name` is whatever the file says). `nslab up` starts making namespaces
   * then (engine/spares.ts).
   */
  onRead?: (read: { name: unknown; nodes: number }) => void;
}

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

const SYNTAX_HINTS: Partial<Record<YAMLError['code'], string>> = {
  TAB_AS_INDENT: 'indent with spaces',
  BAD_INDENT: 'check the indentation (with spaces, the entries of one mapping or list lined up) and that every {, [ and quote is closed',
  MULTIPLE_DOCS: 'a topology file holds one lab: remove the "---" and what follows, or split the file',
  MISSING_CHAR: 'add the missing character',
  BAD_DQ_ESCAPE: 'write a backslash as \\\\, or use single quotes',
  DUPLICATE_KEY: 'keep only one of them',
  MULTILINE_IMPLICIT_KEY: 'a key must fit on one line; check for a missing ":" or a missing quote on the line before',
  BLOCK_AS_IMPLICIT_KEY: 'check for a missing ":" or a wrongly indented line',
  UNEXPECTED_TOKEN: 'check the line for a stray character, a missing ":" or unbalanced brackets and quotes',
  BAD_SCALAR_START: 'put the value in quotes',
};

function lowerFirst(s: string): string {
  return /^[A-Z][a-z]/.test(s) ? s[0]?.toLowerCase() + s.slice(1) : s;
}

function syntaxIssue(e: YAMLError, positionOf: (offset: number) => { line: number; column: number }): TopologyIssue {
  const pos = positionOf(e.pos[0]);
  const message = lowerFirst(e.message.replace(/ at line \d+, column \d+:[\s\S]*$/, '').trim());
  const issue: TopologyIssue = { path: '', message: `YAML syntax: ${message}`, line: pos.line, column: pos.column };
  const hint = SYNTAX_HINTS[e.code];
  if (hint !== undefined) issue.hint = hint;
  return issue;
}

/** Parses, validates and resolves a topology file's text. Throws TopologyError (with `file` set) listing every problem. */
export function parseTopology(text: string, options: ParseOptions = {}): ResolvedLab {
  // onRead hears from whichever reader reads the file first, and only from it.
  const told = options.onRead === undefined ? options : { ...options, onRead: once(options.onRead) };
  const quick = quickTopology(text, told);
  return quick !== undefined ? toResolvedLab(quick) : placedParse(text, told);
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
  const { problems, topology } = checkTopology(value);
  return problems.length === 0 ? topology : undefined;
}

/** The `yaml` reader alone: every problem with its line and column (exported for the tests that hold both readers to one answer). */
export function placedParse(text: string, options: ParseOptions = {}): ResolvedLab {
  const { LineCounter, parseDocument } = yaml();
  const lineCounter = new LineCounter();
  const positionOf = positionFinder(lineCounter);
  const doc = parseDocument(text, { lineCounter, uniqueKeys: false, prettyErrors: false });
  if (doc.errors.length > 0)
    throw new TopologyError(
      doc.errors.map((e) => syntaxIssue(e, positionOf)),
      options.file,
    );
  let value: unknown;
  try {
    value = doc.toJS({ maxAliasCount: 1000 });
  } catch (cause) {
    throw new TopologyError([{ path: '', message: `YAML: ${(cause as Error).message}`, hint: 'use fewer aliases (*name)' }], options.file);
  }
  announce(value, options);
  const { problems, topology } = checkTopology(value, { nodeOrder: nodeOrder(doc) });
  problems.push(...duplicateKeys(doc, lineCounter));
  if (topology === undefined || problems.length > 0) {
    throw new TopologyError(toIssues(problems, value, makeLocator(doc, lineCounter, text), positionOf), options.file);
  }
  return toResolvedLab(topology);
}
