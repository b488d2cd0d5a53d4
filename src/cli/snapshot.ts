/**
 * `nslab down` from a V8 startup snapshot: node starts with the program and the down command loaded and
 * their modules run, instead of reading, compiling and running them (about 40 ms of a down's 100 to 140;
 * docs/performance.md). scripts/bundle.mjs bundles this file as dist/bin/snapshot-down.cjs, with the
 * other commands left out; `bin/nslab --build-snapshot` runs it once under `node --build-snapshot`, with
 * the V8 flags the command runs with, into dist/bin/down.blob; bin/nslab starts `down` from that blob when
 * its key names the node on PATH, the blob and those flags as they are (docs/cli.md).
 *
 * What runs here at build time is kept in the blob, so nothing the modules run as they load may depend
 * on the run: the environment, the user, the time, the package's place. The bundle's `import.meta.url`
 * (bundle.mjs defines it as nslabBundleUrl) is set when the command starts, from the blob's path.
 */
import { dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { startupSnapshot } from 'node:v8';
import './commands/down.js';
import * as program from './program.js';
import { start } from './start.js';

declare global {
  /** What the snapshot's bundle reads for import.meta.url. */
  var nslabBundleUrl: string;
}

/** The URL the ES bundle beside `file` has: what its modules would see as import.meta.url. */
const bundleUrlBeside = (file: string): string => pathToFileURL(join(dirname(file), 'nslab.mjs')).href;

globalThis.nslabBundleUrl = bundleUrlBeside(process.argv[1] ?? '.');
startupSnapshot.setDeserializeMainFunction(() => {
  const blob = process.execArgv[process.execArgv.indexOf('--snapshot-blob') + 1];
  globalThis.nslabBundleUrl = bundleUrlBeside(blob ?? '.');
  // Started from a snapshot, process.argv is node and the arguments: there is no script.
  void start(process.argv.slice(1), undefined, () => Promise.resolve(program));
});
