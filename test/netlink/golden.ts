/** Shared helpers for golden-byte tests: the single message of a fixture, iproute2's nests marked NLA_F_NESTED. */
import assert from 'node:assert/strict';
import type { NetlinkMessage } from '../../src/netlink/message.js';
import { decodeMessages } from '../../src/netlink/message.js';
import { datagram } from './fixture.js';

/** The one message in a one-message fixture. */
export function onlyMessage(name: string): NetlinkMessage {
  const msgs = decodeMessages(datagram(name));
  assert.equal(msgs.length, 1, `${name} holds one message`);
  const [m] = msgs;
  assert.ok(m !== undefined);
  return m;
}

/**
 * iproute2 6.1's addattr_nest() does not set NLA_F_NESTED; we do, as the kernel does in its own messages
 * (and the kernel accepts both). Returns a copy of `bytes` with the flag set on the attribute headers at
 * `offsets` (byte offsets of nla_len in the whole message).
 */
export function withNestedFlag(bytes: Uint8Array, offsets: readonly number[]): Buffer {
  const out = Buffer.from(bytes);
  for (const off of offsets) {
    const type = out.readUInt16LE(off + 2);
    assert.equal(type & 0x8000, 0, `attribute at ${off} is not yet flagged`);
    out.writeUInt16LE(type | 0x8000, off + 2);
  }
  return out;
}
