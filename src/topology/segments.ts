/**
 * The lab's network segments: what one IP subnet can span. A cable between two hosts or routers is a
 * point-to-point segment; a bridge node with every cable plugged into it is a LAN segment (bridges joined by
 * cables make one LAN together). Address pools hand out one subnet per segment; route computation counts a
 * hop per segment crossed.
 */
import type { Cidr } from './types.js';
import { listWords, quote } from './bounded.js';
import { finish, PIECE, type Steps } from './steps.js';

/** One end of a cable on a host or router: where a segment meets a node. */
export interface Attachment {
  node: string;
  ifname: string;
  /** The end's addresses; address pools add to this list. */
  addresses: Cidr[];
  /** Index of the link in the file, and of the end in the link. */
  link: number;
  end: number;
}

export interface NetworkSegment {
  kind: 'p2p' | 'lan';
  /** The bridge nodes of a LAN, in file order of their first link; empty for a cable. */
  bridges: string[];
  /** The ends on hosts and routers, in link order then endpoint order. */
  attachments: Attachment[];
  /** The first link of the segment, for ordering. */
  firstLink: number;
}

export interface SegmentEnd {
  node: string;
  ifname: string;
  addresses: Cidr[];
}

/** How a message names a segment: `the LAN of bridge "sw1"`, `the cable links[3]`. */
export function segmentName(s: NetworkSegment): string {
  if (s.kind === 'lan')
    return s.bridges.length === 1 ? `the LAN of bridge ${quote(s.bridges[0] ?? '')}` : `the LAN of bridges ${listWords(s.bridges.map((b) => quote(b)))}`;
  return `the cable links[${s.firstLink}]`;
}

/**
 * Groups the links into segments, in file order of each segment's first link. `isBridge` says which nodes
 * are bridges. Returns also the links that close a loop of bridges (each such link is a problem: without
 * spanning tree a loop of bridges would circle frames forever).
 */
export function buildSegments(links: readonly { a: SegmentEnd; b: SegmentEnd }[], isBridge: (node: string) => boolean): Segments {
  return finish(segmentSteps(links, isBridge));
}

export interface Segments {
  segments: NetworkSegment[];
  loops: number[];
}

/** buildSegments in pieces (steps.ts): the lab's hosts files want them at 10,000 links while the kernel works. */
export function* segmentSteps(links: readonly { a: SegmentEnd; b: SegmentEnd }[], isBridge: (node: string) => boolean): Steps<Segments> {
  const parent = new Map<string, string>();
  const find = (x: string): string => {
    let root = x;
    while (parent.get(root) !== root) root = parent.get(root) ?? root;
    parent.set(x, root);
    return root;
  };
  const loops: number[] = [];
  // Indexed loops over the two ends, without arrays or closures per link: this runs for every link of the
  // lab with a cold JIT.
  for (let i = 0; i < links.length; i++) {
    if (i % PIECE === PIECE - 1) yield;
    const l = links[i] as { a: SegmentEnd; b: SegmentEnd };
    const aBridge = isBridge(l.a.node);
    const bBridge = isBridge(l.b.node);
    if (aBridge && !parent.has(l.a.node)) parent.set(l.a.node, l.a.node);
    if (bBridge && !parent.has(l.b.node)) parent.set(l.b.node, l.b.node);
    if (aBridge && bBridge) {
      const ra = find(l.a.node);
      const rb = find(l.b.node);
      if (ra === rb) loops.push(i);
      else parent.set(rb, ra);
    }
  }
  const lans = new Map<string, NetworkSegment>();
  const segments: NetworkSegment[] = [];
  const attachment = (e: SegmentEnd, link: number, end: number): Attachment => ({ node: e.node, ifname: e.ifname, addresses: e.addresses, link, end });
  for (let i = 0; i < links.length; i++) {
    if (i % PIECE === PIECE - 1) yield;
    const l = links[i] as { a: SegmentEnd; b: SegmentEnd };
    const aBridge = isBridge(l.a.node);
    const bBridge = isBridge(l.b.node);
    if (!aBridge && !bBridge) {
      segments.push({ kind: 'p2p', bridges: [], attachments: [attachment(l.a, i, 0), attachment(l.b, i, 1)], firstLink: i });
      continue;
    }
    const root = find(aBridge ? l.a.node : l.b.node);
    let lan = lans.get(root);
    if (lan === undefined) {
      lan = { kind: 'lan', bridges: [], attachments: [], firstLink: i };
      lans.set(root, lan);
      segments.push(lan);
    }
    if (!aBridge) lan.attachments.push(attachment(l.a, i, 0));
    else if (!lan.bridges.includes(l.a.node)) lan.bridges.push(l.a.node);
    if (!bBridge) lan.attachments.push(attachment(l.b, i, 1));
    else if (!lan.bridges.includes(l.b.node)) lan.bridges.push(l.b.node);
  }
  return { segments, loops };
}
