/**
 * nslab world status | stop | shell | run: the user's world, the user + mount + network namespace in which
 * nslab without root works (docs/rootless.md). These run outside the world (bin/nslab does not enter it
 * for them), on the world of whoever runs them, root's own included.
 */
import type { Command } from 'commander';
import { inWorld, startWorldCommand, stopWorld, worldCommand, worldStatus, type WorldStatus } from '../../api/world.js';
import { onPath } from '../attach.js';
import { print } from '../context.js';
import { UsageError } from '../output.js';
import { sayWorld, waitAttached } from '../rootless.js';

export function register(program: Command): void {
  const world = program.command('world').description('your own world of namespaces, where nslab works without root: status, stop, shell, run');
  world
    .command('status')
    .description('your world: its holder process, the labs in it, the memory its processes take')
    .option('--json', 'print as JSON')
    .action((o: { json?: boolean }) => {
      const s = worldStatus();
      print(o.json === true, s, () => statusText(s));
    });
  world
    .command('stop')
    .description('take every lab in your world down, end everything in it and the world itself: a clean slate')
    .option('--json', 'print as JSON')
    .action(async (o: { json?: boolean }) => {
      const r = await stopWorld();
      print(o.json === true, r, () => {
        if (r.found === 'none') return `no nslab world to stop (${r.dir})`;
        const labs =
          r.labs.length === 0 ? 'no labs were up' : `${r.found === 'running' ? 'labs taken down' : 'labs that had gone with it'}: ${r.labs.join(', ')}`;
        return `${r.found === 'running' ? 'world stopped' : 'the world had ended already; what was left of it is cleared'}: ${labs}; ${r.ended.length} process${
          r.ended.length === 1 ? '' : 'es'
        } ended (the holder included); ${r.dir} removed`;
      });
    });
  world
    .command('shell')
    .description('a shell inside your world, where `ip netns list` and `ip netns exec red bash` work as in the tutorial')
    .action(async () => {
      if (inWorld()) throw new UsageError('this shell is inside your nslab world already');
      const shell = onPath('bash') ? ['bash', '--norc', '--noprofile', '-i'] : ['sh', '-i'];
      const command = await worldCommand(shell);
      sayWorld(command);
      command.env.PS1 = '[nslab world] \\w \\$ ';
      process.stderr.write(`nslab: shell in your world (holder ${command.record.pid}); exit to leave\n`);
      process.exitCode = await waitAttached(await startWorldCommand(command));
    });
  world
    .command('run')
    .description('run a command inside your world (a test runner that uses the nslab library, say); exits with its exit code')
    .argument('<command...>', 'the command and its arguments (put -- before it)')
    .action(async (argv: string[]) => {
      const command = inWorld() ? { argv, env: process.env } : await worldCommand(argv);
      if ('made' in command) sayWorld(command);
      process.exitCode = await waitAttached(await startWorldCommand(command));
    });
}

function statusText(s: WorldStatus): string {
  if (s.state === 'none') return `no nslab world: the first nslab command without root makes it (recorded in ${s.dir})`;
  const labs = s.labs.map((l) => `  ${l.name.padEnd(24)} ${String(l.nodes).padStart(5)} nodes  ${l.source ?? ''}`.trimEnd());
  if (s.state === 'ended')
    return [
      `your nslab world has ended: its holder (pid ${s.holder?.pid ?? '?'}) is gone, and its namespaces with it; the next nslab command makes a new one`,
      ...(labs.length > 0 ? ['labs that were in it, gone:', ...labs] : []),
    ].join('\n');
  return [
    `world ${s.id ?? ''}: holder pid ${s.holder?.pid ?? '?'}, made ${s.createdAt ?? '?'}, recorded in ${s.dir}`,
    `${s.processes.length} process${s.processes.length === 1 ? '' : 'es'} inside, ${(s.memoryKiB / 1024).toFixed(1)} MiB resident`,
    labs.length === 0 ? 'no labs are up' : `${labs.length} lab${labs.length === 1 ? '' : 's'} up:`,
    ...labs,
  ].join('\n');
}
