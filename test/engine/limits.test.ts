import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { NslabError } from '../../src/errors.js';
import { checkMachine, DESCRIPTOR_USE, readMachineLimits } from '../../src/engine/limits.js';
import { Spares } from '../../src/engine/spares.js';
import { resolveTopology } from '../../src/topology/index.js';
import { heldBeyond, heldNamespaces, needsRoot, uniqueName } from '../helpers/sandbox.js';

const chain = (n: number): ReturnType<typeof resolveTopology> =>
  resolveTopology({
    name: 'chain',
    addressing: { p2p: '10.0.0.0/8' },
    nodes: Object.fromEntries(Array.from({ length: n }, (_, i) => [`n${i}`, {}])),
    links: Array.from({ length: n - 1 }, (_, i) => ({ endpoints: [`n${i}`, `n${i + 1}`] })),
  });

test("this machine's limits, as /proc says them", () => {
  const dir = mkdtempSync(join(tmpdir(), 'nslab-netns-'));
  try {
    const limits = readMachineLimits(dir);
    assert.ok(limits.openFiles !== undefined && limits.openFiles.soft > 0 && limits.openFiles.open > 2);
    // Node raises the soft limit to the hard one when it starts.
    assert.equal(limits.openFiles.soft, limits.openFiles.hard);
    assert.ok(limits.mounts !== undefined && limits.mounts.max > 0 && limits.mounts.now > 0);
    assert.deepEqual(limits.netNamespaces?.now, 0);
    assert.ok(limits.memory !== undefined && limits.memory.available > 0);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('a lab over a limit is refused with NSLAB_MACHINE_LIMIT naming the limit and how to raise it; one within is not', () => {
  // The engine holds a bounded set of descriptors (about 514 at most), whatever the lab's size.
  assert.deepEqual(DESCRIPTOR_USE, { perNamespace: 0, atOnce: 514 });
  checkMachine(chain(2000), '/nonexistent', { openFiles: { soft: 600, hard: 600, open: 10 } });
  assert.throws(
    () => checkMachine(chain(10), '/nonexistent', { openFiles: { soft: 500, hard: 500, open: 10 } }),
    (e: unknown) =>
      e instanceof NslabError &&
      e.code === 'NSLAB_MACHINE_LIMIT' &&
      e.message.startsWith(
        'lab chain does not fit this machine, and nslab makes nothing of a lab that does not fit:\n  lab chain needs about 524 open files',
      ) &&
      e.message.includes('ulimit -Hn 524'),
  );
});

test("namespaces made ahead (spares) and their sockets are not counted as other open files: they are the lab's own two each", { skip: needsRoot }, async () => {
  const before = heldNamespaces();
  const open = readMachineLimits().openFiles?.open ?? 0;
  const spares = Spares.start(uniqueName('lim'), 40);
  assert.ok(spares !== undefined);
  try {
    assert.equal((await heldBeyond(before, 40)).length, 40);
    assert.equal(spares.held(), 40);
    const now = readMachineLimits(undefined, spares.held()).openFiles?.open ?? 0;
    assert.ok(Math.abs(now - open) <= 4, `${open} open before 40 spares, ${now} with them`);
  } finally {
    await spares.close();
  }
});
