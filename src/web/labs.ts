/** The labs that are up, as the page's picker lists them. */
import { listLabs } from '../api/watch.js';

export interface LabEntry {
  name: string;
  nodes: number;
  source?: string;
}

export function labSummaries(): LabEntry[] {
  return listLabs().map((l) => ({ name: l.name, nodes: l.nodes, ...(l.source !== undefined ? { source: l.source } : {}) }));
}
