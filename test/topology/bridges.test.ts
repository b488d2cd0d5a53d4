import assert from 'node:assert/strict';
import { test } from 'node:test';
import { problems } from '../helpers/topology.js';
import { parseTopology } from '../../src/topology/index.js';

test('a bridge node: the bridge device in its namespace, its link ends ports without addresses', () => {
  const lab = parseTopology(`name: b
nodes:
  sw: { kind: bridge, bridge-name: lan0 }
  sw2: { kind: bridge }
  r: { kind: router }
  h: {}
links:
  - endpoints: ["sw:p1", "r 10.0.0.1/24"]
  - endpoints: [sw, "h 10.0.0.2/24"]
  - endpoints: [sw2, r]
`);
  assert.deepEqual(lab.nodes[0], {
    name: 'sw',
    netns: 'b-sw',
    kind: 'bridge',
    forwarding: false,
    bridge: 'lan0',
    interfaces: ['p1', 'eth0'],
    routes: [],
    exec: [],
  });
  assert.deepEqual(lab.nodes[1], { name: 'sw2', netns: 'b-sw2', kind: 'bridge', forwarding: false, bridge: 'br0', interfaces: ['eth0'], routes: [], exec: [] });
  assert.deepEqual(lab.nodes[2], { name: 'r', netns: 'b-r', kind: 'router', forwarding: true, interfaces: ['eth0', 'eth1'], routes: [], exec: [] });
  assert.deepEqual(lab.links[0]?.a, { node: 'sw', netns: 'b-sw', ifname: 'p1', addresses: [], bridgePort: true });
  assert.deepEqual(lab.links[0]?.b, { node: 'r', netns: 'b-r', ifname: 'eth0', addresses: [{ family: 4, address: '10.0.0.1', prefixLength: 24 }] });
  assert.deepEqual(lab.subnets, [{ cidr: '10.0.0.0/24', family: 4, kind: 'lan', nodes: ['r', 'h'] }]);
});

test('a bridge port has no address, a bridge no routes and no commands', () => {
  assert.deepEqual(
    problems(`name: b
nodes:
  sw:
    kind: bridge
    routes: [{ to: default, via: 10.0.0.1 }]
    exec: ["ip link"]
  h: {}
links:
  - endpoints: ["sw 10.0.0.1/24", "h 10.0.0.2/24"]
  - endpoints: [{ node: sw, addresses: ["fd00::1/64", 10.0.1.1/24] }, h]
`),
    [
      'lab.yaml:5:13: nodes.sw.routes: bridge "sw" has routes; a bridge passes frames within its LAN and routes nothing: put the routes on the hosts and routers (or use routing: static)',
      'lab.yaml:6:11: nodes.sw.exec: bridge "sw" has commands to run; a bridge node is a LAN segment, not a computer: run the commands on a host or router of the LAN',
      "lab.yaml:9:21: links[0].endpoints[0]: 10.0.0.1/24 is on an end of bridge \"sw\", and a bridge port has no addresses; put the addresses on the hosts' and routers' ends of the bridge's links (or let addressing: lan give them); the bridge only joins them",
      "lab.yaml:10:41: links[1].endpoints[0].addresses[0]: fd00::1/64 is on an end of bridge \"sw\", and a bridge port has no addresses; put the addresses on the hosts' and routers' ends of the bridge's links (or let addressing: lan give them); the bridge only joins them",
    ],
  );
});

test('kinds, forwarding and bridge names that do not fit together', () => {
  assert.deepEqual(
    problems(`name: b
nodes:
  r: { kind: router, forwarding: false }
  s: { kind: bridge, forwarding: true }
  h: { bridge-name: br0 }
  t: { kind: bridge, bridge-name: "a/b" }
  u: { kind: bridge }
links:
  - endpoints: ["u:br0", h]
`),
    [
      'lab.yaml:3:34: nodes.r.forwarding: node "r" is a router and forwarding is false; a router always forwards: remove forwarding, or write kind: host for a node that does not',
      'lab.yaml:4:34: nodes.s.forwarding: node "s" is a bridge, and forwarding is for hosts and routers; a bridge passes frames within its LAN without it: remove forwarding, and make a router to join LANs',
      'lab.yaml:5:21: nodes.h.bridge-name: node "h" is a host, and bridge-name is for bridges; add kind: bridge to make the node a LAN segment, or remove bridge-name',
      'lab.yaml:6:35: nodes.t.bridge-name: interface name "a/b" contains "/"; Linux interface names have no "/", ":", spaces or control characters',
      'lab.yaml:7:3: nodes.u: bridge "u" has a port named "br0", the name of its bridge device; name that end otherwise, or give the bridge another name with bridge-name',
    ],
  );
});

test('bridges joined by cables are one LAN; a loop of bridges is refused', () => {
  const lab = parseTopology(
    'name: j\naddressing: { lan: 10.1.0.0/16 }\nnodes: { s1: { kind: bridge }, s2: { kind: bridge }, a: {}, b: {} }\nlinks: [{ endpoints: [s1, a] }, { endpoints: [s1, s2] }, { endpoints: [s2, b] }]\n',
  );
  assert.deepEqual(
    lab.links.map((l) => [l.a.bridgePort ?? false, l.b.bridgePort ?? false, l.b.addresses.map((c) => `${c.address}/${c.prefixLength}`)]),
    [
      [true, false, ['10.1.0.1/24']],
      [true, true, []],
      [true, false, ['10.1.0.2/24']],
    ],
  );
  assert.deepEqual(lab.subnets, [{ cidr: '10.1.0.0/24', family: 4, kind: 'lan', nodes: ['a', 'b'] }]);
  assert.deepEqual(
    problems(
      'name: j\nnodes: { s1: { kind: bridge }, s2: { kind: bridge }, s3: { kind: bridge } }\nlinks:\n  - endpoints: [s1, s2]\n  - endpoints: [s2, s3]\n  - endpoints: [s3, s1]\n',
    ),
    [
      'lab.yaml:6:5: links[2]: this link between bridges "s3" and "s1" closes a loop of bridges; bridges without spanning tree would pass frames round the loop for ever: remove a link of the loop, or join the LANs with a router',
    ],
  );
});

test('a bridge takes 1,023 ports, as the kernel does (EXFULL past them): more are refused at the link that goes over', () => {
  const lan = (hosts: number): string =>
    `name: big\nnodes:\n  sw: { kind: bridge }\n${Array.from({ length: hosts }, (_, i) => `  h${i}:\n`).join('')}links:\n${Array.from({ length: hosts }, (_, i) => `  - endpoints: [sw, "h${i} 10.1.${(i + 1) >> 8}.${(i + 1) & 255}/16"]\n`).join('')}`;
  assert.equal(parseTopology(lan(1023)).links.length, 1023);
  assert.deepEqual(problems(lan(1025)), [
    'lab.yaml:2053:5: links[1023]: bridge "sw" gets 1025 ports with this link and those after it, and a Linux bridge takes 1023 at most (the kernel answers EXFULL); join more bridges by cables (one LAN), each with at most 1023 ports',
  ]);
});
