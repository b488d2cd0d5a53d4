/**
 * Address operations of a Handle: `handle.addr.*`. Each names its iproute2 equivalent.
 */
import { isIPv4 } from 'node:net';
import { NslabError } from '../errors.js';
import { Af, decodeAddr, encodeAddr, IfaF, NlmF, Rtm, RtScope } from '../netlink/index.js';
import type { AddrAttrs, AddrMessage } from '../netlink/index.js';
import { devLabel, type DevRef } from './dev.js';
import type { Handle } from './handle.js';

/** An address as read back from the kernel. */
export interface Address {
  index: number;
  family: 4 | 6;
  address: string;
  prefixLength: number;
  /** `10.10.1.2/32` */
  cidr: string;
  scope: number;
  flags: number;
}

export interface AddOptions {
  /** IPv6: skip duplicate address detection so the address works at once (a lab has no duplicates). */
  nodad?: boolean;
  /** Replace an existing equal address instead of failing with EEXIST. */
  replace?: boolean;
}

/** Splits `10.0.0.1/24` (or a bare address: /32, /128) into its parts; throws on anything else. */
export function parseCidr(cidr: string): { family: 4 | 6; address: string; prefixLength: number } {
  // indexOf and a digit loop rather than split and a regular expression: every address and route a lab
  // adds is parsed here, mostly before the JIT has warmed up.
  const slash = cidr.indexOf('/');
  const address = slash === -1 ? cidr : cidr.slice(0, slash);
  const family = isIPv4(address) ? 4 : address.includes(':') ? 6 : 0;
  const max = family === 4 ? 32 : 128;
  const prefixLength = slash === -1 ? max : decimalAt(cidr, slash + 1);
  // NaN (no digits, or anything but digits after the slash, a second slash included) fails both tests.
  if (family === 0 || !(prefixLength >= 0 && prefixLength <= max)) {
    throw new NslabError('NSLAB_TOPOLOGY', `"${cidr}" is not an address with a prefix length (like 10.0.0.1/24 or fd00::1/64)`);
  }
  return { family, address, prefixLength };
}

/** The value of the decimal digits from `start` to the end of `text`; NaN if there are none, or anything else. */
function decimalAt(text: string, start: number): number {
  if (start >= text.length) return NaN;
  let value = 0;
  for (let i = start; i < text.length; i++) {
    const digit = text.charCodeAt(i) - 0x30; // 0x30: '0'
    if (digit < 0 || digit > 9) return NaN;
    value = value * 10 + digit;
  }
  return value;
}

export class AddrOps {
  readonly #h: Handle;

  constructor(handle: Handle) {
    this.#h = handle;
  }

  /**
   * Adds an address to an interface.
   *
   * Equivalent to: ip addr add CIDR dev DEV [nodad]
   */
  async add(dev: DevRef, cidr: string, options: AddOptions = {}): Promise<void> {
    const index = typeof dev === 'string' ? await this.#h.link.index(dev) : dev.index;
    const body = encodeAddr(addrMessage(index, cidr, options.nodad === true));
    const flags = NlmF.CREATE | (options.replace === true ? NlmF.REPLACE : NlmF.EXCL);
    // Described only if a message needs it (see Request.object).
    await this.#h.request({ type: Rtm.NEWADDR, flags, body, object: () => `${cidr} dev ${devLabel(dev)}` });
  }

  /**
   * Removes an address from an interface.
   *
   * Equivalent to: ip addr del CIDR dev DEV
   */
  async del(dev: DevRef, cidr: string): Promise<void> {
    const index = typeof dev === 'string' ? await this.#h.link.index(dev) : dev.index;
    await this.#h.request({ type: Rtm.DELADDR, flags: 0, body: encodeAddr(addrMessage(index, cidr, false)), object: () => `${cidr} dev ${devLabel(dev)}` });
  }

  /**
   * Lists the addresses of the namespace, or of one interface, of one family.
   *
   * Equivalent to: ip [-4|-6] addr show [dev DEV]
   */
  async list(filter: { dev?: DevRef; family?: 4 | 6 } = {}): Promise<Address[]> {
    const index = filter.dev !== undefined ? await this.#h.link.index(filter.dev) : undefined;
    const family = filter.family === 4 ? Af.INET : filter.family === 6 ? Af.INET6 : 0;
    const answer = await this.#h.request({
      type: Rtm.GETADDR,
      flags: NlmF.DUMP,
      body: encodeAddr({ family, prefixlen: 0, flags: 0, scope: 0, index: index ?? 0, attrs: {} }),
      object: 'addresses',
    });
    return answer
      .filter((m) => m.type === Rtm.NEWADDR)
      .map((m) => toAddress(decodeAddr(m.body)))
      .filter((a) => index === undefined || a.index === index);
  }
}

function addrMessage(index: number, cidr: string, nodad: boolean): AddrMessage {
  const { family, address, prefixLength } = parseCidr(cidr);
  const loopback = family === 4 ? address.startsWith('127.') : address === '::1';
  const attrs: AddrAttrs = { local: address, address };
  if (nodad && family === 6) attrs.flags = IfaF.NODAD;
  return {
    family: family === 4 ? Af.INET : Af.INET6,
    prefixlen: prefixLength,
    flags: 0,
    scope: loopback ? RtScope.HOST : RtScope.UNIVERSE,
    index,
    attrs,
  };
}

export function toAddress(m: AddrMessage): Address {
  const address = m.attrs.local ?? m.attrs.address ?? '';
  const family = m.family === Af.INET ? 4 : 6;
  return {
    index: m.index,
    family,
    address,
    prefixLength: m.prefixlen,
    cidr: `${address}/${m.prefixlen}`,
    scope: m.scope,
    flags: m.attrs.flags ?? m.flags,
  };
}
