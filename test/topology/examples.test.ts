import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { DEFAULT_LAB_NAME, DEFAULT_LAB_TEXT, parseTopology, routesOf, type ResolvedLab } from '../../src/topology/index.js';
import { placedParse } from '../../src/topology/parse.js';

const read = (name: string): string => readFileSync(new URL(`../../examples/${name}`, import.meta.url), 'utf8');

test('examples/two-computers.yaml resolves to the tutorial: /32 on each end and a host route to the other', () => {
  const expected: ResolvedLab = {
    name: 'two-computers',
    prefix: '',
    nodes: [
      {
        name: 'red',
        netns: 'red',
        kind: 'host',
        forwarding: false,
        interfaces: ['rveth'],
        routes: [{ family: 4, to: { family: 4, address: '10.10.1.3', prefixLength: 32 }, dev: 'rveth' }],
        exec: [],
      },
      {
        name: 'green',
        netns: 'green',
        kind: 'host',
        forwarding: false,
        interfaces: ['gveth'],
        routes: [{ family: 4, to: { family: 4, address: '10.10.1.2', prefixLength: 32 }, dev: 'gveth' }],
        exec: [],
      },
    ],
    links: [
      {
        id: 'red:rveth--green:gveth',
        a: { node: 'red', netns: 'red', ifname: 'rveth', addresses: [{ family: 4, address: '10.10.1.2', prefixLength: 32 }] },
        b: { node: 'green', netns: 'green', ifname: 'gveth', addresses: [{ family: 4, address: '10.10.1.3', prefixLength: 32 }] },
      },
    ],
    subnets: [
      { cidr: '10.10.1.2/32', family: 4, kind: 'p2p', nodes: ['red'] },
      { cidr: '10.10.1.3/32', family: 4, kind: 'p2p', nodes: ['green'] },
    ],
  };
  assert.deepEqual(parseTopology(read('two-computers.yaml'), { file: 'examples/two-computers.yaml' }), expected);
});

test('examples/red-blue.yaml resolves to one cable with a shared /24, from shorthand endpoints', () => {
  const expected: ResolvedLab = {
    name: 'red-blue',
    prefix: '',
    nodes: [
      { name: 'red', netns: 'red', kind: 'host', forwarding: false, interfaces: ['veth-red'], routes: [], exec: [] },
      { name: 'blue', netns: 'blue', kind: 'host', forwarding: false, interfaces: ['veth-blue'], routes: [], exec: [] },
    ],
    links: [
      {
        id: 'red:veth-red--blue:veth-blue',
        a: { node: 'red', netns: 'red', ifname: 'veth-red', addresses: [{ family: 4, address: '10.0.0.1', prefixLength: 24 }] },
        b: { node: 'blue', netns: 'blue', ifname: 'veth-blue', addresses: [{ family: 4, address: '10.0.0.2', prefixLength: 24 }] },
      },
    ],
    subnets: [{ cidr: '10.0.0.0/24', family: 4, kind: 'p2p', nodes: ['red', 'blue'] }],
  };
  assert.deepEqual(parseTopology(read('red-blue.yaml')), expected);
});

test('DEFAULT_LAB_TEXT is examples/two-computers.yaml byte for byte, and DEFAULT_LAB_NAME its name', () => {
  assert.equal(DEFAULT_LAB_TEXT, read('two-computers.yaml'));
  assert.equal(DEFAULT_LAB_NAME, 'two-computers');
  assert.equal(parseTopology(DEFAULT_LAB_TEXT).name, DEFAULT_LAB_NAME);
});

const v4 = (address: string, prefixLength: number) => ({ family: 4 as const, address, prefixLength });
const v6 = (address: string, prefixLength: number) => ({ family: 6 as const, address, prefixLength });

test('examples/lan.yaml: four hosts on one bridge get .1 to .4 of the first /24 of the pool', () => {
  const lab = parseTopology(read('lan.yaml'));
  assert.deepEqual(lab.nodes[0], {
    name: 'sw',
    netns: 'lan-sw',
    kind: 'bridge',
    forwarding: false,
    bridge: 'br0',
    interfaces: ['eth0', 'eth1', 'eth2', 'eth3'],
    routes: [],
    exec: [],
  });
  assert.deepEqual(
    lab.links.map((l) => [l.id, l.a.bridgePort, l.a.addresses, l.b.node, l.b.ifname, l.b.addresses]),
    [
      ['sw:eth0--h1:eth0', true, [], 'h1', 'eth0', [v4('10.1.0.1', 24)]],
      ['sw:eth1--h2:eth0', true, [], 'h2', 'eth0', [v4('10.1.0.2', 24)]],
      ['sw:eth2--h3:eth0', true, [], 'h3', 'eth0', [v4('10.1.0.3', 24)]],
      ['sw:eth3--h4:eth0', true, [], 'h4', 'eth0', [v4('10.1.0.4', 24)]],
    ],
  );
  assert.ok(lab.nodes.every((n) => n.routes.length === 0));
  assert.deepEqual(lab.subnets, [{ cidr: '10.1.0.0/24', family: 4, kind: 'lan', nodes: ['h1', 'h2', 'h3', 'h4'] }]);
  assert.equal(lab.routing, undefined);
  assert.equal(lab.notes, undefined);
});

test('examples/two-lans.yaml: the router .1 on both LANs, hosts .2 and .3 with a default route through it', () => {
  const lab = parseTopology(read('two-lans.yaml'));
  assert.equal(lab.routing, 'static');
  assert.deepEqual(
    lab.links.map((l) => `${l.b.node} ${l.b.ifname} ${l.b.addresses.map((c) => `${c.address}/${c.prefixLength}`).join(' ')}`),
    ['r eth0 10.2.0.1/24', 'a1 eth0 10.2.0.2/24', 'a2 eth0 10.2.0.3/24', 'r eth1 10.2.1.1/24', 'b1 eth0 10.2.1.2/24', 'b2 eth0 10.2.1.3/24'],
  );
  const routes = Object.fromEntries(lab.nodes.map((n) => [n.name, routesOf(lab, n)]));
  const dflt = (via: string, on: string) => [
    { family: 4, to: 'default', via, dev: 'eth0', computed: true, reason: `default route: r (${via} on ${on}) is the only gateway` },
  ];
  assert.deepEqual(routes, {
    r: [],
    left: [],
    right: [],
    a1: dflt('10.2.0.1', '10.2.0.0/24'),
    a2: dflt('10.2.0.1', '10.2.0.0/24'),
    b1: dflt('10.2.1.1', '10.2.1.0/24'),
    b2: dflt('10.2.1.1', '10.2.1.0/24'),
  });
  assert.deepEqual(
    lab.nodes.map((n) => [n.name, n.kind, n.forwarding]),
    [
      ['r', 'router', true],
      ['left', 'bridge', false],
      ['right', 'bridge', false],
      ['a1', 'host', false],
      ['a2', 'host', false],
      ['b1', 'host', false],
      ['b2', 'host', false],
    ],
  );
  assert.deepEqual(lab.subnets, [
    { cidr: '10.2.0.0/24', family: 4, kind: 'lan', nodes: ['r', 'a1', 'a2'] },
    { cidr: '10.2.1.0/24', family: 4, kind: 'lan', nodes: ['r', 'b1', 'b2'] },
  ]);
  assert.equal(lab.notes, undefined);
});

test('examples/router-ring.yaml: a /31 per cable in file order, a route per remote subnet on routers, a default route on hosts', () => {
  const lab = parseTopology(read('router-ring.yaml'));
  assert.deepEqual(
    lab.links.map((l) => `${l.id} ${l.a.addresses[0]?.address ?? ''}/${l.a.addresses[0]?.prefixLength ?? ''} ${l.b.addresses[0]?.address ?? ''}`),
    [
      'r1:eth0--r2:eth0 10.3.0.0/31 10.3.0.1',
      'r2:eth1--r3:eth0 10.3.0.2/31 10.3.0.3',
      'r3:eth1--r4:eth0 10.3.0.4/31 10.3.0.5',
      'r4:eth1--r5:eth0 10.3.0.6/31 10.3.0.7',
      'r5:eth1--r6:eth0 10.3.0.8/31 10.3.0.9',
      'r6:eth1--r1:eth1 10.3.0.10/31 10.3.0.11',
      'r1:eth2--h1:eth0 10.3.0.12/31 10.3.0.13',
      'r2:eth2--h2:eth0 10.3.0.14/31 10.3.0.15',
      'r3:eth2--h3:eth0 10.3.0.16/31 10.3.0.17',
      'r4:eth2--h4:eth0 10.3.0.18/31 10.3.0.19',
      'r5:eth2--h5:eth0 10.3.0.20/31 10.3.0.21',
      'r6:eth2--h6:eth0 10.3.0.22/31 10.3.0.23',
    ],
  );
  assert.ok(lab.links.every((l) => l.a.addresses.length === 1 && l.b.addresses.length === 1));
  const r4 = lab.nodes.find((n) => n.name === 'r4');
  const r4Routes = r4 === undefined ? [] : routesOf(lab, r4);
  assert.deepEqual(
    r4Routes.map((r) => [r.to === 'default' ? 'default' : `${r.to.address}/${r.to.prefixLength}`, r.via, r.dev]),
    [
      ['10.3.0.0/31', '10.3.0.4', 'eth0'],
      ['10.3.0.2/31', '10.3.0.4', 'eth0'],
      ['10.3.0.8/31', '10.3.0.7', 'eth1'],
      ['10.3.0.10/31', '10.3.0.7', 'eth1'],
      ['10.3.0.12/31', '10.3.0.4', 'eth0'],
      ['10.3.0.14/31', '10.3.0.4', 'eth0'],
      ['10.3.0.16/31', '10.3.0.4', 'eth0'],
      ['10.3.0.20/31', '10.3.0.7', 'eth1'],
      ['10.3.0.22/31', '10.3.0.7', 'eth1'],
    ],
  );
  assert.ok(r4Routes.every((r) => r.computed === true && typeof r.reason === 'string'));
  for (let i = 1; i <= 6; i++) {
    const h = lab.nodes.find((n) => n.name === `h${i}`);
    assert.deepEqual(h === undefined ? [] : routesOf(lab, h), [
      {
        family: 4,
        to: 'default',
        via: `10.3.0.${10 + 2 * i}`,
        dev: 'eth0',
        computed: true,
        reason: `default route: r${i} (10.3.0.${10 + 2 * i} on 10.3.0.${10 + 2 * i}/31) is the only gateway`,
      },
    ]);
  }
  assert.equal(lab.subnets?.length, 12);
  assert.equal(lab.notes, undefined);
});

test('examples/router-ring-dual.yaml: each cable a /31 and a /127 of the first /64, each host a default route in both families', () => {
  const lab = parseTopology(read('router-ring-dual.yaml'));
  assert.deepEqual(lab.links[0]?.a.addresses, [v4('10.4.0.0', 31), v6('fd00:4::', 127)]);
  assert.deepEqual(lab.links[0]?.b.addresses, [v4('10.4.0.1', 31), v6('fd00:4::1', 127)]);
  assert.deepEqual(lab.links[11]?.a.addresses, [v4('10.4.0.22', 31), v6('fd00:4::16', 127)]);
  assert.deepEqual(lab.links[11]?.b.addresses, [v4('10.4.0.23', 31), v6('fd00:4::17', 127)]);
  const h3 = lab.nodes.find((n) => n.name === 'h3');
  assert.deepEqual(h3 === undefined ? [] : routesOf(lab, h3), [
    { family: 4, to: 'default', via: '10.4.0.16', dev: 'eth0', computed: true, reason: 'default route: r3 (10.4.0.16 on 10.4.0.16/31) is the only gateway' },
    {
      family: 6,
      to: 'default',
      via: 'fd00:4::10',
      dev: 'eth0',
      computed: true,
      reason: 'default route: r3 (fd00:4::10 on fd00:4::10/127) is the only gateway',
    },
  ]);
  const r1 = lab.nodes.find((n) => n.name === 'r1');
  const r1Routes = r1 === undefined ? [] : routesOf(lab, r1);
  assert.equal(r1Routes.length, 18);
  assert.deepEqual(r1Routes[9], {
    family: 6,
    to: v6('fd00:4::2', 127),
    via: 'fd00:4::1',
    dev: 'eth0',
    computed: true,
    reason: 'shortest path to fd00:4::2/127 via r2, 2 hops',
  });
  assert.equal(lab.subnets?.length, 24);
  assert.equal(lab.notes, undefined);
});

test('examples/rate-limit.yaml: both ends shape their egress to 10 Mbit/s', () => {
  const lab = parseTopology(read('rate-limit.yaml'));
  assert.deepEqual(lab.links, [
    {
      id: 'a:eth0--b:eth0',
      a: { node: 'a', netns: 'rate-a', ifname: 'eth0', addresses: [v4('10.5.0.1', 24)], shaping: { rate: 10_000_000 } },
      b: { node: 'b', netns: 'rate-b', ifname: 'eth0', addresses: [v4('10.5.0.2', 24)], shaping: { rate: 10_000_000 } },
    },
  ]);
});

test('every example resolves, and to the same lab each time; as JSON, it is plain data and computes the same routes again', () => {
  for (const name of ['two-computers.yaml', 'red-blue.yaml', 'lan.yaml', 'two-lans.yaml', 'router-ring.yaml', 'router-ring-dual.yaml', 'rate-limit.yaml']) {
    const lab = parseTopology(read(name), { file: `examples/${name}` });
    assert.deepEqual(parseTopology(read(name)), lab, name);
    const back = JSON.parse(JSON.stringify(lab)) as ResolvedLab;
    const { routeTable, ...plain } = lab;
    assert.deepEqual(back, plain, `${name} is plain data but for its route table`);
    assert.equal(routeTable !== undefined, lab.routing === 'static', name);
    for (const n of lab.nodes) assert.deepEqual(routesOf(back, n), routesOf(lab, n), `${name}: ${n.name}'s routes from the JSON`);
  }
});

test('both YAML readers give every example the same lab (js-yaml first for speed, yaml for positions)', () => {
  for (const name of ['lan.yaml', 'rate-limit.yaml', 'red-blue.yaml', 'router-ring-dual.yaml', 'router-ring.yaml', 'two-computers.yaml', 'two-lans.yaml']) {
    assert.deepEqual(parseTopology(read(name)), placedParse(read(name)), name);
  }
});

test('the readers agree where a JavaScript object would not: node order, aliases, a %YAML directive', () => {
  // Integer-like names are listed first by an object; the lab keeps the file's order.
  const numbered = parseTopology('name: n\nnodes: { b: {}, "10": {}, "2": {} }\nlinks: [{ endpoints: [b, "10"] }, { endpoints: [b, "2"] }]\n');
  assert.deepEqual(
    numbered.nodes.map((n) => n.name),
    ['b', '10', '2'],
  );
  const aliased = parseTopology('name: a\nnodes: { x: &h { forwarding: true }, y: *h }\nlinks: [{ endpoints: [x, y] }]\n');
  assert.deepEqual(
    aliased.nodes.map((n) => n.forwarding),
    [true, true],
  );
  const directive = parseTopology('%YAML 1.2\n---\nname: d\nnodes: { x: {}, y: {} }\nlinks: [{ endpoints: [x, y] }]\n');
  assert.deepEqual(
    directive.nodes.map((n) => n.name),
    ['x', 'y'],
  );
});
