/**
 * Interface naming: an endpoint without a name gets eth0, eth1, ... of its node, in file order, skipping
 * the names the node's other endpoints give explicitly (wherever in the file they stand). Two endpoints
 * giving one node the same name is a problem, reported at the second with the first as its other place.
 */
import type { Placed } from './endpoint.js';

export interface NamingRequest {
  node: string;
  /** The name the file gives, if any. */
  explicit: string | undefined;
  /** Where the name (or, without one, the node) is written. */
  place: Placed<string>;
}

export interface Duplicate {
  node: string;
  ifname: string;
  place: Placed<string>;
  first: Placed<string>;
}

export interface Naming {
  /** The final name of each request, in request order. */
  names: string[];
  /** Each node's interfaces in request order. */
  byNode: Map<string, string[]>;
  duplicates: Duplicate[];
}

export const AUTO_PREFIX = 'eth';

export function assignInterfaceNames(requests: readonly NamingRequest[]): Naming {
  const taken = new Map<string, Map<string, Placed<string>>>();
  const duplicates: Duplicate[] = [];
  for (let i = 0; i < requests.length; i++) {
    const r = requests[i] as NamingRequest;
    if (r.explicit === undefined) continue;
    let names = taken.get(r.node);
    if (names === undefined) taken.set(r.node, (names = new Map()));
    const first = names.get(r.explicit);
    if (first !== undefined) duplicates.push({ node: r.node, ifname: r.explicit, place: r.place, first });
    else names.set(r.explicit, r.place);
  }
  const next = new Map<string, number>();
  const byNode = new Map<string, string[]>();
  const names = requests.map((r) => {
    let name = r.explicit;
    if (name === undefined) {
      const used = taken.get(r.node);
      let n = next.get(r.node) ?? 0;
      while (used?.has(`${AUTO_PREFIX}${n}`) === true) n++;
      name = `${AUTO_PREFIX}${n}`;
      next.set(r.node, n + 1);
    }
    const list = byNode.get(r.node);
    if (list === undefined) byNode.set(r.node, [name]);
    else if (!list.includes(name)) list.push(name);
    return name;
  });
  return { names, byNode, duplicates };
}
