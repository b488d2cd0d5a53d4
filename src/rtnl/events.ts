/**
 * Live events from a namespace through rtnetlink multicast groups (no polling): links appearing,
 * changing and going, addresses added and removed. The live views subscribe to these.
 */
import { closeSocket, openSockets, watch } from '../native/index.js';
import { decodeAddr, decodeLink, decodeMessages, Rtm, Rtnlgrp } from '../netlink/index.js';
import { toAddress, type Address } from './addr.js';
import { toLink, type Link } from './link.js';
import { NslabError } from '../errors.js';

export type EventGroup = 'link' | 'ipv4-addr' | 'ipv6-addr';

export type RtnlEvent = { type: 'link-new' | 'link-del'; link: Link } | { type: 'addr-new' | 'addr-del'; address: Address };

export interface Subscription {
  close(): void;
}

const GROUPS: Record<EventGroup, number> = { link: Rtnlgrp.LINK, 'ipv4-addr': Rtnlgrp.IPV4_IFADDR, 'ipv6-addr': Rtnlgrp.IPV6_IFADDR };

export async function subscribe(
  path: string,
  where: string,
  groups: readonly EventGroup[],
  onEvent: (event: RtnlEvent) => void,
  onError: (error: Error) => void,
  onClose: () => void,
): Promise<Subscription> {
  const mask = groups.reduce((m, g) => m | (1 << (GROUPS[g] - 1)), 0);
  const [sock] = await openSockets([path], { groups: mask, bufBytes: 1 << 20 });
  if (sock === undefined || sock instanceof Error) throw sock ?? new NslabError('NSLAB_NATIVE', `no socket for events in ${where}`);
  const stop = watch(
    sock.fd,
    (data) => {
      try {
        for (const m of decodeMessages(data)) {
          if (m.type === Rtm.NEWLINK || m.type === Rtm.DELLINK)
            onEvent({ type: m.type === Rtm.NEWLINK ? 'link-new' : 'link-del', link: toLink(decodeLink(m.body)) });
          else if (m.type === Rtm.NEWADDR || m.type === Rtm.DELADDR)
            onEvent({ type: m.type === Rtm.NEWADDR ? 'addr-new' : 'addr-del', address: toAddress(decodeAddr(m.body)) });
        }
      } catch (e) {
        onError(e instanceof Error ? e : new NslabError('NSLAB_INTERNAL', String(e)));
      }
    },
    onError,
  );
  let closed = false;
  return {
    close() {
      if (closed) return;
      closed = true;
      stop();
      closeSocket(sock.fd);
      onClose();
    },
  };
}
