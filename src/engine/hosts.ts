/**
 * Names inside a lab: every node resolves every other node's name, because `ip netns exec NETNS` (which
 * nslab exec, shell and ping use) mounts /etc/netns/NETNS/hosts over /etc/hosts. nslab writes one hosts
 * file for the lab and hardlinks it into each namespace's directory (cheap at a thousand nodes). A node
 * that has no route to where that file sends it (in a triangle of hosts, a neighbour's first address is on
 * a cable the node is not on) gets a file of its own instead, with the address on the segment they share
 * (topology/reach.ts hostsViews). Each file starts with a header naming the lab (hosts-files.ts, which
 * also finds and removes them); nslab never overwrites or deletes a hosts file without it.
 */
import { existsSync, linkSync, mkdirSync, renameSync, rmSync, unlinkSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { ETC_NETNS, header, ignore, labOfFile, masterFile, stagingDir } from './hosts-files.js';
import { sliced, turn } from './turn.js';
import { PIECE, type Steps } from '../topology/steps.js';
import { firstAddresses, hostsViewSteps, type HostsView } from '../topology/reach.js';
import type { Cidr, ResolvedLab } from '../topology/types.js';

/**
 * The hosts files of a lab: localhost, then each node's first IPv4 and first IPv6 address and its name; as
 * one viewer sees them for a view (topology/reach.ts hostsViews). Each node's first addresses are found
 * once, and a view that names its neighbours only costs their number: a chain of 10,000 hosts has 9,998
 * such views, and a pass over every node for each was 10^8 steps (two minutes of `up`).
 */
class HostsFiles {
  readonly #lab: ResolvedLab;
  #order: Map<string, number> | undefined;

  constructor(lab: ResolvedLab) {
    this.#lab = lab;
  }

  /** The file every node shares unless it has a view, in pieces (topology/steps.ts). */
  *shared(): Steps<string> {
    const lines = this.#head();
    const nodes = this.#lab.nodes;
    for (let i = 0; i < nodes.length; i++) {
      if (i % PIECE === PIECE - 1) yield;
      const name = (nodes[i] as ResolvedLab['nodes'][number]).name;
      entries(lines, name, firstAddresses(this.#lab, name));
    }
    return `${lines.join('\n')}\n`;
  }

  /** A viewer's own file. */
  of(view: HostsView): string {
    const lines = this.#head();
    if (view.only) {
      const order = (this.#order ??= new Map(this.#lab.nodes.map((n, i) => [n.name, i])));
      const names = [...view.names.keys()].sort((x, y) => (order.get(x) ?? 0) - (order.get(y) ?? 0));
      for (const node of names) entries(lines, node, view.names.get(node) ?? []);
    } else for (const { name } of this.#lab.nodes) entries(lines, name, view.names.get(name) ?? firstAddresses(this.#lab, name));
    return `${lines.join('\n')}\n`;
  }

  #head(): string[] {
    return [header(this.#lab.name).trimEnd(), '127.0.0.1\tlocalhost', '::1\tlocalhost ip6-localhost ip6-loopback'];
  }
}

/** A node's lines: its name at each address given (its first of each family, or a viewer's). */
function entries(lines: string[], node: string, first: readonly Cidr[]): void {
  for (const a of first) lines.push(`${a.address}\t${node}`);
}

/**
 * Writes (or rewrites) the hosts file of every node of the lab; skips, and returns, a node's hosts file
 * that is not the lab's. One file is written and hardlinked into each namespace's directory, then the
 * first name goes (the links keep the content). System calls are synchronous (a trip through the
 * threadpool each costs more) and come in slices with a turn of the event loop between them.
 */
export async function writeHosts(lab: ResolvedLab, dir = ETC_NETNS): Promise<string[]> {
  // A turn of its own: it starts in the turn of whatever started it (namespaces just made).
  await turn();
  const views = await sliced(hostsViewSteps(lab));
  const files = new HostsFiles(lab);
  const shared = await sliced(files.shared());
  mkdirSync(dir, { recursive: true });
  // Paths in the loops are put together by hand: path.join's normalizing was a tenth of the loop's CPU.
  const base = resolve(dir);
  const master = masterFile(lab.name, dir);
  writeFileSync(master, shared);
  const staging = stagingDir(lab.name, dir);
  ignore('EEXIST', () => mkdirSync(staging));
  const skipped: string[] = [];
  try {
    for (const [i, node] of lab.nodes.entries()) {
      if (i > 0 && i % SLICE === 0) await turn();
      const nsDir = `${base}/${node.netns}`;
      const file = `${nsDir}/hosts`;
      const view = views.get(node.name);
      const put = view === undefined ? (f: string) => linkSync(master, f) : (f: string) => writeFileSync(f, files.of(view), { flag: 'wx' });
      if (placeNew(staging, nsDir, put)) continue;
      // A hosts file is there already: replaced if it is the lab's, else left alone. The new one is made in
      // the staging directory and renamed over it, so a run killed at any moment leaves the old file or the
      // new one (unlinking first left, under a kill, a directory down cannot prove is the lab's).
      if (existsSync(file) && labOfFile(file) !== lab.name) {
        skipped.push(file);
        continue;
      }
      const next = `${staging}/${node.netns}`;
      rmSync(next, { recursive: true, force: true });
      put(next);
      renameSync(next, file);
    }
    return skipped;
  } finally {
    unlinkSync(master);
    rmSync(staging, { recursive: true, force: true });
  }
}

/**
 * A namespace's directory that does not exist yet, made whole: in the staging directory (which the caller
 * has made) with its hosts
 * file (`put`), then renamed into place. False when the directory exists (the caller places the file in
 * it); a directory made meanwhile by someone else is left to the caller the same way.
 */
function placeNew(staging: string, nsDir: string, put: (file: string) => void): boolean {
  if (existsSync(nsDir)) return false;
  const staged = `${staging}/${nsDir.slice(nsDir.lastIndexOf('/') + 1)}`;
  // One a killed run left staged is made anew.
  if (ignore('EEXIST', () => mkdirSync(staged))) {
    rmSync(staged, { recursive: true, force: true });
    mkdirSync(staged);
  }
  put(`${staged}/hosts`);
  try {
    renameSync(staged, nsDir);
    return true;
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code !== 'EEXIST' && code !== 'ENOTEMPTY') throw e;
    rmSync(staged, { recursive: true, force: true });
    return false;
  }
}

/**
 * Hosts files placed or removed per turn of the event loop: few enough that the system calls of one turn
 * never stall it long while the kernel makes a lab's devices (figures: docs/performance.md).
 */
const SLICE = 25;
