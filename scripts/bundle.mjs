#!/usr/bin/env node
// Bundles the CLI into dist/bin/nslab.mjs and a few chunks beside it, and writes dist/bin/nslab, the
// package's `nslab` executable, which starts node on nslab.mjs (see LAUNCHER below). A few
// files to read instead of a few hundred makes the command start in about half the time, and the chunk
// with the topology parser (yaml, zod) loads only for the commands that read a topology. The library
// (dist/index.js) stays unbundled. The addon is loaded at run time from build/Release.
import { chmodSync, rmSync, writeFileSync } from 'node:fs';
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

// The executable: node on nslab.mjs, started without NODE_EXTRA_CA_CERTS, whose certificates node would
// read before anything else (50-60 ms on a small VM) although nslab makes no TLS connection. Its value
// travels as NSLAB_NODE_EXTRA_CA_CERTS and src/cli/command.ts puts it back for the commands nslab runs.
// POSIX sh and one readlink, so that `npm link`'s symlink and busybox systems work too.
const LAUNCHER = `#!/bin/sh
# nslab: runs node on nslab.mjs beside this file (written by scripts/bundle.mjs; see src/cli/command.ts).
self=$(readlink -f "$0") || exit 1
if [ -n "\${NODE_EXTRA_CA_CERTS+set}" ]; then
  NSLAB_NODE_EXTRA_CA_CERTS=$NODE_EXTRA_CA_CERTS
  export NSLAB_NODE_EXTRA_CA_CERTS
  unset NODE_EXTRA_CA_CERTS
fi
exec node "\${self%/*}/nslab.mjs" "$@"
`;
writeFileSync('dist/bin/nslab', LAUNCHER);
chmodSync('dist/bin/nslab', 0o755);
