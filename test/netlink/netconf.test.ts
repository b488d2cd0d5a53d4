import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Af, NetconfIndex, NlmF, Rtm } from '../../src/netlink/constants.js';
import { NetlinkDecodeError } from '../../src/netlink/error.js';
import { decodeMessages, encodeMessage } from '../../src/netlink/message.js';
import { decodeNetconf, encodeNetconf } from '../../src/netlink/netconf.js';
import { datagram } from './fixture.js';
import { onlyMessage } from './golden.js';

test('request matches `ip -4 netconf show`', () => {
  const g = onlyMessage('req-netconf-dump-v4.hex');
  assert.equal(g.type, Rtm.GETNETCONF);
  assert.equal(g.flags, NlmF.REQUEST | NlmF.DUMP);
  const body = encodeNetconf({ family: Af.INET, attrs: {} });
  assert.equal(encodeMessage({ type: g.type, flags: g.flags, seq: g.seq }, body).toString('hex'), datagram('req-netconf-dump-v4.hex').toString('hex'));
});

test("golden dump from the kernel: each device's forwarding and rp_filter, then all and default", () => {
  const msgs = decodeMessages(datagram('netconf-dump-v4.hex')).filter((m) => m.type === Rtm.NEWNETCONF);
  const rows = msgs.map((m) => decodeNetconf(m.body)).map((n) => [n.family, n.attrs.ifindex, n.attrs.forwarding, n.attrs.rpFilter]);
  assert.deepEqual(rows, [
    [Af.INET, 1, 1, 0],
    [Af.INET, 2, 1, 0],
    [Af.INET, 3, 1, 2],
    [Af.INET, NetconfIndex.ALL, 1, 0],
    [Af.INET, NetconfIndex.DEFAULT, 1, 0],
  ]);
  for (const m of msgs) assert.deepEqual(decodeNetconf(encodeNetconf(decodeNetconf(m.body))), decodeNetconf(m.body), 'round trip');
});

test('an empty body is a decode error', () => {
  assert.throws(() => decodeNetconf(new Uint8Array(0)), NetlinkDecodeError);
  assert.deepEqual(decodeNetconf(Uint8Array.of(Af.INET6)), { family: Af.INET6, attrs: {} });
});
