import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Af, Arphrd, Iff, NlmF, Rtm } from '../../src/netlink/constants.js';
import { NetlinkDecodeError, NetlinkEncodeError } from '../../src/netlink/error.js';
import { decodeLink, encodeLink, encodeLinkProp } from '../../src/netlink/link.js';
import type { LinkMessage, LinkRequest } from '../../src/netlink/link.js';
import { encodeMessage } from '../../src/netlink/message.js';
import { datagram } from './fixture.js';
import { onlyMessage, withNestedFlag } from './golden.js';

function kernelLink(name: string): LinkMessage {
  const m = onlyMessage(name);
  assert.equal(m.type, Rtm.NEWLINK);
  return decodeLink(m.body);
}

test('golden lo from the kernel', () => {
  const lo = kernelLink('link-lo.hex');
  assert.deepEqual(
    { family: lo.family, type: lo.type, index: lo.index, flags: lo.flags, change: lo.change },
    { family: Af.UNSPEC, type: Arphrd.LOOPBACK, index: 1, flags: Iff.UP | Iff.LOOPBACK | Iff.RUNNING | Iff.LOWER_UP, change: 0 },
  );
  assert.equal(lo.attrs.ifname, 'lo');
  assert.equal(lo.attrs.mtu, 65536);
  assert.equal(lo.attrs.txqlen, 1000);
  assert.equal(lo.attrs.operstate, 0);
  assert.equal(lo.attrs.address, '00:00:00:00:00:00');
  assert.equal(lo.attrs.qdisc, 'noqueue');
  assert.equal(lo.attrs.linkinfo, undefined);
  assert.equal(lo.attrs.netnsImmutable, true);
  // IFLA_STATS, IFLA_AF_SPEC and friends are kept raw, never an error.
  assert.deepEqual(
    lo.attrs.unknown?.map((u) => u.type),
    [66, 68, 69, 7, 43, 26, 14, 62, 65],
  );
  // IFLA_STATS64 (25 counters on this kernel): the 32-bit IFLA_STATS says the same in its first fields.
  const stats = lo.attrs.stats64;
  assert.ok(stats !== undefined);
  assert.equal(Object.keys(stats).length, 25);
  const old = lo.attrs.unknown?.find((u) => u.type === 7)?.data ?? new Uint8Array();
  const u32 = (i: number): number => Buffer.from(old).readUInt32LE(i * 4);
  assert.deepEqual(
    [stats.rxPackets, stats.txPackets, stats.rxBytes, stats.txBytes, stats.rxErrors, stats.txErrors, stats.rxDropped, stats.txDropped],
    [0, 1, 2, 3, 4, 5, 6, 7].map(u32),
  );
  assert.equal(stats.rxPackets, stats.txPackets, 'what lo sends it receives');
});

test('golden veth end with its altname (IFLA_PROP_LIST)', () => {
  const v = kernelLink('link-veth.hex');
  assert.equal(v.index, 3);
  assert.equal(v.type, Arphrd.ETHER);
  assert.equal(v.flags, Iff.UP | Iff.BROADCAST | Iff.RUNNING | Iff.MULTICAST | Iff.LOWER_UP);
  assert.equal(v.attrs.ifname, 'rveth');
  assert.deepEqual(v.attrs.altnames, ['rveth-alt']);
  assert.equal(v.attrs.address, '56:61:8e:70:49:65');
  assert.equal(v.attrs.broadcast, 'ff:ff:ff:ff:ff:ff');
  assert.equal(v.attrs.link, 2); // the peer, gveth
  assert.equal(v.attrs.operstate, 6);
  assert.deepEqual(v.attrs.linkinfo, { kind: 'veth' });
});

test('golden bridge and bridge port', () => {
  const br = kernelLink('link-bridge.hex');
  assert.equal(br.attrs.ifname, 'br0');
  const info = br.attrs.linkinfo;
  assert.ok(info !== undefined && !info.raw && info.kind === 'bridge');
  assert.equal(info.forwardDelay, 400);
  assert.equal(info.helloTime, 200);
  assert.equal(info.maxAge, 2000);
  assert.equal(info.ageingTime, 30000);
  assert.equal(info.stpState, 0);
  assert.equal(info.priority, 32768);
  assert.equal(info.vlanFiltering, false);
  assert.equal(info.mcastSnooping, false);
  assert.equal(info.groupAddr, '01:80:c2:00:00:00');
  assert.deepEqual(info.bridgeId, { priority: 0x8000, address: '4a:ee:3f:b7:d5:c1' });
  assert.equal(info.mcastMembershipInterval, 26000n);
  assert.equal(info.gcTimer, 10n);
  assert.deepEqual(info.multiBoolopt, { value: 0, mask: 31 });
  assert.equal(info.unknown, undefined); // every IFLA_BR_* this kernel sends has an entry (IFLA_BR_PAD skipped)

  const port = kernelLink('link-bridge-port.hex');
  assert.equal(port.attrs.ifname, 'gveth');
  assert.equal(port.attrs.master, br.index);
  assert.deepEqual(port.attrs.linkinfo, { kind: 'veth' });
  const p = port.attrs.portInfo;
  assert.ok(p !== undefined && !p.raw && p.kind === 'bridge');
  assert.equal(p.state, 3); // forwarding
  assert.equal(p.priority, 32);
  assert.equal(p.cost, 2);
  assert.equal(p.learning, true);
  assert.equal(p.unicastFlood, true);
  assert.equal(p.hairpin, false);
  assert.equal(p.designatedPort, 0x8001);
  assert.equal(p.no, 1);
  assert.equal(p.forwardDelayTimer, 400n);
  assert.deepEqual(
    p.unknown?.map((u) => u.type),
    [40, 43, 41, 42],
  ); // newer than our table: raw
});

test('golden vxlan: the port is big-endian on the wire', () => {
  const vx = kernelLink('link-vxlan.hex');
  const info = vx.attrs.linkinfo;
  assert.ok(info !== undefined && !info.raw && info.kind === 'vxlan');
  assert.equal(info.id, 42);
  assert.equal(info.port, 4789);
  assert.equal(info.local, '10.10.1.2');
  assert.equal(info.ttl, 64);
  assert.equal(info.learning, false);
  assert.equal(info.ageing, 300);
  assert.equal(info.udpCsum, true);
  assert.equal(info.ttlInherit, undefined); // reported as u8 0 (requested as a flag): decodes to absent
  assert.deepEqual(info.portRange, { low: 0, high: 0 });
  assert.equal(info.group, undefined);
  assert.deepEqual(
    info.unknown?.map((u) => u.type),
    [33],
  );
});

test('every link in the dump round-trips: decode -> encode -> decode is the same', () => {
  for (const name of ['link-lo.hex', 'link-veth.hex', 'link-bridge.hex', 'link-vxlan.hex', 'link-bridge-port.hex']) {
    const once = kernelLink(name);
    assert.deepEqual(decodeLink(encodeLink(once)), once, name);
  }
});

function ours(golden: string, flags: number, body: Uint8Array): Buffer {
  const m = onlyMessage(golden);
  assert.equal(m.flags, flags);
  return encodeMessage({ type: m.type, flags: m.flags, seq: m.seq }, body);
}

const create = NlmF.REQUEST | NlmF.ACK | NlmF.EXCL | NlmF.CREATE;

test('our veth request is byte for byte what `ip link add rveth type veth peer name gveth` sends', () => {
  const req: LinkRequest = { attrs: { ifname: 'rveth', linkinfo: { kind: 'veth', peer: { attrs: { ifname: 'gveth' } } } } };
  const iproute2 = withNestedFlag(datagram('req-link-add-veth.hex'), [44, 56]); // IFLA_LINKINFO, IFLA_INFO_DATA
  assert.equal(ours('req-link-add-veth.hex', create, encodeLink(req)).toString('hex'), iproute2.toString('hex'));
});

test('veth with the peer created straight in another namespace (IFLA_NET_NS_FD inside VETH_INFO_PEER)', () => {
  const golden = decodeLink(onlyMessage('req-link-add-veth-netns.hex').body);
  const info = golden.attrs.linkinfo;
  assert.ok(info !== undefined && !info.raw && info.kind === 'veth');
  assert.deepEqual(info.peer, { family: 0, type: 0, index: 0, flags: 0, change: 0, attrs: { netnsFd: 4, ifname: 'gv2' } });
  const req: LinkRequest = { attrs: { ifname: 'rv2', linkinfo: { kind: 'veth', peer: { attrs: { ifname: 'gv2', netnsFd: 4 } } } } };
  const iproute2 = withNestedFlag(datagram('req-link-add-veth-netns.hex'), [40, 52]);
  assert.equal(ours('req-link-add-veth-netns.hex', create, encodeLink(req)).toString('hex'), iproute2.toString('hex'));
});

test('bridge request matches `ip link add br0 type bridge forward_delay 400 stp_state 0 mcast_snooping 0`', () => {
  const req: LinkRequest = { attrs: { ifname: 'br0', linkinfo: { kind: 'bridge', forwardDelay: 400, stpState: 0, mcastSnooping: false } } };
  const iproute2 = withNestedFlag(datagram('req-link-add-bridge.hex'), [40, 56]);
  assert.equal(ours('req-link-add-bridge.hex', create, encodeLink(req)).toString('hex'), iproute2.toString('hex'));
});

test('vxlan request matches `ip link add vx0 type vxlan id 42 dstport 4789 local 10.10.1.2 ttl 64 nolearning`', () => {
  const req: LinkRequest = { attrs: { ifname: 'vx0', linkinfo: { kind: 'vxlan', id: 42, port: 4789, local: '10.10.1.2', ttl: 64, learning: false } } };
  const iproute2 = withNestedFlag(datagram('req-link-add-vxlan.hex'), [40, 56]);
  const mine = ours('req-link-add-vxlan.hex', create, encodeLink(req));
  assert.equal(mine.toString('hex'), iproute2.toString('hex'));
  assert.ok(mine.includes(Buffer.from('06000f0012b5', 'hex')), 'IFLA_VXLAN_PORT 4789 is 0x12b5, big-endian');
});

test('enslave and set up match `ip link set gveth master br0` and `ip link set rveth up`', () => {
  assert.deepEqual(
    ours('req-link-set-master.hex', NlmF.REQUEST | NlmF.ACK, encodeLink({ index: 2, attrs: { master: 5 } })),
    datagram('req-link-set-master.hex'),
  );
  assert.deepEqual(
    ours('req-link-set-up.hex', NlmF.REQUEST | NlmF.ACK, encodeLink({ index: 3, flags: Iff.UP, change: Iff.UP, attrs: {} })),
    datagram('req-link-set-up.hex'),
  );
});

test('altname add matches `ip link property add dev rveth altname rveth-alt` (NLA_F_NESTED set by iproute2 too)', () => {
  const flags = create | NlmF.APPEND;
  assert.deepEqual(ours('req-linkprop-add.hex', flags, encodeLinkProp({ index: 3 }, ['rveth-alt'])), datagram('req-linkprop-add.hex'));
  const byName = decodeLink(encodeLinkProp({ ifname: 'rveth' }, ['a', 'b']));
  assert.deepEqual(byName.attrs, { ifname: 'rveth', altnames: ['a', 'b'] });
  assert.throws(() => encodeLinkProp({ index: 3 }, []), NetlinkEncodeError);
});

test('round trips of requests with every attribute group', () => {
  const req: LinkMessage = {
    family: 0,
    type: 0,
    index: 0,
    flags: Iff.UP,
    change: Iff.UP,
    attrs: {
      address: '02:00:00:00:01:01',
      ifname: 'red-eth0',
      mtu: 9000,
      txqlen: 500,
      master: 7,
      group: 3,
      alias: 'nslab:red',
      netnsPid: 1234,
      carrier: 1,
      linkinfo: { kind: 'dummy', raw: true },
      portInfo: { kind: 'bridge', cost: 10, hairpin: true },
      unknown: [{ type: 250, data: Uint8Array.of(1, 2, 3, 4) }],
    },
  };
  assert.deepEqual(decodeLink(encodeLink(req)), req);
});

test('a short ifinfomsg and a broken attribute are NetlinkDecodeErrors', () => {
  assert.throws(
    () => decodeLink(new Uint8Array(15)),
    (e: unknown) => e instanceof NetlinkDecodeError && /struct ifinfomsg/.test(e.message),
  );
  const body = Buffer.from(encodeLink({ attrs: { mtu: 1500 } }));
  body.writeUInt16LE(6, 16); // IFLA_MTU claims 2 payload bytes
  assert.throws(
    () => decodeLink(body),
    (e: unknown) => e instanceof NetlinkDecodeError && e.offset === 16 && /IFLA attribute 4 \(mtu\)/.test(e.message),
  );
  assert.throws(() => encodeLink({ index: -1, attrs: {} }), NetlinkEncodeError);
  assert.throws(() => encodeLink({ attrs: { linkinfo: { kind: 'bogus' } as never } }), NetlinkEncodeError);
});

test('IFLA_STATS64: a round trip, a short struct from an older kernel, and a length that is not whole counters', () => {
  const stats = { rxPackets: 12, txPackets: 34, rxBytes: 2 ** 40, txBytes: 5, rxErrors: 0, txErrors: 1, rxDropped: 2, txDropped: 3 };
  const body = encodeLink({ index: 7, attrs: { stats64: stats } });
  assert.deepEqual(decodeLink(body).attrs.stats64, stats);
  // 23 counters (184 bytes): the fields a 4.x kernel sends, the later ones absent.
  const short = Buffer.alloc(4 + 184);
  short.writeUInt16LE(188, 0);
  short.writeUInt16LE(23, 2);
  short.writeBigUInt64LE(99n, 4);
  const decoded = decodeLink(Buffer.concat([encodeLink({ index: 1, attrs: {} }), short])).attrs.stats64;
  assert.equal(decoded?.rxPackets, 99);
  assert.equal(decoded?.txCompressed, 0);
  assert.equal(decoded?.rxNohandler, undefined);
  const odd = Buffer.alloc(4 + 12);
  odd.writeUInt16LE(16, 0);
  odd.writeUInt16LE(23, 2);
  assert.throws(() => decodeLink(Buffer.concat([encodeLink({ index: 1, attrs: {} }), odd])), NetlinkDecodeError);
});
