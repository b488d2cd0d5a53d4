/**
 * How a Handle batches requests and reads the kernel's answers, without a kernel: its batches go to a
 * transport of the test's (handlesOver), which holds each until the test answers it. No root, no socket:
 * the fds are never used.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import {
  decodeMessages,
  encodeAddr,
  encodeLink,
  encodeMessage,
  Iff,
  NetlinkDecodeError,
  NetlinkEncodeError,
  NlmF,
  Nlmsg,
  NlmsgerrAttr,
  Rtm,
} from '../../src/netlink/index.js';
import { Af, RtScope, RtTable, Rtn } from '../../src/netlink/constants.js';
import { encodeRouteRequests, routeDestination } from '../../src/netlink/route-batch.js';
import { encodeRoute } from '../../src/netlink/route.js';
import { handlesOver } from '../../src/rtnl/handle.js';
import { NetlinkError, type Handle } from '../../src/rtnl/index.js';

let nextFd = 1_000_000;

/** A batch the handle sent, waiting for the test's answer. */
interface Sent {
  buffer: Buffer;
  settle(answer: Buffer | Error): void;
}

/** Lets the flush group send what was queued in this tick. */
const tick = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

/** A handle over a socket that does not exist, whose batches wait in `sent` for the test to answer them. */
function offlineHandle(): Handle & { sent: Sent[] } {
  const sent: Sent[] = [];
  const transport = (items: readonly (readonly [number, Buffer])[]): Promise<(Buffer | Error)[]> =>
    Promise.all(items.map(([, buffer]) => new Promise<Buffer | Error>((settle) => sent.push({ buffer, settle }))));
  const [h] = handlesOver(transport, [{ netns: 't', fd: nextFd++ }]);
  assert.ok(h !== undefined);
  return Object.assign(h, { sent });
}

/** The next batch the handle sends, which must come. */
async function take(h: Handle & { sent: Sent[] }): Promise<Sent> {
  await tick();
  const batch = h.sent.shift();
  assert.ok(batch !== undefined, 'a batch is sent');
  return batch;
}

/** True when the handle sends nothing more. */
async function nothingMore(h: Handle & { sent: Sent[] }): Promise<boolean> {
  await tick();
  return h.sent.length === 0;
}

/** NLMSG_ERROR for `seq`: a bare capped ACK, or an error with the kernel's extack text. */
function ack(seq: number, errno = 0, text?: string): Buffer {
  const head = Buffer.alloc(20);
  head.writeInt32LE(-errno, 0); // host order: the tests run on little-endian machines, as nslab does
  head.writeUInt32LE(16, 4);
  head.writeUInt32LE(seq, 12);
  if (text === undefined) return encodeMessage({ type: Nlmsg.ERROR, flags: NlmF.CAPPED, seq }, head);
  const payload = Buffer.from(`${text}\0`);
  const tlv = Buffer.alloc((4 + payload.length + 3) & ~3);
  tlv.writeUInt16LE(4 + payload.length, 0);
  tlv.writeUInt16LE(NlmsgerrAttr.MSG, 2);
  payload.copy(tlv, 4);
  return encodeMessage({ type: Nlmsg.ERROR, flags: NlmF.CAPPED | NlmF.ACK_TLVS, seq }, Buffer.concat([head, tlv]));
}

function linkReply(seq: number, index: number, name: string, flags: number = NlmF.MULTI): Buffer {
  return encodeMessage({ type: Rtm.NEWLINK, flags, seq }, encodeLink({ index, attrs: { ifname: name } }));
}

function done(seq: number, flags: number = NlmF.MULTI): Buffer {
  return encodeMessage({ type: Nlmsg.DONE, flags, seq }, Buffer.alloc(4));
}

/** Resolves to 'ok' or to the rejection, so a test can look at every outcome at once. */
function outcome(p: Promise<unknown>): Promise<unknown> {
  return p.then(
    () => 'ok',
    (e: unknown) => e,
  );
}

describe('Handle batches', () => {
  test('a batch is one buffer: consecutive seqs, an ACK asked for all but a dump, ending with the first dump', async () => {
    const h = offlineHandle();
    const made = [
      h.link.set({ index: 3, name: 'e0' }, { up: true, alias: 'm' }),
      h.addr.add({ index: 3 }, '10.0.0.1/24'),
      h.link.list(),
      h.link.set({ index: 4 }, { mtu: 1400 }),
    ];
    const first = await take(h);
    assert.ok(await nothingMore(h), 'one transaction at a time per socket: the rest waits for the answer');

    const sent = decodeMessages(first.buffer);
    assert.deepEqual(
      sent.map((m) => [m.type, m.flags, m.seq, m.pid]),
      [
        [Rtm.NEWLINK, NlmF.REQUEST | NlmF.ACK, 1, 0],
        [Rtm.NEWLINK, NlmF.REQUEST | NlmF.ACK, 2, 0],
        [Rtm.NEWADDR, NlmF.REQUEST | NlmF.ACK | NlmF.CREATE | NlmF.EXCL, 3, 0],
        [Rtm.GETLINK, NlmF.REQUEST | NlmF.DUMP, 4, 0],
      ],
    );
    // The alias first, on its own while the link is still down: on a link that is up it is a NETDEV_CHANGE.
    assert.deepEqual(Buffer.from(sent[0]?.body ?? []), encodeLink({ index: 3, attrs: { alias: 'm' } }));
    assert.deepEqual(Buffer.from(sent[1]?.body ?? []), encodeLink({ index: 3, flags: Iff.UP, change: Iff.UP, attrs: {} }));
    assert.deepEqual(
      Buffer.from(sent[2]?.body ?? []),
      encodeAddr({ family: 2, prefixlen: 24, flags: 0, scope: 0, index: 3, attrs: { local: '10.0.0.1', address: '10.0.0.1' } }),
    );
    first.settle(Buffer.concat([ack(1), ack(2), ack(3), done(4)]));
    const second = await take(h);
    assert.deepEqual(
      decodeMessages(second.buffer).map((m) => [m.type, m.seq]),
      [[Rtm.NEWLINK, 5]],
    );
    second.settle(ack(5));
    assert.ok(await nothingMore(h));
    assert.deepEqual(await Promise.all(made.map(outcome)), ['ok', 'ok', 'ok', 'ok']);
  });

  test('an alias with down comes after it, on its own: a link that is up is told of a new alias', async () => {
    const h = offlineHandle();
    const set = h.link.set({ index: 3 }, { up: false, alias: 'm' });
    const first = await take(h);
    const sent = decodeMessages(first.buffer);
    assert.deepEqual(
      sent.map((m) => Buffer.from(m.body)),
      [encodeLink({ index: 3, flags: 0, change: Iff.UP, attrs: {} }), encodeLink({ index: 3, attrs: { alias: 'm' } })],
    );
    first.settle(Buffer.concat([ack(1), ack(2)]));
    assert.equal(await outcome(set), 'ok');
  });

  test('answers settle their requests: ACK, error with the kernel text, dump messages as copies', async () => {
    const h = offlineHandle();
    let described = 0;
    const object = (): string => {
      described += 1;
      return 'thing one';
    };
    const ok = h.request({ type: Rtm.NEWLINK, flags: 0, body: Buffer.alloc(16), object });
    const refused = outcome(h.addr.add({ index: 3, name: 'e0' }, '10.0.0.1/24'));
    const dump = h.request({ type: Rtm.GETLINK, flags: NlmF.DUMP, body: Buffer.alloc(16), object: 'links' });
    const answer = Buffer.concat([
      encodeMessage({ type: Rtm.NEWLINK, flags: 0, seq: 99 }, Buffer.alloc(16)), // not ours: ignored
      ack(1),
      ack(2, 17, 'Address already assigned'),
      linkReply(3, 1, 'lo'),
      ack(1, 1), // after its ACK: ignored
      linkReply(3, 2, 'e0'),
      done(3),
      linkReply(3, 5, 'late'), // after the dump's end: ignored
    ]);
    (await take(h)).settle(answer);

    assert.deepEqual(await ok, []);
    assert.equal(described, 0, 'a request that succeeds is never described');
    const error = await refused;
    assert.ok(error instanceof NetlinkError);
    assert.equal(error.errno, 17);
    assert.equal(error.object, '10.0.0.1/24 dev e0');
    assert.equal(error.kernelMessage, 'Address already assigned');
    assert.match(error.message, /^RTM_NEWADDR 10\.0\.0\.1\/24 dev e0 in netns t: File exists \(EEXIST\): Address already assigned; /);
    const messages = await dump;
    assert.deepEqual(
      messages.map((m) => [m.type, m.flags, m.seq]),
      [
        [Rtm.NEWLINK, NlmF.MULTI, 3],
        [Rtm.NEWLINK, NlmF.MULTI, 3],
      ],
    );
    assert.equal(messages[0]?.body.constructor, Uint8Array);
    assert.notEqual(messages[0]?.body.buffer, answer.buffer, 'the body is a copy, not a window into the answer');
  });

  test('an interrupted dump is asked again, at most five times', async () => {
    const h = offlineHandle();
    const dump = h.request({ type: Rtm.GETLINK, flags: NlmF.DUMP, body: Buffer.alloc(16), object: 'links' });
    let batch = await take(h);
    const seqs: number[] = [];
    for (;;) {
      const seq = decodeMessages(batch.buffer)[0]?.seq ?? 0;
      seqs.push(seq);
      batch.settle(Buffer.concat([linkReply(seq, 1, `lo${seq}`, NlmF.MULTI | NlmF.DUMP_INTR), done(seq)]));
      if (await nothingMore(h)) break;
      batch = await take(h);
    }
    assert.deepEqual(seqs, [1, 2, 3, 4, 5, 6]);
    const messages = await dump;
    assert.equal(messages.length, 1, 'the last reading, interrupted too, is what the caller gets');
    assert.equal(messages[0]?.seq, 6);
  });

  test('an answer that does not split into messages rejects every request of the batch', async () => {
    const h = offlineHandle();
    const made = [h.link.set({ index: 3 }, { up: true }), h.link.set({ index: 4 }, { up: true })].map(outcome);
    (await take(h)).settle(Buffer.concat([ack(1), ack(2).subarray(0, 30)]));
    for (const e of await Promise.all(made)) {
      assert.ok(e instanceof NetlinkDecodeError);
      assert.equal(e.message, 'malformed netlink data at byte 36: nlmsg_len 36 runs past the end of the datagram (30 left)');
    }
  });

  test('a malformed NLMSG_ERROR rejects its request and those after it; those before keep their answer', async () => {
    const h = offlineHandle();
    const made = [1, 2, 3].map((index) => outcome(h.link.set({ index }, { up: true })));
    const short = encodeMessage({ type: Nlmsg.ERROR, flags: NlmF.CAPPED, seq: 2 }, Buffer.alloc(8));
    (await take(h)).settle(Buffer.concat([ack(1), short, ack(3)]));
    const [first, second, third] = await Promise.all(made);
    assert.equal(first, 'ok');
    assert.ok(second instanceof NetlinkDecodeError);
    assert.equal(third, second);
  });

  test('a request left without an answer is rejected, described', async () => {
    const h = offlineHandle();
    const made = [h.link.set({ index: 3 }, { up: true }), h.link.set({ index: 4, name: 'e1' }, { up: false, master: null })].map(outcome);
    (await take(h)).settle(ack(1));
    const [first, second] = await Promise.all(made);
    assert.equal(first, 'ok');
    assert.ok(second instanceof Error);
    assert.equal(second.message, 'no answer from the kernel to RTM_NEWLINK e1 (up false master none) in netns t');
  });

  test('a header that does not fit nlmsghdr is refused before it is queued', async () => {
    const h = offlineHandle();
    let released = false;
    const e = await outcome(h.request({ type: 0x10000, flags: 0, body: Buffer.alloc(0), object: 'x', release: () => (released = true) }));
    assert.ok(e instanceof NetlinkEncodeError);
    assert.equal(e.message, 'cannot encode netlink request: nlmsg_type must be an integer from 0 to 65535, not 65536');
    assert.ok(released);
    assert.ok(await nothingMore(h), 'nothing was queued');
  });

  test('many routes in one request: numbered after the requests before them, one promise, the refused ones named', async () => {
    const h = offlineHandle();
    const shape = await h.route.shape({ to: 'default', via: '10.0.0.3', dev: { index: 7, name: 'eth0' }, protocol: 77 }, 'add');
    const routes = [0, 2, 4, 6].map((i) => ({ shape, dst: routeDestination(4, `10.0.1.${i}`, 31) }));
    let described = 0;
    const before = outcome(h.link.set({ index: 3 }, { up: true }));
    const many = h.route.addMany(encodeRouteRequests(routes), (i) => {
      described += 1;
      return `10.0.1.${i * 2}/31 via 10.0.0.3 dev eth0`;
    });
    const after = outcome(h.link.set({ index: 4 }, { up: true }));
    const batch = await take(h);
    const sent = decodeMessages(batch.buffer);
    assert.deepEqual(
      sent.map((m) => [m.type, m.flags, m.seq]),
      [
        [Rtm.NEWLINK, NlmF.REQUEST | NlmF.ACK, 1],
        ...[2, 3, 4, 5].map((seq) => [Rtm.NEWROUTE, NlmF.REQUEST | NlmF.ACK | NlmF.CREATE | NlmF.EXCL, seq]),
        [Rtm.NEWLINK, NlmF.REQUEST | NlmF.ACK, 6],
      ],
    );
    assert.deepEqual(
      sent.slice(1, 5).map((m) => Buffer.from(m.body).toString('hex')),
      [0, 2, 4, 6].map((i) =>
        encodeRoute({
          family: Af.INET,
          dstLen: 31,
          srcLen: 0,
          tos: 0,
          table: RtTable.MAIN,
          protocol: 77,
          scope: RtScope.UNIVERSE,
          type: Rtn.UNICAST,
          flags: 0,
          attrs: { dst: `10.0.1.${i}`, gateway: '10.0.0.3', oif: 7 },
        }).toString('hex'),
      ),
    );
    // The kernel goes on after a refused request: the third is refused, the fourth added.
    batch.settle(Buffer.concat([ack(1), ack(2), ack(3), ack(4, 17, 'route exists'), ack(5), ack(6)]));
    const failures = await many;
    assert.equal(failures.length, 1);
    assert.equal(failures[0]?.index, 2);
    assert.equal(described, 1, 'only the refused route is described');
    assert.match(failures[0]?.error.message ?? '', /^RTM_NEWROUTE 10\.0\.1\.4\/31 via 10\.0\.0\.3 dev eth0 in netns t: File exists \(EEXIST\): route exists; /);
    assert.deepEqual(await Promise.all([before, after]), ['ok', 'ok']);
  });

  test('many routes alone leave in their own buffer; a request left without an answer rejects the whole', async () => {
    const h = offlineHandle();
    const shape = await h.route.shape({ to: 'default', via: 'fd00::1', dev: { index: 7 } }, 'del');
    const messages = encodeRouteRequests([routeDestination(6, 'fd00:1::', 64), routeDestination(6, 'fd00:2::', 64)].map((dst) => ({ shape, dst })));
    const many = outcome(h.route.delMany(messages, (i) => `route ${i}`));
    const batch = await take(h);
    assert.equal(batch.buffer, messages, 'numbered in place, not copied');
    assert.deepEqual(
      decodeMessages(batch.buffer).map((m) => [m.type, m.flags, m.seq]),
      [
        [Rtm.DELROUTE, NlmF.REQUEST | NlmF.ACK, 1],
        [Rtm.DELROUTE, NlmF.REQUEST | NlmF.ACK, 2],
      ],
    );
    batch.settle(ack(1));
    const e = await many;
    assert.ok(e instanceof Error);
    assert.equal(e.message, 'no answer from the kernel to RTM_DELROUTE requests starting with route 0 in netns t');
  });

  test('many requests of a mixed type, or of a read, are refused before they are queued', async () => {
    const h = offlineHandle();
    const shape = await h.route.shape({ to: 'default', via: '10.0.0.3', dev: { index: 7 } }, 'del');
    const e = await outcome(h.route.addMany(encodeRouteRequests([{ shape, dst: routeDestination(4, '10.0.1.0', 31) }]), () => 'x'));
    assert.ok(e instanceof NetlinkEncodeError);
    assert.match(e.message, /request 0 is of type 25, not 24/);
    const read = await outcome(h.requestMany({ type: Rtm.GETROUTE, flags: 0, messages: Buffer.alloc(0), object: () => 'x' }));
    assert.ok(read instanceof Error);
    assert.match(read.message, /requestMany sends changes, not RTM_GETROUTE/);
    assert.ok(await nothingMore(h), 'nothing was queued');
  });
});
