/**
 * The nslab command: one file per command under commands/, each registering itself. This file builds the
 * program and is the only place that turns errors into exit codes (main). Exit codes: 0 success, 1
 * failure, 2 bad usage or invalid topology, 128 + N for a command in a node ended by signal N. A command
 * run with --json prints its errors as JSON on stdout too (docs/cli.md).
 */
import { Command, CommanderError } from 'commander';
import type { Spares } from '../api/early.js';
import * as capture from './commands/capture.js';
import * as clean from './commands/clean.js';
import * as convert from './commands/convert.js';
import * as down from './commands/down.js';
import * as exec from './commands/exec.js';
import * as graph from './commands/graph.js';
import * as hosts from './commands/hosts.js';
import * as link from './commands/link.js';
import * as ls from './commands/ls.js';
import * as part from './commands/part.js';
import * as ping from './commands/ping.js';
import * as routes from './commands/routes.js';
import * as run from './commands/run.js';
import * as schema from './commands/schema.js';
import * as shell from './commands/shell.js';
import * as status from './commands/status.js';
import * as ui from './commands/ui.js';
import * as up from './commands/up.js';
import * as validate from './commands/validate.js';
import * as vtysh from './commands/vtysh.js';
import * as wait from './commands/wait.js';
import * as why from './commands/why.js';
import * as world from './commands/world.js';
import { errorJson, EXIT_OK, EXIT_USAGE, exitCodeFor, formatError } from './output.js';
import { version } from './version.js';

export { runAsCommand } from './command.js';
export { headStart } from './early.js';
export { parseLinkChange } from './commands/link.js';

/** What the executable hands the program: the head start of `up FILE` (early.ts), if it took one. */
export interface ProgramOptions {
  early?: Spares;
}

export function buildProgram(options: ProgramOptions = {}): Command {
  const program = new Command('nslab')
    .description('Virtual networks of Linux network namespaces, wired with veth cables.')
    .version(version())
    .option('--debug', 'show stack traces and causes on errors')
    .option('--rootless', 'work in your own world of namespaces even as root, as nslab without root always does (docs/rootless.md)')
    .showHelpAfterError('(run nslab help for usage)')
    .exitOverride();
  up.register(program, options);
  for (const command of [
    down,
    wait,
    status,
    exec,
    shell,
    vtysh,
    ping,
    why,
    link,
    routes,
    run,
    validate,
    convert,
    ls,
    clean,
    world,
    schema,
    graph,
    ui,
    capture,
    hosts,
    part,
  ])
    command.register(program);
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
  const program = buildProgram(options);
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
