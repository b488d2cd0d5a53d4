/**
 * What the nslab executable does before node loads the rest of nslab (src/cli/early.ts, command.ts):
 * glance at a topology file and start its namespaces; put its event loop ahead of the kernel's work.
 * Internal to the package; a small module so that loading it loads little.
 */
import { workerNice } from '../native/index.js';
import { favourLoop as favour } from '../process/index.js';

export { Spares } from '../engine/spares.js';
export { warmNamespaces } from '../engine/state.js';
export { glance } from '../topology/peek.js';

/**
 * Gives the event loop the nice value `nice` where the process may (root), the addon's threads and the
 * processes nslab starts keeping the process's own (process/priority.ts). False where it may not.
 */
export function favourLoop(nice: number): boolean {
  const base = favour(nice);
  if (base === undefined) return false;
  try {
    workerNice(base);
  } catch {
    // No addon (not built): no thread of its to tell, and the command that needs it says so in its words.
  }
  return true;
}
