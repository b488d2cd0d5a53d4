/** nslab up [FILE]: bring a lab up, or apply only the difference to a running one. */
import type { Command } from 'commander';
import type { Lab, UpOptions } from '../../api/index.js';
import { formatTopologyIssue, NslabError } from '../../errors.js';
import { attached } from '../attach.js';
import { print, requireRoot } from '../context.js';
import { formatPlan, UsageError } from '../output.js';
import { planScript, progressPrinter } from '../progress.js';
import type { ProgramOptions } from '../program.js';
import { waitFor, waitOptions } from './wait.js';

/** The source the built-in lab is recorded with (`nslab why` then says `nslab up` to bring it back). */
export const DEFAULT_SOURCE = '<built-in two-computers lab>';

interface UpFlags {
  /** `--wait` alone: true; `--wait 60`: the seconds. */
  wait?: boolean | string;
  dryRun?: boolean;
  explain?: boolean;
  json?: boolean;
  proof: boolean;
  allowMissingFeatures?: boolean;
}

export function register(program: Command, options: ProgramOptions): void {
  program
    .command('up')
    .description('bring a lab up (with no FILE: the built-in two-computers tutorial, proven by a ping); on a running lab, apply only the difference')
    .argument('[file]', 'topology file (YAML or JSON)')
    .option('--dry-run', 'show the plan; change nothing')
    .option('--explain', 'print each step as the ip command it equals')
    .option('--json', 'print the result as JSON')
    .option('--no-proof', 'with no FILE: skip the ping proof')
    .option('--allow-missing-features', 'apply what this kernel can and say what it skipped, instead of refusing the lab')
    .option('--wait [seconds]', "then wait until the lab's routing converged (as nslab wait), at most this long (default 120)")
    .action((file: string | undefined, o: UpFlags) => up(file, o, options));
}

async function up(file: string | undefined, o: UpFlags, options: ProgramOptions): Promise<void> {
  requireRoot('up');
  const wait =
    o.wait === undefined || o.wait === false || o.dryRun === true ? undefined : waitOptions({ timeout: o.wait === true ? '120' : o.wait, reach: [] });
  const api = await import('../../api/index.js');
  // The lab's namespaces start being made before its file is parsed (engine/spares.ts): from the
  // executable's glance at it (early.ts), made up to the count once the file is read, or else from then on.
  // Up names them, and frees those it does not use.
  const { Spares } = await import('../../api/early.js');
  let spares = o.dryRun === true ? undefined : options.early;
  const onRead = (read: { name: unknown; nodes: number }): void => {
    if (spares !== undefined && spares.lab === read.name) return spares.want(read.nodes);
    const glanced = spares;
    spares = Spares.start(read.name, read.nodes);
    void glanced?.close();
  };
  let lab: Lab;
  try {
    lab = file === undefined ? api.Lab.parse(api.DEFAULT_LAB_TEXT, DEFAULT_SOURCE) : await api.Lab.fromFile(file, o.dryRun === true ? {} : { onRead });
  } catch (e) {
    await spares?.close();
    throw e;
  }
  for (const w of lab.resolved.warnings ?? []) process.stderr.write(`nslab: warning: ${formatTopologyIssue(w, lab.source)}\n`);
  if (lab.resolved.hosts !== undefined) {
    // A lab over several machines: nothing is made here; the namespaces made ahead are not needed.
    await spares?.close();
    return upOverHosts(lab, file as string, o);
  }
  const started = performance.now();
  const explainSteps = o.explain === true && o.json !== true;
  const onProgress = progressPrinter('up', explainSteps, `nslab up ${file ?? ''}`.trimEnd());
  const upOptions: UpOptions = {
    ...(o.dryRun === true ? { dryRun: true } : {}),
    ...(onProgress !== undefined ? { onProgress } : {}),
    ...(o.allowMissingFeatures === true ? { allowMissingFeatures: true } : {}),
  };
  const result = await api.upWithSpares(lab, upOptions, spares);
  for (const line of result.skipped) process.stderr.write(`nslab: skipped ${line}\n`);
  const ms = Math.round(performance.now() - started);
  const json = o.json === true;
  if (o.dryRun === true) {
    print(json, result.plan, () =>
      o.explain === true
        ? planScript(result.plan, ['nslab up', ...(file !== undefined ? [file] : []), '--dry-run'].join(' ')).trimEnd()
        : formatPlan(result.plan),
    );
    return;
  }
  const r = lab.resolved;
  const upSummary = !result.changed
    ? `lab ${r.name} is up and matches ${lab.source ?? 'its definition'}: nothing to change`
    : `lab ${r.name} ${result.existed ? 'updated' : 'up'}: ${r.nodes.length} nodes, ${r.links.length} link${r.links.length === 1 ? '' : 's'}, ${result.plan.ops.length} operations in ${ms} ms`;
  // Routing converges after the daemons start: the proof, and whoever runs nslab next, may wait for it.
  const waited = wait !== undefined ? await waitFor(lab, wait) : undefined;
  const summary = waited !== undefined ? `${upSummary}\n${waited.text}` : upSummary;
  const [from, to] = r.nodes;
  // With --explain, stdout is a script: what is not a command is a comment.
  const said = (text: string): string => (explainSteps ? text.replace(/^/gm, '# ') : text);
  if (file !== undefined || !o.proof || from === undefined || to === undefined) {
    print(
      json,
      {
        lab: r.name,
        changed: result.changed,
        operations: result.plan.ops.length,
        ms,
        skipped: result.skipped,
        plan: result.plan,
        ...(waited !== undefined ? { wait: waited.json } : {}),
      },
      () => said(summary),
    );
    return;
  }
  // The tutorial's proof: the first computer pings the second.
  const target = lab.resolveTarget(to.name);
  if (json || explainSteps) {
    const reached = await lab.node(from.name).reach(to.name);
    if (explainSteps) {
      process.stdout.write(`${said(`${summary}\nproof: ${from.name} ${reached ? 'reaches' : 'does not reach'} ${to.name} (${target})`)}\n`);
      if (!reached) process.exitCode = 1;
      return;
    }
    print(
      true,
      {
        lab: r.name,
        changed: result.changed,
        operations: result.plan.ops.length,
        ms,
        ...(waited !== undefined ? { wait: waited.json } : {}),
        proof: { from: from.name, to: to.name, address: target, reached },
      },
      () => '',
    );
    if (!reached) process.exitCode = 1;
    return;
  }
  process.stdout.write(`${summary}\nproof: ${from.name} pings ${to.name} (${target})\n`);
  const code = await attached({ lab: r.name, node: from.name, netns: from.netns }, ['ping', '-n', '-c', '3', '-i', '0.1', '-W', '1', target]);
  if (code !== 0)
    throw new NslabError('NSLAB_EXEC', `the lab is up but ${from.name} does not reach ${to.name} (${target}); \`nslab status\` shows what the kernel has`);
  process.stdout.write(`\n${from.name} reaches ${to.name}. Try: nslab shell ${from.name}  |  nslab status  |  nslab down\n`);
}

/** `nslab up FILE` of a lab over several machines: every host's part at once, through the controller. */
async function upOverHosts(lab: Lab, file: string, o: UpFlags): Promise<void> {
  if (o.explain === true) throw new UsageError("--explain shows one machine's steps: run `nslab up --explain` of a part on its host, or leave it out");
  const api = await import('../../api/index.js');
  const started = performance.now();
  const json = o.json === true;
  if (o.dryRun === true) {
    const checks = await api.checkHosts(lab.resolved);
    const bad = checks.filter((c) => !c.ok);
    if (bad.length > 0) throw new NslabError('NSLAB_HOST', bad.flatMap((c) => c.problems).join('\n'));
    const facts = new Map(checks.map((c) => [c.name, c.facts as NonNullable<typeof c.facts>]));
    const { cables, problems } = api.planCables(lab.resolved, facts);
    if (problems.length > 0) throw new NslabError('NSLAB_VNI', problems.join('\n'));
    const hosts = (lab.resolved.hosts ?? []).map((h) => ({ name: h.name, nodes: lab.resolved.nodes.filter((n) => n.host === h.name).map((n) => n.name) }));
    print(json, { lab: lab.name, hosts, cables: cables.map((c) => ({ id: c.link.id, hosts: [c.hostA, c.hostB], vni: c.vni, mtu: c.mtu })) }, () =>
      [
        ...hosts.map((h) => `host ${h.name}: ${h.nodes.join(', ') || 'no nodes'}`),
        ...cables.map((c) => `vxlan ${c.link.id}: ${c.hostA} <-> ${c.hostB}, VNI ${c.vni}, MTU ${c.mtu}`),
      ].join('\n'),
    );
    return;
  }
  const onHost = process.stderr.isTTY && !json ? (host: string, what: string): void => void process.stderr.write(`nslab: host ${host}: ${what}\n`) : undefined;
  const result = await api.upOverHosts(lab.resolved, { source: file, ...(onHost !== undefined ? { onHost } : {}) });
  const ms = Math.round(performance.now() - started);
  const r = lab.resolved;
  const summary = !result.changed
    ? `lab ${r.name} is up over ${result.hosts.length} hosts and matches ${file}: nothing to change`
    : `lab ${r.name} ${result.existed ? 'updated' : 'up'} over ${result.hosts.length} hosts (${result.hosts.map((h) => `${h.name}: ${r.nodes.filter((n) => n.host === h.name).length} nodes`).join(', ')}): ${r.nodes.length} nodes, ${r.links.length} link${r.links.length === 1 ? '' : 's'}, ${result.operations} operations in ${ms} ms`;
  print(json, { lab: r.name, changed: result.changed, operations: result.operations, ms, hosts: result.hosts }, () => summary);
}
