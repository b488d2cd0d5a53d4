/**
 * The one process runner (src/process): decoded output, exit codes and signals as a shell reports them,
 * timeouts, cancellation, start failures as NSLAB_EXEC, and ending a process only while it is the one
 * that was recorded. No root needed: these run ordinary commands in nslab's own namespace.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { NslabError } from '../../src/errors.js';
import { endProcess, isRunning, processStartTime, run, shellStatus, startChild } from '../../src/process/index.js';
import { AWKWARD_TEXT, PRINT_AWKWARD } from '../helpers/text.js';

describe('process runner', () => {
  it('returns output byte-exact when a multi-byte character straddles the 64 KiB pipe read', async () => {
    const r = await run(['sh', '-c', PRINT_AWKWARD]);
    assert.equal(r.code, 0);
    assert.equal(r.stdout.length, AWKWARD_TEXT.length);
    assert.ok(!r.stdout.includes('\uFFFD'));
    assert.equal(r.stdout, AWKWARD_TEXT);
  });

  it('keeps stdout and stderr apart and writes input', async () => {
    const r = await run(['sh', '-c', 'cat; echo err >&2; exit 3'], { input: 'in put\n' });
    assert.deepEqual([r.code, r.exitCode, r.signal, r.timedOut, r.stdout, r.stderr], [3, 3, undefined, false, 'in put\n', 'err\n']);
  });

  it('reports a signal as the signal, and 128 + its number as the shell status', async () => {
    const term = await run(['sh', '-c', 'kill -TERM $$']);
    assert.deepEqual([term.code, term.signal, term.exitCode], [undefined, 'SIGTERM', 143]);
    const int = await run(['sh', '-c', 'kill -INT $$']);
    assert.deepEqual([int.code, int.signal, int.exitCode], [undefined, 'SIGINT', 130]);
    assert.equal(shellStatus(null, 'SIGKILL'), 137);
  });

  it('ends a command that outlives its timeout and says so', async () => {
    const r = await run(['sleep', '5'], { timeoutMs: 50 });
    assert.deepEqual([r.timedOut, r.signal, r.exitCode], [true, 'SIGTERM', 143]);
    assert.ok(r.durationMs < 2000);
  });

  it('rejects with NSLAB_ABORTED when cancelled', async () => {
    const ac = new AbortController();
    const pending = run(['sleep', '5'], { signal: ac.signal, where: 'node red' });
    setTimeout(() => ac.abort(), 30);
    await assert.rejects(
      pending,
      (e: unknown) => e instanceof NslabError && e.code === 'NSLAB_ABORTED' && /sleep 5` on node red was cancelled/.test(e.message),
    );
  });

  it('reports a program that cannot start as NSLAB_EXEC, naming it and the place', async () => {
    await assert.rejects(
      run(['/nonexistent/prog', 'x'], { where: 'node red' }),
      (e: unknown) =>
        e instanceof NslabError && e.code === 'NSLAB_EXEC' && /\/nonexistent\/prog x` on node red/.test(e.message) && /not installed/.test(e.message),
    );
  });

  it('reports a command line longer than the kernel allows as NSLAB_EXEC with a fix, cut short in the message', async () => {
    const huge = 'x'.repeat(4 << 20);
    await assert.rejects(
      run(['sh', '-c', huge]),
      (e: unknown) =>
        e instanceof NslabError && e.code === 'NSLAB_EXEC' && /E2BIG|too long/i.test(e.message) && /script file/.test(e.message) && e.message.length < 1000,
    );
  });

  it('streams output while the process runs', async () => {
    const child = await startChild(['sh', '-c', 'echo ready; sleep 5']);
    for (let i = 0; i < 200 && child.output().stdout === ''; i++) await sleep(10);
    assert.equal(child.output().stdout, 'ready\n');
    assert.equal(child.kill(), true);
    const exit = await child.exited;
    assert.equal(exit.signal, 'SIGTERM');
    assert.equal(child.kill(), false);
  });

  it('ends a process only while its pid still runs the recorded process', async () => {
    const child = await startChild(['sleep', '5'], { detached: true, stdio: 'ignore' });
    assert.equal(child.startTime, processStartTime(child.pid));
    await endProcess({ pid: child.pid, startTime: `${child.startTime}1` });
    assert.ok(isRunning(child), 'a different start time is another process: left alone');
    await endProcess(child);
    assert.ok(!isRunning(child));
  });
});
