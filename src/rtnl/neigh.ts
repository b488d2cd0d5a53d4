/**
 * Neighbour operations of a Handle: `handle.neigh.*` (the ARP and neighbour discovery cache). Each names
 * its iproute2 equivalent.
 */
import { Af, decodeNeigh, encodeNeigh, NlmF, Nud, Rtm } from '../netlink/index.js';
import type { Handle } from './handle.js';

/** A neighbour entry as read back from the kernel. */
export interface Neighbour {
  /** The interface it was learnt on. */
  index: number;
  family: 4 | 6;
  address: string;
  /** Its link-layer address, when resolved. */
  mac?: string;
  /** NUD_* bits. */
  state: number;
}

/** `reachable`, `failed`, `stale permanent`...: a neighbour state as `ip neigh` prints it, lower case. */
export function neighbourStateText(state: number): string {
  const names = Object.entries(Nud)
    .filter(([, bit]) => bit !== 0 && (state & bit) !== 0)
    .map(([name]) => name.toLowerCase());
  return names.length > 0 ? names.join(' ') : 'none';
}

export class NeighOps {
  readonly #h: Handle;

  constructor(handle: Handle) {
    this.#h = handle;
  }

  /**
   * Lists the IPv4 and IPv6 neighbour entries of the namespace.
   *
   * Equivalent to: ip neigh show
   */
  async list(): Promise<Neighbour[]> {
    const body = encodeNeigh({ family: 0, ifindex: 0, state: 0, flags: 0, type: 0, attrs: {} });
    const answer = await this.#h.request({ type: Rtm.GETNEIGH, flags: NlmF.DUMP, body, object: 'neighbours' });
    const out: Neighbour[] = [];
    for (const m of answer) {
      if (m.type !== Rtm.NEWNEIGH) continue;
      const n = decodeNeigh(m.body);
      if ((n.family !== Af.INET && n.family !== Af.INET6) || n.attrs.dst === undefined) continue;
      out.push({
        index: n.ifindex,
        family: n.family === Af.INET ? 4 : 6,
        address: n.attrs.dst,
        ...(n.attrs.lladdr !== undefined ? { mac: n.attrs.lladdr } : {}),
        state: n.state,
      });
    }
    return out;
  }
}
