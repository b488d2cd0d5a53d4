import assert from 'node:assert/strict';
import { test } from 'node:test';
import { NlmF, Nlmsg, Rtm } from '../../src/netlink/constants.js';
import { NetlinkDecodeError, NetlinkEncodeError, decodeDone } from '../../src/netlink/error.js';
import { decodeLink } from '../../src/netlink/link.js';
import { decodeMessages, encodeMessage, isDone, isDumpInterrupted, isError, isMultipart } from '../../src/netlink/message.js';
import { datagram, datagrams } from './fixture.js';

test('encodeMessage computes nlmsg_len and pads the body', () => {
  const msg = encodeMessage({ type: Rtm.GETLINK, flags: NlmF.REQUEST | NlmF.DUMP, seq: 7 }, Uint8Array.of(1, 2, 3));
  assert.equal(msg.toString('hex'), '13000000' + '1200' + '0103' + '07000000' + '00000000' + '01020300');
  const withPid = encodeMessage({ type: 16, flags: 5, seq: 0xffffffff, pid: 42 }, new Uint8Array(0));
  assert.equal(withPid.toString('hex'), '1000000010000500ffffffff2a000000');
  assert.throws(() => encodeMessage({ type: 0x10000, flags: 0, seq: 0 }, new Uint8Array(0)), NetlinkEncodeError);
});

test('a real multipart RTM_GETLINK dump: two datagrams, NLM_F_MULTI everywhere, ends in NLMSG_DONE', () => {
  const grams = datagrams('link-dump.hex');
  assert.equal(grams.length, 2);
  const msgs = grams.flatMap((g) => decodeMessages(g));
  assert.deepEqual(msgs.map((m) => m.type), [16, 16, 16, 16, 16, 16, Nlmsg.DONE]);
  assert.ok(msgs.every((m) => isMultipart(m) && m.seq === 1006 && m.pid === 4756 && !isDumpInterrupted(m)));
  assert.deepEqual(msgs.filter((m) => !isDone(m)).map((m) => decodeLink(m.body).attrs.ifname), ['lo', 'gveth', 'rveth', 'rv2', 'br0', 'vx0']);
  const done = msgs.at(-1);
  assert.ok(done !== undefined && isDone(done) && !isError(done));
  assert.deepEqual(decodeDone(done.body, done.flags), { errno: 0 });
});

test('NLM_F_DUMP_INTR is visible to the caller', () => {
  const msg = encodeMessage({ type: Nlmsg.DONE, flags: NlmF.MULTI | NlmF.DUMP_INTR, seq: 1 }, Uint8Array.of(0, 0, 0, 0));
  const [m] = decodeMessages(msg);
  assert.ok(m !== undefined && isDumpInterrupted(m) && isDone(m));
});

test('decodeDone: failed dump with extack', () => {
  // status -16 (EBUSY), then NLMSGERR_ATTR_MSG "bad dump" (13 bytes, padded)
  const body = Buffer.from('f0ffffff' + '0d000100' + Buffer.from('bad dump\0').toString('hex') + '000000', 'hex');
  assert.deepEqual(decodeDone(body, NlmF.MULTI | NlmF.ACK_TLVS), { errno: 16, message: 'bad dump' });
  assert.deepEqual(decodeDone(body, NlmF.MULTI), { errno: 16 }); // no ACK_TLVS flag: TLVs not read
  assert.deepEqual(decodeDone(new Uint8Array(0)), { errno: 0 });
  assert.throws(() => decodeDone(Uint8Array.of(1, 0)), NetlinkDecodeError);
});

test('several messages in one datagram; lengths checked', () => {
  const a = encodeMessage({ type: 16, flags: 2, seq: 1 }, Uint8Array.of(9));
  const b = encodeMessage({ type: 3, flags: 2, seq: 1 }, Uint8Array.of(0, 0, 0, 0));
  const msgs = decodeMessages(Buffer.concat([a, b]));
  assert.deepEqual(msgs, [
    { type: 16, flags: 2, seq: 1, pid: 0, body: Uint8Array.of(9) },
    { type: 3, flags: 2, seq: 1, pid: 0, body: Uint8Array.of(0, 0, 0, 0) },
  ]);
  assert.deepEqual(decodeMessages(new Uint8Array(0)), []);
  const truncated = datagram('ack.hex').subarray(0, 30);
  assert.throws(() => decodeMessages(truncated), (e: unknown) => e instanceof NetlinkDecodeError && e.offset === 0 && /runs past the end/.test(e.message));
  const short = Buffer.from(a);
  short.writeUInt32LE(8, 0);
  assert.throws(() => decodeMessages(short), (e: unknown) => e instanceof NetlinkDecodeError && /below the 16-byte header/.test(e.message));
  assert.throws(() => decodeMessages(Buffer.concat([a, Buffer.alloc(5)])), (e: unknown) => e instanceof NetlinkDecodeError && e.offset === 20);
});
