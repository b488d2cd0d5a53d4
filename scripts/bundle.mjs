#!/usr/bin/env node
// Bundles the CLI into dist/bin/nslab.mjs and a few chunks beside it, which the package's executable
// (bin/nslab, checked in) starts node on. A few files to read instead of a few hundred makes the command
// start in about half the time (docs/performance.md), and the chunk with the topology parser (yaml, zod)
// loads only for the commands that read a topology. The library (dist/index.js) stays unbundled. The addon
// is found at run time by src/native/index.ts (build/Release, else prebuilds/).
import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync, rmSync } from 'node:fs';
import { build } from 'esbuild';

// Chunk names are content hashes: clear the last build's, or they pile up.
rmSync('dist/bin', { recursive: true, force: true });

await build({
  entryPoints: { nslab: 'src/cli/main.ts' },
  outdir: 'dist/bin',
  outExtension: { '.js': '.mjs' },
  splitting: true,
  chunkNames: 'chunk-[hash]',
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  // Some dependencies are CommonJS and call require(); give the ESM bundle one.
  banner: {
    js: "#!/usr/bin/env node\nimport { createRequire as nslabCreateRequire } from 'node:module';\nconst require = nslabCreateRequire(import.meta.url);",
  },
  logLevel: 'warning',
});

// `nslab down` from a startup snapshot (src/cli/snapshot.ts): the program and the down command in one
// CommonJS file (node builds snapshots of scripts), the other commands left out, import.meta.url read from
// a global the entry sets; then bin/nslab builds dist/bin/down.blob from it with the flags the command runs
// with. A machine whose node cannot build it runs `down` from the bundle as every other command.
await build({
  entryPoints: ['src/cli/snapshot.ts'],
  outfile: 'dist/bin/snapshot-down.cjs',
  bundle: true,
  platform: 'node',
  format: 'cjs',
  target: 'node20',
  define: { 'import.meta.url': 'nslabBundleUrl' },
  plugins: [
    {
      name: 'down-only',
      setup(b) {
        b.onResolve({ filter: /\/commands\/[a-z]+\.js$/ }, (a) => (a.path.endsWith('/down.js') ? undefined : { path: a.path, namespace: 'not-down' }));
        b.onLoad({ filter: /.*/, namespace: 'not-down' }, (a) => ({
          contents: `export function register() { throw new Error(${JSON.stringify(`${a.path}: not in the snapshot of down`)}); }`,
          loader: 'js',
        }));
      },
    },
  ],
  logLevel: 'warning',
});
const snapshot = spawnSync('bin/nslab', ['--build-snapshot'], { encoding: 'utf8' });
if (snapshot.status !== 0) process.stderr.write(`note: no startup snapshot for \`nslab down\` (it starts from the bundle): ${snapshot.stderr.trim()}\n`);

// The page of `nslab ui` (src/web/page): one script, its style and its HTML in dist/web, where the server
// (src/web/server.ts) serves them from. Everything the page runs is in these files: no CDN, nothing fetched.
rmSync('dist/web/app.js', { force: true });
mkdirSync('dist/web', { recursive: true });
await build({
  entryPoints: ['src/web/page/main.ts'],
  outfile: 'dist/web/app.js',
  bundle: true,
  platform: 'browser',
  format: 'esm',
  target: ['chrome110', 'firefox110', 'safari16'],
  minify: true,
  legalComments: 'none',
  logLevel: 'warning',
});
copyFileSync('src/web/page/style.css', 'dist/web/app.css');
copyFileSync('src/web/page/index.html', 'dist/web/index.html');
