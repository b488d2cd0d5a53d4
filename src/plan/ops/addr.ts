/** Addresses on a device. */
import type { Cidr } from '../../topology/types.js';
import { cidrText, sameSubnet } from '../ip.js';
import { shellArg } from '../shell-quote.js';
import { ipIn } from './link.js';
import { fail, type OpKindSpec } from './kind.js';

/** An IPv4 address is a secondary when an address of its subnet comes before it. */
function isSecondary(addresses: Cidr[], i: number): boolean {
  const c = addresses[i];
  return c !== undefined && c.family === 4 && addresses.slice(0, i).some((p) => sameSubnet(p, c));
}

export const addrAdd: OpKindSpec<'addr.add'> = {
  describe: (op) => `addr ${op.netns}:${op.ifname} ${cidrText(op.cidr)}`,
  // nslab skips duplicate address detection, so an IPv6 address is usable at once.
  explain: (op) => `${ipIn(op.netns)} addr add ${cidrText(op.cidr)} dev ${shellArg(op.ifname)}${op.cidr.family === 6 ? ' nodad' : ''}`,
  simulate(op, { linkOf }) {
    const link = linkOf(op, op.netns, op.ifname);
    if (link.addresses.some((c) => cidrText(c) === cidrText(op.cidr))) fail(op, `${cidrText(op.cidr)} is on ${op.ifname} already (EEXIST)`);
    // IPv4: an address in the subnet of one already there is a secondary, listed after every primary.
    const secondary = op.cidr.family === 4 && link.addresses.some((c) => sameSubnet(c, op.cidr));
    const firstSecondary = link.addresses.findIndex((_c, i) => isSecondary(link.addresses, i));
    const at = secondary || firstSecondary < 0 ? link.addresses.length : firstSecondary;
    link.addresses.splice(at, 0, { ...op.cidr });
  },
  socket: (op) => op.netns,
  lane: (op, makes) => (makes(op.netns, op.ifname) ? op.netns : undefined),
};

export const addrDel: OpKindSpec<'addr.del'> = {
  describe: (op) => `delete addr ${op.netns}:${op.ifname} ${cidrText(op.cidr)}`,
  explain: (op) => `${ipIn(op.netns)} addr del ${cidrText(op.cidr)} dev ${shellArg(op.ifname)}`,
  simulate(op, { nsOf, linkOf }) {
    const link = linkOf(op, op.netns, op.ifname);
    const i = link.addresses.findIndex((c) => cidrText(c) === cidrText(op.cidr));
    if (i < 0) fail(op, `${cidrText(op.cidr)} is not on ${op.ifname} (EADDRNOTAVAIL)`);
    const primary = op.cidr.family === 4 && !isSecondary(link.addresses, i);
    // Deleting an IPv4 primary deletes its secondaries (promote_secondaries off).
    link.addresses = link.addresses.filter((c, j) => j !== i && !(primary && j > i && sameSubnet(c, op.cidr)));
    // A device without IPv4 addresses has no IPv4 routes.
    if (op.cidr.family === 4 && !link.addresses.some((c) => c.family === 4)) {
      const ns = nsOf(op, op.netns);
      ns.routes = ns.routes.filter((r) => r.family === 6 || r.dev !== op.ifname);
    }
  },
  socket: (op) => op.netns,
  lane: () => undefined,
};
