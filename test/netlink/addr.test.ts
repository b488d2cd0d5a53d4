import assert from 'node:assert/strict';
import { test } from 'node:test';
import { decodeAddr, encodeAddr } from '../../src/netlink/addr.js';
import type { AddrMessage } from '../../src/netlink/addr.js';
import { Af, IfaF, NlmF, Rtm, RtScope } from '../../src/netlink/constants.js';
import { NetlinkDecodeError, NetlinkEncodeError } from '../../src/netlink/error.js';
import { encodeMessage } from '../../src/netlink/message.js';
import { datagram } from './fixture.js';
import { onlyMessage } from './golden.js';

const create = NlmF.REQUEST | NlmF.ACK | NlmF.EXCL | NlmF.CREATE;

test('golden IPv4 address from the kernel', () => {
  const m = onlyMessage('addr-v4.hex');
  assert.equal(m.type, Rtm.NEWADDR);
  const a = decodeAddr(m.body);
  assert.deepEqual(
    { ...a, attrs: { ...a.attrs, cacheinfo: undefined } },
    {
      family: Af.INET,
      prefixlen: 32,
      flags: IfaF.PERMANENT,
      scope: RtScope.UNIVERSE,
      index: 3,
      attrs: { address: '10.10.1.2', local: '10.10.1.2', label: 'rveth', flags: IfaF.PERMANENT, cacheinfo: undefined },
    },
  );
  assert.deepEqual(a.attrs.cacheinfo, { preferred: 0xffffffff, valid: 0xffffffff, created: 99478, updated: 99478 });
});

test('golden IPv6 address from the kernel (nodad)', () => {
  const a = decodeAddr(onlyMessage('addr-v6.hex').body);
  assert.equal(a.family, Af.INET6);
  assert.equal(a.prefixlen, 128);
  assert.equal(a.flags, IfaF.PERMANENT | IfaF.NODAD);
  assert.equal(a.attrs.address, 'fd00::2');
  assert.equal(a.attrs.local, undefined);
  assert.equal(a.attrs.flags, IfaF.PERMANENT | IfaF.NODAD);
});

function request(golden: string, msg: AddrMessage): [string, string] {
  const g = onlyMessage(golden);
  assert.equal(g.flags, create);
  return [encodeMessage({ type: g.type, flags: g.flags, seq: g.seq }, encodeAddr(msg)).toString('hex'), datagram(golden).toString('hex')];
}

test('requests match `ip addr add 10.10.1.2/32 dev rveth` and `ip addr add fd00::2/128 dev rveth nodad`', () => {
  assert.equal(
    ...request('req-addr-add-v4.hex', { family: Af.INET, prefixlen: 32, flags: 0, scope: 0, index: 3, attrs: { local: '10.10.1.2', address: '10.10.1.2' } }),
  );
  assert.equal(
    ...request('req-addr-add-v6.hex', {
      family: Af.INET6,
      prefixlen: 128,
      flags: IfaF.NODAD,
      scope: 0,
      index: 3,
      attrs: { local: 'fd00::2', address: 'fd00::2' },
    }),
  );
});

test('round trips', () => {
  for (const name of ['addr-v4.hex', 'addr-v6.hex', 'req-addr-add-v4.hex', 'req-addr-add-v6.hex']) {
    const a = decodeAddr(onlyMessage(name).body);
    assert.deepEqual(decodeAddr(encodeAddr(a)), a, name);
  }
  const full: AddrMessage = {
    family: Af.INET,
    prefixlen: 24,
    flags: 0,
    scope: RtScope.LINK,
    index: 9,
    attrs: {
      local: '192.0.2.1',
      address: '192.0.2.1',
      broadcast: '192.0.2.255',
      label: 'eth0:1',
      flags: IfaF.NOPREFIXROUTE,
      rtPriority: 100,
      proto: 4,
      cacheinfo: { preferred: 50, valid: 100, created: 0, updated: 0 },
    },
  };
  assert.deepEqual(decodeAddr(encodeAddr(full)), full);
});

test('family mismatches and bad prefixes refuse to encode; short bodies refuse to decode', () => {
  assert.throws(
    () => encodeAddr({ family: Af.INET, prefixlen: 24, flags: 0, scope: 0, index: 1, attrs: { address: 'fd00::1' } }),
    (e: unknown) => e instanceof NetlinkEncodeError && /AF_INET but address "fd00::1" is IPv6/.test(e.message),
  );
  assert.throws(() => encodeAddr({ family: Af.INET, prefixlen: 33, flags: 0, scope: 0, index: 1, attrs: {} }), NetlinkEncodeError);
  assert.throws(() => decodeAddr(new Uint8Array(7)), NetlinkDecodeError);
});
