/**
 * Test helpers for tests that need root. They run only inside the private sandbox that `npm test` makes
 * as root (scripts/test.mjs: own network and mount namespaces, tmpfs on /run), or inside the world it makes
 * for each file without root (docs/rootless.md: the user is root of its own user namespace there), never
 * against the host's network.
 */
import { execFileSync } from 'node:child_process';
import { readdirSync, readlinkSync } from 'node:fs';

/** True inside a world (`npm test` without root, or with --rootless): root of the world's user namespace. */
export const inWorld = process.getuid?.() === 0 && process.env.NSLAB_WORLD !== undefined;
const inSandbox = process.getuid?.() === 0 && (process.env.NSLAB_SANDBOX === '1' || inWorld);

/** Pass as `{ skip: needsRoot }` to a test: false inside the sandbox or a world, else the reason it skips. */
export const needsRoot: string | false = inSandbox ? false : 'needs root inside the test sandbox or a world: run `npm test` (as root or not)';

let counter = 0;
/** A name unique to this test process, short enough for an interface (<= 15 characters). */
export function uniqueName(stem: string): string {
  counter += 1;
  return `${stem}${(process.pid % 10000).toString(36)}${counter.toString(36)}`.slice(0, 15);
}

/** Runs `ip` (the independent witness) and returns its parsed JSON output. */
export function ipJson<T = unknown>(args: string[]): T {
  const out = execFileSync('ip', ['-j', ...args], { encoding: 'utf8' });
  return JSON.parse(out === '' ? '[]' : out) as T;
}

/** Runs a command and returns stdout; throws with stderr on failure. */
export function sh(cmd: string, args: string[]): string {
  return execFileSync(cmd, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
}

/** Names in /run/netns now, as `ip netns list` shows them. */
export function netnsList(): string[] {
  return sh('ip', ['netns', 'list'])
    .split('\n')
    .map((l) => l.split(' ')[0] ?? '')
    .filter((n) => n !== '');
}

/** The network namespaces this process holds a descriptor of (`net:[inode]`). */
export function heldNamespaces(): Set<string> {
  const held = new Set<string>();
  for (const fd of readdirSync('/proc/self/fd')) {
    try {
      const target = readlinkSync(`/proc/self/fd/${fd}`);
      if (target.startsWith('net:[')) held.add(target);
    } catch {
      // the directory's own descriptor, closed by now
    }
  }
  return held;
}

/**
 * The namespaces this process holds beyond `before`, once it holds `count` more (spares are made on a
 * thread of their own) or after 5 s of waiting.
 */
export async function heldBeyond(before: ReadonlySet<string>, count: number): Promise<string[]> {
  for (let waited = 0; heldNamespaces().size < before.size + count && waited < 5000; waited += 10) await new Promise((r) => setTimeout(r, 10));
  return [...heldNamespaces()].filter((n) => !before.has(n));
}
