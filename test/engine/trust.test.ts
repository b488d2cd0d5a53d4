/**
 * What a killed run, a lost or corrupt state file, or hand-made things in a lab's namespaces leave, and
 * that one nslab command clears or repairs (issue 14). Each test makes the leftover a kill or a person
 * leaves, in the real kernel, then checks the kernel and the files afterwards.
 */
import assert from 'node:assert/strict';
import { subscribe, unsubscribe } from 'node:diagnostics_channel';
import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { describe, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { clean, down, readState, status, up } from '../../src/engine/index.js';
import { readNamespaceMarks } from '../../src/engine/observe.js';
import { writeState } from '../../src/engine/state.js';
import { NslabError } from '../../src/errors.js';
import type { OpOf } from '../../src/plan/index.js';
import { isRunning, processStartTime, startChild } from '../../src/process/index.js';
import { chain, gone } from '../helpers/labs.js';
import { ipJson, needsRoot, sh, uniqueName } from '../helpers/sandbox.js';

/** The warnings nslab publishes while `fn` runs. */
async function warnings(fn: () => Promise<unknown>): Promise<string[]> {
  const heard: string[] = [];
  const listener = (m: unknown): void => void heard.push((m as { message: string }).message);
  subscribe('nslab:warning', listener);
  try {
    await fn();
  } finally {
    unsubscribe('nslab:warning', listener);
  }
  return heard;
}

const stateFile = (lab: string): string => `/run/nslab/${lab}/state.json`;

/**
 * A chain of two up whose n0 runs a shell with two sleeps in the background; `pidsInside` lists the
 * processes in n0's namespace, the three of them once this resolves.
 */
async function withSleeps(stem: string): Promise<{ lab: ReturnType<typeof chain>; pidsInside: () => number[] }> {
  const lab = chain(uniqueName(stem), 2);
  const n0 = lab.nodes[0];
  assert.ok(n0 !== undefined);
  n0.exec = [{ run: 'sleep 300 & sleep 300', background: true }];
  await up(lab);
  const pidsInside = (): number[] =>
    sh('ip', ['netns', 'pids', `${lab.name}-n0`])
      .split('\n')
      .filter((l) => l !== '')
      .map(Number);
  for (let i = 0; i < 200 && pidsInside().length < 3; i++) await sleep(10);
  assert.ok(pidsInside().length >= 3, 'the shell and its two sleeps run inside n0');
  return { lab, pidsInside };
}

describe('trust: leftovers of kills and hands', { skip: needsRoot }, () => {
  test("a hosts file of the lab's own left by a killed run goes with down, and clean finds one of a lab that is gone", async () => {
    const lab = chain(uniqueName('hst'), 2);
    await up(lab);
    const own = `/etc/netns/.nslab-${lab.name}.hosts`;
    // What a run killed between writing the lab's hosts file and removing its first name leaves.
    writeFileSync(own, `# written by nslab for lab ${lab.name}; nslab down removes it\n127.0.0.1\tlocalhost\n`);
    await down(lab.name);
    gone(lab);
    // The same file, and a namespace's hosts file, of a lab that has nothing else left.
    const ghost = uniqueName('ghost');
    writeFileSync(`/etc/netns/.nslab-${ghost}.hosts`, `# written by nslab for lab ${ghost}; nslab down removes it\n`);
    sh('mkdir', ['-p', `/etc/netns/${ghost}-a`]);
    writeFileSync(`/etc/netns/${ghost}-a/hosts`, `# written by nslab for lab ${ghost}; nslab down removes it\n`);
    // A hosts file nslab did not write is never touched.
    sh('mkdir', ['-p', '/etc/netns/someone-else']);
    writeFileSync('/etc/netns/someone-else/hosts', '127.0.0.1 localhost\n');
    const results = await clean();
    assert.ok(results.some((r) => r.lab === ghost));
    assert.ok(!existsSync(`/etc/netns/.nslab-${ghost}.hosts`));
    assert.ok(!existsSync(`/etc/netns/${ghost}-a`));
    assert.equal(readFileSync('/etc/netns/someone-else/hosts', 'utf8'), '127.0.0.1 localhost\n');
    rmSync('/etc/netns/someone-else', { recursive: true });
  });

  test("a namespace's directory is placed whole: no empty directory under /etc/netns, and what a killed run left staged goes with down and clean", async () => {
    const lab = chain(uniqueName('stg'), 3);
    await up(lab);
    for (const n of lab.nodes) assert.match(readFileSync(`/etc/netns/${n.netns}/hosts`, 'utf8'), new RegExp(`^# written by nslab for lab ${lab.name};`));
    assert.ok(!existsSync(`/etc/netns/.nslab-${lab.name}.staging`), 'the staging directory goes once every directory is in place');
    // What a run killed between making a directory and renaming it into place leaves: one staged with its
    // file, one still empty.
    const staging = `/etc/netns/.nslab-${lab.name}.staging`;
    sh('mkdir', ['-p', `${staging}/${lab.name}-n9`, `${staging}/${lab.name}-n8`]);
    writeFileSync(`${staging}/${lab.name}-n9/hosts`, `# written by nslab for lab ${lab.name}; nslab down removes it\n`);
    // A node's directory that someone also put a file of their own in keeps it at down.
    const shared = `/etc/netns/${lab.nodes[0]?.netns ?? ''}`;
    writeFileSync(`${shared}/resolv.conf`, 'nameserver 192.0.2.53\n');
    await down(lab.name);
    assert.ok(!existsSync(staging));
    assert.ok(!existsSync(`${shared}/hosts`));
    assert.equal(readFileSync(`${shared}/resolv.conf`, 'utf8'), 'nameserver 192.0.2.53\n');
    rmSync(shared, { recursive: true });
    gone(lab);
    // The same left by a lab that has nothing else: clean finds it by its name.
    const ghost = uniqueName('ghost');
    sh('mkdir', ['-p', `/etc/netns/.nslab-${ghost}.staging/${ghost}-a`]);
    const results = await clean();
    assert.ok(results.some((r) => r.lab === ghost));
    assert.ok(!existsSync(`/etc/netns/.nslab-${ghost}.staging`));
  });

  test("a namespace deleted between the run directory's read and its open (another lab's down beside this one) is simply not there", async () => {
    const lab = chain(uniqueName('gone'), 2);
    await up(lab);
    try {
      // A dangling link in the run directory stands for the file removed in between: readdir lists it, open
      // finds nothing (ENOENT).
      const ghost = `${lab.name}-vanished`;
      sh('ln', ['-s', `/run/netns/${ghost}-nowhere`, `/run/netns/${ghost}`]);
      try {
        const marks = await readNamespaceMarks([...lab.nodes.map((n) => n.netns), ghost]);
        assert.equal(marks.has(ghost), false);
        for (const n of lab.nodes) assert.match(String(marks.get(n.netns)), new RegExp(`^nslab:${lab.name}:`));
      } finally {
        rmSync(`/run/netns/${ghost}`);
      }
    } finally {
      await down(lab.name);
    }
  });

  test('a down killed after deleting a namespace and before its hosts file: the next down removes that file too', async () => {
    const lab = chain(uniqueName('kdh'), 3);
    await up(lab);
    const state = readState(lab.name);
    assert.ok(state !== undefined);
    // What the killed down left: n1's namespace deleted and dropped from the state, its hosts file still there.
    sh('ip', ['netns', 'del', `${lab.name}-n1`]);
    delete state.namespaces[`${lab.name}-n1`];
    writeFileSync(stateFile(lab.name), JSON.stringify({ ...state, run: { kind: 'down', pid: 999999, startedAt: 'then' } }));
    assert.ok(existsSync(`/etc/netns/${lab.name}-n1/hosts`));
    await down(lab.name);
    gone(lab);
  });

  test('a corrupt state file is set aside with a warning that says where, and down, up and status go on', async () => {
    const lab = chain(uniqueName('cor'), 2);
    await up(lab);
    writeFileSync(stateFile(lab.name), '{"version": 2, "lab": tru');
    const heard = await warnings(() => down(lab.name));
    assert.equal(heard.length, 1);
    assert.match(
      heard[0] ?? '',
      new RegExp(`state file /run/nslab/${lab.name}/state.json is not valid JSON .*moved to /run/nslab/${lab.name}/state.json.corrupt-`),
    );
    gone(lab);
    // A state of another version is set aside too, and up goes on by the marks.
    await up(lab);
    writeFileSync(stateFile(lab.name), JSON.stringify({ version: 1, lab: lab.name }));
    const again = await warnings(() => up(lab));
    assert.match(again[0] ?? '', /is of version 1, not 3/);
    assert.equal((await status(lab.name)).lab, lab.name);
    await down(lab.name);
    gone(lab);
  });

  test('with its state file removed, down still ends the background processes the lab started', async () => {
    const { lab, pidsInside } = await withSleeps('lost');
    const recorded = readState(lab.name)?.processes[0];
    assert.ok(recorded !== undefined && isRunning(recorded));
    rmSync(stateFile(lab.name));
    const inside = pidsInside();
    await down(lab.name);
    assert.ok(!isRunning(recorded), 'the recorded process is gone');
    assert.deepEqual(
      inside.filter((pid) => processStartTime(pid) !== undefined),
      [],
      'every process the lab started is gone',
    );
    gone(lab);
  });

  test('with the state whole but not listing them (a run killed before it recorded them), down ends the processes the lab started', async () => {
    const { lab, pidsInside } = await withSleeps('unrec');
    // The namespaces are found by the identities the state recorded; the processes only by their environment.
    const state = readState(lab.name);
    assert.ok(state !== undefined && state.identities !== undefined);
    state.processes = [];
    writeState(state);
    const inside = pidsInside();
    await down(lab.name);
    assert.deepEqual(
      inside.filter((pid) => processStartTime(pid) !== undefined),
      [],
      'every process the lab started is gone',
    );
    gone(lab);
  });

  test('a lab directory holding only a lock, left by a kill, goes with clean', async () => {
    const name = uniqueName('lock');
    sh('mkdir', ['-p', `/run/nslab/${name}`]);
    writeFileSync(`/run/nslab/${name}/lock`, '');
    await clean();
    assert.ok(!existsSync(`/run/nslab/${name}`));
  });

  test("the lock of a run killed with -9 is free at once (the kernel's flock), and a live holder is waited for, named", async () => {
    const lab = chain(uniqueName('klk'), 2);
    sh('mkdir', ['-p', `/run/nslab/${lab.name}`]);
    // flock and its sleep in a group of their own, so that one kill ends both.
    const holder = await startChild(['flock', '-o', `/run/nslab/${lab.name}/lock`, 'sleep', '30'], { stdio: 'ignore', detached: true });
    for (let i = 0; i < 100 && !existsSync(`/run/nslab/${lab.name}/lock`); i++) await sleep(10);
    await sleep(50);
    await assert.rejects(up(lab, { lockWaitMs: 200 }), (e: unknown) => e instanceof NslabError && e.code === 'NSLAB_LOCKED');
    holder.kill('SIGKILL');
    const t0 = Date.now();
    await up(lab, { lockWaitMs: 5000 });
    assert.ok(Date.now() - t0 < 2000, 'no wait once the holder is gone');
    await down(lab.name);
    gone(lab);
  });

  test('an empty lock file does not make up wait', async () => {
    const lab = chain(uniqueName('elk'), 2);
    sh('mkdir', ['-p', `/run/nslab/${lab.name}`]);
    writeFileSync(`/run/nslab/${lab.name}/lock`, '');
    const t0 = Date.now();
    await up(lab, { lockWaitMs: 5000 });
    assert.ok(Date.now() - t0 < 4000, 'no wait for the lock');
    await down(lab.name);
    gone(lab);
  });

  test('a route identical to a wanted one, made by hand without the mark, is adopted; a different one is refused, naming both', async () => {
    const lab = chain(uniqueName('rte'), 2);
    const n0 = lab.nodes[0];
    assert.ok(n0 !== undefined);
    n0.routes = [{ family: 4, to: { family: 4, address: '10.9.0.0', prefixLength: 24 }, via: '10.0.0.2' }];
    await up(lab);
    try {
      // What a person has after applying `ip` advice by hand: the same route, proto boot.
      sh('ip', ['-n', `${lab.name}-n0`, 'route', 'del', '10.9.0.0/24']);
      sh('ip', ['-n', `${lab.name}-n0`, 'route', 'add', '10.9.0.0/24', 'via', '10.0.0.2']);
      const r = await up(lab);
      assert.deepEqual(
        r.plan.ops.map((op) => op.op === 'route.add' && op.adopt),
        [true],
      );
      const [route] = ipJson<{ dst: string; protocol: string }[]>(['-n', `${lab.name}-n0`, 'route', 'show', '10.9.0.0/24']);
      assert.equal(route?.protocol, '77', 'the adopted route carries the mark');
      assert.equal((await up(lab)).changed, false);
      // A route to the same destination elsewhere.
      sh('ip', ['-n', `${lab.name}-n0`, 'route', 'del', '10.9.0.0/24']);
      sh('ip', ['-n', `${lab.name}-n0`, 'route', 'add', '10.9.0.0/24', 'dev', 'right']);
      await assert.rejects(
        up(lab),
        (e: unknown) =>
          e instanceof NslabError &&
          e.code === 'NSLAB_NOT_OURS' &&
          e.message.includes('has a route 10.9.0.0/24 dev right (proto 3) that nslab did not make, where the lab wants 10.9.0.0/24 via 10.0.0.2') &&
          e.message.includes(`ip -n ${lab.name}-n0 route del 10.9.0.0/24`),
      );
    } finally {
      await down(lab.name);
    }
    gone(lab);
  });

  test('an interface made by hand with a name the lab wants is refused before anything changes, named, never a crash', async () => {
    const lab = chain(uniqueName('frn'), 2);
    const smaller = chain(lab.name, 2);
    smaller.links = [];
    for (const n of smaller.nodes) n.interfaces = [];
    await up(smaller);
    try {
      sh('ip', ['-n', `${lab.name}-n0`, 'link', 'add', 'right', 'type', 'bridge']);
      await assert.rejects(
        up(lab),
        (e: unknown) =>
          e instanceof NslabError &&
          e.code === 'NSLAB_NOT_OURS' &&
          e.message.includes(`interface right in namespace ${lab.name}-n0 (node n0) exists and is not nslab's`),
      );
      assert.deepEqual(
        ipJson<{ ifname: string }[]>(['-n', `${lab.name}-n1`, 'link', 'show']).map((l) => l.ifname),
        ['lo'],
        'nothing was made',
      );
    } finally {
      await down(lab.name);
    }
    gone(lab);
  });

  test('after a killed down, up says so and finishes it first; after a killed first up, up starts over', async () => {
    const lab = chain(uniqueName('kil'), 3);
    await up(lab);
    const state = readState(lab.name);
    assert.ok(state !== undefined);
    // What a down killed after its intent was written leaves: the run in the state, the lab still there.
    writeFileSync(stateFile(lab.name), JSON.stringify({ ...state, run: { kind: 'down', pid: 999999, startedAt: 'then' } }));
    const heard = await warnings(() => up(lab));
    assert.match(heard.join('\n'), /an earlier `nslab down` of lab .* \(process 999999, started then\) was killed; finishing its teardown/);
    assert.match(sh('ip', ['netns', 'exec', `${lab.name}-n0`, 'ping', '-c', '1', '-W', '2', '10.0.0.2']), /1 received/);
    // A killed first up: the state has no applied lab (nor the file that holds it).
    const now = readState(lab.name);
    assert.ok(now !== undefined);
    delete now.applied;
    delete now.appliedFile;
    writeFileSync(stateFile(lab.name), JSON.stringify({ ...now, run: { kind: 'up', pid: 999998, startedAt: 'then' } }));
    const second = await warnings(() => up(lab));
    assert.match(second.join('\n'), /`nslab up` .* was killed; removing what it had made, to start over/);
    assert.equal(readState(lab.name)?.run, undefined);
    await down(lab.name);
    gone(lab);
  });
});

describe('trust: a failed create never leaves a request unawaited', () => {
  test('veth.add whose create fails rejects with that error, and nothing rejects unheard', async () => {
    const { RUNNERS } = await import('../../src/engine/requests.js');
    const runner = RUNNERS['veth.add'];
    assert.equal(runner.via, 'socket');
    if (runner.via !== 'socket') return;
    const unheard: unknown[] = [];
    const onUnhandled = (e: unknown): void => void unheard.push(e);
    process.on('unhandledRejection', onUnhandled);
    try {
      const refused = (what: string): Promise<never> => Promise.reject(new NslabError('NSLAB_NETLINK', what));
      const h = { link: { addVeth: () => refused('create: ENODEV'), set: () => refused('mark: ENODEV'), del: () => Promise.resolve() } } as never;
      const ctx = {
        mark: 'nslab:x:1',
        dev: (_: string, i: string) => i,
        nsFd: () => undefined,
        undo: () => undefined,
        namespaces: { fresh: new Set<string>() },
      } as never;
      const op: OpOf<'veth.add'> = {
        op: 'veth.add',
        id: 'v',
        after: [],
        link: 'l',
        a: { node: 'a', netns: 'a', ifname: 'e0' },
        b: { node: 'b', netns: 'b', ifname: 'e0' },
      };
      await assert.rejects(runner.send(op, h, ctx), /create: ENODEV/);
      await sleep(20);
    } finally {
      process.off('unhandledRejection', onUnhandled);
    }
    assert.deepEqual(unheard, []);
  });
});

describe('owners: exclusive labs and orphans', { skip: needsRoot }, () => {
  test('an exclusive up refuses a lab another live process owns; clean --orphans removes only labs whose owner is gone', async () => {
    const taken = chain(uniqueName('own'), 2);
    const orphan = chain(uniqueName('orp'), 2);
    const cli = chain(uniqueName('cli'), 2);
    const sleeper = await startChild(['sleep', '30'], { stdio: 'ignore' });
    try {
      await up(taken, { owner: sleeper });
      await assert.rejects(
        up(taken, { exclusive: true }),
        (e: unknown) => e instanceof NslabError && e.code === 'NSLAB_EXISTS' && e.message.includes(`process ${sleeper.pid}`),
      );
      // Its owner may go on using it, exclusively too.
      assert.equal((await up(taken, { exclusive: true, owner: sleeper })).changed, false);
      await up(orphan, { owner: { pid: 999999, startTime: '1' } });
      await up(cli);
      const removed = await clean({ orphans: true });
      assert.deepEqual(
        removed.map((r) => r.lab),
        [orphan.name],
      );
      gone(orphan);
      assert.equal((await status(taken.name)).lab, taken.name);
      assert.equal((await status(cli.name)).lab, cli.name);
    } finally {
      sleeper.kill();
      await down(taken.name);
      await down(cli.name);
      await down(orphan.name);
    }
    gone(taken);
    gone(cli);
  });
});
