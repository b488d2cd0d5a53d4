/**
 * A link endpoint in either form, the shorthand string `NODE[:INTERFACE] [ADDRESS...]` or the mapping
 * `{ node, interface?, addresses? }`, read into one shape that remembers where each part was written, so a
 * problem with an address inside `"red:eth0 10.0.0.300/24"` points at that address.
 */
import type { Path, Problem } from './issues.js';
import { isSpace } from './names.js';

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
  // The words (runs of non-space, as /\S+/g) read with charCodeAt: this runs for every endpoint with a cold
  // JIT, where matchAll and its match arrays cost more than the rest of the endpoint.
  let spec: EndpointSpec | undefined;
  let k = 0;
  while (k < text.length) {
    while (k < text.length && isSpace(text.charCodeAt(k))) k++;
    if (k === text.length) break;
    const start = k;
    for (; k < text.length; k++) {
      const c = text.charCodeAt(k);
      // Printable ASCII is no space; only the rest needs the full test.
      if ((c <= 0x20 || c >= 0x7f) && isSpace(c)) break;
    }
    const word = text.slice(start, k);
    if (spec !== undefined) {
      spec.addresses.push(place(word, path, start));
      continue;
    }
    const colon = word.indexOf(':');
    spec =
      colon === -1
        ? { path, node: place(word, path, start), addresses: [] }
        : { path, node: place(word.slice(0, colon), path, start), addresses: [], interface: place(word.slice(colon + 1), path, start + colon + 1) };
  }
  if (spec === undefined) {
    problems.push({
      path,
      message: 'the endpoint is empty',
      hint: 'write NODE, NODE:INTERFACE or NODE:INTERFACE ADDRESS..., for example "red:eth0 10.0.0.1/24"',
    });
  }
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
