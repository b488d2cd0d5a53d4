/**
 * The JSON Schema of the topology file, generated from the zod schema that also validates it, for editors
 * (yaml-language-server, VS Code). scripts/gen-schema.ts writes it to schema/nslab-topology.schema.json.
 */
import { z } from 'zod';
import { labSchema } from './schema.js';

/** The JSON Schema (draft 2020-12) of a topology file, with a description on every field. */
export function topologyJsonSchema(): Record<string, unknown> {
  const generated = z.toJSONSchema(labSchema, { target: 'draft-2020-12', io: 'input' });
  const { $schema, ...rest } = generated;
  return { $schema, title: 'nslab topology', ...rest };
}

/** The text of schema/nslab-topology.schema.json: two-space JSON and a final newline. */
export function topologyJsonSchemaText(): string {
  return `${JSON.stringify(topologyJsonSchema(), null, 2)}\n`;
}
