/** node.spawn: processes started in a running lab, recorded in its state, ended by down of any process. */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, test } from 'node:test';
import { Lab, NslabError } from '../../src/index.js';
import { nslabOk } from '../helpers/cli.js';
import { needsRoot, uniqueName } from '../helpers/sandbox.js';

const TWO = (name: string) => Lab.define({ name, nodes: { client: {}, server: {} }, links: [{ endpoints: ['client 10.40.0.1/24', 'server 10.40.0.2/24'] }] });

const SERVER = (port: number) => [
  'node',
  '-e',
  `require('net').createServer((c) => c.end('hi\\n')).listen(${port}, () => console.log('listening on ${port}'))`,
];

/** Is the process there, and not a zombie waiting to be reaped (an ended child whose parent ended too)? */
function alive(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2)[0] !== 'Z';
  } catch {
    return false;
  }
}

/** The code of the error a promise rejects with. */
async function codeOf(p: Promise<unknown>): Promise<string> {
  try {
    await p;
  } catch (e) {
    return e instanceof NslabError ? e.code : `not an NslabError: ${String(e)}`;
  }
  return 'resolved';
}

describe('node.spawn', { skip: needsRoot }, () => {
  test('output as it comes, waitForOutput and waitForPort, a kill and how it ended; recorded in the state, forgotten once ended', async () => {
    const lab = TWO(uniqueName('sp'));
    await lab.up();
    try {
      const server = await lab.node('server').spawn(SERVER(7001));
      assert.equal(server.node, 'server');
      await server.waitForPort(7001);
      const m = await server.waitForOutput(/listening on (\d+)/);
      assert.equal(m[1], '7001');
      // Inside the node's namespace: the listening socket is there, as ss sees it.
      const ss = await lab.node('server').exec(['ss', '-Hltn', 'sport = :7001']);
      assert.match(ss.stdout, /LISTEN/);
      assert.deepEqual(
        (await lab.status()).state.processes.map((p) => [p.node, p.pid]),
        [['server', server.pid]],
      );
      assert.equal(server.kill(), true);
      const exit = await server.exited;
      assert.deepEqual([exit.code, exit.signal, exit.exitCode], [undefined, 'SIGTERM', 143]);
      assert.equal(alive(server.pid), false);
      // Out of the state shortly after it ended (the record is taken under the lab's lock).
      for (let i = 0; i < 100 && (await lab.status()).state.processes.length > 0; i++) await new Promise((r) => setTimeout(r, 20));
      assert.deepEqual((await lab.status()).state.processes, []);
      // A string runs with sh -c; a plain exit is a code.
      const quick = await lab.node('client').spawn('echo out; echo err >&2; exit 3');
      assert.deepEqual((await quick.exited).code, 3);
      assert.deepEqual(quick.output(), { stdout: 'out\n', stderr: 'err\n' });
    } finally {
      await lab.down();
    }
  });

  test('a wait that cannot be met: NSLAB_EXEC with the last lines when the process exits, NSLAB_TIMEOUT when time runs out', async () => {
    const lab = TWO(uniqueName('sw'));
    await lab.up();
    try {
      const failing = await lab.node('server').spawn('echo starting; echo no such port >&2; exit 1');
      const err = await failing.waitForPort(7002, { timeoutMs: 5000 }).catch((e: unknown) => e as NslabError);
      assert.ok(err instanceof NslabError);
      assert.equal(err.code, 'NSLAB_EXEC');
      assert.match(err.message, /exited with code 1 before listening on TCP port 7002; its last lines:\n\s+starting\n\s+no such port/);
      assert.equal(await codeOf((await lab.node('server').spawn('exit 0')).waitForOutput('never')), 'NSLAB_EXEC');
      // Ended before the wait begins: the same error, not an unhandled rejection that ends the test process.
      const ended = await lab.node('server').spawn('exit 2');
      await ended.exited;
      assert.equal(await codeOf(ended.waitForPort(7002, { timeoutMs: 5000 })), 'NSLAB_EXEC');
      const sleeper = await lab.node('server').spawn(['sleep', '30']);
      const started = performance.now();
      assert.equal(await codeOf(sleeper.waitForOutput('never', { timeoutMs: 200 })), 'NSLAB_TIMEOUT');
      assert.equal(await codeOf(lab.node('client').waitForPort(7003, { timeoutMs: 200 })), 'NSLAB_TIMEOUT');
      assert.ok(performance.now() - started < 2000);
    } finally {
      await lab.down();
    }
  });

  test('down by another process (the CLI) ends spawned processes by pid and start time; await using ends one at the end of its scope', async () => {
    const lab = TWO(uniqueName('sd'));
    await lab.up();
    let scoped = 0;
    {
      await using p = await lab.node('client').spawn(['sleep', '30']);
      scoped = p.pid;
      assert.equal(alive(scoped), true);
    }
    assert.equal(alive(scoped), false);
    // A process that starts children of its own: the whole group goes.
    const parent = await lab.node('server').spawn('sleep 30 & sleep 31 & wait');
    // Its children, once the shell has started them (it may take a while on a loaded machine).
    let children: number[] = [];
    for (let i = 0; i < 100 && children.length < 3; i++) {
      if (i > 0) await new Promise((r) => setTimeout(r, 50));
      children = (await lab.node('server').exec(['pgrep', '-g', String(parent.pid)])).stdout.trim().split('\n').filter(Boolean).map(Number);
    }
    assert.ok(children.length >= 2, `the group has its children: ${children.join(' ')}`);
    nslabOk(['down', '--lab', lab.name]);
    assert.deepEqual((await parent.exited).signal, 'SIGTERM');
    assert.deepEqual(
      children.filter((pid) => alive(pid)),
      [],
    );
  });

  test('a lab that is not up has no processes to start: NSLAB_NOT_FOUND', async () => {
    assert.equal(await codeOf(TWO(uniqueName('sn')).node('client').spawn('true')), 'NSLAB_NOT_FOUND');
  });
});

describe('node.connect and node.reach', { skip: needsRoot }, () => {
  test('connect: accepted, refused, and no answer within the timeout; reach honours a timeout under a second', async () => {
    const lab = TWO(uniqueName('cn'));
    await lab.up();
    try {
      const server = await lab.node('server').spawn(SERVER(7010));
      await server.waitForPort(7010);
      const ok = await lab.node('client').connect('server', 7010);
      assert.deepEqual([ok.ok, ok.address, ok.port, ok.error], [true, '10.40.0.2', 7010, undefined]);
      assert.ok(ok.ms >= 0 && ok.ms < 1000);
      const refused = await lab.node('client').connect('10.40.0.2', 7011);
      assert.deepEqual([refused.ok, refused.error], [false, 'ECONNREFUSED']);
      await lab.link('server:eth0').set({ up: false });
      const started = performance.now();
      assert.equal(await lab.node('client').reach('server', { timeoutMs: 250 }), false);
      const reachMs = performance.now() - started;
      assert.ok(reachMs >= 240 && reachMs < 1000, `reach gave up after ${Math.round(reachMs)} ms, not a whole second`);
      const dropped = await lab.node('client').connect('server', 7010, { timeoutMs: 300 });
      assert.equal(dropped.ok, false);
      assert.ok(dropped.error === 'ETIMEDOUT' || dropped.error === 'EHOSTUNREACH', dropped.error);
      assert.ok(dropped.ms < 1000);
      await lab.link('server:eth0').set({ up: true });
      assert.equal(await lab.node('client').reach('server', { timeoutMs: 3000 }), true);
    } finally {
      await lab.down();
    }
  });
});
