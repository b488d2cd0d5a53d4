/**
 * The structural check: runs the zod schema and says each of its findings the way a learner can act on
 * (which key is unknown and which would be right, what type was found where another belongs, which key is
 * missing, which range a number must be in).
 */
import type { z } from 'zod';
import { fieldAt, MAPPING_NAMES, pattern } from './fields.js';
import type { Path, Problem, Segment } from './issues.js';
import { LAB_FIT } from './lab-fit.js';
import { fitFrom, type Fit } from './quick-shape.js';
import { allowedKeys, labSchema, METRIC_MAX, MTU_MAX, MTU_MIN } from './schema.js';
import { clip, listWords, quote } from './bounded.js';
import { closest } from './suggest.js';

type ZodIssue = z.core.$ZodIssue;

/** The value at a path, or undefined. */
export function valueAt(root: unknown, path: Path): unknown {
  let v = root;
  for (const seg of path) {
    if (v === null || typeof v !== 'object') return undefined;
    v = (v as Record<string | number, unknown>)[seg];
  }
  return v;
}

/** "the number 42", "a list", "empty (null)". */
export function describeValue(v: unknown): string {
  if (v === null) return 'empty (null)';
  if (v === undefined) return 'nothing';
  if (typeof v === 'string') return `the string ${quote(v)}`;
  if (typeof v === 'number') return `the number ${String(v)}`;
  if (typeof v === 'boolean') return `${String(v)}`;
  if (Array.isArray(v)) return 'a list';
  if (v instanceof Uint8Array) return 'binary data';
  if (typeof v === 'object') return 'a mapping';
  return typeof v;
}

const EXPECTED: Record<string, string> = {
  string: 'a string',
  number: 'a number',
  int: 'a whole number',
  boolean: 'true or false',
  array: 'a list',
  object: 'a mapping',
  record: 'a mapping',
  null: 'empty',
};

const UNION_EXPECTED: Record<string, string> = {
  'links.#.endpoints.#': 'a string such as "red:eth0 10.0.0.1/24" or a mapping { node, interface, addresses }',
  'nodes.*.exec.#': 'a command string or a mapping { run, background }',
  'nodes.*.ospf.area': 'an area number such as 0 or four numbers such as "0.0.0.1"',
  'ospf.area': 'an area number such as 0 or four numbers such as "0.0.0.1"',
  'scenario.#.at': 'a duration such as 1.5s or 500ms, or a number of milliseconds from 0',
};

/** Values written with a unit: a bare number gets this example instead of "put it in quotes". */
const UNIT_EXAMPLES: Record<string, string> = { rate: '10mbit', delay: '20ms', jitter: '5ms', loss: '1%' };

function typeHint(expected: string, v: unknown, path: Path): string {
  const field = fieldAt(path);
  const example = field !== undefined ? `for example ${field.example}` : '';
  const last = path[path.length - 1];
  if (expected === 'string' && typeof v === 'number' && typeof last === 'string' && last in UNIT_EXAMPLES)
    return `write it with its unit, for example ${last}: ${UNIT_EXAMPLES[last] ?? ''}`;
  if (expected === 'string' && (typeof v === 'number' || typeof v === 'boolean')) return `put it in quotes so YAML reads it as text: "${String(v)}"`;
  if ((expected === 'number' || expected === 'int') && typeof v === 'string' && /^-?[0-9]+(\.[0-9]+)?$/.test(v.trim()))
    return `write it without quotes: ${clip(v.trim())}`;
  if (expected === 'boolean' && typeof v === 'string') return 'write true or false, without quotes';
  if (expected === 'array' && typeof v === 'string') return `write a list, even of one: [${clip(v)}]`;
  return example === '' ? `write ${EXPECTED[expected] ?? expected}` : example;
}

function unknownKey(path: Path, key: string): Problem {
  const field = fieldAt(path);
  const kind = field?.mapping;
  const keyPath = [...path, key];
  if (kind === undefined) return { path: keyPath, at: 'key', message: `unknown key ${quote(key)}`, hint: 'remove it' };
  const allowed: readonly string[] = allowedKeys()[kind];
  const near = closest(key, allowed);
  // The schema's own keys and values, a fixed few: listed whole.
  const takes = `${MAPPING_NAMES[kind]} takes ${listWords(allowed, allowed.length)}`;
  return {
    path: keyPath,
    at: 'key',
    message: `unknown key ${quote(key)}`,
    hint: near !== undefined ? `did you mean ${quote(near)}? ${takes}` : takes,
  };
}

const isRanged = (path: Path): boolean => path[path.length - 1] === 'mtu' || path[path.length - 1] === 'metric';

function range(path: Path, v: unknown, issue: ZodIssue): Problem {
  const last = path[path.length - 1];
  if (last === 'mtu') return { path, message: `MTU ${String(v)} is out of range`, hint: `an MTU is ${MTU_MIN} to ${MTU_MAX}; 1500 is usual for Ethernet` };
  if (last === 'metric') return { path, message: `metric ${String(v)} is out of range`, hint: `a metric is 0 to ${METRIC_MAX}; lower is preferred` };
  return { path, message: `${describeValue(v)} is out of range`, hint: issue.message };
}

function translate(issue: ZodIssue, base: Path, root: unknown): Problem[] {
  const path: Segment[] = [...base, ...issue.path.map((p) => (typeof p === 'number' ? p : String(p)))];
  const v = valueAt(root, path);
  switch (issue.code) {
    case 'invalid_type': {
      const parent = valueAt(root, path.slice(0, -1));
      const key = path[path.length - 1];
      if (v === undefined && typeof key === 'string' && parent !== null && typeof parent === 'object' && !Array.isArray(parent)) {
        const field = fieldAt(path);
        return [
          {
            path: path.slice(0, -1),
            message: `missing required key ${quote(key)}`,
            hint: field?.missing ?? `add it, for example ${field?.example ?? `${key}: ...`}`,
          },
        ];
      }
      // .inf and .nan are YAML numbers, which zod calls no number: for an MTU or a metric, out of range.
      if (issue.expected === 'number' && typeof v === 'number' && isRanged(path)) return [range(path, v, issue)];
      return [{ path, message: `must be ${EXPECTED[issue.expected] ?? issue.expected}, not ${describeValue(v)}`, hint: typeHint(issue.expected, v, path) }];
    }
    case 'invalid_value': {
      const options = issue.values.map((o) => (typeof o === 'string' ? o : String(o)));
      const near = typeof v === 'string' ? closest(v, options) : undefined;
      const field = fieldAt(path);
      const hint =
        near !== undefined
          ? `did you mean ${near}?`
          : field !== undefined
            ? `for example ${field.example}`
            : `write one of ${listWords(options, options.length)}`;
      return [
        {
          path,
          message: `must be ${options.length === 2 ? 'either' : 'one of'} ${listWords(options, options.length).replace(/ and ([^ ]+)$/, ' or $1')}, not ${describeValue(v)}`,
          hint,
        },
      ];
    }
    case 'unrecognized_keys':
      return issue.keys.map((key) => unknownKey(path, key));
    case 'too_small':
    case 'too_big':
      return [range(path, v, issue)];
    case 'invalid_union': {
      const fits = issue.errors.filter((branch) => !branch.some((e) => e.path.length === 0 && e.code === 'invalid_type'));
      const chosen = fits[0];
      if (chosen !== undefined) return chosen.flatMap((e) => translate(e, path, root));
      const field = fieldAt(path);
      const expected = UNION_EXPECTED[pattern(path)] ?? 'something else';
      return [
        { path, message: `must be ${expected}, not ${describeValue(v)}`, hint: field !== undefined ? `for example ${field.example}` : 'see docs/topology.md' },
      ];
    }
    default: {
      const field = fieldAt(path);
      return [{ path, message: issue.message, hint: field !== undefined ? `for example ${field.example}` : 'see docs/topology.md' }];
    }
  }
}

/** The quick yes for the lab schema (see quick-shape.ts), made at the first check. */
let surelyFitsLab: Fit | undefined;

/** Every structural problem of a value meant as a topology. zod loads only when the quick test is unsure. */
export function checkShape(value: unknown): Problem[] {
  surelyFitsLab ??= fitFrom(LAB_FIT);
  if (surelyFitsLab(value)) return [];
  const result = labSchema().safeParse(value);
  if (result.success) return [];
  return result.error.issues.flatMap((issue) => translate(issue, [], value));
}
