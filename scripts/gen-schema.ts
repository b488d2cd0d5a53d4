/**
 * Writes schema/nslab-topology.schema.json from the zod schema in src/topology/schema.ts. Run after any
 * change to the topology format (test/topology/json-schema.test.ts fails while the file is stale):
 *
 *   node --import tsx scripts/gen-schema.ts          write the file
 *   node --import tsx scripts/gen-schema.ts --check  exit 1 if the file is not up to date
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { topologyJsonSchemaText } from '../src/topology/json-schema.js';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const file = join(root, 'schema', 'nslab-topology.schema.json');
const text = topologyJsonSchemaText();
const name = relative(process.cwd(), file);

if (process.argv.includes('--check')) {
  let current = '';
  try {
    current = readFileSync(file, 'utf8');
  } catch {
    // missing: stale
  }
  if (current !== text) {
    console.error(`${name} is not up to date: run node --import tsx scripts/gen-schema.ts`);
    process.exit(1);
  }
  console.log(`${name} is up to date`);
} else {
  writeFileSync(file, text);
  console.log(`wrote ${name}`);
}
