/**
 * Routes (RTM_NEWROUTE, RTM_DELROUTE, RTM_GETROUTE): struct rtmsg (family, dst_len, src_len, tos, table,
 * protocol, scope, type: u8 each; flags u32) followed by RTA_* attributes.
 *
 * What the kernel expects in a request: rtm_table for tables up to 255, RTA_TABLE (and rtm_table
 * RT_TABLE_UNSPEC) above; a directly connected route has scope link on IPv4 (iproute2 picks it when there
 * is no gateway), universe otherwise; protocol RTPROT_BOOT is what `ip route add` uses; type RTN_UNICAST.
 * Equivalent to: ip route add 10.10.1.3/32 dev rveth
 */
import { decodeAttributes, defineAttributes, encodeAttributes } from './attributes.js';
import type { AttributeCodec, AttributeValues } from './attributes.js';
import { bytesToIp, bytesToMac, ipToBytes, macToBytes } from './address.js';
import { HOST_LITTLE_ENDIAN, align4, concatBytes, viewOf } from './bytes.js';
import { Af, Rta, Rtax } from './constants.js';
import { NetlinkDecodeError, NetlinkEncodeError } from './error.js';
import { checkFamily } from './family.js';

/** Size of struct rtmsg. */
export const RTMSG_LEN = 12;

/** RTA_VIA (struct rtvia): a gateway of another family than the route's (IPv4 route via an IPv6 next hop). */
export interface Via {
  family: number;
  /** An IP for AF_INET/AF_INET6, colon hex otherwise. */
  address: string;
}

const viaCodec: AttributeCodec<Via> = {
  encode(via) {
    const addr = via.family === Af.INET || via.family === Af.INET6 ? ipToBytes(via.address) : macToBytes(via.address);
    const out = new Uint8Array(2 + addr.length);
    viewOf(out).setUint16(0, via.family, HOST_LITTLE_ENDIAN);
    out.set(addr, 2);
    return out;
  },
  decode(payload, at) {
    if (payload.length < 2) throw new NetlinkDecodeError(`RTA_VIA has ${payload.length} bytes, too few for its family`, at);
    const family = viewOf(payload).getUint16(0, HOST_LITTLE_ENDIAN);
    const addr = payload.subarray(2);
    const ip = family === Af.INET || family === Af.INET6 ? bytesToIp(addr) : undefined;
    return { family, address: ip ?? bytesToMac(addr) };
  },
};

/** struct rta_cacheinfo, as the kernel reports it on IPv6 routes and cached lookups. */
export interface RouteCacheInfo {
  clntref: number;
  lastuse: number;
  /** Clock ticks until the route expires; 0 for never. */
  expires: number;
  error: number;
  used: number;
  id: number;
  ts: number;
  tsage: number;
}

const cacheInfoCodec: AttributeCodec<RouteCacheInfo> = {
  encode(c) {
    const out = new Uint8Array(32);
    const v = viewOf(out);
    v.setUint32(0, c.clntref, HOST_LITTLE_ENDIAN);
    v.setUint32(4, c.lastuse, HOST_LITTLE_ENDIAN);
    v.setInt32(8, c.expires, HOST_LITTLE_ENDIAN);
    [c.error, c.used, c.id, c.ts, c.tsage].forEach((n, i) => v.setUint32(12 + i * 4, n, HOST_LITTLE_ENDIAN));
    return out;
  },
  decode(payload, at) {
    if (payload.length !== 32) throw new NetlinkDecodeError(`struct rta_cacheinfo has ${payload.length} bytes, expected 32`, at);
    const v = viewOf(payload);
    const n = (off: number): number => v.getUint32(off, HOST_LITTLE_ENDIAN);
    return { clntref: n(0), lastuse: n(4), expires: v.getInt32(8, HOST_LITTLE_ENDIAN), error: n(12), used: n(16), id: n(20), ts: n(24), tsage: n(28) };
  },
};

/** RTA_METRICS: a nest of RTAX_* values. */
export const routeMetricsAttributes = defineAttributes('RTAX', {
  /** Bit mask (1 << RTAX_*) of metrics locked against change by path MTU discovery and the like. */
  lock: { type: Rtax.LOCK, kind: 'u32' },
  mtu: { type: Rtax.MTU, kind: 'u32' },
  window: { type: Rtax.WINDOW, kind: 'u32' },
  rtt: { type: Rtax.RTT, kind: 'u32' },
  rttvar: { type: Rtax.RTTVAR, kind: 'u32' },
  ssthresh: { type: Rtax.SSTHRESH, kind: 'u32' },
  cwnd: { type: Rtax.CWND, kind: 'u32' },
  advmss: { type: Rtax.ADVMSS, kind: 'u32' },
  reordering: { type: Rtax.REORDERING, kind: 'u32' },
  hoplimit: { type: Rtax.HOPLIMIT, kind: 'u32' },
  initcwnd: { type: Rtax.INITCWND, kind: 'u32' },
  features: { type: Rtax.FEATURES, kind: 'u32' },
  rtoMin: { type: Rtax.RTO_MIN, kind: 'u32' },
  initrwnd: { type: Rtax.INITRWND, kind: 'u32' },
  quickack: { type: Rtax.QUICKACK, kind: 'u32' },
  ccAlgo: { type: Rtax.CC_ALGO, kind: 'string' },
  fastopenNoCookie: { type: Rtax.FASTOPEN_NO_COOKIE, kind: 'u32' },
});

/** Attributes that may follow a struct rtnexthop inside RTA_MULTIPATH. */
export const nexthopAttributes = defineAttributes('RTA (nexthop)', {
  gateway: { type: Rta.GATEWAY, kind: 'ip' },
  via: { type: Rta.VIA, kind: 'custom', codec: viaCodec },
  flow: { type: Rta.FLOW, kind: 'u32' },
});

/** One path of a multipath route (struct rtnexthop + its attributes). */
export interface Nexthop {
  /** RTNH_F_* flags. */
  flags: number;
  /** Weight minus one (`ip route ... nexthop weight 1` sends 0). */
  hops: number;
  ifindex: number;
  attrs: AttributeValues<typeof nexthopAttributes.fields>;
}

const RTNH_LEN = 8;

const multipathCodec: AttributeCodec<Nexthop[]> = {
  encode(hops) {
    return concatBytes(
      hops.map((nh) => {
        const attrs = encodeAttributes(nexthopAttributes, nh.attrs);
        const len = RTNH_LEN + attrs.length;
        const out = Buffer.alloc(align4(len));
        const v = viewOf(out);
        if (!Number.isInteger(nh.flags) || nh.flags < 0 || nh.flags > 0xff) throw new NetlinkEncodeError(`nexthop flags ${nh.flags} out of range 0..255`);
        if (!Number.isInteger(nh.hops) || nh.hops < 0 || nh.hops > 0xff) throw new NetlinkEncodeError(`nexthop hops ${nh.hops} out of range 0..255`);
        if (!Number.isInteger(nh.ifindex) || nh.ifindex < 0 || nh.ifindex > 0x7fffffff)
          throw new NetlinkEncodeError(`nexthop ifindex ${nh.ifindex} out of range`);
        v.setUint16(0, len, HOST_LITTLE_ENDIAN);
        v.setUint8(2, nh.flags);
        v.setUint8(3, nh.hops);
        v.setInt32(4, nh.ifindex, HOST_LITTLE_ENDIAN);
        out.set(attrs, RTNH_LEN);
        return out;
      }),
    );
  },
  decode(payload, at) {
    const out: Nexthop[] = [];
    const v = viewOf(payload);
    let off = 0;
    while (off < payload.length) {
      if (payload.length - off < RTNH_LEN)
        throw new NetlinkDecodeError(`${payload.length - off} stray bytes in RTA_MULTIPATH, too few for struct rtnexthop`, at + off);
      const len = v.getUint16(off, HOST_LITTLE_ENDIAN);
      if (len < RTNH_LEN) throw new NetlinkDecodeError(`rtnexthop length ${len} is below its 8-byte header`, at + off);
      if (off + len > payload.length)
        throw new NetlinkDecodeError(`rtnexthop of ${len} bytes runs past RTA_MULTIPATH (${payload.length - off} left)`, at + off);
      out.push({
        flags: v.getUint8(off + 2),
        hops: v.getUint8(off + 3),
        ifindex: v.getInt32(off + 4, HOST_LITTLE_ENDIAN),
        attrs: decodeAttributes(nexthopAttributes, payload.subarray(off + RTNH_LEN, off + len), at + off + RTNH_LEN),
      });
      off += align4(len);
    }
    return out;
  },
};

// Field order follows iproute2 (destination first, output interface last).
export const routeAttributes = defineAttributes(
  'RTA',
  {
    /** Destination prefix; its length is rtmsg dstLen. Absent for the default route. */
    dst: { type: Rta.DST, kind: 'ip' },
    src: { type: Rta.SRC, kind: 'ip' },
    iif: { type: Rta.IIF, kind: 'u32' },
    /** Next hop in the route's own family. */
    gateway: { type: Rta.GATEWAY, kind: 'ip' },
    via: { type: Rta.VIA, kind: 'custom', codec: viaCodec },
    /** The metric (`ip route ... metric N`). */
    priority: { type: Rta.PRIORITY, kind: 'u32' },
    /** Preferred source address for locally generated packets. */
    prefsrc: { type: Rta.PREFSRC, kind: 'ip' },
    metrics: { type: Rta.METRICS, kind: 'nested', table: routeMetricsAttributes },
    multipath: { type: Rta.MULTIPATH, kind: 'custom', codec: multipathCodec },
    flow: { type: Rta.FLOW, kind: 'u32' },
    cacheinfo: { type: Rta.CACHEINFO, kind: 'custom', codec: cacheInfoCodec },
    /** Routing table id; needed above 255, always reported by the kernel. */
    table: { type: Rta.TABLE, kind: 'u32' },
    mark: { type: Rta.MARK, kind: 'u32' },
    /** IPv6 router preference (RoutePref): 0 medium, 1 high, 3 low. */
    pref: { type: Rta.PREF, kind: 'u8' },
    encapType: { type: Rta.ENCAP_TYPE, kind: 'u16' },
    uid: { type: Rta.UID, kind: 'u32' },
    ttlPropagate: { type: Rta.TTL_PROPAGATE, kind: 'u8' },
    ipProto: { type: Rta.IP_PROTO, kind: 'u8' },
    sport: { type: Rta.SPORT, kind: 'be16' },
    dport: { type: Rta.DPORT, kind: 'be16' },
    nhId: { type: Rta.NH_ID, kind: 'u32' },
    flowlabel: { type: Rta.FLOWLABEL, kind: 'be32' },
    /** Output interface index. */
    oif: { type: Rta.OIF, kind: 'u32' },
  },
  { ignore: [Rta.PAD] },
);

export type RouteAttrs = AttributeValues<typeof routeAttributes.fields>;

/** struct rtmsg + attributes. */
export interface RouteMessage {
  family: number;
  dstLen: number;
  srcLen: number;
  tos: number;
  /** RT_TABLE_* (RT_TABLE_MAIN 254); RT_TABLE_UNSPEC with attrs.table for tables above 255. */
  table: number;
  /** RTPROT_*: who installed it (kernel, boot, static...). */
  protocol: number;
  /** RT_SCOPE_*. */
  scope: number;
  /** RTN_*: unicast, local, blackhole... */
  type: number;
  /** RTM_F_* flags. */
  flags: number;
  attrs: RouteAttrs;
}

/** Body of a route message: struct rtmsg + RTA attributes. */
export function encodeRoute(msg: RouteMessage): Buffer {
  checkFamily('route message', msg.family, { dst: msg.attrs.dst, src: msg.attrs.src, gateway: msg.attrs.gateway, prefsrc: msg.attrs.prefsrc });
  const head = Buffer.alloc(RTMSG_LEN);
  const v = viewOf(head);
  const bytes: [string, number][] = [
    ['family', msg.family],
    ['dstLen', msg.dstLen],
    ['srcLen', msg.srcLen],
    ['tos', msg.tos],
    ['table', msg.table],
    ['protocol', msg.protocol],
    ['scope', msg.scope],
    ['type', msg.type],
  ];
  bytes.forEach(([name, n], i) => {
    if (!Number.isInteger(n) || n < 0 || n > 0xff) throw new NetlinkEncodeError(`rtmsg ${name} must be 0..255, not ${n}`);
    v.setUint8(i, n);
  });
  if (!Number.isInteger(msg.flags) || msg.flags < 0 || msg.flags > 0xffffffff) throw new NetlinkEncodeError(`rtmsg flags ${msg.flags} out of range`);
  v.setUint32(8, msg.flags, HOST_LITTLE_ENDIAN);
  const maxLen = msg.family === Af.INET ? 32 : msg.family === Af.INET6 ? 128 : 255;
  if (msg.dstLen > maxLen || msg.srcLen > maxLen) throw new NetlinkEncodeError(`prefix length above ${maxLen} for family ${msg.family}`);
  return concatBytes([head, encodeAttributes(routeAttributes, msg.attrs)]);
}

/** Decodes the body of RTM_NEWROUTE/RTM_DELROUTE. */
export function decodeRoute(body: Uint8Array): RouteMessage {
  if (body.length < RTMSG_LEN) throw new NetlinkDecodeError(`route message body has ${body.length} bytes, too few for the 12-byte struct rtmsg`, 0);
  const v = viewOf(body);
  return {
    family: v.getUint8(0),
    dstLen: v.getUint8(1),
    srcLen: v.getUint8(2),
    tos: v.getUint8(3),
    table: v.getUint8(4),
    protocol: v.getUint8(5),
    scope: v.getUint8(6),
    type: v.getUint8(7),
    flags: v.getUint32(8, HOST_LITTLE_ENDIAN),
    attrs: decodeAttributes(routeAttributes, body.subarray(RTMSG_LEN), RTMSG_LEN),
  };
}
