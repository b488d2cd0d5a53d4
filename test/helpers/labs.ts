/** Labs built in code for engine tests: the engine's input (ResolvedLab), hand-made. */
import assert from 'node:assert/strict';
import { existsSync, readdirSync } from 'node:fs';
import type { ResolvedLab } from '../../src/topology/types.js';
import { netnsList } from './sandbox.js';

/** A lab of `n` hosts in a chain, with /24s on every cable (10.I.0.1 and 10.I.0.2 on cable I). */
export function chain(name: string, n: number): ResolvedLab {
  const nodes = Array.from({ length: n }, (_, i) => `n${i}`);
  return {
    name,
    prefix: `${name}-`,
    nodes: nodes.map((node, i) => ({
      name: node,
      netns: `${name}-${node}`,
      kind: 'host',
      forwarding: false,
      interfaces: [...(i > 0 ? ['left'] : []), ...(i < n - 1 ? ['right'] : [])],
      routes: [],
      exec: [],
    })),
    links: nodes.slice(0, -1).map((node, i) => ({
      id: `${node}:right--n${i + 1}:left`,
      a: { node, netns: `${name}-${node}`, ifname: 'right', addresses: [{ family: 4, address: `10.${i}.0.1`, prefixLength: 24 }] },
      b: { node: `n${i + 1}`, netns: `${name}-n${i + 1}`, ifname: 'left', addresses: [{ family: 4, address: `10.${i}.0.2`, prefixLength: 24 }] },
    })),
  };
}

/** Nothing of the lab is left: no namespace, no state, no hosts file (its own or any namespace's). */
export function gone(lab: ResolvedLab): void {
  const left = new Set(netnsList());
  assert.deepEqual(
    lab.nodes.map((n) => n.netns).filter((n) => left.has(n)),
    [],
    'no namespace of the lab is left',
  );
  assert.ok(!existsSync(`/run/nslab/${lab.name}`), 'no state of the lab is left');
  assert.deepEqual(
    lab.nodes.map((n) => n.netns).filter((n) => existsSync(`/etc/netns/${n}`)),
    [],
    'no hosts file of the lab is left',
  );
  assert.deepEqual(
    readdirSync('/etc/netns').filter((f) => f === `.nslab-${lab.name}.hosts`),
    [],
    "the lab's own hosts file is gone",
  );
}
