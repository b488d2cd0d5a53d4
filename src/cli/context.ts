/**
 * What every command shares: the privilege check, printing for people or as JSON, and the one place that
 * decides which lab, node and interface a command means. A lab that is not up is NSLAB_NOT_FOUND (exit
 * 1); a node or interface a lab that is up does not have is a mistake on the command line (exit 2, still
 * NSLAB_NOT_FOUND), named with what there is; so is a command line that could mean several labs.
 */
import { isIP } from 'node:net';
import { NslabError } from '../errors.js';
import { appliedLab, DEFAULT_LAB_NAME, labsHolding, listLabs, nameList } from '../api/running.js';
import type { ResolvedLab, ResolvedNode } from '../api/index.js';
import { UnknownNameError, UsageError } from './output.js';

export function requireRoot(what: string): void {
  if (process.getuid?.() !== 0) {
    throw new NslabError(
      'NSLAB_PERMISSION',
      `nslab ${what} needs root (it makes and enters network namespaces): run it with sudo, or as yourself through bin/nslab, which works in a world of namespaces of your own (docs/rootless.md)`,
    );
  }
}

/** Prints `value` as JSON, or the human text. */
export function print(json: boolean, value: unknown, human: () => string): void {
  process.stdout.write(json ? `${JSON.stringify(value, null, 2)}\n` : `${human()}\n`);
}

/**
 * The lab a command means: --lab, a file's lab, the lab holding NODE, or the only lab that is up; with
 * none of those, the tutorial's. `fileLab` reads a file's lab name (the parser loads only then).
 */
export async function labName(options: { lab?: string }, file?: string, node?: string, fileLab?: (file: string) => Promise<string>): Promise<string> {
  const named = options.lab ?? (file !== undefined && fileLab !== undefined ? await fileLab(file) : undefined);
  if (named !== undefined) {
    // A lab said by name, and a node: a lab that is up must have it (one that is not up fails later, with 1).
    const lab = node !== undefined ? applied(named) : undefined;
    if (lab !== undefined && node !== undefined) nodeIn(lab, node);
    return named;
  }
  if (node !== undefined) {
    const holding = labsHolding(node);
    if (holding.length === 1 && holding[0] !== undefined) return holding[0];
    if (holding.length > 1) throw new UsageError(`node ${node} is in several labs (${nameList(holding)}): say which with --lab NAME`);
    if (listLabs().length === 0) throw new NslabError('NSLAB_NOT_FOUND', 'no lab is up; bring one up with `nslab up [FILE]`');
    const up = listLabs();
    const only = up.length === 1 ? applied((up[0] as { name: string }).name) : undefined;
    throw new UnknownNameError(
      only !== undefined
        ? `lab ${only.name} has no node ${node}; its nodes are ${nameList(only.nodes.map((x) => x.name))}`
        : `no lab that is up has a node named ${node}; the labs up are ${nameList(up.map((l) => l.name))} (\`nslab status --lab NAME\` lists a lab's nodes)`,
    );
  }
  const labs = listLabs();
  if (labs.length === 1 && labs[0] !== undefined) return labs[0].name;
  if (labs.length > 1) throw new UsageError(`several labs are up (${nameList(labs.map((l) => l.name))}): say which with --lab NAME or a FILE`);
  return DEFAULT_LAB_NAME;
}

/** The lab a topology file defines, read with the parser (loaded now). */
export async function labOfFile(file: string): Promise<string> {
  const { Lab } = await import('../api/lab.js');
  return (await Lab.fromFile(file)).name;
}

/** The topology a running lab was brought up with, or undefined when it is not up. */
function applied(name: string): ResolvedLab | undefined {
  try {
    return appliedLab(name);
  } catch (e) {
    if (e instanceof NslabError && e.code === 'NSLAB_NOT_FOUND') return undefined;
    throw e;
  }
}

const labList = (): string => {
  const labs = listLabs().map((l) => l.name);
  return labs.length === 0 ? 'no lab is up' : `the labs up are ${nameList(labs)}`;
};

/** The applied definition of a running lab, for the commands that watch one (graph, ui, capture). */
export function runningLab(name: string): ResolvedLab {
  const lab = applied(name);
  if (lab === undefined) throw new NslabError('NSLAB_NOT_FOUND', `no lab named ${name} is up; ${labList()}`);
  return lab;
}

/** The running lab of a topology file: the file's lab must be up. */
export function runningLabOf(file: string, name: string): ResolvedLab {
  const lab = applied(name);
  if (lab === undefined) throw new NslabError('NSLAB_NOT_FOUND', `lab ${name} (from ${file}) is not up; bring it up with \`nslab up ${file}\``);
  return lab;
}

/** NODE of a lab, or UnknownNameError naming its nodes. */
export function nodeIn(lab: ResolvedLab, node: string): ResolvedNode {
  const n = lab.nodes.find((x) => x.name === node);
  if (n === undefined) throw new UnknownNameError(`lab ${lab.name} has no node ${node}; its nodes are ${nameList(lab.nodes.map((x) => x.name))}`);
  return n;
}

/** A target on the command line, a node's name or an address: the name must be one of the lab's nodes. */
export function targetIn(lab: ResolvedLab, target: string): void {
  if (isIP(target) === 0) nodeIn(lab, target);
}

/** NODE:IFNAME of a lab, or UnknownNameError naming the node's interfaces. */
export function interfaceIn(lab: ResolvedLab, node: string, ifname: string): ResolvedNode {
  const n = nodeIn(lab, node);
  const all = [...n.interfaces, ...(n.bridge !== undefined ? [n.bridge] : [])];
  if (!all.includes(ifname))
    throw new UnknownNameError(`node ${node} of lab ${lab.name} has no interface ${ifname}; its interfaces are ${nameList(all) || 'none'}`);
  return n;
}
