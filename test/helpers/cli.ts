/**
 * Runs the nslab CLI as a user would, in a child process: the bundle `npm test` makes before the tests run
 * (scripts/test.mjs runs scripts/bundle.mjs), which starts in a quarter of the time the sources through tsx
 * take; from the sources when there is no bundle (a test file run by hand before any build).
 */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const BUNDLE = join(ROOT, 'dist', 'bin', 'nslab.mjs');
const MAIN = existsSync(BUNDLE) ? [BUNDLE] : ['--import', 'tsx', join(ROOT, 'src', 'cli', 'main.ts')];

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** `openFiles`: run under that RLIMIT_NOFILE (soft and hard), as after `ulimit -n N`. */
export function nslab(args: string[], options: { input?: string; env?: NodeJS.ProcessEnv; openFiles?: number; timeoutMs?: number } = {}): CliResult {
  // `down` as a user runs it: through bin/nslab, which starts it from its startup snapshot (src/cli/snapshot.ts)
  // where the build made one, so every test's down runs the snapshot too.
  const argv =
    args[0] === 'down' && existsSync(join(ROOT, 'dist', 'bin', 'down.blob.key')) ? [join(ROOT, 'bin', 'nslab'), ...args] : [process.execPath, ...MAIN, ...args];
  const [cmd, ...rest] = options.openFiles !== undefined ? ['bash', '-c', `ulimit -n ${options.openFiles} && exec "$@"`, 'nslab', ...argv] : argv;
  const r = spawnSync(cmd as string, rest, {
    cwd: ROOT,
    encoding: 'utf8',
    ...(options.input !== undefined ? { input: options.input } : {}),
    env: { ...process.env, ...options.env },
    timeout: options.timeoutMs ?? 60_000,
    // A large lab's `up --json` is megabytes (spawnSync's default of 1 MB would end the command).
    maxBuffer: 256 * 1024 * 1024,
  });
  return { code: r.status ?? 1, stdout: r.stdout, stderr: r.stderr };
}

/** Like nslab() but fails the test with the CLI's own words when the exit code is not the expected one. */
export function nslabOk(args: string[], expectCode = 0, timeoutMs?: number): CliResult {
  const r = nslab(args, timeoutMs !== undefined ? { timeoutMs } : {});
  if (r.code !== expectCode) throw new Error(`nslab ${args.join(' ')} exited ${r.code} (expected ${expectCode})\nstdout: ${r.stdout}\nstderr: ${r.stderr}`);
  return r;
}
