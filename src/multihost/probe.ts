/**
 * What a host says of itself before a lab is spread over it (`nslab part probe`, run there over ssh): its
 * nslab's version, the user, whether its kernel has VXLAN, its underlay (the address its peers send to, the
 * device that has it and that device's MTU) and the VNIs others hold there. It only reads: a Handle on
 * the namespace nslab runs in, for its links and addresses.
 */
import { isIP } from 'node:net';
import { readState, STATE_ROOT } from '../engine/index.js';
import { listStates } from '../engine/state.js';
import { vxlanAvailable } from '../engine/features.js';
import { NslabError } from '../errors.js';
import { Handle } from '../rtnl/index.js';
import type { HostFacts } from './cables.js';
import { VXLAN_PORT } from './cables.js';
import { nslabVersion } from './version.js';

export interface ProbeRequest {
  /** The host's name in the lab, for messages. */
  host: string;
  /** The lab's name: its own VNIs are not "in use by others". */
  lab: string;
  /** The file's `underlay:` for the host: an address or an interface; absent: the address ssh came to. */
  underlay?: string;
}

/** The address the ssh session reached this host at (SSH_CONNECTION's third word). */
function sshServerAddress(): string | undefined {
  const words = (process.env.SSH_CONNECTION ?? '').split(' ');
  const address = words[2];
  return address !== undefined && isIP(address) !== 0 ? address : undefined;
}

export async function probeHost(request: ProbeRequest, options: { stateRoot?: string } = {}): Promise<HostFacts> {
  await using h = await Handle.open();
  const [links, addrs] = await Promise.all([h.link.list(), h.addr.list()]);
  const wanted = request.underlay ?? sshServerAddress();
  if (wanted === undefined)
    throw new NslabError(
      'NSLAB_HOST',
      `host ${request.host}: no underlay address: nslab was not reached over ssh here, and the lab gives no underlay: for the host: add underlay: ADDRESS (or an interface) to hosts.${request.host}`,
    );
  let address: { address: string; family: 4 | 6; index: number } | undefined;
  if (isIP(wanted) !== 0) {
    const a = addrs.find((x) => x.address === wanted);
    if (a === undefined)
      throw new NslabError(
        'NSLAB_HOST',
        `host ${request.host}: no interface of its namespace has the underlay address ${wanted}; give hosts.${request.host}.underlay an address it has (ip -br addr there)`,
      );
    address = { address: a.address, family: a.family, index: a.index };
  } else {
    const link = links.find((l) => l.name === wanted);
    if (link === undefined) throw new NslabError('NSLAB_HOST', `host ${request.host} has no interface ${wanted} (its underlay); ip -br link there lists them`);
    // Its first global address, IPv4 before IPv6 (scope 0 is global).
    const own = addrs.filter((a) => a.index === link.index && a.scope === 0).sort((x, y) => x.family - y.family)[0];
    if (own === undefined) throw new NslabError('NSLAB_HOST', `host ${request.host}: interface ${wanted} (its underlay) has no global address`);
    address = { address: own.address, family: own.family, index: own.index };
  }
  const device = links.find((l) => l.index === address.index);
  const inUse = new Set<number>();
  // VXLAN devices of the host's own namespace on the port, and the other labs' cables.
  for (const l of links) {
    const info = l.message.attrs.linkinfo;
    if (info?.kind === 'vxlan' && info.raw !== true && info.id !== undefined && (info.port ?? 8472) === VXLAN_PORT) inUse.add(info.id);
  }
  const root = options.stateRoot ?? STATE_ROOT;
  for (const lab of listStates(root)) {
    if (lab === request.lab) continue;
    for (const t of readState(lab, root)?.applied?.tunnels ?? []) inUse.add(t.vni);
  }
  return {
    name: request.host,
    version: nslabVersion(),
    uid: process.getuid?.() ?? -1,
    vxlan: process.getuid?.() === 0 ? await vxlanAvailable() : false,
    underlay: { address: address.address, family: address.family, device: device?.name ?? '?', mtu: device?.mtu ?? 1500 },
    vnisInUse: [...inUse].sort((a, b) => a - b),
  };
}
