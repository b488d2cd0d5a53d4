import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import {
  parseTopology,
  resolveTopology,
  routesOf as everyRoute,
  routeTableOf,
  type ResolvedLab,
  type ResolvedNode,
  type ResolvedRoute,
} from '../../src/topology/index.js';
import { computeRoutes } from '../../src/topology/routing.js';
import { buildSegments } from '../../src/topology/segments.js';
import { prng } from '../helpers/random.js';
import { oracleRoutes } from './routing-oracle.js';
import { addressValue, netContains, netOf } from '../../src/topology/ip-math.js';

const read = (name: string): string => readFileSync(new URL(`../../examples/${name}`, import.meta.url), 'utf8');

/** `4 10.3.0.2/31 via 10.3.0.1 dev eth0`, `6 default via fd00:4::c dev eth0`. */
const show = (r: ResolvedRoute): string =>
  `${r.family} ${r.to === 'default' ? 'default' : `${r.to.address}/${r.to.prefixLength}`}${r.via !== undefined ? ` via ${r.via}` : ''}${r.dev !== undefined ? ` dev ${r.dev}` : ''}`;
/** A node with every route of its: written in the file, then computed. */
function withRoutes(lab: ResolvedLab, name: string): ResolvedNode | undefined {
  const node = lab.nodes.find((n) => n.name === name);
  return node === undefined ? undefined : { ...node, routes: everyRoute(lab, node) };
}
const routesOf = (lab: ResolvedLab, node: string): string[] => (withRoutes(lab, node)?.routes ?? []).map(show);

/**
 * Follows the lab's routes from a node to an address, as the kernels would: connected subnets first, then
 * the longest matching route. Returns the nodes the packet passes, ending at the one that has the address.
 */
function trace(lab: ResolvedLab, from: string, to: string): string[] {
  const ends = lab.links.flatMap((l) => [l.a, l.b]);
  const owner = (address: string): string | undefined => ends.find((e) => e.addresses.some((c) => c.address === address))?.node;
  const target = owner(to);
  const value = addressValue(to);
  const path = [from];
  let at = from;
  for (let step = 0; step < 20 && at !== target; step++) {
    const mine = ends.filter((e) => e.node === at).flatMap((e) => e.addresses);
    const direct = mine.filter((c) => netContains(netOf(c), value));
    if (direct.length > 0 && target !== undefined) {
      path.push(target);
      return path;
    }
    const node = withRoutes(lab, at);
    const family = to.includes(':') ? 6 : 4;
    const candidates = (node?.routes ?? []).filter((r) => r.family === family && (r.to === 'default' || netContains(netOf(r.to), value)));
    candidates.sort((a, b) => (b.to === 'default' ? 0 : b.to.prefixLength) - (a.to === 'default' ? 0 : a.to.prefixLength));
    const via = candidates[0]?.via;
    const next = via !== undefined ? owner(via) : undefined;
    if (next === undefined) return [...path, 'unreachable'];
    if (!lab.nodes.find((n) => n.name === next)?.forwarding && next !== target) return [...path, next, 'dropped'];
    path.push(next);
    at = next;
  }
  return path;
}

/** Hops between two routers of a ring of six. */
const ringDistance = (i: number, j: number): number => Math.min(Math.abs(i - j), 6 - Math.abs(i - j));

test('the ring of six: every router has a route to each of the 9 subnets it is not on, along a shortest path', () => {
  const lab = parseTopology(read('router-ring.yaml'));
  assert.deepEqual(routesOf(lab, 'r1'), [
    '4 10.3.0.2/31 via 10.3.0.1 dev eth0',
    '4 10.3.0.4/31 via 10.3.0.1 dev eth0',
    '4 10.3.0.6/31 via 10.3.0.10 dev eth1',
    '4 10.3.0.8/31 via 10.3.0.10 dev eth1',
    '4 10.3.0.14/31 via 10.3.0.1 dev eth0',
    '4 10.3.0.16/31 via 10.3.0.1 dev eth0',
    '4 10.3.0.18/31 via 10.3.0.1 dev eth0',
    '4 10.3.0.20/31 via 10.3.0.10 dev eth1',
    '4 10.3.0.22/31 via 10.3.0.10 dev eth1',
  ]);
  const r1 = withRoutes(lab, 'r1');
  assert.deepEqual(r1?.routes[1], {
    family: 4,
    to: { family: 4, address: '10.3.0.4', prefixLength: 31 },
    via: '10.3.0.1',
    dev: 'eth0',
    computed: true,
    reason: 'shortest path to 10.3.0.4/31 via r2, 3 hops',
  });
  for (const n of lab.nodes) assert.equal(everyRoute(lab, n).length, n.kind === 'router' ? 9 : 1, n.name);
  assert.equal(lab.notes, undefined);
  // Every host reaches every other along the ring's shortest path: host, routers, host.
  const hostAddress = (i: number): string => lab.links[5 + i]?.b.addresses[0]?.address ?? '';
  for (let i = 1; i <= 6; i++) {
    for (let j = 1; j <= 6; j++) {
      if (i === j) continue;
      const path = trace(lab, `h${i}`, hostAddress(j));
      assert.equal(path.at(-1), `h${j}`, `h${i} -> h${j}: ${path.join(' ')}`);
      assert.equal(path.length, ringDistance(i, j) + 3, `h${i} -> h${j}: ${path.join(' ')}`);
    }
  }
});

test('equal-cost paths: the lowest gateway address wins, and the reason says so', () => {
  const lab = parseTopology(read('router-ring.yaml'));
  const r1 = withRoutes(lab, 'r1');
  const far = r1?.routes.find((r) => r.to !== 'default' && r.to.address === '10.3.0.18');
  assert.deepEqual(far, {
    family: 4,
    to: { family: 4, address: '10.3.0.18', prefixLength: 31 },
    via: '10.3.0.1',
    dev: 'eth0',
    computed: true,
    reason: 'shortest path to 10.3.0.18/31 via r2, 4 hops; equal-cost paths via r6 too: the lowest gateway address wins',
  });
  // The same tie from r4's side goes through r3 (10.3.0.4 < r5's 10.3.0.7), whatever the file order of the links.
  const r4 = withRoutes(lab, 'r4');
  assert.equal(r4?.routes.find((r) => r.to !== 'default' && r.to.address === '10.3.0.12')?.via, '10.3.0.4');
  // Not file order: here the first cable in the file leads to the higher gateway address.
  const diamond = parseTopology(`name: diamond
routing: static
nodes: { s: { kind: router }, a: { kind: router }, b: { kind: router }, t: { kind: router }, h: {} }
links:
  - endpoints: ["s 10.0.2.1/24", "b 10.0.2.2/24"]
  - endpoints: ["s 10.0.1.1/24", "a 10.0.1.2/24"]
  - endpoints: ["a 10.0.3.1/24", "t 10.0.3.2/24"]
  - endpoints: ["b 10.0.4.1/24", "t 10.0.4.2/24"]
  - endpoints: ["t 10.0.5.1/24", "h 10.0.5.2/24"]
`);
  assert.deepEqual(
    withRoutes(diamond, 's')?.routes.find((r) => r.to !== 'default' && r.to.address === '10.0.5.0'),
    {
      family: 4,
      to: { family: 4, address: '10.0.5.0', prefixLength: 24 },
      via: '10.0.1.2',
      dev: 'eth1',
      computed: true,
      reason: 'shortest path to 10.0.5.0/24 via a, 3 hops; equal-cost paths via b too: the lowest gateway address wins',
    },
  );
});

test('a host with one gateway gets a default route; with two, a route per subnet', () => {
  const lab = parseTopology(`name: gw
addressing: { p2p: 10.255.0.0/24 }
routing: static
nodes: { r1: { kind: router }, r2: { kind: router }, one: {}, two: {}, far: {} }
links:
  - endpoints: [r1, one]
  - endpoints: [r1, two]
  - endpoints: [r2, two]
  - endpoints: [r2, far]
`);
  assert.deepEqual(withRoutes(lab, 'one')?.routes, [
    { family: 4, to: 'default', via: '10.255.0.0', dev: 'eth0', computed: true, reason: 'default route: r1 (10.255.0.0 on 10.255.0.0/31) is the only gateway' },
  ]);
  assert.deepEqual(routesOf(lab, 'two'), ['4 10.255.0.0/31 via 10.255.0.2 dev eth0', '4 10.255.0.6/31 via 10.255.0.4 dev eth1']);
  // r1 reaches r2 only through the host two, which does not forward: no route, and a note.
  assert.deepEqual(routesOf(lab, 'r1'), []);
  assert.deepEqual(trace(lab, 'one', '10.255.0.7'), ['one', 'r1', 'unreachable']);
  assert.deepEqual(lab.notes, [
    'IPv4 subnet 10.255.0.4/31 (the cable links[2]) cannot be reached from r1 and one: no path through routers leads there',
    'IPv4 subnet 10.255.0.6/31 (the cable links[3]) cannot be reached from r1 and one: no path through routers leads there',
    'IPv4 subnet 10.255.0.0/31 (the cable links[0]) cannot be reached from r2 and far: no path through routers leads there',
    'IPv4 subnet 10.255.0.2/31 (the cable links[1]) cannot be reached from r2 and far: no path through routers leads there',
  ]);
});

test('hosts do not carry traffic through; forwarding: true makes a host a router', () => {
  const text = (fwd: string): string => `name: leaf
addressing: { p2p: 10.255.0.0/24 }
routing: static
nodes: { a: {}, mid: {${fwd}}, b: {} }
links: [{ endpoints: [a, mid] }, { endpoints: [mid, b] }]
`;
  const leaf = parseTopology(text(''));
  assert.deepEqual(routesOf(leaf, 'a'), []);
  assert.deepEqual(leaf.notes, [
    'IPv4 subnet 10.255.0.2/31 (the cable links[1]) cannot be reached from a: no router is on it, so only the nodes on it reach it',
    'IPv4 subnet 10.255.0.0/31 (the cable links[0]) cannot be reached from b: no router is on it, so only the nodes on it reach it',
  ]);
  const router = parseTopology(text(' forwarding: true '));
  assert.equal(router.nodes[1]?.kind, 'host');
  assert.equal(router.nodes[1]?.forwarding, true);
  assert.deepEqual(routesOf(router, 'a'), ['4 default via 10.255.0.1 dev eth0']);
  assert.deepEqual(trace(router, 'a', '10.255.0.3'), ['a', 'mid', 'b']);
  assert.equal(router.notes, undefined);
});

test('routes given by hand win over computed ones to the same destination', () => {
  const text = read('router-ring.yaml')
    .replace(
      '  r1: { kind: router }',
      '  r1: { kind: router, routes: [{ to: 10.3.0.18/31, via: 10.3.0.10 }, { to: 10.3.0.2/31, via: 10.3.0.10, metric: 50 }] }',
    )
    .replace('  h1:\n', '  h1: { routes: [{ to: default, via: 10.3.0.12, metric: 7 }] }\n');
  const lab = parseTopology(text);
  const r1 = withRoutes(lab, 'r1');
  assert.deepEqual(r1?.routes.slice(0, 2), [
    { family: 4, to: { family: 4, address: '10.3.0.18', prefixLength: 31 }, via: '10.3.0.10' },
    { family: 4, to: { family: 4, address: '10.3.0.2', prefixLength: 31 }, via: '10.3.0.10', metric: 50 },
  ]);
  assert.equal(r1?.routes.length, 9);
  assert.deepEqual(r1?.routes.filter((r) => r.computed !== true).length, 2);
  assert.ok(!routesOf(lab, 'r1').includes('4 10.3.0.18/31 via 10.3.0.1 dev eth0'));
  assert.deepEqual(withRoutes(lab, 'h1')?.routes, [{ family: 4, to: 'default', via: '10.3.0.12', metric: 7 }]);
});

test('islands: subnets that cannot be reached are notes, not errors', () => {
  const lab = parseTopology(`name: islands
addressing: { p2p: 10.255.0.0/24, lan: 10.1.0.0/16 }
routing: static
nodes:
  r1: { kind: router }
  r2: { kind: router }
  a:
  b:
  sw: { kind: bridge }
  c:
  d:
links:
  - endpoints: [a, r1]
  - endpoints: [r1, b]
  - endpoints: [sw, c]
  - endpoints: [sw, r2]
  - endpoints: [sw, d]
`);
  assert.deepEqual(lab.notes, [
    'IPv4 subnet 10.1.0.0/24 (the LAN of bridge "sw") cannot be reached from r1, a and b: no path through routers leads there',
    'IPv4 subnet 10.255.0.0/31 (the cable links[0]) cannot be reached from r2, c and d: no path through routers leads there',
    'IPv4 subnet 10.255.0.2/31 (the cable links[1]) cannot be reached from r2, c and d: no path through routers leads there',
  ]);
  assert.deepEqual(routesOf(lab, 'a'), ['4 default via 10.255.0.1 dev eth0']);
  assert.deepEqual(routesOf(lab, 'r2'), []);
  assert.deepEqual(routesOf(lab, 'c'), ['4 default via 10.1.0.1 dev eth0']);
});

test('routing: none (and no routing key) computes nothing; subnets are listed all the same', () => {
  const text = read('router-ring.yaml').replace('\nrouting: static\n', '\n');
  const lab = parseTopology(text);
  assert.equal(lab.routing, undefined);
  assert.ok(lab.nodes.every((n) => everyRoute(lab, n).length === 0));
  assert.equal(lab.routeTable, undefined);
  assert.equal(lab.subnets?.length, 12);
  const none = parseTopology(read('router-ring.yaml').replace('\nrouting: static\n', '\nrouting: none\n'));
  assert.equal(none.routing, 'none');
  assert.ok(none.nodes.every((n) => everyRoute(none, n).length === 0));
});

test('dual stack: IPv4 and IPv6 routes side by side, a default route in each family for the hosts', () => {
  const lab = parseTopology(read('router-ring-dual.yaml'));
  assert.deepEqual(routesOf(lab, 'h1'), ['4 default via 10.4.0.12 dev eth0', '6 default via fd00:4::c dev eth0']);
  assert.deepEqual(
    routesOf(lab, 'r2').filter((r) => r.startsWith('6 ')),
    [
      '6 fd00:4::4/127 via fd00:4::3 dev eth1',
      '6 fd00:4::6/127 via fd00:4::3 dev eth1',
      '6 fd00:4::8/127 via fd00:4:: dev eth0',
      '6 fd00:4::a/127 via fd00:4:: dev eth0',
      '6 fd00:4::c/127 via fd00:4:: dev eth0',
      '6 fd00:4::10/127 via fd00:4::3 dev eth1',
      '6 fd00:4::12/127 via fd00:4::3 dev eth1',
      '6 fd00:4::14/127 via fd00:4:: dev eth0',
      '6 fd00:4::16/127 via fd00:4:: dev eth0',
    ],
  );
  for (let i = 1; i <= 6; i++) {
    for (let j = 1; j <= 6; j++) {
      if (i === j) continue;
      const six = lab.links[5 + j]?.b.addresses[1]?.address ?? '';
      const path = trace(lab, `h${i}`, six);
      assert.equal(path.length, ringDistance(i, j) + 3, `h${i} -> h${j} over IPv6: ${path.join(' ')}`);
    }
  }
});

/**
 * A random lab for the equivalence tests: routers, hosts (some forwarding), bridges with LANs, cables
 * addressed from pools or by hand (some hand subnets on two segments at once), hand routes (to subnets of
 * the lab and default ones), one family or two. Seeded: a failure names its seed.
 */
function randomLab(seed: number, summarize = false): Record<string, unknown> {
  const rnd = prng(seed);
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rnd() * xs.length)] as T;
  const routers = Array.from({ length: 1 + Math.floor(rnd() * 10) }, (_, i) => `r${i}`);
  const hosts = Array.from({ length: Math.floor(rnd() * 8) }, (_, i) => `h${i}`);
  const bridges = Array.from({ length: Math.floor(rnd() * 3) }, (_, i) => `s${i}`);
  const forwardingHost = hosts.filter(() => rnd() < 0.2);
  const ends = [...routers, ...hosts];
  const links: { endpoints: string[] }[] = [];
  let hand = 0;
  const handSubnets: string[] = [];
  for (let i = 0, count = Math.floor(rnd() * (ends.length * 2)) + 1; i < count; i++) {
    const a = pick(ends);
    const b = pick(ends);
    if (a === b) continue;
    if (rnd() < 0.15) {
      // A hand-given /24; now and then the same /24 again on another cable.
      const reuse = handSubnets.length > 0 && rnd() < 0.3;
      const third = reuse ? pick(handSubnets) : `${50 + hand++}`;
      if (!reuse) handSubnets.push(third);
      const host = 1 + 2 * links.length;
      links.push({ endpoints: [`${a} 10.${third}.0.${host}/24`, `${b} 10.${third}.0.${host + 1}/24`] });
    } else links.push({ endpoints: [a, b] });
  }
  for (const s of bridges) for (const x of ends) if (rnd() < 0.3) links.push({ endpoints: [s, x] });
  const nodes: Record<string, unknown> = {};
  for (const r of routers) nodes[r] = { kind: 'router' };
  for (const h of hosts) nodes[h] = forwardingHost.includes(h) ? { forwarding: true } : {};
  for (const s of bridges) nodes[s] = { kind: 'bridge' };
  for (const x of ends) {
    if (rnd() > 0.15) continue;
    const routes: unknown[] = [];
    if (handSubnets.length > 0 && rnd() < 0.7) routes.push({ to: `10.${pick(handSubnets)}.0.0/24`, via: '10.255.0.1' });
    if (rnd() < 0.5) routes.push({ to: 'default', via: '10.255.0.3' });
    if (rnd() < 0.3) routes.push({ to: '10.255.0.4/31', via: '10.255.0.1', metric: 9 });
    nodes[x] = { ...(nodes[x] as object), routes };
  }
  const addressing: Record<string, unknown> = { p2p: '10.255.0.0/16', lan: '10.1.0.0/16' };
  if (rnd() < 0.4) addressing.ipv6 = 'fd00::/48';
  if (summarize) addressing.summarize = true;
  return { name: `random-${seed}`, prefix: '', routing: 'static', addressing, nodes, links };
}

/** The lab's segments and routing nodes, as resolution hands them to the route computation. */
function routingInput(lab: ResolvedLab): { nodes: Parameters<typeof computeRoutes>[0]; segments: Parameters<typeof computeRoutes>[1] } {
  const bridges = new Set(lab.nodes.filter((n) => n.kind === 'bridge').map((n) => n.name));
  const { segments } = buildSegments(lab.links, (n) => bridges.has(n));
  return {
    nodes: lab.nodes.map((n) => ({ name: n.name, bridge: n.kind === 'bridge', forwarding: n.forwarding, routes: n.routes, getsRoutes: true })),
    segments,
  };
}

test('random labs: the same routes, reasons and notes as the quadratic computation it replaced (the oracle)', () => {
  let compared = 0;
  let routes = 0;
  for (let seed = 1; seed <= 300; seed++) {
    let lab: ResolvedLab;
    try {
      lab = resolveTopology(randomLab(seed));
    } catch {
      continue; // an invalid random lab (two hand routes to one place, say): the validation's business
    }
    const { nodes, segments } = routingInput(lab);
    const oracle = oracleRoutes(nodes, segments);
    const now = computeRoutes(nodes, segments);
    assert.deepEqual(now.notes, oracle.notes, `seed ${seed}: notes`);
    for (const n of lab.nodes) {
      const want = oracle.routes.get(n.name) ?? [];
      assert.deepEqual(now.table.of(n.name).all(), want, `seed ${seed}: routes of ${n.name}`);
      routes += want.length;
    }
    assert.deepEqual(lab.notes, oracle.notes.length > 0 ? oracle.notes : undefined, `seed ${seed}: the lab's notes`);
    compared++;
  }
  assert.ok(compared >= 200, `only ${compared} of 300 random labs were valid`);
  assert.ok(routes > 5000, `only ${routes} routes compared`);
});

test('a ring of 41 routers: the same routes as the oracle, the tie on the far side included', () => {
  const n = 41;
  const lab = resolveTopology({
    name: 'ring41',
    prefix: '',
    routing: 'static',
    addressing: { p2p: '10.0.0.0/16' },
    nodes: Object.fromEntries(Array.from({ length: n }, (_, i) => [`r${i}`, { kind: 'router' }])),
    links: Array.from({ length: n }, (_, i) => ({ endpoints: [`r${i}`, `r${(i + 1) % n}`] })),
  });
  const { nodes, segments } = routingInput(lab);
  const oracle = oracleRoutes(nodes, segments);
  for (const node of lab.nodes) assert.deepEqual(routeTableOf(lab)?.of(node.name).all(), oracle.routes.get(node.name), node.name);
  assert.equal(routeTableOf(lab)?.size, n * (n - 2));
  // Cable 20 (r20-r21) is 19 routers away both ways: the gateway on the lower address wins, r1's 10.0.0.1.
  const far = routeTableOf(lab)?.of('r0');
  assert.equal(far?.toText(19), '10.0.0.40/31');
  assert.equal(far?.via(19), '10.0.0.1');
  assert.equal(far?.reason(19), 'shortest path to 10.0.0.40/31 via r1, 21 hops; equal-cost paths via r40 too: the lowest gateway address wins');
});
