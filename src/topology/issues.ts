/**
 * Problems found while reading a topology, before they become TopologyIssues: each keeps its path as
 * segments, so the parser can find its place in the YAML source, and they are reported all at once.
 */
import type { TopologyIssue } from '../errors.js';
import { EXCERPT_MAX, quote } from './bounded.js';

export type Segment = string | number;
export type Path = readonly Segment[];

/** Written in a message where the other place of a two-place problem goes (see `other`). */
export const OTHER = '\u0000other\u0000';

export interface Problem {
  path: Path;
  message: string;
  hint?: string;
  /** Point at the key named by the last segment rather than at its value (unknown and duplicate keys). */
  at?: 'key';
  /** A character index inside the string at `path`: where in a shorthand endpoint the problem is. */
  charIndex?: number;
  /** The other place of a two-place problem (a duplicate): replaces OTHER in the message, with its line when known. */
  other?: Path;
  /** The character index at `other`, as `charIndex`. */
  otherCharIndex?: number;
  /** The exact source offset, for problems found in the YAML text itself. */
  offset?: number;
}

export interface Position {
  line: number;
  column: number;
}

/** Finds a problem's place in the source (parseTopology), or nothing (resolveTopology). */
export type Locator = (path: Path, at: 'key' | 'value', charIndex?: number) => Position | undefined;

const IDENTIFIER = /^[A-Za-z0-9_$][A-Za-z0-9_$-]*$/;

/**
 * `links[3].endpoints[1]`, `nodes.red.routes[0].via`, `nodes["r1.lan"]` (a name with a dot or other
 * characters in brackets; a long one cut, as every quoted input is).
 */
export function formatPath(path: Path): string {
  let out = '';
  for (const seg of path) {
    if (typeof seg === 'number') out += `[${seg}]`;
    else if (seg.length <= EXCERPT_MAX && IDENTIFIER.test(seg)) out += out === '' ? seg : `.${seg}`;
    else out += `[${quote(seg)}]`;
  }
  return out;
}

/** The order in which a depth-first walk of a value meets each path: sorts problems into file order without a file. */
function documentOrder(value: unknown): Map<string, number> {
  const order = new Map<string, number>();
  const walk = (v: unknown, path: Segment[]): void => {
    order.set(JSON.stringify(path), order.size);
    if (Array.isArray(v)) v.forEach((item, i) => walk(item, [...path, i]));
    else if (v !== null && typeof v === 'object') for (const [k, item] of Object.entries(v)) walk(item, [...path, k]);
  };
  walk(value, []);
  return order;
}

function ordinal(order: Map<string, number>, path: Path): number {
  for (let n = path.length; n >= 0; n--) {
    const o = order.get(JSON.stringify(path.slice(0, n)));
    if (o !== undefined) return o + (n < path.length ? 0.5 : 0);
  }
  return 0;
}

/**
 * Turns problems into TopologyIssues: paths formatted, places found (when a locator is given), the other
 * place of a duplicate written into its message, everything sorted into file order, and each problem
 * once (two checks that find the same thing at the same place, such as two of zod's for one number, say
 * it once).
 */
export function toIssues(problems: readonly Problem[], value: unknown, locate?: Locator, positionOf?: (offset: number) => Position): TopologyIssue[] {
  const order = documentOrder(value);
  const rows = problems.map((p, index) => {
    const pos = p.offset !== undefined && positionOf !== undefined ? positionOf(p.offset) : locate?.(p.path, p.at ?? 'value', p.charIndex);
    let message = p.message;
    if (p.other !== undefined) {
      const otherPos = locate?.(p.other, 'value', p.otherCharIndex);
      message = message.replace(
        OTHER,
        otherPos === undefined ? formatPath(p.other) : `${formatPath(p.other)} (line ${otherPos.line}, column ${otherPos.column})`,
      );
    }
    const issue: TopologyIssue = { path: formatPath(p.path), message };
    if (p.hint !== undefined) issue.hint = p.hint;
    if (pos !== undefined) {
      issue.line = pos.line;
      issue.column = pos.column;
    }
    return { issue, index, ordinal: ordinal(order, p.path) };
  });
  rows.sort((a, b) => {
    const la = a.issue.line;
    const lb = b.issue.line;
    if (la !== undefined && lb !== undefined) return la - lb || (a.issue.column ?? 0) - (b.issue.column ?? 0) || a.index - b.index;
    return a.ordinal - b.ordinal || a.index - b.index;
  });
  const seen = new Set<string>();
  const issues: TopologyIssue[] = [];
  for (const { issue } of rows) {
    const key = `${issue.line ?? ''}:${issue.column ?? ''}:${issue.path}\u0000${issue.message}\u0000${issue.hint ?? ''}`;
    if (seen.has(key)) continue;
    seen.add(key);
    issues.push(issue);
  }
  return issues;
}
