/**
 * bin/nslab, the package's executable: a POSIX shell script that starts node on the bundle beside it
 * (dist/bin/nslab.mjs, made by npm run build). A stand-in `node` first on PATH shows exactly what the script
 * asks node for; the real node shows that the command runs.
 */
import assert from 'node:assert/strict';
import { spawnSync, type SpawnSyncReturns } from 'node:child_process';
import {
  appendFileSync,
  chmodSync,
  copyFileSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { nslab, ROOT } from '../helpers/cli.js';
import { needsRoot, netnsList } from '../helpers/sandbox.js';
import { tutorialLab } from '../helpers/tutorial.js';

const BIN = join(ROOT, 'bin', 'nslab');
const BUNDLE = join(ROOT, 'dist', 'bin', 'nslab.mjs');
const VERSION = (JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { version: string }).version;

function run(file: string, args: string[], env: NodeJS.ProcessEnv = {}): SpawnSyncReturns<string> {
  assert.ok(existsSync(BUNDLE), `${BUNDLE} is missing: run npm run build`);
  return spawnSync(file, args, { cwd: ROOT, encoding: 'utf8', env: { ...process.env, ...env }, timeout: 60_000 });
}

describe('bin/nslab, the executable', () => {
  let dir: string;
  let fakeNodeDir: string;
  /**
   * Runs `launcher` with a `node` on PATH that prints its arguments and the two variables, one a line;
   * neither variable is set unless `env` sets it.
   */
  const asked = (launcher: string, args: string[], env: NodeJS.ProcessEnv = {}): string[] => {
    const r = run(launcher, args, {
      NODE_EXTRA_CA_CERTS: undefined,
      NSLAB_NODE_EXTRA_CA_CERTS: undefined,
      ...env,
      PATH: `${fakeNodeDir}:${process.env.PATH ?? ''}`,
    });
    assert.equal(r.status, 0, r.stderr);
    return r.stdout.split('\n').slice(0, -1);
  };

  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'nslab-bin-'));
    fakeNodeDir = join(dir, 'fake-node');
    mkdirSync(fakeNodeDir);
    const fake = join(fakeNodeDir, 'node');
    writeFileSync(
      fake,
      '#!/bin/sh\nprintf \'%s\\n\' "$@"\necho "NODE_EXTRA_CA_CERTS=${NODE_EXTRA_CA_CERTS-unset}"\necho "NSLAB_NODE_EXTRA_CA_CERTS=${NSLAB_NODE_EXTRA_CA_CERTS-unset}"\n',
    );
    chmodSync(fake, 0o755);
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  test('starts node with the V8 flags on its command line, on the bundle, with the arguments as given', () => {
    assert.deepEqual(asked(BIN, ['exec', 'red', '--', 'echo', 'two words', '']), [
      '--no-opt',
      '--max-semi-space-size=1',
      '--no-parallel-scavenge',
      BUNDLE,
      'exec',
      'red',
      '--',
      'echo',
      'two words',
      '',
      'NODE_EXTRA_CA_CERTS=unset',
      'NSLAB_NODE_EXTRA_CA_CERTS=unset',
    ]);
  });

  test('graph, ui and why, which compute or run long, start node with its own flags (the optimizing compiler on)', () => {
    for (const command of ['graph', 'ui', 'why']) assert.deepEqual(asked(BIN, [command, 'x.yaml']).slice(0, 3), [BUNDLE, command, 'x.yaml']);
  });

  test('the V8 flags on its exec line do, given at start, what its comments say', () => {
    const flags = /^flags='((?:--\S+ ?)*)'$/m.exec(readFileSync(BIN, 'utf8'))?.[1]?.trim().split(' ');
    assert.ok(flags !== undefined, "bin/nslab has a `flags='--flag ...'` line");
    assert.match(readFileSync(BIN, 'utf8'), /^start node \$flags "\$package\/dist\/bin\/nslab\.mjs" "\$@"$/m, 'and starts node with them');
    // A young generation that stays small (V8 reports at most 2 MB for it, where it grows to 32 MB
    // unbounded) however much lives on; and a function hot enough for the optimizing compiler is never
    // optimized (status bit 4: TurboFan code).
    const probe = `
      const v8 = require('node:v8');
      const newSpace = () => v8.getHeapSpaceStatistics().find((s) => s.space_name === 'new_space').space_size;
      const start = newSpace();
      let most = start;
      const keep = [];
      for (let i = 0; i < 200000; i++) {
        keep.push({ i, s: 'x' + i });
        if (i % 1000 === 0) most = Math.max(most, newSpace());
      }
      const f = (x) => x + 1;
      %PrepareFunctionForOptimization(f);
      f(1);
      %OptimizeFunctionOnNextCall(f);
      f(2);
      console.log(JSON.stringify({ start, most, turbofan: (%GetOptimizationStatus(f) & 16) !== 0 }));`;
    const r = run(process.execPath, [...(flags ?? []), '--allow-natives-syntax', '-e', probe]);
    assert.equal(r.status, 0, r.stderr);
    const seen = JSON.parse(r.stdout) as { start: number; most: number; turbofan: boolean };
    assert.ok(seen.most <= 2 * 1024 * 1024, `the young generation stayed small: ${seen.start} -> ${seen.most} bytes`);
    assert.equal(seen.turbofan, false, 'no optimizing compiler');
    // Without the flags, the same probe sees both (so the probe can tell).
    const plain = JSON.parse(run(process.execPath, ['--allow-natives-syntax', '-e', probe]).stdout) as typeof seen;
    assert.ok(plain.most > 2 * 1024 * 1024 && plain.turbofan, JSON.stringify(plain));
  });

  test('carries NODE_EXTRA_CA_CERTS past node as NSLAB_NODE_EXTRA_CA_CERTS, even when set empty', () => {
    assert.deepEqual(asked(BIN, [], { NODE_EXTRA_CA_CERTS: '/etc/ssl/a b.pem' }).slice(-2), [
      'NODE_EXTRA_CA_CERTS=unset',
      'NSLAB_NODE_EXTRA_CA_CERTS=/etc/ssl/a b.pem',
    ]);
    assert.deepEqual(asked(BIN, [], { NODE_EXTRA_CA_CERTS: '' }).slice(-2), ['NODE_EXTRA_CA_CERTS=unset', 'NSLAB_NODE_EXTRA_CA_CERTS=']);
  });

  test('through symlinks to it (node_modules/.bin, npm link), it still finds its package', () => {
    // As npm makes them: node_modules/.bin/nslab -> ../nslab/bin/nslab, node_modules/nslab -> the package.
    const modules = join(dir, 'app', 'node_modules');
    mkdirSync(join(modules, '.bin'), { recursive: true });
    symlinkSync(ROOT, join(modules, 'nslab'));
    symlinkSync('../nslab/bin/nslab', join(modules, '.bin', 'nslab'));
    const linked = join(modules, '.bin', 'nslab');
    assert.equal(asked(linked, ['--version'])[3], BUNDLE);
    const real = run(linked, ['--version']);
    assert.equal(real.status, 0, real.stderr);
    assert.equal(real.stdout.trim(), VERSION);
  });

  test('starts node without NODE_EXTRA_CA_CERTS, whose file node reads at start-up; node on the bundle runs too', () => {
    const env = { NODE_EXTRA_CA_CERTS: '/nonexistent/nslab-test-ca.pem' };
    // The same start through node directly reads the file, and warns that it is missing.
    const direct = run(process.execPath, [BUNDLE, '--version'], env);
    assert.equal(direct.status, 0, direct.stderr);
    assert.equal(direct.stdout.trim(), VERSION);
    assert.match(direct.stderr, /Ignoring extra certs from `\/nonexistent\/nslab-test-ca\.pem`/);
    const r = run(BIN, ['--version'], env);
    assert.equal(r.status, 0, r.stderr);
    assert.equal(r.stdout.trim(), VERSION);
    assert.equal(r.stderr, '');
  });

  test('the commands it runs in a node see NODE_EXTRA_CA_CERTS as the user set it', { skip: needsRoot }, () => {
    const env = { NODE_EXTRA_CA_CERTS: '/etc/nslab-test/ca.pem' };
    try {
      const up = run(BIN, ['up', 'examples/two-computers.yaml'], env);
      assert.equal(up.status, 0, up.stderr);
      const exec = run(BIN, ['exec', 'green', '--', 'sh', '-c', 'echo "[$NODE_EXTRA_CA_CERTS] [${NSLAB_NODE_EXTRA_CA_CERTS-unset}]"'], env);
      assert.equal(exec.status, 0, exec.stderr);
      assert.equal(exec.stdout.trim(), '[/etc/nslab-test/ca.pem] [unset]');
    } finally {
      nslab(['down', '--lab', 'two-computers']);
    }
  });

  test('prints JSON of any size whole through a pipe (a pipe takes 64 KiB at once; exiting dropped the rest)', { skip: needsRoot }, () => {
    const n = 500;
    const file = join(dir, 'long-chain.yaml');
    const nodes = Array.from({ length: n }, (_, i) => `  n${i}: {}`).join('\n');
    const links = Array.from({ length: n - 1 }, (_, i) => `  - endpoints: [n${i}, n${i + 1}]`).join('\n');
    writeFileSync(file, `name: pipe-chain\naddressing: { p2p: 10.9.0.0/16 }\nnodes:\n${nodes}\nlinks:\n${links}\n`);
    const r = run(BIN, ['up', file, '--dry-run', '--json']);
    assert.equal(r.status, 0, r.stderr);
    assert.ok(r.stdout.length > 4 * 65536, `the test wants more than a pipe holds: ${r.stdout.length} bytes`);
    assert.ok(r.stdout.endsWith('}\n'), `cut at ${r.stdout.length} bytes`);
    const out = JSON.parse(r.stdout) as { ops: { op: string }[] };
    assert.equal(out.ops.filter((o) => o.op === 'veth.add').length, n - 1);
  });
});

describe('bin/nslab down from its startup snapshot', { skip: needsRoot }, () => {
  test('starts from the blob the node on PATH made and takes a lab down; another node or other flags: from the bundle, and down still works', async () => {
    // A package of its own (bin/nslab finds its package from its own path): the script copied, the rest
    // linked, a blob made here by a `node` on PATH that logs what it is asked and runs the real one.
    const dir = mkdtempSync(join(tmpdir(), 'nslab-snapshot-'));
    try {
      const pkg = join(dir, 'pkg');
      mkdirSync(join(pkg, 'bin'), { recursive: true });
      mkdirSync(join(pkg, 'dist', 'bin'), { recursive: true });
      copyFileSync(BIN, join(pkg, 'bin', 'nslab'));
      for (const name of ['package.json', 'build', 'node_modules']) symlinkSync(join(ROOT, name), join(pkg, name));
      for (const name of readdirSync(join(ROOT, 'dist', 'bin'))) {
        if (!name.startsWith('down.blob')) symlinkSync(join(ROOT, 'dist', 'bin', name), join(pkg, 'dist', 'bin', name));
      }
      const log = join(dir, 'node.log');
      const wrapper = join(dir, 'path', 'node');
      mkdirSync(dirname(wrapper));
      const writeNode = (): void => {
        writeFileSync(`${wrapper}.new`, `#!/bin/sh\nprintf '%s\\n' "$*" >>'${log}'\nexec '${process.execPath}' "$@"\n`, { mode: 0o755 });
        renameSync(`${wrapper}.new`, wrapper);
      };
      writeNode();
      const env = { PATH: `${dirname(wrapper)}:${process.env.PATH ?? ''}` };
      const launcher = join(pkg, 'bin', 'nslab');
      const lastStart = (): string => readFileSync(log, 'utf8').trim().split('\n').at(-1) ?? '';

      const built = run(launcher, ['--build-snapshot'], env);
      assert.equal(built.status, 0, built.stderr);
      const blob = join(pkg, 'dist', 'bin', 'down.blob');
      assert.ok(existsSync(blob));
      assert.match(readFileSync(`${blob}.key`, 'utf8'), new RegExp(`^${wrapper} (\\d+ ){8}--no-opt --max-semi-space-size=1 --no-parallel-scavenge\\n$`));

      // From the blob: a lab goes down as from the bundle, its namespaces gone from the kernel.
      const downOf = async (how: RegExp): Promise<void> => {
        await using lab = tutorialLab('snap');
        await lab.up();
        assert.ok(netnsList().includes(`${lab.name}-red`));
        const down = run(launcher, ['down', '--lab', lab.name], env);
        assert.equal(down.status, 0, down.stderr);
        assert.match(lastStart(), how);
        assert.deepEqual(
          netnsList().filter((n) => n.startsWith(`${lab.name}-`)),
          [],
        );
        assert.equal(existsSync(join('/run/nslab', lab.name)), false, 'its state is gone');
      };
      await downOf(new RegExp(`^--no-opt --max-semi-space-size=1 --no-parallel-scavenge --snapshot-blob ${blob} down --lab snap`));
      // A usage error and a file's problems, from the blob too (the topology's explanations load zod and yaml).
      const usage = run(launcher, ['down', '--lab'], env);
      assert.equal(usage.status, 2);
      assert.match(usage.stderr, /option '--lab <name>' argument missing/);
      const bad = join(dir, 'bad.yaml');
      writeFileSync(bad, 'name: bad\nnodes: {a: {}}\nbogus: 1\n');
      const problems = run(launcher, ['down', bad], env);
      assert.equal(problems.status, 2, problems.stderr);
      assert.match(problems.stderr, /bad\.yaml:3:1: bogus: unknown key "bogus"/);
      assert.match(lastStart(), /--snapshot-blob/);

      // Another node at the same path (an upgrade replaces the file): the bundle.
      writeNode();
      await downOf(/^--no-opt --max-semi-space-size=1 --no-parallel-scavenge \S+\/dist\/bin\/nslab\.mjs down --lab snap/);
      // Made again by this node, then other flags in the key: the bundle.
      assert.equal(run(launcher, ['--build-snapshot'], env).status, 0);
      const key = readFileSync(`${blob}.key`, 'utf8');
      writeFileSync(`${blob}.key`, key.replace('--no-opt ', ''));
      await downOf(/\/dist\/bin\/nslab\.mjs down --lab snap/);
      // The right key, but a blob changed after it was made (here one byte more): the bundle.
      writeFileSync(`${blob}.key`, key);
      await downOf(/--snapshot-blob/);
      appendFileSync(blob, '\0');
      await downOf(/\/dist\/bin\/nslab\.mjs down --lab snap/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
