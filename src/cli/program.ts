/**
 * The nslab command. Parses arguments, checks privilege, prints for people or --json, and is the only
 * place that exits. Exit codes: 0 success, 1 failure, 2 bad usage or invalid topology.
 */
import { accessSync, constants } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Command, CommanderError } from 'commander';
import type * as ApiModule from '../api/index.js';
import { runIn } from '../api/exec.js';
import type { Lab } from '../api/index.js';
import { clean, down, listLabs, readState, setLink, Spares, status, why, type LinkChange, type ProgressEvent } from '../engine/index.js';
import { NslabError } from '../errors.js';
import { explain } from '../plan/index.js';
import { DEFAULT_LAB_NAME, DEFAULT_LAB_TEXT } from '../topology/default-lab.js';
import { parseRate as parseTopologyRate } from '../topology/units.js';
import type * as TopologyModule from '../topology/index.js';
import type { ParseOptions } from '../topology/index.js';
import type { ResolvedLab } from '../topology/types.js';
import { EXIT_OK, EXIT_USAGE, exitCodeFor, formatError, formatPlan, formatStatus, statusJson, UsageError } from './output.js';

export { runAsCommand } from './command.js';
export { headStart } from './early.js';

const DEFAULT_SOURCE = '<built-in two-computers lab>';

// The topology parser (yaml, zod) and the library surface load only for the commands that read a
// topology: nslab down, status, exec... start in two thirds of the time without them.
const api = (): Promise<typeof ApiModule> => import('../api/index.js');
const topology = (): Promise<typeof TopologyModule> => import('../topology/index.js');

function requireRoot(what: string): void {
  if (process.getuid?.() !== 0) {
    throw new NslabError('NSLAB_PERMISSION', `nslab ${what} needs root (it makes and enters network namespaces): run it with sudo`);
  }
}

function print(json: boolean, value: unknown, human: () => string): void {
  process.stdout.write(json ? `${JSON.stringify(value, null, 2)}\n` : `${human()}\n`);
}

async function loadLab(file: string | undefined, options: Pick<ParseOptions, 'onRead'> = {}): Promise<Lab> {
  const { Lab } = await api();
  if (file === undefined) return Lab.parse(DEFAULT_LAB_TEXT, DEFAULT_SOURCE);
  return Lab.fromFile(file, options);
}

/** The lab a command means: --lab, a file's lab, the lab holding NODE, or the only lab that is up. */
async function labName(options: { lab?: string }, file?: string, node?: string): Promise<string> {
  if (options.lab !== undefined) return options.lab;
  if (file !== undefined) return (await loadLab(file)).name;
  const labs = listLabs();
  if (node !== undefined) {
    const holding = labs.filter((l) => readState(l.name)?.applied?.nodes.some((n) => n.name === node) === true);
    if (holding.length === 1 && holding[0] !== undefined) return holding[0].name;
    if (holding.length > 1) throw new UsageError(`node ${node} is in several labs (${holding.map((l) => l.name).join(', ')}): say which with --lab NAME`);
    throw new NslabError('NSLAB_NOT_FOUND', `no lab that is up has a node named ${node}; \`nslab ls\` lists the labs, \`nslab status\` their nodes`);
  }
  if (labs.length === 1 && labs[0] !== undefined) return labs[0].name;
  if (labs.length > 1) throw new UsageError(`several labs are up (${labs.map((l) => l.name).join(', ')}): say which with --lab NAME or a FILE`);
  return DEFAULT_LAB_NAME;
}

/** The applied topology of a lab and one of its nodes. */
function nodeOf(lab: string, node: string): { resolved: ResolvedLab; netns: string } {
  const resolved = readState(lab)?.applied;
  if (resolved === undefined) throw new NslabError('NSLAB_NOT_FOUND', `lab ${lab} is not up; bring it up with \`nslab up\``);
  const n = resolved.nodes.find((x) => x.name === node);
  if (n === undefined) throw new NslabError('NSLAB_NOT_FOUND', `lab ${lab} has no node ${node}; its nodes are ${resolved.nodes.map((x) => x.name).join(', ')}`);
  return { resolved, netns: n.netns };
}

/**
 * Runs argv inside a namespace with the terminal attached and resolves with its status as a shell reports
 * it (128 + the signal's number when a signal ended it). While it runs, the terminal's Ctrl-C and Ctrl-\
 * are the command's: nslab waits for it, as a shell does, instead of dying first.
 */
async function attached(netns: string, argv: string[], where: string, env?: NodeJS.ProcessEnv): Promise<number> {
  const keep = (): void => undefined;
  process.on('SIGINT', keep).on('SIGQUIT', keep);
  try {
    return (await runIn(netns, argv, { stdio: 'inherit', ...(env !== undefined ? { env } : {}) }, where)).exitCode;
  } finally {
    process.off('SIGINT', keep).off('SIGQUIT', keep);
  }
}

/** True when an executable named `name` is on PATH. */
function onPath(name: string): boolean {
  return (process.env.PATH ?? '').split(':').some((dir) => {
    try {
      accessSync(join(dir === '' ? '.' : dir, name), constants.X_OK);
      return true;
    } catch {
      return false;
    }
  });
}

function progressPrinter(verb: string, explainSteps: boolean): ((e: ProgressEvent) => void) | undefined {
  if (explainSteps)
    return (e) =>
      process.stdout.write(
        `${explain(e.op)
          .split('\n')
          .map((l) => `$ ${l}`)
          .join('\n')}\n`,
      );
  if (!process.stderr.isTTY) return undefined;
  let last = 0;
  return (e) => {
    if (e.total < 100) return;
    const now = Date.now();
    if (now - last < 100 && e.done < e.total) return;
    last = now;
    process.stderr.write(`\r${verb}: ${e.done}/${e.total} operations`);
    if (e.done === e.total) process.stderr.write('\n');
  };
}

/** `up`, `down`, `mtu 1400`, `rate 10mbit`, `rate none`, in any combination. */
export function parseLinkChange(words: readonly string[]): LinkChange {
  const change: LinkChange = {};
  for (let i = 0; i < words.length; i++) {
    const w = words[i];
    if (w === 'up' || w === 'down') change.up = w === 'up';
    else if (w === 'mtu' && /^\d+$/.test(words[i + 1] ?? '')) change.mtu = Number(words[++i]);
    else if (w === 'rate' && words[i + 1] === 'none') {
      change.rate = null;
      i++;
    } else if (w === 'rate' && words[i + 1] !== undefined) change.rate = parseRate(words[++i] as string);
    else throw new UsageError(`link set: "${w ?? ''}" is not one of up, down, mtu N, rate RATE, rate none`);
  }
  if (Object.keys(change).length === 0) throw new UsageError('link set: say what to change: up, down, mtu N, rate RATE');
  return change;
}

/** A rate as the topology file writes it (`10mbit`), through the topology's own parser and its messages. */
export function parseRate(text: string): number {
  const r = parseTopologyRate(text);
  if (!r.ok) throw new UsageError(`link set: ${r.problem.message}; ${r.problem.hint}`);
  return r.value;
}

/** What the executable hands the program: the head start of `up FILE` (early.ts), if it took one. */
export interface ProgramOptions {
  early?: Spares;
}

export function buildProgram(options: ProgramOptions = {}): Command {
  const program = new Command('nslab')
    .description('Virtual networks of Linux network namespaces, wired with veth cables.')
    .version('0.1.0')
    .option('--debug', 'show stack traces and causes on errors')
    .showHelpAfterError('(run nslab help for usage)')
    .exitOverride();

  program
    .command('up')
    .description('bring a lab up (with no FILE: the built-in two-computers tutorial, proven by a ping); on a running lab, apply only the difference')
    .argument('[file]', 'topology file (YAML or JSON)')
    .option('--dry-run', 'show the plan; change nothing')
    .option('--explain', 'print each step as the ip command it equals')
    .option('--json', 'print the result as JSON')
    .option('--no-proof', 'with no FILE: skip the ping proof')
    .option('--allow-missing-features', 'apply what this kernel can and say what it skipped, instead of refusing the lab')
    .action(async (file: string | undefined, o: { dryRun?: boolean; explain?: boolean; json?: boolean; proof: boolean; allowMissingFeatures?: boolean }) => {
      requireRoot('up');
      // The lab's namespaces start being made before its file is parsed (engine/spares.ts): from the
      // executable's glance at it (early.ts), made up to the count once the file is read, or else from
      // then on. Up names them, and frees those it does not use.
      let spares = o.dryRun === true ? undefined : options.early;
      const onRead = (read: { name: unknown; nodes: number }): void => {
        if (spares !== undefined && spares.lab === read.name) return spares.want(read.nodes);
        const glanced = spares;
        spares = Spares.start(read.name, read.nodes);
        void glanced?.close();
      };
      let lab: Lab;
      try {
        lab = await loadLab(file, o.dryRun === true ? {} : { onRead });
      } catch (e) {
        await spares?.close();
        throw e;
      }
      const started = performance.now();
      const onProgress = progressPrinter('up', o.explain === true && o.json !== true);
      const result = await lab.up({
        ...(o.dryRun === true ? { dryRun: true } : {}),
        ...(onProgress !== undefined ? { onProgress } : {}),
        ...(o.allowMissingFeatures === true ? { allowMissingFeatures: true } : {}),
        ...(spares !== undefined ? { spares } : {}),
      });
      for (const line of result.skipped) process.stderr.write(`nslab: skipped ${line}\n`);
      const ms = Math.round(performance.now() - started);
      const json = o.json === true;
      if (o.dryRun === true) {
        print(json, result.plan, () => formatPlan(result.plan, o.explain === true));
        return;
      }
      const r = lab.resolved;
      const summary = !result.changed
        ? `lab ${r.name} is up and matches ${lab.source ?? 'its definition'}: nothing to change`
        : `lab ${r.name} ${result.existed ? 'updated' : 'up'}: ${r.nodes.length} nodes, ${r.links.length} link${r.links.length === 1 ? '' : 's'}, ${result.plan.ops.length} operations in ${ms} ms`;
      if (file === undefined && o.proof && r.nodes.length >= 2) {
        const [from, to] = r.nodes;
        if (from === undefined || to === undefined) return;
        const target = lab.resolveTarget(to.name);
        if (json) {
          const reached = await lab.node(from.name).reach(to.name);
          print(
            true,
            { lab: r.name, changed: result.changed, operations: result.plan.ops.length, ms, proof: { from: from.name, to: to.name, address: target, reached } },
            () => '',
          );
          if (!reached) process.exitCode = 1;
          return;
        }
        process.stdout.write(`${summary}\nproof: ${from.name} pings ${to.name} (${target})\n`);
        const code = await attached(from.netns, ['ping', '-n', '-c', '3', '-i', '0.1', '-W', '1', target], `node ${from.name}`);
        process.stdout.write(code === 0 ? `\n${from.name} reaches ${to.name}. Try: nslab shell ${from.name}  |  nslab status  |  nslab down\n` : '');
        if (code !== 0)
          throw new NslabError(
            'NSLAB_EXEC',
            `the lab is up but ${from.name} does not reach ${to.name} (${target}); \`nslab status\` shows what the kernel has`,
          );
        return;
      }
      print(json, { lab: r.name, changed: result.changed, operations: result.plan.ops.length, ms, skipped: result.skipped, plan: result.plan }, () => summary);
    });

  program
    .command('down')
    .description('remove a lab: its namespaces, links, processes and state; nothing else')
    .argument('[file]', 'topology file of the lab')
    .option('--lab <name>', 'the lab, by name (works with the file gone)')
    .option('--explain', 'print each step as the ip command it equals')
    .option('--json', 'print the result as JSON')
    .action(async (file: string | undefined, o: { lab?: string; explain?: boolean; json?: boolean }) => {
      requireRoot('down');
      const name = await labName(o, file);
      const started = performance.now();
      const onProgress = progressPrinter('down', o.explain === true && o.json !== true);
      const result = await down(name, onProgress !== undefined ? { onProgress } : {});
      const ms = Math.round(performance.now() - started);
      print(o.json === true, { lab: name, found: result.found, operations: result.plan.ops.length, ms }, () =>
        result.found ? `lab ${name} down: ${result.plan.ops.length} operations in ${ms} ms` : `no lab named ${name} was up; nothing to do`,
      );
    });

  program
    .command('status')
    .description('what the kernel says of a lab: nodes, interfaces, addresses, link state, routes')
    .argument('[file]', 'topology file of the lab')
    .option('--lab <name>', 'the lab, by name')
    .option('--json', 'print as JSON')
    .action(async (file: string | undefined, o: { lab?: string; json?: boolean }) => {
      requireRoot('status');
      const s = await status(await labName(o, file));
      print(o.json === true, statusJson(s), () => formatStatus(s));
    });

  program
    .command('exec')
    .description('run a command inside a node; exits with its exit code')
    .argument('<node>', 'node name')
    .argument('<command...>', 'the command and its arguments (put -- before it)')
    .option('--lab <name>', 'the lab, when several are up')
    .action(async (node: string, command: string[], o: { lab?: string }) => {
      requireRoot('exec');
      const { netns } = nodeOf(await labName(o, undefined, node), node);
      process.exitCode = await attached(netns, command, `node ${node}`);
    });

  program
    .command('shell')
    .description('an interactive shell inside a node, its prompt showing the node')
    .argument('<node>', 'node name')
    .option('--lab <name>', 'the lab, when several are up')
    .action(async (node: string, o: { lab?: string }) => {
      requireRoot('shell');
      const lab = await labName(o, undefined, node);
      const { netns } = nodeOf(lab, node);
      const env = { ...process.env, PS1: `[${node}] \\w \\$ `, NSLAB_LAB: lab, NSLAB_NODE: node };
      process.stderr.write(`nslab: shell on node ${node} of lab ${lab} (netns ${netns}); exit to leave\n`);
      // bash without the user's startup files (which would set their own prompt), else the POSIX sh.
      const shell = onPath('bash') ? ['bash', '--norc', '--noprofile', '-i'] : ['sh', '-i'];
      process.exitCode = await attached(netns, shell, `node ${node}`, env);
    });

  program
    .command('ping')
    .description('ping from a node to another node (its first address) or an address')
    .argument('<node>', 'node to ping from')
    .argument('<target>', 'node name or address')
    .option('--lab <name>', 'the lab, when several are up')
    .option('-c, --count <n>', 'echo requests to send', '3')
    .action(async (node: string, target: string, o: { lab?: string; count: string }) => {
      requireRoot('ping');
      const name = await labName(o, undefined, node);
      const { resolved, netns } = nodeOf(name, node);
      const address = new (await api()).Lab(resolved).resolveTarget(target);
      if (!/^\d+$/.test(o.count)) throw new UsageError(`--count takes a whole number, not "${o.count}"`);
      process.exitCode = await attached(netns, ['ping', '-n', '-c', o.count, '-i', '0.2', '-W', '1', address], `node ${node}`);
    });

  program
    .command('why')
    .description('explain the path a packet from NODE to TARGET takes, hop by hop and back, and where and why it stops')
    .argument('<node>', 'node the packet leaves from')
    .argument('<target>', 'node name or address')
    .option('--lab <name>', 'the lab, when several are up')
    .option('--json', 'print as JSON')
    .action(async (node: string, target: string, o: { lab?: string; json?: boolean }) => {
      requireRoot('why');
      const { resolved } = nodeOf(await labName(o, undefined, node), node);
      const r = await why(resolved, node, target);
      print(o.json === true, r, () => {
        const lines = [...r.there.hops.map((h) => `  ${h.text}`)];
        if (r.back !== undefined) lines.push('  and back:', ...r.back.hops.map((h) => `  ${h.text}`));
        return [...lines, r.verdict].join('\n');
      });
      if (!r.reaches) process.exitCode = 1;
    });

  const link = program.command('link').description('change a link of a running lab, without a re-up');
  link
    .command('set')
    .description('NODE:IFNAME up | down | mtu N | rate RATE (10mbit, 1gbit...) | rate none; the next nslab up restores the file')
    .argument('<endpoint>', 'NODE:IFNAME')
    .argument('<changes...>', 'up, down, mtu N, rate RATE')
    .option('--lab <name>', 'the lab, when several are up')
    .action(async (endpoint: string, words: string[], o: { lab?: string }) => {
      requireRoot('link set');
      const [node, ifname, extra] = endpoint.split(':');
      if (node === undefined || node === '' || ifname === undefined || ifname === '' || extra !== undefined)
        throw new UsageError(`"${endpoint}" is not NODE:IFNAME (for example red:rveth)`);
      const change = parseLinkChange(words);
      await setLink(await labName(o, undefined, node), node, ifname, change);
      process.stdout.write(`${endpoint}: ${words.join(' ')}\n`);
    });

  program
    .command('routes')
    .description("a node's routes: written in the file, or computed (with why), and what the kernel has")
    .argument('<node>', 'node name')
    .option('--lab <name>', 'the lab, when several are up')
    .option('--json', 'print as JSON')
    .action(async (node: string, o: { lab?: string; json?: boolean }) => {
      requireRoot('routes');
      const name = await labName(o, undefined, node);
      const { resolved } = nodeOf(name, node);
      const n = resolved.nodes.find((x) => x.name === node);
      const routes = (n?.routes ?? []).map((r) => ({
        to: r.to === 'default' ? (r.family === 6 ? '::/0' : 'default') : `${r.to.address}/${r.to.prefixLength}`,
        ...(r.via !== undefined ? { via: r.via } : {}),
        ...(r.dev !== undefined ? { dev: r.dev } : {}),
        ...(r.metric !== undefined ? { metric: r.metric } : {}),
        source: r.computed === true ? 'computed' : 'file',
        ...(r.reason !== undefined ? { reason: r.reason } : {}),
      }));
      const s = await status(name);
      const kernel = Object.values(s.observed.namespaces).find((x) => x.node === node)?.routes.length ?? 0;
      print(o.json === true, { lab: name, node, routes, installed: kernel }, () =>
        [
          `routes of ${node} (lab ${name}; ${kernel} of them installed by nslab in the kernel now):`,
          ...routes.map(
            (r) =>
              `  ${r.to}${r.via !== undefined ? ` via ${r.via}` : ''}${r.dev !== undefined ? ` dev ${r.dev}` : ''}  [${r.source}${r.reason !== undefined ? `: ${r.reason}` : ''}]`,
          ),
          ...(routes.length === 0 ? ['  none'] : []),
          ...(resolved.notes ?? []).map((x) => `note: ${x}`),
        ].join('\n'),
      );
    });

  program
    .command('validate')
    .description('check a topology file and report every problem with its line')
    .argument('<file>', 'topology file (YAML or JSON)')
    .option('--json', 'print as JSON')
    .action(async (file: string, o: { json?: boolean }) => {
      let text: string;
      try {
        text = await readFile(file, 'utf8');
      } catch (cause) {
        throw new UsageError(`cannot read ${file}: ${(cause as Error).message}`);
      }
      const r = (await topology()).parseTopology(text, { file });
      print(
        o.json === true,
        { valid: true, lab: r.name, nodes: r.nodes.length, links: r.links.length },
        () => `${file} is valid: lab ${r.name}, ${r.nodes.length} nodes, ${r.links.length} links`,
      );
    });

  program
    .command('ls')
    .description('list the labs that are up')
    .option('--json', 'print as JSON')
    .action((o: { json?: boolean }) => {
      const labs = listLabs();
      print(o.json === true, labs, () =>
        labs.length === 0 ? 'no labs are up' : labs.map((l) => `${l.name.padEnd(24)} ${String(l.nodes).padStart(5)} nodes  ${l.source ?? ''}`).join('\n'),
      );
    });

  program
    .command('clean')
    .description('remove labs by their kernel marks (after a crash, or with the state lost); touches nothing unmarked')
    .option('--lab <name...>', 'only these labs')
    .option('--json', 'print as JSON')
    .action(async (o: { lab?: string[]; json?: boolean }) => {
      requireRoot('clean');
      const results = await clean(o.lab !== undefined ? { labs: o.lab } : {});
      print(
        o.json === true,
        results.map((r) => ({ lab: r.lab, operations: r.plan.ops.length })),
        () => (results.length === 0 ? 'nothing of nslab was found' : results.map((r) => `removed lab ${r.lab} (${r.plan.ops.length} operations)`).join('\n')),
      );
    });

  program
    .command('schema')
    .description('print the JSON Schema of the topology file (for editors)')
    .action(async () => {
      process.stdout.write(`${JSON.stringify((await topology()).topologyJsonSchema(), null, 2)}\n`);
    });

  return program;
}

export async function main(argv: string[], options: ProgramOptions = {}): Promise<number> {
  const program = buildProgram(options);
  const debug = argv.includes('--debug');
  try {
    await program.parseAsync(argv, { from: 'user' });
    return typeof process.exitCode === 'number' ? process.exitCode : EXIT_OK;
  } catch (error) {
    if (error instanceof CommanderError) {
      if (error.code === 'commander.helpDisplayed' || error.code === 'commander.version' || error.code === 'commander.help') return EXIT_OK;
      return EXIT_USAGE; // commander has printed the message
    }
    process.stderr.write(`${formatError(error, debug)}\n`);
    return exitCodeFor(error);
  } finally {
    // A head start that up did not use (a dry run, a usage error) is freed here; what up used, it freed.
    await options.early?.close();
  }
}
