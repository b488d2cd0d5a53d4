#!/usr/bin/env node
// `npm run screenshot`: writes docs/ui.png, the picture of `nslab ui` in the README, from the real thing:
// the tutorial's lab brought up inside the same private sandbox as the tests (scripts/sandbox.mjs), the
// page opened in Debian's chromium, a ping running, the cable's panel open. Needs root.
import { spawnSync } from 'node:child_process';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { debris, enterSandbox, isRoot } from './sandbox.mjs';

if (!isRoot) {
  console.error('npm run screenshot needs root: it brings a lab up (inside a private sandbox)');
  process.exit(2);
}
const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
enterSandbox(fileURLToPath(import.meta.url), process.argv.slice(2));
const r = spawnSync(process.execPath, ['--import', 'tsx', join(root, 'scripts', 'screenshot-ui.ts'), ...process.argv.slice(2)], {
  cwd: root,
  stdio: 'inherit',
});
const left = debris();
if (left.any) {
  console.error(`the screenshot left debris: ${JSON.stringify(left)}`);
  process.exit(1);
}
process.exit(r.status ?? 1);
