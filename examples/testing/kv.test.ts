// examples/testing/kv.test.ts — the worked example of docs/testing.md: a key-value server and its client,
// each in a node of a lab of their own, with the network split and healed under them, and a schedule of
// faults. As root: node --import tsx --test examples/testing/kv.test.ts (in nslab's own repository, with
// --conditions=nslab-source, so that 'nslab' is the sources).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { useLab } from 'nslab/node-test';

// The lab of examples/client-server.yaml (client -- router -- server), under a name of its own, so that
// other test files can use the same file, with the same node names, at the same time.
const lab = useLab('examples/client-server.yaml');
const client = lab.node('client');
const server = lab.node('server');

/** The client program, run in the client's node: one request, given up after a second. */
const kv = (...args: string[]) => client.exec(['node', 'examples/testing/kv-client.mjs', ...args]);

test('the client stores a value on the server and reads it back, by name', async () => {
  // Ended at the end of the block (and by lab.down() in any case).
  await using kvServer = await server.spawn(['node', 'examples/testing/kv-server.mjs', '9090']);
  await kvServer.waitForPort(9090);
  // What crosses the server's cable meanwhile (tcpdump in the server's node).
  const capture = await server.capture('eth0', { filter: 'tcp dst port 9090' });
  assert.equal((await kv('http://server:9090/colour', 'green')).exitCode, 0);
  const packets = await capture.stop();
  assert.ok(
    packets.some((p) => /Flags \[S\]/.test(p.summary)),
    'the client opened a connection to the server',
  );
  const read = await kv('http://server:9090/colour');
  assert.equal(read.stdout, 'green');
  assert.match(kvServer.output().stdout, /kv listening on port 9090/);
});

test('a partition: the client fails within its timeout, and works again once healed', async () => {
  await using kvServer = await server.spawn(['node', 'examples/testing/kv-server.mjs', '9090']);
  await kvServer.waitForPort(9090);
  // Healed at the end of the block if a check below fails first.
  await using split = await lab.partition(['client'], ['server']);
  const started = performance.now();
  const failed = await kv('http://server:9090/colour');
  assert.equal(failed.exitCode, 1);
  assert.match(failed.stderr, /TimeoutError/);
  assert.ok(performance.now() - started < 10_000, 'the client gave up within its timeout (and node started)');
  // The connection itself, measured: no answer within 300 ms.
  const probe = await client.connect('server', 9090, { timeoutMs: 300 });
  assert.equal(probe.ok, false);
  assert.equal(probe.error, 'ETIMEDOUT');
  await split.heal();
  assert.equal((await client.connect('server', 9090)).ok, true);
  assert.equal((await kv('http://server:9090/colour', 'blue')).exitCode, 0);
});

test("a schedule: the server's cable pulled at 200 ms and put back at 600 ms", async () => {
  const schedule = lab.schedule([
    { at: 200, cable: ['router', 'server'], up: false },
    { at: 200, expect: { from: 'client', 'no-reach': 'server', timeout: '200ms' } },
    { at: 600, cable: ['router', 'server'], up: true },
    { at: 600, expect: { from: 'client', reach: 'server', timeout: '2s' } },
  ]);
  const result = await schedule.done; // rejects, naming the step, if a check fails
  assert.equal(result.steps.length, 4);
});
