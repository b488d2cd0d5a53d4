import assert from 'node:assert/strict';
import { test } from 'node:test';
import { levels, plan } from '../../src/plan/index.js';
import type { Op, Plan } from '../../src/plan/types.js';
import { tutorial } from './lab.js';

function netns(id: string, after: string[] = []): Op {
  return { op: 'netns.add', id, after, netns: id, node: id };
}

test("the tutorial runs in six waves: netns, veth with red's address, both ends up with green's address, routes, exec, exec", () => {
  const p = plan(
    tutorial({
      redExec: [
        { run: 'echo one', background: false },
        { run: 'echo two', background: false },
      ],
      greenExec: [{ run: 'sleep 9', background: true }],
    }),
    null,
  );
  assert.deepEqual(
    levels(p).map((w) => w.map((o) => o.id)),
    [
      ['netns:red', 'netns:green'],
      // Red's socket makes the cable, then addresses its end: one sendmsg, in order.
      ['veth:red:rveth--green:gveth', 'addr:red:rveth:10.10.1.2/32'],
      // Green's end waits for the cable, made on red's socket; no end is raised in the wave that makes it.
      ['addr:green:gveth:10.10.1.3/32', 'up:red:rveth', 'up:green:gveth'],
      ['route:red:10.10.1.3/32', 'route:green:10.10.1.2/32'],
      ['exec:red:0', 'exec:green:0'],
      ['exec:red:1'],
    ],
  );
});

test('raising a device never rides the wave that makes it', () => {
  const veth: Op = {
    op: 'veth.add',
    id: 'v',
    after: [],
    link: 'a:e0--b:e0',
    a: { node: 'a', netns: 'a', ifname: 'e0' },
    b: { node: 'b', netns: 'b', ifname: 'e0' },
  };
  const p: Plan = {
    lab: 't',
    ops: [
      veth,
      { op: 'link.set', id: 'up', after: ['v'], netns: 'a', ifname: 'e0', up: true },
      { op: 'link.set', id: 'mtu', after: ['v'], netns: 'a', ifname: 'e0', mtu: 1400 },
    ],
  };
  assert.deepEqual(
    levels(p).map((w) => w.map((o) => o.id)),
    [['v', 'mtu'], ['up']],
  );
});

test("an op shares its dependency's wave only on the same socket, after it in the plan, and without a lookup first", () => {
  const veth: Op = {
    op: 'veth.add',
    id: 'v',
    after: [],
    link: 'a:e0--b:e0',
    a: { node: 'a', netns: 'a', ifname: 'e0' },
    b: { node: 'b', netns: 'b', ifname: 'e0' },
  };
  const addr = (id: string, netns: string, ifname: string, after: string[]): Op => ({
    op: 'addr.add',
    id,
    after,
    netns,
    ifname,
    cidr: { family: 4, address: '10.0.0.1', prefixLength: 24 },
  });
  const p: Plan = {
    lab: 't',
    ops: [
      addr('early', 'a', 'e0', ['v']), // before its dependency in the plan: next wave
      veth,
      addr('same', 'a', 'e0', ['v']), // same socket, a device the plan makes: same wave
      addr('peer', 'b', 'e0', ['v']), // the other socket: next wave
      addr('old', 'a', 'eth9', ['v']), // a device the plan does not make is looked up first: next wave
    ],
  };
  assert.deepEqual(
    levels(p).map((w) => w.map((o) => o.id)),
    [
      ['v', 'same'],
      ['early', 'peer', 'old'],
    ],
  );
});

test('every op lands after all of its dependencies, at the earliest wave', () => {
  const p: Plan = { lab: 't', ops: [netns('a'), netns('b', ['a']), netns('c'), netns('d', ['b', 'c']), netns('e', ['a'])] };
  assert.deepEqual(
    levels(p).map((w) => w.map((o) => o.id)),
    [['a', 'c'], ['b', 'e'], ['d']],
  );
  // Waves do not depend on the plan listing ops in dependency order.
  const shuffled: Plan = { lab: 't', ops: [netns('d', ['b', 'c']), netns('b', ['a']), netns('a'), netns('c')] };
  assert.deepEqual(
    levels(shuffled).map((w) => w.map((o) => o.id)),
    [['a', 'c'], ['b'], ['d']],
  );
  assert.deepEqual(levels({ lab: 't', ops: [] }), []);
});

test('a cycle, an unknown id and a duplicate id are bugs, reported as such', () => {
  assert.throws(() => levels({ lab: 't', ops: [netns('a', ['c']), netns('b', ['a']), netns('c', ['b']), netns('z')] }), {
    code: 'NSLAB_INTERNAL',
    message: 'plan t: dependency cycle through a -> c -> b -> a',
  });
  assert.throws(() => levels({ lab: 't', ops: [netns('a', ['a'])] }), { message: 'plan t: a waits for itself' });
  assert.throws(() => levels({ lab: 't', ops: [netns('a', ['nope'])] }), { message: 'plan t: a waits for nope, which is not in the plan' });
  assert.throws(() => levels({ lab: 't', ops: [netns('a'), netns('a')] }), { message: 'plan t: two operations have the id a' });
});
