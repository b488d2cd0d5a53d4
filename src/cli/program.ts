/**
 * The nslab command: one file per command under commands/, each registering itself, and loaded only when
 * its command runs (all of them for help): a command starts with its own code alone (docs/performance.md,
 * the fifth round). This file builds the program and is the only place that turns errors into exit codes
 * (main). Exit codes: 0 success, 1 failure, 2 bad usage or invalid topology, 128 + N for a command in a
 * node ended by signal N. A command run with --json prints its errors as JSON on stdout too (docs/cli.md).
 */
import { Command, CommanderError } from 'commander';
import type { Spares } from '../api/early.js';
import { errorJson, EXIT_OK, EXIT_USAGE, exitCodeFor, formatError } from './output.js';
import { version } from './version.js';

export { runAsCommand } from './command.js';
export { headStart } from './early.js';

/** What the executable hands the program: the head start of `up FILE` (early.ts), if it took one. */
export interface ProgramOptions {
  early?: Spares;
}

/** What a command's file gives: its registration on the program (up's takes the head start). */
interface CommandModule {
  register(program: Command, options: ProgramOptions): void;
}

/** Every command, in the order help lists them, with its file. */
const COMMANDS: Record<string, () => Promise<CommandModule>> = {
  up: () => import('./commands/up.js'),
  down: () => import('./commands/down.js'),
  wait: () => import('./commands/wait.js'),
  status: () => import('./commands/status.js'),
  exec: () => import('./commands/exec.js'),
  shell: () => import('./commands/shell.js'),
  vtysh: () => import('./commands/vtysh.js'),
  ping: () => import('./commands/ping.js'),
  why: () => import('./commands/why.js'),
  link: () => import('./commands/link.js'),
  routes: () => import('./commands/routes.js'),
  run: () => import('./commands/run.js'),
  validate: () => import('./commands/validate.js'),
  convert: () => import('./commands/convert.js'),
  ls: () => import('./commands/ls.js'),
  clean: () => import('./commands/clean.js'),
  world: () => import('./commands/world.js'),
  schema: () => import('./commands/schema.js'),
  graph: () => import('./commands/graph.js'),
  ui: () => import('./commands/ui.js'),
  capture: () => import('./commands/capture.js'),
  hosts: () => import('./commands/hosts.js'),
  part: () => import('./commands/part.js'),
};

/**
 * The program, with the command the command line names (its first word that is not an option: nslab's
 * own options take no value), or with every command when it names none of them (help, a mistyped command,
 * which commander then answers naming them all).
 */
export async function buildProgram(argv: readonly string[], options: ProgramOptions = {}): Promise<Command> {
  const program = new Command('nslab')
    .description('Virtual networks of Linux network namespaces, wired with veth cables.')
    .version(version())
    .option('--debug', 'show stack traces and causes on errors')
    .option('--rootless', 'work in your own world of namespaces even as root, as nslab without root always does (docs/rootless.md)')
    .showHelpAfterError('(run nslab help for usage)')
    .exitOverride();
  const end = argv.indexOf('--');
  const word = (end < 0 ? argv : argv.slice(0, end)).find((w) => !w.startsWith('-'));
  const named = word !== undefined && Object.hasOwn(COMMANDS, word) ? [word] : Object.keys(COMMANDS);
  const modules = await Promise.all(named.map((name) => (COMMANDS[name] as () => Promise<CommandModule>)()));
  for (const command of modules) command.register(program, options);
  return program;
}

/**
 * Whether the command line runs a command that has --json with it (before any `--`, after which the words
 * are a command's own): its errors are then printed as JSON on stdout as well.
 */
function wantsJson(program: Command, argv: readonly string[]): boolean {
  const end = argv.indexOf('--');
  const words = end < 0 ? argv : argv.slice(0, end);
  if (!words.includes('--json')) return false;
  const name = words.find((w) => !w.startsWith('-'));
  const command = program.commands.find((c) => c.name() === name || c.aliases().includes(name ?? ''));
  return command?.options.some((o) => o.long === '--json') === true;
}

export async function main(argv: string[], options: ProgramOptions = {}): Promise<number> {
  const program = await buildProgram(argv, options);
  const debug = argv.includes('--debug');
  const json = wantsJson(program, argv);
  try {
    await program.parseAsync(argv, { from: 'user' });
    return typeof process.exitCode === 'number' ? process.exitCode : EXIT_OK;
  } catch (error) {
    if (error instanceof CommanderError) {
      // Help asked for, or the version: success. Help shown because no command was given: bad usage.
      if (error.code === 'commander.helpDisplayed' || error.code === 'commander.version') return EXIT_OK;
      if (error.code === 'commander.help') return error.exitCode === 0 ? EXIT_OK : EXIT_USAGE;
      // commander has printed its message on stderr.
      if (json) process.stdout.write(`${JSON.stringify({ error: { code: 'NSLAB_USAGE', message: error.message.replace(/^error: /, '') } }, null, 2)}\n`);
      return EXIT_USAGE;
    }
    process.stderr.write(`${formatError(error, debug)}\n`);
    if (json) process.stdout.write(`${JSON.stringify(errorJson(error), null, 2)}\n`);
    return exitCodeFor(error);
  } finally {
    // A head start that up did not use (a dry run, a usage error) is freed here; what up used, it freed.
    await options.early?.close();
  }
}
