import assert from 'node:assert/strict';
import { test } from 'node:test';
import { levels, plan, simulate, teardownPlan } from '../../src/plan/index.js';
import type { ObservedLab } from '../../src/plan/types.js';
import { makeLab, tutorial } from './lab.js';

test("teardown: kill every process, then delete every namespace after its node's kills", () => {
  const observed: ObservedLab = {
    namespaces: {
      'lab-red': { node: 'red', links: [], routes: [], sysctls: {} },
      'lab-green': { node: 'green', links: [], routes: [], sysctls: {} },
      'lab-blue': { node: 'blue', links: [], routes: [], sysctls: {} },
    },
    processes: [
      { node: 'red', pid: 4321, startTime: '11', run: 'sleep 100' },
      { node: 'green', pid: 77, startTime: '12', run: 'nc -l 7' },
      { node: 'red', pid: 1234, startTime: '13', run: 'python3 -m http.server' },
    ],
  };
  const p = teardownPlan('demo', observed);
  assert.deepEqual(p, {
    lab: 'demo',
    ops: [
      { op: 'proc.kill', id: 'kill:green:77', after: [], node: 'green', pid: 77, startTime: '12' },
      { op: 'proc.kill', id: 'kill:red:1234', after: [], node: 'red', pid: 1234, startTime: '13' },
      { op: 'proc.kill', id: 'kill:red:4321', after: [], node: 'red', pid: 4321, startTime: '11' },
      { op: 'netns.del', id: 'del-netns:blue', after: [], netns: 'lab-blue', node: 'blue' },
      { op: 'netns.del', id: 'del-netns:green', after: ['kill:green:77'], netns: 'lab-green', node: 'green' },
      { op: 'netns.del', id: 'del-netns:red', after: ['kill:red:1234', 'kill:red:4321'], netns: 'lab-red', node: 'red' },
    ],
  });
  assert.deepEqual(
    levels(p).map((w) => w.map((o) => o.id)),
    [
      ['kill:green:77', 'kill:red:1234', 'kill:red:4321', 'del-netns:blue'],
      ['del-netns:green', 'del-netns:red'],
    ],
  );
});

test('teardown of a lab that is up leaves nothing; of nothing, an empty plan', () => {
  const lab = tutorial({ redExec: [{ run: 'sleep 1000', background: true }] });
  const state = simulate(plan(lab, null), null);
  const p = teardownPlan(lab.name, state);
  assert.deepEqual(
    p.ops.map((o) => o.id),
    ['kill:red:1001', 'del-netns:green', 'del-netns:red'],
  );
  assert.deepEqual(simulate(p, state), { namespaces: {}, processes: [] });
  assert.deepEqual(teardownPlan('x', { namespaces: {}, processes: [] }), { lab: 'x', ops: [] });
});

test('teardown names a namespace whose node is unknown by the namespace', () => {
  const p = teardownPlan('x', { namespaces: { 'x-old': { node: '', links: [], routes: [], sysctls: {} } }, processes: [] });
  assert.deepEqual(p.ops, [{ op: 'netns.del', id: 'del-netns:x-old', after: [], netns: 'x-old', node: '' }]);
  // An empty desired lab against a lab that is up removes it all, like teardown.
  const up = simulate(plan(tutorial(), null), null);
  assert.deepEqual(
    plan(makeLab('two-computers', {}, []), up).ops.map((o) => o.id),
    ['del-netns:green', 'del-netns:red'],
  );
});
