import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { parseTopology } from '../../src/topology/index.js';
import type { ResolvedLab } from '../../src/topology/types.js';
import { nslab, nslabOk, ROOT } from '../helpers/cli.js';
import { needsRoot, sh } from '../helpers/sandbox.js';

function load(file: string): ResolvedLab {
  return parseTopology(readFileSync(join(ROOT, 'examples', file), 'utf8'), { file });
}

/** A node's first address of a family. */
function addressOf(lab: ResolvedLab, node: string, family: 4 | 6): string | undefined {
  return lab.links
    .flatMap((l) => [l.a, l.b])
    .filter((e) => e.node === node)
    .flatMap((e) => e.addresses)
    .find((a) => a.family === family)?.address;
}

/**
 * The fewest routers a packet crosses between two hosts: bridges pass frames on (no hop), routers
 * forward (one hop each), hosts are ends only. A 0-1 breadth-first search over the lab's graph.
 */
function routersBetween(lab: ResolvedLab, from: string, to: string): number {
  const kind = new Map(lab.nodes.map((n) => [n.name, n.kind]));
  const next = new Map<string, string[]>();
  for (const l of lab.links) {
    next.set(l.a.node, [...(next.get(l.a.node) ?? []), l.b.node]);
    next.set(l.b.node, [...(next.get(l.b.node) ?? []), l.a.node]);
  }
  const cost = new Map<string, number>([[from, 0]]);
  const queue = [from];
  while (queue.length > 0) {
    const n = queue.shift() as string;
    if (n === to) return cost.get(n) as number;
    if (n !== from && kind.get(n) === 'host') continue;
    for (const m of next.get(n) ?? []) {
      const c = (cost.get(n) as number) + (kind.get(m) === 'router' ? 1 : 0);
      if (c < (cost.get(m) ?? Infinity)) {
        cost.set(m, c);
        if (kind.get(m) === 'router') queue.push(m);
        else queue.unshift(m);
      }
    }
  }
  return Infinity;
}

/** Pings once and returns the reply's TTL (hop limit for IPv6). */
function replyTtl(netns: string, address: string): number {
  const out = sh('ip', ['netns', 'exec', netns, 'ping', ...(address.includes(':') ? ['-6'] : []), '-n', '-c', '1', '-W', '2', address]);
  const m = /ttl=(\d+)/.exec(out);
  assert.ok(m !== null, `a reply from ${address} in ${out}`);
  return Number(m[1]);
}

/** Every host reaches every other host, over the fewest routers (each router takes one off the TTL of 64). */
function assertAllPairs(lab: ResolvedLab, families: (4 | 6)[]): void {
  const hosts = lab.nodes.filter((n) => n.kind === 'host');
  for (const a of hosts) {
    for (const b of hosts) {
      if (a === b) continue;
      for (const family of families) {
        const target = addressOf(lab, b.name, family);
        assert.ok(target !== undefined, `${b.name} has an IPv${family} address`);
        const hops = routersBetween(lab, a.name, b.name);
        assert.equal(replyTtl(a.netns, target), 64 - hops, `${a.name} -> ${b.name} (${target}) crosses ${hops} routers`);
      }
    }
  }
}

describe('networks beyond two computers (examples, end to end)', { skip: needsRoot }, () => {
  const cases: [string, (4 | 6)[]][] = [
    ['lan.yaml', [4]],
    ['two-lans.yaml', [4]],
    ['router-ring.yaml', [4]],
    ['router-ring-dual.yaml', [4, 6]],
  ];
  for (const [file, families] of cases) {
    test(`${file}: every host reaches every other along the shortest path`, () => {
      const lab = load(file);
      try {
        nslabOk(['up', join('examples', file)]);
        assertAllPairs(lab, families);
      } finally {
        nslab(['down', '--lab', lab.name]);
      }
    });
  }

  test('router-ring.yaml: the ring of six has its shortest paths (3 routers at the far side)', () => {
    const lab = load('router-ring.yaml');
    assert.equal(routersBetween(lab, 'h1', 'h4'), 4);
    assert.equal(routersBetween(lab, 'h1', 'h2'), 2);
    assert.equal(routersBetween(lab, 'h1', 'h6'), 2);
  });

  test('rate-limit.yaml: a TCP transfer through the 10mbit link runs within 20% of the rate', async () => {
    const lab = load('rate-limit.yaml');
    const [a, b] = lab.nodes;
    assert.ok(a !== undefined && b !== undefined);
    const target = addressOf(lab, b.name, 4) as string;
    const bytes = 3_000_000;
    try {
      nslabOk(['up', join('examples', 'rate-limit.yaml')]);
      // A receiver in b that times from the first byte to the last, and a sender in a.
      const server = spawn('ip', [
        'netns',
        'exec',
        b.netns,
        process.execPath,
        '-e',
        `
        const s = require('node:net').createServer((c) => { let n = 0, t0 = 0;
          c.on('data', (d) => { if (n === 0) t0 = performance.now(); n += d.length; });
          c.on('end', () => { console.log(JSON.stringify({ n, ms: performance.now() - t0 })); s.close(); }); });
        s.listen(5001, '${target}', () => console.log('listening'));`,
      ]);
      let out = '';
      const done = new Promise<string>((resolve) =>
        server.stdout.on('data', (d: Buffer) => {
          out += d.toString();
          if (out.includes('}')) resolve(out);
        }),
      );
      await new Promise<void>((resolve) => server.stdout.once('data', () => resolve()));
      sh('ip', [
        'netns',
        'exec',
        a.netns,
        process.execPath,
        '-e',
        `
        const c = require('node:net').connect(5001, '${target}', () => c.end(Buffer.alloc(${bytes})));`,
      ]);
      const result = JSON.parse((await done).split('\n').find((l) => l.startsWith('{')) as string) as { n: number; ms: number };
      assert.equal(result.n, bytes);
      const mbit = (result.n * 8) / (result.ms / 1000) / 1e6;
      assert.ok(mbit >= 8 && mbit <= 12, `measured ${mbit.toFixed(2)} Mbit/s through a 10mbit limit`);
      const [q] = JSON.parse(sh('tc', ['-j', '-n', a.netns, 'qdisc', 'show', 'dev', 'eth0'])) as { kind: string }[];
      assert.equal(q?.kind, 'tbf');
      // Runtime change: lift the limit, then set another.
      nslabOk(['link', 'set', 'a:eth0', 'rate', 'none']);
      assert.notEqual((JSON.parse(sh('tc', ['-j', '-n', a.netns, 'qdisc', 'show', 'dev', 'eth0'])) as { kind: string }[])[0]?.kind, 'tbf');
      nslabOk(['link', 'set', 'a:eth0', 'rate', '5mbit']);
      const [q5] = JSON.parse(sh('tc', ['-j', '-n', a.netns, 'qdisc', 'show', 'dev', 'eth0'])) as { kind: string; options?: { rate?: number } }[];
      assert.equal(q5?.kind, 'tbf');
      // A re-up restores the file's 10mbit.
      const again = JSON.parse(nslabOk(['up', join('examples', 'rate-limit.yaml'), '--json']).stdout) as { plan: { ops: { op: string }[] } };
      assert.deepEqual(
        again.plan.ops.map((o) => o.op),
        ['qdisc.set'],
      );
    } finally {
      nslab(['down', '--lab', lab.name]);
    }
  });

  test('delay and loss: refused with the links and the missing feature named, or applied without them when allowed', () => {
    const text =
      'name: lossy\nnodes: { a: {}, b: {} }\nlinks:\n  - endpoints: ["a 10.6.1.1/24", "b 10.6.1.2/24"]\n    rate: 20mbit\n    delay: 20ms\n    loss: 1%\n';
    const dir = sh('mktemp', ['-d']).trim();
    sh('sh', ['-c', `cat > ${dir}/lossy.yaml <<'EOF'\n${text}EOF`]);
    try {
      const refused = nslab(['up', `${dir}/lossy.yaml`]);
      assert.equal(refused.code, 1);
      assert.match(refused.stderr, /need the netem queueing discipline, and this kernel has none/);
      assert.match(refused.stderr, /a:eth0: delay 20ms, loss 1%/);
      assert.match(refused.stderr, /--allow-missing-features/);
      assert.ok(!sh('ip', ['netns', 'list']).includes('lossy-'), 'nothing of the lab was made');
      const allowed = nslab(['up', `${dir}/lossy.yaml`, '--allow-missing-features']);
      assert.equal(allowed.code, 0, allowed.stderr);
      assert.match(allowed.stderr, /skipped a:eth0: delay 20ms, loss 1% \(no netem in this kernel\)/);
      const [q] = JSON.parse(sh('tc', ['-j', '-n', 'lossy-a', 'qdisc', 'show', 'dev', 'eth0'])) as { kind: string }[];
      assert.equal(q?.kind, 'tbf', 'the rate is applied');
    } finally {
      nslab(['down', '--lab', 'lossy']);
      sh('rm', ['-rf', dir]);
    }
  });
});
