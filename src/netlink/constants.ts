/**
 * rtnetlink numbers from the kernel's uapi headers (linux/netlink.h, rtnetlink.h, if_link.h, if_addr.h,
 * neighbour.h, if.h, if_arp.h). Kernel names live only under src/netlink/; other layers use these
 * objects, named after the kernel prefix: `Rtm.NEWLINK` is RTM_NEWLINK, `NlmF.ACK` is NLM_F_ACK,
 * `Ifla.IFNAME` is IFLA_IFNAME. Attribute numbers of link kinds live in their own file under kinds/.
 */

/** The netlink protocol number of rtnetlink (NETLINK_ROUTE), for socket(AF_NETLINK, SOCK_RAW, 0). */
export const NETLINK_ROUTE = 0;

/** Size of struct nlmsghdr: len u32, type u16, flags u16, seq u32, pid u32 (host byte order). */
export const NLMSG_HDRLEN = 16;
/** Size of struct nlattr / rtattr: len u16, type u16. */
export const NLA_HDRLEN = 4;
/** Both messages and attributes are padded to 4 bytes. */
export const NLA_ALIGNTO = 4;
/** Attribute type flag: the payload is a nest of attributes. */
export const NLA_F_NESTED = 0x8000;
/** Attribute type flag: the payload is in network byte order. */
export const NLA_F_NET_BYTEORDER = 0x4000;
/** Mask that takes both flags off an attribute type. */
export const NLA_TYPE_MASK = ~(NLA_F_NESTED | NLA_F_NET_BYTEORDER) & 0xffff;

/** Control message types (NLMSG_*), below 16; rtnetlink's own types start at 16. */
export const Nlmsg = {
  NOOP: 1,
  /** An ACK (error 0) or an error; body is struct nlmsgerr. */
  ERROR: 2,
  /** End of a multipart dump; body is an int (0 or a negative errno) and maybe extack TLVs. */
  DONE: 3,
  OVERRUN: 4,
} as const;

/** nlmsg_flags (NLM_F_*). The same bits mean different things for GET and NEW requests. */
export const NlmF = {
  REQUEST: 0x01,
  /** Part of a multipart reply, terminated by NLMSG_DONE. */
  MULTI: 0x02,
  /** Ask for an ACK (an NLMSG_ERROR with error 0) on success. */
  ACK: 0x04,
  ECHO: 0x08,
  /** The dump was interrupted by a change while it ran: the result may be inconsistent, dump again. */
  DUMP_INTR: 0x10,
  DUMP_FILTERED: 0x20,
  // Modifiers to GET requests.
  ROOT: 0x100,
  MATCH: 0x200,
  ATOMIC: 0x400,
  DUMP: 0x300,
  // Modifiers to NEW requests.
  REPLACE: 0x100,
  EXCL: 0x200,
  CREATE: 0x400,
  APPEND: 0x800,
  // Modifiers to DELETE requests.
  NONREC: 0x100,
  BULK: 0x200,
  // Flags of an NLMSG_ERROR reply.
  /** The request payload is not echoed, only its header (always so for ACKs; NETLINK_CAP_ACK for errors). */
  CAPPED: 0x100,
  /** Extended ACK TLVs (NLMSGERR_ATTR_*) follow the echoed request. */
  ACK_TLVS: 0x200,
} as const;

/** Extended ACK attributes (NLMSGERR_ATTR_*) after an NLMSG_ERROR or NLMSG_DONE body. */
export const NlmsgerrAttr = {
  MSG: 1,
  OFFS: 2,
  COOKIE: 3,
  POLICY: 4,
  MISS_TYPE: 5,
  MISS_NEST: 6,
} as const;

/** Socket options at level SOL_NETLINK. */
export const SOL_NETLINK = 270;
export const NetlinkSockopt = {
  ADD_MEMBERSHIP: 1,
  DROP_MEMBERSHIP: 2,
  PKTINFO: 3,
  BROADCAST_ERROR: 4,
  NO_ENOBUFS: 5,
  LISTEN_ALL_NSID: 8,
  CAP_ACK: 10,
  EXT_ACK: 11,
  GET_STRICT_CHK: 12,
} as const;

/** rtnetlink message types (RTM_*). */
export const Rtm = {
  NEWLINK: 16,
  DELLINK: 17,
  GETLINK: 18,
  SETLINK: 19,
  NEWADDR: 20,
  DELADDR: 21,
  GETADDR: 22,
  NEWROUTE: 24,
  DELROUTE: 25,
  GETROUTE: 26,
  NEWNEIGH: 28,
  DELNEIGH: 29,
  GETNEIGH: 30,
  NEWNETCONF: 80,
  DELNETCONF: 81,
  GETNETCONF: 82,
  NEWLINKPROP: 108,
  DELLINKPROP: 109,
  GETLINKPROP: 110,
} as const;

/** Link attributes (IFLA_*): the payload after struct ifinfomsg. */
export const Ifla = {
  UNSPEC: 0,
  ADDRESS: 1,
  BROADCAST: 2,
  IFNAME: 3,
  MTU: 4,
  LINK: 5,
  QDISC: 6,
  STATS: 7,
  COST: 8,
  PRIORITY: 9,
  MASTER: 10,
  WIRELESS: 11,
  PROTINFO: 12,
  TXQLEN: 13,
  MAP: 14,
  WEIGHT: 15,
  OPERSTATE: 16,
  LINKMODE: 17,
  LINKINFO: 18,
  NET_NS_PID: 19,
  IFALIAS: 20,
  NUM_VF: 21,
  VFINFO_LIST: 22,
  STATS64: 23,
  VF_PORTS: 24,
  PORT_SELF: 25,
  AF_SPEC: 26,
  GROUP: 27,
  NET_NS_FD: 28,
  EXT_MASK: 29,
  PROMISCUITY: 30,
  NUM_TX_QUEUES: 31,
  NUM_RX_QUEUES: 32,
  CARRIER: 33,
  PHYS_PORT_ID: 34,
  CARRIER_CHANGES: 35,
  PHYS_SWITCH_ID: 36,
  LINK_NETNSID: 37,
  PHYS_PORT_NAME: 38,
  PROTO_DOWN: 39,
  GSO_MAX_SEGS: 40,
  GSO_MAX_SIZE: 41,
  PAD: 42,
  XDP: 43,
  EVENT: 44,
  NEW_NETNSID: 45,
  TARGET_NETNSID: 46,
  CARRIER_UP_COUNT: 47,
  CARRIER_DOWN_COUNT: 48,
  NEW_IFINDEX: 49,
  MIN_MTU: 50,
  MAX_MTU: 51,
  PROP_LIST: 52,
  ALT_IFNAME: 53,
  PERM_ADDRESS: 54,
  PROTO_DOWN_REASON: 55,
  PARENT_DEV_NAME: 56,
  PARENT_DEV_BUS_NAME: 57,
  GRO_MAX_SIZE: 58,
  TSO_MAX_SIZE: 59,
  TSO_MAX_SEGS: 60,
  ALLMULTI: 61,
  DEVLINK_PORT: 62,
  GSO_IPV4_MAX_SIZE: 63,
  GRO_IPV4_MAX_SIZE: 64,
  DPLL_PIN: 65,
  MAX_PACING_OFFLOAD_HORIZON: 66,
  NETNS_IMMUTABLE: 67,
  HEADROOM: 68,
  TAILROOM: 69,
} as const;

/** Inside IFLA_LINKINFO (IFLA_INFO_*). */
export const IflaInfo = {
  KIND: 1,
  DATA: 2,
  XSTATS: 3,
  SLAVE_KIND: 4,
  SLAVE_DATA: 5,
} as const;

/** IFLA_EXT_MASK bits (RTEXT_FILTER_*) for RTM_GETLINK. */
export const RtextFilter = {
  VF: 1 << 0,
  BRVLAN: 1 << 1,
  BRVLAN_COMPRESSED: 1 << 2,
  SKIP_STATS: 1 << 3,
  MRP: 1 << 4,
  CFM_CONFIG: 1 << 5,
  CFM_STATUS: 1 << 6,
  MST: 1 << 7,
} as const;

/** IFLA_OPERSTATE values (RFC 2863), as `ip link` shows them in "state". */
export const IfOper = {
  UNKNOWN: 0,
  NOTPRESENT: 1,
  DOWN: 2,
  LOWERLAYERDOWN: 3,
  TESTING: 4,
  DORMANT: 5,
  UP: 6,
} as const;

/** Address attributes (IFA_*): the payload after struct ifaddrmsg. */
export const Ifa = {
  UNSPEC: 0,
  ADDRESS: 1,
  LOCAL: 2,
  LABEL: 3,
  BROADCAST: 4,
  ANYCAST: 5,
  CACHEINFO: 6,
  MULTICAST: 7,
  FLAGS: 8,
  RT_PRIORITY: 9,
  TARGET_NETNSID: 10,
  PROTO: 11,
} as const;

/** Address flags (IFA_F_*): the low 8 in ifa_flags, all of them in IFA_FLAGS. */
export const IfaF = {
  SECONDARY: 0x01,
  TEMPORARY: 0x01,
  NODAD: 0x02,
  OPTIMISTIC: 0x04,
  DADFAILED: 0x08,
  HOMEADDRESS: 0x10,
  DEPRECATED: 0x20,
  TENTATIVE: 0x40,
  PERMANENT: 0x80,
  MANAGETEMPADDR: 0x100,
  NOPREFIXROUTE: 0x200,
  MCAUTOJOIN: 0x400,
  STABLE_PRIVACY: 0x800,
} as const;

/** Route attributes (RTA_*): the payload after struct rtmsg. */
export const Rta = {
  UNSPEC: 0,
  DST: 1,
  SRC: 2,
  IIF: 3,
  OIF: 4,
  GATEWAY: 5,
  PRIORITY: 6,
  PREFSRC: 7,
  METRICS: 8,
  MULTIPATH: 9,
  PROTOINFO: 10,
  FLOW: 11,
  CACHEINFO: 12,
  SESSION: 13,
  MP_ALGO: 14,
  TABLE: 15,
  MARK: 16,
  MFC_STATS: 17,
  VIA: 18,
  NEWDST: 19,
  PREF: 20,
  ENCAP_TYPE: 21,
  ENCAP: 22,
  EXPIRES: 23,
  PAD: 24,
  UID: 25,
  TTL_PROPAGATE: 26,
  IP_PROTO: 27,
  SPORT: 28,
  DPORT: 29,
  NH_ID: 30,
  FLOWLABEL: 31,
} as const;

/** Route metrics inside RTA_METRICS (RTAX_*). */
export const Rtax = {
  LOCK: 1,
  MTU: 2,
  WINDOW: 3,
  RTT: 4,
  RTTVAR: 5,
  SSTHRESH: 6,
  CWND: 7,
  ADVMSS: 8,
  REORDERING: 9,
  HOPLIMIT: 10,
  INITCWND: 11,
  FEATURES: 12,
  RTO_MIN: 13,
  INITRWND: 14,
  QUICKACK: 15,
  CC_ALGO: 16,
  FASTOPEN_NO_COOKIE: 17,
} as const;

/** Route types (rtm_type, RTN_*). */
export const Rtn = {
  UNSPEC: 0,
  UNICAST: 1,
  LOCAL: 2,
  BROADCAST: 3,
  ANYCAST: 4,
  MULTICAST: 5,
  BLACKHOLE: 6,
  UNREACHABLE: 7,
  PROHIBIT: 8,
  THROW: 9,
  NAT: 10,
  XRESOLVE: 11,
} as const;

/** Route and address scopes (RT_SCOPE_*). */
export const RtScope = {
  UNIVERSE: 0,
  SITE: 200,
  LINK: 253,
  HOST: 254,
  NOWHERE: 255,
} as const;

/** Who installed a route (rtm_protocol, RTPROT_*). */
export const Rtprot = {
  UNSPEC: 0,
  REDIRECT: 1,
  KERNEL: 2,
  /** What `ip route add` uses by default. */
  BOOT: 3,
  STATIC: 4,
  GATED: 8,
  RA: 9,
  MRT: 10,
  /** FRR's zebra, for the routes its daemons do not name. */
  ZEBRA: 11,
  BIRD: 12,
  DNROUTED: 13,
  XORP: 14,
  NTK: 15,
  DHCP: 16,
  KEEPALIVED: 18,
  BABEL: 42,
  OPENR: 99,
  BGP: 186,
  ISIS: 187,
  OSPF: 188,
  RIP: 189,
  EIGRP: 192,
} as const;

/**
 * The names of route protocols as `ip route` prints them: iproute2's rt_protos, and the ones FRR adds for
 * its daemons (its rt_protos.d/frr.conf; 196 is staticd's, 11 zebra's own).
 */
const ROUTE_PROTOCOL_NAMES: Readonly<Record<number, string>> = {
  0: 'unspec',
  1: 'redirect',
  2: 'kernel',
  3: 'boot',
  4: 'static',
  8: 'gated',
  9: 'ra',
  10: 'mrt',
  11: 'zebra',
  12: 'bird',
  13: 'dnrouted',
  14: 'xorp',
  15: 'ntk',
  16: 'dhcp',
  18: 'keepalived',
  42: 'babel',
  99: 'openr',
  186: 'bgp',
  187: 'isis',
  188: 'ospf',
  189: 'rip',
  190: 'ripng',
  191: 'nhrp',
  192: 'eigrp',
  193: 'ldp',
  194: 'sharp',
  195: 'pbr',
  196: 'static',
  197: 'openfabric',
};

/** A route protocol's name as `ip route` prints it (`kernel`, `ospf`), or its number when it has none. */
export function rtprotName(protocol: number): string {
  return ROUTE_PROTOCOL_NAMES[protocol] ?? String(protocol);
}

/** Routing tables (RT_TABLE_*). Tables above 255 go in RTA_TABLE; rtm_table then says RT_TABLE_UNSPEC. */
export const RtTable = {
  UNSPEC: 0,
  COMPAT: 252,
  DEFAULT: 253,
  MAIN: 254,
  LOCAL: 255,
} as const;

/** rtm_flags (RTM_F_*) and per-nexthop flags (RTNH_F_*). */
export const RtmF = {
  NOTIFY: 0x100,
  CLONED: 0x200,
  EQUALIZE: 0x400,
  PREFIX: 0x800,
  LOOKUP_TABLE: 0x1000,
  FIB_MATCH: 0x2000,
  OFFLOAD: 0x4000,
  TRAP: 0x8000,
} as const;
export const RtnhF = {
  DEAD: 1,
  PERVASIVE: 2,
  ONLINK: 4,
  OFFLOAD: 8,
  LINKDOWN: 16,
  UNRESOLVED: 32,
  TRAP: 64,
} as const;

/** IPv6 route preference (RTA_PREF, ICMPV6_ROUTER_PREF_*). */
export const RoutePref = {
  MEDIUM: 0,
  HIGH: 1,
  INVALID: 2,
  LOW: 3,
} as const;

/** Neighbour attributes (NDA_*): the payload after struct ndmsg. */
export const Nda = {
  UNSPEC: 0,
  DST: 1,
  LLADDR: 2,
  CACHEINFO: 3,
  PROBES: 4,
  VLAN: 5,
  PORT: 6,
  VNI: 7,
  IFINDEX: 8,
  MASTER: 9,
  LINK_NETNSID: 10,
  SRC_VNI: 11,
  PROTOCOL: 12,
  NH_ID: 13,
  FDB_EXT_ATTRS: 14,
  FLAGS_EXT: 15,
  NDM_STATE_MASK: 16,
  NDM_FLAGS_MASK: 17,
} as const;

/** Device configuration attributes (NETCONFA_*): the payload after struct netconfmsg. */
export const Netconfa = {
  UNSPEC: 0,
  IFINDEX: 1,
  FORWARDING: 2,
  RP_FILTER: 3,
  MC_FORWARDING: 4,
  PROXY_NEIGH: 5,
  IGNORE_ROUTES_WITH_LINKDOWN: 6,
  INPUT: 7,
  BC_FORWARDING: 8,
} as const;

/** The NETCONFA_IFINDEX of the `all` and `default` settings (NETCONFA_IFINDEX_ALL, _DEFAULT). */
export const NetconfIndex = {
  ALL: -1,
  DEFAULT: -2,
} as const;

/** Neighbour states (ndm_state, NUD_*). */
export const Nud = {
  NONE: 0x00,
  INCOMPLETE: 0x01,
  REACHABLE: 0x02,
  STALE: 0x04,
  DELAY: 0x08,
  PROBE: 0x10,
  FAILED: 0x20,
  NOARP: 0x40,
  PERMANENT: 0x80,
} as const;

/** Neighbour flags (ndm_flags, NTF_*). */
export const Ntf = {
  USE: 0x01,
  SELF: 0x02,
  MASTER: 0x04,
  PROXY: 0x08,
  EXT_LEARNED: 0x10,
  OFFLOADED: 0x20,
  STICKY: 0x40,
  ROUTER: 0x80,
} as const;

/** Interface flags (ifi_flags, IFF_*), as `ip link` shows them between angle brackets. */
export const Iff = {
  UP: 0x1,
  BROADCAST: 0x2,
  DEBUG: 0x4,
  LOOPBACK: 0x8,
  POINTOPOINT: 0x10,
  NOTRAILERS: 0x20,
  RUNNING: 0x40,
  NOARP: 0x80,
  PROMISC: 0x100,
  ALLMULTI: 0x200,
  MASTER: 0x400,
  SLAVE: 0x800,
  MULTICAST: 0x1000,
  PORTSEL: 0x2000,
  AUTOMEDIA: 0x4000,
  DYNAMIC: 0x8000,
  LOWER_UP: 0x10000,
  DORMANT: 0x20000,
  ECHO: 0x40000,
} as const;

/** Address families (AF_*). */
export const Af = {
  UNSPEC: 0,
  INET: 2,
  BRIDGE: 7,
  INET6: 10,
  MPLS: 28,
} as const;

/** Link-layer types (ifi_type, ARPHRD_*). */
export const Arphrd = {
  /** Also what a request carries: the kernel ignores ifi_type in RTM_NEWLINK. */
  NETROM: 0,
  ETHER: 1,
  LOOPBACK: 772,
  NONE: 0xfffe,
} as const;

/** Multicast groups for event subscriptions (RTNLGRP_*); NETLINK_ADD_MEMBERSHIP takes these numbers. */
export const Rtnlgrp = {
  NONE: 0,
  LINK: 1,
  NOTIFY: 2,
  NEIGH: 3,
  TC: 4,
  IPV4_IFADDR: 5,
  IPV4_MROUTE: 6,
  IPV4_ROUTE: 7,
  IPV4_RULE: 8,
  IPV6_IFADDR: 9,
  IPV6_MROUTE: 10,
  IPV6_ROUTE: 11,
  IPV6_IFINFO: 12,
  NSID: 28,
} as const;

/** Traffic-control message types (RTM_*QDISC, RTM_*TCLASS, RTM_*TFILTER); messageTypeName() knows them too. */
export const RtmTc = {
  NEWQDISC: 36,
  DELQDISC: 37,
  GETQDISC: 38,
  NEWTCLASS: 40,
  DELTCLASS: 41,
  GETTCLASS: 42,
  NEWTFILTER: 44,
  DELTFILTER: 45,
  GETTFILTER: 46,
} as const;

/** Traffic-control attributes (TCA_*): the payload after struct tcmsg. Options of a kind live in qdiscs/. */
export const Tca = {
  UNSPEC: 0,
  KIND: 1,
  OPTIONS: 2,
  STATS: 3,
  XSTATS: 4,
  RATE: 5,
  FCNT: 6,
  STATS2: 7,
  STAB: 8,
  PAD: 9,
  DUMP_INVISIBLE: 10,
  CHAIN: 11,
  HW_OFFLOAD: 12,
  INGRESS_BLOCK: 13,
  EGRESS_BLOCK: 14,
  DUMP_FLAGS: 15,
  EXT_WARN_MSG: 16,
} as const;

/**
 * Traffic-control handles (TC_H_*): 32 bits, major in the high 16, minor in the low 16; `tc` writes them
 * as hex `MAJ:MIN` (8001: is major 0x8001, minor 0). tcHMake() and friends in tc.ts take them apart.
 */
export const TcH = {
  MAJ_MASK: 0xffff0000,
  MIN_MASK: 0x0000ffff,
  UNSPEC: 0,
  /** The parent of a device's root qdisc ("root"). */
  ROOT: 0xffffffff,
  /** The parent of the ingress and clsact qdiscs. */
  INGRESS: 0xfffffff1,
  CLSACT: 0xfffffff1,
  MIN_PRIORITY: 0xffe0,
  MIN_INGRESS: 0xfff2,
  MIN_EGRESS: 0xfff3,
} as const;

/** Link layer of a struct tc_ratespec (TC_LINKLAYER_*, the low 4 bits of its linklayer byte). */
export const TcLinklayer = {
  /** Old tc that knows no link layer: the kernel then reads the rate table (TCA_*_RTAB). */
  UNAWARE: 0,
  ETHERNET: 1,
  ATM: 2,
  MASK: 0x0f,
} as const;

const controlNames: Readonly<Record<number, string>> = { 1: 'NLMSG_NOOP', 2: 'NLMSG_ERROR', 3: 'NLMSG_DONE', 4: 'NLMSG_OVERRUN' };
const rtmNames = new Map<number, string>([...Object.entries(Rtm), ...Object.entries(RtmTc)].map(([k, v]) => [v, `RTM_${k}`]));

/** The kernel name of a message type: `messageTypeName(16)` is `'RTM_NEWLINK'`; unknown types read `type 99`. */
export function messageTypeName(type: number): string {
  return controlNames[type] ?? rtmNames.get(type) ?? `type ${type}`;
}

export { errnoName, errnoDescription, errnoNumber } from './errno.js';
