/**
 * A host's part of a lab over several machines, run by the engine as a lab of its own: its cables to other
 * hosts are VXLAN devices made from this namespace (the host's, where the underlay is) into the nodes'.
 * The peer host is a namespace joined to this one by a veth, with a VXLAN made by hand: the far end.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { down, status, up } from '../../src/engine/index.js';
import { explain, plan } from '../../src/plan/index.js';
import type { ResolvedLab, ResolvedTunnel } from '../../src/topology/types.js';
import { ipJson, needsRoot, netnsList, sh, uniqueName } from '../helpers/sandbox.js';

/** A part of one node, `red`, whose one cable goes to another host. */
function part(name: string, vni: number, extra: Partial<ResolvedTunnel> = {}): ResolvedLab {
  const end = { node: 'red', netns: `${name}-red`, ifname: 'eth0', addresses: [{ family: 4 as const, address: '10.0.0.1', prefixLength: 24 }] };
  return {
    name,
    prefix: `${name}-`,
    nodes: [{ name: 'red', netns: end.netns, kind: 'host', forwarding: false, interfaces: ['eth0'], routes: [], exec: [], host: 'A' }],
    links: [],
    tunnels: [
      {
        id: 'red:eth0--green:eth0',
        end,
        mtu: 1450,
        vni,
        port: 4789,
        local: '10.98.0.1',
        remote: '10.98.0.2',
        peer: { host: 'B', node: 'green', ifname: 'eth0' },
        ...extra,
      },
    ],
  };
}

describe('a part with cables to another host', { skip: needsRoot }, () => {
  const peer = uniqueName('tp');
  const far = uniqueName('tf');
  const wire = uniqueName('tw');
  const vni = 300 + (process.pid % 1000);
  before(() => {
    sh('ip', ['netns', 'add', peer]);
    sh('ip', ['netns', 'add', far]);
    sh('ip', ['link', 'add', wire, 'type', 'veth', 'peer', 'name', 'wire', 'netns', peer]);
    sh('ip', ['addr', 'add', '10.98.0.1/24', 'dev', wire]);
    sh('ip', ['link', 'set', wire, 'up']);
    sh('ip', ['-n', peer, 'addr', 'add', '10.98.0.2/24', 'dev', 'wire']);
    sh('ip', ['-n', peer, 'link', 'set', 'wire', 'up']);
    sh('ip', [
      'netns',
      'exec',
      peer,
      'ip',
      'link',
      'add',
      'eth0',
      'netns',
      far,
      'type',
      'vxlan',
      'id',
      String(vni),
      'local',
      '10.98.0.2',
      'remote',
      '10.98.0.1',
      'dstport',
      '4789',
      'nolearning',
    ]);
    sh('ip', ['-n', far, 'addr', 'add', '10.0.0.2/24', 'dev', 'eth0']);
    sh('ip', ['-n', far, 'link', 'set', 'eth0', 'up']);
  });
  after(() => {
    for (const ns of [far, peer]) sh('sh', ['-c', `ip netns del ${ns} 2>/dev/null || true`]);
    sh('sh', ['-c', `ip link del ${wire} 2>/dev/null || true`]);
  });

  test('the plan makes the device from the host, addresses it, brings it up; --explain says so', () => {
    const ops = plan(part('x', 7), null).ops;
    assert.deepEqual(
      ops.map((o) => o.id),
      ['netns:red', 'vxlan:red:eth0--green:eth0', 'addr:red:eth0:10.0.0.1/24', 'up:red:eth0'],
    );
    assert.equal(
      explain(ops[1] as (typeof ops)[number]),
      'ip link add eth0 netns x-red mtu 1450 type vxlan id 7 local 10.98.0.1 remote 10.98.0.2 dstport 4789 nolearning',
    );
  });

  test('up pings across, a second up changes nothing, down deletes the device before its namespace, and an up right after finds its VNI free', async () => {
    const lab = part(uniqueName('tu'), vni);
    try {
      const first = await up(lab);
      assert.equal(first.changed, true);
      const [dev] = ipJson<{ mtu: number; linkinfo: { info_kind: string; info_data: { id: number; remote: string; local: string; port: number } } }[]>([
        '-d',
        '-n',
        `${lab.name}-red`,
        'link',
        'show',
        'eth0',
      ]);
      assert.equal(dev?.linkinfo.info_kind, 'vxlan');
      assert.equal(dev?.linkinfo.info_data.id, vni);
      assert.equal(dev?.mtu, 1450);
      sh('ip', ['netns', 'exec', `${lab.name}-red`, 'ping', '-c', '2', '-i', '0.2', '-W', '2', '10.0.0.2']);
      const s = await status(lab.name);
      assert.deepEqual(s.observed.namespaces[`${lab.name}-red`]?.links[0]?.vxlan, { vni, local: '10.98.0.1', remote: '10.98.0.2', port: 4789 });
      assert.equal((await up(lab)).changed, false);
      const d = await down(lab.name);
      assert.deepEqual(
        d.plan.ops.map((o) => o.id),
        ['del-vxlan:red:eth0', 'del-netns:red'],
      );
      // The VNI is free at once: the same part comes straight back up, and pings.
      await up(lab);
      sh('ip', ['netns', 'exec', `${lab.name}-red`, 'ping', '-c', '1', '-W', '2', '10.0.0.2']);
    } finally {
      await down(lab.name);
    }
    assert.ok(!netnsList().includes(`${lab.name}-red`));
  });

  test('a VNI another device of this host holds: refused by the kernel, and nothing of the part is left', async () => {
    const lab = part(uniqueName('tc'), vni + 1);
    const squatter = uniqueName('sq');
    sh('ip', ['netns', 'add', squatter]);
    try {
      sh('ip', [
        'link',
        'add',
        'vx',
        'netns',
        squatter,
        'type',
        'vxlan',
        'id',
        String(vni + 1),
        'local',
        '10.98.0.1',
        'remote',
        '10.98.0.9',
        'dstport',
        '4789',
      ]);
      await assert.rejects(up(lab), /VNI|exists/i);
      assert.ok(!netnsList().includes(`${lab.name}-red`));
    } finally {
      sh('ip', ['netns', 'del', squatter]);
    }
  });

  test('a VNI changed in the part replaces the device', async () => {
    const lab = part(uniqueName('tv'), vni + 2);
    try {
      await up(lab);
      const changed = await up(part(lab.name, vni));
      assert.deepEqual(
        changed.plan.ops.map((o) => o.op),
        ['veth.del', 'vxlan.add', 'addr.add', 'link.set'],
      );
      sh('ip', ['netns', 'exec', `${lab.name}-red`, 'ping', '-c', '1', '-W', '2', '10.0.0.2']);
    } finally {
      await down(lab.name);
    }
  });
});
