/**
 * Labs for the pure tests of `nslab why`: the examples as files, and a model turned into what the engine
 * observes of it, so the planner can say what `nslab up` would change.
 */
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { plan } from '../../../src/plan/plan.js';
import type { ObservedLab, ObservedLink, Op } from '../../../src/plan/types.js';
import { RTPROT_NSLAB } from '../../../src/plan/marks.js';
import type { NetModel } from '../../../src/plan/why/model.js';
import { parseTopology } from '../../../src/topology/index.js';
import type { ResolvedLab, ResolvedRoute } from '../../../src/topology/types.js';
import { isLinkLocal6 } from '../../../src/plan/ip.js';

const EXAMPLES = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..', 'examples');

export function example(file: string): ResolvedLab {
  return parseTopology(readFileSync(join(EXAMPLES, file), 'utf8'), { file });
}

export function labOf(text: string): ResolvedLab {
  return parseTopology(text);
}

/** What the engine would observe of a model: nslab's routes, the planned sysctls, links with their peers and shaping. */
export function observedOf(lab: ResolvedLab, m: NetModel): ObservedLab {
  const observed: ObservedLab = { namespaces: {}, processes: [] };
  const shaping = new Map(lab.links.flatMap((l) => [l.a, l.b]).map((e) => [`${e.node}:${e.ifname}`, e.shaping]));
  for (const node of Object.values(m.nodes)) {
    if (!node.present) continue;
    const links: ObservedLink[] = node.links
      .filter((l) => l.kind !== 'loopback')
      .map((l) => {
        const peer = l.peer !== undefined ? m.nodes[l.peer.node] : undefined;
        const link: ObservedLink = {
          ifname: l.ifname,
          kind: l.kind,
          up: l.up,
          mtu: 1500,
          addresses: l.addresses.filter((c) => !(c.family === 6 && isLinkLocal6(c.address))),
        };
        if (peer !== undefined && l.peer !== undefined) link.peer = { netns: peer.netns, ifname: l.peer.ifname };
        if (l.master !== undefined) link.master = l.master;
        const shaped = shaping.get(`${node.name}:${l.ifname}`);
        if (shaped !== undefined) link.shaping = shaped;
        return link;
      });
    const routes: ResolvedRoute[] = node.routes
      .filter((r) => r.protocol === RTPROT_NSLAB)
      .map((r) => {
        const [address = '', length = '0'] = r.to.split('/');
        const route: ResolvedRoute = { family: r.family, to: r.to === 'default' ? 'default' : { family: r.family, address, prefixLength: Number(length) } };
        if (r.via !== undefined) route.via = r.via;
        if (r.dev !== undefined) route.dev = r.dev;
        if (r.metric !== (r.family === 6 ? 1024 : 0)) route.metric = r.metric;
        return route;
      });
    observed.namespaces[node.netns] = {
      node: node.name,
      links,
      routes,
      sysctls: {
        'net/ipv4/ip_forward': node.forwarding[4] ? '1' : '0',
        'net/ipv6/conf/all/forwarding': node.forwarding[6] ? '1' : '0',
        'net/ipv6/conf/default/accept_dad': '0',
        'net/ipv6/conf/all/accept_dad': '0',
      },
    };
  }
  return observed;
}

/** The plan `nslab up` would run against the model. */
export function upOps(lab: ResolvedLab, m: NetModel): Op[] {
  return plan(lab, observedOf(lab, m)).ops;
}
