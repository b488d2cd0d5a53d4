/**
 * Questions about labs that are up, answered from their state files without loading the topology parser:
 * what `nslab exec`, `shell`, `ping` and `ls` ask before anything else, so they start fast.
 */
import { listLabs as listStates, readState, type LabSummary } from '../engine/state.js';
import { listHostsStates, readHostsState } from '../multihost/state.js';
import { NslabError } from '../errors.js';
import { listWords, LIST_SHOWN } from '../topology/bounded.js';
import type { ResolvedLab, ResolvedNode } from '../topology/types.js';
import { frrDir } from '../topology/frr-view.js';
import type { NodePlace } from './exec.js';

export type { LabSummary };
export { DEFAULT_LAB_NAME } from '../topology/default-lab.js';

/** True when the controller here has a record of the lab spread over hosts. */
export function isOverHosts(name: string): boolean {
  return readHostsState(name) !== undefined;
}

/**
 * The labs that are up (those with a state file), with their size and source; and those spread over hosts
 * from here (`hosts`: how many), each once (a machine that is both a host and the controller has both).
 */
export function listLabs(): (LabSummary & { hosts?: number })[] {
  const over = listHostsStates().map((name) => {
    const s = readHostsState(name);
    return {
      name,
      nodes: s?.applied?.nodes.length ?? 0,
      hosts: Object.keys(s?.hosts ?? {}).length,
      ...(s?.source !== undefined ? { source: s.source } : {}),
      ...(s?.createdAt !== undefined ? { createdAt: s.createdAt } : {}),
    };
  });
  const names = new Set(over.map((l) => l.name));
  return [...listStates().filter((l) => !names.has(l.name)), ...over].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
}

/** The names of the labs that are up and have a node named `node`. */
export function labsHolding(node: string): string[] {
  return listLabs()
    .filter((l) => (readHostsState(l.name)?.applied ?? readState(l.name)?.applied)?.nodes.some((n) => n.name === node) === true)
    .map((l) => l.name);
}

/** The topology a running lab was last brought up with (the whole lab, for one spread over hosts). Throws NSLAB_NOT_FOUND when it is not up. */
export function appliedLab(lab: string): ResolvedLab {
  const resolved = readHostsState(lab)?.applied ?? readState(lab)?.applied;
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

/**
 * `a, b and c`, or the first ten and how many more: a lab of 100,000 nodes must not fill the screen. The
 * topology's own lists (bounded.ts), so every message of nslab lists names one way.
 */
export function nameList(names: readonly string[], shown = LIST_SHOWN): string {
  return listWords(names, shown);
}

/** Where a command runs in a node of a running lab: its namespace, and its FRR view when it runs FRR. */
export function placeOf(lab: string, node: string): NodePlace {
  const n = appliedNode(lab, node);
  return { lab, node, netns: n.netns, ...(n.frr !== undefined ? { frrDir: frrDir(lab, node) } : {}) };
}
