/**
 * containerlab's inheritance: a node's settings come from the node, then its group, then its kind (under
 * `kinds`), then `defaults` (types/topology.go: getField, mergeStringSliceFields). A setting is set when
 * not empty; lists are joined from the defaults to the node.
 */
import type { Path } from '../issues.js';
import { quoteName } from '../names.js';
import { describeValue } from '../shape.js';
import { listWords } from '../bounded.js';
import { closest } from '../suggest.js';
import type { Report } from './report.js';

/** A node definition (a node, group, kind or the defaults) and where it is. */
export interface Definition {
  value: Record<string, unknown>;
  path: Path;
}

/** A value found through the inheritance, with where it is written. */
export interface Found<T> {
  value: T;
  path: Path;
}

export interface Inheritance {
  groups: ReadonlyMap<string, Definition | undefined>;
  kinds: ReadonlyMap<string, Definition | undefined>;
  defaults: Definition | undefined;
}

/** A node's definitions, most specific first (node, group, kind, defaults), and its kind. */
export function lineage(node: string, def: Definition | undefined, inherit: Inheritance, report: Report): { chain: Definition[]; kind?: Found<string> } {
  const text = (d: Definition | undefined, key: string): Found<string> | undefined => {
    const v = d?.value[key];
    return typeof v === 'string' && v !== '' ? { value: v, path: [...(d?.path ?? []), key] } : undefined;
  };
  const groupOf = (g: Found<string> | undefined): Definition | undefined => (g !== undefined ? inherit.groups.get(g.value) : undefined);
  // The kind: the node's, its own group's, the default group's, the defaults' (GetNodeKind).
  const ownGroup = text(def, 'group');
  const defaultGroup = text(inherit.defaults, 'group');
  const kind = text(def, 'kind') ?? text(groupOf(ownGroup), 'kind') ?? text(groupOf(defaultGroup), 'kind') ?? text(inherit.defaults, 'kind');
  // The group: the node's, its kind's, the defaults' (GetNodeGroup).
  const kindDef = kind !== undefined ? inherit.kinds.get(kind.value) : undefined;
  const group = ownGroup ?? text(kindDef, 'group') ?? defaultGroup;
  if (group !== undefined && !inherit.groups.has(group.value)) {
    const known = [...inherit.groups.keys()];
    const near = closest(group.value, known);
    report.problem({
      path: group.path,
      message: `node ${quoteName(node)} is in group ${quoteName(group.value)}, and the file has no such group`,
      hint:
        near !== undefined
          ? `did you mean ${quoteName(near)}?`
          : known.length === 0
            ? 'define it under topology.groups, or remove group'
            : `the groups are ${listWords(known)}`,
    });
  }
  const chain = [def, groupOf(group), kindDef, inherit.defaults].filter((d): d is Definition => d !== undefined);
  return kind !== undefined ? { chain, kind } : { chain };
}

/** The first definition that sets a key. */
export function first(chain: readonly Definition[], key: string): Found<unknown> | undefined {
  for (const d of chain) {
    const v = d.value[key];
    if (v !== undefined && v !== null && v !== '') return { value: v, path: [...d.path, key] };
  }
  return undefined;
}

/** A list of text joined from the defaults to the node (MergeStringSlices), each entry with its place. */
export function joined(chain: readonly Definition[], key: string, report: Report): Found<string>[] {
  const out: Found<string>[] = [];
  for (const d of [...chain].reverse()) {
    const v = d.value[key];
    if (v === undefined || v === null) continue;
    if (!Array.isArray(v)) {
      report.problem({
        path: [...d.path, key],
        message: `must be a list, not ${describeValue(v)}`,
        hint: typeof v === 'string' ? `write a list, even of one: [${v}]` : `write ${key}: [...]`,
      });
      continue;
    }
    v.forEach((item: unknown, i) => {
      if (typeof item === 'string') out.push({ value: item, path: [...d.path, key, i] });
      else report.problem({ path: [...d.path, key, i], message: `must be a string, not ${describeValue(item)}`, hint: `put it in quotes: "${String(item)}"` });
    });
  }
  return out;
}

/** Each entry once, the first kept (MergeStringSlices drops repeats). */
export function once(list: readonly Found<string>[]): Found<string>[] {
  const seen = new Set<string>();
  return list.filter((e) => (seen.has(e.value) ? false : (seen.add(e.value), true)));
}

/** A mapping merged from the defaults to the node (the node's value of a key wins), values as text. */
export function mergedMap(chain: readonly Definition[], key: string, report: Report): Map<string, Found<string>> {
  const out = new Map<string, Found<string>>();
  for (const d of [...chain].reverse()) {
    const v = d.value[key];
    if (v === undefined || v === null) continue;
    if (typeof v !== 'object' || Array.isArray(v)) {
      report.problem({ path: [...d.path, key], message: `must be a mapping, not ${describeValue(v)}`, hint: `write ${key}: { NAME: VALUE }` });
      continue;
    }
    for (const [k, value] of Object.entries(v as Record<string, unknown>)) out.set(k, { value: String(value), path: [...d.path, key, k] });
  }
  return out;
}
