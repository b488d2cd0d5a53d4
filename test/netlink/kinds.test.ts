import assert from 'node:assert/strict';
import { test } from 'node:test';
import { decodeLink, encodeLink } from '../../src/netlink/link.js';
import type { LinkMessage } from '../../src/netlink/link.js';
import { linkKinds, portKinds } from '../../src/netlink/kinds/index.js';
import type { LinkInfo } from '../../src/netlink/kinds/index.js';
import { NetlinkDecodeError } from '../../src/netlink/error.js';

function link(linkinfo: LinkInfo, extra: LinkMessage['attrs'] = {}): LinkMessage {
  return { family: 0, type: 0, index: 0, flags: 0, change: 0, attrs: { ifname: 'x0', ...extra, linkinfo } };
}

const roundTrip = (m: LinkMessage): void => assert.deepEqual(decodeLink(encodeLink(m)), m);

test('registry: one codec per kind', () => {
  assert.deepEqual([...linkKinds.keys()].sort(), ['bridge', 'veth', 'vxlan']);
  assert.deepEqual([...portKinds.keys()], ['bridge']);
});

test('veth round trips, with and without a peer, the peer a whole link message', () => {
  roundTrip(link({ kind: 'veth' }));
  roundTrip(
    link({
      kind: 'veth',
      peer: { family: 0, type: 0, index: 0, flags: 1, change: 1, attrs: { ifname: 'green-eth0', netnsFd: 9, address: '02:00:00:00:00:02', mtu: 1400 } },
    }),
  );
  // Without a peer no IFLA_INFO_DATA is sent at all.
  assert.equal(encodeLink(link({ kind: 'veth' })).toString('hex'), '00000000000000000000000000000000' + '070003007830000' + '0' + '0c0012800800010076657468');
});

test('bridge round trips every typed field', () => {
  roundTrip(
    link({
      kind: 'bridge',
      forwardDelay: 0,
      helloTime: 100,
      maxAge: 600,
      ageingTime: 100,
      stpState: 1,
      priority: 4096,
      vlanFiltering: true,
      vlanProtocol: 0x88a8,
      groupFwdMask: 8,
      groupAddr: '01:80:c2:00:00:0e',
      mcastSnooping: true,
      mcastRouter: 2,
      mcastQueryInterval: 12500n,
      vlanDefaultPvid: 1,
      bridgeId: { priority: 4096, address: '02:00:00:00:00:01' },
      fdbFlush: true,
      multiBoolopt: { value: 1, mask: 1 },
    }),
  );
  roundTrip(link({ kind: 'bridge' }));
});

test('bridge port options ride in IFLA_INFO_SLAVE_DATA next to the link kind', () => {
  const m = link(
    { kind: 'veth' },
    { master: 4, portInfo: { kind: 'bridge', cost: 100, priority: 8, learning: false, hairpin: true, isolated: true, flush: true } },
  );
  roundTrip(m);
  const portOnly: LinkMessage = { family: 0, type: 0, index: 5, flags: 0, change: 0, attrs: { portInfo: { kind: 'bridge', state: 3 } } };
  roundTrip(portOnly);
  roundTrip({ ...portOnly, attrs: { portInfo: { kind: 'bond', raw: true, data: Uint8Array.of(5, 0, 1, 0, 1, 0, 0, 0) } } });
});

test('vxlan round trips, IPv4 and IPv6 underlays', () => {
  roundTrip(
    link({
      kind: 'vxlan',
      id: 16777215,
      group: '239.1.1.1',
      link: 2,
      ttl: 0,
      tos: 1,
      learning: true,
      ageing: 30,
      limit: 100,
      port: 4789,
      portRange: { low: 1000, high: 2000 },
      udpCsum: false,
      ttlInherit: true,
      gbp: true,
      l2miss: true,
    }),
  );
  roundTrip(link({ kind: 'vxlan', id: 7, group6: 'ff05::100', local6: 'fd00::1', port: 8472, udpZeroCsum6Tx: true, label: 0xfffff }));
});

test('a kind without a codec keeps its data raw, and sends it back as it came', () => {
  const m = link({ kind: 'macvlan', raw: true, data: Uint8Array.of(8, 0, 1, 0, 4, 0, 0, 0) });
  roundTrip(m);
  const info = decodeLink(encodeLink(m)).attrs.linkinfo;
  assert.ok(info !== undefined && info.raw === true); // narrows to RawLinkInfo
  assert.equal(info.kind, 'macvlan');
});

test('TypeScript narrows the union: raw first, then kind', () => {
  const describe = (info: LinkInfo): string => {
    if (info.raw) return `raw ${info.kind} (${info.data?.length ?? 0} bytes)`;
    switch (info.kind) {
      case 'veth':
        return `veth peer ${info.peer?.attrs.ifname ?? '?'}`;
      case 'bridge':
        return `bridge stp ${info.stpState ?? '-'}`;
      case 'vxlan':
        return `vxlan ${info.id ?? '-'}:${info.port ?? '-'}`;
    }
  };
  assert.equal(describe({ kind: 'vxlan', id: 42, port: 4789 }), 'vxlan 42:4789');
  assert.equal(describe({ kind: 'veth', peer: { attrs: { ifname: 'b' } } }), 'veth peer b');
  assert.equal(describe({ kind: 'dummy', raw: true }), 'raw dummy (0 bytes)');
});

test('a veth peer shorter than struct ifinfomsg is a NetlinkDecodeError', () => {
  const body = Buffer.from(encodeLink(link({ kind: 'veth', peer: { attrs: {} } })));
  // Shrink VETH_INFO_PEER (len 20 = 4 + 16) to 8 bytes; pad the rest as an unknown attribute.
  const at = body.indexOf(Buffer.from('14000100', 'hex'));
  assert.ok(at > 0);
  body.writeUInt16LE(8, at);
  body.writeUInt16LE(12, at + 8);
  body.writeUInt16LE(99, at + 10);
  assert.throws(
    () => decodeLink(body),
    (e: unknown) => e instanceof NetlinkDecodeError && e.offset === at && /VETH_INFO_PEER/.test(e.message),
  );
});
