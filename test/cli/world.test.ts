/**
 * nslab without root, as a user runs it: bin/nslab, which makes the user's world on first use and enters
 * it before node starts (docs/rootless.md). The user is, in the root sandbox, `nobody` (uid 65534, through
 * setpriv): a user without root as people are. Inside a world (npm test without root, or --rootless) the
 * test is root of that world, which cannot become another user: there the user is that root asking
 * `--rootless`, whose worlds nest in the test's own. Each test's user has an XDG_RUNTIME_DIR of its own, so
 * a world of its own, and stops it.
 */
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { chmodSync, chownSync, existsSync, mkdtempSync, readdirSync, readFileSync, readlinkSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { parseTopology } from '../../src/topology/index.js';
import { nslab, ROOT } from '../helpers/cli.js';
import { inWorld, needsRoot, netnsList } from '../helpers/sandbox.js';

const BIN = join(ROOT, 'bin', 'nslab');
const NOBODY = 65534;
/** Real root in the test sandbox (else: root of a world). */
const hostRoot = !inWorld;

interface Result {
  code: number;
  stdout: string;
  stderr: string;
}

/** A user of nslab without root, with a world of its own (made by its first command). */
class WorldUser {
  readonly xdg = mkdtempSync(join(tmpdir(), 'nslab-world-user-'));
  readonly home = mkdtempSync(join(tmpdir(), 'nslab-world-home-'));
  readonly env: NodeJS.ProcessEnv;

  constructor() {
    if (hostRoot) {
      for (const dir of [this.xdg, this.home]) chownSync(dir, NOBODY, NOBODY);
    }
    chmodSync(this.xdg, 0o700);
    this.env = { PATH: process.env.PATH, HOME: this.home, XDG_RUNTIME_DIR: this.xdg, LANG: 'C.UTF-8' };
  }

  /** The world's directory. */
  get dir(): string {
    return join(this.xdg, 'nslab');
  }

  private argv(args: readonly string[]): [string, string[]] {
    return hostRoot ? ['setpriv', [`--reuid=${NOBODY}`, `--regid=${NOBODY}`, '--clear-groups', BIN, ...args]] : [BIN, ['--rootless', ...args]];
  }

  run(args: readonly string[], options: { input?: string; env?: NodeJS.ProcessEnv } = {}): Result {
    const [cmd, argv] = this.argv(args);
    const r = spawnSync(cmd, argv, { cwd: ROOT, encoding: 'utf8', env: { ...this.env, ...options.env }, input: options.input ?? '', timeout: 120_000 });
    return { code: r.status ?? 1, stdout: r.stdout, stderr: r.stderr };
  }

  ok(args: readonly string[], options: { input?: string } = {}): Result {
    const r = this.run(args, options);
    assert.equal(r.code, 0, `nslab ${args.join(' ')} exited ${r.code}\nstdout: ${r.stdout}\nstderr: ${r.stderr}`);
    return r;
  }

  runAsync(args: readonly string[]): Promise<Result> {
    const [cmd, argv] = this.argv(args);
    return new Promise((resolve) => {
      const child = spawn(cmd, argv, { cwd: ROOT, env: this.env, stdio: ['ignore', 'pipe', 'pipe'] });
      const out: Buffer[] = [];
      const err: Buffer[] = [];
      child.stdout.on('data', (d: Buffer) => out.push(d));
      child.stderr.on('data', (d: Buffer) => err.push(d));
      child.on('close', (code) => resolve({ code: code ?? 1, stdout: Buffer.concat(out).toString(), stderr: Buffer.concat(err).toString() }));
    });
  }

  /** The record's holder pid and user namespace (src/world/record.ts). */
  record(): { pid: number; userns: string } {
    const [pid, , userns] = readFileSync(join(this.dir, 'world'), 'utf8').trim().split(' ');
    return { pid: Number(pid), userns: userns ?? '' };
  }

  /** Stops the world (when there is one) and removes the user's directories. */
  dispose(): void {
    this.run(['world', 'stop']);
    rmSync(this.xdg, { recursive: true, force: true });
    rmSync(this.home, { recursive: true, force: true });
  }
}

/** Processes (not zombies) in the user namespace `userns`. */
function processesIn(userns: string): string[] {
  const found: string[] = [];
  for (const pid of readdirSync('/proc').filter((p) => /^\d+$/.test(p))) {
    try {
      if (readlinkSync(`/proc/${pid}/ns/user`) !== userns) continue;
      const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
      if (/^[ZX]/.test(stat.slice(stat.lastIndexOf(')') + 2))) continue;
      found.push(`${pid} ${readFileSync(`/proc/${pid}/cmdline`, 'latin1').split('\0').join(' ').trim()}`);
    } catch {
      // gone meanwhile
    }
  }
  return found;
}

async function until(what: string, ok: () => boolean, ms = 5000): Promise<void> {
  for (let waited = 0; !ok(); waited += 20) {
    if (waited > ms) assert.fail(`timed out waiting until ${what}`);
    await sleep(20);
  }
}

interface StatusJson {
  state: string;
  holder?: { pid: number };
  labs: { name: string }[];
  processes: { pid: number; command: string }[];
}

describe('nslab without root: the user world', { skip: needsRoot }, () => {
  test("the README's quick start: `nslab up` proves the tutorial with a ping in a world made on first use; world shell, shell red; world stop leaves no process and no file", () => {
    const u = new WorldUser();
    try {
      const up = u.ok(['up']);
      assert.match(up.stdout, /lab two-computers up: 2 nodes, 1 link/);
      assert.match(up.stdout, /3 packets transmitted, 3 received/);
      assert.match(up.stdout, /red reaches green/);
      // The lab is in the user's world, not in the namespaces this test runs in.
      assert.ok(!netnsList().includes('red'), 'red is not among the namespaces outside the world');
      const { pid, userns } = u.record();
      const status = JSON.parse(u.ok(['world', 'status', '--json']).stdout) as StatusJson;
      assert.equal(status.state, 'running');
      assert.equal(status.holder?.pid, pid);
      assert.deepEqual(
        status.labs.map((l) => l.name),
        ['two-computers'],
      );
      assert.ok(status.processes.some((p) => p.pid === pid));
      // The tutorial's habits: ip netns in a world shell, nslab shell from the user's own.
      const world = u.ok(['world', 'shell'], { input: 'ip netns list\nip netns exec red ip -br link show rveth\nexit\n' });
      assert.match(world.stdout, /^green/m);
      assert.match(world.stdout, /^red/m);
      assert.match(world.stdout, /rveth@\S+\s+UP/);
      const red = u.ok(['shell', 'red'], { input: 'echo "node=$NSLAB_NODE"\nip -br addr show rveth\nexit\n' });
      assert.match(red.stdout, /node=red/);
      assert.match(red.stdout, /10\.10\.1\.2\/32/);
      const stop = JSON.parse(u.ok(['world', 'stop', '--json']).stdout) as { found: string; labs: string[] };
      assert.equal(stop.found, 'running');
      assert.deepEqual(stop.labs, ['two-computers']);
      assert.deepEqual(processesIn(userns), [], 'no process of the world is left');
      assert.ok(!existsSync(u.dir), `nothing of nslab is left in ${u.xdg}: ${existsSync(u.dir) ? readdirSync(u.dir).join(' ') : ''}`);
      assert.equal(JSON.parse(u.ok(['world', 'status', '--json']).stdout).state, 'none');
      assert.ok(!existsSync(u.dir), 'world status makes no world');
    } finally {
      u.dispose();
    }
  });

  test('every example goes up in the world, every host pings every other host, and down leaves nothing in the world; one with FRR routers is refused, naming them', () => {
    const u = new WorldUser();
    try {
      for (const file of readdirSync(join(ROOT, 'examples')).filter((f) => /\.ya?ml$/.test(f))) {
        const path = join('examples', file);
        const lab = parseTopology(readFileSync(join(ROOT, path), 'utf8'), { file: path });
        // FRR's daemons switch users, which a world forbids: a lab with FRR routers is refused before
        // anything is made, naming them (docs/rootless.md, limits).
        const routers = lab.nodes.filter((n) => n.frr !== undefined).map((n) => n.name);
        if (routers.length > 0) {
          const refused = u.run(['up', path]);
          assert.equal(refused.code, 1, `${file}: ${refused.stderr}`);
          assert.match(refused.stderr, new RegExp(`lab ${lab.name}: routers? ${routers.join(', ')} run FRR, .*your nslab world .*\\[NSLAB_FRR\\]`, 's'));
          const nothing = u.ok(['world', 'run', '--', 'sh', '-c', 'ls -A /run/netns /run/nslab']);
          assert.equal(nothing.stdout, '/run/netns:\n\n/run/nslab:\n', `${file}: nothing was made`);
          continue;
        }
        u.ok(['up', path]);
        const hosts = lab.nodes.filter((n) => n.kind === 'host');
        const first = (node: string): string | undefined =>
          lab.links.flatMap((l) => [l.a, l.b]).find((e) => e.node === node && e.addresses.length > 0)?.addresses[0]?.address;
        for (const from of hosts) {
          const targets = hosts.filter((h) => h !== from).map((h) => first(h.name));
          const pings = targets.map(
            (t) => `ping ${t?.includes(':') === true ? '-6 ' : ''}-n -c 1 -W 2 ${t ?? 'none'} >/dev/null || echo "no reply from ${t ?? 'none'}"`,
          );
          const r = u.ok(['exec', from.name, '--lab', lab.name, '--', 'sh', '-c', pings.join('; ')]);
          assert.equal(r.stdout, '', `${file}: ${from.name} reaches every other host`);
        }
        u.ok(['down', path]);
      }
      const inside = u.ok(['world', 'run', '--', 'sh', '-c', 'ls -A /run/netns /run/nslab /etc/netns; ip -o link | grep -v ": lo:" || true']);
      assert.equal(inside.stdout, '/etc/netns:\n\n/run/netns:\n\n/run/nslab:\n', 'no namespace, state, hosts file or link is left in the world');
    } finally {
      u.dispose();
    }
  });

  test('a first command that is a down: it starts from its snapshot where there is one, makes the world and runs in it; then, inside the world, takes the lab down', () => {
    const u = new WorldUser();
    try {
      // No world yet: the down is started again inside the world made for it, from the blob as it was itself.
      const first = u.ok(['down']);
      assert.match(first.stdout, /no lab named two-computers was up; nothing to do/);
      assert.equal((JSON.parse(u.ok(['world', 'status', '--json']).stdout) as StatusJson).state, 'running');
      u.ok(['up', '--no-proof']);
      const down = u.ok(['down']);
      assert.match(down.stdout, /lab two-computers down: \d+ operations/);
      assert.deepEqual((JSON.parse(u.ok(['world', 'status', '--json']).stdout) as StatusJson).labs, []);
    } finally {
      u.dispose();
    }
  });

  test('a world whose holder was killed (kill -9) is found ended, its labs reported gone, what ran in it ended, and a new one made', async () => {
    const u = new WorldUser();
    try {
      u.ok(['up', '--no-proof']);
      u.ok(['exec', 'red', '--', 'sh', '-c', 'sleep 600 >/dev/null 2>&1 &']);
      const old = u.record();
      await until('the background sleep runs in the world', () => processesIn(old.userns).some((p) => p.includes('sleep 600')));
      // The old world's processes, by pid and command: its user namespace's inode number may be given to the
      // new world's once the old one is freed, so the namespace alone cannot tell them apart afterwards.
      const oldProcesses = processesIn(old.userns);
      process.kill(old.pid, 'SIGKILL');
      await until('the holder is gone', () => !processesIn(old.userns).some((p) => p.startsWith(`${old.pid} `)));
      const status = JSON.parse(u.ok(['world', 'status', '--json']).stdout) as StatusJson;
      assert.equal(status.state, 'ended');
      assert.deepEqual(
        status.labs.map((l) => l.name),
        ['two-computers'],
      );
      const ls = u.ok(['ls']);
      assert.match(
        ls.stderr,
        /your nslab world \(holder \d+, made [^)]+\) had ended, and its namespaces with it; its labs are gone with it: two-computers \(1 of its processes still running were ended\)/,
      );
      assert.equal(ls.stdout, 'no labs are up\n');
      const stillThere = new Set(processesIn(old.userns));
      assert.deepEqual(
        oldProcesses.filter((p) => stillThere.has(p)),
        [],
        'nothing of the old world runs',
      );
      assert.notEqual(u.record().pid, old.pid);
      assert.equal((JSON.parse(u.ok(['world', 'status', '--json']).stdout) as StatusJson).state, 'running');
    } finally {
      u.dispose();
    }
  });

  test('two shells of one user at once, with no world yet: one world is made, and both commands run in it; one lab twice at once: one run waits for the other', async () => {
    const u = new WorldUser();
    try {
      const [a, b] = await Promise.all([u.runAsync(['up', 'examples/two-computers.yaml']), u.runAsync(['up', 'examples/rate-limit.yaml'])]);
      assert.equal(a.code, 0, a.stderr);
      assert.equal(b.code, 0, b.stderr);
      const status = JSON.parse(u.ok(['world', 'status', '--json']).stdout) as StatusJson;
      assert.deepEqual(
        status.processes.map((p) => p.pid),
        [status.holder?.pid],
        'one holder, nothing else running',
      );
      assert.deepEqual(status.labs.map((l) => l.name).sort(), ['rate', 'two-computers']);
      const [c, d] = await Promise.all([u.runAsync(['up', 'examples/lan.yaml', '--json']), u.runAsync(['up', 'examples/lan.yaml', '--json'])]);
      assert.equal(c.code, 0, c.stderr);
      assert.equal(d.code, 0, d.stderr);
      const changed = [c, d].map((r) => (JSON.parse(r.stdout) as { changed: boolean }).changed).sort();
      assert.deepEqual(changed, [false, true], 'one brought it up, the other found it up');
    } finally {
      u.dispose();
    }
  });

  test('user namespaces turned off (user.max_user_namespaces = 0, in a user namespace of the test): refused before anything is made', () => {
    const xdg = mkdtempSync(join(tmpdir(), 'nslab-world-off-'));
    try {
      chmodSync(xdg, 0o700);
      const r = spawnSync(
        'unshare',
        ['--user', '--map-root-user', '--', 'sh', '-c', 'echo 0 > /proc/sys/user/max_user_namespaces && exec "$0" --rootless up', BIN],
        { cwd: ROOT, encoding: 'utf8', env: { PATH: process.env.PATH, XDG_RUNTIME_DIR: xdg }, timeout: 60_000 },
      );
      assert.equal(r.status, 1, r.stderr);
      assert.match(r.stderr, /user namespaces are turned off here \(user\.max_user_namespaces = 0\)/);
      assert.match(r.stderr, /\[NSLAB_USERNS_DISABLED\]/);
      assert.deepEqual(readdirSync(xdg), [], 'nothing was made');
    } finally {
      rmSync(xdg, { recursive: true, force: true });
    }
  });

  test('root stays root: without --rootless, nslab works on the namespaces it runs in (ip netns lists the lab) and makes no world; --rootless gives root a world of its own', () => {
    const xdg = mkdtempSync(join(tmpdir(), 'nslab-world-root-'));
    const env = { XDG_RUNTIME_DIR: xdg, NSLAB_ROOTLESS: undefined, NSLAB_WORLD: undefined };
    try {
      chmodSync(xdg, 0o700);
      const plain = nslab(['up', '--no-proof'], { env });
      assert.equal(plain.code, 0, plain.stderr);
      assert.ok(netnsList().includes('red'));
      assert.equal(nslab(['down'], { env }).code, 0);
      assert.deepEqual(readdirSync(xdg), [], 'no world was made');
      const r = spawnSync(BIN, ['--rootless', 'up', '--no-proof'], { cwd: ROOT, encoding: 'utf8', env: { PATH: process.env.PATH, XDG_RUNTIME_DIR: xdg } });
      assert.equal(r.status, 0, r.stderr);
      assert.ok(!netnsList().includes('red'), 'the lab is in the world, not here');
      assert.ok(existsSync(join(xdg, 'nslab', 'labs', 'two-computers', 'state.json')));
    } finally {
      spawnSync(BIN, ['--rootless', 'world', 'stop'], { cwd: ROOT, env: { PATH: process.env.PATH, XDG_RUNTIME_DIR: xdg } });
      rmSync(xdg, { recursive: true, force: true });
    }
  });

  test('refusals: world stop from inside the world; a record naming a process that is not the holder is never entered', () => {
    const u = new WorldUser();
    try {
      u.ok(['ls']);
      const inside = u.run(['world', 'run', '--', BIN, 'world', 'stop']);
      assert.equal(inside.code, 1);
      assert.match(inside.stderr, /nslab world stop ends the world this process runs in, so it runs outside it/);
      assert.match(inside.stderr, /\[NSLAB_WORLD\]/);
      assert.equal((JSON.parse(u.ok(['world', 'status', '--json']).stdout) as StatusJson).state, 'running');
      u.ok(['world', 'stop']);
      // A record of this test's own process (alive, but with another start time): a pid reused after the
      // holder died. The command makes a new world rather than entering that process's namespaces.
      u.ok(['ls']);
      const { userns } = u.record();
      u.ok(['world', 'stop']);
      u.ok(['world', 'status']); // no world, nothing made
      const fake = join(u.dir);
      spawnSync(
        hostRoot ? 'setpriv' : 'mkdir',
        hostRoot ? [`--reuid=${NOBODY}`, `--regid=${NOBODY}`, '--clear-groups', 'mkdir', '-m', '700', fake] : ['-m', '700', fake],
      );
      writeFileSync(join(fake, 'world'), `${process.pid} 1 ${userns} fake 2020-01-01T00:00:00.000Z\n`);
      if (hostRoot) chownSync(join(fake, 'world'), NOBODY, NOBODY);
      const ls = u.ok(['ls']);
      assert.match(ls.stderr, new RegExp(`your nslab world \\(holder ${process.pid}, made 2020-01-01T00:00:00.000Z\\) had ended`));
      assert.notEqual(u.record().pid, process.pid);
    } finally {
      u.dispose();
    }
  });
});
