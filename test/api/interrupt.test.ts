import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { down } from '../../src/index.js';
import { needsRoot, netnsList, uniqueName } from '../helpers/sandbox.js';

const ROOT = new URL('../..', import.meta.url).pathname;
const dir = mkdtempSync(join(tmpdir(), 'nslab-interrupt-'));
after(() => rmSync(dir, { recursive: true, force: true }));

/**
 * A program that uses the library as a test suite would: it does what `before` says, brings a two-node lab
 * up, says `up`, then does what `body` says (TypeScript, with `lab` and `takeLabsDownOnExit` in scope).
 * What must hold when the test's signal comes goes in `before`: the signal follows `up` at once, and one
 * that lands while nslab's handler is still installed is lost with it when the body removes it.
 */
function program(name: string, body: string, before = ''): string {
  const file = join(dir, `${name}.mts`);
  writeFileSync(
    file,
    `import { Lab, takeLabsDownOnExit } from ${JSON.stringify(join(ROOT, 'src/index.ts'))};
void takeLabsDownOnExit;
const lab = Lab.define({ name: ${JSON.stringify(name)}, nodes: { a: {}, b: {} }, links: [{ endpoints: ['a:e0 10.77.0.1/24', 'b:e0 10.77.0.2/24'] }] });
${before}
await lab.up();
process.stdout.write('up\\n');
${body}
`,
  );
  return file;
}

interface Ended {
  code: number | null;
  signal: NodeJS.Signals | null;
  stderr: string;
}

/** Runs the program in a process group of its own; once it says `up`, `then` gets its pid. */
function run(file: string, then: (pid: number) => void): Promise<Ended> {
  const child = spawn(process.execPath, ['--import', 'tsx', file], { cwd: ROOT, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
  child.stdout.setEncoding('utf8').on('data', (d: string) => {
    if (d.includes('up\n')) then(child.pid as number);
  });
  return new Promise((resolve) => child.on('exit', (code, signal) => resolve({ code, signal, stderr })));
}

const forever = 'setInterval(() => {}, 1000);';

function isUp(name: string): boolean {
  return netnsList().some((n) => n === `${name}-a` || n === `${name}-b`) || existsSync(`/run/nslab/${name}`);
}

describe('interrupt safety: a process takes its labs down when it is stopped', { skip: needsRoot, timeout: 30_000 }, () => {
  for (const signal of ['SIGTERM', 'SIGINT'] as const) {
    test(`${signal} to the process group: the lab is down, and the process ends by that signal`, async () => {
      const name = uniqueName('intr');
      const ended = await run(program(name, forever), (pid) => process.kill(-pid, signal));
      assert.equal(ended.signal, signal, ended.stderr);
      assert.equal(isUp(name), false, 'nothing of the lab is left');
    });
  }

  test('an uncaught exception and an unhandled rejection: the lab is down, Node prints the error and exits 1', async () => {
    for (const body of ["setTimeout(() => { throw new Error('boom from the test'); }, 10);", "void Promise.reject(new Error('boom from the test'));"]) {
      const name = uniqueName('intr');
      const ended = await run(program(name, `${body}\n${forever}`), () => {});
      assert.equal(ended.code, 1);
      assert.match(ended.stderr, /boom from the test/);
      assert.equal(isUp(name), false, body);
    }
  });

  test('a program with its own SIGTERM handler keeps control: the lab goes down and the program decides to exit', async () => {
    const name = uniqueName('intr');
    // The program exits 2 s after the signal: nslab's down runs meanwhile (300 ms was less than a loaded
    // 2-core machine's down of the lab took in a world).
    const handler = "process.on('SIGTERM', () => { setTimeout(() => { process.stdout.write(lab.name); process.exit(7); }, 2000); });";
    const ended = await run(program(name, forever, handler), (pid) => process.kill(pid, 'SIGTERM'));
    assert.equal(ended.code, 7);
    assert.equal(isUp(name), false);
  });

  test('opted out (takeLabsDownOnExit(false)), or a lab it only adopted: the lab outlives the process', async () => {
    const name = uniqueName('intr');
    const kept = await run(program(name, forever, 'takeLabsDownOnExit(false);'), (pid) => process.kill(pid, 'SIGTERM'));
    assert.equal(kept.signal, 'SIGTERM');
    assert.equal(isUp(name), true, 'opted out: left up');
    // A second process brings the same lab "up": it was up already, so it is not this process's to take down.
    const adopted = await run(program(name, forever), (pid) => process.kill(pid, 'SIGTERM'));
    assert.equal(adopted.signal, 'SIGTERM');
    assert.equal(isUp(name), true, 'adopted: left up');
    await down(name);
    assert.equal(isUp(name), false);
  });
});
