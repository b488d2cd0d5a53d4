/**
 * Device configuration of a Handle: `handle.netconf.*` (what /proc/sys/net/{ipv4,ipv6}/conf/ holds, read
 * in one dump instead of a file per device). Each names its iproute2 equivalent.
 */
import { Af, decodeNetconf, encodeNetconf, NlmF, Rtm } from '../netlink/index.js';
import type { Handle } from './handle.js';

/** One device's settings, or those of `all` (index -1) and `default` (index -2). */
export interface Netconf {
  family: 4 | 6;
  /** The device, or -1 for `all`, -2 for `default`. */
  index: number;
  forwarding?: boolean;
  /** 0 off, 1 strict, 2 loose (IPv4). */
  rpFilter?: number;
}

export class NetconfOps {
  readonly #h: Handle;

  constructor(handle: Handle) {
    this.#h = handle;
  }

  /**
   * Lists the settings of every device of one family, and of `all` and `default`.
   *
   * Equivalent to: ip [-4|-6] netconf show
   */
  async list(family: 4 | 6): Promise<Netconf[]> {
    const body = encodeNetconf({ family: family === 4 ? Af.INET : Af.INET6, attrs: {} });
    const answer = await this.#h.request({ type: Rtm.GETNETCONF, flags: NlmF.DUMP, body, object: `IPv${family} device settings` });
    const out: Netconf[] = [];
    for (const m of answer) {
      if (m.type !== Rtm.NEWNETCONF) continue;
      const { attrs } = decodeNetconf(m.body);
      if (attrs.ifindex === undefined) continue;
      out.push({
        family,
        index: attrs.ifindex,
        ...(attrs.forwarding !== undefined ? { forwarding: attrs.forwarding !== 0 } : {}),
        ...(attrs.rpFilter !== undefined ? { rpFilter: attrs.rpFilter } : {}),
      });
    }
    return out;
  }
}
