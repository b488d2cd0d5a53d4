/**
 * Benchmark helpers: timing, medians, interleaved A/B runs (so the machine's drift hits every contender
 * alike), and running ip scripts as baselines.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { EXTRA_CA_CERTS_CARRIER } from '../src/cli/command.js';
import { deleteNamespaces } from '../src/native/index.js';

/** The executable users run (checked in), which starts node on NSLAB_BUNDLE. */
export const NSLAB_BIN = join(process.cwd(), 'bin', 'nslab');
/** The bundled command, written by npm run build (scripts/bundle.mjs). */
export const NSLAB_BUNDLE = join(process.cwd(), 'dist', 'bin', 'nslab.mjs');

/** The flags NSLAB_BIN starts node with (its `flags='...'` line), for the runs that start node on nslab themselves. */
export function nslabBinNodeFlags(): string[] {
  const flags = /^flags='((?:--\S+ ?)*)'$/m.exec(readFileSync(NSLAB_BIN, 'utf8'))?.[1];
  if (flags === undefined) throw new Error(`${NSLAB_BIN} has no \`flags='--flag ...'\` line`);
  return flags.split(' ').filter((f) => f !== '');
}

/**
 * The environment NSLAB_BIN starts node with: NODE_EXTRA_CA_CERTS carried under another name (see
 * src/cli/command.ts). For the runs that start node on nslab themselves (bench/nslab-run.mjs).
 */
export function nslabBinEnv(env: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  if (env.NODE_EXTRA_CA_CERTS === undefined) return env;
  const { NODE_EXTRA_CA_CERTS, ...rest } = env;
  return { ...rest, [EXTRA_CA_CERTS_CARRIER]: NODE_EXTRA_CA_CERTS };
}

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

/** Runs a command and returns its wall time (spawn to exit); throws with its stderr if it fails. */
export function timeCommand(cmd: string, args: readonly string[]): { ms: number; stdout: string; stderr: string } {
  const start = performance.now();
  const r = spawnSync(cmd, args, { encoding: 'utf8', maxBuffer: 256 * 1024 * 1024 });
  const ms = performance.now() - start;
  if (r.error !== undefined) throw r.error;
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} failed (${r.status ?? r.signal}): ${(r.stderr || r.stdout).trim().slice(0, 800)}`);
  return { ms, stdout: r.stdout, stderr: r.stderr };
}

/** The machine's busy share (0..1) over `ms`, from /proc/stat. */
async function busyShare(ms: number): Promise<number> {
  const read = (): number[] => (readFileSync('/proc/stat', 'utf8').split('\n')[0] ?? '').trim().split(/\s+/).slice(1).map(Number);
  const a = read();
  await new Promise((r) => setTimeout(r, ms));
  const b = read();
  const d = b.map((x, i) => x - (a[i] ?? 0));
  const total = d.reduce((s, x) => s + x, 0);
  const idle = (d[3] ?? 0) + (d[4] ?? 0); // idle + iowait
  return total > 0 ? 1 - idle / total : 0;
}

/** Network namespaces the kernel holds (alive or being torn down): the net_namespace slab's objects, if shown. */
export function netnsObjects(): number | undefined {
  try {
    const line = readFileSync('/proc/slabinfo', 'utf8')
      .split('\n')
      .find((l) => l.startsWith('net_namespace '));
    return line === undefined ? undefined : Number(line.trim().split(/\s+/)[1]);
  } catch {
    return undefined;
  }
}

/**
 * Waits until the kernel has finished tearing down deleted namespaces (it does so in a worker, seconds
 * after their last reference goes: 1,000 take about 2.5 s here), so that work does not land in the next
 * contender's time, then up to `quietMs` more for the machine to be quiet (under 15% busy over 50 ms twice
 * in a row; best effort, as a shared machine may never be). `netnsBaseline` is netnsObjects() with no
 * namespace of the bench alive; without it (or without /proc/slabinfo) only the quiet is awaited. Returns
 * false if the namespaces were still there after `maxMs`.
 */
export async function settle(netnsBaseline?: number, maxMs = 30_000, quietMs = 1000): Promise<boolean> {
  const end = performance.now() + maxMs;
  if (netnsBaseline !== undefined) {
    // Slab counts are approximate by a slab's worth (7 objects of 4 KiB here): allow 8.
    while ((netnsObjects() ?? 0) > netnsBaseline + 8) {
      if (performance.now() > end) return false;
      await new Promise((r) => setTimeout(r, 50));
    }
  }
  const quietEnd = performance.now() + quietMs;
  let quiet = 0;
  while (quiet < 2 && performance.now() < quietEnd) quiet = (await busyShare(50)) < 0.15 ? quiet + 1 : 0;
  return true;
}
