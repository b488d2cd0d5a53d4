/**
 * The contract each link kind under kinds/ fulfils: how its IFLA_INFO_DATA (and, for kinds that can be a
 * master, the IFLA_INFO_SLAVE_DATA of their ports) is laid out. kinds/index.ts registers them.
 */
import type { LinkRequest, LinkMessage } from './link.js';

/** What a kind codec may need from the link codec (veth's peer is a whole link message). */
export interface LinkCodecContext {
  /** ifinfomsg + IFLA attributes of `msg` (the body of an RTM_NEWLINK). */
  encodeLink(msg: LinkRequest): Uint8Array;
  /** The inverse; `base` is the offset of `body` in the decoder's input, for error messages. */
  decodeLink(body: Uint8Array, base: number): LinkMessage;
}

/** A link kind: `T` is its member of the LinkInfo union, discriminated by `kind`. */
export interface LinkKindCodec<T extends { kind: string }> {
  /** IFLA_INFO_KIND as the kernel spells it: 'veth', 'bridge', 'vxlan'. */
  readonly kind: T['kind'];
  /** Payload of IFLA_INFO_DATA (a nest), or undefined to send no IFLA_INFO_DATA at all. */
  encodeData(info: T, ctx: LinkCodecContext): Uint8Array | undefined;
  /** `data` is the IFLA_INFO_DATA payload, undefined when the kernel sent none; `at` is its offset. */
  decodeData(data: Uint8Array | undefined, at: number, ctx: LinkCodecContext): T;
}

/** Port options of a master kind (IFLA_INFO_SLAVE_KIND / IFLA_INFO_SLAVE_DATA), e.g. a bridge port. */
export interface PortKindCodec<T extends { kind: string }> {
  /** IFLA_INFO_SLAVE_KIND: the kind of the master, e.g. 'bridge'. */
  readonly kind: T['kind'];
  encodeData(info: T): Uint8Array | undefined;
  decodeData(data: Uint8Array | undefined, at: number): T;
}
