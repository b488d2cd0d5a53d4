/**
 * A lock file held with flock (tryLock): taken, waiting while another process holds it, and released by
 * unlinking it while still held. The lab's lock (engine/state.ts) and the world's (world/world.ts) are this.
 */
import { ftruncateSync, mkdirSync, readdirSync, readFileSync, rmdirSync, unlinkSync, writeSync } from 'node:fs';
import { dirname } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { closeSocket, tryLock } from './index.js';

export interface FlockOptions {
  /** The mode of the lock's directory, made when missing. */
  dirMode: number;
  /** How long to wait for another holder (ms). */
  waitMs: number;
  /** Release removes the directory too when nothing else is left in it. */
  removeEmptyDir?: boolean;
  /** The error thrown once `waitMs` has passed; `holder` is the pid the holder wrote, or '?'. */
  timeout: (holder: string) => Error;
}

/**
 * Takes the lock at `file`, waiting while another process holds it; resolves with its release (idempotent).
 * The holder writes its pid into the file, for the message of a process that waits.
 */
export async function holdLockFile(file: string, options: FlockOptions): Promise<() => void> {
  const dir = dirname(file);
  const deadline = Date.now() + options.waitMs;
  for (;;) {
    mkdirSync(dir, { recursive: true, mode: options.dirMode });
    let fd: number | undefined;
    try {
      fd = tryLock(file);
    } catch (e) {
      // The directory went (a down or a stop removed it) between mkdir and open: make it again.
      if ((e as { errno?: number }).errno === 2) continue;
      throw e;
    }
    if (fd !== undefined) {
      ftruncateSync(fd);
      writeSync(fd, `${process.pid}\n`, 0);
      return releaser(fd, file, options.removeEmptyDir === true);
    }
    if (Date.now() > deadline) {
      let holder = '';
      try {
        holder = readFileSync(file, 'utf8').trim();
      } catch {
        // gone meanwhile
      }
      throw options.timeout(holder !== '' ? holder : '?');
    }
    await sleep(20);
  }
}

function releaser(fd: number, file: string, removeEmptyDir: boolean): () => void {
  let released = false;
  return () => {
    if (released) return;
    released = true;
    try {
      // Unlinked while held, so that a waiter that opened it finds the lock it gets is on a dead file and
      // opens the new one (see tryLock).
      unlinkSync(file);
      const dir = dirname(file);
      if (removeEmptyDir && readdirSync(dir).length === 0) rmdirSync(dir);
    } catch {
      // the directory may be gone already (a down or a stop removes it)
    } finally {
      closeSocket(fd);
    }
  };
}
