#!/usr/bin/env node
// `npm run bench`: runs the benchmarks (bench/main.ts) inside the same private sandbox as the tests
// (scripts/sandbox.mjs), so they never touch the host's network. Needs root.
// Usage: npm run bench [-- --json] [-- --only NAME[,NAME]] [-- --reps N]
import { spawnSync } from 'node:child_process';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { debris, enterSandbox, isRoot } from './sandbox.mjs';

if (!isRoot) {
  console.error('npm run bench needs root: it makes network namespaces (inside a private sandbox)');
  process.exit(2);
}
const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const args = process.argv.slice(2);
enterSandbox(fileURLToPath(import.meta.url), args);
// nslab-source: the testing suite runs examples/testing, which imports the package by its name (scripts/test.mjs).
const r = spawnSync(process.execPath, ['--conditions=nslab-source', '--import', 'tsx', join(root, 'bench', 'main.ts'), ...args], {
  cwd: root,
  stdio: 'inherit',
});
const left = debris();
if (left.any) {
  console.error(`the benchmark left debris: ${JSON.stringify(left)}`);
  process.exit(1);
}
process.exit(r.status ?? 1);
