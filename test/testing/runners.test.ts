/**
 * nslab as the network of a test suite, used as a user uses it (only the package's public entries): the
 * four files of examples/testing/ in parallel in one sandbox, all on one topology file with the same node
 * names; the vitest fixture and its leak check; the node:test helper.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { accessSync, constants, readdirSync } from 'node:fs';
import { describe, test } from 'node:test';
import { down, listLabs, NslabError } from 'nslab';
import { globalSetup, globalTeardown, useLab } from 'nslab/node-test';
import { ROOT } from '../helpers/cli.js';
import { inWorld, needsRoot } from '../helpers/sandbox.js';

function run(argv: string[]): { code: number; output: string; ms: number } {
  const started = performance.now();
  // Without NODE_TEST_CONTEXT, which tells a node --test that it runs inside another (and makes it run nothing).
  const { NODE_TEST_CONTEXT: _, ...env } = process.env;
  const r = spawnSync(process.execPath, argv, { cwd: ROOT, encoding: 'utf8', timeout: 240_000, env: { ...env, NO_COLOR: '1' } });
  return { code: r.status ?? 1, output: `${r.stdout}${r.stderr}`, ms: performance.now() - started };
}

/** True when this process may write `path`. */
function writable(path: string): boolean {
  try {
    accessSync(path, constants.W_OK);
    return true;
  } catch {
    return false;
  }
}

// vitest bundles its config into node_modules/.vite-temp before loading it; a user who may not write the
// checkout (CI's pass without root) has vite's module runner load it instead, which writes nothing.
const VITEST = ['node_modules/vitest/vitest.mjs', 'run', ...(writable('node_modules') ? [] : ['--configLoader', 'runner'])];

describe('nslab in test runners', { skip: needsRoot }, () => {
  // The worked example asserts a capture (tcpdump), which a world refuses (docs/rootless.md, limits).
  const captures = inWorld && 'the worked example captures packets with tcpdump, which a world refuses';

  test('four node:test files at once, one topology file and the same node names, each in a lab of its own', { skip: captures }, () => {
    const files = readdirSync('examples/testing')
      .filter((f) => f.endsWith('.test.ts'))
      .map((f) => `examples/testing/${f}`);
    assert.equal(files.length, 4);
    const r = run(['--conditions=nslab-source', '--import', 'tsx', '--test', '--test-concurrency=4', ...files]);
    assert.equal(r.code, 0, r.output);
    assert.match(r.output, /^# pass 7$/m);
    assert.match(r.output, /^# fail 0$/m);
    assert.deepEqual(listLabs(), [], 'every file took its lab down');
  });

  test('vitest: the lab fixture, a lab per test (tests run concurrently), and the global setup', () => {
    const r = run([...VITEST, '--config', 'examples/vitest/vitest.config.ts']);
    assert.equal(r.code, 0, r.output);
    assert.match(r.output, /Tests {2}3 passed \(3\)/);
    assert.deepEqual(listLabs(), []);
  });

  test("vitest: a run that leaves a lab up fails, naming it (the global setup's leak check)", async () => {
    const r = run([...VITEST, '--config', 'test/testing/fixtures/leak.vitest.config.ts']);
    const leaked = listLabs().map((l) => l.name);
    try {
      assert.equal(leaked.length, 1);
      assert.notEqual(r.code, 0, r.output);
      assert.match(r.output, new RegExp(`the test run left a lab up: ${leaked[0] ?? '?'}`));
      assert.match(r.output, /NSLAB_LEAKED/);
    } finally {
      for (const name of leaked) await down(name);
    }
  });

  test('node:test globalSetup and globalTeardown: a lab brought up since setup and left is a leak', async () => {
    globalSetup();
    const lab = (await import('nslab')).Lab.define({ name: 'left', nodes: { a: {} } }, { isolate: true });
    await lab.up();
    assert.throws(globalTeardown, (e: unknown) => e instanceof NslabError && e.code === 'NSLAB_LEAKED' && e.message.includes(lab.name));
    await lab.down();
    globalTeardown();
  });
});

describe('useLab: a lab for each test', { skip: needsRoot }, () => {
  const lab = useLab({ name: 'each', nodes: { a: {}, b: {} }, links: [{ endpoints: ['a 10.0.0.1/24', 'b 10.0.0.2/24'] }] }, { each: true });
  const pids: number[] = [];

  test('the first test starts a process', async () => {
    const p = await lab.node('a').spawn(['sleep', '30']);
    pids.push(p.pid);
    assert.equal((await lab.status()).state.processes.length, 1);
  });

  test('the next test has a fresh lab: the process went with the last one', async () => {
    assert.deepEqual((await lab.status()).state.processes, []);
    assert.equal(spawnSync('kill', ['-0', String(pids[0])]).status, 1);
    assert.equal(await lab.node('a').reach('b'), true);
  });
});
