/**
 * The batch encoder of routes (route-batch.ts) against the per-route one (encodeRoute, itself checked
 * against the kernel's golden bytes in route.test.ts): the same routes give the same bytes.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Af, NlmF, Rtm, RtScope, RtTable, Rtn } from '../../src/netlink/constants.js';
import { NetlinkEncodeError } from '../../src/netlink/error.js';
import { countRequests, encodeMessage, encodeMessages, numberRequests } from '../../src/netlink/message.js';
import { encodeRoute, type RouteMessage } from '../../src/netlink/route.js';
import { encodeRouteRequests, routeDestination, routeShape, type RouteRequest } from '../../src/netlink/route-batch.js';

const create = NlmF.CREATE | NlmF.EXCL;

/** A route through `via` on device `oif`, as routeMessage (rtnl/route.ts) makes it for a computed route. */
function through(family: 4 | 6, via: string, oif: number, extra: Partial<RouteMessage['attrs']> = {}, table: number = RtTable.MAIN): RouteMessage {
  return {
    family: family === 4 ? Af.INET : Af.INET6,
    dstLen: 0,
    srcLen: 0,
    tos: 0,
    table: table < 256 ? table : 252,
    protocol: 77,
    scope: RtScope.UNIVERSE,
    type: Rtn.UNICAST,
    flags: 0,
    attrs: { gateway: via, oif, ...(table >= 256 ? { table } : {}), ...extra },
  };
}

/** The per-route encoder's bytes for the same route: header with seq 0, then encodeRoute. */
function oneByOne(type: number, flags: number, gateway: RouteMessage, to: string | undefined, dstLen: number): Buffer {
  const attrs = to === undefined ? gateway.attrs : { ...gateway.attrs, dst: to };
  return encodeMessage({ type, flags, seq: 0 }, encodeRoute({ ...gateway, dstLen, attrs }));
}

test('a batch is byte for byte the per-route messages, IPv4 and IPv6, default routes, metrics and tables above 255', () => {
  const gateways = [
    through(4, '10.0.0.3', 7),
    through(4, '10.0.0.5', 8, { priority: 20 }),
    through(4, '10.9.0.1', 2, {}, 1000),
    through(6, 'fd00::1', 7),
    through(6, 'fe80::1', 9, { priority: 1024 }),
  ];
  const v4 = [
    ['10.0.0.4', 31],
    ['10.0.0.8', 30],
    ['192.168.7.0', 24],
    ['10.1.2.3', 32],
    ['0.0.0.0', 1],
    [undefined, 0],
  ] as const;
  const v6 = [
    ['fd00:1::', 64],
    ['fd00::7', 128],
    ['2001:db8::', 32],
    [undefined, 0],
  ] as const;
  for (const [type, flags] of [
    [Rtm.NEWROUTE, create],
    [Rtm.DELROUTE, 0],
  ] as const) {
    const batch: RouteRequest[] = [];
    const expected: Buffer[] = [];
    for (const g of gateways) {
      const shape = routeShape(type, flags, g);
      const family = g.family === Af.INET ? 4 : 6;
      for (const [to, len] of family === 4 ? v4 : v6) {
        batch.push({ shape, dst: routeDestination(family, to, len) });
        expected.push(oneByOne(type, flags, g, to, len));
      }
    }
    const bytes = encodeRouteRequests(batch);
    assert.equal(bytes.toString('hex'), Buffer.concat(expected).toString('hex'));
    assert.equal(countRequests(bytes, type), batch.length);
  }
});

test('numbered, a batch is what encodeMessages sends for the same routes with those sequence numbers', () => {
  const g = through(4, '10.0.0.3', 7);
  const shape = routeShape(Rtm.NEWROUTE, create, g);
  const routes = [0, 2, 4, 6].map((i) => ({ shape, dst: routeDestination(4, `10.0.1.${i}`, 31) }));
  const bytes = encodeRouteRequests(routes);
  const flags = NlmF.REQUEST | NlmF.ACK | create;
  assert.equal(numberRequests(bytes, 41, flags), bytes.length);
  const expected = encodeMessages(
    [0, 2, 4, 6].map((i, k) => ({
      type: Rtm.NEWROUTE,
      flags,
      seq: 41 + k,
      body: encodeRoute({ ...g, dstLen: 31, attrs: { ...g.attrs, dst: `10.0.1.${i}` } }),
    })),
  );
  assert.equal(bytes.toString('hex'), expected.toString('hex'));
});

test('bad destinations and a family that does not match its gateway are NetlinkEncodeErrors', () => {
  assert.throws(() => routeDestination(4, '10.0.0.0', 33), NetlinkEncodeError);
  assert.throws(() => routeDestination(6, '10.0.0.0', 24), NetlinkEncodeError);
  assert.throws(() => routeDestination(4, 'fd00::', 64), NetlinkEncodeError);
  assert.throws(() => routeDestination(4, undefined, 8), NetlinkEncodeError);
  assert.throws(() => routeDestination(4, '10.0.0', 24), NetlinkEncodeError);
  const shape = routeShape(Rtm.NEWROUTE, create, through(4, '10.0.0.3', 7));
  assert.throws(() => encodeRouteRequests([{ shape, dst: routeDestination(6, 'fd00::', 64) }]), NetlinkEncodeError);
  assert.throws(() => routeShape(Rtm.NEWROUTE, create, { ...through(4, '10.0.0.3', 7), family: 7 }), NetlinkEncodeError);
});

test('countRequests refuses a buffer that is not whole messages of the one type', () => {
  const shape = routeShape(Rtm.NEWROUTE, create, through(4, '10.0.0.3', 7));
  const bytes = encodeRouteRequests([0, 2].map((i) => ({ shape, dst: routeDestination(4, `10.0.1.${i}`, 31) })));
  assert.throws(() => countRequests(bytes, Rtm.DELROUTE), /request 0 is of type 24, not 25/);
  assert.throws(() => countRequests(bytes.subarray(0, bytes.length - 4), Rtm.NEWROUTE), /request 1: nlmsg_len 52 does not fit the buffer/);
  assert.throws(() => countRequests(Buffer.concat([bytes, Buffer.alloc(8)]), Rtm.NEWROUTE), /8 stray bytes after request 2/);
  assert.equal(countRequests(Buffer.alloc(0), Rtm.NEWROUTE), 0);
});
