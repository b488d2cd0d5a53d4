// examples/testing/reach.test.ts — every node reaches every other by name, each name resolved from the
// node that asks. One of four files that use examples/client-server.yaml at the same time.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { useLab } from 'nslab/node-test';

const lab = useLab('examples/client-server.yaml');

test('every node reaches every other by name', async () => {
  const matrix = await lab.reachMatrix();
  assert.equal(matrix.length, 6);
  assert.deepEqual(
    matrix.filter((pair) => !pair.ok),
    [],
  );
});

test('the router reaches each host at the address on their shared cable', () => {
  assert.equal(lab.resolveTarget('server', { from: 'router' }), '10.30.0.3');
  assert.equal(lab.resolveTarget('client', { from: 'router' }), '10.30.0.0');
});
