/**
 * A quick yes for the shape check: a test made from the zod schema's own definition that answers true only
 * when a value certainly fits the schema. Then the shape check has nothing to say and zod need not run (or
 * even load): with a cold JIT, zod takes several times as long on a large lab and leaves much garbage, and
 * loading it takes longer still (docs/performance.md).
 *
 * In two steps: describeFit reads the schema into a FitSpec, plain data that scripts/gen-schema.ts writes to
 * lab-fit.ts (a test fails while that file is stale), and fitFrom makes the test from the data, without zod.
 *
 * Anything the test does not know (a check or a kind of schema not handled below, a value that is not a
 * plain object) is "not sure", never "no": zod then runs and finds the problems, so a schema grown past
 * this file loses only speed. It is never more lenient than zod: each case accepts a subset of what zod
 * accepts.
 */
import type { z } from 'zod';

type Schema = z.core.$ZodType;
type Def = z.core.$ZodTypes['_zod']['def'];
/** True: the value certainly fits. False: it does not, or the test is not sure. */
export type Fit = (v: unknown) => boolean;

type Primitive = string | number | boolean | null;
/** A number's checks: a whole number, or a bound (inclusive or not). */
type NumberCheck = 'safeint' | ['>=' | '>' | '<=' | '<', number];

/** What the test checks of a value, as plain data (see the top of this file). */
export type FitSpec =
  | { type: 'unsure' | 'string' | 'boolean' }
  | { type: 'number'; checks: NumberCheck[] }
  | { type: 'values'; values: Primitive[] }
  | { type: 'optional' | 'nullable' | 'array' | 'record'; of: FitSpec }
  | { type: 'union'; of: FitSpec[] }
  | { type: 'object'; strict: boolean; fields: Record<string, FitSpec> };

const UNSURE: FitSpec = { type: 'unsure' };

const hasChecks = (def: Def): boolean => def.checks !== undefined && def.checks.length > 0;
const hasFormat = (def: Def): boolean => (def as { format?: unknown }).format !== undefined;
const isPrimitive = (v: unknown): v is Primitive =>
  v === null || typeof v === 'string' || typeof v === 'boolean' || (typeof v === 'number' && Number.isFinite(v));

function numberSpec(def: Def): FitSpec {
  const checks: NumberCheck[] = [];
  for (const check of def.checks ?? []) {
    const c = check._zod.def as z.core.$ZodCheckDef & { format?: string; value?: unknown; inclusive?: boolean };
    const bound = c.value;
    if (c.when !== undefined) return UNSURE;
    if (c.check === 'number_format' && c.format === 'safeint') checks.push('safeint');
    else if (c.check === 'greater_than' && typeof bound === 'number') checks.push([c.inclusive === true ? '>=' : '>', bound]);
    else if (c.check === 'less_than' && typeof bound === 'number') checks.push([c.inclusive === true ? '<=' : '<', bound]);
    else return UNSURE;
  }
  return { type: 'number', checks };
}

/** Reads a zod schema into a FitSpec. A schema inside itself (recursive) is "unsure" there. */
export function describeFit(schema: Schema, inside: ReadonlySet<Schema> = new Set()): FitSpec {
  if (inside.has(schema)) return UNSURE;
  const within = new Set(inside).add(schema);
  const of = (s: Schema): FitSpec => describeFit(s, within);
  const def = schema._zod.def as Def;
  if (hasFormat(def) || (def.type !== 'number' && hasChecks(def))) return UNSURE;
  switch (def.type) {
    case 'string':
    case 'boolean':
      return { type: def.type };
    case 'number':
      return numberSpec(def);
    case 'enum':
    case 'literal': {
      // The values zod itself matches against.
      const values = schema._zod.values === undefined ? undefined : [...schema._zod.values];
      return values !== undefined && values.every(isPrimitive) ? { type: 'values', values } : UNSURE;
    }
    case 'optional':
    case 'nullable':
      return { type: def.type, of: of(def.innerType) };
    case 'union':
      return { type: 'union', of: def.options.map(of) };
    case 'array':
      return { type: 'array', of: of(def.element) };
    case 'record': {
      const key = def.keyType._zod.def as Def;
      if (key.type !== 'string' || hasChecks(key) || hasFormat(key)) return UNSURE;
      return { type: 'record', of: of(def.valueType) };
    }
    case 'object': {
      const catchall = def.catchall?._zod.def.type;
      if (catchall !== undefined && catchall !== 'never') return UNSURE;
      const fields: Record<string, FitSpec> = {};
      for (const [k, v] of Object.entries(def.shape)) fields[k] = of(v as Schema);
      // Unknown keys are issues under a `never` catchall (a strict object), and stripped without one.
      return { type: 'object', strict: catchall === 'never', fields };
    }
    default:
      return UNSURE;
  }
}

const isPlainObject = (v: unknown): v is Record<string, unknown> => {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) return false;
  const proto: unknown = Object.getPrototypeOf(v);
  return proto === Object.prototype || proto === null;
};

const NOT_SURE: Fit = () => false;

function numberFit(checks: readonly NumberCheck[]): Fit {
  const passes = checks.map((c): ((n: number) => boolean) => {
    if (c === 'safeint') return (n) => Number.isSafeInteger(n);
    const [op, bound] = c;
    return op === '>=' ? (n) => n >= bound : op === '>' ? (n) => n > bound : op === '<=' ? (n) => n <= bound : (n) => n < bound;
  });
  return (v) => {
    if (typeof v !== 'number' || !Number.isFinite(v)) return false;
    for (let i = 0; i < passes.length; i++) if (!(passes[i] as (n: number) => boolean)(v)) return false;
    return true;
  };
}

/**
 * The test a FitSpec describes. The walk over the lab's values, which meets every value once per process
 * with a cold JIT, costs a closure call per value, in indexed loops.
 */
export function fitFrom(spec: FitSpec): Fit {
  switch (spec.type) {
    case 'unsure':
      return NOT_SURE;
    case 'string':
      return (v) => typeof v === 'string';
    case 'boolean':
      return (v) => typeof v === 'boolean';
    case 'number':
      return numberFit(spec.checks);
    case 'values': {
      const values = new Set<unknown>(spec.values);
      return (v) => values.has(v);
    }
    case 'optional': {
      const inner = fitFrom(spec.of);
      return (v) => v === undefined || inner(v);
    }
    case 'nullable': {
      const inner = fitFrom(spec.of);
      return (v) => v === null || inner(v);
    }
    case 'union': {
      const options = spec.of.map(fitFrom);
      return (v) => {
        for (let i = 0; i < options.length; i++) if ((options[i] as Fit)(v)) return true;
        return false;
      };
    }
    case 'array': {
      const element = fitFrom(spec.of);
      return (v) => {
        if (!Array.isArray(v)) return false;
        // Holes read as undefined, as zod reads them.
        for (let i = 0; i < v.length; i++) if (!element(v[i])) return false;
        return true;
      };
    }
    case 'record': {
      const value = fitFrom(spec.of);
      return (v) => {
        // zod reads symbol keys too (and refuses them as strings): not sure.
        if (!isPlainObject(v) || Object.getOwnPropertySymbols(v).length > 0) return false;
        for (const k in v) if (!value(v[k])) return false;
        return true;
      };
    }
    case 'object': {
      const shape = spec.fields;
      const keys = Object.keys(shape);
      const fields = keys.map((k) => fitFrom(shape[k] as FitSpec));
      const strict = spec.strict;
      return (v) => {
        if (!isPlainObject(v)) return false;
        if (strict) for (const k in v) if (!Object.hasOwn(shape, k)) return false;
        for (let i = 0; i < keys.length; i++) if (!(fields[i] as Fit)(v[keys[i] as string])) return false;
        return true;
      };
    }
  }
}

/** The test for a zod schema, made from its FitSpec. */
export function fitTest(schema: Schema): Fit {
  return fitFrom(describeFit(schema));
}
