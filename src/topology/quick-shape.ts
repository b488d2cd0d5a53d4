/**
 * A quick yes for the shape check: a test made from the zod schema's own definition that answers true only
 * when a value certainly fits the schema. Then the shape check has nothing to say and zod need not run:
 * with a cold JIT, zod takes several times as long on a 1,000-node lab and leaves about 4 MB of garbage.
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

const NOT_SURE: Fit = () => false;

const isPlainObject = (v: unknown): v is Record<string, unknown> => {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) return false;
  const proto: unknown = Object.getPrototypeOf(v);
  return proto === Object.prototype || proto === null;
};

const hasChecks = (def: Def): boolean => def.checks !== undefined && def.checks.length > 0;
const hasFormat = (def: Def): boolean => (def as { format?: unknown }).format !== undefined;

/** A number's test: finite, and its checks a whole number or bounds; any other check is "not sure". */
function numberFit(def: Def): Fit {
  const passes: ((n: number) => boolean)[] = [];
  for (const check of def.checks ?? []) {
    const c = check._zod.def as z.core.$ZodCheckDef & { format?: string; value?: unknown; inclusive?: boolean };
    const bound = c.value;
    if (c.when !== undefined) return NOT_SURE;
    if (c.check === 'number_format' && c.format === 'safeint') passes.push((n) => Number.isSafeInteger(n));
    else if (c.check === 'greater_than' && typeof bound === 'number') passes.push(c.inclusive === true ? (n) => n >= bound : (n) => n > bound);
    else if (c.check === 'less_than' && typeof bound === 'number') passes.push(c.inclusive === true ? (n) => n <= bound : (n) => n < bound);
    else return NOT_SURE;
  }
  return (v) => {
    if (typeof v !== 'number' || !Number.isFinite(v)) return false;
    for (let i = 0; i < passes.length; i++) if (!(passes[i] as (n: number) => boolean)(v)) return false;
    return true;
  };
}

/**
 * The test for a schema. Made once per schema and kept: the walk over the lab's values, which meets every
 * value once per process with a cold JIT, then costs a closure call per value, in indexed loops.
 */
export function fitTest(schema: Schema): Fit {
  const made = new Map<Schema, Fit>();
  const test = (s: Schema): Fit => {
    const known = made.get(s);
    if (known !== undefined) return known;
    // A schema inside itself (a recursive one) reaches its own test through the map, once it is made.
    made.set(s, (v) => (made.get(s) as Fit)(v));
    const fit = make(s);
    made.set(s, fit);
    return fit;
  };
  const make = (s: Schema): Fit => {
    const def = s._zod.def as Def;
    if (hasFormat(def) || (def.type !== 'number' && hasChecks(def))) return NOT_SURE;
    switch (def.type) {
      case 'string':
        return (v) => typeof v === 'string';
      case 'boolean':
        return (v) => typeof v === 'boolean';
      case 'number':
        return numberFit(def);
      case 'enum':
      case 'literal': {
        // The values zod itself matches against.
        const values = s._zod.values;
        return values === undefined ? NOT_SURE : (v) => values.has(v as never);
      }
      case 'optional': {
        const inner = test(def.innerType);
        return (v) => v === undefined || inner(v);
      }
      case 'nullable': {
        const inner = test(def.innerType);
        return (v) => v === null || inner(v);
      }
      case 'union': {
        const options = def.options.map(test);
        return (v) => {
          for (let i = 0; i < options.length; i++) if ((options[i] as Fit)(v)) return true;
          return false;
        };
      }
      case 'array': {
        const element = test(def.element);
        return (v) => {
          if (!Array.isArray(v)) return false;
          // Holes read as undefined, as zod reads them.
          for (let i = 0; i < v.length; i++) if (!element(v[i])) return false;
          return true;
        };
      }
      case 'record': {
        const key = def.keyType._zod.def as Def;
        if (key.type !== 'string' || hasChecks(key) || hasFormat(key)) return NOT_SURE;
        const value = test(def.valueType);
        return (v) => {
          // zod reads symbol keys too (and refuses them as strings): not sure.
          if (!isPlainObject(v) || Object.getOwnPropertySymbols(v).length > 0) return false;
          for (const k in v) if (!value(v[k])) return false;
          return true;
        };
      }
      case 'object': {
        const catchall = def.catchall?._zod.def.type;
        if (catchall !== undefined && catchall !== 'never') return NOT_SURE;
        // Unknown keys are issues under a `never` catchall (a strict object), and stripped without one.
        const strict = catchall === 'never';
        const shape = def.shape;
        const keys = Object.keys(shape);
        const fields = keys.map((k) => test(shape[k] as Schema));
        return (v) => {
          if (!isPlainObject(v)) return false;
          if (strict) for (const k in v) if (!Object.hasOwn(shape, k)) return false;
          for (let i = 0; i < keys.length; i++) if (!(fields[i] as Fit)(v[keys[i] as string])) return false;
          return true;
        };
      }
      default:
        return NOT_SURE;
    }
  };
  return test(schema);
}
