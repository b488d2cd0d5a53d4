/**
 * The engine's half of the table of operation kinds (the pure half is src/plan/ops): how each kind is run.
 * Kinds sent on a namespace's netlink socket say which requests; the others are batched addon calls
 * (namespaces, sysctls) or processes. TypeScript refuses a kind missing here.
 */
import type { OpKind } from '../plan/types.js';
import type { OpOf } from '../plan/index.js';
import { RTPROT_NSLAB } from '../plan/index.js';
import { NetlinkError, type DevRef, type Handle, type RouteSpec } from '../rtnl/index.js';
import type { ResolvedRoute } from '../topology/types.js';
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

/** Computed routes a routes.add op has in flight at most: one window of the addon (kWindow in nslab.cc). */
const ROUTES_AT_ONCE = 256;
/** Computed routes in flight at most in a run, every routes.add op's together: their requests and promises are the working set. */
const ROUTES_IN_FLIGHT = 4096;

/** A run's room for computed routes in flight, and the ops waiting for some. */
interface RouteRoom {
  left: number;
  waiting: (() => void)[];
}
const routeRooms = new WeakMap<RunContext, RouteRoom>();

/**
 * A node's computed routes, read from the lab's route table as they go, a window at a time: the requests in
 * flight stay bounded however many routes the lab has (a 32 x 32 grid of routers, two million). In a
 * namespace that stays, the undo deletes what was added, whatever failed.
 */
async function sendComputedRoutes(op: OpOf<'routes.add'>, h: Handle, ctx: RunContext): Promise<void> {
  let room = routeRooms.get(ctx);
  if (room === undefined) routeRooms.set(ctx, (room = { left: ROUTES_IN_FLIGHT, waiting: [] }));
  const routes = op.routes;
  const spec = (k: number): RouteSpec => routeSpec(routes.route(k), (dev) => ctx.dev(op.netns, dev));
  const added = new Uint8Array(routes.length);
  ctx.undo(op.netns, async () => {
    for (let k = 0; k < routes.length; k++) if (added[k] === 1) await h.route.del(spec(k));
  });
  for (let from = 0; from < routes.length; from += ROUTES_AT_ONCE) {
    const to = Math.min(routes.length, from + ROUTES_AT_ONCE);
    while (room.left < ROUTES_AT_ONCE) await new Promise<void>((resolve) => room.waiting.push(resolve));
    room.left -= to - from;
    const sent: Promise<void>[] = [];
    for (let k = from; k < to; k++) sent.push(h.route.add(spec(k)).then(() => void (added[k] = 1)));
    const settled = await Promise.allSettled(sent);
    room.left += to - from;
    room.waiting.shift()?.();
    const failed = settled.find((r) => r.status === 'rejected');
    if (failed !== undefined) throw failed.reason;
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
