import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Af, NlmF, Ntf, Nud, Rtm, Rtn } from '../../src/netlink/constants.js';
import { NetlinkDecodeError, NetlinkEncodeError } from '../../src/netlink/error.js';
import { encodeMessage } from '../../src/netlink/message.js';
import { decodeNeigh, encodeNeigh } from '../../src/netlink/neigh.js';
import type { NeighMessage } from '../../src/netlink/neigh.js';
import { datagram } from './fixture.js';
import { onlyMessage } from './golden.js';

test('golden permanent neighbour from the kernel', () => {
  const m = onlyMessage('neigh.hex');
  assert.equal(m.type, Rtm.NEWNEIGH);
  assert.deepEqual(decodeNeigh(m.body), {
    family: Af.INET,
    ifindex: 3,
    state: Nud.PERMANENT,
    flags: 0,
    type: Rtn.UNICAST,
    attrs: { dst: '10.10.1.9', lladdr: '02:00:00:00:00:09', probes: 0, cacheinfo: { confirmed: 1, used: 1, updated: 1, refcnt: 0 } },
  });
});

test('request matches `ip neigh add 10.10.1.9 lladdr 02:00:00:00:00:09 dev rveth`', () => {
  const g = onlyMessage('req-neigh-add.hex');
  assert.equal(g.flags, NlmF.REQUEST | NlmF.ACK | NlmF.EXCL | NlmF.CREATE);
  const body = encodeNeigh({ family: Af.INET, ifindex: 3, state: Nud.PERMANENT, flags: 0, type: 0, attrs: { dst: '10.10.1.9', lladdr: '02:00:00:00:00:09' } });
  assert.equal(encodeMessage({ type: g.type, flags: g.flags, seq: g.seq }, body).toString('hex'), datagram('req-neigh-add.hex').toString('hex'));
});

test('round trips, including a VXLAN FDB entry (AF_BRIDGE)', () => {
  for (const name of ['neigh.hex', 'req-neigh-add.hex']) {
    const n = decodeNeigh(onlyMessage(name).body);
    assert.deepEqual(decodeNeigh(encodeNeigh(n)), n, name);
  }
  const fdb: NeighMessage = {
    family: Af.BRIDGE,
    ifindex: 6,
    state: Nud.PERMANENT,
    flags: Ntf.SELF,
    type: 0,
    attrs: { lladdr: '00:00:00:00:00:00', dst: 'fd00::9', port: 4789, vni: 42, ifindex: 2 },
  };
  assert.deepEqual(decodeNeigh(encodeNeigh(fdb)), fdb);
  const body = encodeNeigh(fdb);
  assert.ok(body.includes(Buffer.from('060006001' + '2b5', 'hex')), 'NDA_PORT is big-endian');
});

test('errors', () => {
  assert.throws(() => encodeNeigh({ family: Af.INET6, ifindex: 1, state: 0, flags: 0, type: 0, attrs: { dst: '10.0.0.1' } }), NetlinkEncodeError);
  assert.throws(() => decodeNeigh(new Uint8Array(11)), NetlinkDecodeError);
});
