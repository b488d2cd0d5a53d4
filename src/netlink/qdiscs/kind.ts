/**
 * The contract each qdisc kind under qdiscs/ fulfils: how its TCA_OPTIONS payload is laid out. The layout
 * depends on the kind (a sibling attribute, TCA_KIND), so tc.ts decodes TCA_KIND first and hands
 * TCA_OPTIONS to the kind's codec; qdiscs/index.ts registers them.
 */

/** A qdisc kind: `T` is its member of the QdiscInfo union, discriminated by `kind`. */
export interface QdiscKindCodec<T extends { kind: string }> {
  /** TCA_KIND as the kernel spells it: 'tbf', 'netem'. */
  readonly kind: string;
  /** The TCA_OPTIONS payload for `info`, or undefined to send no TCA_OPTIONS. */
  encodeOptions(info: T): Uint8Array | undefined;
  /**
   * The inverse; `data` is undefined when the message had no TCA_OPTIONS, `at` is the payload's offset in
   * the decoder's input, for error messages. Throws only NetlinkDecodeError.
   */
  decodeOptions(data: Uint8Array | undefined, at: number): T;
}
