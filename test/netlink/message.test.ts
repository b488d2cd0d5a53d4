import assert from 'node:assert/strict';
import { test } from 'node:test';
import { NlmF, Nlmsg, Rtm } from '../../src/netlink/constants.js';
import { NetlinkDecodeError, NetlinkEncodeError, decodeDone } from '../../src/netlink/error.js';
import { decodeLink } from '../../src/netlink/link.js';
import {
  decodeMessages,
  encodeMessage,
  encodeMessages,
  countRequests,
  frameHeaders,
  frameMessages,
  numberRequests,
  isBareAck,
  isDone,
  isDumpInterrupted,
  isError,
  isMultipart,
} from '../../src/netlink/message.js';
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
  assert.deepEqual(
    msgs.map((m) => m.type),
    [16, 16, 16, 16, 16, 16, Nlmsg.DONE],
  );
  assert.ok(msgs.every((m) => isMultipart(m) && m.seq === 1006 && m.pid === 4756 && !isDumpInterrupted(m)));
  assert.deepEqual(
    msgs.filter((m) => !isDone(m)).map((m) => decodeLink(m.body).attrs.ifname),
    ['lo', 'gveth', 'rveth', 'rv2', 'br0', 'vx0'],
  );
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
  assert.throws(
    () => decodeMessages(truncated),
    (e: unknown) => e instanceof NetlinkDecodeError && e.offset === 0 && /runs past the end/.test(e.message),
  );
  const short = Buffer.from(a);
  short.writeUInt32LE(8, 0);
  assert.throws(
    () => decodeMessages(short),
    (e: unknown) => e instanceof NetlinkDecodeError && /below the 16-byte header/.test(e.message),
  );
  assert.throws(
    () => decodeMessages(Buffer.concat([a, Buffer.alloc(5)])),
    (e: unknown) => e instanceof NetlinkDecodeError && e.offset === 20,
  );
});

test('encodeMessages lays out a batch byte for byte as its messages encoded one by one', () => {
  const a = { type: Rtm.NEWLINK, flags: NlmF.REQUEST | NlmF.ACK, seq: 7, body: Uint8Array.of(1, 2, 3) };
  const b = { type: Rtm.GETLINK, flags: NlmF.REQUEST | NlmF.DUMP, seq: 8, body: new Uint8Array(16) };
  assert.deepEqual(encodeMessages([a, b]), Buffer.concat([encodeMessage(a, a.body), encodeMessage(b, b.body)]));
  assert.deepEqual(encodeMessages([]), Buffer.alloc(0));
  assert.throws(() => encodeMessages([{ ...a, type: 0x10000 }]), NetlinkEncodeError);
});

test('frameMessages reads headers in place and refuses what decodeMessages refuses, with the same words', () => {
  const two = Buffer.concat([
    encodeMessage({ type: Nlmsg.ERROR, flags: 0, seq: 1 }, new Uint8Array(20)),
    encodeMessage({ type: Nlmsg.DONE, flags: NlmF.MULTI, seq: 2, pid: 9 }, Uint8Array.of(0, 0, 0, 0)),
  ]);
  assert.deepEqual(frameMessages(two), [
    { type: Nlmsg.ERROR, flags: 0, seq: 1, pid: 0, body: 16, end: 36 },
    { type: Nlmsg.DONE, flags: NlmF.MULTI, seq: 2, pid: 9, body: 52, end: 56 },
  ]);
  for (const bad of [two.subarray(0, 40), Buffer.concat([two, Buffer.alloc(3)])]) {
    const expected = (() => {
      try {
        decodeMessages(bad);
      } catch (e) {
        return (e as Error).message;
      }
      return 'no error';
    })();
    assert.throws(() => frameMessages(bad), { name: NetlinkDecodeError.name, message: expected });
  }
});

test('frameHeaders: frameMessages flat, with whether each is a bare ACK; the same refusals', () => {
  const ackBody = Buffer.alloc(20);
  const refusedBody = Buffer.alloc(20);
  refusedBody.writeInt32LE(-17, 0);
  const three = Buffer.concat([
    encodeMessage({ type: Nlmsg.ERROR, flags: NlmF.CAPPED, seq: 1 }, ackBody),
    encodeMessage({ type: Nlmsg.ERROR, flags: NlmF.CAPPED, seq: 2 }, refusedBody),
    encodeMessage({ type: Nlmsg.DONE, flags: NlmF.MULTI, seq: 3, pid: 9 }, Uint8Array.of(0, 0, 0, 0)),
  ]);
  const frames = frameMessages(three);
  const bare = frames.map((f) => (isBareAck(three, f) ? 1 : 0));
  assert.deepEqual(bare, [1, 0, 0]);
  assert.deepEqual(
    [...frameHeaders(three)],
    frames.flatMap((f, i) => [f.type, f.flags, f.seq, f.pid, f.body, f.end, bare[i]]),
  );
  assert.deepEqual([...frameHeaders(Buffer.alloc(0))], []);
  for (const bad of [three.subarray(0, 40), Buffer.concat([three, Buffer.alloc(3)]), Buffer.concat([three, Buffer.alloc(16)])]) {
    const expected = (() => {
      try {
        frameMessages(bad);
      } catch (e) {
        return (e as Error).message;
      }
      return 'no error';
    })();
    assert.notEqual(expected, 'no error');
    assert.throws(() => frameHeaders(bad), { name: NetlinkDecodeError.name, message: expected });
  }
});

/** A copy of `buf` that starts 2 bytes into its memory: not on a word boundary, so read byte by byte. */
function unaligned(buf: Uint8Array): Buffer {
  const out = Buffer.alloc(buf.length + 2).subarray(2);
  out.set(buf);
  return out;
}

test('frameHeaders, countRequests and numberRequests give the same on words (aligned) and on bytes (unaligned)', () => {
  const refused = Buffer.alloc(20);
  refused.writeInt32LE(-17, 0);
  const answer = Buffer.concat([
    encodeMessage({ type: Nlmsg.ERROR, flags: NlmF.CAPPED, seq: 7 }, Buffer.alloc(20)),
    encodeMessage({ type: Nlmsg.ERROR, flags: NlmF.CAPPED, seq: 8 }, refused),
    encodeMessage({ type: Rtm.NEWLINK, flags: NlmF.MULTI, seq: 9, pid: 3 }, Uint8Array.of(1, 2, 3)),
  ]);
  const odd = unaligned(answer);
  assert.equal(odd.byteOffset % 4, 2);
  assert.deepEqual([...frameHeaders(odd)], [...frameHeaders(answer)]);
  const requests = encodeMessages([1, 2, 3].map((i) => ({ type: Rtm.NEWROUTE, flags: 0, seq: 0, body: new Uint8Array(12 + i) })));
  const oddRequests = unaligned(requests);
  assert.equal(countRequests(oddRequests, Rtm.NEWROUTE), 3);
  assert.equal(countRequests(requests, Rtm.NEWROUTE), 3);
  assert.throws(() => countRequests(oddRequests, Rtm.DELROUTE), /request 0 is of type 24, not 25/);
  assert.throws(() => countRequests(requests, Rtm.DELROUTE), /request 0 is of type 24, not 25/);
  const flags = NlmF.REQUEST | NlmF.ACK | NlmF.CREATE;
  assert.equal(numberRequests(requests, 40, flags), requests.length);
  assert.equal(numberRequests(oddRequests, 40, flags), requests.length);
  assert.equal(Buffer.from(oddRequests).toString('hex'), requests.toString('hex'));
  assert.deepEqual(
    decodeMessages(requests).map((m) => [m.type, m.flags, m.seq]),
    [40, 41, 42].map((seq) => [Rtm.NEWROUTE, flags, seq]),
  );
});

test('isBareAck: a capped ACK with error 0 and nothing else; not an error, not an uncapped echo', () => {
  const ack = (errno: number, flags: number, extra = 0) => {
    const body = Buffer.alloc(20 + extra);
    body.writeInt32LE(-errno, 0);
    const buf = encodeMessage({ type: Nlmsg.ERROR, flags, seq: 1 }, body);
    return { buf, frame: frameMessages(buf)[0] as ReturnType<typeof frameMessages>[number] };
  };
  const bare = ack(0, NlmF.CAPPED);
  assert.equal(isBareAck(bare.buf, bare.frame), true);
  const refused = ack(17, NlmF.CAPPED);
  assert.equal(isBareAck(refused.buf, refused.frame), false);
  const echoed = ack(0, 0, 16);
  assert.equal(isBareAck(echoed.buf, echoed.frame), false);
});
