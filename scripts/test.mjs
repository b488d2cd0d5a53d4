#!/usr/bin/env node
// The README's test command (`npm test`). Runs every test file under test/ with node's test runner.
//
// As root it runs inside a private sandbox (scripts/sandbox.mjs: own network and mount namespaces, tmpfs
// on /run and /etc/netns), so no test can see or touch the host's network. Before the sandbox closes it
// checks that the tests left no namespace, link or lab state behind; a leak fails the run.
// As a normal user it runs the same files; tests that need root skip themselves and say so.
//
// Usage: npm test [-- FILE_OR_DIR ...]   (default: test/)
import { spawnSync } from 'node:child_process';
import { readdirSync, statSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { debris, enterSandbox, isRoot } from './sandbox.mjs';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const args = process.argv.slice(2);
enterSandbox(fileURLToPath(import.meta.url), args);

function collect(path, out) {
  if (statSync(path).isDirectory()) {
    for (const entry of readdirSync(path).sort()) collect(join(path, entry), out);
  } else if (/\.test\.(ts|mjs|js)$/.test(path)) {
    out.push(path);
  }
  return out;
}
const targets = args.length > 0 ? args : ['test'];
const files = targets.flatMap((t) => collect(resolve(root, t), []));
if (files.length === 0) {
  console.error(`no test files under ${targets.join(', ')}`);
  process.exit(1);
}

const r = spawnSync(process.execPath, ['--import', 'tsx', '--test', '--test-reporter=spec', ...files], { cwd: root, stdio: 'inherit' });
let status = r.status ?? 1;

if (isRoot) {
  const left = debris();
  if (left.any) {
    console.error('Tests left debris behind (a test did not clean up what it made):');
    if (left.namespaces.length) console.error(`  namespaces: ${left.namespaces.join(' ')}`);
    if (left.state.length) console.error(`  /run/nslab: ${left.state.join(' ')}`);
    if (left.links.length) console.error(`  links in the sandbox's root namespace: ${left.links.join(' ')}`);
    status = 1;
  } else {
    console.log('sandbox check: no namespace, link or lab state left behind');
  }
}
process.exit(status);
