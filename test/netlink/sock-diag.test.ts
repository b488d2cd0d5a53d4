/** sock_diag's inet_diag request and answer, byte for byte (struct layouts of linux/inet_diag.h). */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  decodeInetDiagMessage,
  encodeInetDiagRequest,
  INET_DIAG_MSG_LEN,
  INET_DIAG_REQ_V2_LEN,
  NetlinkDecodeError,
  TcpState,
} from '../../src/netlink/index.js';

test('a request for listening TCP sockets: family, protocol, the LISTEN bit, and an empty sockid', () => {
  const body = encodeInetDiagRequest({ family: 6, protocol: 6, states: [TcpState.LISTEN] });
  assert.equal(body.length, INET_DIAG_REQ_V2_LEN);
  assert.deepEqual([...body.subarray(0, 8)], [10, 6, 0, 0, 0x00, 0x04, 0x00, 0x00]);
  assert.ok(body.subarray(8).every((b) => b === 0));
});

test('an answer: ports in network order, addresses, state and inode in host order', () => {
  const msg = new Uint8Array(INET_DIAG_MSG_LEN + 8);
  msg.set([2, 10, 0, 0]); // AF_INET, LISTEN
  msg.set([0x1f, 0x90, 0, 0], 4); // sport 8080, dport 0
  msg.set([10, 0, 0, 1], 8); // src 10.0.0.1
  new DataView(msg.buffer).setUint32(4 + 48 + 16, 123456, true);
  assert.deepEqual(decodeInetDiagMessage(msg), {
    family: 4,
    state: 10,
    localPort: 8080,
    remotePort: 0,
    localAddress: '10.0.0.1',
    remoteAddress: '0.0.0.0',
    inode: 123456,
  });
  assert.throws(() => decodeInetDiagMessage(msg.subarray(0, 20)), NetlinkDecodeError);
});
