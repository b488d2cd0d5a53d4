import { PIECE, type Steps } from '../topology/steps.js';

/**
 * JSON.stringify(value), in pieces (topology/steps.ts): arrays a PIECE of elements at a time, objects a PIECE of
 * keys at a time, with a yield between. The text is JSON.stringify's own (each piece is made by it), for
 * values without replacers: what has a toJSON goes whole, as do the elements of an array.
 */
export function* jsonSteps(value: unknown): Steps<string> {
  if (typeof value !== 'object' || value === null || typeof (value as { toJSON?: unknown }).toJSON === 'function') return JSON.stringify(value);
  if (Array.isArray(value)) {
    if (value.length <= PIECE) return JSON.stringify(value);
    const parts: string[] = [];
    for (let i = 0; i < value.length; i += PIECE) {
      if (i > 0) yield;
      parts.push(JSON.stringify(value.slice(i, i + PIECE)).slice(1, -1));
    }
    return `[${parts.join(',')}]`;
  }
  const parts: string[] = [];
  const keys = Object.keys(value);
  for (let i = 0; i < keys.length; i++) {
    if (i % PIECE === PIECE - 1) yield;
    const key = keys[i] as string;
    let v = (value as Record<string, unknown>)[key];
    // As JSON.stringify: a value's toJSON first (the route table's says undefined), and a key whose value has no JSON is left out.
    if (typeof (v as { toJSON?: unknown } | null | undefined)?.toJSON === 'function') v = (v as { toJSON: (key: string) => unknown }).toJSON(key);
    if (v === undefined || typeof v === 'function' || typeof v === 'symbol') continue;
    parts.push(`${JSON.stringify(key)}:${yield* jsonSteps(v)}`);
  }
  return `{${parts.join(',')}}`;
}
