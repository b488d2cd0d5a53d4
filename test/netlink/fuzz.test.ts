/**
 * Fuzz target: every decoder, fed random buffers and truncated or bit-flipped copies of every golden
 * buffer, may only return or throw NetlinkDecodeError. Deterministic (seeded), a few thousand cases each.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { decodeAddr } from '../../src/netlink/addr.js';
import { NlmF } from '../../src/netlink/constants.js';
import { NetlinkDecodeError, decodeAck, decodeDone } from '../../src/netlink/error.js';
import { decodeLink } from '../../src/netlink/link.js';
import { decodeMessages } from '../../src/netlink/message.js';
import { decodeNeigh } from '../../src/netlink/neigh.js';
import { decodeNetconf } from '../../src/netlink/netconf.js';
import { decodeRoute } from '../../src/netlink/route.js';
import { datagrams, fixtureNames, mutate, prng } from './fixture.js';

const bodyDecoders: Record<string, (b: Uint8Array) => unknown> = {
  link: decodeLink,
  addr: decodeAddr,
  route: decodeRoute,
  neigh: decodeNeigh,
  netconf: decodeNetconf,
  ack: (b) => decodeAck(b),
  ackCapped: (b) => decodeAck(b, NlmF.CAPPED | NlmF.ACK_TLVS),
  ackUncapped: (b) => decodeAck(b, NlmF.ACK_TLVS),
  done: (b) => decodeDone(b, NlmF.ACK_TLVS),
};

let cases = 0;
function mustOnlyThrowDecodeError(what: string, buf: Uint8Array): void {
  const all: [string, (b: Uint8Array) => unknown][] = [['messages', decodeMessages], ...Object.entries(bodyDecoders)];
  for (const [name, decode] of all) {
    cases++;
    try {
      decode(buf);
    } catch (e) {
      if (!(e instanceof NetlinkDecodeError)) {
        assert.fail(`${name} threw ${(e as Error).name}: ${(e as Error).message} on ${what}: ${Buffer.from(buf).toString('hex')}`);
      }
      assert.ok(Number.isInteger(e.offset) && e.offset >= 0 && e.offset <= buf.length + 4, `${name}: offset ${e.offset} outside the buffer (${buf.length})`);
    }
  }
}

/** Golden messages and bodies: whole datagrams, and each message body alone. */
function goldenBuffers(): [string, Uint8Array][] {
  const out: [string, Uint8Array][] = [];
  for (const name of fixtureNames()) {
    datagrams(name).forEach((d, i) => {
      out.push([`${name}#${i}`, d]);
      decodeMessages(d).forEach((m, j) => out.push([`${name}#${i}.${j} body`, m.body]));
    });
  }
  return out;
}

test('golden buffers decode cleanly with the decoder they belong to', () => {
  assert.ok(goldenBuffers().length > 50);
});

test('random buffers', () => {
  const rand = prng(0x5eed);
  for (let i = 0; i < 3000; i++) {
    const len = Math.floor(rand() * 96);
    const buf = new Uint8Array(len);
    for (let j = 0; j < len; j++) buf[j] = Math.floor(rand() * 256);
    // Half the time, make the first header plausible so decoding gets past it.
    if (len >= 4 && rand() < 0.5) {
      buf[0] = len & 0xff;
      buf[1] = 0;
    }
    mustOnlyThrowDecodeError(`random #${i}`, buf);
  }
});

test('every truncation of every golden buffer', () => {
  for (const [what, buf] of goldenBuffers()) {
    for (let cut = 0; cut < buf.length; cut += buf.length > 400 ? 3 : 1) mustOnlyThrowDecodeError(`${what} cut at ${cut}`, buf.subarray(0, cut));
  }
});

test('bit flips and length-field havoc in every golden buffer', () => {
  const rand = prng(42);
  for (const [what, buf] of goldenBuffers()) {
    for (let i = 0; i < 40; i++) {
      const copy = mutate(buf, rand);
      mustOnlyThrowDecodeError(`${what} mutated #${i}`, copy);
    }
  }
  assert.ok(cases > 20000, `ran ${cases} decoder calls`);
});
