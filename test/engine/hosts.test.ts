// The hosts files of a lab, written into a directory of the test's own (no root needed).
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { test } from 'node:test';
import { removeHosts, writeHosts } from '../../src/engine/hosts.js';
import { parseTopology } from '../../src/topology/index.js';

function chain(n: number, name = 'hc'): ReturnType<typeof parseTopology> {
  const nodes = Object.fromEntries(Array.from({ length: n }, (_, i) => [`n${i}`, {}]));
  const links = Array.from({ length: n - 1 }, (_, i) => ({ endpoints: [`n${i}`, `n${i + 1}`] }));
  return parseTopology(JSON.stringify({ name, addressing: { p2p: '10.0.0.0/16' }, nodes, links }));
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

test("hosts files rewritten by a process killed at any moment: every directory still holds the lab's file, and down leaves nothing", async () => {
  // A second up of a lab that is up rewrites every file in place; killed between removing a file and
  // writing its successor it left a directory down could not prove was the lab's (a chaos cycle found it).
  const dir = mkdtempSync(join(tmpdir(), 'nslab-hosts-'));
  const program = join(dir, '.writer.mts');
  writeFileSync(
    program,
    `import { writeHosts } from ${JSON.stringify(resolve('src/engine/hosts.ts'))};
import { parseTopology } from ${JSON.stringify(resolve('src/topology/index.ts'))};
const n = 300;
const nodes = Object.fromEntries(Array.from({ length: n }, (_, i) => ['n' + i, {}]));
const links = Array.from({ length: n - 1 }, (_, i) => ({ endpoints: ['n' + i, 'n' + (i + 1)] }));
const lab = parseTopology(JSON.stringify({ name: 'hk', addressing: { p2p: '10.0.0.0/16' }, nodes, links }));
for (;;) {
  await writeHosts(lab, ${JSON.stringify(dir)});
  process.stdout.write('written\\n');
}
`,
  );
  const lab = chain(300, 'hk');
  const prove = (round: number): void => {
    for (const entry of readdirSync(dir)) {
      if (entry.startsWith('.')) continue;
      const file = join(dir, entry, 'hosts');
      assert.ok(existsSync(file), `kill ${round}: ${entry} has no hosts file`);
      const text = readFileSync(file, 'utf8');
      assert.ok(text.startsWith('# written by nslab for lab hk;'), `kill ${round}: ${entry}/hosts is not the lab's: ${JSON.stringify(text.slice(0, 80))}`);
    }
  };
  try {
    for (let round = 0; round < 8; round++) {
      const child = spawn(process.execPath, ['--import', 'tsx', program], { stdio: ['ignore', 'pipe', 'inherit'] });
      const exited = new Promise((done) => child.once('exit', done));
      let written = 0;
      // Killed once it has written the files at least once and is rewriting them, at a moment that differs each round.
      await new Promise<void>((done) =>
        child.stdout.on('data', (d: Buffer) => {
          written += d.toString().split('\n').length - 1;
          if (written === 1) setTimeout(done, 3 + round * 7);
        }),
      );
      child.kill('SIGKILL');
      await exited;
      assert.equal(readdirSync(dir).filter((e) => !e.startsWith('.')).length, 300);
      prove(round);
    }
    await removeHosts(
      lab.name,
      lab.nodes.map((n) => n.netns),
      dir,
    );
    assert.deepEqual(readdirSync(dir), ['.writer.mts']);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
