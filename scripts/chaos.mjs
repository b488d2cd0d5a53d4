#!/usr/bin/env node
// `npm run chaos`: the chaos test of issue 14 (test/chaos/chaos.ts), inside the same private sandbox as
// the tests (scripts/sandbox.mjs). Needs root and a build (npm run build).
// Usage: npm run chaos -- [--cycles N] [--seed S] [--from K] [--max-nodes M] [--frr]
import { spawnSync } from 'node:child_process';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { debris, enterSandbox, isRoot } from './sandbox.mjs';

if (!isRoot) {
  console.error('npm run chaos needs root: it makes network namespaces (inside a private sandbox)');
  process.exit(2);
}
const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const args = process.argv.slice(2);
enterSandbox(fileURLToPath(import.meta.url), args);
const r = spawnSync(process.execPath, ['--import', 'tsx', join(root, 'test', 'chaos', 'chaos.ts'), ...args], { cwd: root, stdio: 'inherit' });
const left = debris();
if (left.any) {
  console.error(`the chaos run left debris: ${JSON.stringify(left)}`);
  process.exit(1);
}
process.exit(r.status ?? 1);
