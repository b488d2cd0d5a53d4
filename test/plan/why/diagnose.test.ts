import assert from 'node:assert/strict';
import { test } from 'node:test';
import { diagnose, type Diagnosis } from '../../../src/plan/why/diagnose.js';
import { applyChanges, modelOfLab, routeScope, type ModelChange, type NetModel } from '../../../src/plan/why/model.js';
import type { ResolvedLab } from '../../../src/topology/types.js';
import { example, labOf, upOps } from './labs.js';
import { lookup, probe } from '../../../src/plan/why/walk.js';

const UP = 'nslab up ring.yaml';

/** Breaks the file's network with `changes` and asks why `from` does not reach `address`. */
function after(lab: ResolvedLab, changes: ModelChange[], from: string, address: string, to: string): Diagnosis & { kernel: NetModel } {
  const kernel = applyChanges(modelOfLab(lab), changes);
  return { ...diagnose({ lab, kernel, file: modelOfLab(lab), upOps: upOps(lab, kernel), upCommand: UP, from, address, to }), kernel };
}

const ring = example('router-ring.yaml');
const r2Route: ModelChange = {
  change: 'route.del',
  node: 'r2',
  route: { family: 4, to: '10.3.0.18/31', via: '10.3.0.3', dev: 'eth1', metric: 0, protocol: 77, type: 'unicast' },
};

test('a route deleted by hand: nslab up first, then that route put back (never one that points back at r1)', () => {
  const d = after(ring, [r2Route], 'h1', '10.3.0.19', 'h4');
  assert.equal(d.cause?.kind, 'no-route');
  assert.equal(d.cause?.node, 'r2');
  assert.deepEqual(
    d.advice.map((a) => a.command),
    [UP, 'ip -n ring-r2 route add 10.3.0.18/31 via 10.3.0.3 dev eth1 proto 77'],
  );
  assert.deepEqual(d.drift, ['route ring-r2 10.3.0.18/31 via 10.3.0.3 dev eth1']);
  assert.match(
    d.verdict,
    /^h1 does not reach h4 \(10\.3\.0\.19\): r2 has no route to 10\.3\.0\.19 \(h4's address\): r2's route 10\.3\.0\.18\/31 via 10\.3\.0\.3 dev eth1 proto nslab, which the file's network has, is missing\. Fix: nslab up ring\.yaml/,
  );
});

test('a link end down: the link is named, not a route; nslab link set (which puts the routes back) is the one command', () => {
  const d = after(ring, [{ change: 'link.set', node: 'r3', ifname: 'eth1', up: false }], 'h1', '10.3.0.19', 'h4');
  assert.deepEqual(d.cause, {
    kind: 'interface-down',
    node: 'r3',
    ifname: 'eth1',
    text: "r3:eth1 is down: the kernel took away every route through it, r3's route 10.3.0.18/31 via 10.3.0.5 dev eth1 proto nslab to 10.3.0.19 among them",
  });
  assert.deepEqual(
    d.advice.map((a) => a.command),
    [UP, 'nslab link set r3:eth1 up --lab ring'],
  );
});

test('the far end down: the far end is named', () => {
  const d = after(ring, [{ change: 'link.set', node: 'r4', ifname: 'eth0', up: false }], 'h1', '10.3.0.19', 'h4');
  assert.equal(d.cause?.text, 'r4:eth0, the other end of r3:eth1, is down');
  assert.equal(d.advice[1]?.command, 'nslab link set r4:eth0 up --lab ring');
});

test('IPv6: a device that went down lost its addresses, so bringing it up alone does not fix it; nslab up does', () => {
  const dual = example('router-ring-dual.yaml');
  const h4 = modelOfLab(dual).nodes.h4?.links[1]?.addresses.find((a) => a.family === 6)?.address ?? assert.fail();
  const d = after(dual, [{ change: 'link.set', node: 'r3', ifname: 'eth1', up: false }], 'h1', h4, 'h4');
  assert.equal(d.cause?.kind, 'interface-down');
  assert.deepEqual(
    d.advice.map((a) => a.command),
    [UP],
  );
  assert.match(d.verdict, /no single command does it$/);
});

test('forwarding off in a router: the sysctl, not "make it a router"', () => {
  const d = after(ring, [{ change: 'forwarding', node: 'r2', family: 4, on: false }], 'h1', '10.3.0.19', 'h4');
  assert.equal(d.cause?.kind, 'forwarding-off');
  assert.doesNotMatch(d.verdict, /kind: router/);
  assert.deepEqual(
    d.advice.map((a) => a.command),
    [UP, 'ip netns exec ring-r2 sysctl -qw net.ipv4.ip_forward=1'],
  );
});

test('a namespace gone: named, and no route over the interface that went with it', () => {
  const tc = example('two-computers.yaml');
  const d = after(tc, [{ change: 'netns.del', node: 'red' }], 'green', '10.10.1.2', 'red');
  assert.deepEqual(d.cause, { kind: 'namespace-gone', node: 'red', text: "red's namespace red is gone" });
  assert.deepEqual(
    d.advice.map((a) => a.command),
    [UP],
  );
  const middle = after(ring, [{ change: 'netns.del', node: 'r2' }], 'h1', '10.3.0.17', 'h3');
  assert.equal(middle.cause?.kind, 'namespace-gone');
  assert.equal(middle.cause?.node, 'r2');
});

test('an address in the wrong subnet: both subnets named', () => {
  const d = after(
    ring,
    [
      { change: 'addr.del', node: 'h4', ifname: 'eth0', cidr: { family: 4, address: '10.3.0.19', prefixLength: 31 } },
      { change: 'addr.add', node: 'h4', ifname: 'eth0', cidr: { family: 4, address: '10.3.1.19', prefixLength: 31 } },
    ],
    'h1',
    '10.3.0.19',
    'h4',
  );
  assert.equal(d.cause?.kind, 'wrong-subnet');
  assert.match(
    d.cause?.text ?? '',
    /h4:eth0 has 10\.3\.1\.19\/31 \(subnet 10\.3\.1\.18\/31\) where the file gives it 10\.3\.0\.19\/31 \(subnet 10\.3\.0\.18\/31\)/,
  );
  assert.match(d.cause?.text ?? '', /r4:eth2 has 10\.3\.0\.18\/31 \(subnet 10\.3\.0\.18\/31\)/);
  assert.deepEqual(
    d.advice.map((a) => a.command),
    [UP],
  );
  // On a LAN the right address alone is enough: one command.
  const lan = example('lan.yaml');
  const l = after(
    lan,
    [
      { change: 'addr.del', node: 'h2', ifname: 'eth0', cidr: { family: 4, address: '10.1.0.2', prefixLength: 24 } },
      { change: 'addr.add', node: 'h2', ifname: 'eth0', cidr: { family: 4, address: '10.1.9.2', prefixLength: 24 } },
    ],
    'h1',
    '10.1.0.2',
    'h2',
  );
  assert.deepEqual(
    l.advice.map((a) => a.command),
    [UP, 'ip -n lan-h2 addr add 10.1.0.2/24 dev eth0'],
  );
});

test('a kernel route nslab did not make (another protocol) that loops: named with its protocol, and deleting it is the fix', () => {
  const d = after(
    ring,
    [r2Route, { change: 'route.add', node: 'r2', route: { family: 4, to: '10.3.0.16/30', via: '10.3.0.0', protocol: 188 } }],
    'h1',
    '10.3.0.19',
    'h4',
  );
  assert.equal(d.cause?.kind, 'loop');
  assert.match(d.cause?.text ?? '', /r2's route 10\.3\.0\.16\/30 via 10\.3\.0\.0 dev eth0 proto ospf, not nslab's, sends it round/);
  assert.deepEqual(
    d.advice.map((a) => a.command),
    [UP, 'ip -n ring-r2 route add 10.3.0.18/31 via 10.3.0.3 dev eth1 proto 77'],
  );
});

test("the kernel's own route of a subnet deleted: nslab up would not restore it, so the command comes first", () => {
  const lan = example('lan.yaml');
  const d = after(
    lan,
    [{ change: 'route.del', node: 'h1', route: { family: 4, to: '10.1.0.0/24', dev: 'eth0', metric: 0, protocol: 2, type: 'unicast', src: '10.1.0.1' } }],
    'h1',
    '10.1.0.2',
    'h2',
  );
  assert.deepEqual(d.drift, []);
  assert.deepEqual(
    d.advice.map((a) => a.command),
    ['ip -n lan-h1 route add 10.1.0.0/24 dev eth0 proto 2 src 10.1.0.1'],
  );
});

test("the file's own mistake (the tutorial's missing route back): the route to add, to the kernel and to the file", () => {
  const lab = labOf(
    'name: t\nprefix: ""\nnodes:\n  red: { routes: [{ to: 10.10.1.3/32, dev: rveth }] }\n  green: {}\nlinks:\n  - endpoints: ["red:rveth 10.10.1.2/32", "green:gveth 10.10.1.3/32"]\n',
  );
  const d = after(lab, [], 'red', '10.10.1.3', 'green');
  assert.equal(
    d.verdict,
    "red reaches green (10.10.1.3) but the reply cannot come back: green has no route to 10.10.1.2 (red's address), in the kernel or in the file. Fix: ip -n green route add 10.10.1.2/32 dev gveth, and add { to: 10.10.1.2/32, dev: gveth } to green's routes in the file",
  );
  assert.deepEqual(
    d.advice.map((a) => a.kind),
    ['command', 'file'],
  );
});

test('no single command fixes it: said plainly, nothing proposed', () => {
  const lab = labOf(
    'name: c\nnodes:\n  a: {}\n  m: {}\n  b: { routes: [{ to: 10.1.0.0/24, via: 10.2.0.1 }] }\nlinks:\n  - endpoints: ["a:e0 10.1.0.1/24", "m:e0 10.1.0.2/24"]\n  - endpoints: ["m:e1 10.2.0.1/24", "b:e0 10.2.0.2/24"]\n',
  );
  const d = after(lab, [], 'a', '10.2.0.2', 'b');
  assert.equal(d.cause?.kind, 'no-route');
  assert.deepEqual(d.advice, []);
  assert.match(d.verdict, /nslab knows no single command that fixes it$/);
});

test('a router made anew behind a LAN: the hosts keep its old link-layer address, so up comes with forgetting it', () => {
  const lab = example('two-lans.yaml');
  const file = modelOfLab(lab);
  // The kernel as read: every device with its own address, and the hosts' entries for their gateway.
  let n = 0;
  for (const node of Object.values(file.nodes)) for (const l of node.links) l.mac = `02:00:00:00:00:${(n++).toString(16).padStart(2, '0')}`;
  const macOf = (node: string, ifname: string): string => file.nodes[node]?.links.find((l) => l.ifname === ifname)?.mac ?? assert.fail();
  const rLeft = file.nodes.r?.links.find((l) => l.addresses.some((a) => a.address === '10.2.0.1'))?.ifname ?? assert.fail();
  const rRight = file.nodes.r?.links.find((l) => l.addresses.some((a) => a.address === '10.2.1.1'))?.ifname ?? assert.fail();
  file.nodes.a1?.neighbours.push({ ifname: 'eth0', address: '10.2.0.1', mac: macOf('r', rLeft), state: 'reachable' });
  file.nodes.b1?.neighbours.push({ ifname: 'eth0', address: '10.2.1.1', mac: macOf('r', rRight), state: 'stale' });
  const kernel = applyChanges(file, [{ change: 'netns.del', node: 'r' }]);
  const d = diagnose({
    lab,
    kernel,
    file: modelOfLab(lab),
    upOps: upOps(lab, kernel),
    upCommand: 'nslab up two-lans.yaml',
    from: 'a1',
    address: '10.2.1.2',
    to: 'b1',
  });
  assert.equal(d.cause?.kind, 'namespace-gone');
  assert.deepEqual(
    d.advice.map((a) => a.command),
    ['nslab up two-lans.yaml && ip -n two-lans-a1 neigh del 10.2.0.1 dev eth0 && ip -n two-lans-b1 neigh del 10.2.1.1 dev eth0'],
  );
  assert.match(d.advice[0]?.text ?? '', /restores the file's network .* a1 forgets the link-layer address it has for 10\.2\.0\.1 and b1 forgets/);
});

test('an address changed within its subnet is said as such, not as a wrong subnet', () => {
  const lan = example('lan.yaml');
  const d = after(
    lan,
    [
      { change: 'addr.del', node: 'h2', ifname: 'eth0', cidr: { family: 4, address: '10.1.0.2', prefixLength: 24 } },
      { change: 'addr.add', node: 'h2', ifname: 'eth0', cidr: { family: 4, address: '10.1.0.9', prefixLength: 24 } },
    ],
    'h1',
    '10.1.0.2',
    'h2',
  );
  assert.equal(d.cause?.kind, 'address-changed');
  assert.match(d.cause?.text ?? '', /h2:eth0 has 10\.1\.0\.9\/24 \(subnet 10\.1\.0\.0\/24\) where the file gives it 10\.1\.0\.2\/24/);
});

test('an address changed while the sender still has its link-layer address cached: the frames arrive, the address is named', () => {
  const lan = example('lan.yaml');
  const file = modelOfLab(lan);
  const h2 = file.nodes.h2?.links.find((l) => l.ifname === 'eth0') ?? assert.fail();
  h2.mac = '02:00:00:00:00:02';
  file.nodes.h1?.neighbours.push({ ifname: 'eth0', address: '10.1.0.2', mac: '02:00:00:00:00:02', state: 'reachable' });
  const kernel = applyChanges(file, [
    { change: 'addr.del', node: 'h2', ifname: 'eth0', cidr: { family: 4, address: '10.1.0.2', prefixLength: 24 } },
    { change: 'addr.add', node: 'h2', ifname: 'eth0', cidr: { family: 4, address: '10.1.100.2', prefixLength: 24 } },
  ]);
  const d = diagnose({ lab: lan, kernel, file: modelOfLab(lan), upOps: upOps(lan, kernel), upCommand: UP, from: 'h1', address: '10.1.0.2', to: 'h2' });
  assert.deepEqual(
    d.probe.there.hops.map((h) => h.node),
    ['h1', 'h2'],
  );
  assert.equal(d.cause?.kind, 'wrong-subnet');
  assert.match(
    d.cause?.text ?? '',
    /^h2 gets the packet but does not hold 10\.1\.0\.2 now: h2:eth0 has 10\.1\.100\.2\/24 \(subnet 10\.1\.100\.0\/24\) where the file gives it 10\.1\.0\.2\/24 \(subnet 10\.1\.0\.0\/24\)$/,
  );
});

test('IPv6 keeps the routes of a device whose address changed: the reply to the new address finds no way, and the address is named', () => {
  const dual = example('router-ring-dual.yaml');
  const h4 =
    modelOfLab(dual)
      .nodes.h4?.links.find((l) => l.ifname === 'eth0')
      ?.addresses.find((a) => a.family === 6) ?? assert.fail();
  const r5 =
    modelOfLab(dual)
      .nodes.r5?.links.flatMap((l) => l.addresses)
      .find((a) => a.family === 6)?.address ?? assert.fail();
  const d = after(
    dual,
    [
      { change: 'addr.del', node: 'h4', ifname: 'eth0', cidr: h4 },
      { change: 'addr.add', node: 'h4', ifname: 'eth0', cidr: { ...h4, address: 'fd99:4::13' } },
    ],
    'h4',
    r5,
    'r5',
  );
  assert.equal(d.probe.there.ok, true);
  assert.equal(d.cause?.kind, 'wrong-subnet');
  assert.match(d.cause?.text ?? '', /^r5 has no route to fd99:4::13, h4's address now: h4:eth0 has fd99:4::13\/127/);
  assert.deepEqual(
    d.advice.map((a) => a.command),
    [UP, 'ip -n ring6-h4 addr add fd00:4::13/127 dev eth0 nodad'],
  );
});

test("a hand-made route in place of the file's that sends the packet back: named, and replaced by the file's (up would refuse)", () => {
  const kernel = applyChanges(modelOfLab(ring), [
    r2Route,
    { change: 'route.add', node: 'r2', route: { family: 4, to: '10.3.0.18/31', via: '10.3.0.0', protocol: 3 } },
  ]);
  const refused = [
    'namespace ring-r2 (node r2) has a route 10.3.0.18/31 via 10.3.0.0 (proto 3) that nslab did not make, where the lab wants 10.3.0.18/31 via 10.3.0.3',
  ];
  const d = diagnose({ lab: ring, kernel, file: modelOfLab(ring), upOps: [], upRefused: refused, upCommand: UP, from: 'h1', address: '10.3.0.19', to: 'h4' });
  assert.equal(d.cause?.kind, 'loop');
  assert.match(
    d.cause?.text ?? '',
    /^the packet loops \(r1 -> r2 -> r1\): r2's route 10\.3\.0\.18\/31 via 10\.3\.0\.0 dev eth0 proto boot, not nslab's, sends it round/,
  );
  assert.deepEqual(
    d.advice.map((a) => a.command),
    ['ip -n ring-r2 route replace 10.3.0.18/31 via 10.3.0.3 dev eth1 proto 77'],
  );
});

test("a lab routed by OSPF: a missing route is the daemon's business, and why says it does not know", () => {
  const ospf = example('router-ring-ospf.yaml');
  const d = diagnose({ lab: ospf, kernel: modelOfLab(ospf), file: modelOfLab(ospf), upOps: [], from: 'h1', address: '10.3.0.19', to: 'h4' });
  assert.equal(d.cause?.kind, 'unknown');
  assert.match(d.cause?.text ?? '', /^r1 has no route to 10\.3\.0\.19 \(h4's address\): in this lab routes come from OSPF \(FRR\), which nslab does not model/);
  assert.deepEqual(d.advice, []);
});

test('a large drift is said in a bounded list: the first three changes, whole, and how many more', () => {
  // One route of nslab's deleted in each of the 12 nodes: up would put back 12 routes.
  const changes = Object.values(modelOfLab(ring).nodes).flatMap((n): ModelChange[] => {
    const route = n.routes.find((r) => r.protocol === 77);
    return route !== undefined ? [{ change: 'route.del', node: n.name, route }] : [];
  });
  assert.equal(changes.length, 12);
  const d = after(ring, changes, 'h1', '10.3.0.19', 'h4');
  assert.equal(d.drift.length, 12);
  assert.equal(
    d.advice[0]?.text,
    "nslab up ring.yaml restores the file's network (route ring-r1 10.3.0.2/31 via 10.3.0.1 dev eth0, route ring-r2 10.3.0.4/31 via 10.3.0.3 dev eth1, route ring-r3 10.3.0.0/31 via 10.3.0.2 dev eth0 ... and 9 more), in which h1 reaches h4 and back",
  );
});

/**
 * A lab over two machines as the controller joins it: red and r on A, green on B, the r-green cable a
 * VXLAN whose far end the controller knows. The kernel model is the file's with that cable's ends made VXLAN
 * devices (a VXLAN always has carrier); B's nodes absent when B does not answer.
 */
function overHosts(bGone: boolean): Diagnosis {
  const lab = labOf(
    `name: seen\nrouting: static\nhosts:\n  A: { ssh: root@a }\n  B: { ssh: root@b }\nnodes:\n  red: { host: A }\n  r: { kind: router, host: A }\n  green: { host: B }\nlinks:\n  - endpoints: ["red 10.1.0.1/24", "r 10.1.0.2/24"]\n  - endpoints: ["r 10.2.0.1/24", "green 10.2.0.2/24"]\n`,
  );
  const kernel = modelOfLab(lab);
  for (const [node, ifname] of [
    ['r', 'eth1'],
    ['green', 'eth0'],
  ] as const) {
    const dev = kernel.nodes[node]?.links.find((l) => l.ifname === ifname);
    if (dev !== undefined) Object.assign(dev, { kind: 'vxlan', carrier: true });
  }
  const hostsGone = bGone ? { green: { host: 'B', ssh: 'root@b', reason: 'host B cannot be reached over ssh (root@b): No route to host' } } : {};
  if (bGone) Object.assign(kernel.nodes.green ?? {}, { present: false, links: [], routes: [] });
  return diagnose({ lab, kernel, file: modelOfLab(lab), upOps: [], upCommand: 'nslab up seen.yaml', from: 'red', address: '10.2.0.2', to: 'green', hostsGone });
}

test('across hosts: a VXLAN with a known far end is a cable; a dead host at the far end is the cause, with what to do', () => {
  const alive = overHosts(false);
  assert.equal(alive.reaches, true, alive.verdict);
  assert.deepEqual(
    alive.probe.there.hops.map((h) => h.node),
    ['red', 'r', 'green'],
  );
  const dead = overHosts(true);
  assert.equal(dead.reaches, false);
  assert.deepEqual(dead.cause?.kind, 'host-gone');
  assert.equal(dead.cause?.node, 'green');
  assert.match(
    dead.verdict,
    /^red does not reach green \(10\.2\.0\.2\): host B, where green runs, does not answer \(host B cannot be reached over ssh \(root@b\): No route to host\); a cable to a dead host keeps its carrier/,
  );
  assert.deepEqual(
    dead.advice.map((a) => a.command),
    ['ssh root@b true', 'nslab up seen.yaml'],
  );
});

test('a model scoped to the addresses asked about answers as the whole one does, with a fraction of the routes', () => {
  // A 6 x 6 grid of routers with computed routes: 36 routers, 60 cables, 2,160 routes.
  const n = 6;
  const nodes = Array.from({ length: n * n }, (_, i) => `  r${Math.floor(i / n)}x${i % n}: { kind: router }`);
  const cables: string[] = [];
  for (let r = 0; r < n; r++)
    for (let c = 0; c < n; c++) {
      if (c + 1 < n) cables.push(`  - endpoints: [r${r}x${c}:ee, r${r}x${c + 1}:ew]`);
      if (r + 1 < n) cables.push(`  - endpoints: [r${r}x${c}:es, r${r + 1}x${c}:en]`);
    }
  const grid = labOf(['name: grid', 'routing: static', 'addressing: { p2p: 10.9.0.0/16 }', 'nodes:', ...nodes, 'links:', ...cables].join('\n'));
  const full = modelOfLab(grid);
  const routes = (m: NetModel): number => Object.values(m.nodes).reduce((sum, node) => sum + node.routes.length, 0);
  const addressesOf = (node: string): string[] => (full.nodes[node]?.links ?? []).flatMap((l) => l.addresses.map((a) => a.address));
  const target = addressesOf('r5x5')[0] ?? assert.fail();
  const scope = routeScope([target, ...addressesOf('r0x0')]);
  const scoped = modelOfLab(grid, scope);
  assert.ok(routes(scoped) * 5 < routes(full), `${routes(scoped)} routes scoped, ${routes(full)} in all`);
  // The same answers: reaching, and broken on the way there (a link down, forwarding off, a route gone)
  // or on the way back.
  const there = probe(full, 'r0x0', target).there.hops;
  const back = probe(full, 'r0x0', target).back?.hops ?? assert.fail();
  const hop = (hops: typeof there, i: number): (typeof there)[number] => hops[i] ?? assert.fail();
  const [mid, second, third, backMid] = [hop(there, 4), hop(there, 1), hop(there, 3), hop(back, 5)];
  const used = lookup(full.nodes[third.node] ?? assert.fail(), target, 4) ?? assert.fail();
  const breaks: ModelChange[][] = [
    [],
    [{ change: 'link.set', node: mid.node, ifname: mid.out ?? assert.fail(), up: false }],
    [{ change: 'forwarding', node: second.node, family: 4, on: false }],
    [{ change: 'route.del', node: third.node, route: used }],
    [{ change: 'link.set', node: backMid.node, ifname: backMid.out ?? assert.fail(), up: false }],
  ];
  for (const changes of breaks) {
    const answer = (whole: NetModel, file: NetModel): Diagnosis => {
      const kernel = applyChanges(whole, changes);
      return diagnose({ lab: grid, kernel, file, upOps: upOps(grid, applyChanges(full, changes)), upCommand: UP, from: 'r0x0', address: target, to: 'r5x5' });
    };
    const a = answer(full, full);
    const b = answer(scoped, scoped);
    assert.deepEqual(b, a, JSON.stringify(changes));
    assert.equal(a.reaches, changes.length === 0);
  }
});
