/**
 * The registry of link kinds: one file each under kinds/, listed here once. `LinkInfo` is a union
 * discriminated on `kind`; a kind without a codec here decodes to `RawLinkInfo` (its IFLA_INFO_DATA kept as
 * bytes), never an error.
 *
 * Narrowing: `RawLinkInfo.kind` is any string, so it overlaps the known kinds. Test `raw` first:
 *   if (info.raw) { info.data }            // RawLinkInfo
 *   else if (info.kind === 'vxlan') { info.port }   // VxlanLinkInfo
 * Known variants declare `raw?: never`, so `info.raw` is readable on the whole union. The decoder never
 * produces a RawLinkInfo for a kind that has a codec, and encoding a RawLinkInfo sends `data` as it is.
 */
import type { LinkKindCodec, PortKindCodec } from '../link-kind.js';
import { bridgeKind, bridgePortKind } from './bridge.js';
import type { BridgeLinkInfo, BridgePortInfo } from './bridge.js';
import { vethKind } from './veth.js';
import type { VethLinkInfo } from './veth.js';
import { vxlanKind } from './vxlan.js';
import type { VxlanLinkInfo } from './vxlan.js';

export type KnownLinkInfo = VethLinkInfo | BridgeLinkInfo | VxlanLinkInfo;

/** A kind nslab has no codec for (dummy, macvlan, ...): IFLA_INFO_DATA stays raw bytes. */
export interface RawLinkInfo {
  kind: string;
  raw: true;
  /** IFLA_INFO_DATA payload (a nest of attributes), when there is one. */
  data?: Uint8Array;
}

/** IFLA_INFO_KIND + IFLA_INFO_DATA of a link. */
export type LinkInfo = KnownLinkInfo | RawLinkInfo;

export type KnownPortInfo = BridgePortInfo;

/** Port data for a master kind nslab has no codec for (bond, team, vrf, ...). */
export interface RawPortInfo {
  kind: string;
  raw: true;
  data?: Uint8Array;
}

/** IFLA_INFO_SLAVE_KIND + IFLA_INFO_SLAVE_DATA: the link's options as a port of its master. */
export type PortInfo = KnownPortInfo | RawPortInfo;

export const linkKinds: ReadonlyMap<string, LinkKindCodec<KnownLinkInfo>> = new Map<string, LinkKindCodec<KnownLinkInfo>>([
  [vethKind.kind, vethKind as LinkKindCodec<KnownLinkInfo>],
  [bridgeKind.kind, bridgeKind as LinkKindCodec<KnownLinkInfo>],
  [vxlanKind.kind, vxlanKind as LinkKindCodec<KnownLinkInfo>],
]);

export const portKinds: ReadonlyMap<string, PortKindCodec<KnownPortInfo>> = new Map<string, PortKindCodec<KnownPortInfo>>([
  [bridgePortKind.kind, bridgePortKind],
]);
