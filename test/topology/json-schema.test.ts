import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { labFitText, topologyJsonSchemaText } from '../../src/topology/json-schema.js';
import { topologyJsonSchema } from '../../src/topology/index.js';

test('schema/nslab-topology.schema.json is up to date (regenerate: node --import tsx scripts/gen-schema.ts)', () => {
  const committed = readFileSync(new URL('../../schema/nslab-topology.schema.json', import.meta.url), 'utf8');
  assert.equal(committed, topologyJsonSchemaText());
});

test('src/topology/lab-fit.ts, the quick shape test, is up to date (regenerate: node --import tsx scripts/gen-schema.ts)', () => {
  const committed = readFileSync(new URL('../../src/topology/lab-fit.ts', import.meta.url), 'utf8');
  assert.equal(committed, labFitText());
});

test('the JSON Schema is strict and describes every field', () => {
  const schema = topologyJsonSchema();
  assert.equal(schema.$schema, 'https://json-schema.org/draft/2020-12/schema');
  assert.equal(schema.title, 'nslab topology');
  assert.deepEqual(schema.required, ['name', 'nodes']);
  assert.equal(schema.additionalProperties, false);
  const undescribed: string[] = [];
  let objects = 0;
  const walk = (node: unknown, path: string): void => {
    if (Array.isArray(node)) return node.forEach((n, i) => walk(n, `${path}[${i}]`));
    if (node === null || typeof node !== 'object') return;
    const o = node as Record<string, unknown>;
    if (o.type === 'object' && o.properties !== undefined) {
      objects++;
      assert.equal(o.additionalProperties, false, `${path} rejects unknown keys`);
    }
    if (o.properties !== undefined) {
      for (const [key, sub] of Object.entries(o.properties as Record<string, Record<string, unknown>>)) {
        if (typeof sub.description !== 'string' || sub.description.length < 20) undescribed.push(`${path}.${key}`);
      }
    }
    for (const [k, v] of Object.entries(o)) walk(v, `${path}/${k}`);
  };
  walk(schema, '#');
  assert.deepEqual(undescribed, []);
  assert.equal(
    objects,
    14,
    "lab, node, route, exec, link, endpoint, addressing, frr, bgp, host, ospf (twice: the lab's and a node's), scenario step and check",
  );
});
