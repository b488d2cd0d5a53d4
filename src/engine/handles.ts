/**
 * The netlink handles and namespace descriptors a run holds, by namespace. Every handle of a run joins one
 * flush group, so the requests issued in one turn leave together. Closed in one native call, before the
 * namespaces they are in are deleted (an open socket keeps a deleted namespace alive).
 */
import { Handle } from '../rtnl/index.js';

export class HandleSet {
  readonly #dir: string;
  readonly #handles = new Map<string, Handle>();
  /** Open fds of the namespaces this run made, for the IFLA_NET_NS_FD of veth peers. */
  readonly #nsFds = new Map<string, number>();
  /** The handle on the host's own namespace, opened by the first op that needs it. */
  #underlay: Promise<Handle> | undefined;

  constructor(dir: string) {
    this.#dir = dir;
  }

  /** The open handle of a namespace, if there is one. */
  get(netns: string): Handle | undefined {
    return this.#handles.get(netns);
  }

  /** The handle of a namespace, opened now if need be (a request whose handle is open is queued at once). */
  async open(netns: string): Promise<Handle> {
    let h = this.#handles.get(netns);
    if (h === undefined) {
      [h] = await Handle.openMany([netns], this.#dir, this.#any());
      this.#handles.set(netns, h as Handle);
    }
    return h as Handle;
  }

  /** Opens the handles of these namespaces in one native call. */
  async openAll(names: Iterable<string>): Promise<void> {
    const missing = [...names].filter((n) => !this.#handles.has(n));
    if (missing.length === 0) return;
    for (const h of await Handle.openMany(missing, this.#dir, this.#any())) this.#handles.set(h.netns as string, h);
  }

  /** Takes over sockets (and namespace fds) born inside namespaces this run made. */
  adopt(made: readonly { netns: string; fd: number; nsFd: number }[]): void {
    for (const m of made) this.#nsFds.set(m.netns, m.nsFd);
    Handle.adopt(made, this.#dir, this.#any()).forEach((h) => this.#handles.set(h.netns as string, h));
  }

  /** The open fd of a namespace this run made. */
  nsFd(netns: string): number | undefined {
    return this.#nsFds.get(netns);
  }

  /** Closes the handles and fds held for these namespaces, in one native call. */
  async release(names: Iterable<string>): Promise<void> {
    const handles: Handle[] = [];
    const fds: number[] = [];
    for (const n of names) {
      const h = this.#handles.get(n);
      const fd = this.#nsFds.get(n);
      if (h !== undefined) handles.push(h);
      if (fd !== undefined) fds.push(fd);
      this.#handles.delete(n);
      this.#nsFds.delete(n);
    }
    await Handle.closeAll(handles, fds);
  }

  /**
   * A handle on the namespace this process runs in, where a lab's VXLAN sockets live: it may send one kind
   * of change only, a VXLAN made into another namespace (rtnl/underlay.ts).
   */
  underlay(): Promise<Handle> {
    return (this.#underlay ??= Handle.open());
  }

  /** Closes everything still held. */
  async releaseAll(): Promise<void> {
    const underlay = this.#underlay;
    this.#underlay = undefined;
    if (underlay !== undefined) (await underlay.catch(() => undefined))?.close();
    return this.release(new Set([...this.#handles.keys(), ...this.#nsFds.keys()]));
  }

  /** A handle whose flush group new handles join. */
  #any(): Handle | undefined {
    return this.#handles.values().next().value;
  }
}
