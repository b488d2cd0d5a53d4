/**
 * The record of a world: one line in DIR/world, `PID START USERNS ID CREATED`, written whole (temporary
 * file, rename) once the holder is ready. bin/nslab reads its first two fields with the shell's own `read`
 * (no process started), so the format stays one line of words.
 *
 *   PID      the holder's pid
 *   START    its start time (/proc/PID/stat field 22): with the pid, its identity
 *   USERNS   its user namespace, as /proc/PID/ns/user names it (`user:[4026532401]`): the world's
 *   ID       a random name of this world, for messages
 *   CREATED  when it was made (ISO 8601)
 */
import { readFileSync, readlinkSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { isRunning } from '../process/index.js';
import { recordPath, type WorldPlace } from './place.js';

export interface WorldRecord {
  pid: number;
  startTime: string;
  userns: string;
  id: string;
  createdAt: string;
}

/** The record in `place`, or undefined when there is none (or it does not parse: then no world is believed). */
export function readRecord(place: WorldPlace): WorldRecord | undefined {
  let text: string;
  try {
    text = readFileSync(recordPath(place), 'utf8');
  } catch {
    return undefined;
  }
  const [pid, startTime, userns, id, createdAt] = text.trim().split(' ');
  if (pid === undefined || !/^\d+$/.test(pid) || startTime === undefined || userns === undefined || !/^user:\[\d+\]$/.test(userns)) return undefined;
  return { pid: Number(pid), startTime, userns, id: id ?? '', createdAt: createdAt ?? '' };
}

export function writeRecord(place: WorldPlace, record: WorldRecord): void {
  const path = recordPath(place);
  const temporary = `${path}.${process.pid}`;
  writeFileSync(temporary, `${record.pid} ${record.startTime} ${record.userns} ${record.id} ${record.createdAt}\n`, { mode: 0o600 });
  renameSync(temporary, path);
}

export function removeRecord(place: WorldPlace): void {
  rmSync(recordPath(place), { force: true });
}

/** The user namespace of a process (`user:[N]`), or undefined when it is gone or not ours to look at. */
export function userNamespaceOf(pid: number | 'self'): string | undefined {
  try {
    return readlinkSync(`/proc/${pid}/ns/user`);
  } catch {
    return undefined;
  }
}

/** True while the recorded holder runs: the same pid, start time and user namespace. */
export function holderRunning(record: WorldRecord): boolean {
  return isRunning({ pid: record.pid, startTime: record.startTime }) && userNamespaceOf(record.pid) === record.userns;
}

/** True when this process runs inside the world of `record` (in its user namespace). */
export function insideRecord(record: WorldRecord): boolean {
  try {
    return `user:[${statSync('/proc/self/ns/user').ino}]` === record.userns;
  } catch {
    return false;
  }
}
