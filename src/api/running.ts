/**
 * Questions about labs that are up, answered from their state files without loading the topology parser:
 * what `nslab exec`, `shell`, `ping` and `ls` ask before anything else, so they start fast.
 */
import { listLabs as listStates, readState, type LabSummary } from '../engine/index.js';
import { NslabError } from '../errors.js';
import type { ResolvedLab, ResolvedNode } from '../topology/types.js';

export type { LabSummary };
export { DEFAULT_LAB_NAME } from '../topology/default-lab.js';

/** The labs that are up (those with a state file), with their size and source. */
export function listLabs(): LabSummary[] {
  return listStates();
}

/** The names of the labs that are up and have a node named `node`. */
export function labsHolding(node: string): string[] {
  return listStates()
    .filter((l) => readState(l.name)?.applied?.nodes.some((n) => n.name === node) === true)
    .map((l) => l.name);
}

/** The topology a running lab was last brought up with. Throws NSLAB_NOT_FOUND when it is not up. */
export function appliedLab(lab: string): ResolvedLab {
  const resolved = readState(lab)?.applied;
  if (resolved === undefined)
    throw new NslabError('NSLAB_NOT_FOUND', `lab ${lab} is not up; bring it up with \`nslab up FILE\`, and \`nslab ls\` lists the labs that are`);
  return resolved;
}

/** A node of a running lab. Throws NSLAB_NOT_FOUND naming the lab's nodes when it has no such node. */
export function appliedNode(lab: string, node: string): ResolvedNode {
  const resolved = appliedLab(lab);
  const n = resolved.nodes.find((x) => x.name === node);
  if (n === undefined) throw new NslabError('NSLAB_NOT_FOUND', `lab ${lab} has no node ${node}; its nodes are ${nameList(resolved.nodes.map((x) => x.name))}`);
  return n;
}

/** `a, b, c`, or the first ten and how many more: a lab of 100,000 nodes must not fill the screen. */
export function nameList(names: readonly string[], shown = 10): string {
  if (names.length <= shown) return names.join(', ');
  return `${names.slice(0, shown).join(', ')} ... and ${(names.length - shown).toLocaleString('en-US')} more`;
}
