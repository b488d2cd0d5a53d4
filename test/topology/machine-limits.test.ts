import assert from 'node:assert/strict';
import { test } from 'node:test';
import { resolveTopology } from '../../src/topology/index.js';
import { checkMachineLimits, KERNEL_BYTES, labNeeds, type MachineLimits } from '../../src/topology/machine-limits.js';

/** A ring of `n` routers with routing: static: n namespaces, n cables, n x (n - 2) routes. */
const ring = (n: number): ReturnType<typeof resolveTopology> =>
  resolveTopology({
    name: 'big',
    prefix: 'b-',
    routing: 'static',
    addressing: { p2p: '10.0.0.0/16' },
    nodes: Object.fromEntries(Array.from({ length: n }, (_, i) => [`r${i}`, { kind: 'router' }])),
    links: Array.from({ length: n }, (_, i) => ({ endpoints: [`r${i}`, `r${(i + 1) % n}`] })),
  });

const roomy: MachineLimits = {
  openFiles: { soft: 1_048_576, hard: 1_048_576, open: 20 },
  mounts: { max: 100_000, now: 30 },
  netNamespaces: { max: 100_000, now: 0 },
  memory: { available: 64 * 2 ** 30, from: 'the machine (MemAvailable)' },
};
const use = { perNamespace: 2, atOnce: 64 };

test("a lab's needs: its namespaces (those not there yet are new), cables and routes, hand-written and computed", () => {
  const lab = ring(10);
  assert.deepEqual(
    labNeeds(lab, (netns) => netns === 'b-r0'),
    { namespaces: 10, newNamespaces: 9, cables: 10, routes: 80 },
  );
});

test('a lab that fits: no problem', () => {
  assert.deepEqual(
    checkMachineLimits(
      'big',
      labNeeds(ring(40), () => false),
      roomy,
      use,
    ),
    [],
  );
});

test('every limit the lab goes over, with its value and how to raise it', () => {
  const needs = { namespaces: 10_000, newNamespaces: 10_000, cables: 9_999, routes: 0 };
  const tight: MachineLimits = {
    openFiles: { soft: 20_000, hard: 20_000, open: 20 },
    mounts: { max: 5_000, now: 30 },
    netNamespaces: { max: 8_000, now: 12 },
    memory: { available: 2 * 2 ** 30, from: 'the machine (MemAvailable)' },
  };
  assert.deepEqual(
    checkMachineLimits('chain', needs, tight, use).map((p) => [p.limit, p.value, p.need]),
    [
      ['RLIMIT_NOFILE', 20_000, 20_084],
      ['fs.mount-max', 5_000, 10_030],
      ['user.max_net_namespaces', 8_000, 10_012],
      ['memory', 2 * 2 ** 30, 10_000 * KERNEL_BYTES.namespace + 9_999 * KERNEL_BYTES.cable],
    ],
  );
  assert.deepEqual(
    checkMachineLimits('chain', needs, tight, use).map((p) => p.message),
    [
      'lab chain needs about 20,084 open files (2 for each of its 10,000 namespaces while it comes up, 20 open now and 64 at most besides), and this process may open 20,000 (RLIMIT_NOFILE, ulimit -n; hard limit 20,000): raise the hard limit and then the soft one, as root: ulimit -Hn 20084; ulimit -Sn 20084 (or nofile in /etc/security/limits.conf), or make the lab smaller',
      'lab chain makes 10,000 namespaces, each one a mount under /run/netns, beside the 30 mounts there are now, and fs.mount-max is 5,000: raise it, as root: sysctl -w fs.mount-max=10030',
      'lab chain makes 10,000 network namespaces, beside the 12 in /run/netns now, and user.max_net_namespaces is 8,000: raise it, as root: sysctl -w user.max_net_namespaces=10012',
      'lab chain needs about 4,063 MB of kernel memory (10,000 new namespaces, 9,999 cables, 0 routes), and the machine (MemAvailable) has 2,048 MB available: free memory, or make the lab smaller (with routing: static, addressing: { summarize: true } can cut the routes)',
    ],
  );
  // Below the hard limit, the soft one is what to raise; a bounded engine needs no descriptor per namespace.
  const soft = { ...roomy, openFiles: { soft: 1024, hard: 65_536, open: 20 } };
  assert.match(checkMachineLimits('chain', needs, soft, use)[0]?.message ?? '', /raise the soft limit: ulimit -Sn 20084 before nslab/);
  assert.deepEqual(checkMachineLimits('chain', needs, { openFiles: { soft: 1024, hard: 1024, open: 20 } }, { perNamespace: 0, atOnce: 64 }), []);
  // Limits that could not be read are not checked.
  assert.deepEqual(checkMachineLimits('chain', needs, {}, use), []);
});

test('routes count for memory: a million of them are a quarter of a gigabyte', () => {
  const p = checkMachineLimits(
    'ring',
    { namespaces: 1000, newNamespaces: 0, cables: 0, routes: 1_000_000 },
    { memory: { available: 2 ** 27, from: 'm' } },
    use,
  );
  assert.equal(p[0]?.need, 1_000_000 * KERNEL_BYTES.route);
});
