/**
 * From a path in the document (`links[3].endpoints[1]`) back to its line and column in the YAML source,
 * through the yaml library's node ranges and LineCounter. Also finds what only the source shows: keys
 * given twice (reported at the second) and the file order of the nodes.
 */
import type { CST, Document, LineCounter, YAMLMap } from 'yaml';
import { quote } from './bounded.js';
import type { Locator, Path, Position, Problem, Segment } from './issues.js';
import type { ResolvedLab } from './types.js';
import { yaml } from './lazy.js';

type YamlNode = unknown;

function keyText(key: unknown): string {
  const { isScalar } = yaml();
  if (isScalar(key)) return key.value === null || key.value === undefined ? '' : String(key.value);
  return key === null || key === undefined ? '' : String(key);
}

function rangeStart(node: YamlNode): number | undefined {
  if (node !== null && typeof node === 'object' && 'range' in node) {
    const range = (node as { range?: [number, number, number] }).range;
    return range?.[0];
  }
  return undefined;
}

export function positionFinder(lineCounter: LineCounter): (offset: number) => Position {
  return (offset) => {
    const p = lineCounter.linePos(offset);
    return { line: p.line, column: p.col };
  };
}

/**
 * A Locator over a parsed document. Where the path leads past the source (a missing key), the deepest node
 * found is used. Each mapping's keys are indexed the first time a path goes through it, so that placing
 * a problem for each of 100,000 nodes does not search the 100,000 keys each time.
 */
export function makeLocator(doc: Document, lineCounter: LineCounter, source: string): Locator {
  const { isAlias, isMap, isScalar, isSeq } = yaml();
  const positionOf = positionFinder(lineCounter);
  type Pairs = YAMLMap<unknown, unknown>['items'];
  const indexes = new Map<unknown, Map<string, Pairs[number]>>();
  const pairOf = (map: YAMLMap<unknown, unknown>, key: string): Pairs[number] | undefined => {
    let index = indexes.get(map);
    if (index === undefined) {
      index = new Map();
      // The last of equal keys wins, as it does in the value.
      for (const p of map.items) index.set(keyText(p.key), p);
      indexes.set(map, index);
    }
    return index.get(key);
  };
  return (path: Path, at: 'key' | 'value', charIndex?: number) => {
    let node: YamlNode = doc.contents;
    let offset = rangeStart(node);
    for (const [i, seg] of path.entries()) {
      if (isAlias(node)) node = node.resolve(doc);
      const last = i === path.length - 1;
      if (isMap(node)) {
        const pair = pairOf(node, String(seg));
        if (pair === undefined) break;
        const keyStart = rangeStart(pair.key);
        const value: YamlNode = pair.value;
        const valueStart = rangeStart(value);
        const empty =
          value === null || (isScalar(value) && value.value === null && value.range !== undefined && value.range !== null && value.range[0] === value.range[1]);
        if ((last && at === 'key') || empty || valueStart === undefined) {
          offset = keyStart ?? offset;
          node = empty ? null : value;
          if (last || empty) break;
          continue;
        }
        node = value;
        offset = valueStart;
      } else if (isSeq(node) && typeof seg === 'number') {
        const item: YamlNode = node.items[seg];
        const start = rangeStart(item);
        if (start === undefined) break;
        node = item;
        offset = start;
      } else break;
    }
    if (offset === undefined) return undefined;
    if (charIndex !== undefined && isScalar(node) && typeof node.value === 'string') {
      const quote = node.type === 'QUOTE_DOUBLE' || node.type === 'QUOTE_SINGLE' ? 1 : node.type === 'PLAIN' ? 0 : undefined;
      const start = offset + (quote ?? 0);
      // Only when the source spells the string as is (no escapes or folding before the character).
      if (quote !== undefined && source.slice(start, start + charIndex) === node.value.slice(0, charIndex)) offset = start + charIndex;
    }
    return positionOf(offset);
  };
}

/** Keys given twice in one mapping, each reported at its second (third, ...) occurrence. */
export function duplicateKeys(doc: Document, lineCounter: LineCounter): Problem[] {
  const { isMap, isSeq } = yaml();
  const positionOf = positionFinder(lineCounter);
  const problems: Problem[] = [];
  const walk = (node: YamlNode, path: Segment[]): void => {
    if (isMap(node)) {
      const first = new Map<string, number | undefined>();
      for (const pair of node.items) {
        const key = keyText(pair.key);
        const start = rangeStart(pair.key);
        if (first.has(key)) {
          const firstAt = first.get(key);
          const where = firstAt === undefined ? '' : ` (first at line ${positionOf(firstAt).line}, column ${positionOf(firstAt).column})`;
          const isNode = path.length === 1 && path[0] === 'nodes';
          const problem: Problem = isNode
            ? {
                path: [...path, key],
                at: 'key',
                message: `node ${quote(key)} is defined twice${where}`,
                hint: 'give each node its own name, or merge the two into one',
              }
            : { path: [...path, key], at: 'key', message: `key ${quote(key)} is given twice${where}`, hint: 'keep only one of them' };
          if (start !== undefined) problem.offset = start;
          problems.push(problem);
        } else {
          first.set(key, start);
        }
        walk(pair.value, [...path, key]);
      }
    } else if (isSeq(node)) {
      node.items.forEach((item, i) => walk(item, [...path, i]));
    }
  };
  walk(doc.contents, []);
  return problems;
}

/** The node names in the order the file writes them. */
export function nodeOrder(doc: Document): string[] {
  const { isAlias, isMap } = yaml();
  const root = doc.contents;
  if (!isMap(root)) return [];
  let nodes: YamlNode = root.items.findLast((p) => keyText(p.key) === 'nodes')?.value;
  if (isAlias(nodes)) nodes = nodes.resolve(doc);
  return isMap(nodes) ? nodes.items.map((p) => keyText(p.key)) : [];
}

/**
 * The line where each inline FRR config starts, for a line vtysh names inside it: a block scalar (`|`)
 * starts on the line after its indicator. A quoted string has no such line (its escapes break the
 * correspondence), and keeps none.
 */
export function placeInlineConfigs(
  lab: ResolvedLab,
  doc: Document,
  lineCounter: LineCounter,
  configPath: (node: string) => readonly (string | number)[],
): void {
  const { isScalar } = yaml();
  for (const node of lab.nodes) {
    const source = node.frr?.source;
    if (source?.kind !== 'inline') continue;
    const scalar = doc.getIn(configPath(node.name), true);
    if (!isScalar(scalar) || scalar.range === undefined || scalar.range === null) continue;
    if (scalar.type !== 'BLOCK_LITERAL') continue;
    source.line = lineCounter.linePos(scalar.range[0]).line + 1;
  }
}

/** A bracket or quote that opens something in the source. */
export interface Opener {
  char: '[' | '{' | '"' | "'";
  offset: number;
}

/**
 * The brackets and quotes the source leaves open, in source order: flow collections without their
 * closing bracket and quoted scalars without their closing quote, as the yaml library's lexer reads them
 * (its errors say where it gave up, not where the thing opened).
 */
export function unclosedOpeners(source: string): Opener[] {
  const { Parser } = yaml();
  const found: Opener[] = [];
  const walk = (token: CST.Token | undefined): void => {
    if (token === undefined) return;
    switch (token.type) {
      case 'document':
        walk(token.value);
        break;
      case 'flow-collection': {
        const char = token.start.source === '[' ? '[' : '{';
        const close = char === '[' ? 'flow-seq-end' : 'flow-map-end';
        if (!token.end.some((t) => t.type === close)) found.push({ char, offset: token.offset });
        for (const item of token.items) {
          walk(item.key ?? undefined);
          walk(item.value);
        }
        break;
      }
      case 'block-map':
      case 'block-seq':
        for (const item of token.items) {
          walk('key' in item ? (item.key ?? undefined) : undefined);
          walk(item.value);
        }
        break;
      case 'double-quoted-scalar':
      case 'single-quoted-scalar': {
        const q = token.type === 'double-quoted-scalar' ? '"' : "'";
        if (!closesQuote(token.source, q)) found.push({ char: q, offset: token.offset });
        break;
      }
      default:
        break;
    }
  };
  for (const token of new Parser().parse(source)) walk(token);
  return found.sort((a, b) => a.offset - b.offset);
}

/** Whether a quoted scalar's source (from its opening quote) ends with its closing quote. */
function closesQuote(source: string, q: '"' | "'"): boolean {
  let i = 1;
  while (i < source.length) {
    const c = source[i];
    if (q === '"' && c === '\\') i += 2;
    else if (c === q) {
      // In single quotes, '' is a quote inside the text.
      if (q === "'" && source[i + 1] === "'") i += 2;
      else return i === source.trimEnd().length - 1 || source.slice(i + 1).trim() === '';
    } else i++;
  }
  return false;
}
