/**
 * Prints a lab's raw form as an nslab topology file (what `nslab convert` writes): the short forms a
 * person writes (an endpoint as "node:interface", daemons and endpoints on one line, a configuration as a
 * block), and a header of comment lines (where it came from, what was left out).
 */
import { yaml } from '../lazy.js';

/** How printNslab writes a file. */
export interface PrintOptions {
  /** Comment lines at the top, without their "#". */
  header?: readonly string[];
  /**
   * A node's FRR config path as the printed file must name it (the paths of the raw form are relative to the
   * file it came from; a file written elsewhere needs them relative to itself). Inline configs are kept.
   */
  configPath?: (path: string) => string;
}

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** `{ node, interface }` and nothing else, as "node:interface" (or "node"). */
function shortEndpoint(e: unknown): unknown {
  if (!isRecord(e) || typeof e.node !== 'string') return e;
  const keys = Object.keys(e);
  if (keys.some((k) => k !== 'node' && k !== 'interface')) return e;
  return typeof e.interface === 'string' ? `${e.node}:${e.interface}` : e.node;
}

/** The text of an nslab topology file for a lab in raw form (YAML, with short endpoints and flow lists). */
export function printNslab(raw: Record<string, unknown>, options: PrintOptions = {}): string {
  const { Document, isSeq } = yaml();
  const value: Record<string, unknown> = { ...raw };
  if (Array.isArray(raw.links)) {
    value.links = raw.links.map((l: unknown) => (isRecord(l) && Array.isArray(l.endpoints) ? { ...l, endpoints: l.endpoints.map(shortEndpoint) } : l));
  }
  if (isRecord(raw.nodes)) {
    const nodes: Record<string, unknown> = {};
    for (const [name, settings] of Object.entries(raw.nodes)) {
      if (
        !isRecord(settings) ||
        !isRecord(settings.frr) ||
        typeof settings.frr.config !== 'string' ||
        settings.frr.config.includes('\n') ||
        options.configPath === undefined
      ) {
        nodes[name] = settings ?? {};
        continue;
      }
      nodes[name] = { ...settings, frr: { ...settings.frr, config: options.configPath(settings.frr.config) } };
    }
    value.nodes = nodes;
  }
  const doc = new Document(value);
  const flow = (path: readonly (string | number)[]): void => {
    const node = doc.getIn(path, true);
    if (isSeq(node)) node.flow = true;
  };
  if (Array.isArray(value.links)) value.links.forEach((_l, i) => flow(['links', i, 'endpoints']));
  if (isRecord(value.nodes)) for (const name of Object.keys(value.nodes)) flow(['nodes', name, 'frr', 'daemons']);
  if (options.header !== undefined && options.header.length > 0) doc.commentBefore = options.header.map((l) => ` ${l}`).join('\n');
  return doc.toString({ lineWidth: 0, flowCollectionPadding: false });
}
