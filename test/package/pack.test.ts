/**
 * The package as users get it: `npm pack` of these sources (its prepack builds the prebuilt addon from
 * them), installed in an empty directory with `npm install --ignore-scripts`, so that nothing can compile.
 * Its `nslab` must bring the tutorial up and take it down with the prebuilt addon alone, and where no
 * prebuild fits, say so and compile one with `npm run install`.
 *
 * The sources are packed from a copy (with this checkout's node_modules linked in), so that the build the
 * pack runs never rewrites the dist/ and build/ other tests load. Packing compiles the addon and builds
 * dist/: about half a minute, done once for the file.
 */
import assert from 'node:assert/strict';
import { execFileSync, spawnSync, type SpawnSyncReturns } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, renameSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative, sep } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { ROOT } from '../helpers/cli.js';
import { needsRoot, netnsList } from '../helpers/sandbox.js';

const MANIFEST = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { name: string; version: string };
/** What packing builds or what is this checkout's own: not copied. */
const NOT_COPIED = new Set(['node_modules', 'build', 'dist', 'prebuilds', '.git', '.nslab-bench', 'tmp']);

/** npm, with node-gyp compiling on every core (JOBS): the pack and the fallback each compile the addon. */
function npm(args: string[], cwd: string): SpawnSyncReturns<string> {
  return spawnSync('npm', args, { cwd, encoding: 'utf8', timeout: 240_000, env: { ...process.env, JOBS: 'max' } });
}

function npmOk(args: string[], cwd: string): string {
  const r = npm(args, cwd);
  assert.equal(r.status, 0, `npm ${args.join(' ')} in ${cwd} exited ${r.status}\n${r.stdout.slice(-3000)}\n${r.stderr.slice(-3000)}`);
  return r.stdout;
}

/**
 * The registry tarballs of the package's dependencies, at the versions package-lock.json pins. Named
 * beside the package's own tarball, they install from npm's cache (`npm ci` put them there) without
 * the registry: a dependency named by range would need the registry's metadata of it, which npm ci does
 * not keep and the test sandbox cannot fetch.
 */
function lockedDependencyTarballs(): string[] {
  const registry = execFileSync('npm', ['config', 'get', 'registry'], { encoding: 'utf8' }).trim().replace(/\/?$/, '/');
  const lock = JSON.parse(readFileSync(join(ROOT, 'package-lock.json'), 'utf8')) as { packages: Record<string, { version?: string; dev?: boolean }> };
  return Object.entries(lock.packages)
    .filter(([path, entry]) => path.startsWith('node_modules/') && entry.dev !== true && entry.version !== undefined)
    .map(([path, entry]) => {
      const name = path.slice(path.lastIndexOf('node_modules/') + 'node_modules/'.length);
      return `${registry}${name}/-/${name.split('/').at(-1) ?? name}-${entry.version ?? ''}.tgz`;
    });
}

describe('the package npm pack makes, installed with --ignore-scripts', () => {
  let work: string;
  /** The installed package (node_modules/nslab) and its executable as npm links it (node_modules/.bin/nslab). */
  let pkg: string;
  let bin: string;
  const nslab = (args: string[]): SpawnSyncReturns<string> => spawnSync(bin, args, { cwd: work, encoding: 'utf8', timeout: 60_000 });

  before(
    () => {
      work = mkdtempSync(join(tmpdir(), 'nslab-pack-'));
      const sources = join(work, 'sources');
      cpSync(ROOT, sources, { recursive: true, filter: (from) => !NOT_COPIED.has(relative(ROOT, from).split(sep)[0] ?? '') });
      symlinkSync(join(ROOT, 'node_modules'), join(sources, 'node_modules'));
      npmOk(['pack', '--pack-destination', work], sources);
      const tarball = join(work, `${MANIFEST.name}-${MANIFEST.version}.tgz`);
      assert.ok(existsSync(tarball), `npm pack made no ${tarball}`);

      const app = join(work, 'app');
      mkdirSync(app);
      writeFileSync(join(app, 'package.json'), JSON.stringify({ name: 'nslab-pack-test', private: true }));
      npmOk(['install', '--ignore-scripts', '--offline', '--no-audit', '--no-fund', tarball, ...lockedDependencyTarballs()], app);
      pkg = join(app, 'node_modules', 'nslab');
      bin = join(app, 'node_modules', '.bin', 'nslab');
    },
    { timeout: 300_000 },
  );
  after(() => rmSync(work, { recursive: true, force: true }));

  test('holds the executable, the world maker and its AppArmor profile, the bundle, a prebuilt addon for this machine and the sources to compile one; nothing was compiled', () => {
    assert.ok((statSync(join(pkg, 'bin', 'nslab')).mode & 0o111) !== 0, 'bin/nslab is executable');
    // Without root: the script that makes a user's world, and the AppArmor profile that allows it (docs/rootless.md).
    assert.ok((statSync(join(pkg, 'bin', 'nslab-world')).mode & 0o111) !== 0, 'bin/nslab-world is executable');
    assert.match(
      readFileSync(join(pkg, 'etc', 'apparmor', 'nslab-world'), 'utf8'),
      /^profile nslab-world NSLAB_WORLD_PATH flags=\(unconfined\) \{\n {2}userns,$/m,
    );
    assert.ok(!existsSync(join(pkg, 'etc', 'nslab.api.md')), 'the API report stays in the repository');
    assert.ok(existsSync(join(pkg, 'dist', 'bin', 'nslab.mjs')));
    // The startup snapshot of `down` fits only the node that made it: the install makes it (below), the packer's stays home.
    assert.ok(existsSync(join(pkg, 'dist', 'bin', 'snapshot-down.cjs')));
    assert.ok(!existsSync(join(pkg, 'dist', 'bin', 'down.blob')) && !existsSync(join(pkg, 'dist', 'bin', 'down.blob.key')), 'no down.blob in the package');
    const prebuilds = join(pkg, 'prebuilds', `${process.platform}-${process.arch}`);
    assert.deepEqual(
      readdirSync(prebuilds).filter((f) => f.endsWith('.node')),
      ['nslab.glibc.node'],
    );
    // Every source binding.gyp compiles is in the package (a gyp file is JSON with # comments).
    const gyp = JSON.parse(
      readFileSync(join(pkg, 'binding.gyp'), 'utf8')
        .split('\n')
        .filter((l) => !l.trimStart().startsWith('#'))
        .join('\n'),
    ) as { targets: { sources: string[] }[] };
    for (const source of gyp.targets.flatMap((t) => t.sources)) assert.ok(existsSync(join(pkg, source)), `${source} is in the package`);
    assert.ok(!existsSync(join(pkg, 'build')), 'no build/: nothing was compiled');
  });

  test('its nslab, through node_modules/.bin, starts', () => {
    const r = nslab(['--version']);
    assert.equal(r.status, 0, r.stderr);
    assert.equal(r.stdout.trim(), MANIFEST.version);
  });

  test('its nslab brings the tutorial up on the prebuilt addon, red pings green, and takes it down', { skip: needsRoot }, () => {
    try {
      const up = nslab(['up']);
      assert.equal(up.status, 0, up.stderr);
      assert.match(up.stdout, /3 packets transmitted, 3 received/);
      assert.match(up.stdout, /red reaches green/);
      assert.ok(netnsList().includes('red') && netnsList().includes('green'), 'ip netns list shows red and green');
      const down = nslab(['down']);
      assert.equal(down.status, 0, down.stderr);
      assert.ok(!netnsList().includes('red') && !netnsList().includes('green'), 'red and green are gone');
      assert.ok(!existsSync(join(pkg, 'build')), 'no build/: the prebuilt addon is what ran');
    } finally {
      nslab(['down']);
    }
  });

  test('where no prebuild fits, it says the addon is missing and how to compile it; `npm run install` does', { skip: needsRoot }, () => {
    const prebuilds = join(pkg, 'prebuilds');
    const away = join(work, 'prebuilds-away');
    renameSync(prebuilds, away);
    try {
      const missing = nslab(['up']);
      assert.equal(missing.status, 1);
      assert.match(missing.stderr, /native addon is not built .* no prebuilt one fits/);
      assert.ok(missing.stderr.includes(`Run \`npm run install\` in ${pkg}`), missing.stderr);
      assert.match(missing.stderr, /\[NSLAB_ADDON_MISSING\]/);
      assert.ok(!netnsList().includes('red'), 'nothing was made');

      npmOk(['run', 'install'], pkg);
      assert.ok(existsSync(join(pkg, 'build', 'Release', 'nslab_native.node')), 'npm run install compiled the addon');
      assert.ok(existsSync(join(pkg, 'dist', 'bin', 'down.blob.key')), "and made down's startup snapshot with this node");
      const up = nslab(['up', '--no-proof']);
      assert.equal(up.status, 0, up.stderr);
      assert.equal(nslab(['down']).status, 0);
    } finally {
      nslab(['down']);
      renameSync(away, prebuilds);
    }
  });
});
