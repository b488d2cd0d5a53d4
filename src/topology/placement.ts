/**
 * Automatic placement: which host each node without a `host:` goes on. Two aims, in this order: hosts
 * get about as many nodes as each other (a host of the lab is a machine of its own, and the lab is as fast
 * as its fullest one), and as few cables as can be cross between hosts (each is a VXLAN: slower than a
 * veth, and a dependency on the underlay).
 *
 * No graph partitioning library on npm fits (METIS and KaHIP are C++ with bindings that are not kept), so a
 * documented heuristic, deterministic for one file:
 *   1. Greedy growth: each host in turn, in file order, takes its target number of nodes by a
 *      breadth-first walk along the cables, from its pinned nodes (those whose `host:` names it) or else
 *      from the first unplaced node in file order, so each host holds a connected piece of the lab.
 *   2. Refinement, Kernighan-Lin style: moves and swaps of nodes on the cut that lower the number of cables
 *      between hosts while every host stays within one node of its target, until none helps (at most 20
 *      passes). Pinned nodes never move.
 * A chain of 1,000 over 4 hosts is 4 pieces of 250 and 3 cables between hosts.
 */

/** The lab as placement sees it: nodes in file order, and the cables as pairs of node indexes. */
export interface PlacementInput {
  nodes: readonly string[];
  cables: readonly (readonly [number, number])[];
  hosts: readonly string[];
  /** Node index -> host index, for the nodes whose `host:` says. */
  pinned: ReadonlyMap<number, number>;
}

const MAX_PASSES = 20;

/** The host index of every node. */
export function place(input: PlacementInput): number[] {
  const n = input.nodes.length;
  const k = input.hosts.length;
  const hostOf: number[] = new Array<number>(n).fill(-1);
  if (k === 0) return hostOf;
  const neighbours: number[][] = Array.from({ length: n }, () => []);
  for (const [a, b] of input.cables) {
    if (a === b) continue;
    neighbours[a]?.push(b);
    neighbours[b]?.push(a);
  }
  const size: number[] = new Array<number>(k).fill(0);
  for (const [node, host] of input.pinned) {
    hostOf[node] = host;
    size[host] = (size[host] ?? 0) + 1;
  }
  // Targets: n / k each, the first n % k hosts one more.
  const target = (h: number): number => Math.floor(n / k) + (h < n % k ? 1 : 0);
  let next = 0; // the first node in file order that may be unplaced
  for (let h = 0; h < k; h++) {
    const queue: number[] = [];
    for (let i = 0; i < n; i++) if (hostOf[i] === h) queue.push(i);
    let head = 0;
    while ((size[h] ?? 0) < target(h)) {
      if (head >= queue.length) {
        while (next < n && hostOf[next] !== -1) next++;
        if (next >= n) break;
        hostOf[next] = h;
        size[h] = (size[h] ?? 0) + 1;
        queue.push(next);
        continue;
      }
      const u = queue[head++] as number;
      for (const v of neighbours[u] ?? []) {
        if ((size[h] ?? 0) >= target(h)) break;
        if (hostOf[v] !== -1) continue;
        hostOf[v] = h;
        size[h] = (size[h] ?? 0) + 1;
        queue.push(v);
      }
    }
  }
  // Pinned nodes beyond a host's target leave others unplaced: they go to the emptiest hosts.
  for (let i = 0; i < n; i++) {
    if (hostOf[i] !== -1) continue;
    let best = 0;
    for (let h = 1; h < k; h++) if ((size[h] ?? 0) - target(h) < (size[best] ?? 0) - target(best)) best = h;
    hostOf[i] = best;
    size[best] = (size[best] ?? 0) + 1;
  }
  refine(hostOf, size, neighbours, input.pinned, target);
  return hostOf;
}

/** Cables of `u` into host `h`. */
function linksTo(u: number, h: number, hostOf: readonly number[], neighbours: readonly number[][]): number {
  let c = 0;
  for (const v of neighbours[u] ?? []) if (hostOf[v] === h) c++;
  return c;
}

function refine(hostOf: number[], size: number[], neighbours: readonly number[][], pinned: ReadonlyMap<number, number>, target: (h: number) => number): void {
  const n = hostOf.length;
  const movable = (u: number): boolean => !pinned.has(u);
  // A host may hold one more than its target, or one less, but no host of a balanced start goes further.
  const fits = (h: number, delta: number): boolean => {
    const s = (size[h] ?? 0) + delta;
    return s <= Math.max(target(h), size[h] ?? 0) && s >= Math.min(target(h), size[h] ?? 0);
  };
  for (let pass = 0; pass < MAX_PASSES; pass++) {
    let improved = false;
    // The nodes on the cut as this pass starts: the only ones a move or a swap can help.
    const boundary: number[] = [];
    for (let u = 0; u < n; u++) if ((neighbours[u] ?? []).some((v) => hostOf[v] !== hostOf[u])) boundary.push(u);
    for (const u of boundary) {
      if (!movable(u)) continue;
      const hu = hostOf[u] as number;
      const own = linksTo(u, hu, hostOf, neighbours);
      // The hosts u has cables into, in order of first cable (deterministic).
      const others: number[] = [];
      for (const v of neighbours[u] ?? []) {
        const hv = hostOf[v] as number;
        if (hv !== hu && !others.includes(hv)) others.push(hv);
      }
      for (const h of others) {
        const gain = linksTo(u, h, hostOf, neighbours) - own;
        // A move alone, when both hosts stay within their bounds.
        if (gain > 0 && fits(hu, -1) && fits(h, +1)) {
          hostOf[u] = h;
          size[hu] = (size[hu] ?? 0) - 1;
          size[h] = (size[h] ?? 0) + 1;
          improved = true;
          break;
        }
        // A swap with a node of h on the cut towards u's host: sizes do not change.
        let swapped = false;
        for (const v of boundary) {
          if (hostOf[v] !== h || !movable(v)) continue;
          const gainV = linksTo(v, hu, hostOf, neighbours) - linksTo(v, h, hostOf, neighbours);
          // A cable between u and v stays cut after the swap, and was counted in both gains.
          const between = (neighbours[u] ?? []).filter((x) => x === v).length;
          if (gain + gainV - 2 * between > 0) {
            hostOf[u] = h;
            hostOf[v] = hu;
            improved = swapped = true;
            break;
          }
        }
        if (swapped) break;
      }
    }
    if (!improved) return;
  }
}

/** How many cables `hostOf` puts between hosts. */
export function cutSize(cables: readonly (readonly [number, number])[], hostOf: readonly number[]): number {
  let c = 0;
  for (const [a, b] of cables) if (hostOf[a] !== hostOf[b]) c++;
  return c;
}
