/**
 * Route operations of a Handle: `handle.route.*`. Each names its iproute2 equivalent.
 */
import { Af, decodeRoute, encodeRoute, NlmF, routeShape, Rtm, Rtn, Rtprot, RtScope, RtTable } from '../netlink/index.js';
import type { RouteAttrs, RouteMessage, RouteShape } from '../netlink/index.js';
import { parseCidr } from './addr.js';
import { devLabel, type DevRef } from './dev.js';
import type { Handle, RequestFailure } from './handle.js';
import { NslabError } from '../errors.js';

export interface RouteSpec {
  /** Destination `10.10.1.3/32`, `fd00::/64`, or `default` (IPv4 unless `family: 6` or an IPv6 `via`). */
  to: string;
  via?: string;
  dev?: DevRef;
  metric?: number;
  table?: number;
  /** Route protocol (RTPROT_*); nslab marks its routes with its own. Default: boot, as `ip route add`. */
  protocol?: number;
  family?: 4 | 6;
}

/** What the kernel would do with a packet to an address (`ip route get`). */
export interface RouteLookup {
  /** The destination asked about. */
  to: string;
  /** Next hop, when it is not the destination itself. */
  via?: string;
  /** Output interface index. */
  oif?: number;
  /** Source address the kernel would use. */
  src?: string;
  type: number;
}

/** A route as read back from the kernel. */
export interface Route {
  family: 4 | 6;
  /** `10.10.1.3/32` or `default`. */
  to: string;
  via?: string;
  /** Output interface index. */
  oif?: number;
  /** The paths of a multipath route (`nexthop via ... dev ...`, as a routing daemon installs equal-cost paths). */
  nexthops?: { via?: string; oif: number }[];
  metric?: number;
  table: number;
  protocol: number;
  scope: number;
  type: number;
  /** The preferred source address (prefsrc). */
  src?: string;
  /** True when the route spreads over several next hops (RTA_MULTIPATH): `oif` and `via` are then absent. */
  multipath?: boolean;
}

export class RouteOps {
  readonly #h: Handle;

  constructor(handle: Handle) {
    this.#h = handle;
  }

  /**
   * Adds a route.
   *
   * Equivalent to: ip route add TO [via GW] [dev DEV] [metric N] [table T]
   */
  async add(route: RouteSpec): Promise<void> {
    await this.#change(Rtm.NEWROUTE, NlmF.CREATE | NlmF.EXCL, route);
  }

  /**
   * Adds a route, or replaces the one with the same destination and metric.
   *
   * Equivalent to: ip route replace TO [via GW] [dev DEV] [metric N] [table T]
   */
  async replace(route: RouteSpec): Promise<void> {
    await this.#change(Rtm.NEWROUTE, NlmF.CREATE | NlmF.REPLACE, route);
  }

  /**
   * Deletes a route.
   *
   * Equivalent to: ip route del TO [via GW] [dev DEV] [metric N] [table T]
   */
  async del(route: RouteSpec): Promise<void> {
    await this.#change(Rtm.DELROUTE, 0, route);
  }

  /**
   * What many routes through one gateway share, encoded once for addMany (`kind` 'add') or delMany ('del'):
   * every part of `route` but its destination (`to` is ignored). A device given by name is looked up now.
   *
   * @internal The engine's: the messages are written by src/netlink/route-batch.ts, not part of the package.
   */
  async shape(route: RouteSpec, kind: 'add' | 'del'): Promise<RouteShape> {
    const oif = route.dev === undefined ? undefined : typeof route.dev === 'string' ? await this.#h.link.index(route.dev) : route.dev.index;
    const [type, flags] = kind === 'add' ? [Rtm.NEWROUTE, NlmF.CREATE | NlmF.EXCL] : [Rtm.DELROUTE, 0];
    return routeShape(type, flags, routeMessage({ ...route, to: 'default' }, oif));
  }

  /**
   * Adds many routes at once: their messages back to back (putRouteRequest, with shapes from
   * `shape(route, 'add')`). Resolves once the kernel has answered every one, with those it refused, each
   * named by `object(i)`; the others are added.
   *
   * Equivalent to: ip -batch FILE, with a line `route add TO via GW dev DEV` for each
   *
   * @internal The engine's, as `shape`.
   */
  addMany(messages: Buffer, object: (i: number) => string): Promise<RequestFailure[]> {
    return this.#h.requestMany({ type: Rtm.NEWROUTE, flags: NlmF.CREATE | NlmF.EXCL, messages, object });
  }

  /**
   * Deletes many routes at once, as addMany adds them (shapes from `shape(route, 'del')`).
   *
   * Equivalent to: ip -batch FILE, with a line `route del TO via GW dev DEV` for each
   *
   * @internal The engine's, as `shape`.
   */
  delMany(messages: Buffer, object: (i: number) => string): Promise<RequestFailure[]> {
    return this.#h.requestMany({ type: Rtm.DELROUTE, flags: 0, messages, object });
  }

  /**
   * Lists the routes of one family (main table unless told), as the kernel has them.
   *
   * Equivalent to: ip [-4|-6] route show [table T]
   */
  async list(filter: { family?: 4 | 6; table?: number } = {}): Promise<Route[]> {
    const family = filter.family === 6 ? Af.INET6 : filter.family === 4 ? Af.INET : 0;
    const body = encodeRoute({ family, dstLen: 0, srcLen: 0, tos: 0, table: 0, protocol: 0, scope: 0, type: 0, flags: 0, attrs: {} });
    const answer = await this.#h.request({ type: Rtm.GETROUTE, flags: NlmF.DUMP, body, object: 'routes' });
    const table = filter.table ?? RtTable.MAIN;
    return answer
      .filter((m) => m.type === Rtm.NEWROUTE)
      .map((m) => toRoute(decodeRoute(m.body)))
      .filter((r) => r.table === table);
  }

  /**
   * Asks the kernel how it would send a packet to an address. Rejects with NetlinkError
   * (ENETUNREACH, EHOSTUNREACH...) when it has no way.
   *
   * Equivalent to: ip route get ADDRESS
   */
  async get(address: string): Promise<RouteLookup> {
    const dst = parseCidr(address);
    const body = encodeRoute({
      family: dst.family === 4 ? Af.INET : Af.INET6,
      dstLen: dst.family === 4 ? 32 : 128,
      srcLen: 0,
      tos: 0,
      table: 0,
      protocol: 0,
      scope: 0,
      type: 0,
      flags: 0,
      attrs: { dst: dst.address },
    });
    const [answer] = await this.#h.request({ type: Rtm.GETROUTE, flags: 0, body, object: `route to ${dst.address}` });
    if (answer === undefined) throw new NslabError('NSLAB_NETLINK', `the kernel sent no route for ip route get ${dst.address} in ${this.#h.where}`);
    const m = decodeRoute(answer.body);
    return {
      to: dst.address,
      ...(m.attrs.gateway !== undefined ? { via: m.attrs.gateway } : {}),
      ...(m.attrs.oif !== undefined ? { oif: m.attrs.oif } : {}),
      ...(m.attrs.prefsrc !== undefined ? { src: m.attrs.prefsrc } : {}),
      type: m.type,
    };
  }

  async #change(type: number, flags: number, route: RouteSpec): Promise<void> {
    const oif = route.dev === undefined ? undefined : typeof route.dev === 'string' ? await this.#h.link.index(route.dev) : route.dev.index;
    // Described only if a message needs it (see Request.object).
    const object = (): string =>
      `${route.to}${route.via !== undefined ? ` via ${route.via}` : ''}${route.dev !== undefined ? ` dev ${devLabel(route.dev)}` : ''}`;
    await this.#h.request({ type, flags, body: encodeRoute(routeMessage(route, oif)), object });
  }
}

export function routeMessage(route: RouteSpec, oif: number | undefined): RouteMessage {
  const isDefault = route.to === 'default';
  const dst = isDefault ? undefined : parseCidr(route.to);
  const family = dst?.family ?? route.family ?? (route.via?.includes(':') === true ? 6 : 4);
  const table = route.table ?? RtTable.MAIN;
  // Built by assignment rather than spreads of conditional objects: a lab adds routes by the thousand.
  const attrs: RouteAttrs = {};
  if (dst !== undefined) attrs.dst = dst.address;
  if (route.via !== undefined) attrs.gateway = route.via;
  if (oif !== undefined) attrs.oif = oif;
  if (route.metric !== undefined) attrs.priority = route.metric;
  if (table >= 256) attrs.table = table;
  return {
    family: family === 4 ? Af.INET : Af.INET6,
    dstLen: dst?.prefixLength ?? 0,
    srcLen: 0,
    tos: 0,
    table: table < 256 ? table : 252 /* RT_TABLE_COMPAT; RTA_TABLE carries it */,
    protocol: route.protocol ?? Rtprot.BOOT,
    // As `ip route add`: a route with no gateway is on-link (scope link) for IPv4.
    scope: route.via === undefined && family === 4 ? RtScope.LINK : RtScope.UNIVERSE,
    type: Rtn.UNICAST,
    flags: 0,
    attrs,
  };
}

export function toRoute(m: RouteMessage): Route {
  const family = m.family === Af.INET ? 4 : 6;
  const a = m.attrs;
  return {
    family,
    to: a.dst !== undefined ? `${a.dst}/${m.dstLen}` : m.dstLen === 0 ? 'default' : '?',
    ...(a.gateway !== undefined ? { via: a.gateway } : {}),
    ...(a.oif !== undefined ? { oif: a.oif } : {}),
    ...(a.multipath !== undefined
      ? { nexthops: a.multipath.map((nh) => ({ ...(nh.attrs.gateway !== undefined ? { via: nh.attrs.gateway } : {}), oif: nh.ifindex })) }
      : {}),
    ...(a.priority !== undefined ? { metric: a.priority } : {}),
    table: a.table ?? m.table,
    protocol: m.protocol,
    scope: m.scope,
    type: m.type,
    ...(a.prefsrc !== undefined ? { src: a.prefsrc } : {}),
    ...(a.multipath !== undefined ? { multipath: true } : {}),
  };
}
