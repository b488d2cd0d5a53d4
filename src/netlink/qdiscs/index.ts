/**
 * The registry of qdisc kinds: one file each under qdiscs/, listed here once. `QdiscInfo` is a union
 * discriminated on `kind`; a kind without a codec here (noqueue, fq_codel, htb...) decodes to
 * `RawQdiscInfo` with its TCA_OPTIONS kept as bytes, never an error.
 *
 * Narrowing works as for links: test `raw` first, then `kind`.
 *   if (q.raw) { q.data }                      // RawQdiscInfo
 *   else if (q.kind === 'tbf') { q.parms }     // TbfQdiscInfo
 */
import type { QdiscKindCodec } from './kind.js';
import { netemKind } from './netem.js';
import type { NetemQdiscInfo } from './netem.js';
import { tbfKind } from './tbf.js';
import type { TbfQdiscInfo } from './tbf.js';

export type KnownQdiscInfo = TbfQdiscInfo | NetemQdiscInfo;

/** A kind nslab has no codec for: TCA_OPTIONS stays raw bytes. */
export interface RawQdiscInfo {
  kind: string;
  raw: true;
  /** TCA_OPTIONS payload, when there is one. */
  data?: Uint8Array;
}

/** TCA_KIND + TCA_OPTIONS of a qdisc. */
export type QdiscInfo = KnownQdiscInfo | RawQdiscInfo;

export const qdiscKinds: ReadonlyMap<string, QdiscKindCodec<KnownQdiscInfo>> = new Map<string, QdiscKindCodec<KnownQdiscInfo>>([
  [tbfKind.kind, tbfKind as QdiscKindCodec<KnownQdiscInfo>],
  [netemKind.kind, netemKind as QdiscKindCodec<KnownQdiscInfo>],
]);
