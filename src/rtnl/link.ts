/**
 * Link operations of a Handle: `handle.link.*`. Each names its iproute2 equivalent.
 */
import { closeSync, openSync } from 'node:fs';
import { dirname } from 'node:path';
import { NslabError } from '../errors.js';
import { netnsPath } from '../native/index.js';
import { decodeLink, encodeLink, encodeLinkProp, encodeMessage, Iff, NlmF, Rtm } from '../netlink/index.js';
import type { LinkAttrs, LinkInfo, LinkMessage, LinkRequest, LinkStats } from '../netlink/index.js';
import { devLabel, type DevRef } from './dev.js';
import type { Handle, Request } from './handle.js';

/** A link as read back from the kernel, in the handle's namespace. */
export interface Link {
  index: number;
  name: string;
  /** IFLA_INFO_KIND: 'veth', 'bridge', 'vxlan'...; '' for devices without one (lo). */
  kind: string;
  up: boolean;
  /** IFF_LOWER_UP: the carrier is there (for a veth: the peer is up too). */
  lowerUp: boolean;
  mtu: number;
  mac?: string;
  alias?: string;
  altnames: string[];
  /** Index of the bridge this link is a port of. */
  master?: number;
  /** For a veth: the peer's index (in the peer's namespace). */
  peerIndex?: number;
  /** For a veth whose peer is in another namespace: the kernel's netnsid of that namespace. */
  peerNetnsId?: number;
  /** Its counters (IFLA_STATS64), as `ip -s link` shows them: packets, bytes, errors, drops each way. */
  stats?: LinkStats;
  /** The decoded message, for everything else. */
  message: LinkMessage;
}

export interface VethOptions {
  name: string;
  /** Index to give the device in this namespace (must be free); the kernel picks one when absent. */
  index?: number;
  mtu?: number;
  /** Its link-layer address, `02:...`: the kernel picks a random one when absent. */
  address?: string;
  peer: {
    name: string;
    address?: string;
    /** Namespace name (under /run/netns) to create the peer in, directly. Absent: this handle's namespace. */
    netns?: string;
    /**
     * An open fd of that namespace, used instead of opening its file (a thousand veths, a thousand opens
     * saved). The caller keeps it open until the request is answered; `netns` still names it in messages.
     */
    netnsFd?: number;
    index?: number;
    mtu?: number;
  };
}

export interface BridgeOptions {
  name: string;
  index?: number;
  mtu?: number;
}

export interface VxlanOptions {
  name: string;
  index?: number;
  /** VXLAN network identifier. */
  vni: number;
  remote?: string;
  group?: string;
  local?: string;
  /** UDP destination port (default: the kernel's, 8472; IANA's is 4789). */
  port?: number;
  /** Underlay device. */
  dev?: DevRef;
  mtu?: number;
}

/** A VXLAN cable end made from the host's namespace into a node's (see addVxlanInto). */
export interface VxlanIntoOptions {
  name: string;
  /** Namespace name (under /run/netns) the device is made in; never this handle's own. */
  netns: string;
  /** An open fd of that namespace, used instead of opening its file; the caller keeps it open until answered. */
  netnsFd?: number;
  /** Index to give the device in that namespace (must be free there). */
  index?: number;
  vni: number;
  /** This host's underlay address: the outer source, and where the socket listens. */
  local: string;
  /** The peer host's underlay address: the one destination (the kernel adds its all-zero FDB entry). */
  remote: string;
  /** UDP destination port; 4789 is IANA's (the kernel's default, 8472, is not). */
  port: number;
  mtu?: number;
}

export interface LinkChanges {
  up?: boolean;
  mtu?: number;
  /** New name. */
  name?: string;
  /** Bridge to enslave to, or null to leave it. */
  master?: DevRef | null;
  alias?: string;
}

export class LinkOps {
  readonly #h: Handle;

  constructor(handle: Handle) {
    this.#h = handle;
  }

  /**
   * Adds a link from a raw message (the other add methods build one).
   *
   * Equivalent to: ip link add ...
   */
  async add(message: LinkRequest, object: string | (() => string)): Promise<void> {
    await this.#h.request({ type: Rtm.NEWLINK, flags: NlmF.CREATE | NlmF.EXCL, body: encodeLink(message), object });
  }

  /**
   * Adds a veth pair with the peer made straight in its namespace (no move afterwards).
   *
   * Equivalent to: ip link add NAME type veth peer name PEER netns PEERNETNS
   */
  async addVeth(options: VethOptions): Promise<void> {
    const peerNs = options.peer.netns;
    // Described only if a message needs it (see Request.object).
    const object = (): string => {
      const where = this.#h.netns ?? '';
      return `veth ${where}:${options.name}<->${peerNs ?? where}:${options.peer.name}`;
    };
    let fd: number | undefined;
    const release = (): void => {
      if (fd !== undefined) closeSync(fd);
      fd = undefined;
    };
    const given = options.peer.netnsFd;
    // The peer's namespace is named in the directory of this handle's (a handle of the current namespace:
    // the default one).
    const peerPath = netnsPath(peerNs ?? '', this.#h.path === '' ? undefined : dirname(this.#h.path));
    try {
      if (peerNs !== undefined && given === undefined) fd = openSync(peerPath, 'r');
    } catch (cause) {
      throw new NslabError('NSLAB_NOT_FOUND', `cannot create ${object()}: namespace ${peerNs ?? ''} does not exist (${peerPath})`, { cause });
    }
    // Built by assignment rather than spreads of conditional objects: this runs once per cable of a lab.
    const peerAttrs: LinkAttrs = { ifname: options.peer.name };
    if (options.peer.address !== undefined) peerAttrs.address = options.peer.address;
    const peerMtu = options.peer.mtu ?? options.mtu;
    if (peerMtu !== undefined) peerAttrs.mtu = peerMtu;
    const peerNsFd = given ?? fd;
    if (peerNsFd !== undefined) peerAttrs.netnsFd = peerNsFd;
    const peer: LinkRequest = { attrs: peerAttrs };
    if (options.peer.index !== undefined) peer.index = options.peer.index;
    const attrs: LinkAttrs = { ifname: options.name };
    if (options.address !== undefined) attrs.address = options.address;
    if (options.mtu !== undefined) attrs.mtu = options.mtu;
    attrs.linkinfo = { kind: 'veth', peer };
    const message: LinkRequest = { attrs };
    if (options.index !== undefined) message.index = options.index;
    await this.#h.request({ type: Rtm.NEWLINK, flags: NlmF.CREATE | NlmF.EXCL, body: encodeLink(message), object, release });
  }

  /**
   * Adds a bridge.
   *
   * Equivalent to: ip link add NAME type bridge
   */
  async addBridge(options: BridgeOptions): Promise<void> {
    const info: LinkInfo = { kind: 'bridge' };
    await this.add(
      {
        ...(options.index !== undefined ? { index: options.index } : {}),
        attrs: { ifname: options.name, ...(options.mtu !== undefined ? { mtu: options.mtu } : {}), linkinfo: info },
      },
      `bridge ${options.name}`,
    );
  }

  /**
   * Adds a VXLAN device.
   *
   * Equivalent to: ip link add NAME type vxlan id VNI [remote ADDR | group ADDR] [local ADDR] [dstport PORT] [dev DEV]
   */
  async addVxlan(options: VxlanOptions): Promise<void> {
    const underlay = options.dev !== undefined ? await this.index(options.dev) : undefined;
    const info: LinkInfo = {
      kind: 'vxlan',
      id: options.vni,
      ...ipField('group', options.remote ?? options.group),
      ...ipField('local', options.local),
      ...(options.port !== undefined ? { port: options.port } : {}),
      ...(underlay !== undefined ? { link: underlay } : {}),
    };
    await this.add(
      {
        ...(options.index !== undefined ? { index: options.index } : {}),
        attrs: { ifname: options.name, ...(options.mtu !== undefined ? { mtu: options.mtu } : {}), linkinfo: info },
      },
      `vxlan ${options.name} id ${options.vni}`,
    );
  }

  /**
   * Makes a point-to-point VXLAN device straight into another namespace, sent from this handle: the
   * device is born in `netns` and its UDP socket stays in this handle's namespace, where the underlay is.
   * The request a Handle on the namespace nslab runs in may send (rtnl/underlay.ts says exactly which).
   * No learning: the one remote is the kernel's default destination for every frame.
   *
   * Equivalent to: ip link add NAME netns NETNS type vxlan id VNI local LOCAL remote REMOTE dstport PORT nolearning
   */
  async addVxlanInto(options: VxlanIntoOptions): Promise<void> {
    const object = (): string => `vxlan ${options.netns}:${options.name} id ${options.vni} ${options.local} -> ${options.remote}:${options.port}`;
    let fd: number | undefined;
    const release = (): void => {
      if (fd !== undefined) closeSync(fd);
      fd = undefined;
    };
    const path = netnsPath(options.netns, this.#h.path === '' ? undefined : dirname(this.#h.path));
    try {
      if (options.netnsFd === undefined) fd = openSync(path, 'r');
    } catch (cause) {
      throw new NslabError('NSLAB_NOT_FOUND', `cannot create ${object()}: namespace ${options.netns} does not exist (${path})`, { cause });
    }
    const info: LinkInfo = {
      kind: 'vxlan',
      id: options.vni,
      ...ipField('group', options.remote),
      ...ipField('local', options.local),
      port: options.port,
      learning: false,
    };
    const attrs: LinkAttrs = { netnsFd: options.netnsFd ?? (fd as number), ifname: options.name, linkinfo: info };
    if (options.mtu !== undefined) attrs.mtu = options.mtu;
    const message: LinkRequest = { attrs };
    if (options.index !== undefined) message.index = options.index;
    await this.#h.request({ type: Rtm.NEWLINK, flags: NlmF.CREATE | NlmF.EXCL, body: encodeLink(message), object, release });
  }

  /**
   * Changes a link: up/down, mtu, name, master, alias, in one request; or two, when the alias comes with
   * up or down: the kernel tells every listener of a link that is up that its alias changed (NETDEV_CHANGE,
   * in which IPv6 walks the namespace's whole routing table: with a hub's thousands of links, 10^8 steps).
   * So the alias goes first on a link going up, while it is still down, and last on one going down. The
   * two leave in the same sendmsg.
   *
   * Equivalent to: ip link set DEV [up|down] [mtu N] [name NEW] [master BR | nomaster] [alias TEXT]
   */
  async set(dev: DevRef, changes: LinkChanges): Promise<void> {
    if (changes.alias !== undefined && changes.up !== undefined && changes.name === undefined) {
      const { alias, ...rest } = changes;
      const [first, second] = changes.up ? [{ alias }, rest] : [rest, { alias }];
      const both = await Promise.allSettled([this.#set(dev, first), this.#set(dev, second)]);
      for (const r of both) if (r.status === 'rejected') throw r.reason;
      return;
    }
    await this.#set(dev, changes);
  }

  async #set(dev: DevRef, changes: LinkChanges): Promise<void> {
    // A rename needs the index (IFLA_IFNAME then carries the new name).
    const byIndex = typeof dev !== 'string' ? dev.index : changes.name !== undefined ? await this.index(dev) : 0;
    const master =
      changes.master === undefined
        ? undefined
        : changes.master === null
          ? 0
          : typeof changes.master === 'string'
            ? await this.index(changes.master)
            : changes.master.index;
    // Built by assignment rather than spreads of conditional objects: a lab sets every link it has.
    const attrs: LinkAttrs = {};
    if (byIndex === 0) attrs.ifname = dev as string;
    else if (changes.name !== undefined) attrs.ifname = changes.name;
    if (changes.mtu !== undefined) attrs.mtu = changes.mtu;
    if (master !== undefined) attrs.master = master;
    if (changes.alias !== undefined) attrs.alias = changes.alias;
    const message: LinkRequest = { index: byIndex, attrs };
    if (changes.up !== undefined) {
      message.flags = changes.up ? Iff.UP : 0;
      message.change = Iff.UP;
    }
    // Described only if a message needs it (see Request.object): `rveth (up true alias nslab:lab)`.
    const object = (): string => `${devLabel(dev)} (${describeChanges(changes)})`;
    await this.#h.request({ type: Rtm.NEWLINK, flags: 0, body: encodeLink(message), object });
  }

  /**
   * Deletes a link (for a veth, both ends go).
   *
   * Equivalent to: ip link del DEV
   */
  async del(dev: DevRef): Promise<void> {
    const message: LinkRequest = typeof dev === 'string' ? { attrs: { ifname: dev } } : { index: dev.index, attrs: {} };
    await this.#h.request({ type: Rtm.DELLINK, flags: 0, body: encodeLink(message), object: devLabel(dev) });
  }

  /**
   * Adds an alternative name.
   *
   * Equivalent to: ip link property add dev DEV altname NAME
   */
  async addAltname(dev: DevRef, altname: string): Promise<void> {
    const index = await this.index(dev);
    await this.#h.request({
      type: Rtm.NEWLINKPROP,
      flags: NlmF.CREATE | NlmF.EXCL,
      body: encodeLinkProp({ index }, [altname]),
      object: `${devLabel(dev)} altname ${altname}`,
    });
  }

  /**
   * Reads one link, or undefined if there is none by that name or index.
   *
   * Equivalent to: ip link show DEV
   */
  async get(dev: DevRef): Promise<Link | undefined> {
    const message: LinkRequest = typeof dev === 'string' ? { attrs: { ifname: dev } } : { index: dev.index, attrs: {} };
    try {
      const [answer] = await this.#h.request({ type: Rtm.GETLINK, flags: 0, body: encodeLink(message), object: devLabel(dev) });
      return answer === undefined ? undefined : toLink(decodeLink(answer.body));
    } catch (e) {
      if ((e as { errno?: number }).errno === 19 /* ENODEV */) return undefined;
      throw e;
    }
  }

  /**
   * Lists every link of the namespace.
   *
   * Equivalent to: ip link show
   */
  async list(): Promise<Link[]> {
    const answer = await this.#h.request({ type: Rtm.GETLINK, flags: NlmF.DUMP, body: encodeLink({ attrs: {} }), object: 'links' });
    return answer.filter((m) => m.type === Rtm.NEWLINK).map((m) => toLink(decodeLink(m.body)));
  }

  /**
   * The index of a link in this handle's namespace; throws NSLAB_NOT_FOUND if there is none. An index
   * given by the caller comes back at once (no await), so its request can join the current batch.
   */
  index(dev: DevRef): number | Promise<number> {
    if (typeof dev !== 'string') return dev.index;
    return this.#lookup(dev);
  }

  async #lookup(dev: string): Promise<number> {
    const link = await this.get(dev);
    if (link === undefined) throw new NslabError('NSLAB_NOT_FOUND', `no interface ${dev} in ${this.#h.where}`);
    return link.index;
  }
}

/** `up true mtu 1400 master br0`: the changes as given, for messages. */
function describeChanges(changes: LinkChanges): string {
  return Object.entries(changes)
    .map(([k, v]) => `${k} ${v === null ? 'none' : typeof v === 'object' ? devLabel(v) : String(v)}`)
    .join(' ');
}

/** IPv4 goes in `group`/`local`, IPv6 in `group6`/`local6`. */
function ipField(name: 'group' | 'local', address: string | undefined): Record<string, string> {
  if (address === undefined) return {};
  return { [address.includes(':') ? `${name}6` : name]: address };
}

export function toLink(m: LinkMessage): Link {
  const a = m.attrs;
  const info = a.linkinfo;
  return {
    index: m.index,
    name: a.ifname ?? '',
    kind: info?.kind ?? '',
    up: (m.flags & Iff.UP) !== 0,
    lowerUp: (m.flags & Iff.LOWER_UP) !== 0,
    mtu: a.mtu ?? 0,
    ...(a.address !== undefined ? { mac: a.address } : {}),
    ...(a.alias !== undefined ? { alias: a.alias } : {}),
    altnames: a.altnames ?? [],
    ...(a.master !== undefined ? { master: a.master } : {}),
    ...(info?.kind === 'veth' && a.link !== undefined ? { peerIndex: a.link } : {}),
    ...(a.linkNetnsId !== undefined ? { peerNetnsId: a.linkNetnsId } : {}),
    ...(a.stats64 !== undefined ? { stats: a.stats64 } : {}),
    message: m,
  };
}

export type { Request };

/**
 * A whole request, ACK asked, that brings a link up and sets its alias: for a socket no Handle drives yet
 * (makeNamespaces sends it as each new namespace's first request, to raise and mark its lo).
 *
 * Equivalent to: ip link set DEV up alias TEXT
 */
export function upWithAliasRequest(index: number, alias: string): Buffer {
  return encodeMessage({ type: Rtm.NEWLINK, flags: NlmF.REQUEST | NlmF.ACK, seq: 1 }, encodeLink({ index, flags: Iff.UP, change: Iff.UP, attrs: { alias } }));
}
