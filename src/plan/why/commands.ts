/**
 * The commands `nslab why` proposes, as a person types them: each model change it tried as the `ip` (or
 * `nslab`) command that makes it. (A change of `nslab up`'s plan is said as the op table says it.)
 */
import { isIP } from 'node:net';
import { cidrText } from '../ip.js';
import { shellArg } from '../shell-quote.js';
import type { ModelChange, NetModel } from './model.js';

/** The protocol `ip route add` gives a route when it names none. */
const BOOT_PROTOCOL = 3;

function ipIn(netns: string, six = false): string {
  return `ip ${six ? '-6 ' : ''}-n ${shellArg(netns)}`;
}

/** `10.3.0.18/31 via 10.3.0.3 dev eth1 proto 77`: the tail of `ip route add|del`. */
function routeWords(r: { to: string; via?: string; dev?: string; metric?: number | undefined; protocol: number; src?: string }): string {
  const words = [r.to];
  if (r.via !== undefined) words.push('via', r.via);
  if (r.dev !== undefined) words.push('dev', shellArg(r.dev));
  if (r.metric !== undefined) words.push('metric', String(r.metric));
  if (r.protocol !== BOOT_PROTOCOL) words.push('proto', String(r.protocol));
  if (r.src !== undefined) words.push('src', r.src);
  return words.join(' ');
}

/** The command that makes one model change, or undefined where none does it alone. */
export function commandOf(m: NetModel, c: ModelChange): string | undefined {
  const netns = (node: string): string => m.nodes[node]?.netns ?? node;
  switch (c.change) {
    case 'link.set':
      return c.up === true && c.master === undefined ? `${ipIn(netns(c.node))} link set dev ${shellArg(c.ifname)} up` : undefined;
    case 'addr.add':
      return `${ipIn(netns(c.node))} addr add ${cidrText(c.cidr)} dev ${shellArg(c.ifname)}${c.cidr.family === 6 ? ' nodad' : ''}`;
    case 'addr.del':
      return `${ipIn(netns(c.node))} addr del ${cidrText(c.cidr)} dev ${shellArg(c.ifname)}`;
    case 'route.add': {
      // The metric only when it is not the one `ip route add` gives anyway.
      const r = c.route;
      const words = routeWords({ ...r, metric: r.metric === (r.family === 4 ? 0 : 1024) ? undefined : r.metric });
      return `${ipIn(netns(c.node), r.family === 6 && r.to === 'default')} route ${c.replace === true ? 'replace' : 'add'} ${words}`;
    }
    case 'route.del': {
      const r = c.route;
      const usual = r.family === 4 ? 0 : r.protocol === 2 ? 256 : 1024;
      const words = routeWords({ ...r, metric: r.metric === usual ? undefined : r.metric });
      return `${ipIn(netns(c.node), r.family === 6 && r.to === 'default')} route del ${r.type !== 'unicast' ? `${r.type} ` : ''}${words}`;
    }
    case 'forwarding':
      return `ip netns exec ${shellArg(netns(c.node))} sysctl -qw ${c.family === 4 ? 'net.ipv4.ip_forward' : 'net.ipv6.conf.all.forwarding'}=${c.on ? 1 : 0}`;
    case 'rp_filter':
      return `ip netns exec ${shellArg(netns(c.node))} sysctl -qw net/ipv4/conf/all/rp_filter=${c.mode} ${shellArg(`net/ipv4/conf/${c.ifname}/rp_filter=${c.mode}`)}`;
    case 'neigh.del':
      return c.address !== undefined
        ? `${ipIn(netns(c.node))} neigh del ${c.address} dev ${shellArg(c.ifname)}`
        : `${ipIn(netns(c.node))} neigh flush dev ${shellArg(c.ifname)}`;
    case 'netns.add':
    case 'netns.del':
    case 'veth.add':
    case 'veth.del':
    case 'bridge.add':
      return undefined;
  }
}

/** `nslab link set NODE:IFNAME up --lab LAB`. */
export function linkUpCommand(lab: string, node: string, ifname: string): string {
  return `nslab link set ${shellArg(`${node}:${ifname}`)} up --lab ${shellArg(lab)}`;
}

/** `{ to: 10.10.1.2/32, dev: gveth }`: a route as the topology file writes it. */
export function routeYaml(r: { to: string; via?: string; dev?: string }): string {
  return `{ to: ${r.to}${r.via !== undefined ? `, via: ${r.via}` : ''}${r.dev !== undefined ? `, dev: ${r.dev}` : ''} }`;
}

/** `10.3.0.19` -> `10.3.0.19/32`: a route to one address. */
export function hostRoute(address: string): string {
  return `${address}/${isIP(address) === 6 ? 128 : 32}`;
}
