/** A lab over several machines: hosts:, host: and vni:, and automatic placement. */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { parseTopology } from '../../src/topology/index.js';
import { cutSize, place } from '../../src/topology/placement.js';
import { problems } from '../helpers/topology.js';

const TWO = `name: mh
hosts:
  A: { ssh: root@10.99.0.1 }
  B: { ssh: lab-b, underlay: 10.99.0.2 }
nodes:
  red: { host: A }
  green: { host: B }
links:
  - endpoints: ["red:eth0 10.0.0.1/24", "green:eth0 10.0.0.2/24"]
    vni: 100
`;

test('hosts, host and vni resolve as written', () => {
  const lab = parseTopology(TWO);
  assert.deepEqual(lab.hosts, [
    { name: 'A', ssh: 'root@10.99.0.1' },
    { name: 'B', ssh: 'lab-b', underlay: '10.99.0.2' },
  ]);
  assert.deepEqual(
    lab.nodes.map((n) => [n.name, n.host]),
    [
      ['red', 'A'],
      ['green', 'B'],
    ],
  );
  assert.equal(lab.links[0]?.vni, 100);
});

test('a file without hosts is a lab on one machine, as before', () => {
  const lab = parseTopology(readFileSync('examples/two-computers.yaml', 'utf8'));
  assert.equal(lab.hosts, undefined);
  assert.ok(lab.nodes.every((n) => n.host === undefined));
});

test('every problem of hosts, host and vni at its line, with the fix', () => {
  const text = `name: bad
hosts:
  A: { ssh: "-oProxyCommand=evil" }
  B: { ssh: "two words" }
  C: { ssh: c, underlay: 127.0.0.1 }
  D: { ssh: d, underlay: "eth:1" }
nodes:
  a: { host: Z }
  b: { host: a }
  c:
links:
  - { endpoints: [a, b], vni: 7 }
  - { endpoints: [b, c], vni: 7 }
  - { endpoints: [a, c], vni: 0 }
`;
  assert.deepEqual(problems(text), [
    'lab.yaml:3:13: hosts.A.ssh: ssh destination "-oProxyCommand=evil" starts with "-", which ssh would read as an option; write the destination you give ssh, for example root@10.99.0.1 or lab-b (a Host of ~/.ssh/config)',
    'lab.yaml:4:13: hosts.B.ssh: ssh destination "two words" contains white space or a control character; write the destination you give ssh, for example root@10.99.0.1 or lab-b (a Host of ~/.ssh/config)',
    'lab.yaml:5:26: hosts.C.underlay: underlay 127.0.0.1 is a loopback address (127.0.0.0/8 belongs to lo); write the address the other hosts reach this one at (10.99.0.2), or the interface that has it (eth1)',
    'lab.yaml:6:26: hosts.D.underlay: underlay "eth:1" is neither an IP address nor an interface name: interface name "eth:1" contains ":"; write the address the other hosts reach this one at (10.99.0.2), or the interface that has it (eth1)',
    'lab.yaml:8:14: nodes.a.host: unknown host "Z"; the hosts are A, B, C and D',
    'lab.yaml:9:14: nodes.b.host: unknown host "a"; did you mean "A"? The hosts are A, B, C and D',
    'lab.yaml:13:31: links[1].vni: VNI 7 is given twice: here and at links[0].vni (line 12, column 31); each cable between hosts is its own VXLAN segment: give this one another vni, or leave it out to have one chosen',
    'lab.yaml:14:31: links[2].vni: the number 0 is out of range; Too small: expected number to be >=1',
  ]);
});

test('host: without hosts: is refused, saying how to add them', () => {
  assert.deepEqual(problems('name: x\nnodes: { a: { host: A } }\n'), [
    'lab.yaml:2:21: nodes.a.host: node "a" is on host "A", and the lab has no hosts; add hosts: { A: { ssh: root@ADDRESS } } to spread the lab over machines, or remove host:',
  ]);
  assert.deepEqual(problems('name: x\nhosts: { A: { sh: a } }\nnodes: { a: }\n'), [
    'lab.yaml:2:13: hosts.A: missing required key "ssh"; say how to reach the host, for example ssh: root@10.99.0.1',
    'lab.yaml:2:15: hosts.A.sh: unknown key "sh"; did you mean "ssh"? a host takes ssh and underlay',
  ]);
});

test('placement: a chain of 1,000 over 4 hosts is 4 pieces of 250 joined by 3 cables', () => {
  const n = 1000;
  const cables = Array.from({ length: n - 1 }, (_, i) => [i, i + 1] as const);
  const hostOf = place({ nodes: Array.from({ length: n }, (_, i) => `n${i}`), cables, hosts: ['A', 'B', 'C', 'D'], pinned: new Map() });
  assert.deepEqual(
    [0, 1, 2, 3].map((h) => hostOf.filter((x) => x === h).length),
    [250, 250, 250, 250],
  );
  assert.equal(cutSize(cables, hostOf), 3);
});

test('placement keeps pinned nodes, balances the rest, and is the same every time', () => {
  const text = readFileSync('examples/router-ring.yaml', 'utf8')
    .replace(/^name:.*$/m, 'name: rr\nhosts: { A: { ssh: a }, B: { ssh: b }, C: { ssh: c } }')
    .replace(/^ {2}h1:.*$/m, '  h1: { host: C }');
  const lab = parseTopology(text);
  assert.equal(lab.nodes.find((n) => n.name === 'h1')?.host, 'C');
  const sizes = ['A', 'B', 'C'].map((h) => lab.nodes.filter((n) => n.host === h).length);
  assert.deepEqual(sizes, [4, 4, 4]);
  assert.deepEqual(
    parseTopology(text).nodes.map((n) => n.host),
    lab.nodes.map((n) => n.host),
  );
});

test('placement refines a greedy start: a ring of routers with a host each over 3 hosts cuts at most 4 cables', () => {
  const text = readFileSync('examples/router-ring.yaml', 'utf8').replace(/^name:.*$/m, 'name: rr\nhosts: { A: { ssh: a }, B: { ssh: b }, C: { ssh: c } }');
  const lab = parseTopology(text);
  const hostOf = new Map(lab.nodes.map((n) => [n.name, n.host]));
  const cut = lab.links.filter((l) => hostOf.get(l.a.node) !== hostOf.get(l.b.node)).length;
  // Greedy growth alone leaves 4 hosts (the h nodes) alone on the third host: 6 cables cut.
  assert.ok(cut <= 4, `${cut} cables between hosts`);
  // Every host reaches every other: each host of the ring shares its router's host.
  for (const l of lab.links) if (l.a.node.startsWith('h') || l.b.node.startsWith('h')) assert.equal(hostOf.get(l.a.node), hostOf.get(l.b.node));
});
