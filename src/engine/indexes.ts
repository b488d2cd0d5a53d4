/**
 * Interface indexes chosen by the engine. Every device a plan makes gets an index here, unique within the
 * lab, given in its RTM_NEWLINK: later requests name the device by it in the same batch (no lookup), and
 * observe() pairs veth ends without ambiguity.
 */
import { devicesMadeBy } from '../plan/index.js';
import type { Plan } from '../plan/types.js';
import type { DevRef } from '../rtnl/index.js';

/** Lowest index nslab gives a device: above any the kernel makes in a new namespace by itself (lo, tunnels). */
export const FIRST_INDEX = 100;

export class Indexes {
  /** netns -> ifname -> the index this run gives the device. */
  readonly #byNetns = new Map<string, Map<string, number>>();

  /** `base`: above every interface index the lab has now (see Observation.maxIndex). */
  constructor(plan: Plan, base = FIRST_INDEX) {
    let next = Math.max(FIRST_INDEX, base);
    for (const op of plan.ops) {
      for (const [netns, ifname] of devicesMadeBy(op)) {
        let inNs = this.#byNetns.get(netns);
        if (inNs === undefined) this.#byNetns.set(netns, (inNs = new Map()));
        inNs.set(ifname, next++);
      }
    }
  }

  /** The device as a request names it: by the index this run gives it, else by name. */
  dev(netns: string, ifname: string): DevRef {
    const index = this.#byNetns.get(netns)?.get(ifname);
    return index !== undefined ? { index, name: ifname } : ifname;
  }
}
