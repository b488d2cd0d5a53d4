import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { Lab, NslabError, TopologyError } from '../../src/index.js';
import { ROOT } from '../helpers/cli.js';
import { needsRoot, netnsList } from '../helpers/sandbox.js';

describe('Lab (no root needed)', () => {
  test('parse, define and their errors', () => {
    const lab = Lab.parse('name: t\nnodes: { a: {}, b: {} }\nlinks:\n  - endpoints: ["a 10.0.0.1/24", "b 10.0.0.2/24"]\n');
    assert.deepEqual(lab.node('b').addresses, ['10.0.0.2']);
    assert.equal(lab.resolveTarget('b'), '10.0.0.2');
    assert.throws(
      () => lab.node('c'),
      (e: unknown) => e instanceof NslabError && e.code === 'NSLAB_NOT_FOUND' && /its nodes are a and b$/.test(e.message),
    );
    assert.throws(() => Lab.parse('name: t\nnodes: { a: {} }\nlinks:\n  - endpoints: ["a", "zz"]\n'), TopologyError);
    const defined = Lab.define({ name: 'd', nodes: { x: {}, y: {} }, links: [{ endpoints: ['x', 'y'] }] });
    assert.deepEqual(defined.node('x').interfaces, ['eth0']);
    assert.throws(() => defined.link('x:eth9'), /node x has no interface eth9; its interfaces are eth0/);
  });

  test('fromFile reads the bytes of the file: a binary one is "not a text file", echoing none of it', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'nslab-'));
    try {
      const file = join(dir, 'lab.yaml');
      writeFileSync(file, Buffer.concat([Buffer.from([0x1f, 0x8b, 0x08, 0x00]), Buffer.alloc(10_000, 0x41)]));
      await assert.rejects(Lab.fromFile(file), (e: unknown) => {
        assert.ok(e instanceof TopologyError);
        assert.equal(
          e.message,
          `${file} has 1 problem:\n  ${file}: not a text file: byte 2 (0x8B) is not UTF-8; a topology file is YAML or JSON text in UTF-8 (see examples/two-computers.yaml)`,
        );
        return true;
      });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('Lab', { skip: needsRoot }, () => {
  test('await using: up, reach, a cable pulled and put back, exec; down at the end of the scope', async () => {
    {
      await using lab = await Lab.fromFile('examples/two-computers.yaml');
      await lab.up();
      assert.equal(await lab.node('red').reach('green'), true);
      await lab.link('red:rveth').set({ up: false });
      assert.equal(await lab.node('red').reach('green'), false);
      assert.match((await lab.why('red', 'green')).verdict, /rveth is down/);
      await lab.link('red:rveth').set({ up: true });
      assert.equal(await lab.node('red').reach('green'), true);
      const r = await lab.node('green').exec('ip -o -4 addr show gveth');
      assert.equal(r.code, 0);
      assert.match(r.stdout, /10\.10\.1\.3\/32/);
    }
    assert.deepEqual(
      netnsList().filter((n) => n === 'red' || n === 'green'),
      [],
    );
  });
});

describe('Lab: isolation and what a scope takes down', { skip: needsRoot }, () => {
  test('isolate: the same file up twice at once, each Lab with a name and namespaces of its own', async () => {
    const [one, two] = await Promise.all([
      Lab.fromFile('examples/two-computers.yaml', { isolate: true }),
      Lab.fromFile('examples/two-computers.yaml', { isolate: true }),
    ]);
    assert.ok(one !== undefined && two !== undefined);
    assert.notEqual(one.name, two.name);
    assert.match(one.name, /^two-computers-[a-z0-9]{6}$/);
    assert.equal(one.node('red').netns, `${one.name}-red`);
    await Promise.all([one.up(), two.up()]);
    try {
      assert.deepEqual(
        netnsList()
          .filter((n) => n.startsWith('two-computers-'))
          .sort(),
        [`${one.name}-green`, `${one.name}-red`, `${two.name}-green`, `${two.name}-red`].sort(),
      );
      assert.deepEqual(await Promise.all([one.node('red').reach('green'), two.node('red').reach('green')]), [true, true]);
      await one.down();
      assert.equal(await two.node('red').reach('green'), true);
    } finally {
      await Promise.all([one.down(), two.down()]);
    }
  });

  test('await using takes down only a lab this object brought up: not one it adopted, nor one it opened', async () => {
    const text = 'name: scoped\nnodes: { a: {}, b: {} }\nlinks:\n  - endpoints: ["a 10.0.0.1/24", "b 10.0.0.2/24"]\n';
    const owner = Lab.parse(text, undefined, { isolate: true });
    await owner.up();
    try {
      {
        await using adopted = Lab.define({
          name: owner.name,
          prefix: `${owner.name}-`,
          nodes: { a: {}, b: {} },
          links: [{ endpoints: ['a 10.0.0.1/24', 'b 10.0.0.2/24'] }],
        });
        assert.equal((await adopted.up()).existed, true);
      }
      {
        await using opened = Lab.open(owner.name);
        assert.equal(opened.name, owner.name);
      }
      assert.equal((await owner.status()).state.lab, owner.name, 'still up after both scopes');
      {
        await using _ = owner;
      }
      await assert.rejects(owner.status(), (e: unknown) => e instanceof NslabError && e.code === 'NSLAB_NOT_FOUND');
    } finally {
      await owner.down();
    }
  });
});

describe('Lab without the rights to make namespaces', { skip: needsRoot }, () => {
  test('refuses up before anything is made, saying to run inside the world (nslab world run)', () => {
    // This test's own root, its capabilities dropped: a process as a user's is, outside any world.
    const script =
      "import { Lab } from './src/index.ts'; const lab = Lab.parse('name: norights\\nnodes: { a: {}, b: {} }\\nlinks: [{ endpoints: [a, b] }]\\n'); lab.up().catch((e) => { console.log(e.code); console.log(e.message); });";
    const r = spawnSync('setpriv', ['--bounding-set=-all', '--inh-caps=-all', process.execPath, '--import', 'tsx', '--input-type=module', '-e', script], {
      cwd: ROOT,
      encoding: 'utf8',
    });
    assert.equal(r.status, 0, r.stderr);
    const [code, message] = r.stdout.split('\n');
    assert.equal(code, 'NSLAB_PERMISSION');
    assert.match(message ?? '', /bringing lab norights up needs root's rights over namespaces \(CAP_SYS_ADMIN and CAP_NET_ADMIN\)/);
    assert.match(message ?? '', /nslab world run -- node SCRIPT/);
    assert.ok(!netnsList().some((n) => n.startsWith('norights')), 'nothing was made');
  });
});
