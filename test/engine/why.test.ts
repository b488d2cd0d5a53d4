import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { down, up, why } from '../../src/engine/index.js';
import { parseTopology } from '../../src/topology/index.js';
import type { ResolvedLab } from '../../src/topology/types.js';
import { nslab } from '../helpers/cli.js';
import { needsRoot, sh } from '../helpers/sandbox.js';

/** Brings a lab up for one test and always takes it down. */
async function withLab(text: string, body: (lab: ResolvedLab) => Promise<void>, edit?: (lab: ResolvedLab) => void): Promise<void> {
  const lab = parseTopology(text);
  edit?.(lab);
  await up(lab);
  try {
    await body(lab);
  } finally {
    await down(lab.name);
  }
}

// a -- m -- b, routes through m; m is a host (forwarding off) unless a test turns it on.
const CHAIN = `name: why-chain
nodes:
  a: { routes: [{ to: 10.2.0.0/24, via: 10.1.0.2 }] }
  m: {}
  b: { routes: [{ to: 10.1.0.0/24, via: 10.2.0.1 }] }
links:
  - endpoints: ["a:e0 10.1.0.1/24", "m:e0 10.1.0.2/24"]
  - endpoints: ["m:e1 10.2.0.1/24", "b:e0 10.2.0.2/24"]
`;

describe('nslab why', { skip: needsRoot }, () => {
  test("the tutorial's failure: green has no route back, said in one sentence naming the route to add", () => {
    const text = `name: why-tut\nprefix: "wt-"\nnodes:\n  red:\n    routes: [{ to: 10.10.1.3/32, dev: rveth }]\n  green: {}\nlinks:\n  - endpoints:\n      - { node: red, interface: rveth, addresses: [10.10.1.2/32] }\n      - { node: green, interface: gveth, addresses: [10.10.1.3/32] }\n`;
    const dir = sh('mktemp', ['-d']).trim();
    const file = `${dir}/tut.yaml`;
    sh('sh', ['-c', `cat > ${file} <<'EOF'\n${text}EOF`]);
    try {
      assert.equal(nslab(['up', file]).code, 0);
      const r = nslab(['why', 'red', 'green', '--lab', 'why-tut']);
      assert.equal(r.code, 1);
      const verdict = r.stdout.trim().split('\n').at(-1);
      assert.equal(
        verdict,
        "red reaches green (10.10.1.3) but the reply cannot come back: green has no route to 10.10.1.2 (red's address): add { to: 10.10.1.2/32, dev: gveth } to green's routes (ip -n wt-green route add 10.10.1.2/32 dev gveth)",
      );
    } finally {
      nslab(['down', '--lab', 'why-tut']);
      sh('rm', ['-rf', dir]);
    }
  });

  test('a working path is walked both ways, hop by hop', async () => {
    await withLab(
      CHAIN,
      async (lab) => {
        const r = await why(lab, 'a', 'b');
        assert.equal(r.reaches, true, r.verdict);
        assert.equal(r.verdict, 'a reaches b (10.2.0.2) in 2 hops, and b answers back to 10.1.0.1');
        assert.deepEqual(
          r.there.hops.map((h) => h.node),
          ['a', 'm', 'b'],
        );
      },
      (lab) => {
        const m = lab.nodes.find((n) => n.name === 'm');
        if (m !== undefined) m.forwarding = true;
      },
    );
  });

  test('forwarding off in a middle node', async () => {
    await withLab(CHAIN, async (lab) => {
      const r = await why(lab, 'a', 'b');
      assert.equal(r.reaches, false);
      assert.match(r.verdict, /m gets the packet on e0 but does not forward IPv4 \(forwarding is off there\): make it a router \(kind: router\)/);
    });
  });

  test('no route on the way there', async () => {
    await withLab(CHAIN.replace('a: { routes: [{ to: 10.2.0.0/24, via: 10.1.0.2 }] }', 'a: {}'), async (lab) => {
      const r = await why(lab, 'a', '10.2.0.2');
      assert.match(
        r.verdict,
        /^a does not reach b \(10\.2\.0\.2\): a has no route to 10\.2\.0\.2 \(b's address\): add \{ to: 10\.2\.0\.2\/32, via: <a router's address/,
      );
    });
  });

  test('an interface down, on this side and on the other', async () => {
    await withLab(CHAIN, async (lab) => {
      sh('ip', ['-n', 'why-chain-a', 'link', 'set', 'dev', 'e0', 'down']);
      let r = await why(lab, 'a', 'm');
      assert.match(r.verdict, /a's interface e0 is down: bring it up \(nslab link set a:e0 up\)/);
      sh('ip', ['-n', 'why-chain-a', 'link', 'set', 'dev', 'e0', 'up']);
      sh('ip', ['-n', 'why-chain-m', 'link', 'set', 'dev', 'e0', 'down']);
      r = await why(lab, 'a', 'm');
      assert.match(r.verdict, /a:e0 has no carrier: the other end \(m:e0\) is down/);
    });
  });

  test('a next hop that no node answers for', async () => {
    await withLab(CHAIN.replace('via: 10.1.0.2', 'via: 10.1.0.99'), async (lab) => {
      const r = await why(lab, 'a', 'b');
      assert.match(r.verdict, /a sends to 10\.1\.0\.99 on e0, but no node of the lab has that address, so no neighbour answers/);
    });
  });

  test('no address to send from', async () => {
    const text = 'name: why-noaddr\nnodes:\n  a: { routes: [{ to: 10.9.0.2/32, dev: e0 }] }\n  b: {}\nlinks:\n  - endpoints: ["a:e0", "b:e0 10.9.0.2/24"]\n';
    await withLab(text, async (lab) => {
      const r = await why(lab, 'a', 'b');
      assert.match(r.verdict, /a has no IPv4 address to send from on e0/);
    });
  });
});
