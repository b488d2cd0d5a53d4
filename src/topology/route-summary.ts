/**
 * Route summarization (`addressing: { summarize: true }`): fewer routes, forwarding unchanged. It works on
 * one node's computed routes of one family, and follows two rules:
 *
 * 1. **Halves merge.** Two routes to the two halves of one network (10.0.0.0/31 and 10.0.0.2/31 of
 *    10.0.0.0/30), through the same gateway (same address, same device), become one route to the network,
 *    and that one merges again with its own other half, up to a /2 at most. Not when the node already has a
 *    route to the network (given by hand, or computed through another gateway) or is on a subnet that is
 *    exactly that network.
 * 2. **Covered routes go.** A route whose destination lies inside a shorter route of the node through the
 *    same gateway is left out, when that shorter route is the longest of the node's routes and subnets
 *    that contain it (nothing in between sends part of it elsewhere).
 *
 * Why forwarding stays the same: the kernel sends a packet by the longest route that holds its address. A
 * merged network holds exactly the addresses of its two halves, which went through that gateway already;
 * no route of the node has exactly that network (the exceptions above), so every route that won an address
 * before still wins it, or gives way to a route through the same gateway. Under rule 2, the addresses the
 * left-out route held now fall to the next longest route that holds them, which is the covering one, through
 * the same gateway. Neither rule reaches an address of no route: nothing the lab could not reach before
 * becomes reachable, and no loop can appear that was not there.
 */
import type { Family } from './types.js';

/** A network by number: its first address and its prefix length. */
export interface Prefix {
  base: bigint;
  prefixLength: number;
}

/** A route for summarization: where it goes, through which gateway; its hops and the destinations it stands for. */
export interface SummaryRoute extends Prefix {
  gateway: number;
  /** How many of the node's computed routes it stands for (1 for a route of its own). */
  count: number;
  /** The least and most hops among them. */
  least: number;
  most: number;
  /** The first and last destination among them (by address), as the caller numbers destinations. */
  first: number;
  last: number;
  /** Where it goes in the node's list: the first position among them. */
  position: number;
  /** True for a route made by merging. */
  merged: boolean;
}

type Key = number | string;

/**
 * Network arithmetic in one family: IPv4 in plain numbers (a cold JIT runs them several times faster than
 * bigint, and a ring of 1,000 routers summarizes a million routes), IPv6 in bigint.
 */
interface Space<B> {
  of(base: bigint): B;
  bigint(b: B): bigint;
  key(b: B, prefixLength: number): Key;
  /** The lowest address bit of a network of this prefix length. */
  bit(prefixLength: number): B;
  /** The other half of the network one shorter: b with that bit flipped. */
  flip(b: B, bit: B): B;
  /** The network one shorter: b with that bit cleared. */
  clear(b: B, bit: B): B;
  /** The first address of the network of b at this prefix length. */
  network(b: B, prefixLength: number): B;
  less(x: B, y: B): boolean;
  /** The first address after the network of b at this prefix length. */
  end(b: B, prefixLength: number): B;
}

const V4: Space<number> = {
  of: (base) => Number(base),
  bigint: (b) => BigInt(b),
  key: (b, len) => len * 4294967296 + b,
  bit: (len) => 2 ** (32 - len),
  flip: (b, bit) => (b ^ bit) >>> 0,
  clear: (b, bit) => (b & ~bit) >>> 0,
  network: (b, len) => (len === 0 ? 0 : (b & (~0 << (32 - len))) >>> 0),
  less: (x, y) => x < y,
  end: (b, len) => b + 2 ** (32 - len),
};

const V6: Space<bigint> = {
  of: (base) => base,
  bigint: (b) => b,
  key: (b, len) => `${len}/${b.toString(16)}`,
  bit: (len) => 1n << BigInt(128 - len),
  flip: (b, bit) => b ^ bit,
  clear: (b, bit) => b & ~bit,
  network: (b, len) => (b >> BigInt(128 - len)) << BigInt(128 - len),
  less: (x, y) => x < y,
  end: (b, len) => b + (1n << BigInt(128 - len)),
};

/**
 * The summary of one node's routes of one family: rule 1, then rule 2 (see above). `fixed` are the
 * networks the node has a route or a subnet of its own to, besides `routes`: the hand-written routes'
 * destinations and the node's own subnets. Returns the routes to keep, merged ones included, in the order
 * of their first position.
 */
export function summarizeRoutes(family: Family, routes: readonly SummaryRoute[], fixed: readonly Prefix[]): SummaryRoute[] {
  return family === 4 ? summarizeIn(V4, 32, routes, fixed) : summarizeIn(V6, 128, routes, fixed);
}

/** A route while summarizing: its network in the family's arithmetic. */
interface Item<B> {
  b: B;
  route: SummaryRoute;
}

/** The route of an item kept, a merged one given its base. */
function done<B>(space: Space<B>, item: Item<B>): SummaryRoute {
  if (item.route.merged) item.route.base = space.bigint(item.b);
  return item.route;
}

function summarizeIn<B>(space: Space<B>, bits: number, routes: readonly SummaryRoute[], fixed: readonly Prefix[]): SummaryRoute[] {
  return summarizeApart(space, routes, fixed) ?? summarizeOverlapping(space, bits, routes, fixed);
}

/**
 * A merged route: the two halves' network one prefix length shorter, standing for both. Its `base` is
 * written when it is kept (`done`): most merged routes merge again, and a bigint each would cost.
 */
function merge<B>(b: B, lo: SummaryRoute, hi: SummaryRoute): Item<B> {
  return {
    b,
    route: {
      base: 0n,
      prefixLength: lo.prefixLength - 1,
      gateway: lo.gateway,
      count: lo.count + hi.count,
      least: Math.min(lo.least, hi.least),
      most: Math.max(lo.most, hi.most),
      first: lo.first,
      last: hi.last,
      position: Math.min(lo.position, hi.position),
      merged: true,
    },
  };
}

/**
 * The usual case, fast: no two of the routes and the fixed networks overlap. Then no route covers
 * another (rule 2 has nothing to do), no merged network can be a fixed one or hold one, and the two halves
 * of a network are neighbours in address order: one pass with a stack merges them, and merged ones again.
 * Undefined when something overlaps.
 */
function summarizeApart<B>(space: Space<B>, routes: readonly SummaryRoute[], fixed: readonly Prefix[]): SummaryRoute[] | undefined {
  const all: Item<B>[] = [];
  for (let i = 0; i < routes.length; i++) {
    const route = routes[i] as SummaryRoute;
    all.push({ b: space.of(route.base), route });
  }
  for (const p of fixed)
    all.push({ b: space.of(p.base), route: { ...p, gateway: -1, count: 0, least: 0, most: 0, first: -1, last: -1, position: -1, merged: false } });
  all.sort((x, y) => (space.less(x.b, y.b) ? -1 : space.less(y.b, x.b) ? 1 : 0));
  for (let i = 1; i < all.length; i++) {
    const prev = all[i - 1] as Item<B>;
    if (space.less((all[i] as Item<B>).b, space.end(prev.b, prev.route.prefixLength))) return undefined;
  }
  const stack: Item<B>[] = [];
  for (const item of all) {
    stack.push(item);
    for (;;) {
      const hi = stack[stack.length - 1] as Item<B>;
      const lo = stack[stack.length - 2];
      const len = hi.route.prefixLength;
      if (lo === undefined || hi.route.gateway < 0 || lo.route.gateway !== hi.route.gateway || lo.route.prefixLength !== len || len < 3) break;
      const bit = space.bit(len);
      // Halves of one network: the lower one has that bit clear, the upper one is it with the bit set.
      if (space.clear(lo.b, bit) !== lo.b || space.flip(lo.b, bit) !== hi.b) break;
      stack.length -= 2;
      stack.push(merge(lo.b, lo.route, hi.route));
    }
  }
  const kept: SummaryRoute[] = [];
  for (const item of stack) if (item.route.gateway >= 0) kept.push(done(space, item));
  return kept.sort((x, y) => x.position - y.position);
}

/** The general case, where routes and fixed networks overlap: rule 1 by lookups, then rule 2. */
function summarizeOverlapping<B>(space: Space<B>, bits: number, routes: readonly SummaryRoute[], fixed: readonly Prefix[]): SummaryRoute[] {
  const live = new Map<Key, Item<B>>();
  const byLength: Item<B>[][] = [];
  for (let i = 0; i <= bits; i++) byLength.push([]);
  for (let i = 0; i < routes.length; i++) {
    const route = routes[i] as SummaryRoute;
    const item = { b: space.of(route.base), route };
    live.set(space.key(item.b, route.prefixLength), item);
    byLength[route.prefixLength]?.push(item);
  }
  const blocked = new Set<Key>();
  const lengths = new Set<number>();
  for (const p of fixed) {
    blocked.add(space.key(space.of(p.base), p.prefixLength));
    lengths.add(p.prefixLength);
  }

  // Rule 1: longest first, so a merged route meets its own other half at the next length.
  for (let len = bits; len >= 3; len--) {
    const bucket = byLength[len] as Item<B>[];
    const bit = space.bit(len);
    for (let i = 0; i < bucket.length; i++) {
      const a = bucket[i] as Item<B>;
      const ka = space.key(a.b, len);
      if (live.get(ka) !== a) continue; // merged already
      const kb = space.key(space.flip(a.b, bit), len);
      const b = live.get(kb);
      if (b === undefined || b.route.gateway !== a.route.gateway) continue;
      const base = space.clear(a.b, bit);
      const parent = space.key(base, len - 1);
      if (blocked.has(parent) || live.has(parent)) continue;
      const m = space.less(a.b, b.b) ? merge(base, a.route, b.route) : merge(base, b.route, a.route);
      live.delete(ka);
      live.delete(kb);
      live.set(parent, m);
      (byLength[len - 1] as Item<B>[]).push(m);
    }
  }

  // Rule 2: the longest prefix holding each route, among the others and the fixed ones.
  for (const r of live.values()) lengths.add(r.route.prefixLength);
  const longestFirst = [...lengths].sort((x, y) => y - x);
  const kept: SummaryRoute[] = [];
  for (const r of live.values()) {
    let covered = false;
    for (const len of longestFirst) {
      if (len >= r.route.prefixLength) continue;
      const k = space.key(space.network(r.b, len), len);
      if (blocked.has(k)) break;
      const q = live.get(k);
      if (q !== undefined) {
        covered = q.route.gateway === r.route.gateway;
        break;
      }
    }
    if (!covered) kept.push(done(space, r));
  }
  return kept.sort((x, y) => x.position - y.position);
}
