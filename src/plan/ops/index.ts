/**
 * The table of operation kinds: every kind, and what it declares (ops/kind.ts). Adding a kind is one entry
 * here and one in the engine's table (src/engine/requests.ts); TypeScript refuses a kind missing from either.
 */
import type { Op, OpKind } from '../types.js';
import { addrAdd, addrDel } from './addr.js';
import type { OpKindSpec } from './kind.js';
import { frrStart, frrStop } from './frr.js';
import { bridgeAdd, linkSet, vethAdd, vethDel } from './link.js';
import { netnsAdd, netnsDel, sysctlSet } from './namespace.js';
import { exec, procKill } from './process.js';
import { qdiscDel, qdiscSet } from './qdisc.js';
import { routeAdd, routeDel, routesAdd } from './route.js';
import { vxlanAdd, vxlanDel } from './vxlan.js';

export const OP_KINDS: { readonly [K in OpKind]: OpKindSpec<K> } = {
  'proc.kill': procKill,
  'netns.add': netnsAdd,
  'netns.del': netnsDel,
  'sysctl.set': sysctlSet,
  'veth.add': vethAdd,
  'veth.del': vethDel,
  'bridge.add': bridgeAdd,
  'link.set': linkSet,
  'addr.add': addrAdd,
  'addr.del': addrDel,
  'qdisc.set': qdiscSet,
  'qdisc.del': qdiscDel,
  'route.add': routeAdd,
  'route.del': routeDel,
  'routes.add': routesAdd,
  'vxlan.add': vxlanAdd,
  'vxlan.del': vxlanDel,
  'frr.start': frrStart,
  'frr.stop': frrStop,
  exec,
};

/** The spec of an op's kind, taking any op (the table is keyed by kind, so each entry gets its own ops). */
export function kindOf(op: Op): OpKindSpec<OpKind> {
  return OP_KINDS[op.op] as unknown as OpKindSpec<OpKind>;
}

/** A short human phrase for `op` (progress output). */
export function describe(op: Op): string {
  return kindOf(op).describe(op);
}

/** The iproute2 command(s) equivalent to `op`, one per line. */
export function explain(op: Op): string {
  return kindOf(op).explain(op);
}

/** The namespace whose netlink socket carries `op`'s request; undefined for the kinds that send none. */
export function socketOf(op: Op): string | undefined {
  return kindOf(op).socket(op);
}

/** The devices `op` makes, as [namespace, name]. */
export function devicesMadeBy(op: Op): [netns: string, ifname: string][] {
  return kindOf(op).makes?.(op) ?? [];
}

export { qdiscArgs } from './qdisc.js';
export type { Model, OpKindSpec, OpOf } from './kind.js';
