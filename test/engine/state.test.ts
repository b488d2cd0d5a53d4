// The state file and the applied lab beside it, written into a directory of the test's own (no root needed).
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { subscribe, unsubscribe } from 'node:diagnostics_channel';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { newState, readState, warmNamespaces, writeState, writeStateSliced } from '../../src/engine/state.js';
import { parseTopology } from '../../src/topology/index.js';

const lab = parseTopology(JSON.stringify({ name: 'st', addressing: { p2p: '10.0.0.0/16' }, nodes: { a: {}, b: {} }, links: [{ endpoints: ['a', 'b'] }] }));
const appliedFiles = (dir: string): string[] => readdirSync(dir).filter((f) => f.startsWith('applied-'));

/** A test with a state root of its own, removed after it; `dir` is the lab st's directory there. */
function inOwnRoot(title: string, body: (root: string, dir: string) => Promise<void>): void {
  test(title, async () => {
    const root = mkdtempSync(join(tmpdir(), 'nslab-state-'));
    try {
      await body(root, join(root, 'st'));
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });
}

inOwnRoot('the applied lab lives in a file of its own, read only when asked for, and written only when it changed', async (root, dir) => {
  const state = newState('st', undefined, root);
  state.namespaces = { 'st-a': 'a', 'st-b': 'b' };
  state.applied = lab;
  writeState(state, root);
  const text = readFileSync(join(dir, 'state.json'), 'utf8');
  assert.ok(!text.includes('"applied":'), 'the state file does not hold the applied lab');
  assert.deepEqual(appliedFiles(dir), [state.appliedFile]);
  assert.deepEqual(JSON.parse(readFileSync(join(dir, state.appliedFile ?? ''), 'utf8')), JSON.parse(JSON.stringify(lab)));

  // A down's intent: the run written, the applied lab neither read nor written again.
  const read = readState('st', root);
  assert.ok(read !== undefined);
  const file = read.appliedFile;
  const written = statSync(join(dir, file ?? '')).mtimeMs;
  read.run = { kind: 'down', pid: 1, startedAt: 'now' };
  writeState(read, root);
  assert.equal(read.appliedFile, file);
  assert.equal(statSync(join(dir, file ?? '')).mtimeMs, written);
  assert.equal(readState('st', root)?.run?.kind, 'down');
  assert.deepEqual(
    readState('st', root)?.applied?.nodes.map((n) => n.name),
    ['a', 'b'],
  );

  // A new applied lab: a new file, named by the state once it is whole; the old one goes after.
  const again = readState('st', root);
  assert.ok(again !== undefined);
  again.applied = { ...lab, name: 'st' };
  await writeStateSliced(again, root);
  assert.notEqual(again.appliedFile, file);
  assert.deepEqual(appliedFiles(dir), [again.appliedFile]);
  assert.ok(readState('st', root)?.applied !== undefined);

  // No applied lab any more: the file goes too.
  delete again.applied;
  writeState(again, root);
  assert.equal(again.appliedFile, undefined);
  assert.deepEqual(appliedFiles(dir), []);
  assert.equal(readState('st', root)?.applied, undefined);
});

inOwnRoot(
  'a kill between the applied file and the state leaves the old state whole, with its own file; the next write clears the orphan',
  async (root, dir) => {
    const state = newState('st', undefined, root);
    state.applied = lab;
    writeState(state, root);
    // What the kill leaves: a new applied file written, the state not yet renamed over.
    writeFileSync(join(dir, 'applied-0badf00d.json'), '{"name": "half');
    const read = readState('st', root);
    assert.equal(read?.appliedFile, state.appliedFile);
    assert.deepEqual(
      read?.applied?.nodes.map((n) => n.name),
      ['a', 'b'],
    );
    assert.ok(read !== undefined);
    writeState(read, root);
    assert.deepEqual(appliedFiles(dir), [state.appliedFile]);
  },
);

inOwnRoot(
  'a state of version 2 (the applied lab inline) is read as it is, and split at its next write; a lost applied file reads as none, said',
  async (root, dir) => {
    const old = { version: 2, lab: 'st', id: 'abcd1234', createdAt: 'then', updatedAt: 'then', namespaces: { 'st-a': 'a' }, processes: [], applied: lab };
    writeState(newState('st', undefined, root), root);
    writeFileSync(join(dir, 'state.json'), JSON.stringify(old));
    const read = readState('st', root);
    assert.equal(read?.version, 3);
    assert.deepEqual(
      read?.applied?.nodes.map((n) => n.name),
      ['a', 'b'],
    );
    assert.ok(read !== undefined);
    writeState(read, root);
    assert.ok(!readFileSync(join(dir, 'state.json'), 'utf8').includes('"applied":'));
    assert.equal(appliedFiles(dir).length, 1);

    rmSync(join(dir, appliedFiles(dir)[0] ?? ''));
    const heard: string[] = [];
    const listen = (m: unknown): void => void heard.push((m as { message: string }).message);
    subscribe('nslab:warning', listen);
    try {
      assert.equal(readState('st', root)?.applied, undefined);
    } finally {
      unsubscribe('nslab:warning', listen);
    }
    assert.match(heard.join('\n'), /the lab as last applied \(.*applied-[0-9a-f]+\.json\) cannot be read/);
    assert.ok(existsSync(join(dir, 'state.json')), 'the state itself stays');
  },
);

inOwnRoot("a down's head start only reads: a state that does not parse is left where it is, a name that is no lab's reads nothing", async (root, dir) => {
  writeState(newState('st', undefined, root), root);
  writeFileSync(join(dir, 'state.json'), '{"version": 3, "lab": tru');
  warmNamespaces('st', root, join(root, 'netns'));
  warmNamespaces('../st', root, join(root, 'netns'));
  // The identity check it starts, for a state that parses, answers on the threadpool and is not waited for.
  await new Promise((done) => setTimeout(done, 50));
  assert.deepEqual(readdirSync(dir).sort(), ['state.json']);
  assert.equal(readFileSync(join(dir, 'state.json'), 'utf8'), '{"version": 3, "lab": tru');
});
