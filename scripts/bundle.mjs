#!/usr/bin/env node
// Bundles the CLI into one file, dist/nslab.mjs (the package's `nslab` bin): one file to read instead of
// a few hundred makes the command start in about half the time, which is most of `nslab down`'s time.
// The library (dist/index.js) stays unbundled. The addon is loaded at run time from build/Release.
import { build } from 'esbuild';

await build({
  entryPoints: ['src/cli/main.ts'],
  outfile: 'dist/nslab.mjs',
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  // Some dependencies are CommonJS and call require(); give the ESM bundle one.
  banner: { js: "#!/usr/bin/env node\nimport { createRequire as nslabCreateRequire } from 'node:module';\nconst require = nslabCreateRequire(import.meta.url);" },
  logLevel: 'warning',
});
