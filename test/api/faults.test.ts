/** Faults on cue: a cable by its two nodes, partitions that hold whatever path packets take, schedules. */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { Lab, NslabError, ScheduleError, TopologyError, type StepResult } from '../../src/index.js';
import { ipJson, needsRoot, sh } from '../helpers/sandbox.js';

const example = (file: string) => Lab.fromFile(`examples/${file}`, { isolate: true });

/** The nft tables in a node, as nft lists them (the witness). */
const tables = (lab: Lab, node: string) => sh('ip', ['netns', 'exec', lab.node(node).netns, 'nft', 'list', 'tables']).trim();

describe('lab.cable', () => {
  test('names the one cable between two nodes, or says why there is none to name', async () => {
    const lab = await example('two-lans.yaml');
    const cable = lab.cable('a1', 'left');
    assert.deepEqual([cable.a.node, cable.b.node], ['a1', 'left']);
    assert.throws(() => lab.cable('a1', 'b1'), /no cable joins a1 and b1/);
    assert.throws(
      () => lab.cable('a1', 'zz'),
      (e: unknown) => e instanceof NslabError && e.code === 'NSLAB_NOT_FOUND' && /has no node zz/.test(e.message),
    );
    const twice = Lab.define({ name: 'two', nodes: { a: {}, b: {} }, links: [{ endpoints: ['a', 'b'] }, { endpoints: ['a', 'b'] }] });
    assert.throws(() => twice.cable('a', 'b'), /2 cables join a and b \(a:eth0--b:eth0, a:eth1--b:eth1\); name one end with lab\.link\('a:IFNAME'\)/);
  });

  test('set changes both ends in the kernel', { skip: needsRoot }, async () => {
    const lab = await example('red-blue.yaml');
    await lab.up();
    try {
      const [a, b] = lab.resolved.links[0] ? [lab.resolved.links[0].a, lab.resolved.links[0].b] : [];
      assert.ok(a !== undefined && b !== undefined);
      await lab.cable(a.node, b.node).set({ up: false });
      for (const end of [a, b]) assert.deepEqual(ipJson<{ flags: string[] }[]>(['-n', end.netns, 'link', 'show', end.ifname])[0]?.flags.includes('UP'), false);
      assert.equal(await lab.node(a.node).reach(b.node, { timeoutMs: 300 }), false);
      await lab.cable(b.node, a.node).set({ up: true });
      assert.equal(await lab.node(a.node).reach(b.node), true);
    } finally {
      await lab.down();
    }
  });
});

describe('lab.partition', { skip: needsRoot }, () => {
  test('on a LAN: the groups lose each other and keep themselves; heal undoes it, and a second heal does nothing', async () => {
    const lab = await example('lan.yaml');
    await lab.up();
    try {
      const split = await lab.partition(['h1', 'h2'], ['h3', 'h4']);
      assert.match(tables(lab, 'h1'), /table inet nslab_partition_/);
      assert.equal(tables(lab, 'sw'), '', 'the bridge, in no group, is untouched');
      // A pair that reaches needs its ping started and the neighbour resolved in time, on a loaded machine too.
      const pairs = await lab.reachMatrix({ timeoutMs: 1500 });
      const ok = pairs.filter((p) => p.ok).map((p) => `${p.from}>${p.to}`);
      assert.deepEqual(ok, ['h1>h2', 'h2>h1', 'h3>h4', 'h4>h3']);
      await split.heal();
      await split.heal();
      assert.equal(tables(lab, 'h1'), '');
      assert.deepEqual(
        (await lab.reachMatrix({ timeoutMs: 3000 })).filter((p) => !p.ok),
        [],
      );
    } finally {
      await lab.down();
    }
  });

  test('in a ring of routers: two hosts split although every router between them forwards; the routers on the path still reach both', async () => {
    const lab = await example('router-ring.yaml');
    await lab.up();
    try {
      {
        await using _split = await lab.partition(['h1'], ['h4']);
        assert.equal(await lab.node('h1').reach('h4', { timeoutMs: 300 }), false);
        assert.equal(await lab.node('h4').reach('h1', { timeoutMs: 300 }), false);
        assert.equal(await lab.node('h1').reach('h3', { timeoutMs: 3000 }), true);
        assert.equal(await lab.node('r2').reach('h4'), true);
        assert.equal(await lab.node('r3').reach('h1'), true);
        const probe = await lab.node('h4').connect('h1', 9, { timeoutMs: 200 });
        assert.deepEqual([probe.ok, probe.error], [false, 'ETIMEDOUT'], 'the SYNs are dropped: no answer');
      }
      // await using healed it.
      assert.equal(await lab.node('h1').reach('h4'), true);
    } finally {
      await lab.down();
    }
  });

  test('groups are checked like a file: unknown nodes, a node twice, a bridge, fewer than two groups', async () => {
    const lab = await example('lan.yaml');
    await assert.rejects(lab.partition(['h1'], ['h1', 'zz', 'sw']), (e: unknown) => {
      assert.ok(e instanceof TopologyError);
      assert.deepEqual(
        e.issues.map((i) => `${i.path}: ${i.message}`),
        [
          'groups[1][0]: h1 is in group 0 already',
          'groups[1][1]: the lab has no node "zz"',
          'groups[1][2]: sw is a bridge: it passes frames and has no address of its own',
        ],
      );
      return true;
    });
    await assert.rejects(lab.partition(['h1']), /at least 2 groups/);
  });
});

describe('lab.schedule', { skip: needsRoot }, () => {
  test('steps at their times, a check that fails named in the error while the steps after it still run, a function step', async () => {
    const lab = await example('two-lans.yaml');
    await lab.up();
    const seen: StepResult[] = [];
    let called: Lab | undefined;
    try {
      const schedule = lab.schedule(
        [
          { at: 0, expect: { from: 'a1', reach: 'b1' } },
          { at: 100, name: 'cut', cable: ['r', 'right'], up: false },
          { at: 100, expect: { from: 'a1', reach: 'b1', timeout: '200ms' } },
          { at: '400ms', partition: [['a1'], ['a2']] },
          { at: 400, heal: true },
          { at: 500, cable: ['r', 'right'], up: true },
          { at: 500, do: (l) => void (called = l) },
        ],
        { onStep: (s) => seen.push(s) },
      );
      const err = await schedule.done.catch((e: unknown) => e);
      assert.ok(err instanceof ScheduleError, String(err));
      assert.equal(err.code, 'NSLAB_EXPECTATION');
      assert.match(err.message, /step 2 \(at 100ms, expect a1 reaches b1 within 200ms\): no answer from 10\.2\.1\.\d+ within 200ms/);
      assert.deepEqual(
        err.result.failures.map((f) => f.index),
        [2],
      );
      assert.deepEqual(
        seen.map((s) => [s.index, s.ok]),
        [
          [0, true],
          [1, true],
          [2, false],
          [3, true],
          [4, true],
          [5, true],
          [6, true],
        ],
      );
      for (const s of seen) assert.ok(s.startedMs >= s.at, `step ${s.index} ran at ${s.startedMs}, not before ${s.at}`);
      assert.equal(seen[1]?.name, 'cut');
      assert.equal(called, lab);
      assert.equal(tables(lab, 'a1'), '', 'the heal after the failed check ran');
      assert.equal(await lab.node('a1').reach('b1'), true);
    } finally {
      await lab.down();
    }
  });

  test('cancel stops before the next step; a step that throws stops the schedule and names itself', async () => {
    const lab = await example('lan.yaml');
    await lab.up();
    try {
      const schedule = lab.schedule([
        { at: 0, cable: ['sw', 'h1'], up: false },
        { at: 5000, cable: ['sw', 'h1'], up: true },
      ]);
      setTimeout(() => schedule.cancel(), 100);
      const started = performance.now();
      const result = await schedule.done;
      assert.ok(performance.now() - started < 2000);
      assert.deepEqual([result.cancelled, result.ok, result.steps.length], [true, true, 1]);
      const throwing = lab.schedule([{ at: 0, do: () => Promise.reject(new NslabError('NSLAB_EXEC', 'the function failed')) }]);
      await assert.rejects(
        throwing.done,
        (e: unknown) => e instanceof NslabError && e.code === 'NSLAB_EXEC' && /^step 0 \(at 0ms, do\) failed: the function failed$/.test(e.message),
      );
    } finally {
      await lab.down();
    }
  });

  test('steps are checked at once, every problem with its path', async () => {
    const lab = await example('lan.yaml');
    assert.throws(
      () =>
        lab.schedule([
          { at: 0, cable: ['h1', 'h2'], up: false },
          // @ts-expect-error: a wrong key, as a JavaScript caller might write it
          { at: 10, cabel: ['sw', 'h1'] },
          { at: -1, heal: true },
          { at: 20, do: 'nothing' as unknown as () => void },
        ]),
      (e: unknown) => {
        assert.ok(e instanceof TopologyError);
        assert.deepEqual(
          e.issues.map((i) => `${i.path}: ${i.message}`),
          [
            'steps[0].cable: no cable joins h1 and h2',
            'steps[1].cabel: unknown key "cabel"',
            'steps[2].at: at must be a duration or milliseconds from 0 to 86400000, not the number -1',
            'steps[2].heal: heal comes before any partition',
            'steps[3].do: do must be a function',
          ],
        );
        return true;
      },
    );
  });
});
