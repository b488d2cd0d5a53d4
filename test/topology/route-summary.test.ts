import assert from 'node:assert/strict';
import { test } from 'node:test';
import { resolveTopology, routeTableOf, routesOf, type ResolvedLab, type ResolvedRoute } from '../../src/topology/index.js';
import { addressValue, netContains, netOf } from '../../src/topology/ip-math.js';
import { summarizeRoutes, type Prefix, type SummaryRoute } from '../../src/topology/route-summary.js';
import { prng } from '../helpers/random.js';

/** `10.0.0.4/31` as a prefix. */
const prefix = (text: string): Prefix => {
  const [address = '', len = ''] = text.split('/');
  return netOf({ family: address.includes(':') ? 6 : 4, address, prefixLength: Number(len) });
};

/** Routes to these networks, the n-th through gateway `gateways[n]`, one hop more each. */
function routes(nets: readonly string[], gateways: readonly number[]): SummaryRoute[] {
  return nets.map((text, i) => ({
    ...prefix(text),
    gateway: gateways[i] ?? 0,
    count: 1,
    least: i + 2,
    most: i + 2,
    first: i,
    last: i,
    position: i,
    merged: false,
  }));
}

const show = (rs: readonly SummaryRoute[]): string[] =>
  rs.map(
    (r) =>
      `${[r.base >> 24n, (r.base >> 16n) & 255n, (r.base >> 8n) & 255n, r.base & 255n].join('.')}/${r.prefixLength} g${r.gateway}${r.merged ? ` (${r.count})` : ''}`,
  );

test('rule 1: two halves through one gateway become their network, and up again while the halves match', () => {
  assert.deepEqual(show(summarizeRoutes(4, routes(['10.0.0.0/31', '10.0.0.2/31'], [1, 1]), [])), ['10.0.0.0/30 g1 (2)']);
  assert.deepEqual(show(summarizeRoutes(4, routes(['10.0.0.0/31', '10.0.0.2/31', '10.0.0.4/30'], [1, 1, 1]), [])), ['10.0.0.0/29 g1 (3)']);
  // Another gateway, or no other half: nothing merges.
  assert.deepEqual(show(summarizeRoutes(4, routes(['10.0.0.0/31', '10.0.0.2/31'], [1, 2]), [])), ['10.0.0.0/31 g1', '10.0.0.2/31 g2']);
  assert.deepEqual(show(summarizeRoutes(4, routes(['10.0.0.2/31', '10.0.0.4/31'], [1, 1]), [])), ['10.0.0.2/31 g1', '10.0.0.4/31 g1']);
  // A merged route says what it stands for: how many, their hops, the first and the last.
  const [m] = summarizeRoutes(4, routes(['10.0.0.0/31', '10.0.0.2/31', '10.0.0.4/30'], [1, 1, 1]), []);
  assert.deepEqual({ count: m?.count, least: m?.least, most: m?.most, first: m?.first, last: m?.last }, { count: 3, least: 2, most: 4, first: 0, last: 2 });
});

test('rule 1 stops at a network the node has already: a subnet of its own, a route by hand, a computed route elsewhere', () => {
  const halves = ['10.0.0.0/31', '10.0.0.2/31'];
  assert.deepEqual(show(summarizeRoutes(4, routes(halves, [1, 1]), [prefix('10.0.0.0/30')])), ['10.0.0.0/31 g1', '10.0.0.2/31 g1']);
  assert.deepEqual(show(summarizeRoutes(4, routes([...halves, '10.0.0.0/30'], [1, 1, 2]), [])), ['10.0.0.0/31 g1', '10.0.0.2/31 g1', '10.0.0.0/30 g2']);
  // A whole /1 of one gateway still stops at /2: a summary is never a default route.
  assert.deepEqual(show(summarizeRoutes(4, routes(['0.0.0.0/2', '64.0.0.0/2'], [1, 1]), [])), ['0.0.0.0/2 g1', '64.0.0.0/2 g1']);
});

test('rule 2: a route inside a shorter one through the same gateway goes, unless something of the node lies in between', () => {
  assert.deepEqual(show(summarizeRoutes(4, routes(['10.0.0.0/24', '10.0.0.4/31'], [1, 1]), [])), ['10.0.0.0/24 g1']);
  assert.deepEqual(show(summarizeRoutes(4, routes(['10.0.0.0/24', '10.0.0.4/31'], [1, 2]), [])), ['10.0.0.0/24 g1', '10.0.0.4/31 g2']);
  assert.deepEqual(show(summarizeRoutes(4, routes(['10.0.0.0/24', '10.0.0.4/31'], [1, 1]), [prefix('10.0.0.0/28')])), ['10.0.0.0/24 g1', '10.0.0.4/31 g1']);
  // The longest cover decides: a /28 through another gateway between a /31 and a /24 through the same one.
  assert.deepEqual(show(summarizeRoutes(4, routes(['10.0.0.0/24', '10.0.0.0/28', '10.0.0.4/31'], [1, 2, 1]), [])), [
    '10.0.0.0/24 g1',
    '10.0.0.0/28 g2',
    '10.0.0.4/31 g1',
  ]);
});

/** A ring of routers, a /31 per cable from one pool in cable order. */
function ring(n: number, summarize: boolean): ResolvedLab {
  return resolveTopology({
    name: `ring${n}`,
    prefix: '',
    routing: 'static',
    addressing: { p2p: '10.0.0.0/16', ...(summarize ? { summarize: true } : {}) },
    nodes: Object.fromEntries(Array.from({ length: n }, (_, i) => [`r${i}`, { kind: 'router' }])),
    links: Array.from({ length: n }, (_, i) => ({ endpoints: [`r${i}`, `r${(i + 1) % n}`] })),
  });
}

const text = (r: ResolvedRoute): string => `${r.to === 'default' ? 'default' : `${r.to.address}/${r.to.prefixLength}`} via ${r.via ?? ''} dev ${r.dev ?? ''}`;

test('a ring of 8 routers: blocks of cables through one neighbour become one route each, and the reason says what it stands for', () => {
  const lab = ring(8, true);
  const r0 = lab.nodes[0];
  assert.ok(r0 !== undefined);
  assert.deepEqual(routesOf(lab, r0).map(text), [
    '10.0.0.2/31 via 10.0.0.1 dev eth0',
    '10.0.0.4/30 via 10.0.0.1 dev eth0',
    '10.0.0.8/30 via 10.0.0.14 dev eth1',
    '10.0.0.12/31 via 10.0.0.14 dev eth1',
  ]);
  assert.equal(routesOf(lab, r0)[1]?.reason, 'summary of 2 routes via r1: 10.0.0.4/31 to 10.0.0.6/31, 3 to 4 hops');
  assert.equal(routeTableOf(lab)?.size, 8 * 4);
  assert.equal(routeTableOf(ring(8, false))?.size, 8 * 6);
});

/**
 * Where each node of a lab sends a packet for an address: out of its own subnet, through the longest route
 * that holds it (on a tie, the first: hand-written before computed), or nowhere. The kernel's choice, for
 * these labs.
 */
function forwarding(lab: ResolvedLab): (node: string, address: string) => string {
  const own = new Map(
    lab.nodes.map((n) => [
      n.name,
      lab.links
        .flatMap((l) => [l.a, l.b])
        .filter((e) => e.node === n.name)
        .flatMap((e) => e.addresses),
    ]),
  );
  const routes = new Map(lab.nodes.map((n) => [n.name, routesOf(lab, n)]));
  return (node, address) => {
    const family = address.includes(':') ? 6 : 4;
    const value = addressValue(address);
    let best = -1;
    let choice = 'nowhere';
    for (const c of own.get(node) ?? [])
      if (c.family === family && c.prefixLength > best && netContains(netOf(c), value)) [best, choice] = [c.prefixLength, 'on-link'];
    for (const r of routes.get(node) ?? []) {
      if (r.family !== family) continue;
      const len = r.to === 'default' ? 0 : r.to.prefixLength;
      if (len > best && (r.to === 'default' || netContains(netOf(r.to), value))) [best, choice] = [len, `via ${r.via ?? '-'} dev ${r.dev ?? '-'}`];
    }
    return choice;
  };
}

/** A random mesh of routers, a /31 per cable from the pool; now and then a /25 over the pool's first cables and a hand route. */
function randomMesh(seed: number): Record<string, unknown> {
  const rnd = prng(seed);
  const n = 3 + Math.floor(rnd() * 12);
  const routers = Array.from({ length: n }, (_, i) => `r${i}`);
  const links: { endpoints: string[] }[] = [];
  for (let i = 0; i < n * 2; i++) {
    const a = routers[Math.floor(rnd() * n)] as string;
    const b = routers[Math.floor(rnd() * n)] as string;
    if (a !== b) links.push({ endpoints: [a, b] });
  }
  if (rnd() < 0.3) links.push({ endpoints: ['r0 10.0.0.129/25', 'r1 10.0.0.130/25'] });
  const nodes: Record<string, unknown> = Object.fromEntries(routers.map((r) => [r, { kind: 'router' }]));
  if (rnd() < 0.5) nodes.r2 = { kind: 'router', routes: [{ to: '10.0.0.0/30', via: '10.0.0.1' }] };
  const addressing = { p2p: '10.0.0.0/24', ...(rnd() < 0.5 ? { ipv6: 'fd00::/48' } : {}) };
  return { name: `mesh-${seed}`, prefix: '', routing: 'static', addressing, nodes, links };
}

test('summarized or not, every node sends every address of the lab (and the addresses around them) the same way', () => {
  const big = ring(64, true);
  assert.ok((routeTableOf(big)?.size ?? 0) < 64 * 12, `${routeTableOf(big)?.size} routes in a summarized ring of 64`);
  const labs: [ResolvedLab, ResolvedLab][] = [[ring(64, false), big]];
  for (let seed = 1; seed <= 60; seed++) {
    const value = randomMesh(seed);
    let plain: ResolvedLab;
    try {
      plain = resolveTopology(value);
    } catch {
      continue;
    }
    labs.push([plain, resolveTopology({ ...value, addressing: { ...(value.addressing as object), summarize: true } })]);
  }
  assert.ok(labs.length > 40);
  let checked = 0;
  let fewer = 0;
  for (const [plain, summarized] of labs) {
    if ((routeTableOf(summarized)?.size ?? 0) < (routeTableOf(plain)?.size ?? 0)) fewer++;
    const addresses = new Set<string>();
    for (const l of plain.links) {
      for (const c of [...l.a.addresses, ...l.b.addresses]) {
        addresses.add(c.address);
        if (c.family === 4) {
          const v = Number(addressValue(c.address));
          for (const d of [-2, -1, 1, 2, 5]) addresses.add([(v + d) >>> 24, ((v + d) >>> 16) & 255, ((v + d) >>> 8) & 255, (v + d) & 255].join('.'));
        }
      }
    }
    const before = forwarding(plain);
    const now = forwarding(summarized);
    for (const node of plain.nodes) {
      for (const a of addresses) {
        assert.equal(now(node.name, a), before(node.name, a), `${plain.name}: ${node.name} to ${a}`);
        checked++;
      }
    }
  }
  assert.ok(checked > 20_000, `${checked} decisions compared`);
  assert.ok(fewer > labs.length / 2, `only ${fewer} of ${labs.length} labs got fewer routes`);
});
