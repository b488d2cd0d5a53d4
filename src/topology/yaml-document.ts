/**
 * A YAML text read by the `yaml` library with every node's place kept: the reader behind every located
 * problem (parse.ts for our files, clab/ for containerlab's). A syntax error stops here, placed, since a
 * broken document cannot be checked further.
 */
import type { Document, LineCounter, YAMLError } from 'yaml';
import { TopologyError, type TopologyIssue } from '../errors.js';
import { yaml } from './lazy.js';
import type { Position } from './issues.js';
import { clip } from './bounded.js';
import { positionFinder, unclosedOpeners, type Opener } from './positions.js';

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

/** The longest message of the yaml library is about 100 characters; longer ones quote input. */
const SYNTAX_MESSAGE_MAX = 200;

/** What the yaml library says when a bracket or a quote is never closed, and which opener it means. */
const UNCLOSED: readonly [RegExp, Opener['char']][] = [
  [/end with an? \]/, '['],
  [/end with an? \}/, '{'],
  [/^Missing closing "quote/, '"'],
  [/^Missing closing 'quote/, "'"],
];

const OPENED: Record<Opener['char'], { what: string; fix: string; found: string }> = {
  '[': { what: 'this "["', fix: 'add a "]" where the list ends', found: 'one' },
  '{': { what: 'this "{"', fix: 'add a "}" where the mapping ends', found: 'one' },
  '"': { what: 'this double quote', fix: 'add the closing " where the text ends', found: 'it' },
  "'": { what: 'this single quote', fix: "add the closing ' where the text ends", found: 'it' },
};

/**
 * The yaml library reports a bracket or quote left open where it gave up, often the end of the file,
 * far from the mistake. `openers` are the brackets and quotes the source leaves open; each such error
 * is placed at the nearest one before it of its kind (not already claimed by another error).
 */
function syntaxIssues(errors: readonly YAMLError[], text: string, positionOf: (offset: number) => Position): TopologyIssue[] {
  let openers: Opener[] | undefined;
  const claimed = new Set<Opener>();
  const issues = errors.map((e): TopologyIssue => {
    const pos = positionOf(e.pos[0]);
    const kind = UNCLOSED.find(([pattern]) => pattern.test(e.message))?.[1];
    if (kind !== undefined) {
      openers ??= unclosedOpeners(text);
      const opener = openers.findLast((o) => o.char === kind && o.offset < e.pos[0] && !claimed.has(o));
      if (opener !== undefined) {
        claimed.add(opener);
        const at = positionOf(opener.offset);
        const o = OPENED[kind];
        return {
          path: '',
          message: `YAML syntax: ${o.what} is never closed`,
          hint: `${o.fix} (the YAML reader reached line ${pos.line}, column ${pos.column} without finding ${o.found})`,
          line: at.line,
          column: at.column,
        };
      }
    }
    // The library's messages quote no input but an alias or a tag, which can be long: cut, as input is.
    const message = lowerFirst(clip(e.message.replace(/ at line \d+, column \d+:[\s\S]*$/, '').trim(), SYNTAX_MESSAGE_MAX));
    const issue: TopologyIssue = { path: '', message: `YAML syntax: ${message}`, line: pos.line, column: pos.column };
    const hint = SYNTAX_HINTS[e.code];
    if (hint !== undefined) issue.hint = hint;
    return issue;
  });
  return issues.sort((a, b) => (a.line ?? 0) - (b.line ?? 0) || (a.column ?? 0) - (b.column ?? 0));
}

/** Reads a YAML text. Throws TopologyError (placed, with `file`) for syntax errors and runaway aliases. */
export function readYamlDocument(text: string, file?: string): YamlDocument {
  const { LineCounter, parseDocument } = yaml();
  const lineCounter = new LineCounter();
  const positionOf = positionFinder(lineCounter);
  const doc = parseDocument(text, { lineCounter, uniqueKeys: false, prettyErrors: false });
  if (doc.errors.length > 0) throw new TopologyError(syntaxIssues(doc.errors, text, positionOf), file);
  let value: unknown;
  try {
    value = doc.toJS({ maxAliasCount: 1000 });
  } catch (cause) {
    throw new TopologyError([{ path: '', message: `YAML: ${clip((cause as Error).message)}`, hint: 'use fewer aliases (*name)' }], file);
  }
  return { doc, value, lineCounter, positionOf };
}
