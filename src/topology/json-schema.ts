/**
 * What is generated from the zod schema that validates a topology file, and kept in the repository:
 *
 *   schema/nslab-topology.schema.json   the JSON Schema, for editors (yaml-language-server, VS Code)
 *   src/topology/lab-fit.ts              the quick shape test's data (see quick-shape.ts)
 *
 * scripts/gen-schema.ts writes both; the tests fail while either is stale.
 */
import { zod } from './lazy.js';
import { describeFit } from './quick-shape.js';
import { labSchema } from './schema.js';

/** The JSON Schema (draft 2020-12) of a topology file, with a description on every field. */
export function topologyJsonSchema(): Record<string, unknown> {
  const generated = zod().z.toJSONSchema(labSchema(), { target: 'draft-2020-12', io: 'input' });
  const { $schema, ...rest } = generated;
  return { $schema, title: 'nslab topology', ...rest };
}

/** The text of schema/nslab-topology.schema.json: two-space JSON and a final newline. */
export function topologyJsonSchemaText(): string {
  return `${JSON.stringify(topologyJsonSchema(), null, 2)}\n`;
}

/** The text of src/topology/lab-fit.ts. */
export function labFitText(): string {
  return [
    '// Written by scripts/gen-schema.ts from the zod schema in schema.ts (see quick-shape.ts): do not edit.',
    "import type { FitSpec } from './quick-shape.js';",
    '',
    '/** What the quick shape test checks of a whole topology file. */',
    `export const LAB_FIT: FitSpec = ${JSON.stringify(describeFit(labSchema()))};`,
    '',
  ].join('\n');
}
