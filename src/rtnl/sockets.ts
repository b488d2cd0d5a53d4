/**
 * The sockets of a namespace, read over sock_diag (the netlink protocol `ss` uses): which TCP ports
 * listen there. One NETLINK_SOCK_DIAG socket born inside the namespace, asked as often as needed; no
 * process, and no connection to the server that is listening.
 */
import { closeSocket, netnsPath, openSockets, transact } from '../native/index.js';
import { NslabError } from '../errors.js';
import { NetlinkError } from './error.js';
import {
  decodeAck,
  decodeInetDiagMessage,
  encodeMessages,
  frameMessages,
  IPPROTO_TCP,
  NETLINK_SOCK_DIAG,
  NlmF,
  Nlmsg,
  SOCK_DIAG_BY_FAMILY,
  TcpState,
  encodeInetDiagRequest,
  type InetDiagSocket,
} from '../netlink/index.js';

export type { InetDiagSocket };

/** A sock_diag socket inside one namespace. Close it when done: an open socket keeps its namespace alive. */
export class SocketTable implements Disposable {
  readonly netns: string;
  #fd: number;
  #seq = 0;

  private constructor(netns: string, fd: number) {
    this.netns = netns;
    this.#fd = fd;
  }

  /** Opens the socket inside the named namespace. */
  static async open(netns: string, dir?: string): Promise<SocketTable> {
    const [sock] = await openSockets([netnsPath(netns, dir)], { protocol: NETLINK_SOCK_DIAG, bufBytes: 1 << 20 });
    if (sock === undefined || sock instanceof Error) throw sock ?? new NslabError('NSLAB_INTERNAL', 'openSockets answered nothing');
    return new SocketTable(netns, sock.fd);
  }

  /**
   * The TCP sockets listening in the namespace, IPv4 and IPv6.
   *
   * Equivalent to: ip netns exec NETNS ss -ltn
   */
  async listeningTcp(): Promise<InetDiagSocket[]> {
    if (this.#fd < 0) throw new NslabError('NSLAB_INTERNAL', `the socket table of netns ${this.netns} was used after close()`);
    const first = this.#seq + 1;
    this.#seq += 2;
    const request = encodeMessages(
      ([4, 6] as const).map((family, i) => ({
        type: SOCK_DIAG_BY_FAMILY,
        flags: NlmF.REQUEST | NlmF.DUMP,
        seq: first + i,
        body: encodeInetDiagRequest({ family, protocol: IPPROTO_TCP, states: [TcpState.LISTEN] }),
      })),
    );
    const [answer] = await transact([[this.#fd, request]]);
    if (answer === undefined || answer instanceof Error) throw answer ?? new NslabError('NSLAB_INTERNAL', 'transact answered nothing');
    const sockets: InetDiagSocket[] = [];
    for (const f of frameMessages(answer)) {
      const body = answer.subarray(f.body, f.end);
      if (f.type === SOCK_DIAG_BY_FAMILY) sockets.push(decodeInetDiagMessage(body));
      else if (f.type === Nlmsg.ERROR) {
        const ack = decodeAck(body, f.flags);
        // A kernel without IPv6 refuses that half of the question: the IPv4 half is the answer.
        if (ack.errno !== 0 && f.seq !== first + 1)
          throw new NetlinkError({ errno: ack.errno, operation: 'SOCK_DIAG_BY_FAMILY', object: 'tcp listening sockets', netns: `netns ${this.netns}` });
      }
    }
    return sockets;
  }

  close(): void {
    if (this.#fd < 0) return;
    closeSocket(this.#fd);
    this.#fd = -1;
  }

  [Symbol.dispose](): void {
    this.close();
  }
}
