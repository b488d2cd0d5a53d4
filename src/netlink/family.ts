/**
 * The address family of a message decides whether its address attributes are 4 or 16 bytes. A request
 * that mixes them would be refused by the kernel with a bare EINVAL; we say what is wrong before sending.
 */
import { ipVersion } from './address.js';
import { Af } from './constants.js';
import { NetlinkEncodeError } from './error.js';

/** Throws NetlinkEncodeError when an address in `addresses` does not belong to `family` (AF_INET/AF_INET6). */
export function checkFamily(what: string, family: number, addresses: Readonly<Record<string, string | undefined>>): void {
  const want = family === Af.INET ? 4 : family === Af.INET6 ? 6 : undefined;
  if (want === undefined) return; // AF_UNSPEC, AF_BRIDGE (an FDB entry's NDA_DST may be either), AF_MPLS
  // for...in rather than Object.entries: no array of pairs for each message encoded.
  for (const key in addresses) {
    const addr = addresses[key];
    if (addr === undefined) continue;
    const got = ipVersion(addr);
    if (got !== want) {
      throw new NetlinkEncodeError(
        `${what} has family ${want === 4 ? 'AF_INET' : 'AF_INET6'} but ${key} "${addr}" is ${got === undefined ? 'not an IP address' : `IPv${got}`}`,
      );
    }
  }
}
