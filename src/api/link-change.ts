/**
 * A change to one end of a running lab's cable, from words as people and the web page write them
 * (`rate: "10mbit"`), checked before anything is touched: what `nslab link set` and the page's buttons do.
 */
import { setLink, type LinkChange } from '../engine/index.js';
import { NslabError } from '../errors.js';
import { parseRate } from '../topology/units.js';

export interface LinkChangeInput {
  up?: boolean;
  /** A rate as the topology file writes it (`10mbit`), bits per second, or null to lift the limit. */
  rate?: string | number | null;
  mtu?: number;
}

/** The change, or a NSLAB_TOPOLOGY-coded error with the rate parser's own words. */
export function linkChangeOf(input: LinkChangeInput): LinkChange {
  const change: LinkChange = {};
  if (input.up !== undefined) change.up = input.up;
  if (input.mtu !== undefined) change.mtu = input.mtu;
  if (typeof input.rate === 'string') {
    const r = parseRate(input.rate.trim());
    if (!r.ok) throw new NslabError('NSLAB_TOPOLOGY', `${r.problem.message}; ${r.problem.hint}`);
    change.rate = r.value;
  } else if (input.rate !== undefined) change.rate = input.rate;
  return change;
}

/**
 * Changes NODE:IFNAME of a running lab: pull or plug it, limit its egress rate or lift the limit.
 *
 * Equivalent to: nslab link set NODE:IFNAME up|down|rate RATE|rate none
 */
export function changeLink(lab: string, node: string, ifname: string, input: LinkChangeInput): Promise<void> {
  return setLink(lab, node, ifname, linkChangeOf(input));
}
