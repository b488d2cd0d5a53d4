import assert from 'node:assert/strict';
import { test } from 'node:test';
import { problems } from '../helpers/topology.js';
import { parseTopology, type ResolvedLab } from '../../src/topology/index.js';

/** Each link as `id: a-addresses | b-addresses`. */
function addresses(lab: ResolvedLab): string[] {
  const text = (cs: { address: string; prefixLength: number }[]): string => cs.map((c) => `${c.address}/${c.prefixLength}`).join(' ');
  return lab.links.map((l) => `${l.id}: ${text(l.a.addresses)} | ${text(l.b.addresses)}`);
}

const MIXED = `name: pools
addressing: { p2p: 10.255.0.0/16, lan: 10.1.0.0/16, ipv6: "fd00::/48" }
nodes:
  r1: { kind: router }
  r2: { kind: router }
  sw: { kind: bridge }
  h1:
  h2:
links:
  - endpoints: [r1, r2]
  - endpoints: [sw, h1]
  - endpoints: [sw, r2]
  - endpoints: [sw, h2]
  - endpoints: [r1, h1]
`;

test('pools hand out the same addresses every run: cables in file order, LANs with routers first, IPv6 /127s from the first /64', () => {
  const lab = parseTopology(MIXED);
  assert.deepEqual(addresses(lab), [
    'r1:eth0--r2:eth0: 10.255.0.0/31 fd00::/127 | 10.255.0.1/31 fd00::1/127',
    'sw:eth0--h1:eth0:  | 10.1.0.2/24 fd00:0:0:1::2/64',
    'sw:eth1--r2:eth1:  | 10.1.0.1/24 fd00:0:0:1::1/64',
    'sw:eth2--h2:eth0:  | 10.1.0.3/24 fd00:0:0:1::3/64',
    'r1:eth1--h1:eth1: 10.255.0.2/31 fd00::2/127 | 10.255.0.3/31 fd00::3/127',
  ]);
  assert.deepEqual(parseTopology(MIXED), lab);
  assert.deepEqual(lab.subnets, [
    { cidr: '10.255.0.0/31', family: 4, kind: 'p2p', nodes: ['r1', 'r2'] },
    { cidr: 'fd00::/127', family: 6, kind: 'p2p', nodes: ['r1', 'r2'] },
    { cidr: '10.1.0.0/24', family: 4, kind: 'lan', nodes: ['h1', 'r2', 'h2'] },
    { cidr: 'fd00:0:0:1::/64', family: 6, kind: 'lan', nodes: ['h1', 'r2', 'h2'] },
    { cidr: '10.255.0.2/31', family: 4, kind: 'p2p', nodes: ['r1', 'h1'] },
    { cidr: 'fd00::2/127', family: 6, kind: 'p2p', nodes: ['r1', 'h1'] },
  ]);
});

test('addresses given by hand win, and the pools hand out nothing that overlaps them anywhere in the lab', () => {
  const lab = parseTopology(`name: hand
addressing: { p2p: 10.255.0.0/24, lan: 10.1.0.0/16 }
nodes: { a: {}, b: {}, c: {}, r: { kind: router }, sw: { kind: bridge }, sw2: { kind: bridge } }
links:
  - endpoints: [a, b]
  - endpoints: ["a 10.255.0.1/32", "c 10.255.0.4/30"]
  - endpoints: ["b 10.1.0.9/24", c]
  - endpoints: [a, c]
  - endpoints: [sw, a]
  - endpoints: [sw2, b]
  - endpoints: [sw2, { node: r, addresses: [10.9.0.254/24] }]
  - endpoints: [sw2, c]
`);
  assert.deepEqual(addresses(lab), [
    'a:eth0--b:eth0: 10.255.0.2/31 | 10.255.0.3/31', // 10.255.0.0/31 holds the hand-given 10.255.0.1
    'a:eth1--c:eth0: 10.255.0.1/32 | 10.255.0.4/30',
    'b:eth1--c:eth1: 10.1.0.9/24 | ', // one end given by hand: the cable is left as written
    'a:eth2--c:eth2: 10.255.0.8/31 | 10.255.0.9/31', // 10.255.0.4/31 and .6/31 are in the hand-given 10.255.0.4/30
    'sw:eth0--a:eth3:  | 10.1.1.1/24', // 10.1.0.0/24 overlaps the hand-given 10.1.0.9/24
    'sw2:eth0--b:eth2:  | 10.9.0.1/24', // a LAN with a hand-given address fills its subnet
    'sw2:eth1--r:eth0:  | 10.9.0.254/24',
    'sw2:eth2--c:eth3:  | 10.9.0.2/24',
  ]);
});

test('p2p-prefix: 30 gives each cable a /30, the ends the two middle addresses', () => {
  const lab = parseTopology(
    'name: thirty\naddressing: { p2p: 10.255.0.0/24, p2p-prefix: 30 }\nnodes: { a: {}, b: {}, c: {} }\nlinks: [{ endpoints: [a, b] }, { endpoints: [b, c] }]\n',
  );
  assert.deepEqual(addresses(lab), ['a:eth0--b:eth0: 10.255.0.1/30 | 10.255.0.2/30', 'b:eth1--c:eth0: 10.255.0.5/30 | 10.255.0.6/30']);
});

test('without a pool for a family, ends keep no address of it', () => {
  const none = parseTopology('name: n\nnodes: { a: {}, b: {}, sw: { kind: bridge } }\nlinks: [{ endpoints: [a, b] }, { endpoints: [sw, a] }]\n');
  assert.deepEqual(addresses(none), ['a:eth0--b:eth0:  | ', 'sw:eth0--a:eth1:  | ']);
  assert.equal(none.subnets, undefined);
  const v6only = parseTopology('name: n\naddressing: { ipv6: "fd00:9::/56" }\nnodes: { a: {}, b: {} }\nlinks: [{ endpoints: ["a 10.0.0.1/24", b] }]\n');
  assert.deepEqual(addresses(v6only), ['a:eth0--b:eth0: 10.0.0.1/24 fd00:9::/127 | fd00:9::1/127']);
});

test('an exhausted pool names itself, its size and how many the lab needs', () => {
  assert.deepEqual(
    problems(
      'name: x\naddressing: { p2p: 10.255.0.0/30 }\nnodes: { a: {}, b: {}, c: {}, d: {} }\nlinks: [{ endpoints: [a, b] }, { endpoints: [b, c] }, { endpoints: [c, d] }]\n',
    ),
    [
      'lab.yaml:2:20: addressing.p2p: the p2p pool 10.255.0.0/30 has room for 2 /31 subnets, and the lab needs 3: one for each point-to-point cable without IPv4 addresses; give a larger pool (a shorter prefix length than /30), or give some ends their addresses by hand',
    ],
  );
  assert.deepEqual(
    problems(
      'name: x\naddressing: { p2p: 10.255.0.0/29 }\nnodes: { a: {}, b: {}, c: {}, d: {} }\nlinks: [{ endpoints: [a, b] }, { endpoints: [b, c] }, { endpoints: [c, d] }, { endpoints: ["a 10.255.0.5/30", d] }]\n',
    ),
    [
      'lab.yaml:2:20: addressing.p2p: the p2p pool 10.255.0.0/29 has room for 2 /31 subnets (2 others overlap addresses given by hand), and the lab needs 3: one for each point-to-point cable without IPv4 addresses; give a larger pool (a shorter prefix length than /29), or give some ends their addresses by hand',
    ],
  );
  assert.deepEqual(
    problems(
      'name: x\naddressing: { lan: 10.1.0.0/24 }\nnodes: { s1: { kind: bridge }, s2: { kind: bridge }, a: {}, b: {} }\nlinks: [{ endpoints: [s1, a] }, { endpoints: [s2, b] }]\n',
    ),
    [
      'lab.yaml:2:20: addressing.lan: the lan pool 10.1.0.0/24 has room for 1 /24 subnet, and the lab needs 2: one for each LAN without IPv4 addresses; give a larger pool (a shorter prefix length than /24), or give some ends their addresses by hand',
    ],
  );
  const hosts = Array.from({ length: 255 }, (_, i) => `h${i}`);
  const big = `name: x\naddressing: { lan: 10.1.0.0/16 }\nnodes:\n  sw: { kind: bridge }\n${hosts.map((h) => `  ${h}:\n`).join('')}links:\n${hosts.map((h) => `  - endpoints: [sw, ${h}]\n`).join('')}`;
  assert.deepEqual(problems(big), [
    'lab.yaml:4:3: nodes.sw: the LAN of bridge "sw" needs 255 IPv4 addresses for its ends without one, and its subnet 10.1.0.0/24 has room for 254; split the hosts over two LANs joined by a router, or give this LAN a larger subnet by hand',
  ]);
  assert.deepEqual(
    problems(
      'name: x\naddressing: { lan: 10.1.0.0/16 }\nnodes: { sw: { kind: bridge }, a: {}, b: {}, c: {} }\nlinks: [{ endpoints: [sw, "a 10.7.0.1/30"] }, { endpoints: [sw, b] }, { endpoints: [sw, c] }]\n',
    ),
    [
      'lab.yaml:3:10: nodes.sw: the LAN of bridge "sw" needs 2 IPv4 addresses for its ends without one, and its subnet 10.7.0.0/30 (of 10.7.0.1/30, given by hand at links[0].endpoints[1]) has room for 1; split the hosts over two LANs joined by a router, or give this LAN a larger subnet by hand',
    ],
  );
});

test('pools that cannot be pools, each said at its place', () => {
  assert.deepEqual(
    problems(`name: x
addressing:
  p2p: 10.255.0.1/16
  lan: "fd00::/48"
  ipv6: fd00::/64
  p2p-prefix: 29
nodes: { a: {} }
`),
    [
      'lab.yaml:3:8: addressing.p2p: pool 10.255.0.1/16 has host bits set; a pool is a network: write 10.255.0.0/16',
      'lab.yaml:4:8: addressing.lan: the lan pool is IPv4, and fd00::/48 is IPv6; put IPv6 pools under ipv6:, for example lan: 10.1.0.0/16',
      'lab.yaml:5:9: addressing.ipv6: pool fd00::/64 is too small; its first /64 is for point-to-point /127s, and each LAN takes one of the /64s after it: give a /63 or larger, for example fd00::/48',
      'lab.yaml:6:15: addressing.p2p-prefix: must be either 31 or 30, not the number 29; for example p2p-prefix: 31 (or 30)',
    ],
  );
  assert.deepEqual(problems('name: x\naddressing: { p2p: 10.0.0.0/8, lan: 10.1.0.0/16, dns: 1 }\nnodes: { a: {} }\n'), [
    'lab.yaml:2:37: addressing.lan: the lan pool 10.1.0.0/16 overlaps the p2p pool 10.0.0.0/8; give the two pools separate ranges, for example p2p: 10.255.0.0/16 and lan: 10.1.0.0/16',
    'lab.yaml:2:50: addressing.dns: unknown key "dns"; addressing takes p2p, lan, ipv6, p2p-prefix and summarize',
  ]);
  assert.deepEqual(problems('name: x\naddressing: { lan: 127.0.0.0/16, p2p: 10.1.0.0/32 }\nnodes: { a: {} }\n'), [
    'lab.yaml:2:20: addressing.lan: pool 127.0.0.0/16 overlaps the loopback range 127.0.0.0/8; use private addresses, for example 10.1.0.0/16',
    'lab.yaml:2:39: addressing.p2p: pool 10.1.0.0/32 is too small; it must hold at least one point-to-point subnet: give a /31 or larger, for example 10.255.0.0/16',
  ]);
});

test('pool IPv6 addresses on a link whose MTU is below 1280 are refused', () => {
  assert.deepEqual(problems('name: x\naddressing: { ipv6: "fd00::/48" }\nnodes: { a: {}, b: {} }\nlinks: [{ endpoints: [a, b], mtu: 1000 }]\n'), [
    "lab.yaml:4:35: links[0].mtu: MTU 1000 is below 1280, the least IPv6 works with, and this link gets IPv6 addresses from addressing.ipv6; raise it to at least 1280, or give this link's ends IPv4 addresses only, by hand",
  ]);
});

test('summarize: true wants routing: static, and takes only true or false', () => {
  assert.deepEqual(problems('name: x\naddressing: { p2p: 10.0.0.0/8, summarize: true }\nnodes: { a: {} }\n'), [
    'lab.yaml:2:43: addressing.summarize: summarize: true summarizes the routes routing: static computes, and this lab computes none; add routing: static, or leave summarize out',
  ]);
  assert.equal(parseTopology('name: x\nrouting: static\naddressing: { p2p: 10.0.0.0/8, summarize: true }\nnodes: { a: {} }\n').summarize, true);
  assert.match(problems('name: x\nrouting: static\naddressing: { summarize: yes }\nnodes: { a: {} }\n')[0] ?? '', /addressing\.summarize: /);
});
