import assert from 'node:assert/strict';
import { test } from 'node:test';
import { levels, plan } from '../../src/plan/index.js';
import type { Op, Plan } from '../../src/plan/types.js';
import { tutorial } from './lab.js';

function netns(id: string, after: string[] = []): Op {
  return { op: 'netns.add', id, after, netns: id, node: id };
}

test('the tutorial runs in five waves: netns, veth, addr + up, route, exec', () => {
  const p = plan(tutorial({ redExec: [{ run: 'echo one', background: false }, { run: 'echo two', background: false }], greenExec: [{ run: 'sleep 9', background: true }] }), null);
  assert.deepEqual(
    levels(p).map((w) => w.map((o) => o.id)),
    [
      ['netns:red', 'netns:green'],
      ['veth:red:rveth--green:gveth'],
      ['addr:red:rveth:10.10.1.2/32', 'addr:green:gveth:10.10.1.3/32', 'up:red:rveth', 'up:green:gveth'],
      ['route:red:10.10.1.3/32', 'route:green:10.10.1.2/32'],
      ['exec:red:0', 'exec:green:0'],
      ['exec:red:1'],
    ],
  );
});

test('every op lands after all of its dependencies, at the earliest wave', () => {
  const p: Plan = { lab: 't', ops: [netns('a'), netns('b', ['a']), netns('c'), netns('d', ['b', 'c']), netns('e', ['a'])] };
  assert.deepEqual(levels(p).map((w) => w.map((o) => o.id)), [['a', 'c'], ['b', 'e'], ['d']]);
  // Waves do not depend on the plan listing ops in dependency order.
  const shuffled: Plan = { lab: 't', ops: [netns('d', ['b', 'c']), netns('b', ['a']), netns('a'), netns('c')] };
  assert.deepEqual(levels(shuffled).map((w) => w.map((o) => o.id)), [['a', 'c'], ['b'], ['d']]);
  assert.deepEqual(levels({ lab: 't', ops: [] }), []);
});

test('a cycle, an unknown id and a duplicate id are bugs, reported as such', () => {
  assert.throws(() => levels({ lab: 't', ops: [netns('a', ['c']), netns('b', ['a']), netns('c', ['b']), netns('z')] }), { name: 'Error', message: 'plan t: dependency cycle through a -> c -> b -> a' });
  assert.throws(() => levels({ lab: 't', ops: [netns('a', ['a'])] }), { message: 'plan t: a waits for itself' });
  assert.throws(() => levels({ lab: 't', ops: [netns('a', ['nope'])] }), { message: 'plan t: a waits for nope, which is not in the plan' });
  assert.throws(() => levels({ lab: 't', ops: [netns('a'), netns('a')] }), { message: 'plan t: two operations have the id a' });
});
