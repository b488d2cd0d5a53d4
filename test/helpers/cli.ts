/**
 * Runs the nslab CLI as a user would, in a child process, from the sources (through tsx) so the tests
 * need no build step.
 */
import { spawnSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const MAIN = join(ROOT, 'src', 'cli', 'main.ts');

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

export function nslab(args: string[], options: { input?: string; env?: NodeJS.ProcessEnv } = {}): CliResult {
  const r = spawnSync(process.execPath, ['--import', 'tsx', MAIN, ...args], {
    cwd: ROOT,
    encoding: 'utf8',
    ...(options.input !== undefined ? { input: options.input } : {}),
    env: { ...process.env, ...options.env },
    timeout: 60_000,
  });
  return { code: r.status ?? 1, stdout: r.stdout, stderr: r.stderr };
}

/** Like nslab() but fails the test with the CLI's own words when the exit code is not the expected one. */
export function nslabOk(args: string[], expectCode = 0): CliResult {
  const r = nslab(args);
  if (r.code !== expectCode) throw new Error(`nslab ${args.join(' ')} exited ${r.code} (expected ${expectCode})\nstdout: ${r.stdout}\nstderr: ${r.stderr}`);
  return r;
}
