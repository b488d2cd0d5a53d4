import assert from 'node:assert/strict';
import { test } from 'node:test';
import { applyChanges, modelOfLab } from '../../../src/plan/why/model.js';
import { probe, walk } from '../../../src/plan/why/walk.js';
import { example, labOf } from './labs.js';

test('a ring: there along the shortest path, and back, with the source the first node picks', () => {
  const p = probe(modelOfLab(example('router-ring.yaml')), 'h1', '10.3.0.19');
  assert.equal(p.reaches, true);
  assert.deepEqual(
    p.there.hops.map((h) => h.node),
    ['h1', 'r1', 'r2', 'r3', 'r4', 'h4'],
  );
  assert.equal(p.there.source, '10.3.0.13');
  assert.deepEqual(
    p.back?.hops.map((h) => h.node),
    ['h4', 'r4', 'r3', 'r2', 'r1', 'h1'],
  );
  assert.equal(p.there.hops[0]?.text, 'h1 sends to 10.3.0.19 out of eth0 via 10.3.0.12, from 10.3.0.13 (route default via 10.3.0.12 dev eth0 proto nslab)');
  assert.equal(p.there.hops[4]?.text, 'r4 sends to 10.3.0.19 out of eth2, directly connected (route 10.3.0.18/31 dev eth2 proto kernel)');
});

test('IPv6 across the dual-stack ring', () => {
  const m = modelOfLab(example('router-ring-dual.yaml'));
  const h4 = m.nodes.h4?.links[1]?.addresses.find((a) => a.family === 6)?.address ?? assert.fail();
  const p = probe(m, 'h1', h4);
  assert.equal(p.reaches, true);
  assert.equal(p.there.hops.length, 6);
});

test('a LAN: across the bridge, which is no hop; a port down cuts its host off', () => {
  const m = modelOfLab(example('lan.yaml'));
  const p = probe(m, 'h1', '10.1.0.2');
  assert.deepEqual(
    p.there.hops.map((h) => h.node),
    ['h1', 'h2'],
  );
  const port = m.nodes.sw?.links.find((l) => l.peer?.node === 'h2')?.ifname ?? assert.fail();
  const cut = applyChanges(m, [{ change: 'link.set', node: 'sw', ifname: port, up: false }]);
  const w = walk(cut, 'h1', '10.1.0.2');
  assert.equal(w.stop.stop, 'no-neighbour');
  assert.ok(w.stop.stop === 'no-neighbour' && w.stop.segment.blocked.some((b) => b.at.node === 'sw' && b.at.ifname === port && b.behind?.node === 'h2'));
});

test('a route back to where the packet came from is a loop, found at once (not after 64 hops)', () => {
  const m = modelOfLab(example('router-ring.yaml'));
  const looped = applyChanges(m, [
    { change: 'route.del', node: 'r2', route: { family: 4, to: '10.3.0.18/31', via: '10.3.0.3', dev: 'eth1', metric: 0, protocol: 77, type: 'unicast' } },
    { change: 'route.add', node: 'r2', route: { family: 4, to: '10.3.0.19/32', via: '10.3.0.0', protocol: 3 } },
  ]);
  const w = walk(looped, 'h1', '10.3.0.19');
  assert.deepEqual(w.stop, { stop: 'loop', node: 'r1', nodes: ['r1', 'r2'] });
});

test('forwarding off, a blackhole, and a strict reverse path filter each stop the packet where they are', () => {
  const m = modelOfLab(example('router-ring.yaml'));
  assert.equal(walk(applyChanges(m, [{ change: 'forwarding', node: 'r2', family: 4, on: false }]), 'h1', '10.3.0.19').stop.stop, 'forwarding-off');
  const hole = applyChanges(m, [{ change: 'route.add', node: 'r3', route: { family: 4, to: '10.3.0.19/32', protocol: 3, type: 'blackhole' } }]);
  assert.equal(walk(hole, 'h1', '10.3.0.19').stop.stop, 'route-drops');
  // r2 routes h1's subnet back through r1; make it through r3 and filter strictly: r2 drops h1's packets.
  const asym = applyChanges(m, [
    { change: 'route.add', node: 'r2', route: { family: 4, to: '10.3.0.12/31', via: '10.3.0.3', protocol: 3 }, replace: true },
    { change: 'rp_filter', node: 'r2', ifname: 'eth0', mode: 1 },
  ]);
  const w = walk(asym, 'h1', '10.3.0.19');
  assert.deepEqual(w.stop, { stop: 'rp-filter', node: 'r2', ifname: 'eth0', source: '10.3.0.13', mode: 1, expected: 'eth1' });
});

test('the tutorial: there directly, no way back', () => {
  const lab = labOf(
    'name: t\nnodes:\n  red: { routes: [{ to: 10.10.1.3/32, dev: rveth }] }\n  green: {}\nlinks:\n  - endpoints: ["red:rveth 10.10.1.2/32", "green:gveth 10.10.1.3/32"]\n',
  );
  const p = probe(modelOfLab(lab), 'red', '10.10.1.3');
  assert.equal(p.there.ok, true);
  assert.deepEqual(p.back?.stop, { stop: 'no-route', node: 'green' });
});
