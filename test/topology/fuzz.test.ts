import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { TopologyError } from '../../src/errors.js';
import { parseTopology, resolveTopology } from '../../src/topology/index.js';
import { placedParse } from '../../src/topology/parse.js';
import { prng } from '../helpers/random.js';

const SEEDS = [
  readFileSync(new URL('../../examples/two-computers.yaml', import.meta.url), 'utf8'),
  readFileSync(new URL('../../examples/red-blue.yaml', import.meta.url), 'utf8'),
  'name: x\nnodes:\n  a:\n    routes: [{ to: default, via: 10.0.0.2 }]\n    exec: ["true", { run: "sleep 1", background: true }]\n  b:\nlinks:\n  - { endpoints: ["a 10.0.0.1/24 fd00::1/64", "b:e1 10.0.0.2/24"], mtu: 1500 }\n',
  readFileSync(new URL('../../examples/two-lans.yaml', import.meta.url), 'utf8'),
  readFileSync(new URL('../../examples/router-ring-dual.yaml', import.meta.url), 'utf8'),
  'name: p\naddressing: { p2p: 10.255.0.0/30, lan: 10.1.0.0/24, ipv6: "fd00::/63", p2p-prefix: 30 }\nrouting: static\nnodes: { s: { kind: bridge, bridge-name: b0 }, r: { kind: router }, h: { forwarding: true } }\nlinks:\n  - { endpoints: [s, "r 10.1.0.1/24"], rate: 1mbit, delay: 10ms, jitter: 1ms, loss: 1% }\n  - endpoints: [{ node: r, mtu: 1400, rate: 5kbps }, h]\n',
];
const PIECES = [
  ':',
  ' ',
  'bridge',
  'router',
  '%',
  'ms',
  'mbit',
  '/24',
  '/31',
  'static',
  '\n',
  '\t',
  '{',
  '}',
  '[',
  ']',
  '"',
  "'",
  '-',
  '/',
  '.',
  '0',
  '99999',
  'null',
  'true',
  '&a',
  '*a',
  '#',
  '::',
  '%',
  'nodes',
  'links',
  'endpoints',
  'kind',
  '---',
];

test('mutated topology texts only ever throw TopologyError (or parse)', () => {
  const next = prng(20240601);
  let rejected = 0;
  for (let i = 0; i < 3000; i++) {
    const base = SEEDS[i % SEEDS.length] ?? '';
    let text = base;
    const edits = 1 + Math.floor(next() * 4);
    for (let e = 0; e < edits; e++) {
      const at = Math.floor(next() * (text.length + 1));
      const r = next();
      if (r < 0.4) text = text.slice(0, at) + text.slice(at + 1 + Math.floor(next() * 5));
      else text = text.slice(0, at) + (PIECES[Math.floor(next() * PIECES.length)] ?? '') + text.slice(at);
    }
    try {
      const lab = parseTopology(text, { file: 'fuzz.yaml' });
      // Whatever the quick reader accepts, the placed one accepts with the same meaning.
      assert.deepEqual(lab, placedParse(text, { file: 'fuzz.yaml' }), `mutation ${i}: the two readers disagree on:\n${text}`);
    } catch (err) {
      if (err instanceof assert.AssertionError) throw err;
      if (!(err instanceof TopologyError)) assert.fail(`mutation ${i} threw ${String(err)} for:\n${text}`);
      assert.ok(err.issues.length > 0);
      for (const issue of err.issues) assert.ok(issue.message.length > 0 && !issue.message.includes('\u0000'), `mutation ${i}: ${issue.message}`);
      rejected++;
    }
  }
  assert.ok(rejected > 1000, `most mutations are rejected (${rejected})`);
});

test('odd values built in code only ever throw TopologyError', () => {
  const odd: unknown[] = [
    0,
    'x',
    [],
    true,
    { name: 'x', nodes: [] },
    { name: 'x', nodes: { a: 1 }, links: {} },
    { name: 'x', nodes: { a: {} }, links: [null, 1, 'a', { endpoints: 'a b' }, { endpoints: [null, {}] }] },
    { name: 'x', nodes: { a: { kind: 5, forwarding: 'yes', 'bridge-name': 7 } }, addressing: 'auto', routing: true },
    {
      name: 'x',
      nodes: { a: { kind: 'bridge' }, b: null },
      addressing: { p2p: 5, lan: '', ipv6: '::', 'p2p-prefix': '31' },
      links: [{ endpoints: ['a 10.0.0.1/24', 'b'], rate: 5, delay: null, loss: {} }],
    },
  ];
  for (const value of odd) assert.throws(() => resolveTopology(value), TopologyError);
});
