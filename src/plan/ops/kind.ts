/**
 * What every kind of operation declares, in one place (STYLE.md 13): how it reads as a phrase and as the
 * `ip` commands it equals, what it does to a model of the kernel, and which namespace's socket carries its
 * request. The engine's half (how it is sent) is src/engine/requests.ts, keyed by the same kinds.
 */
import type { Cidr } from '../../topology/types.js';
import type { ObservedLab, ObservedLink, ObservedNamespace, Op, OpKind } from '../types.js';
import { NslabError } from '../../errors.js';

/** The op of one kind. */
export type OpOf<K extends OpKind> = Extract<Op, { op: K }>;

/** The model of the kernel that `simulate` runs a plan against. */
export interface Model {
  readonly lab: ObservedLab;
  nsOf(op: Op, netns: string): ObservedNamespace;
  linkOf(op: Op, netns: string, ifname: string): ObservedLink;
  /** A pid for a process the model starts. */
  nextPid(): number;
}

export interface OpKindSpec<K extends OpKind> {
  /** A short phrase for progress output: `veth red:rveth <-> green:gveth`. */
  describe(op: OpOf<K>): string;
  /** The iproute2 (or tc, sysctl, sh) commands that do the same, one per line, ready to paste. */
  explain(op: OpOf<K>): string;
  /** Applies the op to the model as the kernel would; throws (through `fail`) where the kernel refuses. */
  simulate(op: OpOf<K>, model: Model): void;
  /**
   * The namespace whose netlink socket carries the op's request, once issued; undefined for the kinds that
   * send none (namespaces and sysctls go through the addon, exec and kills are processes).
   */
  socket(op: OpOf<K>): string | undefined;
  /** The devices the op makes, as [namespace, name] (the engine gives each an index, lanes follow them). */
  makes?(op: OpOf<K>): [netns: string, ifname: string][];
  /**
   * The op's lane (see levels.ts laneOf): its socket when its request may ride right behind the op that
   * makes its device; `makes` says whether the plan makes a device.
   */
  lane(op: OpOf<K>, makes: (netns: string, ifname: string | undefined) => boolean): string | undefined;
}

/** Throws what the kernel would answer, naming the op. */
export function fail(op: Op, what: string): never {
  throw new NslabError('NSLAB_INTERNAL', `simulate: ${op.id}: ${what}`);
}

/** The MTU a veth gets when none is asked for. */
export const DEFAULT_MTU = 1500;

/** Removes a device and the routes through it (as the kernel does when a device goes). */
export function dropLink(ns: ObservedNamespace, ifname: string): void {
  ns.links = ns.links.filter((l) => l.ifname !== ifname);
  ns.routes = ns.routes.filter((r) => r.dev !== ifname);
}

/** A device's far end's namespace, when it is in the model. */
export function farNamespace(lab: ObservedLab, link: ObservedLink): ObservedNamespace | undefined {
  return link.peer !== undefined && Object.hasOwn(lab.namespaces, link.peer.netns) ? lab.namespaces[link.peer.netns] : undefined;
}

/** A lane that no op takes: for the kinds whose request never rides behind another. */
export const noLane = (): undefined => undefined;

export type { Cidr };
