/**
 * nslab without root (docs/rootless.md) against nslab as root, in one run, interleaved:
 *
 *   up of the chain   `bin/nslab up FILE --json` of the 1,000-node chain (--rootless-size N for another size):
 *                     as root (the sandbox's namespaces) and as a user without root (nobody, through
 *                     setpriv) in the user's world, made before the timed runs. Each up is checked (the
 *                     chain's ping from end to end, through nslab exec) and taken down, untimed.
 *   entering          `bin/nslab ls` as root and as the user in its running world: the difference of the
 *                     medians is what entering the world costs a command (the launcher's check, nsenter).
 *   making the world  the user's first command with no world (`world stop` before each): ls, the world
 *                     made on the way.
 */
import { spawnSync } from 'node:child_process';
import { chownSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { deleteAllNamespaces, median, netnsObjects, NSLAB_BIN, settle, timeCommand } from './lib.js';
import type { ScaleRow } from './scale.js';
import { generate, toYaml, type Topology } from './topologies.js';

const NOBODY = 65534;
const WORK = '/run/nslab-bench-rootless'; // inside the sandbox's tmpfs

function flag(name: string): string | undefined {
  const i = process.argv.indexOf(name);
  return i >= 0 ? process.argv[i + 1] : undefined;
}

/** A user without root with a world of its own (XDG_RUNTIME_DIR in a directory of its own). */
function worldUser(): { run(args: string[]): { ms: number; stdout: string }; dispose(): void } {
  const xdg = mkdtempSync(join(tmpdir(), 'nslab-bench-xdg-'));
  chownSync(xdg, NOBODY, NOBODY);
  const env = { PATH: process.env.PATH, HOME: xdg, XDG_RUNTIME_DIR: xdg };
  const run = (args: string[]): { ms: number; stdout: string } => {
    const start = performance.now();
    const r = spawnSync('setpriv', [`--reuid=${NOBODY}`, `--regid=${NOBODY}`, '--clear-groups', NSLAB_BIN, ...args], {
      encoding: 'utf8',
      env,
      maxBuffer: 256 << 20,
    });
    const ms = performance.now() - start;
    if (r.status !== 0) throw new Error(`nslab ${args.join(' ')} as uid ${NOBODY} failed (${r.status ?? r.signal}): ${r.stderr.trim().slice(0, 800)}`);
    return { ms, stdout: r.stdout };
  };
  return {
    run,
    dispose: () => {
      spawnSync('setpriv', [`--reuid=${NOBODY}`, `--regid=${NOBODY}`, '--clear-groups', NSLAB_BIN, 'world', 'stop'], { env });
      rmSync(xdg, { recursive: true, force: true });
    },
  };
}

/**
 * The chain's pings, through `nslab exec` (as root, or as the user inside its world), each retried for up to
 * 30 s. Not `ping -w 30` alone: ping ends at its first error, the host-unreachable that follows an ARP
 * left unanswered for 3 s, and a lab's data plane can lag its last ACK by that much on a loaded machine
 * (the kernel activates devices in linkwatch, under the rtnl lock that every namespace's changes take).
 */
function checkChain(t: Topology, nslab: (args: string[]) => { stdout: string }): void {
  for (const p of t.pings) {
    const deadline = performance.now() + 30_000;
    for (;;) {
      let out = '';
      try {
        out = nslab(['exec', p.from, '--lab', t.name, '--', 'ping', '-n', '-c', '1', '-W', '2', p.to]).stdout;
      } catch (e) {
        if (performance.now() > deadline) throw e;
      }
      if (out.includes('1 received')) break;
      if (performance.now() > deadline) throw new Error(`rootless suite ${t.name}: ${p.from} does not reach ${p.to} (${p.why})`);
    }
  }
}

export async function suiteRootless(rows: { push(row: ScaleRow): unknown }, log: (s: string) => void, repsArg: number | undefined): Promise<void> {
  const size = Number(flag('--rootless-size') ?? 1000);
  const reps = repsArg ?? 3;
  const t = generate('chain', size);
  mkdirSync(WORK, { recursive: true, mode: 0o755 });
  const file = join(WORK, `${t.name}.yaml`);
  writeFileSync(file, toYaml(t), { mode: 0o644 });
  const user = worldUser();
  const asRoot = (args: string[]): { ms: number; stdout: string } => timeCommand(NSLAB_BIN, args);
  try {
    await deleteAllNamespaces();
    const baseline = netnsObjects();
    user.run(['world', 'status']);
    // Warm-up, untimed: both ways once (and the user's world made).
    for (const nslab of [asRoot, user.run]) {
      nslab(['up', file, '--json']);
      checkChain(t, nslab);
      nslab(['down', '--lab', t.name, '--json']);
    }
    log(`rootless: the ${size}-node chain up as root and without root (in the user's world), ${reps} interleaved runs of each`);
    const times = { root: [] as number[], rootless: [] as number[] };
    for (let i = 0; i < reps; i++) {
      for (const [name, nslab] of [
        ['root', asRoot],
        ['rootless', user.run],
      ] as const) {
        await settle(baseline, 500 + 3 * size, 300);
        times[name].push(nslab(['up', file, '--json']).ms);
        checkChain(t, nslab);
        nslab(['down', '--lab', t.name, '--json']);
      }
    }
    const root = median(times.root);
    const rootless = median(times.rootless);
    rows.push({ suite: `rootless chain-${size} up`, contender: 'nslab as root', medianMs: root, runs: reps, timesMs: times.root });
    rows.push({
      suite: `rootless chain-${size} up`,
      contender: 'nslab without root (world)',
      medianMs: rootless,
      runs: reps,
      ratio: rootless / root,
      baseline: 'nslab as root',
      target: '<= 1.1x as root',
      met: rootless / root <= 1.1,
      timesMs: times.rootless,
    });

    const commands = Math.max(30, repsArg ?? 0); // short and noisy: never fewer than 30
    log(`rootless: entering the world, ${commands} interleaved runs of nslab ls as root and without root`);
    const ls = { root: [] as number[], rootless: [] as number[] };
    for (let i = 0; i < commands; i++) {
      ls.root.push(asRoot(['ls']).ms);
      ls.rootless.push(user.run(['ls']).ms);
    }
    const lsRoot = median(ls.root);
    const lsRootless = median(ls.rootless);
    rows.push({ suite: 'rootless command', contender: 'nslab ls as root', medianMs: lsRoot, runs: commands, timesMs: ls.root });
    rows.push({ suite: 'rootless command', contender: 'nslab ls in the world', medianMs: lsRootless, runs: commands, timesMs: ls.rootless });
    rows.push({
      suite: 'rootless command',
      contender: 'entering the world (difference)',
      medianMs: lsRootless - lsRoot,
      runs: commands,
      target: '< 20 ms',
      met: lsRootless - lsRoot < 20,
    });

    const makes = Math.max(3, Math.round(commands / 5));
    const first: number[] = [];
    for (let i = 0; i < makes; i++) {
      user.run(['world', 'stop']);
      first.push(user.run(['ls']).ms);
    }
    rows.push({
      suite: 'rootless command',
      contender: 'nslab ls making the world',
      medianMs: median(first),
      runs: makes,
      ratio: median(first) / lsRoot,
      baseline: 'nslab ls as root',
      timesMs: first,
    });
  } finally {
    spawnSync(NSLAB_BIN, ['down', '--lab', t.name], { encoding: 'utf8' });
    user.dispose();
    rmSync(WORK, { recursive: true, force: true });
  }
}
