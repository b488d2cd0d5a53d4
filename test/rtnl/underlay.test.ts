/**
 * The one change a Handle on nslab's own namespace may send: a VXLAN made straight into another namespace
 * by its fd, its UDP socket staying where the request came from (the underlay). Everything else there is
 * refused, before it leaves.
 */
import assert from 'node:assert/strict';
import { closeSync, openSync } from 'node:fs';
import { after, test } from 'node:test';
import { encodeLink, NlmF, Rtm } from '../../src/netlink/index.js';
import { isVxlanIntoAnotherNamespace } from '../../src/rtnl/underlay.js';
import { Handle } from '../../src/rtnl/index.js';
import { ipJson, needsRoot, sh, uniqueName } from '../helpers/sandbox.js';

const CREATE = NlmF.CREATE | NlmF.EXCL;
const vxlan = (fd: number, extra: Record<string, unknown> = {}, info: Record<string, unknown> = {}): Buffer =>
  encodeLink({
    attrs: { netnsFd: fd, ifname: 'vx0', ...extra, linkinfo: { kind: 'vxlan', id: 42, group: '10.99.0.2', local: '10.99.0.1', port: 4789, ...info } },
  });

test('only a vxlan created into another namespace passes; the same request into this one, or with more, does not', () => {
  const own = openSync('/proc/self/ns/net', 'r');
  try {
    assert.equal(isVxlanIntoAnotherNamespace(Rtm.NEWLINK, CREATE, vxlan(own)), false, 'into the namespace nslab runs in');
    assert.equal(isVxlanIntoAnotherNamespace(Rtm.NEWLINK, CREATE, vxlan(0)), false, 'an fd that is no namespace (stdin)');
    const bridge = encodeLink({ attrs: { netnsFd: own, ifname: 'br0', linkinfo: { kind: 'bridge' } } });
    assert.equal(isVxlanIntoAnotherNamespace(Rtm.NEWLINK, CREATE, bridge), false, 'another kind');
    assert.equal(isVxlanIntoAnotherNamespace(Rtm.DELLINK, 0, vxlan(own)), false, 'a deletion');
    assert.equal(isVxlanIntoAnotherNamespace(Rtm.NEWLINK, NlmF.CREATE, vxlan(own)), false, 'without EXCL (it would change an existing device)');
  } finally {
    closeSync(own);
  }
});

test('a Handle on this namespace refuses every other change before it is sent', async () => {
  await using h = await Handle.open();
  await assert.rejects(h.link.addBridge({ name: 'nope0' }), { code: 'NSLAB_NOT_OURS' });
  await assert.rejects(h.link.addVxlan({ name: 'nope1', vni: 9, remote: '10.99.0.2', port: 4789 }), { code: 'NSLAB_NOT_OURS' });
  await assert.rejects(h.link.set('lo', { mtu: 1400 }), { code: 'NSLAB_NOT_OURS' });
});

test('the exception: refused with IFLA_VXLAN_LINK, a master, a target netnsid, or a pid', { skip: needsRoot }, () => {
  const ns = uniqueName('ul');
  sh('ip', ['netns', 'add', ns]);
  const fd = openSync(`/run/netns/${ns}`, 'r');
  try {
    assert.equal(isVxlanIntoAnotherNamespace(Rtm.NEWLINK, CREATE, vxlan(fd)), true, 'the request itself');
    assert.equal(isVxlanIntoAnotherNamespace(Rtm.NEWLINK, CREATE, vxlan(fd, {}, { link: 1 })), false, 'an underlay device by index');
    assert.equal(isVxlanIntoAnotherNamespace(Rtm.NEWLINK, CREATE, vxlan(fd, { master: 3 })), false, 'a master');
    assert.equal(isVxlanIntoAnotherNamespace(Rtm.NEWLINK, CREATE, vxlan(fd, { targetNetnsId: 0 })), false, 'IFLA_TARGET_NETNSID');
    assert.equal(isVxlanIntoAnotherNamespace(Rtm.NEWLINK, CREATE, vxlan(fd, { netnsPid: 1 })), false, 'IFLA_NET_NS_PID');
    assert.equal(isVxlanIntoAnotherNamespace(Rtm.NEWLINK, CREATE, vxlan(fd, { linkNetnsId: 0 })), false, 'IFLA_LINK_NETNSID');
  } finally {
    closeSync(fd);
    sh('ip', ['netns', 'del', ns]);
  }
});

test('a vxlan made from here into a node: device there, socket here, and a ping crosses to a peer host', { skip: needsRoot }, async () => {
  // This namespace is host 1 (underlay 10.99.0.1); `peer` is host 2, joined by a veth as by a wire.
  const peer = uniqueName('uh');
  const n1 = uniqueName('un');
  const n2 = uniqueName('un');
  const wire = uniqueName('uw');
  const cleanup = (): void => {
    for (const ns of [n1, n2, peer]) sh('sh', ['-c', `ip netns del ${ns} 2>/dev/null || true`]);
    sh('sh', ['-c', `ip link del ${wire} 2>/dev/null || true`]);
  };
  after(cleanup);
  for (const ns of [peer, n1, n2]) sh('ip', ['netns', 'add', ns]);
  sh('ip', ['link', 'add', wire, 'type', 'veth', 'peer', 'name', 'wire', 'netns', peer]);
  sh('ip', ['addr', 'add', '10.99.0.1/24', 'dev', wire]);
  sh('ip', ['link', 'set', wire, 'up']);
  sh('ip', ['-n', peer, 'addr', 'add', '10.99.0.2/24', 'dev', 'wire']);
  sh('ip', ['-n', peer, 'link', 'set', 'wire', 'up']);
  sh('ip', [
    'netns',
    'exec',
    peer,
    'ip',
    'link',
    'add',
    'vx',
    'netns',
    n2,
    'type',
    'vxlan',
    'id',
    '4242',
    'local',
    '10.99.0.2',
    'remote',
    '10.99.0.1',
    'dstport',
    '4789',
    'nolearning',
  ]);
  {
    await using h = await Handle.open();
    await h.link.addVxlanInto({ name: 'vx', netns: n1, index: 7, vni: 4242, local: '10.99.0.1', remote: '10.99.0.2', port: 4789, mtu: 1450 });
  }
  const [link] = ipJson<{ ifname: string; ifindex: number; mtu: number; linkinfo: { info_kind: string; info_data: Record<string, unknown> } }[]>([
    '-d',
    '-n',
    n1,
    'link',
    'show',
    'vx',
  ]);
  assert.equal(link?.ifindex, 7);
  assert.equal(link?.mtu, 1450);
  assert.equal(link?.linkinfo.info_kind, 'vxlan');
  assert.deepEqual(
    { id: link?.linkinfo.info_data.id, remote: link?.linkinfo.info_data.remote, local: link?.linkinfo.info_data.local, port: link?.linkinfo.info_data.port },
    { id: 4242, remote: '10.99.0.2', local: '10.99.0.1', port: 4789 },
  );
  assert.equal(link?.linkinfo.info_data.learning, false);
  for (const [ns, a] of [
    [n1, '10.0.0.1/24'],
    [n2, '10.0.0.2/24'],
  ] as const) {
    sh('ip', ['-n', ns, 'addr', 'add', a, 'dev', 'vx']);
    sh('ip', ['-n', ns, 'link', 'set', 'vx', 'up']);
  }
  // The socket (opened as the device comes up) is in this namespace, the underlay's; none in the node's.
  assert.match(sh('ss', ['-Hunl']), /:4789\b/);
  assert.equal(sh('ip', ['netns', 'exec', n1, 'ss', '-Hunl']).trim(), '');
  sh('ip', ['netns', 'exec', n1, 'ping', '-c', '2', '-i', '0.2', '-W', '2', '10.0.0.2']);
});
