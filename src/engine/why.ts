/**
 * Why does (or doesn't) a packet get from one node to a target? Walks the path the kernel would take,
 * hop by hop, with the kernel's own route lookup in each namespace (`ip route get`), and checks the way
 * back too, since a ping needs both. Stops at the first thing in the way and says what to change: no route,
 * an interface down, no address, forwarding off in a middle node, a next hop that no node answers for.
 */
import { isIP } from 'node:net';
import { NslabError } from '../errors.js';
import { netnsPath, sysctl } from '../native/index.js';
import { inSubnet } from '../plan/ip.js';
import { Handle, NetlinkError, type Link } from '../rtnl/index.js';
import type { ResolvedEndpoint, ResolvedLab, ResolvedNode } from '../topology/types.js';

export interface WhyHop {
  node: string;
  /** What the kernel does here, in words. */
  text: string;
}

export interface WhyWalk {
  from: string;
  to: string;
  address: string;
  ok: boolean;
  hops: WhyHop[];
  /** When not ok: the one sentence that says what is in the way and what to do. */
  problem?: string;
}

export interface WhyResult {
  reaches: boolean;
  there: WhyWalk;
  /** The way back, from the target to the address the source sends from (absent if the way there fails). */
  back?: WhyWalk;
  /** One sentence. */
  verdict: string;
}

const RTN_LOCAL = 2;
const MAX_HOPS = 64;

/** Every address of the lab and the end that holds it. */
function addressOwners(lab: ResolvedLab): Map<string, ResolvedEndpoint> {
  const owners = new Map<string, ResolvedEndpoint>();
  for (const l of lab.links) for (const e of [l.a, l.b]) for (const a of e.addresses) owners.set(a.address, e);
  return owners;
}

/** The ends on the other side of a node's interface: the cable's other end, or every other end on its LAN. */
function neighbours(lab: ResolvedLab, node: string, ifname: string): ResolvedEndpoint[] {
  const link = lab.links.find((l) => (l.a.node === node && l.a.ifname === ifname) || (l.b.node === node && l.b.ifname === ifname));
  if (link === undefined) return [];
  const other = link.a.node === node && link.a.ifname === ifname ? link.b : link.a;
  const otherNode = lab.nodes.find((n) => n.name === other.node);
  if (otherNode?.kind !== 'bridge') return [other];
  return lab.links
    .flatMap((l) => [l.a, l.b])
    .filter(
      (e) =>
        e.node !== otherNode.name &&
        !(e.node === node && e.ifname === ifname) &&
        lab.links.some((l) => (l.a === e && l.b.node === otherNode.name) || (l.b === e && l.a.node === otherNode.name)),
    );
}

interface Suggestion {
  to: string;
  dev?: string;
  via?: string;
}

/** The route to suggest to a node that has none to `address`: straight out of the interface that faces it, or via a router. */
function suggestRoute(lab: ResolvedLab, node: ResolvedNode, address: string): Suggestion {
  const family = isIP(address);
  const to = family === 4 ? `${address}/32` : `${address}/128`;
  for (const ifname of node.interfaces) {
    if (neighbours(lab, node.name, ifname).some((e) => e.addresses.some((a) => a.address === address))) return { to, dev: ifname };
  }
  for (const ifname of node.interfaces) {
    for (const e of neighbours(lab, node.name, ifname)) {
      const gw = e.addresses.find((a) => isIP(a.address) === family);
      if (lab.nodes.find((n) => n.name === e.node)?.forwarding === true && gw !== undefined) return { to, via: gw.address };
    }
  }
  return { to, via: `<a router's address on one of ${node.name}'s links>` };
}

/** `{ to: 10.10.1.2/32, dev: gveth } to green's routes (ip -n green route add 10.10.1.2/32 dev gveth)` */
function formatSuggestion(s: Suggestion, node: ResolvedNode): string {
  const yaml = `{ to: ${s.to}${s.dev !== undefined ? `, dev: ${s.dev}` : ''}${s.via !== undefined ? `, via: ${s.via}` : ''} }`;
  const ip = `ip -n ${node.netns} route add ${s.to}${s.via !== undefined ? ` via ${s.via}` : ''}${s.dev !== undefined ? ` dev ${s.dev}` : ''}`;
  return `${yaml} to ${node.name}'s routes (${ip})`;
}

class Walker {
  readonly #lab: ResolvedLab;
  readonly #handles = new Map<string, Handle>();
  readonly #owners: Map<string, ResolvedEndpoint>;

  constructor(lab: ResolvedLab) {
    this.#lab = lab;
    this.#owners = addressOwners(lab);
  }

  node(name: string): ResolvedNode {
    const n = this.#lab.nodes.find((x) => x.name === name);
    if (n === undefined)
      throw new NslabError('NSLAB_NOT_FOUND', `lab ${this.#lab.name} has no node ${name}; its nodes are ${this.#lab.nodes.map((x) => x.name).join(', ')}`);
    return n;
  }

  async #handle(node: ResolvedNode): Promise<Handle> {
    let h = this.#handles.get(node.netns);
    if (h === undefined) {
      h = await Handle.open({ netns: node.netns });
      this.#handles.set(node.netns, h);
    }
    return h;
  }

  async walk(fromName: string, toName: string, address: string): Promise<WhyWalk & { src?: string }> {
    const hops: WhyHop[] = [];
    const fail = (problem: string): WhyWalk => ({ from: fromName, to: toName, address, ok: false, hops, problem });
    const family = isIP(address) === 6 ? 6 : 4;
    let node = this.node(fromName);
    let src: string | undefined;
    const seen = new Set<string>();
    for (let hop = 0; hop < MAX_HOPS; hop++) {
      if (seen.has(node.name)) return fail(`the packet loops: it comes back to ${node.name}; check the routes of ${[...seen].join(', ')}`);
      seen.add(node.name);
      const h = await this.#handle(node);
      let r;
      try {
        r = await h.route.get(address);
      } catch (e) {
        if (e instanceof NetlinkError && (e.errnoName === 'ENETUNREACH' || e.errnoName === 'EHOSTUNREACH')) {
          // The kernel drops a down interface's routes: an interface that faces the target and is down is
          // the cause, not a missing route.
          const down = await this.#downInterfaceToward(h, node, address);
          if (down !== undefined) return fail(`${node.name}'s interface ${down} is down: bring it up (nslab link set ${node.name}:${down} up)`);
          const whose = this.#owners.get(address);
          const suggestion = formatSuggestion(suggestRoute(this.#lab, node, address), node);
          return fail(`${node.name} has no route to ${address}${whose !== undefined ? ` (${whose.node}'s address)` : ''}: add ${suggestion}`);
        }
        throw e;
      }
      if (r.type === RTN_LOCAL) {
        hops.push({ node: node.name, text: `${address} is ${node.name}'s own address: arrived` });
        return { from: fromName, to: toName, address, ok: true, hops, ...(src !== undefined ? { src } : {}) };
      }
      src ??= r.src;
      const oif: Link | undefined = r.oif !== undefined ? await h.link.get({ index: r.oif }) : undefined;
      if (oif === undefined) return fail(`${node.name} routes ${address} to an interface that is gone`);
      const nextHop = r.via ?? address;
      hops.push({
        node: node.name,
        text: `${node.name} sends to ${address} out of ${oif.name}${r.via !== undefined ? ` via ${r.via}` : ' (directly connected)'}${r.src !== undefined ? `, from ${r.src}` : ''}`,
      });
      if (!oif.up) return fail(`${node.name}'s interface ${oif.name} is down: bring it up (nslab link set ${node.name}:${oif.name} up)`);
      const addrs = await h.addr.list({ dev: { index: oif.index, name: oif.name }, family });
      if (hop === 0 && addrs.filter((a) => !a.address.startsWith('fe80')).length === 0 && r.src === undefined) {
        return fail(`${node.name} has no IPv${family} address to send from on ${oif.name}: give that end an address in the link's addresses`);
      }
      const owner = this.#owners.get(nextHop);
      if (owner === undefined)
        return fail(
          `${node.name} sends to ${nextHop} on ${oif.name}, but no node of the lab has that address, so no neighbour answers: fix the route's via or the addresses`,
        );
      if (!neighbours(this.#lab, node.name, oif.name).some((e) => e.node === owner.node && e.ifname === owner.ifname)) {
        return fail(
          `${node.name} sends to ${nextHop} out of ${oif.name}, but ${nextHop} is ${owner.node}:${owner.ifname}, which is not on that link: no neighbour answers; route via an address on ${oif.name}'s link`,
        );
      }
      if (!oif.lowerUp)
        return fail(
          `${node.name}:${oif.name} has no carrier: the other end (${owner.node}:${owner.ifname}) is down; bring it up (nslab link set ${owner.node}:${owner.ifname} up)`,
        );
      const next = this.node(owner.node);
      if (next.name === toName && nextHop === address) {
        hops.push({ node: next.name, text: `${next.name} has ${address} on ${owner.ifname}: arrived` });
        return { from: fromName, to: toName, address, ok: true, hops, ...(src !== undefined ? { src } : {}) };
      }
      const key = family === 4 ? 'net/ipv4/ip_forward' : 'net/ipv6/conf/all/forwarding';
      const [fwd] = await sysctl([[netnsPath(next.netns), key, null]]);
      if (typeof fwd === 'string' && fwd.trim() !== '1') {
        return fail(
          `${next.name} gets the packet on ${owner.ifname} but does not forward IPv${family} (forwarding is off there): make it a router (kind: router)`,
        );
      }
      node = next;
    }
    return fail(`more than ${MAX_HOPS} hops: the routes make a loop`);
  }

  /** An interface of the node that is down and leads to `address` (its cable's far end has it, or its subnet holds it). */
  async #downInterfaceToward(h: Handle, node: ResolvedNode, address: string): Promise<string | undefined> {
    const ends = this.#lab.links.flatMap((l) => [l.a, l.b]).filter((e) => e.node === node.name);
    for (const end of ends) {
      const faces =
        neighbours(this.#lab, node.name, end.ifname).some((n) => n.addresses.some((a) => a.address === address)) ||
        end.addresses.some((a) => inSubnet(a, address));
      if (!faces) continue;
      const link = await h.link.get(end.ifname);
      if (link !== undefined && !link.up) return end.ifname;
    }
    return undefined;
  }

  close(): void {
    for (const h of this.#handles.values()) h.close();
  }
}

/**
 * Explains whether `from` reaches `target` (a node name or an address) and, if not, the first thing in
 * the way, on the way there or the way back.
 *
 * Equivalent to: ip -n NETNS route get ADDRESS, hop by hop, and back
 */
export async function why(lab: ResolvedLab, from: string, target: string): Promise<WhyResult> {
  const walker = new Walker(lab);
  try {
    walker.node(from);
    let address = target;
    let toName = target;
    if (isIP(target) === 0) {
      const end = lab.links.flatMap((l) => [l.a, l.b]).find((e) => e.node === walker.node(target).name && e.addresses.length > 0);
      const a = end?.addresses.find((x) => x.family === 4) ?? end?.addresses[0];
      if (a === undefined) throw new NslabError('NSLAB_NOT_FOUND', `node ${target} has no address to reach`);
      address = a.address;
    } else {
      toName = addressOwners(lab).get(target)?.node ?? target;
    }
    const there = await walker.walk(from, toName, address);
    if (!there.ok) return { reaches: false, there, verdict: `${from} does not reach ${toName} (${address}): ${there.problem ?? ''}` };
    if (there.src === undefined || toName === from) return { reaches: true, there, verdict: `${from} reaches ${address}` };
    const back = await walker.walk(toName, from, there.src);
    const n = there.hops.length - 1;
    if (!back.ok)
      return { reaches: false, there, back, verdict: `${from} reaches ${toName} (${address}) but the reply cannot come back: ${back.problem ?? ''}` };
    return {
      reaches: true,
      there,
      back,
      verdict: `${from} reaches ${toName} (${address}) in ${n} hop${n === 1 ? '' : 's'}, and ${toName} answers back to ${there.src}`,
    };
  } finally {
    walker.close();
  }
}
