/**
 * nslab without root (docs/rootless.md): every command that makes, reads or enters labs runs inside the
 * user's world, a user + mount + network namespace of their own. bin/nslab enters a running world before
 * node starts (a process with threads cannot join a user namespace). A command that starts outside it (no
 * world yet, a world whose holder died, or node started without bin/nslab) comes here first: the world is
 * made (or replaced), and the same command runs again inside it, as a child whose status is nslab's.
 *
 * As root nothing of this happens (the host's namespaces, as always) unless `--rootless` (or
 * NSLAB_ROOTLESS=1) asks for root's own world.
 */
import type { EnsureResult } from '../api/world.js';

/** What bin/nslab exports when it starts node for a command without root, or with --rootless. */
export const ROOTLESS_ENV = 'NSLAB_ROOTLESS';

/** Commands that touch no namespace, and `world`, which works on the world from outside it. */
const OUTSIDE = new Set(['validate', 'convert', 'schema', 'help', 'world']);

/** The words before `--`: the command's own arguments after it are not nslab's options. */
function nslabWords(argv: readonly string[]): readonly string[] {
  const end = argv.indexOf('--');
  return end === -1 ? argv : argv.slice(0, end);
}

/** Does this command work in the user's world: without root, or with --rootless? */
export function rootless(argv: readonly string[]): boolean {
  return process.getuid?.() !== 0 || process.env[ROOTLESS_ENV] === '1' || nslabWords(argv).includes('--rootless');
}

/** The command's name: its first word that is not an option (nslab's own options take no value). */
function commandName(argv: readonly string[]): string | undefined {
  return nslabWords(argv).find((a) => !a.startsWith('-'));
}

/**
 * Runs the command inside the user's world when it must run there and this process is outside it, and
 * resolves with its exit status; resolves undefined when the command runs here. `again` is the command line
 * that starts this program as this process was started, before its arguments (node, its options, the
 * bundle; from a snapshot, no bundle: start.ts).
 */
export async function throughWorld(argv: readonly string[], again: readonly string[]): Promise<number | undefined> {
  if (!rootless(argv)) return undefined;
  const name = commandName(argv);
  const words = nslabWords(argv);
  if (name === undefined || OUTSIDE.has(name) || words.some((w) => w === '--help' || w === '-h' || w === '--version' || w === '-V')) return undefined;
  const world = await import('../api/world.js');
  if (world.inWorld()) return undefined;
  const command = await world.worldCommand([...again, ...argv]);
  sayWorld(command);
  return waitAttached(await world.startWorldCommand(command));
}

/** Says on stderr what making the world did that the user should know: where it is, what it replaced. */
export function sayWorld(result: EnsureResult): void {
  const { replaced, place } = result;
  if (replaced !== undefined) {
    const labs = replaced.labs.length === 0 ? 'it had no labs up' : `its labs are gone with it: ${replaced.labs.join(', ')}`;
    process.stderr.write(
      `nslab: warning: your nslab world (holder ${replaced.record.pid}, made ${replaced.record.createdAt}) had ended, and its namespaces with it; ${labs}${
        replaced.ended > 0 ? ` (${replaced.ended} of its processes still running were ended)` : ''
      }. A new world is made; bring the labs up again.\n`,
    );
  }
  if (result.made && place.fallback)
    process.stderr.write(`nslab: note: XDG_RUNTIME_DIR is not set: your nslab world is recorded in ${place.dir} (private to you)\n`);
}

/**
 * Waits for a child that has this process's terminal and resolves with its status as a shell reports it.
 * The terminal's Ctrl-C and Ctrl-\ reach it directly (the same process group) and are its to handle; a
 * SIGTERM or SIGHUP sent to nslab alone is passed on.
 */
export async function waitAttached(child: { kill(signal: NodeJS.Signals): boolean; exited: Promise<{ exitCode: number }> }): Promise<number> {
  const keep = (): void => undefined;
  const pass = (signal: NodeJS.Signals): void => void child.kill(signal);
  process.on('SIGINT', keep).on('SIGQUIT', keep).on('SIGTERM', pass).on('SIGHUP', pass);
  try {
    return (await child.exited).exitCode;
  } finally {
    process.off('SIGINT', keep).off('SIGQUIT', keep).off('SIGTERM', pass).off('SIGHUP', pass);
  }
}
