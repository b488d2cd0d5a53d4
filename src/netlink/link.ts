/**
 * Links (RTM_NEWLINK, RTM_DELLINK, RTM_GETLINK, RTM_NEWLINKPROP, RTM_DELLINKPROP): struct ifinfomsg
 * (family u8, pad u8, type u16, index s32, flags u32, change u32) followed by IFLA_* attributes.
 *
 * Kernel rules worth knowing when building requests:
 *   - a create request names the link with IFLA_IFNAME and leaves index 0; other requests pick the link by
 *     index or, with index 0, by IFLA_IFNAME (or IFLA_ALT_IFNAME).
 *   - flags/change: only bits set in `change` are applied (flags IFF_UP, change IFF_UP = "ip link set up").
 *   - IFLA_NET_NS_FD or IFLA_NET_NS_PID in a create request creates the link in that namespace; in a
 *     change request it moves the link there.
 *   - the kernel ignores IFLA_IFALIAS in a new link: set it with a second RTM_NEWLINK.
 *   - altnames are not IFLA attributes of RTM_NEWLINK: add and remove them with RTM_NEWLINKPROP and
 *     RTM_DELLINKPROP (encodeLinkProp).
 */
import { decodeAttributes, defineAttributes, encodeAttributesAfter, encodeRawAttributes, splitAttributes } from './attributes.js';
import type { AttributeCodec, AttributeValues, RawAttribute } from './attributes.js';
import { HOST_LITTLE_ENDIAN, copyBytes, putU16, putU32, viewOf } from './bytes.js';
import { Ifla, IflaInfo } from './constants.js';
import { NetlinkDecodeError, NetlinkEncodeError } from './error.js';
import type { LinkCodecContext } from './link-kind.js';
import { linkStatsCodec } from './link-stats.js';
import { linkKinds, portKinds } from './kinds/index.js';
import type { LinkInfo, PortInfo } from './kinds/index.js';

/** Size of struct ifinfomsg. */
export const IFINFOMSG_LEN = 16;

/** IFLA_PROP_LIST: a nest of IFLA_ALT_IFNAME strings (altnames, up to 127 characters each). */
const altnamesCodec: AttributeCodec<string[]> = {
  nested: true,
  encode(names) {
    return encodeRawAttributes(names.map((n) => ({ type: Ifla.ALT_IFNAME, data: Buffer.from(`${n}\0`, 'utf8') })));
  },
  decode(payload, at) {
    return splitAttributes(payload, at, 'IFLA_PROP_LIST attribute')
      .filter((a) => a.type === Ifla.ALT_IFNAME)
      .map((a) => {
        const nul = a.data.indexOf(0);
        return Buffer.from(a.data.subarray(0, nul === -1 ? a.data.length : nul)).toString('utf8');
      });
  },
};

/** The IFLA_LINKINFO nest as one value: the link's own kind and its options as a port of its master. */
interface LinkInfoNest {
  info?: LinkInfo;
  port?: PortInfo;
}

function readKind(data: Uint8Array): string {
  const nul = data.indexOf(0);
  return Buffer.from(data.subarray(0, nul === -1 ? data.length : nul)).toString('utf8');
}

/** IFLA_INFO_KIND goes without a NUL, as iproute2 sends it (NLA_STRING; the kernel's own replies add one). */
const kindString = (kind: string): Uint8Array => Buffer.from(kind, 'utf8');

const linkCodecContext: LinkCodecContext = {
  encodeLink: (msg) => encodeLink(msg),
  decodeLink: (body, base) => decodeLinkAt(body, base),
};

const linkInfoCodec: AttributeCodec<LinkInfoNest> = {
  nested: true,
  encode(nest) {
    const parts: RawAttribute[] = [];
    const { info, port } = nest;
    if (info !== undefined) {
      parts.push({ type: IflaInfo.KIND, data: kindString(info.kind) });
      let data: Uint8Array | undefined;
      if (info.raw === true) {
        data = info.data;
      } else {
        const codec = linkKinds.get(info.kind);
        if (codec === undefined) throw new NetlinkEncodeError(`link kind "${info.kind}" has no codec; pass it as { kind, raw: true, data }`);
        data = codec.encodeData(info, linkCodecContext);
      }
      if (data !== undefined) parts.push({ type: IflaInfo.DATA, nested: true, data });
    }
    if (port !== undefined) {
      parts.push({ type: IflaInfo.SLAVE_KIND, data: kindString(port.kind) });
      let data: Uint8Array | undefined;
      if (port.raw === true) {
        data = port.data;
      } else {
        const codec = portKinds.get(port.kind);
        if (codec === undefined) throw new NetlinkEncodeError(`port kind "${port.kind}" has no codec; pass it as { kind, raw: true, data }`);
        data = codec.encodeData(port);
      }
      if (data !== undefined) parts.push({ type: IflaInfo.SLAVE_DATA, nested: true, data });
    }
    return encodeRawAttributes(parts);
  },
  decode(payload, at) {
    let kind: string | undefined;
    let data: { bytes: Uint8Array; at: number } | undefined;
    let slaveKind: string | undefined;
    let slaveData: { bytes: Uint8Array; at: number } | undefined;
    for (const a of splitAttributes(payload, at, 'IFLA_INFO attribute')) {
      if (a.type === IflaInfo.KIND) kind = readKind(a.data);
      else if (a.type === IflaInfo.DATA) data = { bytes: a.data, at: a.at + 4 };
      else if (a.type === IflaInfo.SLAVE_KIND) slaveKind = readKind(a.data);
      else if (a.type === IflaInfo.SLAVE_DATA) slaveData = { bytes: a.data, at: a.at + 4 };
      // IFLA_INFO_XSTATS (driver statistics) is not decoded.
    }
    const nest: LinkInfoNest = {};
    if (kind !== undefined) {
      const codec = linkKinds.get(kind);
      if (codec !== undefined) {
        nest.info = codec.decodeData(data?.bytes, data?.at ?? at, linkCodecContext);
      } else {
        const raw: LinkInfo = { kind, raw: true };
        if (data !== undefined) raw.data = copyBytes(data.bytes, 0, data.bytes.length);
        nest.info = raw;
      }
    }
    if (slaveKind !== undefined) {
      const codec = portKinds.get(slaveKind);
      if (codec !== undefined) {
        nest.port = codec.decodeData(slaveData?.bytes, slaveData?.at ?? at);
      } else {
        const raw: PortInfo = { kind: slaveKind, raw: true };
        if (slaveData !== undefined) raw.data = copyBytes(slaveData.bytes, 0, slaveData.bytes.length);
        nest.port = raw;
      }
    }
    return nest;
  },
};

// Field order is the order of encoding; it follows iproute2 (address, namespace, name, ..., linkinfo last)
// so that our requests compare byte for byte with what `ip link add` sends.
export const linkAttributes = defineAttributes(
  'IFLA',
  {
    /** Link-layer address, 'aa:bb:cc:dd:ee:ff'. */
    address: { type: Ifla.ADDRESS, kind: 'mac' },
    /** Link-layer broadcast address. */
    broadcast: { type: Ifla.BROADCAST, kind: 'mac' },
    /** File descriptor of a network namespace (an open /run/netns/NAME) to create or move the link in. */
    netnsFd: { type: Ifla.NET_NS_FD, kind: 'u32' },
    /** A process whose network namespace the link is created or moved in. */
    netnsPid: { type: Ifla.NET_NS_PID, kind: 'u32' },
    /** Interface name, at most 15 bytes. */
    ifname: { type: Ifla.IFNAME, kind: 'string' },
    /** An alternative name, to pick a link by in RTM_GETLINK/RTM_DELLINK (not to add one: see encodeLinkProp). */
    altIfname: { type: Ifla.ALT_IFNAME, kind: 'string' },
    mtu: { type: Ifla.MTU, kind: 'u32' },
    /** Index of the link this one sits on (a veth's peer, a vlan's parent); may be in linkNetnsId's namespace. */
    link: { type: Ifla.LINK, kind: 'u32' },
    qdisc: { type: Ifla.QDISC, kind: 'string' },
    /** Index of the master (bridge, bond, vrf); 0 in a request releases the link from its master. */
    master: { type: Ifla.MASTER, kind: 'u32' },
    txqlen: { type: Ifla.TXQLEN, kind: 'u32' },
    /** RFC 2863 operational state (IfOper): 6 up, 2 down, 0 unknown. */
    operstate: { type: Ifla.OPERSTATE, kind: 'u8' },
    linkmode: { type: Ifla.LINKMODE, kind: 'u8' },
    /** Free text (`ip link set dev X alias TEXT`); ignored in a create request: set it afterwards. */
    alias: { type: Ifla.IFALIAS, kind: 'string' },
    group: { type: Ifla.GROUP, kind: 'u32' },
    /** RTEXT_FILTER_* bits in RTM_GETLINK requests (what extra data to dump). */
    extMask: { type: Ifla.EXT_MASK, kind: 'u32' },
    promiscuity: { type: Ifla.PROMISCUITY, kind: 'u32' },
    numTxQueues: { type: Ifla.NUM_TX_QUEUES, kind: 'u32' },
    numRxQueues: { type: Ifla.NUM_RX_QUEUES, kind: 'u32' },
    /** Carrier: 1 when the link has one. Settable on some kinds (dummy, veth) to fake a cable pull. */
    carrier: { type: Ifla.CARRIER, kind: 'u8' },
    carrierChanges: { type: Ifla.CARRIER_CHANGES, kind: 'u32' },
    /** The namespace (as an nsid of the dumping namespace) where `link` lives; the kernel reports it. */
    linkNetnsId: { type: Ifla.LINK_NETNSID, kind: 's32' },
    physPortName: { type: Ifla.PHYS_PORT_NAME, kind: 'string' },
    protoDown: { type: Ifla.PROTO_DOWN, kind: 'u8' },
    gsoMaxSegs: { type: Ifla.GSO_MAX_SEGS, kind: 'u32' },
    gsoMaxSize: { type: Ifla.GSO_MAX_SIZE, kind: 'u32' },
    event: { type: Ifla.EVENT, kind: 'u32' },
    newNetnsId: { type: Ifla.NEW_NETNSID, kind: 's32' },
    targetNetnsId: { type: Ifla.TARGET_NETNSID, kind: 's32' },
    carrierUpCount: { type: Ifla.CARRIER_UP_COUNT, kind: 'u32' },
    carrierDownCount: { type: Ifla.CARRIER_DOWN_COUNT, kind: 'u32' },
    newIfindex: { type: Ifla.NEW_IFINDEX, kind: 's32' },
    minMtu: { type: Ifla.MIN_MTU, kind: 'u32' },
    maxMtu: { type: Ifla.MAX_MTU, kind: 'u32' },
    /** Alternative names (IFLA_PROP_LIST of IFLA_ALT_IFNAME), as the kernel reports them. */
    altnames: { type: Ifla.PROP_LIST, kind: 'custom', codec: altnamesCodec },
    /** The hardware's own address, when it has one. */
    permAddress: { type: Ifla.PERM_ADDRESS, kind: 'mac' },
    parentDevName: { type: Ifla.PARENT_DEV_NAME, kind: 'string' },
    parentDevBusName: { type: Ifla.PARENT_DEV_BUS_NAME, kind: 'string' },
    groMaxSize: { type: Ifla.GRO_MAX_SIZE, kind: 'u32' },
    tsoMaxSize: { type: Ifla.TSO_MAX_SIZE, kind: 'u32' },
    tsoMaxSegs: { type: Ifla.TSO_MAX_SEGS, kind: 'u32' },
    allmulti: { type: Ifla.ALLMULTI, kind: 'u32' },
    gsoIpv4MaxSize: { type: Ifla.GSO_IPV4_MAX_SIZE, kind: 'u32' },
    groIpv4MaxSize: { type: Ifla.GRO_IPV4_MAX_SIZE, kind: 'u32' },
    netnsImmutable: { type: Ifla.NETNS_IMMUTABLE, kind: 'bool8' },
    /** IFLA_STATS64: the link's packet, byte, error and drop counters (read only). */
    stats64: { type: Ifla.STATS64, kind: 'custom', codec: linkStatsCodec },
    /** IFLA_LINKINFO; exposed as `linkinfo` and `portInfo` on LinkAttrs. */
    linkinfo: { type: Ifla.LINKINFO, kind: 'custom', codec: linkInfoCodec },
  },
  { ignore: [Ifla.PAD] },
);

type LinkWireAttrs = AttributeValues<typeof linkAttributes.fields>;

/** IFLA attributes of a link. Absent means "not sent" in a request and "not reported" in a reply. */
export type LinkAttrs = Omit<LinkWireAttrs, 'linkinfo'> & {
  /** IFLA_INFO_KIND/IFLA_INFO_DATA: what kind of link this is, with its options. */
  linkinfo?: LinkInfo;
  /** IFLA_INFO_SLAVE_KIND/IFLA_INFO_SLAVE_DATA: its options as a port of its master (a bridge port). */
  portInfo?: PortInfo;
};

/** struct ifinfomsg. */
export interface LinkHeader {
  /** AF_UNSPEC, or AF_BRIDGE for bridge-specific requests. */
  family: number;
  /** ARPHRD_* link-layer type (ARPHRD_ETHER, ARPHRD_LOOPBACK); ignored in requests. */
  type: number;
  /** Interface index; 0 in a create request, or to pick the link by IFLA_IFNAME. */
  index: number;
  /** IFF_* flags. */
  flags: number;
  /** Which IFF_* bits of `flags` to apply (requests); 0 in replies. */
  change: number;
}

/** A decoded link message: every header field present. */
export interface LinkMessage extends LinkHeader {
  attrs: LinkAttrs;
}

/** What encodeLink takes: header fields left out are 0. */
export type LinkRequest = Partial<LinkHeader> & { attrs: LinkAttrs };

function u(value: number, max: number, what: string): number {
  if (!Number.isInteger(value) || value < 0 || value > max) throw new NetlinkEncodeError(`ifinfomsg ${what} must be an integer from 0 to ${max}, not ${value}`);
  return value;
}

/** Body of a link message: struct ifinfomsg + IFLA attributes. */
export function encodeLink(msg: LinkRequest): Buffer {
  const family = u(msg.family ?? 0, 0xff, 'family');
  const type = u(msg.type ?? 0, 0xffff, 'type');
  const index = u(msg.index ?? 0, 0x7fffffff, 'index');
  const flags = u(msg.flags ?? 0, 0xffffffff, 'flags');
  const change = u(msg.change ?? 0, 0xffffffff, 'change');
  const body = encodeAttributesAfter(IFINFOMSG_LEN, linkAttributes, wireAttrs(msg.attrs));
  body[0] = family; // byte 1 is padding, left zero
  putU16(body, 2, type);
  putU32(body, 4, index);
  putU32(body, 8, flags);
  putU32(body, 12, change);
  return body;
}

/** LinkAttrs as the IFLA table has them: `linkinfo` and `portInfo` go together in the IFLA_LINKINFO nest. */
function wireAttrs(attrs: LinkAttrs): LinkWireAttrs {
  const { linkinfo, portInfo } = attrs;
  // Most requests (ip link set, ip link del) have neither: send `attrs` as it is, with no copy. The
  // encoder only reads the table's own keys, so `portInfo` is not a problem there.
  if (linkinfo === undefined && portInfo === undefined) return attrs as Omit<LinkAttrs, 'linkinfo'>;
  const nest: LinkInfoNest = {};
  if (linkinfo !== undefined) nest.info = linkinfo;
  if (portInfo !== undefined) nest.port = portInfo;
  return { ...attrs, linkinfo: nest };
}

function decodeLinkAt(body: Uint8Array, base: number): LinkMessage {
  if (body.length < IFINFOMSG_LEN) {
    throw new NetlinkDecodeError(`link message body has ${body.length} bytes, too few for the 16-byte struct ifinfomsg`, base);
  }
  const view = viewOf(body);
  const { linkinfo, ...rest } = decodeAttributes(linkAttributes, body.subarray(IFINFOMSG_LEN), base + IFINFOMSG_LEN);
  const attrs: LinkAttrs = rest;
  if (linkinfo?.info !== undefined) attrs.linkinfo = linkinfo.info;
  if (linkinfo?.port !== undefined) attrs.portInfo = linkinfo.port;
  return {
    family: view.getUint8(0),
    type: view.getUint16(2, HOST_LITTLE_ENDIAN),
    index: view.getInt32(4, HOST_LITTLE_ENDIAN),
    flags: view.getUint32(8, HOST_LITTLE_ENDIAN),
    change: view.getUint32(12, HOST_LITTLE_ENDIAN),
    attrs,
  };
}

/** Decodes the body of RTM_NEWLINK/RTM_DELLINK (from a dump, a get, or an event). */
export function decodeLink(body: Uint8Array): LinkMessage {
  return decodeLinkAt(body, 0);
}

/**
 * Body of RTM_NEWLINKPROP (add) or RTM_DELLINKPROP (delete) for altnames: ifinfomsg with the link's index
 * (or index 0 and its name) + IFLA_PROP_LIST{IFLA_ALT_IFNAME...}. Send RTM_NEWLINKPROP with
 * NLM_F_EXCL|NLM_F_CREATE|NLM_F_APPEND as iproute2 does.
 * Equivalent to: ip link property add dev NAME altname ALT
 */
export function encodeLinkProp(target: { index: number } | { ifname: string }, altnames: readonly string[]): Buffer {
  if (altnames.length === 0) throw new NetlinkEncodeError('a link property request needs at least one altname');
  const attrs: LinkAttrs = { altnames: [...altnames] };
  if ('ifname' in target) return encodeLink({ attrs: { ifname: target.ifname, ...attrs } });
  return encodeLink({ index: target.index, attrs });
}
