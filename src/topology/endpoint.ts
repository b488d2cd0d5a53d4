/**
 * A link endpoint in either form, the shorthand string `NODE[:INTERFACE] [ADDRESS...]` or the mapping
 * `{ node, interface?, addresses? }`, read into one shape that remembers where each part was written, so a
 * problem with an address inside `"red:eth0 10.0.0.300/24"` points at that address.
 */
import type { Path, Problem } from './issues.js';

/** A part of an endpoint and its place: a path, and inside a shorthand string, the character index. */
export interface Placed<T> {
  value: T;
  path: Path;
  charIndex?: number;
}

export interface EndpointSpec {
  /** Where the whole endpoint is. */
  path: Path;
  node: Placed<string>;
  interface?: Placed<string>;
  addresses: Placed<string>[];
}

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

function place<T>(value: T, path: Path, charIndex: number | undefined): Placed<T> {
  return charIndex === undefined ? { value, path } : { value, path, charIndex };
}

/** `red`, `red:rveth`, `red:rveth 10.0.0.1/24 fd00::1/64`, `red 10.0.0.1/24`. */
function fromString(text: string, path: Path, problems: Problem[]): EndpointSpec | undefined {
  const tokens = [...text.matchAll(/\S+/g)];
  const first = tokens[0];
  if (first === undefined) {
    problems.push({ path, message: 'the endpoint is empty', hint: 'write NODE, NODE:INTERFACE or NODE:INTERFACE ADDRESS..., for example "red:eth0 10.0.0.1/24"' });
    return undefined;
  }
  const start = first.index;
  const head = first[0];
  const colon = head.indexOf(':');
  const spec: EndpointSpec = { path, node: place(colon === -1 ? head : head.slice(0, colon), path, start), addresses: [] };
  if (colon !== -1) spec.interface = place(head.slice(colon + 1), path, start + colon + 1);
  for (const t of tokens.slice(1)) spec.addresses.push(place(t[0], path, t.index));
  return spec;
}

/**
 * Reads one endpoint, or returns undefined when its structure is wrong (the shape check reports that);
 * problems found here are about the shorthand's own syntax.
 */
export function readEndpoint(raw: unknown, path: Path, problems: Problem[]): EndpointSpec | undefined {
  if (typeof raw === 'string') return fromString(raw, path, problems);
  if (!isRecord(raw) || typeof raw.node !== 'string') return undefined;
  const spec: EndpointSpec = { path, node: { value: raw.node, path: [...path, 'node'] }, addresses: [] };
  if (typeof raw.interface === 'string') spec.interface = { value: raw.interface, path: [...path, 'interface'] };
  if (Array.isArray(raw.addresses)) {
    raw.addresses.forEach((a: unknown, k) => {
      if (typeof a === 'string') spec.addresses.push({ value: a, path: [...path, 'addresses', k] });
    });
  }
  return spec;
}
