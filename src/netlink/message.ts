/**
 * Netlink messages: struct nlmsghdr (len u32, type u16, flags u16, seq u32, pid u32, host byte order)
 * followed by a body, padded to 4 bytes. One datagram from the kernel may hold many messages; a dump is a
 * series of NLM_F_MULTI messages over one or more datagrams, ended by NLMSG_DONE.
 */
import { HOST_LITTLE_ENDIAN, align4, copyBytes, putU16, putU32, viewOf } from './bytes.js';
import { NLMSG_HDRLEN, NlmF, Nlmsg } from './constants.js';
import { NetlinkDecodeError, NetlinkEncodeError } from './error.js';

export interface MessageHeader {
  type: number;
  flags: number;
  seq: number;
  /** Port id of the sender; 0 in requests (the kernel fills in the socket's) and in kernel messages. */
  pid?: number;
}

export interface NetlinkMessage {
  type: number;
  flags: number;
  seq: number;
  pid: number;
  /** The bytes after the header, up to nlmsg_len (without trailing padding). A copy. */
  body: Uint8Array;
}

function checkU(value: number, max: number, what: string): void {
  if (!Number.isInteger(value) || value < 0 || value > max) throw new NetlinkEncodeError(`${what} must be an integer from 0 to ${max}, not ${value}`);
}

/** Throws NetlinkEncodeError when a header field does not fit struct nlmsghdr. */
export function checkHeader(header: MessageHeader): void {
  checkU(header.type, 0xffff, 'nlmsg_type');
  checkU(header.flags, 0xffff, 'nlmsg_flags');
  checkU(header.seq, 0xffffffff, 'nlmsg_seq');
  checkU(header.pid ?? 0, 0xffffffff, 'nlmsg_pid');
}

/** Writes the header and body of one message at `off`; returns the offset after it (padding included). */
function putMessage(out: Buffer, off: number, header: MessageHeader, body: Uint8Array): number {
  const len = NLMSG_HDRLEN + body.length;
  putU32(out, off, len);
  putU16(out, off + 4, header.type);
  putU16(out, off + 6, header.flags);
  putU32(out, off + 8, header.seq);
  putU32(out, off + 12, header.pid ?? 0);
  out.set(body, off + NLMSG_HDRLEN);
  return off + align4(len);
}

/** A whole message: header with nlmsg_len computed, then `body`, padded to 4 bytes. */
export function encodeMessage(header: MessageHeader, body: Uint8Array): Buffer {
  checkHeader(header);
  const out = Buffer.alloc(align4(NLMSG_HDRLEN + body.length));
  putMessage(out, 0, header, body);
  return out;
}

/** One message of a batch: its header and its body. */
export interface OutgoingMessage extends MessageHeader {
  body: Uint8Array;
}

/**
 * Messages back to back in one buffer, as one sendmsg carries them: each header written in front of its
 * body, with no buffer per message and no concatenation (a batch holds up to thousands of requests).
 */
export function encodeMessages(messages: readonly OutgoingMessage[]): Buffer {
  let bytes = 0;
  for (let i = 0; i < messages.length; i++) {
    const m = messages[i] as OutgoingMessage;
    checkHeader(m);
    bytes += align4(NLMSG_HDRLEN + m.body.length);
  }
  const out = Buffer.alloc(bytes);
  let off = 0;
  for (let i = 0; i < messages.length; i++) off = putMessage(out, off, messages[i] as OutgoingMessage, (messages[i] as OutgoingMessage).body);
  return out;
}

/** A message's header read in place, with where its body lies in the buffer (no copy). */
export interface MessageFrame {
  type: number;
  flags: number;
  seq: number;
  pid: number;
  /** Offset of the body in the buffer, and of the end of the message (without padding). */
  body: number;
  end: number;
}

/**
 * The messages of a datagram as frames: headers read, bodies left in place, for readers that decode only
 * some (a batch's answer is mostly bare ACKs). Checks every nlmsg_len as decodeMessages does and throws
 * the same NetlinkDecodeError before returning any frame.
 */
export function frameMessages(buf: Uint8Array): MessageFrame[] {
  const out: MessageFrame[] = [];
  const view = viewOf(buf);
  let off = 0;
  while (off < buf.length) {
    const len = checkedLength(buf, view, off);
    out.push({
      type: view.getUint16(off + 4, HOST_LITTLE_ENDIAN),
      flags: view.getUint16(off + 6, HOST_LITTLE_ENDIAN),
      seq: view.getUint32(off + 8, HOST_LITTLE_ENDIAN),
      pid: view.getUint32(off + 12, HOST_LITTLE_ENDIAN),
      body: off + NLMSG_HDRLEN,
      end: off + len,
    });
    off += align4(len);
  }
  return out;
}

/** nlmsg_len of the message at `off`, checked against the header's size and the datagram's end. */
function checkedLength(buf: Uint8Array, view: DataView, off: number): number {
  if (buf.length - off < NLMSG_HDRLEN) {
    throw new NetlinkDecodeError(`${buf.length - off} stray bytes after the last message, too few for a 16-byte header`, off);
  }
  const len = view.getUint32(off, HOST_LITTLE_ENDIAN);
  if (len < NLMSG_HDRLEN) throw new NetlinkDecodeError(`nlmsg_len ${len} is below the 16-byte header`, off);
  if (off + len > buf.length) throw new NetlinkDecodeError(`nlmsg_len ${len} runs past the end of the datagram (${buf.length - off} left)`, off);
  return len;
}

/** Splits one datagram into its messages, checking every nlmsg_len against the datagram. */
export function decodeMessages(buf: Uint8Array): NetlinkMessage[] {
  return frameMessages(buf).map((f) => ({ type: f.type, flags: f.flags, seq: f.seq, pid: f.pid, body: copyBytes(buf, f.body, f.end) }));
}

/**
 * True for the answer nearly every request gets: an NLMSG_ERROR with error 0, capped (the kernel echoes
 * only the request's header) and nothing after it. decodeAck could only say errno 0 for it; this reads it
 * in place.
 */
export function isBareAck(buf: Uint8Array, frame: MessageFrame): boolean {
  return (
    frame.type === Nlmsg.ERROR &&
    frame.end - frame.body === 4 + NLMSG_HDRLEN &&
    (frame.flags & NlmF.CAPPED) !== 0 &&
    // int error == 0, whatever the byte order
    buf[frame.body] === 0 &&
    buf[frame.body + 1] === 0 &&
    buf[frame.body + 2] === 0 &&
    buf[frame.body + 3] === 0
  );
}

/** NLMSG_DONE: the end of a dump. Its body holds the dump's status (see decodeDone). */
export function isDone(msg: Pick<NetlinkMessage, 'type'>): boolean {
  return msg.type === Nlmsg.DONE;
}

/** NLMSG_ERROR: an ACK (errno 0) or an error (see decodeAck). */
export function isError(msg: Pick<NetlinkMessage, 'type'>): boolean {
  return msg.type === Nlmsg.ERROR;
}

/** Part of a multipart reply (NLM_F_MULTI): more follows until NLMSG_DONE. */
export function isMultipart(msg: Pick<NetlinkMessage, 'flags'>): boolean {
  return (msg.flags & NlmF.MULTI) !== 0;
}

/**
 * NLM_F_DUMP_INTR: the tables changed while the kernel was dumping them, so this dump may have missed or
 * doubled entries. Finish reading it, then dump again.
 */
export function isDumpInterrupted(msg: Pick<NetlinkMessage, 'flags'>): boolean {
  return (msg.flags & NlmF.DUMP_INTR) !== 0;
}
