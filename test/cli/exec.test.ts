/**
 * Commands in a node through every door (nslab exec, node.exec, a background exec entry) come back
 * byte-exact, and a command ended by a signal gives the status a shell gives: 143 for SIGTERM, 130 for
 * SIGINT.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { after, before, describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { Lab } from '../../src/api/index.js';
import { readState } from '../../src/engine/index.js';
import { nslab } from '../helpers/cli.js';
import { needsRoot, uniqueName } from '../helpers/sandbox.js';
import { AWKWARD_TEXT, PRINT_AWKWARD } from '../helpers/text.js';

describe('commands in a node', { skip: needsRoot }, () => {
  const name = uniqueName('exec');
  const lab = Lab.define({
    name,
    nodes: { a: { exec: [{ run: `${PRINT_AWKWARD}; sleep 30`, background: true }] }, b: {} },
    links: [{ endpoints: ['a:eth0 10.77.0.1/24', 'b:eth0 10.77.0.2/24'] }],
  });
  before(async () => {
    await lab.up();
  });
  after(async () => {
    await lab.down();
  });

  it('nslab exec returns a multi-byte character across the 64 KiB boundary byte-exact', () => {
    const r = nslab(['exec', '--lab', name, 'a', '--', 'sh', '-c', PRINT_AWKWARD]);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout, AWKWARD_TEXT);
  });

  it('node.exec returns it byte-exact', async () => {
    const r = await lab.node('a').exec(PRINT_AWKWARD);
    assert.equal(r.exitCode, 0);
    assert.equal(r.stdout, AWKWARD_TEXT);
  });

  it("a background process's log holds it byte-exact", async () => {
    const log = readState(name)?.processes[0]?.log;
    assert.ok(log !== undefined);
    let text = '';
    for (let i = 0; i < 200 && text.length < AWKWARD_TEXT.length; i++, await sleep(10)) text = readFileSync(log, 'utf8');
    assert.equal(text, AWKWARD_TEXT);
  });

  it('nslab exec exits 143 for a command ended by SIGTERM and 130 for SIGINT', () => {
    assert.equal(nslab(['exec', '--lab', name, 'a', '--', 'sh', '-c', 'kill -TERM $$']).code, 143);
    assert.equal(nslab(['exec', '--lab', name, 'a', '--', 'sh', '-c', 'kill -INT $$']).code, 130);
    assert.equal(nslab(['exec', '--lab', name, 'a', '--', 'sh', '-c', 'exit 7']).code, 7);
  });

  it('node.exec reports the signal and the shell status', async () => {
    const r = await lab.node('a').exec('kill -TERM $$');
    assert.deepEqual([r.code, r.signal, r.exitCode], [undefined, 'SIGTERM', 143]);
  });
});
