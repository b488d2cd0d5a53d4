/**
 * IFLA_STATS64: struct rtnl_link_stats64, the counters of a link, as `ip -s link` prints them. 64-bit
 * counters in host byte order, one after another; kernels have added fields at the end over time (23 in
 * 4.x, 24 with rx_nohandler, 25 with rx_otherhost_dropped), so the struct is read as far as it goes and
 * a field the kernel did not send is absent.
 */
import type { AttributeCodec } from './attributes.js';
import { HOST_LITTLE_ENDIAN, viewOf } from './bytes.js';
import { NetlinkDecodeError } from './error.js';

/**
 * A link's counters since it was made, as `ip -s link` prints them; a field the kernel did not send is
 * absent. Numbers, not bigints: they are exact up to 2^53 (9 PB, or 9e15 packets), which no lab reaches.
 */
export interface LinkStats {
  rxPackets?: number;
  txPackets?: number;
  rxBytes?: number;
  txBytes?: number;
  rxErrors?: number;
  txErrors?: number;
  rxDropped?: number;
  txDropped?: number;
  multicast?: number;
  collisions?: number;
  rxLengthErrors?: number;
  rxOverErrors?: number;
  rxCrcErrors?: number;
  rxFrameErrors?: number;
  rxFifoErrors?: number;
  rxMissedErrors?: number;
  txAbortedErrors?: number;
  txCarrierErrors?: number;
  txFifoErrors?: number;
  txHeartbeatErrors?: number;
  txWindowErrors?: number;
  rxCompressed?: number;
  txCompressed?: number;
  rxNohandler?: number;
  rxOtherhostDropped?: number;
}

/** The fields of struct rtnl_link_stats64, in their order on the wire. */
export const LINK_STATS_FIELDS: readonly (keyof LinkStats)[] = [
  'rxPackets',
  'txPackets',
  'rxBytes',
  'txBytes',
  'rxErrors',
  'txErrors',
  'rxDropped',
  'txDropped',
  'multicast',
  'collisions',
  'rxLengthErrors',
  'rxOverErrors',
  'rxCrcErrors',
  'rxFrameErrors',
  'rxFifoErrors',
  'rxMissedErrors',
  'txAbortedErrors',
  'txCarrierErrors',
  'txFifoErrors',
  'txHeartbeatErrors',
  'txWindowErrors',
  'rxCompressed',
  'txCompressed',
  'rxNohandler',
  'rxOtherhostDropped',
];

/** The codec of IFLA_STATS64. */
export const linkStatsCodec: AttributeCodec<LinkStats> = {
  encode(stats) {
    let count = 0;
    LINK_STATS_FIELDS.forEach((f, i) => {
      if (stats[f] !== undefined) count = i + 1;
    });
    const out = new Uint8Array(count * 8);
    const v = viewOf(out);
    for (let i = 0; i < count; i++) v.setBigUint64(i * 8, BigInt(stats[LINK_STATS_FIELDS[i] as keyof LinkStats] ?? 0), HOST_LITTLE_ENDIAN);
    return out;
  },
  decode(payload, at) {
    if (payload.length % 8 !== 0)
      throw new NetlinkDecodeError(`struct rtnl_link_stats64 has ${payload.length} bytes, not a whole number of 64-bit counters`, at);
    const v = viewOf(payload);
    const stats: LinkStats = {};
    const count = Math.min(payload.length / 8, LINK_STATS_FIELDS.length);
    for (let i = 0; i < count; i++) stats[LINK_STATS_FIELDS[i] as keyof LinkStats] = Number(v.getBigUint64(i * 8, HOST_LITTLE_ENDIAN));
    return stats;
  },
};
