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

/** A whole message: header with nlmsg_len computed, then `body`, padded to 4 bytes. */
export function encodeMessage(header: MessageHeader, body: Uint8Array): Buffer {
  checkU(header.type, 0xffff, 'nlmsg_type');
  checkU(header.flags, 0xffff, 'nlmsg_flags');
  checkU(header.seq, 0xffffffff, 'nlmsg_seq');
  checkU(header.pid ?? 0, 0xffffffff, 'nlmsg_pid');
  const len = NLMSG_HDRLEN + body.length;
  const out = Buffer.alloc(align4(len));
  putU32(out, 0, len);
  putU16(out, 4, header.type);
  putU16(out, 6, header.flags);
  putU32(out, 8, header.seq);
  putU32(out, 12, header.pid ?? 0);
  out.set(body, NLMSG_HDRLEN);
  return out;
}

/** Splits one datagram into its messages, checking every nlmsg_len against the datagram. */
export function decodeMessages(buf: Uint8Array): NetlinkMessage[] {
  const out: NetlinkMessage[] = [];
  const view = viewOf(buf);
  let off = 0;
  while (off < buf.length) {
    if (buf.length - off < NLMSG_HDRLEN) {
      throw new NetlinkDecodeError(`${buf.length - off} stray bytes after the last message, too few for a 16-byte header`, off);
    }
    const len = view.getUint32(off, HOST_LITTLE_ENDIAN);
    if (len < NLMSG_HDRLEN) throw new NetlinkDecodeError(`nlmsg_len ${len} is below the 16-byte header`, off);
    if (off + len > buf.length) throw new NetlinkDecodeError(`nlmsg_len ${len} runs past the end of the datagram (${buf.length - off} left)`, off);
    out.push({
      type: view.getUint16(off + 4, HOST_LITTLE_ENDIAN),
      flags: view.getUint16(off + 6, HOST_LITTLE_ENDIAN),
      seq: view.getUint32(off + 8, HOST_LITTLE_ENDIAN),
      pid: view.getUint32(off + 12, HOST_LITTLE_ENDIAN),
      body: copyBytes(buf, off + NLMSG_HDRLEN, off + len),
    });
    off += align4(len);
  }
  return out;
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
