import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { test } from 'node:test';
import { load } from 'js-yaml';
import { fitTest } from '../../src/topology/quick-shape.js';
import { labSchema } from '../../src/topology/schema.js';
import { prng } from '../helpers/random.js';

const examples = readdirSync(new URL('../../examples/', import.meta.url))
  .filter((f) => /\.(ya?ml|json)$/.test(f))
  .map((f) => load(readFileSync(new URL(`../../examples/${f}`, import.meta.url), 'utf8')));
const full = {
  name: 'x',
  prefix: '',
  nodes: {
    a: { routes: [{ to: '10.0.0.0/8', via: '10.0.0.2', dev: 'eth0', metric: 5 }], exec: ['true', { run: 'x', background: true }] },
    b: null,
    r: { kind: 'router', forwarding: true },
    s: { kind: 'bridge', 'bridge-name': 'br1' },
  },
  addressing: { p2p: '10.255.0.0/16', lan: '10.1.0.0/16', ipv6: 'fd00::/48', 'p2p-prefix': 30 },
  routing: 'static',
  links: [
    {
      endpoints: [
        'a 10.0.0.1/24',
        { node: 'b', interface: 'e1', addresses: ['10.0.0.2/24'], mtu: 1500, rate: '1mbit', delay: '1ms', jitter: '1ms', loss: '1%' },
      ],
      mtu: 1400,
      rate: '1mbit',
    },
    { endpoints: ['r', 's'] },
  ],
  scenario: [
    { at: 0, name: 'first', link: 'a:eth0', up: false, rate: null, mtu: 1400 },
    { at: '1s', cable: ['a', 'b'], rate: '1mbit' },
    { at: '2s', partition: [['a'], ['b']] },
    { at: '3s', heal: true },
    { at: '3s', expect: { from: 'a', reach: 'b', 'no-reach': 'c', connect: 'b:80', 'no-connect': 'b:81', timeout: '1s' } },
  ],
};

test('the quick test says yes to every example and to a lab using every key', () => {
  const fits = fitTest(labSchema());
  for (const value of [...examples, full]) {
    assert.ok(labSchema().safeParse(value).success);
    assert.ok(fits(value), JSON.stringify(value));
  }
});

test('the quick test never says yes where zod finds a problem (mutated labs)', () => {
  const fits = fitTest(labSchema());
  const next = prng(20240917);
  const pick = <T>(list: readonly T[]): T => list[Math.floor(next() * list.length)] as T;
  const values: unknown[] = [
    undefined,
    null,
    0,
    -0,
    1,
    67,
    68,
    1500,
    65535,
    65536,
    1.5,
    NaN,
    Infinity,
    -1,
    4294967295,
    4294967296,
    30,
    31,
    '',
    'a',
    'host',
    'bridge',
    'static',
    '10.0.0.1/24',
    true,
    false,
    [],
    {},
    ['a', 'b'],
    { x: 1 },
    new Date(0),
    { node: 'a' },
    { run: 'x' },
  ];
  const keys = [
    'x',
    'name',
    'nodes',
    'links',
    'mtu',
    'kind',
    'routes',
    'exec',
    'endpoints',
    'node',
    'interface',
    'addresses',
    'rate',
    'to',
    'via',
    'metric',
    'run',
    'background',
    'p2p-prefix',
    'toString',
    '__proto__',
  ];
  const copy = (v: unknown): unknown =>
    v instanceof Date || v === null || typeof v !== 'object'
      ? v
      : Array.isArray(v)
        ? v.map(copy)
        : Object.fromEntries(Object.entries(v).map(([k, x]) => [k, copy(x)]));
  let yes = 0;
  for (let i = 0; i < 4000; i++) {
    const value = copy(pick([...examples, full]));
    const containers: Record<string, unknown>[] = [];
    const walk = (v: unknown): void => {
      if (v === null || typeof v !== 'object' || v instanceof Date) return;
      containers.push(v as Record<string, unknown>);
      for (const x of Object.values(v)) walk(x);
    };
    walk(value);
    for (let m = Math.floor(next() * 3); m > 0; m--) {
      const c = pick(containers);
      const k = Array.isArray(c) ? Math.floor(next() * (c.length + 1)) : next() < 0.5 ? pick(keys) : pick([...Object.keys(c), 'x']);
      if (next() < 0.2) delete c[k];
      else Object.defineProperty(c, k, { value: copy(pick(values)), enumerable: true, configurable: true, writable: true });
    }
    if (!fits(value)) continue;
    yes++;
    assert.ok(labSchema().safeParse(value).success, `the quick test passed what zod refuses: ${JSON.stringify(value)}`);
  }
  assert.ok(yes > 500, `the quick test says yes often enough to matter (${yes})`);
});

test('the shape check answers a valid lab without loading zod or yaml, and loads them for a problem', async () => {
  // A fresh process: this one has loaded both already.
  const { spawnSync } = await import('node:child_process');
  const script = `
    import { createRequire } from 'node:module';
    import { parseTopology } from './src/topology/index.ts';
    // zod marks globalThis when it loads, however it is loaded; yaml is seen in require's cache.
    const loaded = () => ({ zod: '__zod_globalConfig' in globalThis, yaml: Object.keys(createRequire(import.meta.url).cache).some((f) => /node_modules\\/yaml\\//.test(f)) });
    parseTopology('name: t\\nnodes: { a: {}, b: {} }\\nlinks: [{ endpoints: [a, b] }]\\n');
    const before = loaded();
    try { parseTopology('name: t\\nnodes: { a: { kind: hots } }\\n'); } catch {}
    console.log(JSON.stringify({ before, after: loaded() }));
  `;
  const r = spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], {
    cwd: new URL('../../', import.meta.url),
    encoding: 'utf8',
  });
  assert.equal(r.status, 0, r.stderr);
  assert.deepEqual(JSON.parse(r.stdout), { before: { zod: false, yaml: false }, after: { zod: true, yaml: true } });
});
