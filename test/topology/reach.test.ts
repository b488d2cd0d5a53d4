/** Which address of a node another node reaches it at: a name means different addresses to different viewers. */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { addressFor, hostsViews, hostsViewSteps, parseTopology, type HostsView } from '../../src/topology/index.js';

/** Three hosts, each pair on a cable of its own: each host's first address is on a cable the third is not on. */
const triangle = () =>
  parseTopology(`name: tri
nodes: { a: {}, b: {}, c: {} }
links:
  - endpoints: ["a 10.0.1.1/24", "b 10.0.1.2/24"]
  - endpoints: ["b 10.0.2.1/24", "c 10.0.2.2/24"]
  - endpoints: ["c 10.0.3.1/24", "a 10.0.3.2/24"]
`);

const example = (name: string) => parseTopology(readFileSync(new URL(`../../examples/${name}`, import.meta.url), 'utf8'));

test('a triangle of hosts: each host reaches the others at their addresses on the cables it shares with them', () => {
  const lab = triangle();
  // c's first address (10.0.2.2) is on the cable a is not on.
  assert.equal(addressFor(lab, 'a', 'c'), '10.0.3.1');
  assert.equal(addressFor(lab, 'b', 'c'), '10.0.2.2');
  assert.equal(addressFor(lab, 'c', 'a'), '10.0.3.2');
  assert.equal(addressFor(lab, 'c', 'b'), '10.0.2.1');
  assert.equal(addressFor(lab, 'a', 'a'), '10.0.1.1');
});

test('the tutorial (/32 and a host route): the address on the shared cable', () => {
  const lab = example('two-computers.yaml');
  assert.equal(addressFor(lab, 'red', 'green'), '10.10.1.3');
  assert.equal(addressFor(lab, 'green', 'red'), '10.10.1.2');
});

test('across routers: the address the routes lead to; on a shared LAN, the address there', () => {
  const lab = example('two-lans.yaml');
  // a1 and b1 share no segment; a1's default route leads anywhere: b1's only address.
  assert.equal(addressFor(lab, 'a1', 'b1'), lab.links.flatMap((l) => [l.a, l.b]).find((e) => e.node === 'b1')?.addresses[0]?.address);
  // The router is on both LANs: each host reaches it at its address on the host's own LAN.
  const onLan = (host: string) => {
    const seg = lab.subnets?.find((s) => s.nodes.includes(host) && s.nodes.includes('r'));
    return lab.links
      .flatMap((l) => [l.a, l.b])
      .find((e) => e.node === 'r' && e.addresses.some((a) => seg?.cidr.startsWith(a.address.split('.').slice(0, 3).join('.'))))?.addresses[0]?.address;
  };
  assert.equal(addressFor(lab, 'a1', 'r'), onLan('a1'));
  assert.equal(addressFor(lab, 'b2', 'r'), onLan('b2'));
  assert.notEqual(addressFor(lab, 'a1', 'r'), addressFor(lab, 'b2', 'r'));
});

test('no address the viewer reaches: undefined (the caller falls back to the first address)', () => {
  const lab = parseTopology(`name: islands
nodes: { a: {}, b: {}, c: {}, d: {} }
links:
  - endpoints: ["a 10.0.1.1/24", "b 10.0.1.2/24"]
  - endpoints: ["c 10.0.2.1/24", "d 10.0.2.2/24"]
`);
  assert.equal(addressFor(lab, 'a', 'd'), undefined);
});

test("hosts files: a viewer gets its own where the lab's shared file names an address it has no route to", () => {
  const tri = triangle();
  const views = hostsViews(tri);
  const seen = (viewer: string) => {
    const v = views.get(viewer);
    return v === undefined ? undefined : { only: v.only, names: Object.fromEntries([...v.names].map(([n, list]) => [n, list.map((c) => c.address)])) };
  };
  // The shared file has each node's first address: a's and b's are right for everyone but c (a at 10.0.1.1 is
  // on the cable c is not on), and c's (10.0.2.2) is right for b only. Without routes, a host's own file names
  // its neighbours only: it reaches no one else.
  assert.deepEqual(seen('a'), { only: true, names: { b: ['10.0.1.2'], c: ['10.0.3.1'] } });
  assert.equal(seen('b'), undefined);
  assert.deepEqual(seen('c'), { only: true, names: { b: ['10.0.2.1'], a: ['10.0.3.2'] } });
  // Where routes lead to every first address (routing: static, hosts with a default route), one file for all.
  assert.deepEqual([...hostsViews(example('router-ring.yaml'))], []);
  // Nor where the routers' daemons will learn the routes.
  assert.deepEqual([...hostsViews(example('router-ring-ospf.yaml'))], []);
  assert.deepEqual([...hostsViews(example('router-ring-bgp.yaml'))], []);
});

test('hosts files of a chain of 10,000 hosts: a file of its own for each host but the ends, of its two neighbours only', () => {
  const n = 10_000;
  const nodes = Object.fromEntries(Array.from({ length: n }, (_, i) => [`n${i}`, {}]));
  const links = Array.from({ length: n - 1 }, (_, i) => ({ endpoints: [`n${i}`, `n${i + 1}`] }));
  const lab = parseTopology(JSON.stringify({ name: 'chain', addressing: { p2p: '10.0.0.0/16' }, nodes, links }));
  const views = hostsViews(lab);
  // Each inner host's first address is on the cable to its left: its right neighbour, with no route, gets its own file.
  assert.equal(views.size, n - 2);
  assert.ok([...views.values()].every((v) => v.only && v.names.size <= 2));
});

/** hostsViewSteps run step by step: how many pieces, and the longest one's CPU in milliseconds. */
function inPieces(lab: ReturnType<typeof parseTopology>): { pieces: number; longest: number; views: Map<string, HostsView> } {
  const steps = hostsViewSteps(lab);
  let pieces = 0;
  let longest = 0;
  for (;;) {
    const start = process.cpuUsage();
    const r = steps.next();
    const cpu = process.cpuUsage(start);
    longest = Math.max(longest, (cpu.user + cpu.system) / 1000);
    pieces += 1;
    if (r.done === true) return { pieces, longest, views: r.value };
  }
}

test("hosts files of a ring of 1,000 routers (998 routes each): one file for all, worked out in pieces of a few milliseconds' CPU", () => {
  const n = 1000;
  const nodes = Object.fromEntries(Array.from({ length: n }, (_, i) => [`r${i}`, { kind: 'router' }]));
  const links = Array.from({ length: n }, (_, i) => ({ endpoints: [`r${i}`, `r${(i + 1) % n}`] }));
  const lab = parseTopology(JSON.stringify({ name: 'ring', routing: 'static', addressing: { p2p: '10.0.0.0/16' }, nodes, links }));
  // Each router's neighbour on its second cable asks whether its routes reach the router's first address:
  // a million routes looked at, whose destinations were parsed from text each time, 512 routers' worth
  // between two yields (0.4 s of CPU under the executable's --no-opt).
  const { pieces, longest, views } = inPieces(lab);
  assert.equal(views.size, 0);
  // A piece ends after 16,384 routes looked at: a million make more than 50 (there were 8, of 512 routers
  // each: fast here, with V8's optimizing compiler, not under the executable's --no-opt).
  assert.ok(pieces > 50, `${pieces} pieces`);
  assert.ok(longest < 60, `the longest piece took ${longest.toFixed(0)} ms of CPU`);
});

test('hosts files of a chain of 10,000 hosts (9,998 files of their own): each viewer counts as work, the segments come in pieces too', () => {
  const n = 10_000;
  const nodes = Object.fromEntries(Array.from({ length: n }, (_, i) => [`h${i}`, {}]));
  const links = Array.from({ length: n - 1 }, (_, i) => ({ endpoints: [`h${i}`, `h${i + 1}`] }));
  const lab = parseTopology(JSON.stringify({ name: 'line', addressing: { p2p: '10.0.0.0/16' }, nodes, links }));
  // A viewer's names gathered counted only its two cables: 4,096 viewers between two yields, 10 to 25 ms
  // under the executable's --no-opt; and the lab's segments were worked out in one piece. 56 pieces then.
  const { pieces, longest, views } = inPieces(lab);
  assert.equal(views.size, n - 2);
  assert.ok(pieces > 100, `${pieces} pieces`);
  assert.ok(longest < 60, `the longest piece took ${longest.toFixed(0)} ms of CPU`);
});
