import { NslabError } from '../errors.js';
import { errnoDescription, errnoName } from '../netlink/index.js';

/** What to do next, for the errnos people meet. */
const HINTS: Record<string, string> = {
  EPERM: 'nslab needs root (CAP_NET_ADMIN in the namespace)',
  EEXIST: 'something by that name or address already exists there; `nslab status` shows what the lab has',
  ENODEV: 'no such interface in that namespace; check the interface name',
  EADDRNOTAVAIL: 'that address is not on the interface',
  ENETUNREACH: 'the gateway is not in any connected subnet of that namespace: add an address in its subnet first',
  EOPNOTSUPP: 'this kernel does not support it (a missing module or config option)',
  ENOTSUP: 'this kernel does not support it (a missing module or config option)',
  EBUSY: 'the kernel says it is in use (an interface index or name taken?)',
};

/**
 * The kernel refused a netlink request. Reads like
 * `RTM_NEWLINK veth red:rveth<->green:gveth in netns red: File exists (EEXIST): <kernel text>; <hint>`.
 */
export class NetlinkError extends NslabError {
  /** Positive errno, as the kernel returned it negated. */
  readonly errno: number;
  readonly errnoName: string;
  /** The kernel's extended ACK text, when it sent one. */
  readonly kernelMessage: string | undefined;
  readonly operation: string;
  readonly object: string;
  readonly netns: string;

  constructor(args: { errno: number; operation: string; object: string; netns: string; kernelMessage?: string | undefined }) {
    const name = errnoName(args.errno);
    const hint = HINTS[name];
    const kernel = args.kernelMessage !== undefined && args.kernelMessage !== '' ? `: ${args.kernelMessage}` : '';
    super(
      'NSLAB_NETLINK',
      `${args.operation} ${args.object} in ${args.netns}: ${errnoDescription(args.errno)} (${name})${kernel}${hint !== undefined ? `; ${hint}` : ''}`,
    );
    this.name = 'NetlinkError';
    this.errno = args.errno;
    this.errnoName = name;
    this.kernelMessage = args.kernelMessage;
    this.operation = args.operation;
    this.object = args.object;
    this.netns = args.netns;
  }
}
