import assert from 'node:assert/strict';
import { test } from 'node:test';
import { PlanBuilder } from '../../src/plan/builder.js';
import type { Op } from '../../src/plan/types.js';

function netns(id: string, after: string[] = []): Op {
  return { op: 'netns.add', id, after, netns: id, node: id };
}

test('after lists come out each id once, in plan order, whatever order they went in', () => {
  const b = new PlanBuilder('t');
  for (const id of ['a', 'b', 'c']) b.push(netns(id));
  b.push(netns('in-order', ['a', 'c']));
  b.push(netns('reversed', ['c', 'b', 'a']));
  b.push(netns('twice', ['b', 'a', 'b']));
  b.push(netns('one', ['c']));
  assert.deepEqual(
    b.build().ops.map((op) => [op.id, op.after]),
    [
      ['a', []],
      ['b', []],
      ['c', []],
      ['in-order', ['a', 'c']],
      ['reversed', ['a', 'b', 'c']],
      ['twice', ['a', 'b']],
      ['one', ['c']],
    ],
  );
});

test('one list passed for several ops is copied, not shared', () => {
  const b = new PlanBuilder('t');
  b.push(netns('a'));
  const shared = ['a'];
  b.push(netns('x', shared));
  b.push(netns('y', shared));
  shared.push('x');
  const [, x, y] = b.build().ops;
  assert.deepEqual([x?.after, y?.after], [['a'], ['a']]);
  assert.notEqual(x?.after, y?.after);
});

test('a taken id gets a number; sinks are the ops nothing waits for; an unknown dependency is a bug', () => {
  const b = new PlanBuilder('t');
  assert.equal(b.push(netns('a')), 'a');
  assert.equal(b.push(netns('a')), 'a#2');
  b.push(netns('b', ['a']));
  assert.deepEqual(b.sinks(), ['a#2', 'b']);
  assert.throws(() => b.push(netns('c', ['a', 'nope'])), { message: 'planner bug: c waits for nope, which is not (yet) in the plan' });
});
