// The nslab command, bundled as dist/bin/nslab.mjs, which the executable bin/nslab starts node on: runs
// the program and exits with its code (the only exit in nslab). `up FILE` gets its head start (early.ts)
// before node loads the program.
import { runAsCommand } from './command.js';
import { headStart } from './early.js';
import { throughWorld } from './rootless.js';

runAsCommand();
const argv = process.argv.slice(2);
// Without root, a command that started outside the user's world runs again inside it (rootless.ts).
const inside = await throughWorld(argv).catch(async (error: unknown) => {
  const { exitCodeFor, formatError } = await import('./output.js');
  process.stderr.write(`${formatError(error, argv.includes('--debug'))}\n`);
  return exitCodeFor(error);
});
if (inside !== undefined) await exitFlushed(inside);
const early = headStart(argv);
const { main } = await import('./program.js');
await exitFlushed(await main(argv, early !== undefined ? { early } : {}));

/**
 * Exits once what the command wrote has left for stdout and stderr: a pipe takes 64 KiB at once, the rest
 * waits in the process, and exiting at once dropped it (`nslab up --dry-run --json | jq` read a cut text).
 */
async function exitFlushed(code: number): Promise<never> {
  await Promise.all([process.stdout, process.stderr].map((stream) => new Promise<void>((resolve) => stream.write('', () => resolve()))));
  process.exit(code);
}
