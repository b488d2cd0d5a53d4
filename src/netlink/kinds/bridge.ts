/**
 * bridge: a software switch. IFLA_INFO_DATA carries IFLA_BR_* options of the bridge itself; a port (any
 * link whose IFLA_MASTER is the bridge) carries IFLA_BRPORT_* in IFLA_INFO_SLAVE_DATA with
 * IFLA_INFO_SLAVE_KIND 'bridge'. Times are in centiseconds (USER_HZ): forwardDelay 1500 is 15 s.
 * Equivalent to: ip link add br0 type bridge forward_delay 400 stp_state 0
 */
import { defineAttributes, decodeAttributes, encodeAttributes } from '../attributes.js';
import type { AttributeCodec, AttributeValues } from '../attributes.js';
import { HOST_LITTLE_ENDIAN, viewOf } from '../bytes.js';
import { bytesToMac, macToBytes } from '../address.js';
import { NetlinkDecodeError, NetlinkEncodeError } from '../error.js';
import type { LinkKindCodec, PortKindCodec } from '../link-kind.js';

/** Bridge attributes (IFLA_BR_*). */
export const IflaBr = {
  FORWARD_DELAY: 1,
  HELLO_TIME: 2,
  MAX_AGE: 3,
  AGEING_TIME: 4,
  STP_STATE: 5,
  PRIORITY: 6,
  VLAN_FILTERING: 7,
  VLAN_PROTOCOL: 8,
  GROUP_FWD_MASK: 9,
  ROOT_ID: 10,
  BRIDGE_ID: 11,
  ROOT_PORT: 12,
  ROOT_PATH_COST: 13,
  TOPOLOGY_CHANGE: 14,
  TOPOLOGY_CHANGE_DETECTED: 15,
  HELLO_TIMER: 16,
  TCN_TIMER: 17,
  TOPOLOGY_CHANGE_TIMER: 18,
  GC_TIMER: 19,
  GROUP_ADDR: 20,
  FDB_FLUSH: 21,
  MCAST_ROUTER: 22,
  MCAST_SNOOPING: 23,
  MCAST_QUERY_USE_IFADDR: 24,
  MCAST_QUERIER: 25,
  MCAST_HASH_ELASTICITY: 26,
  MCAST_HASH_MAX: 27,
  MCAST_LAST_MEMBER_CNT: 28,
  MCAST_STARTUP_QUERY_CNT: 29,
  MCAST_LAST_MEMBER_INTVL: 30,
  MCAST_MEMBERSHIP_INTVL: 31,
  MCAST_QUERIER_INTVL: 32,
  MCAST_QUERY_INTVL: 33,
  MCAST_QUERY_RESPONSE_INTVL: 34,
  MCAST_STARTUP_QUERY_INTVL: 35,
  NF_CALL_IPTABLES: 36,
  NF_CALL_IP6TABLES: 37,
  NF_CALL_ARPTABLES: 38,
  VLAN_DEFAULT_PVID: 39,
  PAD: 40,
  VLAN_STATS_ENABLED: 41,
  MCAST_STATS_ENABLED: 42,
  MCAST_IGMP_VERSION: 43,
  MCAST_MLD_VERSION: 44,
  VLAN_STATS_PER_PORT: 45,
  MULTI_BOOLOPT: 46,
  MCAST_QUERIER_STATE: 47,
  FDB_N_LEARNED: 48,
  FDB_MAX_LEARNED: 49,
} as const;

/** Bridge port attributes (IFLA_BRPORT_*), in IFLA_INFO_SLAVE_DATA of a port. */
export const IflaBrport = {
  STATE: 1,
  PRIORITY: 2,
  COST: 3,
  MODE: 4,
  GUARD: 5,
  PROTECT: 6,
  FAST_LEAVE: 7,
  LEARNING: 8,
  UNICAST_FLOOD: 9,
  PROXYARP: 10,
  LEARNING_SYNC: 11,
  PROXYARP_WIFI: 12,
  ROOT_ID: 13,
  BRIDGE_ID: 14,
  DESIGNATED_PORT: 15,
  DESIGNATED_COST: 16,
  ID: 17,
  NO: 18,
  TOPOLOGY_CHANGE_ACK: 19,
  CONFIG_PENDING: 20,
  MESSAGE_AGE_TIMER: 21,
  FORWARD_DELAY_TIMER: 22,
  HOLD_TIMER: 23,
  FLUSH: 24,
  MULTICAST_ROUTER: 25,
  PAD: 26,
  MCAST_FLOOD: 27,
  MCAST_TO_UCAST: 28,
  VLAN_TUNNEL: 29,
  BCAST_FLOOD: 30,
  GROUP_FWD_MASK: 31,
  NEIGH_SUPPRESS: 32,
  ISOLATED: 33,
  BACKUP_PORT: 34,
  MRP_RING_OPEN: 35,
  MRP_IN_OPEN: 36,
  MCAST_EHT_HOSTS_LIMIT: 37,
  MCAST_EHT_HOSTS_CNT: 38,
  LOCKED: 39,
} as const;

/** struct ifla_bridge_id: priority (2 bytes, network order) and MAC; `ip -d link` prints 8000.2:0:0:0:0:1. */
export interface BridgeId {
  priority: number;
  address: string;
}

const bridgeIdCodec: AttributeCodec<BridgeId> = {
  encode(id) {
    const mac = macToBytes(id.address);
    if (mac.length !== 6) throw new NetlinkEncodeError(`bridge id address "${id.address}" must be 6 bytes`);
    const out = new Uint8Array(8);
    viewOf(out).setUint16(0, id.priority, false);
    out.set(mac, 2);
    return out;
  },
  decode(payload, at) {
    if (payload.length !== 8) throw new NetlinkDecodeError(`struct ifla_bridge_id has ${payload.length} bytes, expected 8`, at);
    return { priority: viewOf(payload).getUint16(0, false), address: bytesToMac(payload.subarray(2, 8)) };
  },
};

/** struct br_boolopt_multi: which boolean options are on (`value`) among those in `mask` (BR_BOOLOPT_* bits). */
export interface BridgeBoolopts {
  value: number;
  mask: number;
}

const booloptCodec: AttributeCodec<BridgeBoolopts> = {
  encode(o) {
    const out = new Uint8Array(8);
    const v = viewOf(out);
    v.setUint32(0, o.value, HOST_LITTLE_ENDIAN);
    v.setUint32(4, o.mask, HOST_LITTLE_ENDIAN);
    return out;
  },
  decode(payload, at) {
    if (payload.length !== 8) throw new NetlinkDecodeError(`struct br_boolopt_multi has ${payload.length} bytes, expected 8`, at);
    const v = viewOf(payload);
    return { value: v.getUint32(0, HOST_LITTLE_ENDIAN), mask: v.getUint32(4, HOST_LITTLE_ENDIAN) };
  },
};

export const bridgeAttributes = defineAttributes(
  'IFLA_BR',
  {
    /** Centiseconds a port spends listening and learning before forwarding (STP). Default 1500. */
    forwardDelay: { type: IflaBr.FORWARD_DELAY, kind: 'u32' },
    helloTime: { type: IflaBr.HELLO_TIME, kind: 'u32' },
    maxAge: { type: IflaBr.MAX_AGE, kind: 'u32' },
    /** Centiseconds a learnt MAC stays in the forwarding database. Default 30000. */
    ageingTime: { type: IflaBr.AGEING_TIME, kind: 'u32' },
    /** 0 off, 1 kernel STP, 2 user-space STP. */
    stpState: { type: IflaBr.STP_STATE, kind: 'u32' },
    priority: { type: IflaBr.PRIORITY, kind: 'u16' },
    vlanFiltering: { type: IflaBr.VLAN_FILTERING, kind: 'bool8' },
    /** 0x8100 (802.1Q) or 0x88a8 (802.1ad). */
    vlanProtocol: { type: IflaBr.VLAN_PROTOCOL, kind: 'be16' },
    groupFwdMask: { type: IflaBr.GROUP_FWD_MASK, kind: 'u16' },
    rootId: { type: IflaBr.ROOT_ID, kind: 'custom', codec: bridgeIdCodec },
    bridgeId: { type: IflaBr.BRIDGE_ID, kind: 'custom', codec: bridgeIdCodec },
    rootPort: { type: IflaBr.ROOT_PORT, kind: 'u16' },
    rootPathCost: { type: IflaBr.ROOT_PATH_COST, kind: 'u32' },
    topologyChange: { type: IflaBr.TOPOLOGY_CHANGE, kind: 'bool8' },
    topologyChangeDetected: { type: IflaBr.TOPOLOGY_CHANGE_DETECTED, kind: 'bool8' },
    helloTimer: { type: IflaBr.HELLO_TIMER, kind: 'u64' },
    tcnTimer: { type: IflaBr.TCN_TIMER, kind: 'u64' },
    topologyChangeTimer: { type: IflaBr.TOPOLOGY_CHANGE_TIMER, kind: 'u64' },
    gcTimer: { type: IflaBr.GC_TIMER, kind: 'u64' },
    groupAddr: { type: IflaBr.GROUP_ADDR, kind: 'mac' },
    /** Send to flush the forwarding database. */
    fdbFlush: { type: IflaBr.FDB_FLUSH, kind: 'flag' },
    mcastRouter: { type: IflaBr.MCAST_ROUTER, kind: 'u8' },
    /** IGMP/MLD snooping; off makes the bridge flood multicast like broadcast. */
    mcastSnooping: { type: IflaBr.MCAST_SNOOPING, kind: 'bool8' },
    mcastQueryUseIfaddr: { type: IflaBr.MCAST_QUERY_USE_IFADDR, kind: 'bool8' },
    mcastQuerier: { type: IflaBr.MCAST_QUERIER, kind: 'bool8' },
    mcastHashElasticity: { type: IflaBr.MCAST_HASH_ELASTICITY, kind: 'u32' },
    mcastHashMax: { type: IflaBr.MCAST_HASH_MAX, kind: 'u32' },
    mcastLastMemberCount: { type: IflaBr.MCAST_LAST_MEMBER_CNT, kind: 'u32' },
    mcastStartupQueryCount: { type: IflaBr.MCAST_STARTUP_QUERY_CNT, kind: 'u32' },
    mcastLastMemberInterval: { type: IflaBr.MCAST_LAST_MEMBER_INTVL, kind: 'u64' },
    mcastMembershipInterval: { type: IflaBr.MCAST_MEMBERSHIP_INTVL, kind: 'u64' },
    mcastQuerierInterval: { type: IflaBr.MCAST_QUERIER_INTVL, kind: 'u64' },
    mcastQueryInterval: { type: IflaBr.MCAST_QUERY_INTVL, kind: 'u64' },
    mcastQueryResponseInterval: { type: IflaBr.MCAST_QUERY_RESPONSE_INTVL, kind: 'u64' },
    mcastStartupQueryInterval: { type: IflaBr.MCAST_STARTUP_QUERY_INTVL, kind: 'u64' },
    nfCallIptables: { type: IflaBr.NF_CALL_IPTABLES, kind: 'bool8' },
    nfCallIp6tables: { type: IflaBr.NF_CALL_IP6TABLES, kind: 'bool8' },
    nfCallArptables: { type: IflaBr.NF_CALL_ARPTABLES, kind: 'bool8' },
    vlanDefaultPvid: { type: IflaBr.VLAN_DEFAULT_PVID, kind: 'u16' },
    vlanStatsEnabled: { type: IflaBr.VLAN_STATS_ENABLED, kind: 'bool8' },
    mcastStatsEnabled: { type: IflaBr.MCAST_STATS_ENABLED, kind: 'bool8' },
    mcastIgmpVersion: { type: IflaBr.MCAST_IGMP_VERSION, kind: 'u8' },
    mcastMldVersion: { type: IflaBr.MCAST_MLD_VERSION, kind: 'u8' },
    vlanStatsPerPort: { type: IflaBr.VLAN_STATS_PER_PORT, kind: 'bool8' },
    multiBoolopt: { type: IflaBr.MULTI_BOOLOPT, kind: 'custom', codec: booloptCodec },
    fdbLearnedCount: { type: IflaBr.FDB_N_LEARNED, kind: 'u32' },
    fdbMaxLearned: { type: IflaBr.FDB_MAX_LEARNED, kind: 'u32' },
  },
  { ignore: [IflaBr.PAD] },
);

export const bridgePortAttributes = defineAttributes(
  'IFLA_BRPORT',
  {
    /** STP port state: 0 disabled, 1 listening, 2 learning, 3 forwarding, 4 blocking. */
    state: { type: IflaBrport.STATE, kind: 'u8' },
    priority: { type: IflaBrport.PRIORITY, kind: 'u16' },
    cost: { type: IflaBrport.COST, kind: 'u32' },
    /** Hairpin mode: send frames back out of the port they came in on. */
    hairpin: { type: IflaBrport.MODE, kind: 'bool8' },
    guard: { type: IflaBrport.GUARD, kind: 'bool8' },
    protect: { type: IflaBrport.PROTECT, kind: 'bool8' },
    fastLeave: { type: IflaBrport.FAST_LEAVE, kind: 'bool8' },
    learning: { type: IflaBrport.LEARNING, kind: 'bool8' },
    unicastFlood: { type: IflaBrport.UNICAST_FLOOD, kind: 'bool8' },
    proxyArp: { type: IflaBrport.PROXYARP, kind: 'bool8' },
    learningSync: { type: IflaBrport.LEARNING_SYNC, kind: 'bool8' },
    proxyArpWifi: { type: IflaBrport.PROXYARP_WIFI, kind: 'bool8' },
    rootId: { type: IflaBrport.ROOT_ID, kind: 'custom', codec: bridgeIdCodec },
    bridgeId: { type: IflaBrport.BRIDGE_ID, kind: 'custom', codec: bridgeIdCodec },
    designatedPort: { type: IflaBrport.DESIGNATED_PORT, kind: 'u16' },
    designatedCost: { type: IflaBrport.DESIGNATED_COST, kind: 'u16' },
    id: { type: IflaBrport.ID, kind: 'u16' },
    no: { type: IflaBrport.NO, kind: 'u16' },
    topologyChangeAck: { type: IflaBrport.TOPOLOGY_CHANGE_ACK, kind: 'bool8' },
    configPending: { type: IflaBrport.CONFIG_PENDING, kind: 'bool8' },
    messageAgeTimer: { type: IflaBrport.MESSAGE_AGE_TIMER, kind: 'u64' },
    forwardDelayTimer: { type: IflaBrport.FORWARD_DELAY_TIMER, kind: 'u64' },
    holdTimer: { type: IflaBrport.HOLD_TIMER, kind: 'u64' },
    /** Send to flush this port's forwarding database entries. */
    flush: { type: IflaBrport.FLUSH, kind: 'flag' },
    multicastRouter: { type: IflaBrport.MULTICAST_ROUTER, kind: 'u8' },
    mcastFlood: { type: IflaBrport.MCAST_FLOOD, kind: 'bool8' },
    mcastToUnicast: { type: IflaBrport.MCAST_TO_UCAST, kind: 'bool8' },
    vlanTunnel: { type: IflaBrport.VLAN_TUNNEL, kind: 'bool8' },
    broadcastFlood: { type: IflaBrport.BCAST_FLOOD, kind: 'bool8' },
    groupFwdMask: { type: IflaBrport.GROUP_FWD_MASK, kind: 'u16' },
    neighSuppress: { type: IflaBrport.NEIGH_SUPPRESS, kind: 'bool8' },
    isolated: { type: IflaBrport.ISOLATED, kind: 'bool8' },
    backupPort: { type: IflaBrport.BACKUP_PORT, kind: 'u32' },
    mrpRingOpen: { type: IflaBrport.MRP_RING_OPEN, kind: 'bool8' },
    mrpInOpen: { type: IflaBrport.MRP_IN_OPEN, kind: 'bool8' },
    mcastEhtHostsLimit: { type: IflaBrport.MCAST_EHT_HOSTS_LIMIT, kind: 'u32' },
    mcastEhtHostsCount: { type: IflaBrport.MCAST_EHT_HOSTS_CNT, kind: 'u32' },
    locked: { type: IflaBrport.LOCKED, kind: 'bool8' },
  },
  { ignore: [IflaBrport.PAD] },
);

export type BridgeAttrs = AttributeValues<typeof bridgeAttributes.fields>;
export type BridgePortAttrs = AttributeValues<typeof bridgePortAttributes.fields>;

export interface BridgeLinkInfo extends BridgeAttrs {
  kind: 'bridge';
  raw?: never;
}

/** Options of a bridge port, from IFLA_INFO_SLAVE_DATA (`ip link set dev X type bridge_slave ...`). */
export interface BridgePortInfo extends BridgePortAttrs {
  kind: 'bridge';
  raw?: never;
}

export const bridgeKind: LinkKindCodec<BridgeLinkInfo> = {
  kind: 'bridge',
  encodeData(info) {
    const data = encodeAttributes(bridgeAttributes, info);
    return data.length > 0 ? data : undefined;
  },
  decodeData(data, at) {
    return { kind: 'bridge', ...(data === undefined ? {} : decodeAttributes(bridgeAttributes, data, at)) };
  },
};

export const bridgePortKind: PortKindCodec<BridgePortInfo> = {
  kind: 'bridge',
  encodeData(info) {
    const data = encodeAttributes(bridgePortAttributes, info);
    return data.length > 0 ? data : undefined;
  },
  decodeData(data, at) {
    return { kind: 'bridge', ...(data === undefined ? {} : decodeAttributes(bridgePortAttributes, data, at)) };
  },
};
