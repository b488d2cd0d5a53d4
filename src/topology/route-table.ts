/**
 * The routes `routing: static` computes, held compact: a ring of 1,000 routers has about a million of them,
 * and a million route objects (with their reasons) took 1.26 GB before a single one reached the kernel.
 *
 * Every route is four integers in flat typed arrays, grouped by node (its routes are the range
 * `start[node] .. start[node + 1]`): the destination (an index into the table's destinations, each made
 * once: a subnet of the lab, a summary, or a default route), the gateway (an index into the table's
 * gateways, each one node's way to one neighbour: via, dev, neighbour), the hop count, and a pointer into
 * a pool of extra facts (the other gateways of an equal-cost tie; what a summary stands for). Route objects
 * and their reasons are made only when asked for, one at a time: the planner and the engine walk a node's
 * routes by position without keeping any.
 */
import { listWords } from './bounded.js';
import type { Cidr, ComputedRoutes, Family, NodeRoutes, ResolvedRoute } from './types.js';

/**
 * What a route is, which decides its reason: a subnet of the lab through the first router of a shortest
 * path; the default route of a node with one gateway; one route for several of a node's routes through the
 * same gateway (`addressing: { summarize: true }`).
 */
export const RouteKind = { Path: 0, Default: 1, Summary: 2 } as const;
export type RouteKind = (typeof RouteKind)[keyof typeof RouteKind];

/** A destination: a subnet of the lab, a summary of several, or a default route. */
export interface RouteDestination {
  family: Family;
  /** Shared by every route to it: never changed. */
  to: Cidr | 'default';
  /** `10.0.0.4/31`, `default` (IPv4) or `::/0` (IPv6): as `ip route` takes it. */
  text: string;
}

/** A node's way to one neighbour: the neighbour's address (the gateway) on a subnet both are on. */
export interface RouteGateway {
  via: string;
  dev: string;
  /** The neighbour, by node name. */
  to: string;
  /** The subnet they share, `10.0.0.4/31`. */
  subnet: string;
}

/** Appends integers to a growing Int32Array. */
export class IntList {
  data: Int32Array;
  length = 0;
  constructor(capacity = 16) {
    this.data = new Int32Array(Math.max(4, capacity));
  }
  push(v: number): void {
    if (this.length === this.data.length) this.#grow(this.length + 1);
    this.data[this.length++] = v;
  }
  /** Makes room for `count` more at the end and returns where they start (write them into `data`). */
  reserve(count: number): number {
    if (this.length + count > this.data.length) this.#grow(this.length + count);
    const at = this.length;
    this.length += count;
    return at;
  }
  #grow(min: number): void {
    const next = new Int32Array(Math.max(min, this.data.length * 2));
    next.set(this.data);
    this.data = next;
  }
  /** The integers, in an array of their own size. */
  toArray(): Int32Array {
    return this.data.slice(0, this.length);
  }
}

/** The routes of a table, as RouteTable's constructor takes them: one entry per route, grouped by node. */
export interface RouteColumns {
  /** By node, where its routes start; one more entry at the end (the total). */
  start: Int32Array;
  dest: Int32Array;
  gateway: Int32Array;
  hops: Int32Array;
  /** Offset into `extra`, or -1. */
  extra: Int32Array;
  kind: Uint8Array;
}

/**
 * A lab's computed routes. Made by computeRoutes (routing.ts); read through `of(node)`.
 *
 * It does not go into JSON (`toJSON` gives nothing, so a lab written to a state file leaves it out):
 * routeTableOf (routing.ts) computes it again for a lab read back.
 */
export class RouteTable implements ComputedRoutes {
  readonly #index: ReadonlyMap<string, number>;
  readonly nodes: readonly string[];
  readonly destinations: readonly RouteDestination[];
  readonly gateways: readonly RouteGateway[];
  readonly columns: RouteColumns;
  /**
   * Extra facts, at a route's `extra` offset: for a tie, the count of other gateways' nodes and their node
   * indexes; for a summary, the count of routes it stands for, the least and most hops, and the first and
   * last destination among them.
   */
  readonly pool: Int32Array;

  constructor(nodes: readonly string[], destinations: readonly RouteDestination[], gateways: readonly RouteGateway[], columns: RouteColumns, pool: Int32Array) {
    this.nodes = nodes;
    this.#index = new Map(nodes.map((n, i) => [n, i]));
    this.destinations = destinations;
    this.gateways = gateways;
    this.columns = columns;
    this.pool = pool;
  }

  /** How many routes the table holds, every node's together. */
  get size(): number {
    return this.columns.start[this.nodes.length] ?? 0;
  }

  /** The computed routes of a node, by name: an empty list for a node without (a bridge, a stranger). */
  of(node: string): RouteList {
    const i = this.#index.get(node);
    if (i === undefined) return new RouteList(this, 0, 0);
    return new RouteList(this, this.columns.start[i] ?? 0, this.columns.start[i + 1] ?? 0);
  }

  toJSON(): undefined {
    return undefined;
  }
}

/**
 * One node's computed routes (or a selection of them), by position 0 .. length-1. `route(k)` is what the
 * kernel gets; `reason(k)` why it exists. Iterating yields `route(k)` for each, made as it is reached.
 */
export class RouteList implements NodeRoutes {
  readonly #table: RouteTable;
  readonly #from: number;
  /** Positions in the table's columns, when this is a selection (`pick`). */
  readonly #picks: Int32Array | undefined;
  readonly length: number;

  constructor(table: RouteTable, from: number, to: number, picks?: Int32Array) {
    this.#table = table;
    this.#from = from;
    this.#picks = picks;
    this.length = picks !== undefined ? picks.length : to - from;
  }

  /** The table the routes are read from (the engine encodes them from its integers). */
  get table(): RouteTable {
    return this.#table;
  }

  /**
   * Where route k is in the table's columns, for a reader of the columns (the engine's encoder): rows
   * `from + k`, or `picks[k]` for a selection. No object a route.
   */
  get rows(): { from: number; picks: Int32Array | undefined } {
    return { from: this.#from, picks: this.#picks };
  }

  /** The route at position k: its row in the table's columns. */
  #row(k: number): number {
    if (k < 0 || k >= this.length) throw new RangeError(`route ${k} of ${this.length}`);
    return this.#picks !== undefined ? (this.#picks[k] as number) : this.#from + k;
  }

  #destination(k: number): RouteDestination {
    return this.#table.destinations[this.#table.columns.dest[this.#row(k)] as number] as RouteDestination;
  }

  #gateway(k: number): RouteGateway {
    return this.#table.gateways[this.#table.columns.gateway[this.#row(k)] as number] as RouteGateway;
  }

  family(k: number): Family {
    return this.#destination(k).family;
  }

  /** The destination, shared with every other route to it: read it, do not change it. */
  to(k: number): Cidr | 'default' {
    return this.#destination(k).to;
  }

  /** `10.0.0.4/31`, `default` or `::/0`. */
  toText(k: number): string {
    return this.#destination(k).text;
  }

  via(k: number): string {
    return this.#gateway(k).via;
  }

  dev(k: number): string {
    return this.#gateway(k).dev;
  }

  /** The route at position k, as the kernel gets it (a new object, without its reason). */
  route(k: number): ResolvedRoute {
    const d = this.#destination(k);
    const g = this.#gateway(k);
    return { family: d.family, to: d.to === 'default' ? 'default' : { ...d.to }, via: g.via, dev: g.dev, computed: true };
  }

  /** The route at position k with its reason, as `nslab routes NODE` shows it. */
  explained(k: number): ResolvedRoute {
    const r = this.route(k);
    r.reason = this.reason(k);
    return r;
  }

  /** Why the route at position k exists. */
  reason(k: number): string {
    const t = this.#table;
    const row = this.#row(k);
    const c = t.columns;
    const d = this.#destination(k);
    const g = this.#gateway(k);
    const extra = c.extra[row] as number;
    switch (c.kind[row] as RouteKind) {
      case RouteKind.Default:
        return `default route: ${g.to} (${g.via} on ${g.subnet}) is the only gateway`;
      case RouteKind.Summary: {
        const count = t.pool[extra] as number;
        const least = t.pool[extra + 1] as number;
        const most = t.pool[extra + 2] as number;
        const first = t.destinations[t.pool[extra + 3] as number]?.text ?? '';
        const last = t.destinations[t.pool[extra + 4] as number]?.text ?? '';
        const hops = least === most ? `${least} hops` : `${least} to ${most} hops`;
        return `summary of ${count} routes via ${g.to}: ${first} to ${last}, ${hops}`;
      }
      case RouteKind.Path: {
        const hops = c.hops[row] as number;
        let tie = '';
        if (extra >= 0) {
          const others: string[] = [];
          const count = t.pool[extra] as number;
          for (let i = 1; i <= count; i++) others.push(t.nodes[t.pool[extra + i] as number] ?? '');
          tie = `; equal-cost paths via ${listWords(others)} too: the lowest gateway address wins`;
        }
        return `shortest path to ${d.text} via ${g.to}, ${hops} hops${tie}`;
      }
    }
  }

  /** Every route with its reason, as an array: for a node's few routes (`nslab routes NODE`, tests). */
  all(): ResolvedRoute[] {
    const out: ResolvedRoute[] = [];
    for (let k = 0; k < this.length; k++) out.push(this.explained(k));
    return out;
  }

  /** The routes at these positions (in this order), as a list of their own. */
  pick(positions: readonly number[]): RouteList {
    const rows = new Int32Array(positions.length);
    for (let i = 0; i < positions.length; i++) rows[i] = this.#row(positions[i] as number);
    return new RouteList(this.#table, 0, 0, rows);
  }

  /** Every device the routes go out of, each once. */
  devices(): string[] {
    // Asked of every node's list by the planner and the engine: one pass over the column, no call a route.
    const gateways = this.#table.columns.gateway;
    const picks = this.#picks;
    const seen = new Uint8Array(this.#table.gateways.length);
    const devs = new Set<string>();
    for (let k = 0; k < this.length; k++) {
      const g = gateways[picks !== undefined ? (picks[k] as number) : this.#from + k] as number;
      if (seen[g] === 1) continue;
      seen[g] = 1;
      devs.add((this.#table.gateways[g] as RouteGateway).dev);
    }
    return [...devs];
  }

  *[Symbol.iterator](): Iterator<ResolvedRoute> {
    for (let k = 0; k < this.length; k++) yield this.route(k);
  }

  /** In JSON (a plan's `routes.add`): each route as `ip route add` takes it, `10.0.0.4/31 via 10.0.0.3 dev eth0`. */
  toJSON(): string[] {
    // `up --json` writes every node's (a million for a ring of 1,000 routers): one pass over the columns,
    // each gateway's words made once.
    const t = this.#table;
    const { dest, gateway } = t.columns;
    const picks = this.#picks;
    const words = new Map<number, string>();
    const out = new Array<string>(this.length);
    for (let k = 0; k < this.length; k++) {
      const row = picks !== undefined ? (picks[k] as number) : this.#from + k;
      const g = gateway[row] as number;
      let via = words.get(g);
      if (via === undefined) {
        const gw = t.gateways[g] as RouteGateway;
        words.set(g, (via = ` via ${gw.via} dev ${gw.dev}`));
      }
      out[k] = (t.destinations[dest[row] as number] as RouteDestination).text + via;
    }
    return out;
  }
}
