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

/** Whatever the input, no issue says more than this, and none repeats a long run of the input. */
function assertBounded(err: TopologyError, input: string, what: string): void {
  const long = /(.)\1{99}/su.exec(input)?.[0];
  for (const issue of err.issues) {
    const text = `${issue.path}: ${issue.message}; ${issue.hint ?? ''}`;
    assert.ok(text.length <= 1500, `${what}: an issue of ${text.length} characters: ${text.slice(0, 200)}...`);
    if (long !== undefined) assert.ok(!text.includes(long), `${what}: an issue repeats 100 characters of the input: ${text.slice(0, 200)}...`);
  }
  assert.ok(err.message.split('\n').length <= 102, `${what}: the report has ${err.message.split('\n').length} lines`);
}

test('random bytes, and texts with bytes spliced in, only ever throw TopologyError, in bounded words', () => {
  const next = prng(14_0001);
  const byte = (): number => Math.floor(next() * 256);
  for (let i = 0; i < 1500; i++) {
    let input: Uint8Array;
    if (i % 3 === 0) {
      input = Uint8Array.from({ length: Math.floor(next() * 4096) }, byte);
    } else {
      const base = Buffer.from(SEEDS[i % SEEDS.length] ?? '', 'utf8');
      const at = Math.floor(next() * (base.length + 1));
      const splice = Uint8Array.from({ length: 1 + Math.floor(next() * 8) }, i % 3 === 1 ? byte : () => 0x80 + Math.floor(next() * 128));
      input = Buffer.concat([base.subarray(0, at), splice, base.subarray(at)]);
    }
    try {
      parseTopology(input, { file: 'fuzz.yaml' });
    } catch (err) {
      if (!(err instanceof TopologyError)) assert.fail(`input ${i} threw ${String(err)} for bytes ${Buffer.from(input).toString('hex').slice(0, 200)}`);
      assert.ok(err.issues.length > 0);
      assertBounded(err, Buffer.from(input).toString('latin1'), `input ${i}`);
    }
  }
});

test('huge lists and long values only ever throw TopologyError, in bounded words', { timeout: 120_000 }, () => {
  const next = prng(14_0002);
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(next() * xs.length)] as T;
  const LONG = ['x'.repeat(5000), `echo ${'y'.repeat(140_000)}`, '9'.repeat(3000), `${'é'.repeat(70_000)}`, 'a-b.c_'.repeat(2000)];
  for (let i = 0; i < 12; i++) {
    const n = i === 0 ? 20_000 : 1 + Math.floor(next() * 2000);
    const lines = [`name: ${pick(['big', 'x', LONG[0] as string])}`, 'nodes:'];
    for (let k = 0; k < n; k++) {
      const r = next();
      if (r < 0.002) lines.push(`  "${pick(LONG)}": {}`);
      else if (r < 0.004) lines.push(`  h${k}: { exec: ["${pick(LONG)}"] }`);
      else if (r < 0.006) lines.push(`  h${k}: { kind: ${pick(LONG)}, routes: [{ to: ${pick(LONG)}, dev: "${pick(LONG)}" }] }`);
      else lines.push(`  h${k}: {}`);
    }
    lines.push('links:');
    for (let k = 0; k < n; k++) {
      const r = next();
      const a = `h${Math.floor(next() * n)}`;
      const b = r < 0.01 ? `g${Math.floor(next() * n)}` : r < 0.012 ? JSON.stringify(pick(LONG)) : `h${Math.floor(next() * n)}`;
      lines.push(
        r < 0.014 ? `  - { endpoints: [${a}, ${b}], rate: "${pick(LONG)}", mtu: ${pick(['1e20', '.inf', '70000', '1500'])} }` : `  - endpoints: [${a}, ${b}]`,
      );
    }
    const text = `${lines.join('\n')}\n`;
    try {
      parseTopology(text, { file: 'huge.yaml' });
    } catch (err) {
      if (!(err instanceof TopologyError)) assert.fail(`lab ${i} threw ${String(err)}`);
      assertBounded(err, text, `lab ${i}`);
    }
  }
});
