/**
 * Computed routes (`routing: static`) in real namespaces: what the kernel holds afterwards, read back with
 * `ip -j route show` as an independent witness, is every route nslab computed, no more.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, test } from 'node:test';
import { down, up } from '../../src/engine/index.js';
import { parseTopology, routesOf } from '../../src/topology/index.js';
import type { ResolvedLab } from '../../src/topology/types.js';
import { gone } from '../helpers/labs.js';
import { ipJson, needsRoot, uniqueName } from '../helpers/sandbox.js';

interface IpRoute {
  dst: string;
  gateway?: string;
  dev: string;
}

/** `ip` leaves out the prefix length of a host route: put it back, so both sides read alike. */
function full(dst: string, family: 4 | 6): string {
  return dst.includes('/') || dst === 'default' ? dst : `${dst}/${family === 4 ? 32 : 128}`;
}

/** The kernel's routes of nslab (protocol 77) in a node's namespace, both families, as `TO via GW dev DEV`. */
function kernelRoutes(netns: string): string[] {
  return ([4, 6] as const)
    .flatMap((f) =>
      ipJson<IpRoute[]>([`-${f}`, '-n', netns, 'route', 'show', 'proto', '77']).map((r) => `${full(r.dst, f)} via ${r.gateway ?? ''} dev ${r.dev}`),
    )
    .sort();
}

/** The routes nslab computed for a node, in the same words. */
function computedRoutes(lab: ResolvedLab, node: string): string[] {
  const n = lab.nodes.find((x) => x.name === node);
  assert.ok(n !== undefined);
  return routesOf(lab, n)
    .map((r) => `${r.to === 'default' ? 'default' : `${r.to.address}/${r.to.prefixLength}`} via ${r.via ?? ''} dev ${r.dev ?? ''}`)
    .sort();
}

/** A ring of `n` routers with a p2p pool: each has n - 2 computed routes. */
function ring(name: string, n: number): ResolvedLab {
  const nodes = Array.from({ length: n }, (_, i) => `  r${i}: { kind: router }`);
  const links = Array.from({ length: n }, (_, i) => `  - endpoints: [r${i}, r${(i + 1) % n}]`);
  return parseTopology([`name: ${name}`, 'addressing: { p2p: 10.0.0.0/16 }', 'routing: static', 'nodes:', ...nodes, 'links:', ...links].join('\n'));
}

describe('computed routes in the kernel', { skip: needsRoot }, () => {
  test('a ring of 260 routers: every node’s 258 routes (two windows) are in its namespace as computed', async () => {
    const lab = ring(uniqueName('rr'), 260);
    try {
      await up(lab);
      // Every node would be 260 `ip` processes; a sample, the first and last of the ring among them.
      for (const node of ['r0', 'r1', 'r97', 'r130', 'r200', 'r259']) {
        const computed = computedRoutes(lab, node);
        assert.equal(computed.length, 258, node);
        assert.deepEqual(kernelRoutes(`${lab.name}-${node}`), computed, node);
      }
    } finally {
      await down(lab.name);
    }
    gone(lab);
  });

  test('the dual-stack ring: IPv4 and IPv6 routes, default routes of the hosts, in every namespace', async () => {
    const name = uniqueName('r6');
    const text = readFileSync(new URL('../../examples/router-ring-dual.yaml', import.meta.url), 'utf8').replace('name: ring6', `name: ${name}`);
    const lab = parseTopology(text);
    try {
      await up(lab);
      for (const n of lab.nodes) {
        const computed = computedRoutes(lab, n.name);
        assert.ok(computed.length > 0, n.name);
        assert.deepEqual(kernelRoutes(n.netns), computed, n.name);
      }
    } finally {
      await down(lab.name);
    }
    gone(lab);
  });
});
