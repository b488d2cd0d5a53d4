/**
 * What the nslab executable does before node loads the rest of nslab (src/cli/early.ts): glance at a
 * topology file and start its namespaces. Internal to the package; a small module so that loading it
 * loads little.
 */
export { Spares } from '../engine/spares.js';
export { glance } from '../topology/peek.js';
