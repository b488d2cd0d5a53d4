import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { test } from 'node:test';
import { generate, SHAPES, toYaml } from '../../bench/topologies.js';
import { parseTopology } from '../../src/topology/index.js';
import { glance } from '../../src/topology/peek.js';

test('glance reads the name and counts the node keys of block YAML: comments, blank lines, quotes and node bodies do not count', () => {
  const text = [
    '# a lab',
    'name: "office" # quoted',
    'addressing: { lan: 10.1.0.0/16 }',
    'nodes:',
    '  # the hosts',
    '  pc1: {}',
    '',
    '  "pc2":',
    '    kind: host',
    '    routes:',
    '      - to: default',
    '        via: 10.1.0.1',
    "  'sw':",
    '    kind: bridge',
    'links:',
    '  - endpoints: [sw, pc1]',
    '  - endpoints: [sw, pc2]',
  ].join('\n');
  assert.deepEqual(glance(text), { name: 'office', nodes: 3 });
  assert.deepEqual(glance('name: crlf\r\nnodes:\r\n  a: {}\r\n  b: {}\r\n'), { name: 'crlf', nodes: 2 });
});

test('glance says nothing where it cannot be sure of the shape: flow style, JSON, a list, no name, no nodes', () => {
  assert.equal(glance('name: flow\nnodes: { a: {}, b: {} }\n'), undefined);
  assert.equal(glance('{"name": "json", "nodes": {"a": {}, "b": {}}}'), undefined);
  assert.equal(glance('name: list\nnodes:\n  - a\n  - b\n'), undefined);
  assert.equal(glance('nodes:\n  a: {}\n'), undefined);
  assert.equal(glance('name: empty\nnodes:\nlinks: []\n'), undefined);
  assert.equal(glance('name: bad name\nnodes:\n  a: {}\n'), undefined);
});

test('a glance never disagrees with the parse: every example, and the benchmark labs as generated', () => {
  const dir = new URL('../../examples/', import.meta.url);
  const texts = readdirSync(dir)
    .filter((f) => f.endsWith('.yaml'))
    .map((f) => readFileSync(new URL(f, dir), 'utf8'));
  for (const shape of SHAPES) texts.push(toYaml(generate(shape, 10)));
  let seen = 0;
  for (const text of texts) {
    const g = glance(text);
    if (g === undefined) continue;
    const lab = parseTopology(text);
    assert.deepEqual(g, { name: lab.name, nodes: lab.nodes.length });
    seen += 1;
  }
  assert.ok(seen >= 4, `glance saw ${seen} of ${texts.length} labs`);
});
