import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { parseDestination, parseGateway, parseInterfaceAddress, parseIp } from '../../src/topology/address.js';

describe('IPv6 canonical text (RFC 5952)', () => {
  const cases: [string, string][] = [
    ['2001:DB8:0:0:0:0:0:1', '2001:db8::1'],
    ['2001:0db8:0000:0000:0001:0000:0000:0001', '2001:db8::1:0:0:1'], // a tie: the first run is compressed
    ['1:0:0:2:0:0:0:3', '1:0:0:2::3'], // the longest run is compressed
    ['2001:db8:0:1:1:1:1:1', '2001:db8:0:1:1:1:1:1'], // one zero group is not compressed
    ['2001:db8::0:1', '2001:db8::1'],
    ['0:0:0:0:0:0:0:0', '::'],
    ['FD00:0:0:0:0:0:0:1', 'fd00::1'],
    ['FE80::A', 'fe80::a'],
    ['1::', '1::'],
    ['1:2:3:4:5:6:7::', '1:2:3:4:5:6:7:0'],
    ['::2:3:4:5:6:7:8', '0:2:3:4:5:6:7:8'],
    ['::ffff:10.0.0.1', '::ffff:10.0.0.1'],
    ['::FFFF:a00:1', '::ffff:10.0.0.1'],
    ['64:ff9b::192.0.2.33', '64:ff9b::c000:221'],
  ];
  for (const [text, canonical] of cases) {
    test(`${text} -> ${canonical}`, () => {
      const r = parseIp(text);
      assert.ok(r.ok, text);
      assert.equal(r.value.family, 6);
      assert.equal(r.value.address, canonical);
    });
  }
});

describe('addresses that are not addresses, and why', () => {
  const cases: [string, string][] = [
    ['1:2:3:4:5:6:7:8:9', '"1:2:3:4:5:6:7:8:9" is not an IPv6 address: it has 9 groups, not 8 (use "::" for a run of zero groups)'],
    ['1::2::3', '"1::2::3" is not an IPv6 address: "::" may appear only once'],
    ['1:::2', '"1:::2" is not an IPv6 address: a group between two colons is empty'],
    ['12345::1', '"12345::1" is not an IPv6 address: "12345" is not a group of 1 to 4 hex digits'],
    ['1:2:3:4::5:6:7:8', '"1:2:3:4::5:6:7:8" is not an IPv6 address: it has too many groups for "::" to stand for any'],
    ['fe80::1%eth0', '"fe80::1%eth0" is not an IPv6 address: a zone index ("%...") is not part of an interface address'],
    ['10.0.0', '"10.0.0" is not an IPv4 address: it has 3 parts'],
    ['10.0.0.1.2', '"10.0.0.1.2" is not an IPv4 address: it has 5 parts'],
    ['10..0.1', '"10..0.1" is not an IPv4 address: "" is not a number'],
    ['010.0.0.1', '"010.0.0.1" has a leading zero in "010"'],
    ['10.0.0.999', '"10.0.0.999" is not an IPv4 address: 999 is over 255'],
    ['red', '"red" is not an IP address'],
    ['', 'the address is empty'],
  ];
  for (const [text, message] of cases) {
    test(JSON.stringify(text), () => {
      const r = parseIp(text);
      assert.ok(!r.ok);
      assert.equal(r.problem.message, message);
    });
  }
});

test('interface addresses keep their host bits and need a prefix length', () => {
  assert.deepEqual(parseInterfaceAddress('10.0.0.1/24'), { ok: true, value: { family: 4, address: '10.0.0.1', prefixLength: 24 } });
  assert.deepEqual(parseInterfaceAddress('10.10.1.2/32'), { ok: true, value: { family: 4, address: '10.10.1.2', prefixLength: 32 } });
  assert.deepEqual(parseInterfaceAddress('FD00:0::1/128'), { ok: true, value: { family: 6, address: 'fd00::1', prefixLength: 128 } });
  assert.deepEqual(parseInterfaceAddress('10.0.0.1/0'), { ok: true, value: { family: 4, address: '10.0.0.1', prefixLength: 0 } });
  const bad: [string, string][] = [
    ['10.0.0.1', 'address 10.0.0.1 has no prefix length'],
    ['fd00::1', 'address fd00::1 has no prefix length'],
    ['fd00::1/129', 'prefix length /129 of "fd00::1/129" is too long for IPv6'],
    ['10.0.0.1/', '"10.0.0.1/" has "/" where a prefix length belongs'],
    ['10.0.0.1/24/8', '"10.0.0.1/24/8" has "/24/8" where a prefix length belongs'],
    ['0.0.0.0/8', '0.0.0.0 is the unspecified address and cannot be given to an interface'],
    ['224.0.0.5/32', '224.0.0.5 is a multicast address and cannot be given to an interface'],
    ['255.255.255.255/32', '255.255.255.255 is the broadcast address and cannot be given to an interface'],
    ['::1/128', '::1 is the loopback address (it belongs to lo) and cannot be given to an interface'],
    ['ff02::1/64', 'ff02::1 is a multicast address and cannot be given to an interface'],
  ];
  for (const [text, message] of bad) {
    const r = parseInterfaceAddress(text);
    assert.ok(!r.ok, text);
    assert.equal(r.problem.message, message);
  }
});

test('route destinations: networks, host routes, default and ::/0', () => {
  assert.deepEqual(parseDestination('10.0.2.0/24'), { ok: true, value: { family: 4, to: { family: 4, address: '10.0.2.0', prefixLength: 24 } } });
  assert.deepEqual(parseDestination('10.10.1.3'), { ok: true, value: { family: 4, to: { family: 4, address: '10.10.1.3', prefixLength: 32 } } });
  assert.deepEqual(parseDestination('FD00:2:0::/64'), { ok: true, value: { family: 6, to: { family: 6, address: 'fd00:2::', prefixLength: 64 } } });
  assert.deepEqual(parseDestination('default'), { ok: true, value: { family: undefined, to: 'default' } });
  assert.deepEqual(parseDestination('0.0.0.0/0'), { ok: true, value: { family: 4, to: 'default' } });
  assert.deepEqual(parseDestination('::/0'), { ok: true, value: { family: 6, to: 'default' } });
  const r = parseDestination('fd00::1/64');
  assert.ok(!r.ok);
  assert.equal(r.problem.message, 'destination fd00::1/64 has host bits set');
  assert.equal(r.problem.hint, 'a route goes to a network: write fd00::/64, or fd00::1/128 for that one host');
});

test('gateways: one address, not special', () => {
  assert.deepEqual(parseGateway('FD00::0001'), {
    ok: true,
    value: { family: 6, address: 'fd00::1', bytes: Uint8Array.from([0xfd, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1]) },
  });
  const r = parseGateway('0.0.0.0');
  assert.ok(!r.ok);
  assert.equal(r.problem.message, 'gateway 0.0.0.0 is the unspecified address');
});
