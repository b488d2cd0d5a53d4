import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Dispatcher } from '../../src/engine/dispatch.js';
import { dependencyGraph } from '../../src/plan/index.js';
import type { Op, Plan } from '../../src/plan/types.js';

// Plans of ops whose kinds give them lanes (see laneOf): a veth made in `a` and addresses on its ends.
const veth = (id: string, a: string, b: string, after: string[] = []): Op => ({
  id,
  op: 'veth.add',
  link: id,
  a: { node: a, netns: a, ifname: 'e0' },
  b: { node: b, netns: b, ifname: 'e1' },
  after,
});
const addr = (id: string, netns: string, ifname: string, after: string[]): Op => ({
  id,
  op: 'addr.add',
  netns,
  ifname,
  cidr: { address: '10.0.0.1', prefixLength: 24, family: 4 },
  after,
});
const up = (id: string, netns: string, ifname: string, after: string[]): Op => ({ id, op: 'link.set', netns, ifname, up: true, after });
const netns = (id: string, after: string[] = []): Op => ({ id, op: 'netns.add', netns: id, node: id, after });

/** Runs a plan with a start function that answers each op on a later turn; records each batch started. */
async function run(
  plan: Plan,
  options: { slice?: number; fail?: string; signal?: AbortSignal; free?: (p: number) => boolean; onBatch?: (ids: string[]) => void } = {},
): Promise<{ batches: string[][]; finished: string[]; error?: unknown }> {
  const batches: string[][] = [];
  const finished: string[] = [];
  const d: Dispatcher = new Dispatcher(
    dependencyGraph(plan),
    (positions) => {
      const ids = positions.map((p) => (plan.ops[p] as Op).id);
      batches.push(ids);
      options.onBatch?.(ids);
      for (const p of positions) {
        const id = (plan.ops[p] as Op).id;
        setImmediate(() => {
          finished.push(id);
          if (id === options.fail) d.failed(new Error(`${id} failed`));
          else d.done(p);
        });
      }
    },
    { slice: options.slice ?? 50, ...(options.free !== undefined ? { free: options.free } : {}), signal: options.signal },
  );
  try {
    await d.run();
    return { batches, finished };
  } catch (error) {
    return { batches, finished, error };
  }
}

test('an op starts with the dependency it rides on its lane, and after the end of the others', async () => {
  const plan: Plan = {
    lab: 't',
    ops: [
      netns('a'),
      netns('b'),
      veth('v', 'a', 'b', ['a', 'b']),
      addr('near', 'a', 'e0', ['v']),
      addr('far', 'b', 'e1', ['v']),
      up('up', 'a', 'e0', ['v', 'near']),
    ],
  };
  const { batches, error } = await run(plan);
  assert.equal(error, undefined);
  // The near end's address rides the cable's lane (same socket, in plan order); the far end's is on b's
  // socket and waits for the answer; raising a device never rides the batch that makes it.
  assert.deepEqual(batches, [
    ['a', 'b'],
    ['v', 'near'],
    ['far', 'up'],
  ]);
});

test('no barrier between waves: an op starts as soon as its own dependencies end', async () => {
  // x ends at once; y's chain is longer. z waits only for x and must not wait for y's chain.
  const plan: Plan = { lab: 't', ops: [netns('x'), netns('y'), netns('y2', ['y']), netns('y3', ['y2']), netns('z', ['x'])] };
  const { batches } = await run(plan);
  // (Ops become ready in the order their dependencies end: z's ended first.)
  assert.deepEqual(batches, [['x', 'y'], ['z', 'y2'], ['y3']]);
});

test('at most `slice` ops start per turn, and free ops do not count', async () => {
  const ops = Array.from({ length: 7 }, (_, i) => netns(`n${i}`));
  assert.deepEqual((await run({ lab: 't', ops }, { slice: 3 })).batches, [['n0', 'n1', 'n2'], ['n3', 'n4', 'n5'], ['n6']]);
  assert.deepEqual((await run({ lab: 't', ops }, { slice: 3, free: () => true })).batches, [['n0', 'n1', 'n2', 'n3', 'n4', 'n5', 'n6']]);
});

test('after a failure nothing starts, and the run rejects once the ops at work have finished', async () => {
  const plan: Plan = { lab: 't', ops: [netns('a'), netns('b'), netns('c'), netns('after-a', ['a']), netns('after-b', ['b'])] };
  const { batches, finished, error } = await run(plan, { fail: 'a' });
  assert.deepEqual(batches, [['a', 'b', 'c']]);
  assert.deepEqual(finished.sort(), ['a', 'b', 'c'], 'b and c, at work when a failed, finished before the run rejected');
  assert.equal((error as Error).message, 'a failed');
});

test('an abort stops the run before the next op starts, with the signal`s reason', async () => {
  const controller = new AbortController();
  const plan: Plan = { lab: 't', ops: [netns('a'), netns('b', ['a'])] };
  const { batches, error } = await run(plan, { signal: controller.signal, onBatch: () => controller.abort() });
  assert.deepEqual(batches, [['a']]);
  assert.equal((error as Error).name, 'AbortError');
});

test('an empty plan is done at once', async () => {
  assert.deepEqual(await run({ lab: 't', ops: [] }), { batches: [], finished: [] });
});
