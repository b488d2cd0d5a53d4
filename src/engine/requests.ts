/**
 * The engine's half of the table of operation kinds (the pure half is src/plan/ops): how each kind is run.
 * Kinds sent on a namespace's netlink socket say which requests; the others are batched addon calls
 * (namespaces, sysctls) or processes. TypeScript refuses a kind missing here.
 */
import type { OpKind } from '../plan/types.js';
import type { OpOf } from '../plan/ops/index.js';
import { RTPROT_NSLAB } from '../plan/marks.js';
import { NslabError } from '../errors.js';
import { longestRouteRequest, putRouteRequest, routeDestination, type RouteDestination, type RouteShape } from '../netlink/index.js';
import { NetlinkError, type DevRef, type Handle, type RequestFailure, type RouteSpec } from '../rtnl/index.js';
import { RouteList, type RouteDestination as TableDestination, type RouteTable } from '../topology/route-table.js';
import type { NodeRoutes, ResolvedRoute } from '../topology/types.js';
import { optional } from './optional.js';
import type { Namespaces } from './namespaces.js';
import type { Processes } from './processes.js';
import type { FrrDaemons } from './frr.js';
import { qdiscSpec } from './shaping.js';

/** What running an op needs from the run. */
export interface RunContext {
  /** The lab's ownership mark, written on every device nslab makes. */
  readonly mark: string;
  /** A device as a request names it (by the index this run gives it, else by name). */
  dev(netns: string, ifname: string): DevRef;
  /** The open fd of a namespace this run made (for a veth peer born there). */
  nsFd(netns: string): number | undefined;
  /** Records how to undo something made in a namespace that existed before (a new one takes it along). */
  undo(netns: string, undo: () => Promise<void>): void;
  /** Records how to undo something, whatever its namespace (undone before the run's namespaces go). */
  undoAlways(undo: () => Promise<void>): void;
  /** The handle of a namespace, opened now if need be (or again, once released). */
  handle(netns: string): Promise<Handle>;
  /** A handle on the host's own namespace, for the one request it may carry (rtnl/underlay.ts). */
  underlay(): Promise<Handle>;
  /** Resolves once the caller lets the run go on from a network made to its exec entries (EngineOptions.gate). */
  gate(): Promise<void>;
  readonly namespaces: Namespaces;
  readonly processes: Processes;
  readonly frr: FrrDaemons;
}

export type Runner<K extends OpKind> =
  /** Sent on the socket of the namespace the kind's `socket` names; resolves when the kernel answers. */
  | { via: 'socket'; send(op: OpOf<K>, h: Handle, ctx: RunContext): Promise<void> }
  /** Run together with the others of its kind started in the same turn: one promise per op. */
  | { via: 'batch'; start(ops: OpOf<K>[], ctx: RunContext): Promise<void>[] }
  /** A process of the lab's. */
  | { via: 'process'; run(op: OpOf<K>, ctx: RunContext): Promise<void> };

/**
 * Deletes something, done already when the kernel says it is not there (`gone`: ENODEV for a device,
 * EADDRNOTAVAIL for an address, ESRCH for a route): a device whose far namespace went is deleted by the
 * kernel on its own, at its own pace, and a run killed after a deletion leaves it planned again.
 */
async function idempotent(work: Promise<unknown>, gone: string): Promise<void> {
  try {
    await work;
  } catch (e) {
    // Whatever was on a device that is gone went with it.
    if (!(e instanceof NetlinkError && (e.errnoName === gone || e.errnoName === 'ENODEV'))) throw e;
  }
}

/** Computed routes a routes.add op sends at once, with one promise: one window of the addon (kWindow in transact.cc). */
const ROUTES_AT_ONCE = 256;
/** Windows of computed routes in flight at most in a run, every routes.add op's together (their buffers are the working set). */
const WINDOWS_IN_FLIGHT = 32;

/** A run's room for windows in flight, and the ops waiting for some. */
interface RouteRoom {
  left: number;
  waiting: (() => void)[];
}
const routeRooms = new WeakMap<RunContext, RouteRoom>();

/** A route table's destinations, each encoded the first time a route to it is sent (a ring of 1,000 routers has 1,000 for its million routes). */
const encodedDestinations = new WeakMap<RouteTable, (RouteDestination | undefined)[]>();

/** A node's computed routes as requests: each route's bytes written straight from the table's integers. */
class RouteRequests {
  readonly #routes: RouteList;
  readonly #dest: Int32Array;
  readonly #gateway: Int32Array;
  readonly #from: number;
  readonly #picks: Int32Array | undefined;
  readonly #destinations: readonly TableDestination[];
  readonly #encoded: (RouteDestination | undefined)[];
  /** By gateway index (the node's few): its shape. */
  readonly #shapes: Map<number, RouteShape>;
  /** The bytes of the longest request a shape makes. */
  readonly #longest: number;

  private constructor(routes: RouteList, shapes: Map<number, RouteShape>) {
    const table = routes.table;
    this.#routes = routes;
    this.#dest = table.columns.dest;
    this.#gateway = table.columns.gateway;
    ({ from: this.#from, picks: this.#picks } = routes.rows);
    this.#destinations = table.destinations;
    let encoded = encodedDestinations.get(table);
    if (encoded === undefined) encodedDestinations.set(table, (encoded = []));
    this.#encoded = encoded;
    this.#shapes = shapes;
    let longest = 0;
    for (const shape of shapes.values()) longest = Math.max(longest, longestRouteRequest(shape));
    this.#longest = longest;
  }

  /** The requests of a node's routes (`kind` add or del), the shape of each of its gateways made once. */
  static async of(routes: NodeRoutes, kind: 'add' | 'del', h: Handle, dev: (ifname: string) => DevRef): Promise<RouteRequests> {
    // The planner's lists are RouteLists: the engine reads the table's columns, which NodeRoutes keeps to itself.
    if (!(routes instanceof RouteList)) throw new NslabError('NSLAB_INTERNAL', 'routes.add carries computed routes read from a RouteTable');
    const { from, picks } = routes.rows;
    const gateways = routes.table.columns.gateway;
    // Each gateway's first route, which its shape is made from.
    const seen = new Uint8Array(routes.table.gateways.length);
    const first = new Map<number, number>();
    for (let k = 0; k < routes.length; k++) {
      const g = gateways[picks !== undefined ? (picks[k] as number) : from + k] as number;
      if (seen[g] === 1) continue;
      seen[g] = 1;
      first.set(g, k);
    }
    const shapes = new Map<number, RouteShape>();
    for (const [g, k] of first) shapes.set(g, await h.route.shape(routeSpec(routes.route(k), dev), kind));
    return new RouteRequests(routes, shapes);
  }

  /**
   * The requests of routes from .. to - 1 in one buffer, but those `only` leaves out (0), if given. One loop
   * with the table's columns in locals, and the buffer made for the longest shape: the CLI runs node with
   * --no-opt, where every call and every second pass over a million routes shows.
   */
  encode(from: number, to: number, only?: Uint8Array): Buffer {
    const picks = this.#picks;
    const first = this.#from;
    const destColumn = this.#dest;
    const gatewayColumn = this.#gateway;
    const shapes = this.#shapes;
    const encoded = this.#encoded;
    const out = Buffer.allocUnsafe((to - from) * this.#longest);
    let off = 0;
    for (let k = from; k < to; k++) {
      if (only !== undefined && only[k] !== 1) continue;
      const row = picks !== undefined ? (picks[k] as number) : first + k;
      const d = destColumn[row] as number;
      const dst = encoded[d] ?? (encoded[d] = encodeDestination(this.#destinations[d] as TableDestination));
      off = putRouteRequest(out, off, shapes.get(gatewayColumn[row] as number) as RouteShape, dst);
    }
    return out.subarray(0, off);
  }

  /** Route k as errors name it: `10.0.0.4/31 via 10.0.0.3 dev eth0`. */
  describe(k: number): string {
    return `${this.#routes.toText(k)} via ${this.#routes.via(k)} dev ${this.#routes.dev(k)}`;
  }
}

function encodeDestination(d: TableDestination): RouteDestination {
  return d.to === 'default' ? routeDestination(d.family, undefined, 0) : routeDestination(d.family, d.to.address, d.to.prefixLength);
}

/**
 * A node's computed routes, written straight from the lab's route table into one buffer a window (256
 * routes, one promise): the requests in flight stay bounded however many routes the lab has (a 32 x 32 grid
 * of routers, two million), and no route becomes an object on its way. In a namespace that stays, the
 * undo deletes what was added, whatever failed.
 */
async function sendComputedRoutes(op: OpOf<'routes.add'>, h: Handle, ctx: RunContext): Promise<void> {
  let room = routeRooms.get(ctx);
  if (room === undefined) routeRooms.set(ctx, (room = { left: WINDOWS_IN_FLIGHT, waiting: [] }));
  const count = op.routes.length;
  const dev = (ifname: string): DevRef => ctx.dev(op.netns, ifname);
  const requests = await RouteRequests.of(op.routes, 'add', h, dev);
  // Errors name the route, its node and its device: made only for a route the kernel refuses.
  const object = (k: number): string => `${requests.describe(k)} (computed for node ${op.node})`;
  const added = new Uint8Array(count);
  ctx.undo(op.netns, async () => {
    const undo = await RouteRequests.of(op.routes, 'del', h, dev);
    for (let from = 0; from < count; from += ROUTES_AT_ONCE) {
      const to = Math.min(count, from + ROUTES_AT_ONCE);
      const positions: number[] = [];
      for (let k = from; k < to; k++) if (added[k] === 1) positions.push(k);
      if (positions.length === 0) continue;
      const [failed] = await h.route.delMany(undo.encode(from, to, added), (i) => object(positions[i] as number));
      if (failed !== undefined) throw failed.error;
    }
  });
  for (let from = 0; from < count; from += ROUTES_AT_ONCE) {
    const to = Math.min(count, from + ROUTES_AT_ONCE);
    while (room.left === 0) await new Promise<void>((resolve) => room.waiting.push(resolve));
    room.left -= 1;
    let failures: RequestFailure[];
    try {
      failures = await h.route.addMany(requests.encode(from, to), (i) => object(from + i));
    } finally {
      room.left += 1;
      room.waiting.shift()?.();
    }
    added.fill(1, from, to);
    for (const f of failures) added[from + f.index] = 0;
    const [failed] = failures;
    if (failed !== undefined) throw failed.error;
  }
}

/** A lab route as the Handle takes it, marked with nslab's route protocol; `dev` names the device. */
export function routeSpec(r: ResolvedRoute, dev: (ifname: string) => DevRef): RouteSpec {
  return {
    to: r.to === 'default' ? 'default' : `${r.to.address}/${r.to.prefixLength}`,
    family: r.family,
    protocol: RTPROT_NSLAB,
    ...(r.via !== undefined ? { via: r.via } : {}),
    ...(r.dev !== undefined ? { dev: dev(r.dev) } : {}),
    ...(r.metric !== undefined ? { metric: r.metric } : {}),
  };
}

export const RUNNERS: { readonly [K in OpKind]: Runner<K> } = {
  'netns.add': { via: 'batch', start: (ops, ctx) => ctx.namespaces.make(ops) },
  'netns.del': {
    via: 'batch',
    start(ops, ctx) {
      const all = ctx.namespaces.delete(ops);
      return ops.map(() => all);
    },
  },
  'sysctl.set': {
    via: 'batch',
    start(ops, ctx) {
      // Those written as their namespace was made are done; the rest go in one native call.
      const late = ops.filter((op) => !ctx.namespaces.isEarly(op));
      const all = late.length > 0 ? ctx.namespaces.sysctls(late) : Promise.resolve();
      return ops.map((op) => (ctx.namespaces.isEarly(op) ? Promise.resolve() : all));
    },
  },
  'veth.add': {
    via: 'socket',
    async send(op, h, ctx) {
      const a = ctx.dev(op.a.netns, op.a.ifname);
      const b = ctx.dev(op.b.netns, op.b.ifname);
      const made = h.link.addVeth({
        name: op.a.ifname,
        ...(typeof a !== 'string' ? { index: a.index } : {}),
        ...optional('mtu', op.mtu),
        ...optional('address', op.a.mac),
        peer: {
          name: op.b.ifname,
          netns: op.b.netns,
          ...(typeof b !== 'string' ? { index: b.index } : {}),
          ...optional('netnsFd', ctx.nsFd(op.b.netns)),
          ...optional('address', op.b.mac),
        },
      });
      // The link.set that brings each end up writes the mark. In a namespace that existed before, the
      // first end is marked at once too, so a crash in between leaves nothing unmarked there.
      const marked = ctx.namespaces.fresh.has(op.a.netns) ? undefined : h.link.set(a, { alias: ctx.mark });
      // Both are awaited whatever happens: a mark request left unawaited when the create fails would
      // reject with nobody listening.
      const [created, mark] = await Promise.allSettled([made, marked]);
      if (created.status === 'rejected') throw created.reason;
      ctx.undo(op.a.netns, () => h.link.del(op.a.ifname));
      if (mark.status === 'rejected') throw mark.reason;
    },
  },
  'veth.del': { via: 'socket', send: (op, h) => idempotent(h.link.del(op.a.ifname), 'ENODEV') },
  'bridge.add': {
    via: 'socket',
    async send(op, h, ctx) {
      const dev = ctx.dev(op.netns, op.name);
      const made = h.link.addBridge({ name: op.name, ...(typeof dev !== 'string' ? { index: dev.index } : {}) });
      const set = h.link.set(dev, { up: true, alias: ctx.mark });
      const [created, up] = await Promise.allSettled([made, set]);
      if (created.status === 'rejected') throw created.reason;
      ctx.undo(op.netns, () => h.link.del(op.name));
      if (up.status === 'rejected') throw up.reason;
    },
  },
  'link.set': {
    via: 'socket',
    // Every link.set also (re)writes the mark, so both ends of a new veth carry it.
    send: (op, h, ctx) =>
      h.link.set(ctx.dev(op.netns, op.ifname), {
        ...optional('up', op.up),
        ...optional('mtu', op.mtu),
        ...(op.master !== undefined ? { master: ctx.dev(op.netns, op.master) } : {}),
        alias: ctx.mark,
      }),
  },
  'addr.add': {
    via: 'socket',
    async send(op, h, ctx) {
      const cidr = `${op.cidr.address}/${op.cidr.prefixLength}`;
      const dev = ctx.dev(op.netns, op.ifname);
      await h.addr.add(dev, cidr, { nodad: true });
      ctx.undo(op.netns, () => h.addr.del(dev, cidr));
    },
  },
  'addr.del': { via: 'socket', send: (op, h) => idempotent(h.addr.del(op.ifname, `${op.cidr.address}/${op.cidr.prefixLength}`), 'EADDRNOTAVAIL') },
  'route.add': {
    via: 'socket',
    async send(op, h, ctx) {
      const spec = routeSpec(op.route, (dev) => ctx.dev(op.netns, dev));
      // An adopted route stays as it was found, but for nslab's mark: nothing to undo.
      if (op.adopt === true) return h.route.replace(spec);
      await h.route.add(spec);
      ctx.undo(op.netns, () => h.route.del(spec));
    },
  },
  'routes.add': { via: 'socket', send: sendComputedRoutes },
  'route.del': { via: 'socket', send: (op, h, ctx) => idempotent(h.route.del(routeSpec(op.route, (dev) => ctx.dev(op.netns, dev))), 'ESRCH') },
  'qdisc.set': { via: 'socket', send: (op, h, ctx) => h.qdisc.replace(ctx.dev(op.netns, op.ifname), qdiscSpec(op.shaping, op.tbf)) },
  'qdisc.del': {
    via: 'socket',
    async send(op, h, ctx) {
      await h.qdisc.del(ctx.dev(op.netns, op.ifname));
    },
  },
  'vxlan.add': {
    via: 'batch',
    start(ops, ctx) {
      return ops.map(async (op) => {
        const dev = ctx.dev(op.end.netns, op.end.ifname);
        const host = await ctx.underlay();
        await host.link.addVxlanInto({
          name: op.end.ifname,
          netns: op.end.netns,
          ...optional('netnsFd', ctx.nsFd(op.end.netns)),
          ...(typeof dev !== 'string' ? { index: dev.index } : {}),
          vni: op.vni,
          local: op.local,
          remote: op.remote,
          port: op.port,
          mtu: op.mtu,
        });
        // Deleted on a rollback even in a namespace the run made, before that namespace goes: a VXLAN
        // deleted with its namespace frees its VNI late, and an up that follows at once would find it busy.
        ctx.undoAlways(async () => idempotent((await ctx.handle(op.end.netns)).link.del(op.end.ifname), 'ENODEV'));
        // As a veth's first end: marked at once in a namespace that existed before (link.set marks the rest).
        if (!ctx.namespaces.fresh.has(op.end.netns)) await (await ctx.handle(op.end.netns)).link.set(dev, { alias: ctx.mark });
      });
    },
  },
  'vxlan.del': { via: 'socket', send: (op, h) => idempotent(h.link.del(op.ifname), 'ENODEV') },
  'frr.start': {
    via: 'process',
    async run(op, ctx) {
      // As an exec entry: a lab over several hosts starts its daemons once every host has its network.
      await ctx.gate();
      return ctx.frr.start(op);
    },
  },
  'frr.stop': { via: 'process', run: (op, ctx) => ctx.frr.stop(op) },
  exec: {
    via: 'process',
    async run(op, ctx) {
      await ctx.gate();
      return ctx.processes.exec(op);
    },
  },
  'proc.kill': { via: 'process', run: (op, ctx) => ctx.processes.kill(op) },
};
