import assert from 'node:assert/strict';
import { test } from 'node:test';
import { applyChanges, applyPlan, hasCarrier, modelOfLab, ModelRefusal, type NetModel } from '../../../src/plan/why/model.js';
import { example, upOps } from './labs.js';

const routesOf = (m: NetModel, node: string): string[] =>
  (m.nodes[node]?.routes ?? []).map((r) => `${r.to}${r.via !== undefined ? ` via ${r.via}` : ''} dev ${r.dev ?? '?'}`).sort();

test('the file model is what up makes: addresses, the kernel routes of their subnets, nslab routes, forwarding, cables', () => {
  const m = modelOfLab(example('router-ring.yaml'));
  assert.deepEqual(routesOf(m, 'h4'), ['10.3.0.18/31 dev eth0', 'default via 10.3.0.18 dev eth0']);
  assert.equal(m.nodes.r2?.forwarding[4], true);
  assert.equal(m.nodes.h2?.forwarding[4], false);
  const r3 = m.nodes.r3;
  assert.ok(r3 !== undefined);
  assert.deepEqual(r3.links.find((l) => l.ifname === 'eth1')?.peer, { node: 'r4', ifname: 'eth0' });
  assert.equal(hasCarrier(m, 'r3', r3.links.find((l) => l.ifname === 'eth1') ?? assert.fail()), true);
});

test('a device that goes down loses every route through it and its IPv6 addresses; up gives back only its subnets', () => {
  const m = modelOfLab(example('router-ring-dual.yaml'));
  const down = applyChanges(m, [{ change: 'link.set', node: 'r3', ifname: 'eth1', up: false }]);
  const eth1 = down.nodes.r3?.links.find((l) => l.ifname === 'eth1');
  assert.deepEqual(
    eth1?.addresses.map((a) => a.family),
    [4],
  );
  assert.ok(!routesOf(down, 'r3').some((r) => r.endsWith('dev eth1')));
  assert.equal(hasCarrier(down, 'r4', down.nodes.r4?.links.find((l) => l.ifname === 'eth0') ?? assert.fail()), false);
  const up = applyChanges(down, [{ change: 'link.set', node: 'r3', ifname: 'eth1', up: true }]);
  assert.deepEqual(
    routesOf(up, 'r3').filter((r) => r.endsWith('dev eth1')),
    ['10.4.0.4/31 dev eth1'],
  );
});

test('the last IPv4 address of a device takes every IPv4 route through it along', () => {
  const m = modelOfLab(example('router-ring.yaml'));
  const changed = applyChanges(m, [
    { change: 'addr.del', node: 'h4', ifname: 'eth0', cidr: { family: 4, address: '10.3.0.19', prefixLength: 31 } },
    { change: 'addr.add', node: 'h4', ifname: 'eth0', cidr: { family: 4, address: '10.3.1.19', prefixLength: 31 } },
  ]);
  assert.deepEqual(routesOf(changed, 'h4'), ['10.3.1.18/31 dev eth0']);
});

test('the model refuses what the kernel refuses', () => {
  const m = modelOfLab(example('router-ring.yaml'));
  assert.throws(
    () => applyChanges(m, [{ change: 'route.add', node: 'r2', route: { family: 4, to: '10.9.0.0/24', via: '10.9.9.9', protocol: 3 } }]),
    (e: unknown) => e instanceof ModelRefusal && /Nexthop has invalid gateway/.test(e.message),
  );
  assert.throws(
    () => applyChanges(m, [{ change: 'route.add', node: 'r2', route: { family: 4, to: '10.3.0.18/31', via: '10.3.0.3', protocol: 3 } }]),
    /File exists/,
  );
  const gone = applyChanges(m, [{ change: 'netns.del', node: 'r2' }]);
  assert.equal(
    gone.nodes.r1?.links.some((l) => l.ifname === 'eth0'),
    false,
  );
  assert.throws(() => applyChanges(gone, [{ change: 'link.set', node: 'r2', ifname: 'eth0', up: true }]), /does not exist/);
});

test("up's plan applied to a broken model gives back the file's model", () => {
  const lab = example('two-lans.yaml');
  const file = modelOfLab(lab);
  const broken = applyChanges(file, [{ change: 'netns.del', node: 'r' }]);
  const { model, refused } = applyPlan(broken, upOps(lab, broken));
  assert.deepEqual(refused, []);
  assert.deepEqual(routesOf(model, 'r'), routesOf(file, 'r'));
  assert.deepEqual(routesOf(model, 'a1'), routesOf(file, 'a1'));
});
