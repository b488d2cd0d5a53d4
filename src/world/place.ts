/**
 * Where a user's world is recorded: one directory per user, `$XDG_RUNTIME_DIR/nslab` (a tmpfs of the user's
 * session, private to them, emptied at logout and reboot as the namespaces are), else `nslab-UID` in the
 * temporary directory (`$TMPDIR`, else /tmp), made private (0700) and checked to be the user's own before
 * anything in it is believed. bin/nslab finds it the same way (its step 3).
 *
 *   DIR/world   the record: the holder's pid, start time and user namespace (record.ts)
 *   DIR/lock    a flock taken while the world is made or stopped
 *   DIR/labs/   the world's /run/nslab: the labs' state, readable from outside the world
 */
import { lstatSync, mkdirSync } from 'node:fs';
import { isAbsolute, join } from 'node:path';
import { NslabError } from '../errors.js';

/** The variable the launcher sets on entering a world: the world's directory (inside, the uid is 0). */
export const WORLD_ENV = 'NSLAB_WORLD';

export interface WorldPlace {
  /** The directory of the record, the lock and the labs' state. */
  dir: string;
  /** True when XDG_RUNTIME_DIR was unset (or not absolute) and the directory is in the temporary directory. */
  fallback: boolean;
}

/**
 * The user's world directory. Inside a world, the one it was entered from (NSLAB_WORLD: there the uid is 0,
 * not the user's).
 */
export function worldPlace(env: NodeJS.ProcessEnv = process.env, uid: number = process.getuid?.() ?? 0): WorldPlace {
  const xdg = env.XDG_RUNTIME_DIR;
  const own = xdg !== undefined && isAbsolute(xdg) ? join(xdg, 'nslab') : undefined;
  const entered = env[WORLD_ENV];
  if (entered !== undefined && isAbsolute(entered)) return { dir: entered, fallback: entered !== own };
  return own !== undefined ? { dir: own, fallback: false } : { dir: join(temporary(env), `nslab-${uid}`), fallback: true };
}

/** $TMPDIR when it is absolute, else /tmp: as bin/nslab reads it. */
function temporary(env: NodeJS.ProcessEnv): string {
  const dir = env.TMPDIR;
  return dir !== undefined && isAbsolute(dir) ? dir : '/tmp';
}

export const recordPath = (place: WorldPlace): string => join(place.dir, 'world');
export const lockPath = (place: WorldPlace): string => join(place.dir, 'lock');
export const labsDir = (place: WorldPlace): string => join(place.dir, 'labs');

/**
 * Makes the directory (0700) and its labs/ when missing, and refuses one that is not a directory of this
 * user's that only they can enter: under /tmp anyone could have made it first, and a record in it names
 * the process every command enters.
 */
export function prepareDir(place: WorldPlace, uid: number = process.getuid?.() ?? 0): void {
  try {
    mkdirSync(place.dir, { mode: 0o700 });
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw unusable(place, (e as Error).message);
  }
  checkDir(place, uid);
  mkdirSync(labsDir(place), { recursive: true, mode: 0o700 });
}

/** Throws NSLAB_WORLD when `place.dir` is a symlink, not a directory, not the user's, or open to others. */
export function checkDir(place: WorldPlace, uid: number = process.getuid?.() ?? 0): void {
  const st = lstatSync(place.dir);
  if (!st.isDirectory()) throw unusable(place, st.isSymbolicLink() ? 'it is a symbolic link' : 'it is not a directory');
  if (st.uid !== uid) throw unusable(place, `it belongs to uid ${st.uid}, not to you (uid ${uid})`);
  if ((st.mode & 0o077) !== 0) throw unusable(place, `others may use it (mode ${(st.mode & 0o777).toString(8)}; it must be 700)`);
}

function unusable(place: WorldPlace, why: string): NslabError {
  return new NslabError(
    'NSLAB_WORLD',
    `cannot keep your nslab world in ${place.dir}: ${why}; remove it (nslab makes it anew, private to you)${
      place.fallback ? ', or set XDG_RUNTIME_DIR to a directory of your own (a login session sets it)' : ''
    }`,
  );
}
