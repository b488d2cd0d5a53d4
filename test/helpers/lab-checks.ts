/** Checks of a lab brought up by the CLI, read back from the kernel with `ip -j` and ping (the witnesses). */
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { ResolvedLab } from '../../src/topology/types.js';
import { ipJson, netnsList, sh } from './sandbox.js';

interface IpAddr {
  ifname: string;
  operstate: string;
  addr_info: { family: string; local: string; prefixlen: number }[];
}

/** Every link end of the lab exists in its namespace, is UP and has exactly its addresses (ip -j). */
export function assertLabInKernel(lab: ResolvedLab): void {
  for (const link of lab.links) {
    for (const end of [link.a, link.b]) {
      const [dev] = ipJson<IpAddr[]>(['-n', end.netns, 'addr', 'show', 'dev', end.ifname]);
      assert.ok(dev !== undefined, `${end.netns}:${end.ifname} exists`);
      assert.equal(dev.operstate, 'UP', `${end.netns}:${end.ifname} is UP`);
      const got = dev.addr_info
        .filter((a) => !a.local.startsWith('fe80'))
        .map((a) => `${a.local}/${a.prefixlen}`)
        .sort();
      assert.deepEqual(got, end.addresses.map((a) => `${a.address}/${a.prefixLength}`).sort(), `${end.netns}:${end.ifname} addresses`);
    }
  }
}

/** Pings across every link that has an address of the same family at both ends. */
export function assertLinksCarryPings(lab: ResolvedLab): void {
  for (const link of lab.links) {
    for (const family of [4, 6] as const) {
      const to = link.b.addresses.find((a) => a.family === family);
      if (to === undefined || !link.a.addresses.some((a) => a.family === family)) continue;
      const out = sh('ip', ['netns', 'exec', link.a.netns, 'ping', ...(family === 6 ? ['-6'] : []), '-n', '-c', '1', '-W', '2', to.address]);
      assert.match(out, /1 received/, `${link.a.node} pings ${link.b.node} at ${to.address}`);
    }
  }
}

export function assertGone(lab: ResolvedLab): void {
  const left = new Set(netnsList());
  for (const n of lab.nodes) assert.ok(!left.has(n.netns), `namespace ${n.netns} is gone`);
  assert.ok(!existsSync(join('/run/nslab', lab.name)), `state of ${lab.name} is gone`);
}
