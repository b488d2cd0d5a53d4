/**
 * The one change a Handle on the namespace nslab runs in may send: a VXLAN device made straight into
 * another namespace (a node of a lab spread over hosts), by that namespace's fd. The kernel makes the
 * device in the namespace the fd names and its UDP socket in the namespace the request came from, where
 * the underlay is; made from inside the node's namespace, the socket would land where there is no
 * underlay (100% loss and no error).
 *
 * What is allowed is read back from the request's own bytes, whoever built it: RTM_NEWLINK that creates
 * (NLM_F_CREATE and NLM_F_EXCL, so it never changes an existing device), of kind vxlan, with
 * IFLA_NET_NS_FD naming a namespace that is not this one, and with none of what could reach a device of
 * this namespace or another: no IFLA_TARGET_NETNSID, IFLA_NET_NS_PID or IFLA_LINK_NETNSID, no master, no
 * IFLA_LINK, no IFLA_VXLAN_LINK (an underlay device by index: the outer packets follow the routes from
 * `local` instead).
 */
import { fstatSync, statSync } from 'node:fs';
import { decodeLink, NlmF, Rtm } from '../netlink/index.js';

/** True for exactly the request described above. */
export function isVxlanIntoAnotherNamespace(type: number, flags: number, body: Buffer): boolean {
  if (type !== Rtm.NEWLINK) return false;
  if ((flags & (NlmF.CREATE | NlmF.EXCL)) !== (NlmF.CREATE | NlmF.EXCL)) return false;
  let attrs;
  try {
    attrs = decodeLink(body).attrs;
  } catch {
    return false;
  }
  const info = attrs.linkinfo;
  if (info === undefined || info.kind !== 'vxlan' || info.raw === true) return false;
  if (info.link !== undefined || info.collectMetadata !== undefined) return false;
  if (attrs.netnsFd === undefined || attrs.netnsPid !== undefined || attrs.targetNetnsId !== undefined || attrs.linkNetnsId !== undefined) return false;
  if (attrs.master !== undefined || attrs.link !== undefined || attrs.portInfo !== undefined) return false;
  return namesAnotherNamespace(attrs.netnsFd);
}

/** The fd is a network namespace, and not the one this process runs in. */
function namesAnotherNamespace(fd: number): boolean {
  try {
    const target = fstatSync(fd);
    const own = statSync('/proc/self/ns/net');
    return target.dev === own.dev && target.ino !== own.ino;
  } catch {
    return false;
  }
}
