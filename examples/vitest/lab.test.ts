// examples/vitest/lab.test.ts — the lab fixture with vitest: each test gets a lab of its own, up before it
// and down after it, named apart from every other (tests and files run in parallel).
import { test as base, expect } from 'vitest';
import type { Lab } from 'nslab';
import { labFixture } from 'nslab/vitest';

const test = base.extend<{ lab: Lab }>({ lab: labFixture('examples/client-server.yaml') });

test('every node reaches every other by name', async ({ lab }) => {
  expect((await lab.reachMatrix()).filter((pair) => !pair.ok)).toEqual([]);
});

test('a server spawned in a node is reached by name once it listens', async ({ lab }) => {
  const server = await lab.node('server').spawn(['node', '-e', "require('net').createServer((c) => c.end()).listen(9090)"]);
  await server.waitForPort(9090);
  const probe = await lab.node('client').connect('server', 9090);
  expect(probe.ok).toBe(true);
});

test.concurrent('a partition, healed', async ({ lab }) => {
  const split = await lab.partition(['client'], ['server']);
  expect(await lab.node('client').reach('server', { timeoutMs: 300 })).toBe(false);
  await split.heal();
  expect(await lab.node('client').reach('server')).toBe(true);
});
