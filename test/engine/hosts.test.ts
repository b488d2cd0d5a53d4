// The hosts files of a lab, written into a directory of the test's own (no root needed).
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { removeHosts, writeHosts } from '../../src/engine/hosts.js';
import { parseTopology } from '../../src/topology/index.js';

function chain(n: number): ReturnType<typeof parseTopology> {
  const nodes = Object.fromEntries(Array.from({ length: n }, (_, i) => [`n${i}`, {}]));
  const links = Array.from({ length: n - 1 }, (_, i) => ({ endpoints: [`n${i}`, `n${i + 1}`] }));
  return parseTopology(JSON.stringify({ name: 'hc', addressing: { p2p: '10.0.0.0/16' }, nodes, links }));
}

test('a chain of 10,000 hosts: each inner host names its two neighbours at the cables it shares with them, in time linear in the lab', async () => {
  const lab = chain(10_000);
  const dir = mkdtempSync(join(tmpdir(), 'nslab-hosts-'));
  try {
    // The work is linear: a pass over every node for each of the 9,998 files of their own took two minutes
    // of CPU here (10^8 steps, 25 to 30 s under the test runner); linear, about one. The bound only tells the two apart.
    const start = process.cpuUsage();
    assert.deepEqual(await writeHosts(lab, dir), []);
    const cpu = process.cpuUsage(start);
    assert.ok((cpu.user + cpu.system) / 1e3 < 10_000, `writeHosts took ${((cpu.user + cpu.system) / 1e6).toFixed(1)} s of CPU`);

    assert.equal(readdirSync(dir).length, 10_000, 'a directory per namespace and nothing else (no staging, no master left)');
    const at = (node: string, peer: string): string => {
      const link = lab.links.find((l) => (l.a.node === node && l.b.node === peer) || (l.b.node === node && l.a.node === peer));
      const end = link?.a.node === peer ? link.a : link?.b;
      return end?.addresses[0]?.address ?? '?';
    };
    const n5 = readFileSync(join(dir, 'hc-n5', 'hosts'), 'utf8');
    assert.equal(
      n5,
      [
        '# written by nslab for lab hc; nslab down removes it',
        '127.0.0.1\tlocalhost',
        '::1\tlocalhost ip6-localhost ip6-loopback',
        `${at('n5', 'n4')}\tn4`,
        `${at('n5', 'n6')}\tn6`,
        '',
      ].join('\n'),
    );
    // n0 and n1 find each neighbour first addressed on the cable they share: they keep the lab's shared file
    // (every node), linked twice, its first name gone.
    const n0 = readFileSync(join(dir, 'hc-n0', 'hosts'), 'utf8')
      .trimEnd()
      .split('\n');
    assert.equal(n0.length, 3 + 10_000);
    assert.equal(statSync(join(dir, 'hc-n0', 'hosts')).ino, statSync(join(dir, 'hc-n1', 'hosts')).ino);
    assert.equal(statSync(join(dir, 'hc-n0', 'hosts')).nlink, 2);

    await removeHosts(
      lab.name,
      lab.nodes.map((n) => n.netns),
      dir,
    );
    assert.deepEqual(readdirSync(dir), []);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
