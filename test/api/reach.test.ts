/** Names that reach: from every node, every other node's name resolves to an address that node reaches. */
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { describe, test } from 'node:test';
import { Lab } from '../../src/index.js';

/**
 * The names each node cannot ping, as its own resolver sees them: `ping NAME` run in the node (its hosts file,
 * which ip netns exec puts over /etc/hosts), one node after another's names, the nodes in parallel.
 */
async function unreachedByName(lab: Lab): Promise<string[]> {
  const nodes = lab.nodes.filter((n) => n.kind !== 'bridge' && n.addresses.length > 0);
  const missed = await Promise.all(
    nodes.map(async (from) => {
      const others = nodes.filter((n) => n !== from).map((n) => n.name);
      const r = await from.exec(['sh', '-c', 'for n in "$@"; do ping -q -c 1 -W 3 "$n" >/dev/null 2>&1 || echo "$n"; done', 'sh', ...others]);
      return r.stdout
        .split('\n')
        .filter((n) => n !== '')
        .map((to) => `${from.name} -> ${to}`);
    }),
  );
  return missed.flat();
}
import { inWorld, needsRoot } from '../helpers/sandbox.js';

const TRIANGLE = {
  name: 'tri',
  nodes: { a: {}, b: {}, c: {} },
  links: [
    { endpoints: ['a 10.0.1.1/24', 'b 10.0.1.2/24'] },
    { endpoints: ['b 10.0.2.1/24', 'c 10.0.2.2/24'] },
    { endpoints: ['c 10.0.3.1/24', 'a 10.0.3.2/24'] },
  ],
};

describe('names that reach', { skip: needsRoot }, () => {
  test('a triangle of hosts: every host reaches every other by name (no host forwards)', async () => {
    const lab = Lab.define(TRIANGLE, { isolate: true });
    assert.equal(lab.resolveTarget('c', { from: 'a' }), '10.0.3.1');
    assert.equal(lab.resolveTarget('c'), '10.0.2.2', 'without a viewer: the first address, as before');
    await lab.up();
    try {
      // Timeouts that leave room for starting ping on a loaded machine.
      assert.equal(await lab.node('a').reach('c', { timeoutMs: 3000 }), true);
      const matrix = await lab.reachMatrix({ timeoutMs: 3000 });
      assert.equal(matrix.length, 6);
      assert.deepEqual(
        matrix.filter((p) => !p.ok),
        [],
      );
      assert.deepEqual(await unreachedByName(lab), [], "by the nodes' own resolvers too: each node's hosts file names the address it reaches");
    } finally {
      await lab.down();
    }
  });

  const examples = readdirSync('examples').filter((f) => /\.ya?ml$/.test(f));
  for (const file of examples) {
    // In a world, a lab with FRR routers is refused (FRR's daemons switch users): test/cli/world.test.ts checks that.
    const frr = inWorld && Lab.parse(readFileSync(`examples/${file}`, 'utf8'), file).resolved.nodes.some((n) => n.frr !== undefined);
    test(`examples/${file}: every node reaches every other by name`, { skip: frr && 'FRR routers, which nslab refuses in a world' }, async () => {
      const lab = await Lab.fromFile(`examples/${file}`, { isolate: true });
      await lab.up();
      try {
        // The OSPF and BGP rings route once their daemons have converged (nothing to wait for elsewhere).
        await lab.waitConverged();
        assert.deepEqual(
          (await lab.reachMatrix({ timeoutMs: 3000 })).filter((p) => !p.ok),
          [],
        );
        assert.deepEqual(await unreachedByName(lab), []);
      } finally {
        await lab.down();
      }
    });
  }
});
