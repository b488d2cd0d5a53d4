/**
 * Benchmark helpers: timing, medians, interleaved A/B runs (so the machine's drift hits every contender
 * alike), and running ip scripts as baselines.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { deleteNamespaces } from '../src/native/index.js';

export function median(xs: readonly number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 === 1 ? (s[mid] as number) : ((s[mid - 1] as number) + (s[mid] as number)) / 2;
}

export interface Contender {
  name: string;
  /** Does the work once and returns its wall time in ms; setup and checks are outside the timing. */
  run: () => Promise<number>;
  /** Removes what run() made (not timed). */
  reset: () => Promise<void>;
}

/** Runs the contenders interleaved (A B C A B C ...) `reps` times; returns every time per contender. */
export async function interleave(contenders: readonly Contender[], reps: number): Promise<Map<string, number[]>> {
  const times = new Map<string, number[]>(contenders.map((c) => [c.name, []]));
  for (let i = 0; i < reps; i++) {
    for (const c of contenders) {
      await c.reset();
      const ms = await c.run();
      times.get(c.name)?.push(ms);
      await c.reset();
    }
  }
  return times;
}

/** Runs a shell script with bash and returns its wall time; throws with its stderr if it fails. */
export function timeScript(script: string): number {
  const start = performance.now();
  const r = spawnSync('bash', ['-e', '-c', script], { encoding: 'utf8' });
  const ms = performance.now() - start;
  if (r.status !== 0) throw new Error(`baseline script failed (${r.status}): ${r.stderr.slice(0, 500)}`);
  return ms;
}

/** Deletes every namespace in the sandbox's /run/netns (the bench runs in its own sandbox only). */
export async function deleteAllNamespaces(): Promise<void> {
  if (!existsSync('/run/netns')) return;
  const names = readdirSync('/run/netns');
  await deleteNamespaces(names);
}

export function sh(cmd: string, args: string[]): string {
  return execFileSync(cmd, args, { encoding: 'utf8' });
}

export function fmt(ms: number): string {
  return ms >= 100 ? ms.toFixed(0) : ms.toFixed(1);
}
