/** Where a user's world is recorded, and the directories it refuses to believe (src/world/place.ts). */
import assert from 'node:assert/strict';
import { chmodSync, mkdirSync, mkdtempSync, rmSync, statSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { NslabError } from '../../src/errors.js';
import { checkDir, prepareDir, worldPlace } from '../../src/world/index.js';

const root = mkdtempSync(join(tmpdir(), 'nslab-place-'));
after(() => rmSync(root, { recursive: true, force: true }));
const uid = process.getuid?.() ?? 0;

describe('the world directory', () => {
  test('$XDG_RUNTIME_DIR/nslab; without it (or with a relative one) nslab-UID in $TMPDIR, else in /tmp, said to be the fallback', () => {
    assert.deepEqual(worldPlace({ XDG_RUNTIME_DIR: '/run/user/1000' }, 1000), { dir: '/run/user/1000/nslab', fallback: false });
    assert.deepEqual(worldPlace({}, 1000), { dir: '/tmp/nslab-1000', fallback: true });
    assert.deepEqual(worldPlace({ XDG_RUNTIME_DIR: 'run/user/1000', TMPDIR: '/var/tmp' }, 1000), { dir: '/var/tmp/nslab-1000', fallback: true });
    assert.deepEqual(worldPlace({ TMPDIR: 'relative' }, 1000), { dir: '/tmp/nslab-1000', fallback: true });
  });

  test('inside a world (uid 0 there) the directory it was entered from, NSLAB_WORLD', () => {
    assert.deepEqual(worldPlace({ NSLAB_WORLD: '/run/user/1000/nslab', XDG_RUNTIME_DIR: '/run/user/1000' }, 0), {
      dir: '/run/user/1000/nslab',
      fallback: false,
    });
    assert.deepEqual(worldPlace({ NSLAB_WORLD: '/tmp/nslab-1000' }, 0), { dir: '/tmp/nslab-1000', fallback: true });
  });

  test('made private to the user (700), with its labs/', () => {
    const place = { dir: join(root, 'made'), fallback: true };
    prepareDir(place, uid);
    assert.equal(statSync(place.dir).mode & 0o777, 0o700);
    assert.ok(statSync(join(place.dir, 'labs')).isDirectory());
    prepareDir(place, uid); // twice is fine
  });

  test('refused: a directory others may use, a symbolic link, a file, one of another user; each saying how to fix it', () => {
    const refused = (dir: string, pattern: RegExp, owner = uid): void => {
      assert.throws(
        () => checkDir({ dir, fallback: true }, owner),
        (e: unknown) =>
          e instanceof NslabError && e.code === 'NSLAB_WORLD' && pattern.test(e.message) && /remove it/.test(e.message) && /XDG_RUNTIME_DIR/.test(e.message),
      );
    };
    const open = join(root, 'open');
    mkdirSync(open);
    chmodSync(open, 0o777);
    refused(open, /others may use it \(mode 777; it must be 700\)/);
    const link = join(root, 'link');
    mkdirSync(join(root, 'target'), { mode: 0o700 });
    symlinkSync(join(root, 'target'), link);
    refused(link, /it is a symbolic link/);
    const theirs = join(root, 'theirs');
    mkdirSync(theirs, { mode: 0o700 });
    refused(theirs, new RegExp(`it belongs to uid ${uid}, not to you \\(uid ${uid + 1}\\)`), uid + 1);
  });
});
