/**
 * The event loop's favour (src/process/priority.ts, api/early.ts favourLoop): the JS thread gets a lower nice
 * value where the process may (root outside a user namespace), and nothing else does: the processes nslab
 * starts and the threads of the process keep the process's own. Where it may not (a world, a user), nothing
 * changes. Its own file: the favour lasts as long as the process.
 */
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { getPriority } from 'node:os';
import { test } from 'node:test';
import { favourLoop } from '../../src/api/early.js';
import { transact } from '../../src/native/index.js';
import { run } from '../../src/process/index.js';

/** The nice value of each of this process's threads but the JS thread, from /proc (field 19 of stat). */
function otherThreadsNice(): number[] {
  return readdirSync('/proc/self/task')
    .filter((tid) => Number(tid) !== process.pid)
    .map((tid) => Number(readFileSync(`/proc/self/task/${tid}/stat`, 'utf8').split(') ')[1]?.split(' ')[16]));
}

/** Root in the initial user namespace: the one that may lower a nice value. */
const mayFavour = process.getuid?.() === 0 && /^\s*0\s+0\s+4294967295\s*$/.test(readFileSync('/proc/self/uid_map', 'utf8'));

test('favourLoop lowers the JS thread alone: processes it starts and the threads of the process keep the process nice value', async () => {
  const base = getPriority(0);
  assert.equal(favourLoop(-5), mayFavour);
  assert.equal(getPriority(0), mayFavour ? -5 : base);
  // A process started now is born at the process's value, and the loop keeps its favour.
  const r = await run(['sh', '-c', 'cut -d" " -f19 /proc/self/stat']);
  assert.equal(Number(r.stdout.trim()), base);
  assert.equal(getPriority(0), mayFavour ? -5 : base);
  // The addon's work runs on threads at the process's value (a bad descriptor: the call fails, on a pool thread).
  await transact([[-1, Buffer.alloc(16)]]);
  const others = otherThreadsNice();
  assert.ok(others.length > 0);
  assert.deepEqual(
    others.filter((n) => n !== base),
    [],
  );
});
