import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Af, NlmF, Rtm, RtScope, RtTable, Rtn, Rtprot } from '../../src/netlink/constants.js';
import { NetlinkDecodeError, NetlinkEncodeError } from '../../src/netlink/error.js';
import { encodeMessage } from '../../src/netlink/message.js';
import { decodeRoute, encodeRoute } from '../../src/netlink/route.js';
import type { RouteMessage } from '../../src/netlink/route.js';
import { datagram } from './fixture.js';
import { onlyMessage } from './golden.js';

const create = NlmF.REQUEST | NlmF.ACK | NlmF.EXCL | NlmF.CREATE;

test('golden IPv4 route from the kernel', () => {
  const m = onlyMessage('route-v4.hex');
  assert.equal(m.type, Rtm.NEWROUTE);
  assert.deepEqual(decodeRoute(m.body), {
    family: Af.INET,
    dstLen: 32,
    srcLen: 0,
    tos: 0,
    table: RtTable.MAIN,
    protocol: Rtprot.BOOT,
    scope: RtScope.LINK,
    type: Rtn.UNICAST,
    flags: 0,
    attrs: { table: RtTable.MAIN, dst: '10.10.1.3', oif: 3 },
  });
});

test('golden IPv6 route from the kernel', () => {
  assert.deepEqual(decodeRoute(onlyMessage('route-v6.hex').body), {
    family: Af.INET6,
    dstLen: 128,
    srcLen: 0,
    tos: 0,
    table: RtTable.MAIN,
    protocol: Rtprot.BOOT,
    scope: RtScope.UNIVERSE,
    type: Rtn.UNICAST,
    flags: 0,
    attrs: {
      table: RtTable.MAIN,
      dst: 'fd00::3',
      priority: 1024,
      oif: 3,
      pref: 0,
      cacheinfo: { clntref: 0, lastuse: 0, expires: 0, error: 0, used: 0, id: 0, ts: 0, tsage: 0 },
    },
  });
});

const base = { srcLen: 0, tos: 0, table: RtTable.MAIN, protocol: Rtprot.BOOT, type: Rtn.UNICAST, flags: 0 };

function request(golden: string, msg: RouteMessage): [string, string] {
  const g = onlyMessage(golden);
  assert.equal(g.flags, create);
  return [encodeMessage({ type: g.type, flags: g.flags, seq: g.seq }, encodeRoute(msg)).toString('hex'), datagram(golden).toString('hex')];
}

test('requests match `ip route add 10.10.1.3/32 dev rveth` and `ip route add fd00::3/128 dev rveth`', () => {
  assert.equal(...request('req-route-add-v4.hex', { ...base, family: Af.INET, dstLen: 32, scope: RtScope.LINK, attrs: { dst: '10.10.1.3', oif: 3 } }));
  assert.equal(...request('req-route-add-v6.hex', { ...base, family: Af.INET6, dstLen: 128, scope: RtScope.UNIVERSE, attrs: { dst: 'fd00::3', oif: 3 } }));
});

test('round trips, including multipath, RTA_VIA and metrics', () => {
  for (const name of ['route-v4.hex', 'route-v6.hex', 'req-route-add-v4.hex', 'req-route-add-v6.hex']) {
    const r = decodeRoute(onlyMessage(name).body);
    assert.deepEqual(decodeRoute(encodeRoute(r)), r, name);
  }
  const ecmp: RouteMessage = {
    ...base,
    family: Af.INET,
    dstLen: 24,
    scope: RtScope.UNIVERSE,
    attrs: {
      dst: '10.20.0.0',
      priority: 20,
      table: 1000,
      metrics: { mtu: 1400, ccAlgo: 'bbr' },
      multipath: [
        { flags: 0, hops: 0, ifindex: 2, attrs: { gateway: '10.0.0.1' } },
        { flags: 4, hops: 2, ifindex: 3, attrs: { via: { family: Af.INET6, address: 'fe80::1' } } },
      ],
    },
  };
  assert.deepEqual(decodeRoute(encodeRoute(ecmp)), ecmp);
  const v4viav6: RouteMessage = { ...base, family: Af.INET, dstLen: 0, scope: 0, attrs: { via: { family: Af.INET6, address: 'fe80::1' }, oif: 2 } };
  assert.deepEqual(decodeRoute(encodeRoute(v4viav6)), v4viav6);
});

test('malformed multipath and family mismatches', () => {
  const ecmp = encodeRoute({ ...base, family: Af.INET, dstLen: 0, scope: 0, attrs: { multipath: [{ flags: 0, hops: 0, ifindex: 2, attrs: {} }] } });
  const bad = Buffer.from(ecmp);
  bad.writeUInt16LE(40, 12 + 4); // rtnexthop claims 40 bytes inside an 8-byte RTA_MULTIPATH
  assert.throws(
    () => decodeRoute(bad),
    (e: unknown) => e instanceof NetlinkDecodeError && e.offset === 16 && /rtnexthop/.test(e.message),
  );
  assert.throws(() => encodeRoute({ ...base, family: Af.INET6, dstLen: 0, scope: 0, attrs: { gateway: '10.0.0.1' } }), NetlinkEncodeError);
  assert.throws(() => encodeRoute({ ...base, family: Af.INET, dstLen: 33, scope: 0, attrs: {} }), NetlinkEncodeError);
  assert.throws(() => decodeRoute(new Uint8Array(11)), NetlinkDecodeError);
});
