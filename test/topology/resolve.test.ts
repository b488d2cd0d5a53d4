import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseTopology, resolveTopology, type ResolvedLab } from '../../src/topology/index.js';

const v4 = (address: string, prefixLength: number) => ({ family: 4 as const, address, prefixLength });
const v6 = (address: string, prefixLength: number) => ({ family: 6 as const, address, prefixLength });

test('unnamed interfaces get eth0, eth1, ... per node in file order, skipping names the node uses explicitly', () => {
  const lab = parseTopology(`name: auto
nodes: { a: {}, b: {}, c: {} }
links:
  - endpoints: [a, b]
  - endpoints: [a, "c:eth0"]
  - endpoints: ["a:eth1", c]
  - endpoints: [b, { node: c }]
`);
  assert.deepEqual(
    lab.links.map((l) => l.id),
    ['a:eth0--b:eth0', 'a:eth2--c:eth0', 'a:eth1--c:eth1', 'b:eth1--c:eth2'],
  );
  assert.deepEqual(
    lab.nodes.map((n) => [n.name, n.interfaces]),
    [
      ['a', ['eth0', 'eth2', 'eth1']],
      ['b', ['eth0', 'eth1']],
      ['c', ['eth0', 'eth1', 'eth2']],
    ],
  );
});

test('every shorthand endpoint form', () => {
  const lab = parseTopology(`name: short
nodes: { a: {}, b: {}, c: {}, d: {} }
links:
  - endpoints: ["a", "b:bx"]
  - endpoints: ["a:ay 10.0.0.1/24", "c:cy 10.0.0.2/24 fd00::2/64"]
  - endpoints: ["a 10.1.0.1/24 fd00:1::1/64", "  d   10.1.0.2/24  "]
`);
  assert.deepEqual(
    lab.links.map((l) => [l.id, l.a.addresses, l.b.addresses]),
    [
      ['a:eth0--b:bx', [], []],
      ['a:ay--c:cy', [v4('10.0.0.1', 24)], [v4('10.0.0.2', 24), v6('fd00::2', 64)]],
      ['a:eth1--d:eth0', [v4('10.1.0.1', 24), v6('fd00:1::1', 64)], [v4('10.1.0.2', 24)]],
    ],
  );
});

test('the default prefix is the lab name and "-"; an empty prefix names namespaces after the nodes; any other prefix is put before', () => {
  const text = (prefix: string): string => `name: lab1\n${prefix}nodes: { red: {}, green: }\nlinks: [{ endpoints: [red, green] }]\n`;
  const netns = (lab: ResolvedLab): string[] => [...lab.nodes.map((n) => n.netns), lab.links[0]?.a.netns ?? '', lab.links[0]?.b.netns ?? ''];
  const byDefault = parseTopology(text(''));
  assert.equal(byDefault.prefix, 'lab1-');
  assert.deepEqual(netns(byDefault), ['lab1-red', 'lab1-green', 'lab1-red', 'lab1-green']);
  const empty = parseTopology(text('prefix: ""\n'));
  assert.equal(empty.prefix, '');
  assert.deepEqual(netns(empty), ['red', 'green', 'red', 'green']);
  const other = parseTopology(text('prefix: "t."\n'));
  assert.deepEqual(netns(other), ['t.red', 't.green', 't.red', 't.green']);
});

test('JSON input gives the same lab as YAML, nodes in file order even with integer-like names', () => {
  // Written out: JSON.stringify of an object would put "10" first, as JavaScript orders integer-like keys.
  const json =
    '{"name":"j","nodes":{"b":{},"10":null,"a":{"exec":["echo hi",{"run":"sleep 9","background":true}]}},"links":[{"endpoints":["a","10"],"mtu":9000}]}';
  const lab = parseTopology(json);
  assert.deepEqual(
    lab.nodes.map((n) => n.name),
    ['b', '10', 'a'],
  );
  assert.deepEqual(lab.nodes[2]?.exec, [
    { run: 'echo hi', background: false },
    { run: 'sleep 9', background: true },
  ]);
  assert.deepEqual(lab.links, [
    {
      id: 'a:eth0--10:eth0',
      a: { node: 'a', netns: 'j-a', ifname: 'eth0', addresses: [] },
      b: { node: '10', netns: 'j-10', ifname: 'eth0', addresses: [] },
      mtu: 9000,
    },
  ]);
  const yaml = parseTopology(
    'name: j\nnodes:\n  b: {}\n  "10":\n  a:\n    exec: ["echo hi", { run: "sleep 9", background: true }]\nlinks:\n  - { endpoints: [a, "10"], mtu: 9000 }\n',
  );
  assert.deepEqual(yaml, lab);
});

test('IPv6 addresses come out in RFC 5952 form', () => {
  const lab = parseTopology(
    'name: six\nnodes: { a: {}, b: {} }\nlinks:\n  - endpoints: ["a 2001:DB8:0:0:1:0:0:1/64", { node: b, addresses: ["2001:0db8:0000:0000:0001:0000:0000:0002/64", "FD00::0:A/128"] }]\n',
  );
  assert.deepEqual(lab.links[0]?.a.addresses, [v6('2001:db8::1:0:0:1', 64)]);
  assert.deepEqual(lab.links[0]?.b.addresses, [v6('2001:db8::1:0:0:2', 64), v6('fd00::a', 128)]);
});

test('routes resolve: destinations parsed, default takes its family from via, the default metric left out', () => {
  const lab = parseTopology(`name: r
nodes:
  a:
    routes:
      - { to: 10.2.0.0/24, via: 10.0.0.2 }
      - { to: 10.3.0.9, dev: eth0 }
      - { to: default, via: 10.0.0.2, metric: 100 }
      - { to: default, via: "FD00::2" }
      - { to: default, dev: eth0, metric: 0 }
      - { to: fd00:8::/48, dev: eth0, metric: 1024 }
      - { to: 0.0.0.0/0, via: 10.0.0.3, dev: eth0, metric: 5 }
      - { to: fd00:9::/48, via: fd00::2, dev: eth0, metric: 7 }
  b:
links:
  - endpoints: ["a 10.0.0.1/24 fd00::1/64", "b 10.0.0.2/24 fd00::2/64"]
`);
  assert.deepEqual(lab.nodes[0]?.routes, [
    { family: 4, to: v4('10.2.0.0', 24), via: '10.0.0.2' },
    { family: 4, to: v4('10.3.0.9', 32), dev: 'eth0' },
    { family: 4, to: 'default', via: '10.0.0.2', metric: 100 },
    { family: 6, to: 'default', via: 'fd00::2' },
    { family: 4, to: 'default', dev: 'eth0' },
    { family: 6, to: v6('fd00:8::', 48), dev: 'eth0' },
    { family: 4, to: 'default', via: '10.0.0.3', dev: 'eth0', metric: 5 },
    { family: 6, to: v6('fd00:9::', 48), via: 'fd00::2', dev: 'eth0', metric: 7 },
  ]);
  assert.deepEqual(lab.nodes[1], { name: 'b', netns: 'r-b', kind: 'host', forwarding: false, interfaces: ['eth0'], routes: [], exec: [] });
});

test('resolveTopology takes an object built in code, with the same rules and shorthands', () => {
  const lab = resolveTopology({
    name: 'code',
    prefix: '',
    nodes: { red: null, green: { routes: [{ to: '10.9.0.0/16', via: '10.0.0.2' }] } },
    links: [{ endpoints: ['red:r0 10.0.0.1/24', { node: 'green', interface: 'g0', addresses: ['10.0.0.2/24'] }], mtu: 1400 }],
  });
  const expected: ResolvedLab = {
    name: 'code',
    prefix: '',
    nodes: [
      { name: 'red', netns: 'red', kind: 'host', forwarding: false, interfaces: ['r0'], routes: [], exec: [] },
      {
        name: 'green',
        netns: 'green',
        kind: 'host',
        forwarding: false,
        interfaces: ['g0'],
        routes: [{ family: 4, to: v4('10.9.0.0', 16), via: '10.0.0.2' }],
        exec: [],
      },
    ],
    links: [
      {
        id: 'red:r0--green:g0',
        a: { node: 'red', netns: 'red', ifname: 'r0', addresses: [v4('10.0.0.1', 24)] },
        b: { node: 'green', netns: 'green', ifname: 'g0', addresses: [v4('10.0.0.2', 24)] },
        mtu: 1400,
      },
    ],
    subnets: [{ cidr: '10.0.0.0/24', family: 4, kind: 'p2p', nodes: ['red', 'green'] }],
  };
  assert.deepEqual(lab, expected);
});

test('a lab with nodes and no links, a JSON $schema key, YAML anchors', () => {
  const lab = parseTopology('{ "$schema": "../schema/nslab-topology.schema.json", "name": "solo", "nodes": { "a": { "exec": ["true"] } } }');
  assert.deepEqual(lab, {
    name: 'solo',
    prefix: 'solo-',
    nodes: [{ name: 'a', netns: 'solo-a', kind: 'host', forwarding: false, interfaces: [], routes: [], exec: [{ run: 'true', background: false }] }],
    links: [],
  });
  const anchored = parseTopology('name: anch\nnodes:\n  a: &host { exec: ["true"] }\n  b: *host\n');
  assert.deepEqual(
    anchored.nodes.map((n) => n.exec),
    [[{ run: 'true', background: false }], [{ run: 'true', background: false }]],
  );
});

test('the resolved lab is plain data: it survives a JSON round trip unchanged', () => {
  const lab = parseTopology(
    'name: rt\nnodes: { a: { routes: [{ to: default, via: 10.0.0.2 }] }, b: {} }\nlinks: [{ endpoints: ["a 10.0.0.1/24", "b 10.0.0.2/24"], mtu: 1500 }]\n',
  );
  assert.deepEqual(JSON.parse(JSON.stringify(lab)), lab);
});
