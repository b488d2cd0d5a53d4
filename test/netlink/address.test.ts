import assert from 'node:assert/strict';
import { test } from 'node:test';
import { bytesToIp, bytesToIpv6, bytesToMac, ipToBytes, ipv4ToBytes, ipv6ToBytes, macToBytes } from '../../src/netlink/address.js';
import { NetlinkEncodeError } from '../../src/netlink/error.js';

const hex = (b: Uint8Array): string => Buffer.from(b).toString('hex');

test('IPv4 both ways', () => {
  assert.equal(hex(ipv4ToBytes('10.10.1.2')), '0a0a0102');
  assert.equal(bytesToIp(Uint8Array.of(192, 0, 2, 255)), '192.0.2.255');
  assert.throws(() => ipv4ToBytes('10.0.0.256'), NetlinkEncodeError);
  assert.throws(() => ipv4ToBytes('fd00::1'), NetlinkEncodeError);
});

test('IPv6 parsing, including :: in every position and a dotted tail', () => {
  assert.equal(hex(ipv6ToBytes('fd00::2')), 'fd000000000000000000000000000002');
  assert.equal(hex(ipv6ToBytes('::')), '0'.repeat(32));
  assert.equal(hex(ipv6ToBytes('::1')), `${'0'.repeat(31)}1`);
  assert.equal(hex(ipv6ToBytes('fe80::')), `fe80${'0'.repeat(28)}`);
  assert.equal(hex(ipv6ToBytes('2001:DB8:0:0:1:0:0:1')), '20010db8000000000001000000000001');
  assert.equal(hex(ipv6ToBytes('::ffff:10.0.0.1')), '00000000000000000000ffff0a000001');
  assert.equal(hex(ipv6ToBytes('64:ff9b::192.0.2.33')), '0064ff9b0000000000000000c0000221');
  assert.equal(hex(ipv6ToBytes('1:2:3:4:5:6:7.8.9.10')), '0001000200030004000500060708090a');
  assert.throws(() => ipv6ToBytes('fe80::1%eth0'), NetlinkEncodeError);
  assert.throws(() => ipv6ToBytes('1:2:3'), NetlinkEncodeError);
  assert.throws(() => ipToBytes('nope'), NetlinkEncodeError);
});

test('IPv6 formatting is RFC 5952 canonical', () => {
  const fmt = (s: string): string => bytesToIpv6(ipv6ToBytes(s));
  assert.equal(fmt('2001:0DB8:0000:0000:0000:0000:0000:0001'), '2001:db8::1');
  assert.equal(fmt('2001:db8:0:0:1:0:0:1'), '2001:db8::1:0:0:1'); // first of two equal runs
  assert.equal(fmt('2001:db8:0:1:1:1:1:1'), '2001:db8:0:1:1:1:1:1'); // a single zero group stays
  assert.equal(fmt('2001:0:0:1:0:0:0:1'), '2001:0:0:1::1'); // the longest run wins
  assert.equal(fmt('0:0:0:0:0:0:0:0'), '::');
  assert.equal(fmt('0:0:0:0:0:0:0:1'), '::1');
  assert.equal(fmt('fe80:0:0:0:0:0:0:0'), 'fe80::');
  assert.equal(fmt('::ffff:a00:1'), '::ffff:10.0.0.1');
  assert.equal(fmt('FD00:ABCD::'), 'fd00:abcd::');
});

test('link-layer addresses of any length', () => {
  assert.equal(hex(macToBytes('02:00:00:00:01:0A')), '02000000010a');
  assert.equal(bytesToMac(Uint8Array.of(2, 0, 0, 0, 1, 10)), '02:00:00:00:01:0a');
  assert.equal(bytesToMac(new Uint8Array(0)), '');
  assert.equal(macToBytes('').length, 0);
  assert.equal(bytesToMac(Uint8Array.of(10, 0, 0, 1)), '0a:00:00:01');
  assert.throws(() => macToBytes('02:00:00:00:01:zz'), NetlinkEncodeError);
  assert.throws(() => macToBytes('0200.0000.0001'), NetlinkEncodeError);
  assert.equal(hex(macToBytes('2:0:a:B:c:ff')), '02000a0b0cff');
  assert.equal(hex(macToBytes('7')), '07');
  for (const bad of ['02::01', '02:', ':02', '020:01', ' 02:01', '02:01 ', ':']) assert.throws(() => macToBytes(bad), NetlinkEncodeError, bad);
});
