// examples/testing/partition.test.ts — a partition holds whatever path packets take, and heals. One of
// four files that use examples/client-server.yaml at the same time.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { useLab } from 'nslab/node-test';

const lab = useLab('examples/client-server.yaml');

test('client and server split: neither reaches the other, the router reaches both; heal undoes it', async () => {
  const split = await lab.partition(['client'], ['server']);
  assert.equal(await lab.node('client').reach('server', { timeoutMs: 300 }), false);
  assert.equal(await lab.node('server').reach('client', { timeoutMs: 300 }), false);
  assert.equal(await lab.node('router').reach('server'), true);
  assert.equal(await lab.node('router').reach('client'), true);
  await split.heal();
  assert.equal(await lab.node('client').reach('server'), true);
});
