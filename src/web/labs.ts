/** The labs that are up (those spread over hosts from here too), as the page's picker lists them. */
import { listLabs } from '../api/running.js';

export interface LabEntry {
  name: string;
  nodes: number;
  source?: string;
}

export function labSummaries(): LabEntry[] {
  return listLabs().map((l) => ({ name: l.name, nodes: l.nodes, ...(l.source !== undefined ? { source: l.source } : {}) }));
}
