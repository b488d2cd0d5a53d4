/**
 * sock_diag (linux/sock_diag.h, linux/inet_diag.h): the netlink protocol `ss` uses to list a namespace's
 * sockets. nslab asks it which TCP ports listen in a node (`node.waitForPort`) without connecting to them:
 * a probe connection would be one more client the server sees.
 *
 * A request is struct inet_diag_req_v2 (family u8, protocol u8, ext u8, pad u8, states u32, then struct
 * inet_diag_sockid); each answer is struct inet_diag_msg (family, state, timer, retrans u8, the sockid,
 * then expires, rqueue, wqueue, uid, inode u32). The ports and addresses of a sockid are in network byte
 * order, the rest in the host's.
 */
import { HOST_LITTLE_ENDIAN, putU32, viewOf } from './bytes.js';
import { bytesToIpv4, bytesToIpv6 } from './address.js';
import { NetlinkDecodeError } from './error.js';

/** The netlink protocol number of sock_diag (NETLINK_SOCK_DIAG), for socket(AF_NETLINK, SOCK_RAW, 4). */
export const NETLINK_SOCK_DIAG = 4;
/** SOCK_DIAG_BY_FAMILY: the one request type of inet_diag. */
export const SOCK_DIAG_BY_FAMILY = 20;
export const AF_INET = 2;
export const AF_INET6 = 10;
export const IPPROTO_TCP = 6;
/** TCP states (include/net/tcp_states.h), as bits of idiag_states. */
export const TcpState = { ESTABLISHED: 1, LISTEN: 10 } as const;

/** struct inet_diag_sockid: sport, dport (be16), src[4], dst[4] (be32), if u32, cookie[2] u32. */
const SOCKID_LEN = 48;
/** struct inet_diag_req_v2. */
export const INET_DIAG_REQ_V2_LEN = 8 + SOCKID_LEN;
/** struct inet_diag_msg, without the attributes that may follow it. */
export const INET_DIAG_MSG_LEN = 4 + SOCKID_LEN + 20;

/** A socket as inet_diag reports it. */
export interface InetDiagSocket {
  family: 4 | 6;
  /** TCP state number (TcpState). */
  state: number;
  localAddress: string;
  localPort: number;
  remoteAddress: string;
  remotePort: number;
  inode: number;
}

/** The body of a SOCK_DIAG_BY_FAMILY dump request: every socket of `family` and `protocol` in one of `states`. */
export function encodeInetDiagRequest(request: { family: 4 | 6; protocol: number; states: readonly number[] }): Uint8Array {
  const body = new Uint8Array(INET_DIAG_REQ_V2_LEN);
  body[0] = request.family === 4 ? AF_INET : AF_INET6;
  body[1] = request.protocol;
  let mask = 0;
  for (const s of request.states) mask |= 1 << s;
  putU32(body, 4, mask >>> 0);
  // The sockid stays zero: no filter by address, port or cookie (INET_DIAG_NOCOOKIE is not needed for a dump).
  return body;
}

/** Decodes the body of one inet_diag answer (struct inet_diag_msg). */
export function decodeInetDiagMessage(body: Uint8Array): InetDiagSocket {
  if (body.length < INET_DIAG_MSG_LEN) throw new NetlinkDecodeError(`inet_diag_msg is ${INET_DIAG_MSG_LEN} bytes; this one has ${body.length}`, 0);
  const view = viewOf(body);
  const family = body[0] === AF_INET ? 4 : body[0] === AF_INET6 ? 6 : undefined;
  if (family === undefined) throw new NetlinkDecodeError(`inet_diag_msg of address family ${body[0] ?? '?'}, neither AF_INET nor AF_INET6`, 0);
  const address = (off: number): string => (family === 4 ? bytesToIpv4(body.subarray(off, off + 4)) : bytesToIpv6(body.subarray(off, off + 16)));
  return {
    family,
    state: body[1] as number,
    localPort: view.getUint16(4, false),
    remotePort: view.getUint16(6, false),
    localAddress: address(8),
    remoteAddress: address(24),
    inode: view.getUint32(4 + SOCKID_LEN + 16, HOST_LITTLE_ENDIAN),
  };
}
