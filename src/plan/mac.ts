/**
 * Link-layer addresses of a lab's veth ends, derived from the lab's names rather than left to the kernel's
 * dice: a cable made again (a node removed and added back, a namespace deleted by hand and remade by
 * `nslab up`) gets the addresses it had, so its neighbours' ARP and ND caches stay right and a ping works at
 * once instead of after the caches expire; and `--explain` replays to the same addresses. Locally
 * administered unicast (02:...), 40 bits of two FNV-1a hashes over `lab/node/interface`; a clash within the
 * lab moves to the next free address, in the links' file order, so the same lab always gets the same ones.
 */
import type { ResolvedLab } from '../topology/types.js';
import { finish, PIECE, type Steps } from '../topology/steps.js';

/** FNV-1a, 32 bits, of a string's UTF-16 code units, from `basis` (Math.imul: no BigInt in the planner's cold path). */
function fnv1a(text: string, basis: number): number {
  let h = basis;
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 0x01000193);
  return h >>> 0;
}

const hex = (n: number): string => n.toString(16).padStart(2, '0');

/** Every link end's address, keyed `netns\0ifname`. */
export function linkMacs(lab: ResolvedLab): Map<string, string> {
  return finish(linkMacSteps(lab));
}

/** linkMacs, in pieces (steps.ts). */
export function* linkMacSteps(lab: ResolvedLab): Steps<Map<string, string>> {
  const macs = new Map<string, string>();
  const used = new Set<number>();
  for (let i = 0; i < lab.links.length; i++) {
    if (i % PIECE === PIECE - 1) yield;
    const link = lab.links[i] as ResolvedLab['links'][number];
    for (const end of [link.a, link.b]) {
      const text = `${lab.name}/${end.node}/${end.ifname}`;
      // 40 bits as a float-safe number: 8 from one hash, 32 from another.
      let bits = (fnv1a(text, 0x811c9dc5) & 0xff) * 2 ** 32 + fnv1a(text, 0x01000193);
      while (used.has(bits)) bits = (bits + 1) % 2 ** 40;
      used.add(bits);
      const high = Math.floor(bits / 2 ** 32);
      const low = bits % 2 ** 32;
      macs.set(
        `${end.netns}\u0000${end.ifname}`,
        `02:${hex(high)}:${hex(low >>> 24)}:${hex((low >>> 16) & 0xff)}:${hex((low >>> 8) & 0xff)}:${hex(low & 0xff)}`,
      );
    }
  }
  return macs;
}
