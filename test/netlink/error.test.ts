import assert from 'node:assert/strict';
import { test } from 'node:test';
import { NslabError } from '../../src/errors.js';
import { NlmF, Nlmsg, Rtm, errnoDescription, errnoName } from '../../src/netlink/constants.js';
import { NetlinkDecodeError, decodeAck } from '../../src/netlink/error.js';
import { decodeLink } from '../../src/netlink/link.js';
import { decodeMessages } from '../../src/netlink/message.js';
import { datagram } from './fixture.js';

function only(name: string) {
  const [m, ...rest] = decodeMessages(datagram(name));
  assert.ok(m !== undefined && rest.length === 0);
  return m;
}

test('kernel ACK: errno 0, capped, echoes the request header', () => {
  const m = only('ack.hex');
  assert.equal(m.type, Nlmsg.ERROR);
  assert.equal(m.flags, NlmF.CAPPED);
  assert.deepEqual(decodeAck(m.body, m.flags), { errno: 0, requestHeader: { len: 40, type: Rtm.NEWLINK, flags: NlmF.REQUEST | NlmF.ACK, seq: 1012, pid: 0 } });
  assert.deepEqual(decodeAck(m.body), decodeAck(m.body, m.flags)); // inferred layout agrees
});

test('kernel error, uncapped: whole request echoed, then the extack message', () => {
  const m = only('error-extack.hex');
  assert.equal(m.flags, NlmF.ACK_TLVS);
  const ack = decodeAck(m.body, m.flags);
  assert.equal(ack.errno, 95);
  assert.equal(`${errnoDescription(ack.errno)} (${errnoName(ack.errno)})`, 'Operation not supported (EOPNOTSUPP)');
  assert.equal(ack.message, 'Unknown device type');
  assert.equal(ack.offset, undefined);
  assert.deepEqual(ack.requestHeader, { len: 68, type: Rtm.NEWLINK, flags: NlmF.REQUEST | NlmF.ACK | NlmF.EXCL | NlmF.CREATE, seq: 1013, pid: 0 });
  assert.ok(ack.requestPayload !== undefined);
  const echoed = decodeLink(ack.requestPayload);
  assert.equal(echoed.attrs.ifname, 'bad0');
  assert.deepEqual(echoed.attrs.linkinfo, { kind: 'nslabnosuchkind', raw: true });
  assert.deepEqual(decodeAck(m.body), ack);
});

test('kernel error, capped (NETLINK_CAP_ACK): header only, message and offset of the bad attribute', () => {
  const m = only('error-capped.hex');
  assert.equal(m.flags, NlmF.CAPPED | NlmF.ACK_TLVS);
  const ack = decodeAck(m.body, m.flags);
  assert.deepEqual(ack, {
    errno: 34,
    requestHeader: { len: 40, type: Rtm.NEWLINK, flags: NlmF.REQUEST | NlmF.ACK, seq: 1001, pid: 0 },
    message: 'Attribute failed policy validation',
    offset: 32, // 16 nlmsghdr + 16 ifinfomsg: the 2-byte IFLA_MTU
  });
  assert.equal(errnoName(ack.errno), 'ERANGE');
});

test('NetlinkDecodeError is an NslabError with a stable code and the offset', () => {
  const err = new NetlinkDecodeError('thing', 12);
  assert.ok(err instanceof NslabError);
  assert.equal(err.code, 'NSLAB_NETLINK_DECODE');
  assert.equal(err.offset, 12);
  assert.equal(err.message, 'malformed netlink data at byte 12: thing');
});

test('malformed NLMSG_ERROR bodies throw NetlinkDecodeError', () => {
  const body = only('error-extack.hex').body;
  assert.throws(() => decodeAck(body.subarray(0, 10), 0), NetlinkDecodeError);
  assert.throws(
    () => decodeAck(body.subarray(0, 40), 0),
    (e: unknown) => e instanceof NetlinkDecodeError && /echoed request payload/.test(e.message),
  );
  const positive = Buffer.from(body);
  positive.writeInt32LE(5, 0);
  assert.throws(() => decodeAck(positive, NlmF.ACK_TLVS), NetlinkDecodeError);
  const badTlv = Buffer.from(only('error-capped.hex').body);
  badTlv.writeUInt16LE(200, 20); // the MSG TLV now claims 200 bytes
  assert.throws(
    () => decodeAck(badTlv, NlmF.CAPPED | NlmF.ACK_TLVS),
    (e: unknown) => e instanceof NetlinkDecodeError && e.offset === 20,
  );
});
