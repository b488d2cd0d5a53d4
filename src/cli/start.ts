/**
 * The command's process from its arguments to its exit, the same however node started: on the bundle
 * (main.ts) or from the startup snapshot of `down` (snapshot.ts). `program` loads the program: main.ts
 * loads it after the head start has begun, the snapshot holds it already. `entry` is the script node
 * started, which a command run again inside the user's world is started on too; from a snapshot there
 * is none (node's options name the blob).
 */
import { runAsCommand } from './command.js';
import { headStart } from './early.js';
import type { main } from './program.js';
import { throughWorld } from './rootless.js';

export async function start(argv: string[], entry: string | undefined, program: () => Promise<{ main: typeof main }>): Promise<never> {
  runAsCommand();
  // Without root, a command that started outside the user's world runs again inside it (rootless.ts).
  const again = [process.execPath, ...process.execArgv, ...(entry !== undefined ? [entry] : [])];
  const inside = await throughWorld(argv, again).catch(async (error: unknown) => {
    const { exitCodeFor, formatError } = await import('./output.js');
    process.stderr.write(`${formatError(error, argv.includes('--debug'))}\n`);
    return exitCodeFor(error);
  });
  if (inside !== undefined) await exitFlushed(inside);
  const early = headStart(argv);
  const { main: run } = await program();
  return exitFlushed(await run(argv, early !== undefined ? { early } : {}));
}

/**
 * Exits once what the command wrote has left for stdout and stderr: a pipe takes 64 KiB at once, the rest
 * waits in the process, and exiting at once dropped it (`nslab up --dry-run --json | jq` read a cut text).
 */
async function exitFlushed(code: number): Promise<never> {
  await Promise.all([process.stdout, process.stderr].map((stream) => new Promise<void>((resolve) => stream.write('', () => resolve()))));
  process.exit(code);
}
