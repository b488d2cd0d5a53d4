/**
 * Writes what is generated from the zod schema in src/topology/schema.ts (see src/topology/json-schema.ts):
 * schema/nslab-topology.schema.json and src/topology/lab-fit.ts. Run after any change to the topology
 * format (test/topology/json-schema.test.ts fails while either is stale):
 *
 *   node --import tsx scripts/gen-schema.ts          write the files
 *   node --import tsx scripts/gen-schema.ts --check  exit 1 if a file is not up to date
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { labFitText, topologyJsonSchemaText } from '../src/topology/json-schema.js';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const files: [path: string, text: string][] = [
  [join(root, 'schema', 'nslab-topology.schema.json'), topologyJsonSchemaText()],
  [join(root, 'src', 'topology', 'lab-fit.ts'), labFitText()],
];
const check = process.argv.includes('--check');
let stale = false;
for (const [file, text] of files) {
  const name = relative(process.cwd(), file);
  if (!check) {
    writeFileSync(file, text);
    console.log(`wrote ${name}`);
    continue;
  }
  let current = '';
  try {
    current = readFileSync(file, 'utf8');
  } catch {
    // missing: stale
  }
  if (current === text) console.log(`${name} is up to date`);
  else {
    console.error(`${name} is not up to date: run node --import tsx scripts/gen-schema.ts`);
    stale = true;
  }
}
if (stale) process.exit(1);
