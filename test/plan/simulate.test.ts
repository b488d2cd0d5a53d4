import assert from 'node:assert/strict';
import { test } from 'node:test';
import { plan, simulate } from '../../src/plan/index.js';
import type { Op, Plan } from '../../src/plan/types.js';
import { makeLab, route, tutorial } from './lab.js';

test('simulate refuses a plan that runs an op before what it waits for', () => {
  const p = plan(tutorial(), null);
  const early: Plan = { lab: p.lab, ops: [p.ops[0], p.ops[2]].filter((o): o is Op => o !== undefined) };
  assert.throws(() => simulate(early, null), { message: 'simulate: veth:red:rveth--green:gveth: runs before netns:green, which it waits for' });
  const unordered: Plan = {
    lab: p.lab,
    ops: [
      {
        op: 'veth.add',
        id: 'v',
        after: [],
        link: 'l',
        a: { node: 'red', netns: 'red', ifname: 'rveth' },
        b: { node: 'green', netns: 'green', ifname: 'gveth' },
      },
    ],
  };
  assert.throws(() => simulate(unordered, null), { message: 'simulate: v: no namespace red (ENOENT)' });
});

test('simulate refuses what the kernel refuses', () => {
  const state = simulate(plan(tutorial(), null), null);
  const again = (op: Op) => () => simulate({ lab: 'x', ops: [op] }, state);
  const a = { node: 'red', netns: 'red', ifname: 'rveth' };
  const b = { node: 'green', netns: 'green', ifname: 'other' };
  assert.throws(again({ op: 'veth.add', id: 'v', after: [], link: 'l', a, b }), /rveth exists in red \(EEXIST\)/);
  assert.throws(again({ op: 'netns.add', id: 'n', after: [], netns: 'red', node: 'red' }), /EEXIST/);
  assert.throws(
    again({ op: 'route.add', id: 'r', after: [], netns: 'red', route: route('10.0.0.0/8', { via: '192.168.0.1' }) }),
    /gateway 192.168.0.1 is on no connected subnet \(ENETUNREACH\)/,
  );
  assert.throws(again({ op: 'route.add', id: 'r', after: [], netns: 'red', route: route('10.10.1.3/32', { dev: 'rveth' }) }), /EEXIST/);
  assert.throws(again({ op: 'proc.kill', id: 'k', after: [], node: 'red', pid: 1, startTime: '1' }), /ESRCH/);
  // A device that is down takes no routes.
  const lab = makeLab('d', { red: { routes: [route('10.1.0.0/16', { dev: 'e' })] }, green: {} }, [{ a: 'red:e', b: 'green:f' }]);
  const noUp = plan(lab, null);
  noUp.ops = noUp.ops.filter((o) => o.op !== 'link.set').map((o) => ({ ...o, after: o.after.filter((d) => !d.startsWith('up:')) }));
  assert.throws(() => simulate(noUp, null), /device e is down \(ENETDOWN\)/);
});

test('simulate does not change its input', () => {
  const state = simulate(plan(tutorial(), null), null);
  const copy = structuredClone(state);
  simulate({ lab: 'x', ops: [{ op: 'netns.del', id: 'd', after: [], netns: 'green', node: 'green' }] }, state);
  assert.deepEqual(state, copy);
});

test('simulate models IPv4 primaries and secondaries, and the routes a device loses with its last address', () => {
  const lab = makeLab('s', { red: { routes: [route('default', { via: '10.0.0.9' })] }, green: {} }, [
    { a: 'red:e', b: 'green:f', aAddrs: ['10.0.0.1/24', '10.0.1.1/24', '10.0.0.2/24'] },
  ]);
  const state = simulate(plan(lab, null), null);
  const e = () => state.namespaces['red']?.links[0]?.addresses.map((c) => `${c.address}/${c.prefixLength}`);
  assert.deepEqual(e(), ['10.0.0.1/24', '10.0.1.1/24', '10.0.0.2/24']);
  const del = (address: string, id: string): Op => ({
    op: 'addr.del',
    id,
    after: [],
    netns: 'red',
    ifname: 'e',
    cidr: { family: 4, address, prefixLength: 24 },
  });
  const next = simulate({ lab: 's', ops: [del('10.0.0.1', 'a')] }, state);
  assert.deepEqual(
    next.namespaces['red']?.links[0]?.addresses.map((c) => c.address),
    ['10.0.1.1'],
  );
  assert.equal(next.namespaces['red']?.routes.length, 1);
  const last = simulate({ lab: 's', ops: [del('10.0.1.1', 'b')] }, next);
  assert.deepEqual(last.namespaces['red']?.routes, []);
});
