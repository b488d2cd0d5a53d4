/**
 * Which running lab, node and interface a command means, for the commands that watch a lab (graph, ui,
 * capture). A lab, node or interface that is not there is NSLAB_NOT_FOUND (exit 1, as for exec, ping and
 * the library) naming what is; a command line that could mean several labs is a usage error (exit 2).
 */
import { appliedLab, listLabs, nameList } from '../api/running.js';
import type { ResolvedLab, ResolvedNode } from '../api/index.js';
import { NslabError } from '../errors.js';
import { UsageError } from './output.js';

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

/** The applied definition of a running lab named by --lab: unknown names are usage errors. */
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

/** The lab a command means when none is named: the only one up, or the one holding NODE. */
export function onlyLab(node?: string): ResolvedLab {
  const labs = listLabs()
    .map((l) => applied(l.name))
    .filter((a): a is ResolvedLab => a !== undefined);
  const holding = node === undefined ? labs : labs.filter((l) => l.nodes.some((n) => n.name === node));
  if (holding.length === 1 && holding[0] !== undefined) return holding[0];
  if (labs.length === 0) throw new NslabError('NSLAB_NOT_FOUND', 'no lab is up; bring one up with `nslab up [FILE]`');
  if (holding.length === 0)
    throw new NslabError(
      'NSLAB_NOT_FOUND',
      `no lab that is up has a node named ${node ?? ''}; ${labs
        .slice(0, 10)
        .map((l) => `lab ${l.name} has ${nameList(l.nodes.map((n) => n.name))}`)
        .join('; ')}${labs.length > 10 ? `; and ${labs.length - 10} more labs` : ''}`,
    );
  throw new UsageError(`several labs are up (${nameList(holding.map((l) => l.name))}): say which with --lab NAME`);
}

/** NODE of a lab, or a usage error naming its nodes. */
export function nodeIn(lab: ResolvedLab, node: string): ResolvedNode {
  const n = lab.nodes.find((x) => x.name === node);
  if (n === undefined) throw new NslabError('NSLAB_NOT_FOUND', `lab ${lab.name} has no node ${node}; its nodes are ${nameList(lab.nodes.map((x) => x.name))}`);
  return n;
}

/** NODE:IFNAME of a lab, or a usage error naming the node's interfaces. */
export function interfaceIn(lab: ResolvedLab, node: string, ifname: string): ResolvedNode {
  const n = nodeIn(lab, node);
  const all = [...n.interfaces, ...(n.bridge !== undefined ? [n.bridge] : [])];
  if (!all.includes(ifname))
    throw new NslabError('NSLAB_NOT_FOUND', `node ${node} of lab ${lab.name} has no interface ${ifname}; its interfaces are ${nameList(all) || 'none'}`);
  return n;
}
