/**
 * Why a ping fails, and what fixes it. Walks the echo request and its reply through the kernel's network
 * (a NetModel read from it); where the walk stops, compares with the network the file describes to name
 * the real cause (a route missing because its device went down is the device's fault, not the route's);
 * then proposes only what it has checked: each fix is applied to a copy of the model and the ping walked
 * again, both ways, so a next hop that sends the packet back, or any other loop, is never proposed. When
 * the kernel has drifted from the file, `nslab up FILE` comes first (checked the same way, by applying the
 * plan `up` would run). Pure.
 */
import { isIP } from 'node:net';
import { RTPROT_NSLAB } from '../marks.js';
import type { Cidr, Family, ResolvedEndpoint, ResolvedLab } from '../../topology/types.js';
import { listWords } from '../../topology/bounded.js';
import { addressValue, netContains, netText } from '../../topology/ip-math.js';
import { canonicalIp, cidrText, isLinkLocal6 } from '../ip.js';
import type { Op } from '../types.js';
import { shellArg } from '../shell-quote.js';
import { describe, explain } from '../ops/index.js';
import { commandOf, hostRoute, linkUpCommand, routeYaml } from './commands.js';
import {
  applyChanges,
  applyPlan,
  cidrHolds,
  findLink,
  ModelRefusal,
  requestOf,
  routeNet,
  changesOf,
  subnetText,
  type EndName,
  type ModelChange,
  type ModelRoute,
  type NetModel,
} from './model.js';
import { answering, lookup, probe, routeText, segmentOf, type Blocked, type Probe, type Walk } from './walk.js';
import { routesOf } from '../../topology/routing.js';

/** The protocol `ip route add` gives a route when it names none. */
const BOOT_PROTOCOL = 3;

export type WhyCauseKind =
  /** A node's namespace does not exist. */
  | 'namespace-gone'
  /** An interface of the lab does not exist. */
  | 'interface-gone'
  /** An interface is down (this end, the far end, a bridge's port or the bridge). */
  | 'interface-down'
  | 'forwarding-off'
  /** An address is not the file's, and not in the subnet its link is in. */
  | 'wrong-subnet'
  /** An address is not the file's, though in its subnet, or missing. */
  | 'address-changed'
  /** Nobody answers the ARP or neighbour solicitation for the next hop. */
  | 'no-neighbour'
  | 'no-route'
  /** A blackhole, unreachable or prohibit route. */
  | 'route-drops'
  | 'loop'
  /** The reverse path filter drops the packet. */
  | 'reverse-path'
  | 'no-source'
  /** A node's host (a lab over several machines) does not answer: the machine is down or cut off. */
  | 'host-gone'
  /** Something nslab does not model: it says so rather than guess. */
  | 'unknown';

export interface WhyCause {
  /** What kind of thing is in the way. */
  kind: WhyCauseKind;
  /** Where it is: the node... */
  node: string;
  /** ...and its interface, when it is one. */
  ifname?: string;
  /** One sentence that says it. */
  text: string;
}

export interface WhyAdvice {
  /** `up`: re-run `nslab up FILE`, which restores the file's network; `command`: one command; `file`: a change to the file. */
  kind: 'up' | 'command' | 'file';
  /** The command, to run as it is (absent for a change to the file, or a lab that came from no file). */
  command?: string;
  /** What it does, in words. */
  text: string;
}

export interface WhyInput {
  /** The lab as last applied (the file's network). */
  lab: ResolvedLab;
  /** The network as the kernel has it. */
  kernel: NetModel;
  /** The network the file describes (modelOfLab). */
  file: NetModel;
  /** The plan `nslab up` of the file would run now: empty when the kernel matches the file. */
  upOps: readonly Op[];
  /** Why `nslab up` would refuse to run (what the lab's namespaces hold that nslab did not make), if it would. */
  upRefused?: readonly string[];
  /** `nslab up FILE`, when the lab came from a file. */
  upCommand?: string;
  from: string;
  address: string;
  /** The target as named: a node, or the address's owner, or the address. */
  to: string;
  /**
   * For a node whose routes come from its FRR daemons and that lacks one: what its daemons say, ending with
   * what to do (still converging, or converged with no way there). Read by the engine; nslab does not
   * model the protocols.
   */
  routing?: Readonly<Record<string, string>>;
  /**
   * In a lab over several machines, the nodes whose host did not answer (their model is absent): the host,
   * how it is reached, and what ssh said.
   */
  hostsGone?: Readonly<Record<string, HostGone>>;
}

/** A host of a lab over several machines that did not answer. */
export interface HostGone {
  host: string;
  ssh: string;
  /** What went wrong, as one sentence (ssh's words). */
  reason: string;
}

export interface Diagnosis {
  reaches: boolean;
  probe: Probe;
  cause?: WhyCause;
  advice: WhyAdvice[];
  /** What `nslab up` would change, in words. */
  drift: string[];
  verdict: string;
}

/** A fix to try: the changes it makes in the model, and how a person makes them. */
interface Candidate {
  changes: ModelChange[];
  command: string;
  text: string;
  /** The change to the file that keeps it, when the file itself lacks it. */
  file?: string;
}

const same = (x: EndName | undefined, y: EndName | undefined): boolean => x !== undefined && y !== undefined && x.node === y.node && x.ifname === y.ifname;
const endText = (e: EndName): string => `${e.node}:${e.ifname}`;
const usable = (c: Cidr, family: Family): boolean => c.family === family && !(family === 6 && isLinkLocal6(c.address));

/** `10.3.1.19/31 (subnet 10.3.1.18/31)`, or `no IPv4 address`. */
function withSubnets(cidrs: Cidr[], family: Family): string {
  if (cidrs.length === 0) return `no IPv${family} address`;
  return cidrs.map((c) => (c.prefixLength === (family === 4 ? 32 : 128) ? cidrText(c) : `${cidrText(c)} (subnet ${subnetText(c)})`)).join(', ');
}

/**
 * `a, b and c`, or `a, b, c ... and 3 more`: the one bounded list of every message (topology/bounded.ts),
 * with why's own sentences (routes, neighbours to forget) kept whole.
 */
function shortList(items: string[], max = 3): string {
  return listWords(items, max, Infinity);
}

class Diagnoser {
  readonly #in: WhyInput;
  readonly #family: Family;

  constructor(input: WhyInput) {
    this.#in = input;
    this.#family = isIP(input.address) === 6 ? 6 : 4;
  }

  get #kernel(): NetModel {
    return this.#in.kernel;
  }

  get #file(): NetModel {
    return this.#in.file;
  }

  #present(node: string): boolean {
    return this.#kernel.nodes[node]?.present === true;
  }

  #fileEnd(end: EndName): ResolvedEndpoint | undefined {
    return this.#in.lab.links.flatMap((l) => [l.a, l.b]).find((e) => e.node === end.node && e.ifname === end.ifname);
  }

  /** The end that holds `address` in the file. */
  #fileOwner(address: string): EndName | undefined {
    const a = canonicalIp(address);
    const end = this.#in.lab.links.flatMap((l) => [l.a, l.b]).find((e) => e.addresses.some((c) => canonicalIp(c.address) === a));
    return end !== undefined ? { node: end.node, ifname: end.ifname } : undefined;
  }

  /** ` (h4's address)`. */
  #whose(address: string): string {
    const owner = this.#fileOwner(address);
    return owner !== undefined ? ` (${owner.node}'s address)` : '';
  }

  /**
   * How an end's addresses of the family differ from the file's, in words, and the kind of cause that is:
   * `wrong-subnet` when one is outside every subnet the file gives the end. Undefined when they do not differ.
   */
  #addressChange(end: EndName): { text: string; kind: 'wrong-subnet' | 'address-changed' } | undefined {
    const fileEnd = this.#fileEnd(end);
    const link = findLink(this.#kernel, end);
    if (fileEnd === undefined || link === undefined) return undefined;
    const family = this.#family;
    const has = link.addresses.filter((c) => usable(c, family));
    const want = fileEnd.addresses.filter((c) => usable(c, family));
    const key = (cs: Cidr[]): string => cs.map(cidrText).sort().join(' ');
    if (key(has) === key(want)) return undefined;
    const subnets = new Set(want.map(subnetText));
    const kind = has.some((c) => !subnets.has(subnetText(c))) ? 'wrong-subnet' : 'address-changed';
    return { text: `${endText(end)} has ${withSubnets(has, family)} where the file gives it ${withSubnets(want, family)}`, kind };
  }

  /** `the ARP request` or `the neighbour solicitation`. */
  get #asking(): string {
    return this.#family === 4 ? 'ARP request' : 'neighbour solicitation';
  }

  /** ` (its neighbour entry for 10.3.0.19 on eth2 is failed)`, when the kernel has one that is not good. */
  #neighbourEvidence(node: string, ifname: string, address: string): string {
    const a = canonicalIp(address);
    const entry = this.#kernel.nodes[node]?.neighbours.find((n) => n.ifname === ifname && canonicalIp(n.address) === a);
    if (entry === undefined || !/failed|incomplete/.test(entry.state)) return '';
    return ` (${node}'s neighbour entry for ${a} on ${ifname} is ${entry.state}: no answer came)`;
  }

  #gone(node: string, tail = ''): { cause: WhyCause; fixes: Candidate[] } {
    const host = this.#in.hostsGone?.[node];
    if (host !== undefined)
      return {
        cause: {
          kind: 'host-gone',
          node,
          text: `host ${host.host}, where ${node} runs, does not answer${tail} (${host.reason}); a cable to a dead host keeps its carrier, and what is sent into it is lost without an error`,
        },
        fixes: [],
      };
    const netns = this.#kernel.nodes[node]?.netns ?? node;
    return { cause: { kind: 'namespace-gone', node, text: `${node}'s namespace ${netns} is gone${tail}` }, fixes: [] };
  }

  /** `nslab link set NODE:IF up`: the link up, and the node's routes of the file put back (as setLink does). */
  #linkUp(end: EndName): Candidate[] {
    if (this.#fileEnd(end) === undefined) return [];
    const fileNode = this.#in.lab.nodes.find((n) => n.name === end.node);
    const routes = fileNode === undefined ? [] : routesOf(this.#in.lab, fileNode);
    const changes: ModelChange[] = [
      { change: 'link.set', node: end.node, ifname: end.ifname, up: true },
      ...routes.map((r): ModelChange => ({ change: 'route.add', node: end.node, route: requestOf(r), replace: true })),
    ];
    const plain: ModelChange = { change: 'link.set', node: end.node, ifname: end.ifname, up: true };
    return [
      { changes, command: linkUpCommand(this.#in.lab.name, end.node, end.ifname), text: `brings ${endText(end)} up and puts back ${end.node}'s routes` },
      { changes: [plain], command: commandOf(this.#kernel, plain) ?? '', text: `brings ${endText(end)} up` },
    ];
  }

  /** Why frames stop where they do: the namespace, the interface gone, or down. */
  #blocked(b: Blocked, from: string): { cause: WhyCause; fixes: Candidate[] } {
    const at = endText(b.at);
    if (b.reason === 'namespace-gone') return this.#gone(b.at.node, `, and with it ${at}, the other end of ${from}`);
    if (b.reason === 'gone')
      return { cause: { kind: 'interface-gone', node: b.at.node, ifname: b.at.ifname, text: `${at}, the other end of ${from}, is gone` }, fixes: [] };
    const node = this.#kernel.nodes[b.at.node];
    const link = findLink(this.#kernel, b.at);
    const what =
      link?.kind === 'bridge'
        ? `the bridge ${at}, which ${from} is on, is down`
        : node?.kind === 'bridge' && b.behind !== undefined && link?.master !== undefined
          ? `${at}, the port of ${node.name}'s bridge that ${endText(b.behind)} is cabled to, is down`
          : `${at}, the other end of ${from}, is down`;
    return { cause: { kind: 'interface-down', node: b.at.node, ifname: b.at.ifname, text: what }, fixes: this.#linkUp(b.at) };
  }

  /** The routes nslab could add at `node` toward `address`: straight out of an interface that reaches it, or via a router on one. */
  #routeFixes(node: string, address: string): Candidate[] {
    const family = this.#family;
    const k = this.#kernel.nodes[node];
    if (k === undefined) return [];
    const value = addressValue(address);
    const subnet = (this.#in.lab.subnets ?? [])
      .map((s) => routeNet({ family: s.family, to: s.cidr }))
      .filter((n) => n.family === family && netContains(n, value))
      .sort((x, y) => y.prefixLength - x.prefixLength)[0];
    const to = subnet !== undefined ? netText(subnet) : hostRoute(address);
    const out: Candidate[] = [];
    const add = (dev: string, dest: string, via?: string, by?: string): void => {
      const route = { family, to: dest, dev, protocol: BOOT_PROTOCOL, ...(via !== undefined ? { via } : {}) };
      const change: ModelChange = { change: 'route.add', node, route };
      out.push({
        changes: [change],
        command: commandOf(this.#kernel, change) ?? '',
        text: `gives ${node} a route to ${dest}${via !== undefined ? ` via ${via}${by !== undefined ? ` (${by})` : ''}` : ` out of ${dev}`}`,
        file: `add ${routeYaml(via !== undefined ? { to: dest, via } : { to: dest, dev })} to ${node}'s routes in the file`,
      });
    };
    for (const link of k.links) {
      if (!link.up || link.kind === 'loopback') continue;
      const seg = segmentOf(this.#kernel, { node, ifname: link.ifname });
      if (answering(this.#kernel, seg, address, family) !== undefined) add(link.ifname, hostRoute(address));
      for (const end of seg.ends) {
        if (this.#kernel.nodes[end.node]?.forwarding[family] !== true) continue;
        for (const c of findLink(this.#kernel, end)?.addresses ?? []) {
          if (usable(c, family) && link.addresses.some((mine) => usable(mine, family) && cidrHolds(mine, c.address)))
            add(link.ifname, to, canonicalIp(c.address), end.node);
        }
      }
    }
    return out;
  }

  #noRoute(node: string, address: string): { cause: WhyCause; fixes: Candidate[] } {
    const f = this.#file.nodes[node];
    const fr = f?.present === true ? lookup(f, address, this.#family) : undefined;
    if (fr?.dev !== undefined && fr.type === 'unicast') {
      const end = { node, ifname: fr.dev };
      const link = findLink(this.#kernel, end);
      const route = `${node}'s route ${routeText(fr)}`;
      if (link === undefined) {
        const far = findLink(this.#file, end)?.peer;
        if (far !== undefined && !this.#present(far.node))
          return this.#gone(far.node, `, and with it ${endText(end)}, the end of their cable, and ${route} to ${address}`);
        return { cause: { kind: 'interface-gone', node, ifname: fr.dev, text: `${endText(end)} is gone, and with it ${route} to ${address}` }, fixes: [] };
      }
      if (!link.up)
        return {
          cause: {
            kind: 'interface-down',
            node,
            ifname: fr.dev,
            text: `${endText(end)} is down: the kernel took away every route through it, ${route} to ${address} among them`,
          },
          fixes: this.#linkUp(end),
        };
      const change = this.#addressChange(end);
      if (change !== undefined)
        return {
          cause: {
            kind: change.kind,
            node,
            ifname: fr.dev,
            text: `${change.text}: the kernel took away the routes through it with the old address, ${route} to ${address} among them`,
          },
          fixes: [],
        };
      const restore: ModelChange = { change: 'route.add', node, route: { ...fr, ...(fr.src !== undefined ? { src: fr.src } : {}) } };
      return {
        cause: {
          kind: 'no-route',
          node,
          text: `${node} has no route to ${address}${this.#whose(address)}: ${route}, which the file's network has, is missing`,
        },
        fixes: [{ changes: [restore], command: commandOf(this.#kernel, restore) ?? '', text: `puts back ${route}` }],
      };
    }
    // A router whose routes come from its daemons: theirs to say (the address it lacks may be one they
    // announce whatever the file says, as exec entries and FRR set addresses in containerlab's labs).
    const routing = this.#in.lab.routing;
    if (routing === 'ospf' || routing === 'bgp' || this.#in.lab.nodes.some((n) => n.name === node && n.frr !== undefined)) {
      const said = this.#in.routing?.[node];
      return {
        cause: {
          kind: 'unknown',
          node,
          text:
            said !== undefined
              ? `${node} has no route to ${address}${this.#whose(address)}: ${said}`
              : `${node} has no route to ${address}${this.#whose(address)}: ${routing === 'ospf' || routing === 'bgp' ? `in this lab routes come from ${routing.toUpperCase()} (FRR)` : `its routes come from its FRR daemons`}, which nslab does not model; ask them (nslab vtysh ${node} -c 'show ip route')`,
        },
        fixes: [],
      };
    }
    // An address nobody routes to because it is not the file's: the end holding it changed its address.
    const holder = this.#kernelOwner(address);
    const change = holder !== undefined ? this.#addressChange(holder) : undefined;
    if (holder !== undefined && change !== undefined)
      return {
        cause: {
          kind: change.kind,
          node: holder.node,
          ifname: holder.ifname,
          text: `${node} has no route to ${address}, ${holder.node}'s address now: ${change.text}`,
        },
        fixes: [],
      };
    return {
      cause: { kind: 'no-route', node, text: `${node} has no route to ${address}${this.#whose(address)}, in the kernel or in the file` },
      fixes: this.#routeFixes(node, address),
    };
  }

  /** The end that holds `address` in the kernel. */
  #kernelOwner(address: string): EndName | undefined {
    const a = canonicalIp(address);
    for (const node of Object.values(this.#kernel.nodes)) {
      const link = node.links.find((l) => l.addresses.some((c) => canonicalIp(c.address) === a));
      if (link !== undefined) return { node: node.name, ifname: link.ifname };
    }
    return undefined;
  }

  #noNeighbour(s: Extract<Walk['stop'], { stop: 'no-neighbour' }>): { cause: WhyCause; fixes: Candidate[] } {
    const from = `${s.node}:${s.ifname}`;
    const mine = findLink(this.#kernel, { node: s.node, ifname: s.ifname })?.addresses.filter((c) => usable(c, this.#family)) ?? [];
    const evidence = this.#neighbourEvidence(s.node, s.ifname, s.nextHop);
    const owner = this.#fileOwner(s.nextHop);
    const selfChange = this.#addressChange({ node: s.node, ifname: s.ifname });
    const nobody = `nobody answers ${s.node}'s ${this.#asking} for ${s.nextHop} on ${s.ifname}`;
    if (owner !== undefined) {
      if (!this.#present(owner.node)) return this.#gone(owner.node);
      const b = s.segment.blocked.find((x) => same(x.behind, owner) || same(x.at, owner));
      if (b !== undefined) return this.#blocked(b, from);
      const change = this.#addressChange(owner);
      if (change !== undefined && s.segment.ends.some((e) => same(e, owner)))
        return {
          cause: {
            kind: change.kind,
            node: owner.node,
            ifname: owner.ifname,
            text: `${nobody}: ${change.text}, while ${from} has ${withSubnets(mine, this.#family)}${evidence}`,
          },
          fixes: [],
        };
      if (selfChange !== undefined)
        return { cause: { kind: selfChange.kind, node: s.node, ifname: s.ifname, text: `${nobody}: ${selfChange.text}${evidence}` }, fixes: [] };
      if (!s.segment.ends.some((e) => same(e, owner)))
        return {
          cause: {
            kind: 'no-neighbour',
            node: s.node,
            ifname: s.ifname,
            text: `${nobody}: it is ${endText(owner)}'s address, and ${endText(owner)} is not on that link${evidence}`,
          },
          fixes: [],
        };
      return {
        cause: { kind: 'unknown', node: s.node, ifname: s.ifname, text: `${nobody}, although ${endText(owner)} is on that link with that address${evidence}` },
        fixes: [],
      };
    }
    if (selfChange !== undefined)
      return { cause: { kind: selfChange.kind, node: s.node, ifname: s.ifname, text: `${nobody}: ${selfChange.text}${evidence}` }, fixes: [] };
    return { cause: { kind: 'no-neighbour', node: s.node, ifname: s.ifname, text: `${nobody}: no node of the lab has that address${evidence}` }, fixes: [] };
  }

  /** The route a node would pick in the kernel and in the file differ (or one has none). */
  #differs(node: string, address: string): { kernel?: ModelRoute; file?: ModelRoute } | undefined {
    const k = this.#kernel.nodes[node];
    const f = this.#file.nodes[node];
    const kr = k?.present === true ? lookup(k, address, this.#family) : undefined;
    const fr = f?.present === true ? lookup(f, address, this.#family) : undefined;
    if (kr?.to === fr?.to && kr?.via === fr?.via && kr?.dev === fr?.dev && kr?.type === fr?.type) return undefined;
    return { ...(kr !== undefined ? { kernel: kr } : {}), ...(fr !== undefined ? { file: fr } : {}) };
  }

  /** The file's route in place of the kernel's to the same destination (`ip route replace`), when there is one. */
  #fileRouteBack(node: string, kernel: ModelRoute, file: ModelRoute | undefined): Candidate[] {
    if (file === undefined || file.to !== kernel.to || file.metric !== kernel.metric) return [];
    const change: ModelChange = { change: 'route.add', node, route: { ...file }, replace: true };
    return [{ changes: [change], command: commandOf(this.#kernel, change) ?? '', text: `puts ${node}'s route from the file in place of it` }];
  }

  /** A route of the kernel that is not the file's (another protocol, or drifted), and the command that deletes it. */
  #dropRoute(node: string, route: ModelRoute): Candidate {
    const change: ModelChange = { change: 'route.del', node, route };
    return { changes: [change], command: commandOf(this.#kernel, change) ?? '', text: `deletes ${node}'s route ${routeText(route)}` };
  }

  #cause(w: Walk): { cause: WhyCause; fixes: Candidate[] } {
    const s = w.stop;
    const owner = this.#fileOwner(w.address);
    if (owner !== undefined && s.stop !== 'gone' && !this.#present(owner.node)) return this.#gone(owner.node);
    const family = this.#family;
    switch (s.stop) {
      case 'arrived':
        return { cause: { kind: 'unknown', node: s.node, text: 'the packet arrives' }, fixes: [] };
      case 'gone':
        return this.#gone(s.node);
      case 'down':
        return { cause: { kind: 'interface-down', node: s.node, ifname: s.ifname, text: `${s.node}:${s.ifname} is down` }, fixes: this.#linkUp(s) };
      case 'no-route':
        return this.#noRoute(s.node, w.address);
      case 'route-drops': {
        const d = this.#differs(s.node, w.address);
        return {
          cause: { kind: 'route-drops', node: s.node, text: `${s.node}'s route ${routeText(s.route)} drops packets to ${w.address}` },
          fixes: d !== undefined ? [this.#dropRoute(s.node, s.route)] : [],
        };
      }
      case 'unknown-route':
        return {
          cause: {
            kind: 'unknown',
            node: s.node,
            text: `${s.node} sends it by ${routeText(s.route)}, a route nslab cannot follow (several next hops, or no device)`,
          },
          fixes: [],
        };
      case 'no-source':
        return {
          cause: { kind: 'no-source', node: s.node, text: `${s.node} has no IPv${family} address to send from: give one of its link ends an address` },
          fixes: [],
        };
      case 'no-carrier': {
        const b = s.segment.blocked[0];
        if (b !== undefined) return this.#blocked(b, `${s.node}:${s.ifname}`);
        return {
          cause: { kind: 'unknown', node: s.node, ifname: s.ifname, text: `${s.node}:${s.ifname} has no carrier, and nslab cannot tell why` },
          fixes: [],
        };
      }
      case 'unknown-far':
        return {
          cause: {
            kind: 'unknown',
            node: s.node,
            ifname: s.ifname,
            text: `${s.node} sends it out of ${s.ifname}, which leads somewhere nslab does not know (not one of the lab's cables), so it cannot follow the packet further`,
          },
          fixes: [],
        };
      case 'no-neighbour':
        return this.#noNeighbour(s);
      case 'stale-neighbour': {
        const forget: ModelChange = { change: 'neigh.del', node: s.node, ifname: s.ifname, address: s.nextHop };
        const now = findLink(this.#kernel, s.owner)?.mac;
        return {
          cause: {
            kind: 'no-neighbour',
            node: s.node,
            ifname: s.ifname,
            text: `${s.node} sends the frames for ${s.nextHop} on ${s.ifname} to ${s.mac}, the link-layer address it has cached for it, which ${endText(s.owner)} does not have${now !== undefined ? ` (it has ${now})` : ' (it was made anew)'}: they go nowhere until the entry times out`,
          },
          fixes: [{ changes: [forget], command: commandOf(this.#kernel, forget) ?? '', text: `makes ${s.node} forget the old address and ask again` }],
        };
      }
      case 'forwarding-off': {
        // The packet reached the node the address is the file's of, which does not hold it now: its
        // address changed (frames still come by the link-layer address the sender had cached).
        const changed = owner !== undefined && owner.node === s.node ? this.#addressChange(owner) : undefined;
        if (changed !== undefined)
          return {
            cause: {
              kind: changed.kind,
              node: s.node,
              ifname: s.ifname,
              text: `${s.node} gets the packet but does not hold ${w.address} now: ${changed.text}`,
            },
            fixes: [],
          };
        const key = family === 4 ? 'net.ipv4.ip_forward' : 'net.ipv6.conf.all.forwarding';
        const change: ModelChange = { change: 'forwarding', node: s.node, family, on: true };
        const router = this.#file.nodes[s.node]?.forwarding[family] === true;
        const fix: Candidate = { changes: [change], command: commandOf(this.#kernel, change) ?? '', text: `turns IPv${family} forwarding on in ${s.node}` };
        if (!router) fix.file = `make ${s.node} a router in the file (kind: router)`;
        return {
          cause: {
            kind: 'forwarding-off',
            node: s.node,
            ifname: s.ifname,
            text: router
              ? `${s.node} gets the packet on ${s.ifname} but does not forward IPv${family}: ${key} is 0 in the kernel, though the file makes ${s.node} a router`
              : `${s.node} gets the packet on ${s.ifname} but does not forward IPv${family}: it is a ${this.#kernel.nodes[s.node]?.kind ?? 'host'} in the file`,
          },
          fixes: [fix],
        };
      }
      case 'rp-filter': {
        const change: ModelChange = { change: 'rp_filter', node: s.node, ifname: s.ifname, mode: 0 };
        return {
          cause: {
            kind: 'reverse-path',
            node: s.node,
            ifname: s.ifname,
            text: `${s.node} drops the packet from ${s.source} that came in on ${s.ifname}: its reverse path filter (rp_filter ${s.mode}) routes ${s.source} ${s.expected !== undefined ? `out of ${s.expected}` : 'nowhere'}`,
          },
          fixes: [{ changes: [change], command: commandOf(this.#kernel, change) ?? '', text: `turns the reverse path filter off in ${s.node}` }],
        };
      }
      case 'loop': {
        const ring = [...s.nodes, s.node].join(' -> ');
        for (const node of s.nodes) {
          const d = this.#differs(node, w.address);
          if (d?.kernel === undefined) continue;
          const theirs = d.kernel.protocol !== RTPROT_NSLAB ? ", not nslab's," : '';
          return {
            cause: {
              kind: 'loop',
              node,
              text: `the packet loops (${ring}): ${node}'s route ${routeText(d.kernel)}${theirs} sends it round; the file's network routes it ${d.file !== undefined ? `by ${routeText(d.file)}` : 'nowhere'}`,
            },
            fixes: [...this.#fileRouteBack(node, d.kernel, d.file), this.#dropRoute(node, d.kernel)],
          };
        }
        return { cause: { kind: 'loop', node: s.node, text: `the packet loops (${ring}): the file's own routes make this loop` }, fixes: [] };
      }
    }
  }

  #reaches(m: NetModel): boolean {
    return probe(m, this.#in.from, this.#in.address).reaches;
  }

  /**
   * The first candidate the kernel accepts and after which the ping goes there and back, in the model
   * (with the old neighbour entries it leaves forgotten too, in the same command line).
   */
  #firstSafe(candidates: Candidate[]): Candidate | undefined {
    for (const c of candidates) {
      if (c.command === '') continue;
      let after: NetModel;
      try {
        after = applyChanges(this.#kernel, c.changes);
      } catch (e) {
        if (e instanceof ModelRefusal) continue;
        throw e;
      }
      const forget = this.#forgetting(after);
      if (forget === undefined) continue;
      if (forget.length === 0) return c;
      return {
        ...c,
        changes: [...c.changes, ...forget.flatMap((f) => f.changes)],
        command: [c.command, ...forget.map((f) => f.command)].join(' && '),
        text: `${c.text}; then ${shortList(forget.map((f) => f.text))}`,
      };
    }
    return undefined;
  }

  /**
   * The neighbour entries to forget after `model` (empty when none) for the ping to go through, or undefined
   * when it does not go through for another reason: the nodes that keep an old link-layer address of a
   * device made anew (by up, on the far side of a LAN) would lose every frame to it for up to a minute.
   */
  #forgetting(start: NetModel): Candidate[] | undefined {
    let model = start;
    const forget: Candidate[] = [];
    for (let i = 0; i < 8; i++) {
      const p = probe(model, this.#in.from, this.#in.address);
      if (p.reaches) return forget;
      const stop = (p.back ?? p.there).stop;
      if (stop.stop !== 'stale-neighbour') return undefined;
      const change: ModelChange = { change: 'neigh.del', node: stop.node, ifname: stop.ifname, address: stop.nextHop };
      model = applyChanges(model, [change]);
      forget.push({
        changes: [change],
        command: commandOf(model, change) ?? '',
        text: `${stop.node} forgets the link-layer address it has for ${stop.nextHop}`,
      });
    }
    return undefined;
  }

  /**
   * Each change of `nslab up`'s plan that could be made alone (a route, an address, a link up, forwarding),
   * as the command the op table gives it; a link brought up with nslab's own command first, which puts
   * the node's routes back too.
   */
  #driftFixes(): Candidate[] {
    const nodes = new Map(this.#in.lab.nodes.map((n) => [n.netns, n.name]));
    const nodeOf = (netns: string): string => nodes.get(netns) ?? netns;
    const out: Candidate[] = [];
    // A node's computed routes come as one op: each is a change of its own here.
    const ops: Op[] = [];
    for (const op of this.#in.upOps) {
      if (op.op !== 'routes.add') ops.push(op);
      else for (const route of op.routes) ops.push({ op: 'route.add', id: op.id, after: [], netns: op.netns, route });
    }
    for (const op of ops) {
      if (op.op !== 'route.add' && op.op !== 'addr.add' && op.op !== 'sysctl.set' && op.op !== 'link.set' && op.op !== 'route.del') continue;
      const changes = changesOf(op, nodeOf);
      const [change] = changes;
      if (change === undefined || changes.length !== 1) continue;
      if (change.change === 'link.set' && change.up === true) out.push(...this.#linkUp({ node: change.node, ifname: change.ifname }).slice(0, 1));
      out.push({ changes, command: explain(op), text: `as the file has it (${describe(op)})` });
    }
    return out;
  }

  /** What to do when the path leads to a host that does not answer: nothing on the others fixes it. */
  #hostGone(now: Probe, cause: WhyCause, drift: string[]): Diagnosis {
    const { from, address, to, upCommand, lab } = this.#in;
    const host = this.#in.hostsGone?.[cause.node] as HostGone;
    const check = `ssh ${shellArg(host.ssh)} true`;
    const advice: WhyAdvice[] = [{ kind: 'command', command: check, text: `${check}: says whether host ${host.host} answers again` }];
    if (upCommand !== undefined)
      advice.push({
        kind: 'up',
        command: upCommand,
        text: `once host ${host.host} answers, ${upCommand} makes its part again (a machine that restarted has lost it)`,
      });
    const head = now.back !== undefined ? `${from} reaches ${to} (${address}) but the reply cannot come back: ` : `${from} does not reach ${to} (${address}): `;
    const fix = `Fix: bring host ${host.host} back (${check} must succeed), then ${upCommand ?? 'nslab up FILE'}; or nslab down --lab ${lab.name} takes the lab down on the hosts that answer`;
    return { reaches: false, probe: now, cause, advice, drift, verdict: `${head}${cause.text}. ${fix}` };
  }

  run(): Diagnosis {
    const { from, address, to, upOps } = this.#in;
    const now = probe(this.#kernel, from, address);
    const drift = upOps.map(describe);
    if (now.reaches) {
      const n = now.there.hops.length - 1;
      const verdict =
        now.back !== undefined
          ? `${from} reaches ${to} (${address}) in ${n} hop${n === 1 ? '' : 's'}, and ${to} answers back to ${now.there.source ?? ''}`
          : `${from} reaches ${address}`;
      return { reaches: true, probe: now, advice: [], drift, verdict };
    }
    const failed = now.back ?? now.there;
    const { cause, fixes } = this.#cause(failed);
    if (cause.kind === 'host-gone') return this.#hostGone(now, cause, drift);
    const advice: WhyAdvice[] = [];
    let restores = false;
    let upCommand = this.#in.upCommand;
    if (upOps.length > 0) {
      const restored = this.#forgetting(applyPlan(this.#kernel, upOps).model);
      restores = restored !== undefined;
      if (restored !== undefined) {
        const what = drift.length > 0 ? ` (${shortList(drift)})` : '';
        const forget =
          restored.length > 0
            ? `; then ${shortList(restored.map((f) => f.text))}, since ${restored.length === 1 ? 'that node keeps' : 'those nodes keep'} the link-layer address of the device up made anew, which would keep the ping failing for up to a minute`
            : '';
        if (upCommand !== undefined && restored.length > 0) upCommand = [upCommand, ...restored.map((f) => f.command)].join(' && ');
        advice.push({
          kind: 'up',
          ...(upCommand !== undefined ? { command: upCommand } : {}),
          text: `${this.#in.upCommand ?? 'bringing the lab up again from its topology'} restores the file's network${what}, in which ${from} reaches ${to} and back${forget}`,
        });
      }
    }
    const literal = this.#firstSafe([...this.#driftFixes(), ...fixes]);
    if (literal !== undefined) advice.push({ kind: 'command', command: literal.command, text: `${literal.command}: ${literal.text}` });
    if (literal?.file !== undefined && !this.#reaches(this.#file)) advice.push({ kind: 'file', text: literal.file });

    const head = now.back !== undefined ? `${from} reaches ${to} (${address}) but the reply cannot come back: ` : `${from} does not reach ${to} (${address}): `;
    let fix: string;
    if (restores && literal !== undefined) fix = `Fix: ${upCommand ?? 'bring the lab up again'} (it restores the file's network), or alone: ${literal.command}`;
    else if (restores) fix = `Fix: ${upCommand ?? 'bring the lab up again'} (it restores the file's network); no single command does it`;
    else if (literal !== undefined) fix = `Fix: ${literal.command}${literal.file !== undefined && !this.#reaches(this.#file) ? `, and ${literal.file}` : ''}`;
    else if (upOps.length > 0) fix = `nslab knows no single command that fixes it, and re-running nslab up would not either`;
    else fix = 'nslab knows no single command that fixes it';
    const refused = this.#in.upRefused ?? [];
    if (refused.length > 0 && !restores) fix += `; nslab up would refuse to run: ${refused.join('; ')}`;
    return { reaches: false, probe: now, cause, advice, drift, verdict: `${head}${cause.text}. ${fix}` };
  }
}

/** Why `from` does or does not reach `address`, and what fixes it (see the module's comment). */
export function diagnose(input: WhyInput): Diagnosis {
  return new Diagnoser(input).run();
}
