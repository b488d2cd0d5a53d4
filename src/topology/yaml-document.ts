/**
 * A YAML text read by the `yaml` library with every node's place kept: the reader behind every located
 * problem (parse.ts for our files, clab/ for containerlab's). A syntax error stops here, placed, since a
 * broken document cannot be checked further.
 */
import type { Document, LineCounter, YAMLError } from 'yaml';
import { TopologyError, type TopologyIssue } from '../errors.js';
import { yaml } from './lazy.js';
import type { Position } from './issues.js';
import { positionFinder } from './positions.js';

export interface YamlDocument {
  doc: Document;
  /** The document as plain values. */
  value: unknown;
  lineCounter: LineCounter;
  positionOf: (offset: number) => Position;
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

/** Reads a YAML text. Throws TopologyError (placed, with `file`) for syntax errors and runaway aliases. */
export function readYamlDocument(text: string, file?: string): YamlDocument {
  const { LineCounter, parseDocument } = yaml();
  const lineCounter = new LineCounter();
  const positionOf = positionFinder(lineCounter);
  const doc = parseDocument(text, { lineCounter, uniqueKeys: false, prettyErrors: false });
  if (doc.errors.length > 0)
    throw new TopologyError(
      doc.errors.map((e) => syntaxIssue(e, positionOf)),
      file,
    );
  let value: unknown;
  try {
    value = doc.toJS({ maxAliasCount: 1000 });
  } catch (cause) {
    throw new TopologyError([{ path: '', message: `YAML: ${(cause as Error).message}`, hint: 'use fewer aliases (*name)' }], file);
  }
  return { doc, value, lineCounter, positionOf };
}
