/**
 * Interface indexes chosen by the engine. Every device a plan makes gets an index here, unique within the
 * lab, given in its RTM_NEWLINK: later requests name the device by it in the same batch (no lookup), and
 * observe() pairs veth ends without ambiguity.
 */
import { devicesMadeBy } from '../plan/ops/index.js';
import { PIECE, type Steps } from '../topology/steps.js';
import type { Plan } from '../plan/types.js';
import type { DevRef } from '../rtnl/index.js';

/** Lowest index nslab gives a device: above any the kernel makes in a new namespace by itself (lo, tunnels). */
export const FIRST_INDEX = 100;

export class Indexes {
  /** netns -> ifname -> the index this run gives the device. */
  readonly #byNetns = new Map<string, Map<string, number>>();

  #next: number;

  /** `base`: above every interface index the lab has now (see Observation.maxIndex). */
  constructor(base = FIRST_INDEX) {
    this.#next = Math.max(FIRST_INDEX, base);
  }

  /** Gives an index to every device the plan makes, in pieces (topology/steps.ts). */
  *read(plan: Plan): Steps<void> {
    for (let i = 0; i < plan.ops.length; i++) {
      if (i % PIECE === PIECE - 1) yield;
      for (const [netns, ifname] of devicesMadeBy(plan.ops[i] as Plan['ops'][number])) {
        let inNs = this.#byNetns.get(netns);
        if (inNs === undefined) this.#byNetns.set(netns, (inNs = new Map()));
        inNs.set(ifname, this.#next++);
      }
    }
  }

  /** The device as a request names it: by the index this run gives it, else by name. */
  dev(netns: string, ifname: string): DevRef {
    const index = this.#byNetns.get(netns)?.get(ifname);
    return index !== undefined ? { index, name: ifname } : ifname;
  }
}
