/**
 * Errors of the codec, and the decoding of the kernel's answers: NLMSG_ERROR (an ACK when errno is 0) and
 * the status int of NLMSG_DONE, both with their extended ACK (extack) TLVs.
 */
import { NslabError } from '../errors.js';
import { HOST_LITTLE_ENDIAN, align4, viewOf } from './bytes.js';
import { NLA_TYPE_MASK, NLMSG_HDRLEN, NlmF, NlmsgerrAttr } from './constants.js';

/**
 * Bytes that do not parse as rtnetlink: a length that runs past its buffer, an attribute of the wrong size.
 * `offset` is the byte offset in the buffer handed to the decoder where the problem starts.
 */
export class NetlinkDecodeError extends NslabError {
  readonly offset: number;
  constructor(what: string, offset: number) {
    super('NSLAB_NETLINK_DECODE', `malformed netlink data at byte ${offset}: ${what}`);
    this.name = 'NetlinkDecodeError';
    this.offset = offset;
  }
}

/**
 * A value that cannot be put on the wire (an address that is not one, a number out of range). This is a bug
 * or an unvalidated input in the caller; nothing was sent. Code NSLAB_NETLINK: the request could not be made.
 */
export class NetlinkEncodeError extends NslabError {
  constructor(what: string) {
    super('NSLAB_NETLINK_ENCODE', `cannot encode netlink request: ${what}`);
    this.name = 'NetlinkEncodeError';
  }
}

/** The nlmsghdr of a request, as an NLMSG_ERROR echoes it. */
export interface EchoedHeader {
  /** nlmsg_len of the request as sent (the whole request, even when its payload was not echoed). */
  len: number;
  type: number;
  flags: number;
  seq: number;
  pid: number;
}

/** Extended ACK: what the kernel says besides the errno (NETLINK_EXT_ACK, on by default since Linux 4.20). */
export interface Extack {
  /** NLMSGERR_ATTR_MSG: human text, e.g. "Unknown device type". */
  message?: string;
  /** NLMSGERR_ATTR_OFFS: byte offset, in the request message, of the attribute the kernel objects to. */
  offset?: number;
  /** NLMSGERR_ATTR_MISS_TYPE: the attribute type that is missing. */
  missingType?: number;
  /** NLMSGERR_ATTR_MISS_NEST: offset of the nest the missing attribute belongs in. */
  missingNestOffset?: number;
}

/** A decoded NLMSG_ERROR body. */
export interface Ack extends Extack {
  /** Positive errno (17 for EEXIST); 0 means the request succeeded (an ACK). */
  errno: number;
  requestHeader: EchoedHeader;
  /** The echoed request payload (after its header), present unless the reply is capped. */
  requestPayload?: Uint8Array;
}

function need(body: Uint8Array, start: number, len: number, what: string): void {
  if (start + len > body.length) {
    throw new NetlinkDecodeError(`${what} needs ${len} bytes, only ${Math.max(0, body.length - start)} left`, start);
  }
}

/** Decodes NLMSGERR_ATTR_* TLVs from `start` to the end of `body`. Unknown TLVs are skipped. */
function decodeExtack(body: Uint8Array, start: number): Extack {
  const view = viewOf(body);
  const out: Extack = {};
  let off = start;
  while (off < body.length) {
    need(body, off, 4, 'extack attribute header');
    const len = view.getUint16(off, HOST_LITTLE_ENDIAN);
    const type = view.getUint16(off + 2, HOST_LITTLE_ENDIAN) & NLA_TYPE_MASK;
    if (len < 4) throw new NetlinkDecodeError(`extack attribute length ${len} is below 4`, off);
    need(body, off, len, `extack attribute ${type}`);
    const payload = body.subarray(off + 4, off + len);
    const u32 = (name: string): number => {
      if (payload.length !== 4) throw new NetlinkDecodeError(`extack ${name} has ${payload.length} bytes, expected 4`, off);
      return viewOf(payload).getUint32(0, HOST_LITTLE_ENDIAN);
    };
    switch (type) {
      case NlmsgerrAttr.MSG: {
        const nul = payload.indexOf(0);
        out.message = Buffer.from(payload.subarray(0, nul === -1 ? payload.length : nul)).toString('utf8');
        break;
      }
      case NlmsgerrAttr.OFFS:
        out.offset = u32('offset');
        break;
      case NlmsgerrAttr.MISS_TYPE:
        out.missingType = u32('missing type');
        break;
      case NlmsgerrAttr.MISS_NEST:
        out.missingNestOffset = u32('missing nest');
        break;
      default:
        break; // COOKIE, POLICY: not needed to report an error
    }
    off += align4(len);
  }
  return out;
}

/**
 * Decodes the body of an NLMSG_ERROR: struct nlmsgerr (int error; struct nlmsghdr msg) and what follows.
 * Pass the NLMSG_ERROR message's own flags: NLM_F_CAPPED says only the request header is echoed (always so
 * for ACKs, and for errors with NETLINK_CAP_ACK), NLM_F_ACK_TLVS says extack TLVs follow. Without flags the
 * layout is inferred from the echoed nlmsg_len (an uncapped echo fills it exactly).
 */
export function decodeAck(body: Uint8Array, flags?: number): Ack {
  need(body, 0, 4 + NLMSG_HDRLEN, 'struct nlmsgerr');
  const view = viewOf(body);
  const error = view.getInt32(0, HOST_LITTLE_ENDIAN);
  const requestHeader: EchoedHeader = {
    len: view.getUint32(4, HOST_LITTLE_ENDIAN),
    type: view.getUint16(8, HOST_LITTLE_ENDIAN),
    flags: view.getUint16(10, HOST_LITTLE_ENDIAN),
    seq: view.getUint32(12, HOST_LITTLE_ENDIAN),
    pid: view.getUint32(16, HOST_LITTLE_ENDIAN),
  };
  if (error > 0) throw new NetlinkDecodeError(`NLMSG_ERROR carries a positive error ${error}`, 0);
  const echoedPayloadLen = Math.max(0, requestHeader.len - NLMSG_HDRLEN);
  const capped = flags !== undefined ? (flags & NlmF.CAPPED) !== 0 : 4 + NLMSG_HDRLEN + echoedPayloadLen > body.length || echoedPayloadLen === 0;
  const ack: Ack = { errno: error === 0 ? 0 : -error, requestHeader };
  let off = 4 + NLMSG_HDRLEN;
  if (!capped && echoedPayloadLen > 0) {
    need(body, off, echoedPayloadLen, 'echoed request payload');
    ack.requestPayload = new Uint8Array(body.subarray(off, off + echoedPayloadLen));
    off += align4(echoedPayloadLen);
  }
  const tlvs = flags !== undefined ? (flags & NlmF.ACK_TLVS) !== 0 : off < body.length;
  if (tlvs && off < body.length) Object.assign(ack, decodeExtack(body, off));
  return ack;
}

/** A decoded NLMSG_DONE body: 0, or a negative errno when the dump itself failed. */
export interface DumpDone extends Extack {
  /** Positive errno, 0 for a dump that completed. */
  errno: number;
}

/** Decodes the body of NLMSG_DONE (an int, then extack TLVs when flags carry NLM_F_ACK_TLVS). */
export function decodeDone(body: Uint8Array, flags = 0): DumpDone {
  if (body.length === 0) return { errno: 0 }; // very old kernels send no int at all
  need(body, 0, 4, 'NLMSG_DONE status');
  const error = viewOf(body).getInt32(0, HOST_LITTLE_ENDIAN);
  if (error > 0) throw new NetlinkDecodeError(`NLMSG_DONE carries a positive status ${error}`, 0);
  const done: DumpDone = { errno: error === 0 ? 0 : -error };
  if ((flags & NlmF.ACK_TLVS) !== 0 && body.length > 4) Object.assign(done, decodeExtack(body, 4));
  return done;
}
