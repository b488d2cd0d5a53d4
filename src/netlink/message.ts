/**
 * Netlink messages: struct nlmsghdr (len u32, type u16, flags u16, seq u32, pid u32, host byte order)
 * followed by a body, padded to 4 bytes. One datagram from the kernel may hold many messages; a dump is a
 * series of NLM_F_MULTI messages over one or more datagrams, ended by NLMSG_DONE.
 */
import { HOST_LITTLE_ENDIAN, align4, copyBytes, hostWords, putU16, putU32, viewOf } from './bytes.js';
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
export function putMessage(out: Buffer, off: number, header: MessageHeader, body: Uint8Array): number {
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
  return isBareAckAt(buf, frame.type, frame.flags, frame.body, frame.end);
}

/** isBareAck of a message read in place: its type, flags, and where its body starts and ends. */
export function isBareAckAt(buf: Uint8Array, type: number, flags: number, body: number, end: number): boolean {
  return (
    type === Nlmsg.ERROR &&
    end - body === 4 + NLMSG_HDRLEN &&
    (flags & NlmF.CAPPED) !== 0 &&
    // int error == 0, whatever the byte order
    buf[body] === 0 &&
    buf[body + 1] === 0 &&
    buf[body + 2] === 0 &&
    buf[body + 3] === 0
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

/** The columns of frameHeaders, for each message. */
export const HeaderColumn = { type: 0, flags: 1, seq: 2, pid: 3, body: 4, end: 5, bareAck: 6, count: 7 } as const;

/**
 * The headers of a datagram's messages, flat, with no object a message (a window's answer is 256 ACKs):
 * for message m, at m * HeaderColumn.count + HeaderColumn.x, its type, flags, seq, pid, where its body
 * starts and ends (without padding), and 1 if it is a bare ACK (isBareAck), else 0. Checks every
 * nlmsg_len as frameMessages does, and throws the same NetlinkDecodeError before returning anything.
 */
export function frameHeaders(buf: Uint8Array): Uint32Array {
  const view = viewOf(buf);
  let count = 0;
  for (let off = 0; off < buf.length; count++) {
    // The common case inline; checkedLength says what is wrong otherwise.
    const len = buf.length - off >= NLMSG_HDRLEN ? view.getUint32(off, HOST_LITTLE_ENDIAN) : 0;
    off += align4(len >= NLMSG_HDRLEN && off + len <= buf.length ? len : checkedLength(buf, view, off));
  }
  const out = new Uint32Array(count * HeaderColumn.count);
  const words = hostWords(buf);
  if (words !== undefined) {
    for (let off = 0, m = 0; off < buf.length; m += HeaderColumn.count) {
      const w = off >>> 2;
      const len = words[w] as number;
      const typeAndFlags = words[w + 1] as number;
      const type = typeAndFlags & 0xffff;
      const flags = typeAndFlags >>> 16;
      out[m] = type;
      out[m + 1] = flags;
      out[m + 2] = words[w + 2] as number;
      out[m + 3] = words[w + 3] as number;
      out[m + 4] = off + NLMSG_HDRLEN;
      out[m + 5] = off + len;
      // isBareAckAt, on words: NLMSG_ERROR, capped, 4 + 16 bytes of body, error 0.
      out[m + 6] = type === Nlmsg.ERROR && len === NLMSG_HDRLEN + 4 + NLMSG_HDRLEN && (flags & NlmF.CAPPED) !== 0 && words[w + 4] === 0 ? 1 : 0;
      off += align4(len);
    }
    return out;
  }
  for (let off = 0, m = 0; off < buf.length; m += HeaderColumn.count) {
    const len = view.getUint32(off, HOST_LITTLE_ENDIAN);
    const type = view.getUint16(off + 4, HOST_LITTLE_ENDIAN);
    const flags = view.getUint16(off + 6, HOST_LITTLE_ENDIAN);
    out[m] = type;
    out[m + 1] = flags;
    out[m + 2] = view.getUint32(off + 8, HOST_LITTLE_ENDIAN);
    out[m + 3] = view.getUint32(off + 12, HOST_LITTLE_ENDIAN);
    out[m + 4] = off + NLMSG_HDRLEN;
    out[m + 5] = off + len;
    out[m + 6] = isBareAckAt(buf, type, flags, off + NLMSG_HDRLEN, off + len) ? 1 : 0;
    off += align4(len);
  }
  return out;
}

/**
 * Requests already encoded back to back (encodeRouteRequests and the like), checked to be whole messages,
 * every one of type `type`: returns how many. A NetlinkEncodeError otherwise.
 */
export function countRequests(buf: Uint8Array, type: number): number {
  const words = hostWords(buf);
  if (words !== undefined) {
    // The common case on words; the loop below says what is wrong with a buffer that is not.
    let count = 0;
    let w = 0;
    while (w < words.length) {
      const len = words[w] as number;
      if (len < NLMSG_HDRLEN || w * 4 + align4(len) > buf.length || ((words[w + 1] as number) & 0xffff) !== type) break;
      w += align4(len) >>> 2;
      count++;
    }
    if (w === words.length) return count;
  }
  const view = viewOf(buf);
  let count = 0;
  for (let off = 0; off < buf.length;) {
    if (buf.length - off < NLMSG_HDRLEN) throw new NetlinkEncodeError(`${buf.length - off} stray bytes after request ${count}, too few for a header`);
    const len = view.getUint32(off, HOST_LITTLE_ENDIAN);
    if (len < NLMSG_HDRLEN || off + align4(len) > buf.length) throw new NetlinkEncodeError(`request ${count}: nlmsg_len ${len} does not fit the buffer`);
    const t = view.getUint16(off + 4, HOST_LITTLE_ENDIAN);
    if (t !== type) throw new NetlinkEncodeError(`request ${count} is of type ${t}, not ${type} as the others`);
    off += align4(len);
    count++;
  }
  return count;
}

/**
 * Numbers requests encoded back to back (countRequests has checked them): sequence numbers from `first`
 * on, and nlmsg_flags `flags` on each. Returns the offset after the last.
 */
export function numberRequests(buf: Uint8Array, first: number, flags: number): number {
  const words = hostWords(buf);
  if (words !== undefined) {
    let w = 0;
    for (let seq = first; w < words.length; seq++) {
      words[w + 1] = (((words[w + 1] as number) & 0xffff) | (flags << 16)) >>> 0;
      words[w + 2] = seq;
      w += align4(words[w] as number) >>> 2;
    }
    return w * 4;
  }
  const view = viewOf(buf);
  let off = 0;
  for (let seq = first; off < buf.length; seq++) {
    view.setUint16(off + 6, flags, HOST_LITTLE_ENDIAN);
    view.setUint32(off + 8, seq, HOST_LITTLE_ENDIAN);
    off += align4(view.getUint32(off, HOST_LITTLE_ENDIAN));
  }
  return off;
}
