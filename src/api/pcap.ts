/**
 * A pcap stream read as it arrives (the classic libpcap file format that `tcpdump -w -` writes): the
 * 24-byte global header, then for each packet a 16-byte record header and the bytes captured. Reads both
 * byte orders and both time resolutions (microseconds, and nanoseconds with the magic 0xa1b23c4d).
 */
import { NslabError } from '../errors.js';

export interface PcapPacket {
  /** When the packet was captured, in seconds since the epoch (microsecond or nanosecond precision). */
  time: number;
  /** Its length on the wire; `data` may be shorter (the snapshot length). */
  length: number;
  /** The bytes captured, from the link-layer header on. */
  data: Uint8Array;
}

const MAGIC_US = 0xa1b2c3d4;
const MAGIC_NS = 0xa1b23c4d;

export class PcapReader {
  #pending: Buffer = Buffer.alloc(0);
  #little = true;
  #nano = false;
  /** The link-layer type (1 Ethernet, 276 Linux cooked v2 for `-i any`), once the header is read. */
  linkType: number | undefined;

  /** Feeds bytes; returns the packets they complete. */
  push(chunk: Uint8Array): PcapPacket[] {
    this.#pending = this.#pending.length === 0 ? Buffer.from(chunk) : Buffer.concat([this.#pending, chunk]);
    const out: PcapPacket[] = [];
    let at = 0;
    const buf = this.#pending;
    if (this.linkType === undefined) {
      if (buf.length < 24) return out;
      const le = buf.readUInt32LE(0);
      const be = buf.readUInt32BE(0);
      if (le === MAGIC_US || le === MAGIC_NS) this.#little = true;
      else if (be === MAGIC_US || be === MAGIC_NS) this.#little = false;
      else throw new NslabError('NSLAB_CAPTURE', `the capture is not a pcap stream (it starts with 0x${buf.subarray(0, 4).toString('hex')})`);
      this.#nano = (this.#little ? le : be) === MAGIC_NS;
      this.linkType = this.#u32(buf, 20) & 0x0fffffff;
      at = 24;
    }
    while (buf.length - at >= 16) {
      const captured = this.#u32(buf, at + 8);
      if (buf.length - at - 16 < captured) break;
      const seconds = this.#u32(buf, at);
      const fraction = this.#u32(buf, at + 4);
      out.push({
        time: seconds + fraction / (this.#nano ? 1e9 : 1e6),
        length: this.#u32(buf, at + 12),
        data: new Uint8Array(buf.subarray(at + 16, at + 16 + captured)),
      });
      at += 16 + captured;
    }
    this.#pending = buf.subarray(at);
    return out;
  }

  #u32(buf: Buffer, at: number): number {
    return this.#little ? buf.readUInt32LE(at) : buf.readUInt32BE(at);
  }
}
