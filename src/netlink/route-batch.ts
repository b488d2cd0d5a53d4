/**
 * Many route requests (RTM_NEWROUTE, RTM_DELROUTE) in one buffer, for the routes `routing: static` computes:
 * a ring of 1,000 routers installs about a million, and encoding each through RouteMessage (an object, its
 * attributes one by one into Buffers, then concatenated) cost more CPU than the kernel spends adding it.
 *
 * A node's routes share everything but the destination: the gateway, the device, the protocol, the table.
 * So that part is encoded once, by encodeRoute itself, into a whole message with a blank destination (a
 * RouteShape); a route is then a copy of its shape, its prefix length and its destination's bytes (made
 * once per destination, a RouteDestination). The bytes are exactly what encodeMessage(encodeRoute()) gives
 * for the same route: RTA_DST comes first among the attributes, so the shape's attributes after it do not
 * move. Sequence numbers are left 0 and the flags as given: the Handle numbers a batch and sets its flags.
 */
import { ipToBytes } from './address.js';
import { Af, NLA_HDRLEN, NLMSG_HDRLEN } from './constants.js';
import { NetlinkEncodeError } from './error.js';
import { encodeMessage } from './message.js';
import { encodeRoute, RTMSG_LEN, type RouteMessage } from './route.js';

/** Where struct rtmsg's rtm_dst_len is in a message. */
const DST_LEN_AT = NLMSG_HDRLEN + 1;
/** Where RTA_DST's payload starts: the first attribute after struct rtmsg. */
const DST_AT = NLMSG_HDRLEN + RTMSG_LEN + NLA_HDRLEN;

/** A destination, encoded once for every route to it. */
export interface RouteDestination {
  /** AF_INET or AF_INET6. */
  readonly family: number;
  readonly dstLen: number;
  /** The address (4 or 16 bytes); undefined for a default route, which carries no RTA_DST. */
  readonly address: Uint8Array | undefined;
}

/** The destination `address/dstLen`, or a default route of the family (`address` undefined). */
export function routeDestination(family: 4 | 6, address: string | undefined, dstLen: number): RouteDestination {
  const af = family === 4 ? Af.INET : Af.INET6;
  const max = family === 4 ? 32 : 128;
  if (!Number.isInteger(dstLen) || dstLen < 0 || dstLen > max) throw new NetlinkEncodeError(`prefix length ${dstLen} out of range 0..${max} for IPv${family}`);
  if (address === undefined) {
    if (dstLen !== 0) throw new NetlinkEncodeError(`a route with no destination address is a default route, prefix length 0, not ${dstLen}`);
    return { family: af, dstLen, address: undefined };
  }
  const bytes = ipToBytes(address);
  if (bytes.length !== (family === 4 ? 4 : 16)) throw new NetlinkEncodeError(`destination ${address} is not an IPv${family} address`);
  return { family: af, dstLen, address: bytes };
}

/**
 * What the routes through one gateway share, as whole messages: one for a destination address of the
 * shape's family, one for a default route. Made once, by encodeRoute.
 */
export interface RouteShape {
  readonly family: number;
  /** The message with RTA_DST (its prefix length and address still blank). */
  readonly withDst: Buffer;
  /** The message without RTA_DST: a default route. */
  readonly withoutDst: Buffer;
}

/**
 * The shape of every route like `route` but for its destination (`route.dstLen` and `route.attrs.dst` are
 * ignored): request `type` (RTM_NEWROUTE, RTM_DELROUTE) with nlmsg `flags`.
 */
export function routeShape(type: number, flags: number, route: RouteMessage): RouteShape {
  if (route.family !== Af.INET && route.family !== Af.INET6) throw new NetlinkEncodeError(`route shapes are IPv4 or IPv6, not family ${route.family}`);
  const blank = route.family === Af.INET ? '0.0.0.0' : '::';
  const { dst: _dst, ...rest } = route.attrs;
  const header = { type, flags, seq: 0 };
  return {
    family: route.family,
    withDst: encodeMessage(header, encodeRoute({ ...route, dstLen: 0, attrs: { dst: blank, ...rest } })),
    withoutDst: encodeMessage(header, encodeRoute({ ...route, dstLen: 0, attrs: rest })),
  };
}

/** The bytes of one route's message: its shape's, with or without RTA_DST. */
export function routeRequestSize(shape: RouteShape, dst: RouteDestination): number {
  return dst.address === undefined ? shape.withoutDst.length : shape.withDst.length;
}

/** The bytes of the longest message of a shape (one with a destination address): room for any route through it. */
export function longestRouteRequest(shape: RouteShape): number {
  return Math.max(shape.withDst.length, shape.withoutDst.length);
}

/**
 * Writes the message of one route (its shape, to its destination) at `off` of `out`, which has room for
 * routeRequestSize bytes there; returns the offset after it. Every byte of those is written.
 */
export function putRouteRequest(out: Uint8Array, off: number, shape: RouteShape, dst: RouteDestination): number {
  if (dst.family !== shape.family) throw new NetlinkEncodeError(`a route to a family ${dst.family} destination through a family ${shape.family} gateway`);
  const address = dst.address;
  if (address === undefined) {
    out.set(shape.withoutDst, off);
    return off + shape.withoutDst.length;
  }
  out.set(shape.withDst, off);
  out[off + DST_LEN_AT] = dst.dstLen;
  if (address.length === 4) {
    // Four bytes by hand: a call to set() costs more than they do.
    out[off + DST_AT] = address[0] as number;
    out[off + DST_AT + 1] = address[1] as number;
    out[off + DST_AT + 2] = address[2] as number;
    out[off + DST_AT + 3] = address[3] as number;
  } else {
    out.set(address, off + DST_AT);
  }
  return off + shape.withDst.length;
}

/** A route of a batch: its shape and its destination. */
export interface RouteRequest {
  shape: RouteShape;
  dst: RouteDestination;
}

/** Routes' messages back to back in one buffer (sequence numbers 0): for tests and for a few routes. */
export function encodeRouteRequests(routes: readonly RouteRequest[]): Buffer {
  let bytes = 0;
  for (const r of routes) bytes += routeRequestSize(r.shape, r.dst);
  const out = Buffer.allocUnsafe(bytes);
  let off = 0;
  for (const r of routes) off = putRouteRequest(out, off, r.shape, r.dst);
  return out;
}
