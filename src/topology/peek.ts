/**
 * A glance at a topology file's raw text, before node has even loaded the parser: the lab's name and how
 * many nodes it lists, for `nslab up` to start making that many namespaces at once (engine/spares.ts).
 * It reads only the common shape, block YAML with `name: NAME` and the node names one a line under a
 * top-level `nodes:`; for anything else (JSON, flow style, a name it cannot see) it says nothing, and the
 * parse that follows tells the count. It never decides anything: the parse does, and a wrong glance only
 * costs spare namespaces that are freed unused.
 */

export interface Glance {
  name: string;
  nodes: number;
}

const NAME_LINE = /^name:[ \t]*(["']?)([A-Za-z0-9][A-Za-z0-9_.-]{0,62})\1[ \t]*(?:#.*)?$/m;
const NODES_LINE = /^nodes:[ \t]*(?:#.*)?$/;
/** A block mapping key: a plain or quoted scalar followed by a colon and a space or the line's end. */
const KEY = /^(?:[^\s#'"{}[\],&*!|>%@`-][^:#]*|"[^"\n]*"|'[^'\n]*'):(?:[ \t]|$)/;

export function glance(text: string): Glance | undefined {
  const name = NAME_LINE.exec(text)?.[2];
  if (name === undefined) return undefined;
  const lines = text.split('\n');
  const at = lines.findIndex((l) => NODES_LINE.test(l.trimEnd()));
  if (at < 0) return undefined;
  let indent = -1;
  let nodes = 0;
  for (let i = at + 1; i < lines.length; i++) {
    const line = (lines[i] as string).trimEnd();
    const body = line.trimStart();
    if (body === '' || body.startsWith('#')) continue;
    const depth = line.length - body.length;
    if (indent < 0) indent = depth;
    if (depth === 0 || depth < indent) break;
    if (depth === indent && KEY.test(body)) nodes += 1;
  }
  return nodes > 0 ? { name, nodes } : undefined;
}
