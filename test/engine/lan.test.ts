import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { describe, test } from 'node:test';
import { down, status, up } from '../../src/engine/index.js';
import type { Cidr, ResolvedEndpoint, ResolvedLab, ResolvedNode } from '../../src/topology/types.js';
import { ipJson, needsRoot, sh, uniqueName } from '../helpers/sandbox.js';

const v4 = (address: string, prefixLength = 24): Cidr => ({ family: 4, address, prefixLength });

function node(lab: string, name: string, extra: Partial<ResolvedNode> = {}): ResolvedNode {
  return { name, netns: `${lab}-${name}`, kind: 'host', forwarding: false, interfaces: [], routes: [], exec: [], ...extra };
}
function end(lab: string, n: string, ifname: string, addresses: Cidr[], extra: Partial<ResolvedEndpoint> = {}): ResolvedEndpoint {
  return { node: n, netns: `${lab}-${n}`, ifname, addresses, ...extra };
}

/** Two LANs (bridges s1, s2) joined by router r; h1, h2 on s1; h3 on s2; default routes via r. */
function twoLans(name: string): ResolvedLab {
  const host = (n: string, gw: string): ResolvedNode => node(name, n, { interfaces: ['eth0'], routes: [{ family: 4, to: 'default', via: gw }] });
  const port = (sw: string, p: string): ResolvedEndpoint => end(name, sw, p, [], { bridgePort: true });
  return {
    name,
    prefix: `${name}-`,
    nodes: [
      node(name, 's1', { kind: 'bridge', bridge: 'br0', interfaces: ['p1', 'p2', 'p3'] }),
      node(name, 's2', { kind: 'bridge', bridge: 'br0', interfaces: ['p1', 'p2'] }),
      node(name, 'r', { kind: 'router', forwarding: true, interfaces: ['eth0', 'eth1'] }),
      host('h1', '10.1.0.1'),
      host('h2', '10.1.0.1'),
      host('h3', '10.2.0.1'),
    ],
    links: [
      { id: 'r:eth0--s1:p1', a: end(name, 'r', 'eth0', [v4('10.1.0.1')]), b: port('s1', 'p1') },
      { id: 'h1:eth0--s1:p2', a: end(name, 'h1', 'eth0', [v4('10.1.0.2')]), b: port('s1', 'p2') },
      { id: 'h2:eth0--s1:p3', a: end(name, 'h2', 'eth0', [v4('10.1.0.3')]), b: port('s1', 'p3') },
      { id: 'r:eth1--s2:p1', a: end(name, 'r', 'eth1', [v4('10.2.0.1')]), b: port('s2', 'p1') },
      { id: 'h3:eth0--s2:p2', a: end(name, 'h3', 'eth0', [v4('10.2.0.2')]), b: port('s2', 'p2') },
    ],
  };
}

function ping(netns: string, target: string): string {
  return sh('ip', ['netns', 'exec', netns, 'ping', '-n', '-c', '1', '-W', '2', target]);
}

describe('LAN segments, routers and names', { skip: needsRoot }, () => {
  test('two LANs joined by a router: bridges in their own namespaces, forwarding only in the router', async () => {
    const lab = twoLans(uniqueName('lan'));
    const ns = (n: string): string => `${lab.name}-${n}`;
    try {
      await up(lab);
      const ports = ipJson<{ ifname: string; master?: string }[]>(['-n', ns('s1'), 'link', 'show', 'master', 'br0']);
      assert.deepEqual(ports.map((p) => p.ifname).sort(), ['p1', 'p2', 'p3']);
      assert.match(ping(ns('h1'), '10.1.0.3'), /1 received/, 'same LAN');
      assert.match(ping(ns('h1'), '10.2.0.2'), /1 received/, 'across the router');
      assert.equal(sh('ip', ['netns', 'exec', ns('r'), 'cat', '/proc/sys/net/ipv4/ip_forward']).trim(), '1');
      assert.equal(sh('ip', ['netns', 'exec', ns('h1'), 'cat', '/proc/sys/net/ipv4/ip_forward']).trim(), '0');
      assert.equal(sh('cat', ['/proc/sys/net/ipv4/ip_forward']).trim(), '0', "the sandbox's own namespace is untouched");
      // Names: every node resolves every other by name.
      assert.match(ping(ns('h3'), 'h1'), /1 received/);
      assert.match(readFileSync(`/etc/netns/${ns('h2')}/hosts`, 'utf8'), /^10\.2\.0\.2\th3$/m);
      // A second up changes nothing (bridges and ports are recognised).
      assert.deepEqual((await up(lab)).plan.ops, []);
      const s = await status(lab.name);
      assert.deepEqual(
        s.observed.namespaces[ns('s1')]?.links.filter((l) => l.kind === 'veth').map((l) => l.master),
        ['br0', 'br0', 'br0'],
      );
    } finally {
      await down(lab.name);
    }
    for (const n of lab.nodes) assert.ok(!existsSync(`/etc/netns/${n.netns}`), `hosts of ${n.name} removed`);
  });

  test("a hosts file that is not the lab's is left alone", async () => {
    const lab = twoLans(uniqueName('hst'));
    const dir = `/etc/netns/${lab.name}-h1`;
    sh('mkdir', ['-p', dir]);
    sh('sh', ['-c', `echo '10.9.9.9 mine' > ${dir}/hosts`]);
    try {
      await up(lab);
      assert.equal(readFileSync(`${dir}/hosts`, 'utf8'), '10.9.9.9 mine\n');
    } finally {
      await down(lab.name);
    }
    assert.equal(readFileSync(`${dir}/hosts`, 'utf8'), '10.9.9.9 mine\n');
    sh('rm', ['-r', dir]);
  });
});
