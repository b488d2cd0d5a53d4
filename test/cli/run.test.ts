/** nslab run FILE: a scenario's timeline, exit 0 when every check passes, exit 1 naming the failed step. */
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { nslab } from '../helpers/cli.js';
import { needsRoot, netnsList } from '../helpers/sandbox.js';

describe('nslab run', { skip: needsRoot }, () => {
  test('examples/client-server.yaml: up, every step on the timeline, every check passes, down', () => {
    const r = nslab(['run', 'examples/client-server.yaml']);
    assert.equal(r.code, 0, `${r.stderr}\n${r.stdout}`);
    const lines = r.stdout.trim().split('\n');
    assert.equal(lines[0], 'lab client-server up: running its scenario, 10 steps');
    assert.match(lines[2] ?? '', /^ +\d+\.\d\ds {2}step 1 "pull the server's cable" {2}cable router--server down {2}done$/);
    assert.match(r.stdout, /step 6 {2}expect client cannot connect to server:8080 within 300ms {2}ok {2}\(no connection to 10\.30\.0\.3:8080 \(ETIMEDOUT\)\)/);
    assert.deepEqual(lines.slice(-2), ['every check passed (6 checks)', 'lab client-server down']);
    assert.deepEqual(
      netnsList().filter((n) => n.startsWith('client-server-')),
      [],
    );
  });

  test('a check that fails: exit 1, the step named; the steps after it still run and the lab goes down', () => {
    const dir = mkdtempSync(join(tmpdir(), 'nslab-run-'));
    try {
      const file = join(dir, 'failing.yaml');
      const text = readFileSync('examples/client-server.yaml', 'utf8')
        .replace('name: client-server', 'name: run-fails')
        // During the split, the client is said to reach the server: it cannot.
        .replace('{ at: 1.5s, expect: { from: router, reach: server } }', '{ at: 1.5s, name: wrong, expect: { from: client, reach: server, timeout: 300ms } }');
      writeFileSync(file, text);
      const r = nslab(['run', file]);
      assert.equal(r.code, 1, r.stdout);
      assert.equal(r.stderr, `nslab: step 7 "wrong" (at 1.5s, expect client reaches server within 300ms) failed: no answer from 10.30.0.3 within 300ms\n`);
      assert.match(r.stdout, /step 7 "wrong" {2}expect client reaches server within 300ms {2}FAILED/);
      assert.match(r.stdout, /step 9 {2}expect client connects to server:8080 {2}ok/);
      assert.match(r.stdout, /lab run-fails down\n$/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test('a file without a scenario is a usage error (exit 2)', () => {
    const r = nslab(['run', 'examples/two-computers.yaml']);
    assert.equal(r.code, 2);
    assert.match(r.stderr, /examples\/two-computers\.yaml has no scenario: add a scenario: list of steps/);
  });
});
