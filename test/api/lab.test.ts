import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { Lab, NslabError, TopologyError } from '../../src/index.js';
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
