/**
 * The library surface: a Lab built from a file, a text or an object; its nodes; up, down, exec, reach.
 *
 *   await using lab = await Lab.fromFile('examples/two-computers.yaml');
 *   await lab.up();
 *   assert(await lab.node('red').reach('green'));
 */
import { isIP } from 'node:net';
import {
  down,
  setLink,
  status,
  up,
  why,
  type DownOptions,
  type DownResult,
  type LabStatus,
  type LinkChange,
  type UpOptions,
  type UpResult,
  type WhyResult,
} from '../engine/index.js';
import { readState, type Spares } from '../engine/index.js';
import {
  hostPairs,
  kernelRoutes,
  routingStatus,
  waitConverged,
  type ConvergeOptions,
  type ConvergeProgress,
  type ConvergeResult,
  type KernelRoute,
  type RoutingStatus,
} from '../engine/index.js';
import { NslabError } from '../errors.js';
import { appliedLab, nameList } from './running.js';
import { runIn, type ExecOptions, type ExecResult } from './exec.js';
import { startCapture, type Capture, type CaptureOptions } from './capture.js';
import { Handle } from '../rtnl/index.js';
import { parseTopology, resolveTopology, routesOf, type ParseOptions } from '../topology/index.js';
import type { ResolvedLab, ResolvedNode, ResolvedRoute } from '../topology/types.js';
import { readTopologyFile, topologyFileReader } from './files.js';
import { broughtUpHere, takenDown } from './interrupt.js';
import { processStartTime } from '../process/index.js';
import { downOverHosts, isOverHosts, nslabForNode, statusOverHosts, upOverHosts, whyOverHosts, type HostStatus } from './hosts.js';
import { frrDir } from '../topology/frr-view.js';

/** What `lab.waitConverged` takes. */
export interface WaitOptions {
  /** How long to wait before giving up with NSLAB_TIMEOUT (default 120 s). */
  timeoutMs?: number;
  /**
   * How long every router's table must stay unchanged once its adjacencies are up (default 1 s; longer
   * where a router's protocol may rest longer between two changes: 6 s under FRR's OSPF defaults).
   */
  settleMs?: number;
  /**
   * Wait instead until each pair reaches: `[from, to]`, `to` a node (its first address, IPv4 first) or an
   * address; `'hosts'`: every pair of hosts. A ping answered within a second proves a pair.
   */
  reach?: readonly (readonly [from: string, to: string])[] | 'hosts';
  /** Called at each round with what is done and what is still waited for. */
  onProgress?: (progress: ConvergeProgress) => void;
  signal?: AbortSignal;
}

/** This process, as a lab's owner: `up({ exclusive: true })` elsewhere refuses its labs, `clean --orphans` removes them once it is gone. */
function thisProcess(): { pid: number; startTime: string } {
  return { pid: process.pid, startTime: processStartTime(process.pid) ?? '' };
}

/** Lets upWithSpares mark a Lab as brought up by it (set in Lab's static block). */
let broughtUp: (lab: Lab) => void;

export class Lab implements AsyncDisposable {
  readonly resolved: ResolvedLab;
  readonly source: string | undefined;
  #up = false;

  static {
    broughtUp = (lab) => {
      lab.#up = true;
    };
  }

  constructor(resolved: ResolvedLab, source?: string) {
    this.resolved = resolved;
    this.source = source;
  }

  /**
   * Reads and validates a topology file (YAML or JSON, in UTF-8), or a containerlab file (*.clab.yml),
   * with the files it names (FRR configs) read from beside it. Throws TopologyError listing every problem,
   * or saying it is not a text file.
   */
  static async fromFile(path: string, options: Pick<ParseOptions, 'onRead'> = {}): Promise<Lab> {
    const text = await readTopologyFile(path);
    return new Lab(parseTopology(text, { ...options, file: path, read: topologyFileReader(path) }), path);
  }

  /**
   * The lab named `name` as it is up now, with the topology it was last brought up with. Throws
   * NSLAB_NOT_FOUND when no such lab is up. Its `down()` (and `await using`) takes it down; it did not bring
   * it up, so leaving a scope does not.
   */
  static open(name: string): Lab {
    return new Lab(appliedLab(name), readState(name)?.source);
  }

  /** Validates a topology text (YAML or JSON). */
  static parse(text: string, file?: string): Lab {
    return new Lab(parseTopology(text, file !== undefined ? { file } : {}), file);
  }

  /** Validates a topology built in code (the same shape as the file). */
  static define(topology: unknown): Lab {
    return new Lab(resolveTopology(topology));
  }

  get name(): string {
    return this.resolved.name;
  }

  /**
   * Brings the lab up, or reconciles it with this definition if it is up already. A lab with `hosts` is
   * brought up on every host at once, over ssh (its result's plan is empty: each host has its own).
   */
  async up(options: UpOptions = {}): Promise<UpResult> {
    if (this.resolved.hosts !== undefined && options.dryRun !== true) {
      const r = await upOverHosts(this.resolved, this.source !== undefined ? { source: this.source } : {});
      this.#brought(r.existed);
      return { lab: r.lab, plan: { lab: r.lab, ops: [] }, changed: r.changed, existed: r.existed, skipped: [] };
    }
    const result = await up(this.resolved, { ...(this.source !== undefined ? { source: this.source } : {}), owner: thisProcess(), ...options });
    if (options.dryRun !== true) this.#brought(result.existed);
    return result;
  }

  /**
   * After an up: this object brought the lab up unless it was up already (adopted, by another Lab or
   * process): only then does `await using`, or this process being interrupted (interrupt.ts), take it down.
   */
  #brought(existed: boolean): void {
    if (existed && !this.#up) return;
    this.#up = true;
    broughtUpHere(this);
  }

  /** Removes the lab, leaving nothing of it behind. */
  async down(options: DownOptions = {}): Promise<DownResult> {
    if (this.resolved.hosts !== undefined || isOverHosts(this.resolved.name)) {
      const r = await downOverHosts(this.resolved.name, this.resolved);
      this.#up = false;
      takenDown(this);
      return { lab: r.lab, plan: { lab: r.lab, ops: [] }, found: r.found };
    }
    const result = await down(this.resolved.name, options);
    this.#up = false;
    takenDown(this);
    return result;
  }

  async status(): Promise<LabStatus> {
    return status(this.resolved.name);
  }

  /** For a lab over several machines: each host's status of its part, or why the host did not answer. */
  async hostsStatus(): Promise<HostStatus[]> {
    return (await statusOverHosts(this.resolved.name)).hosts;
  }

  node(name: string): Node {
    const node = this.resolved.nodes.find((n) => n.name === name);
    if (node === undefined)
      throw new NslabError('NSLAB_NOT_FOUND', `lab ${this.name} has no node ${name}; its nodes are ${nameList(this.resolved.nodes.map((n) => n.name))}`);
    return new Node(this, node);
  }

  /** A node name (its first address, IPv4 first) or an address, as an address. */
  resolveTarget(target: string): string {
    if (isIP(target) !== 0) return target;
    const address = this.node(target).addresses[0];
    if (address === undefined) throw new NslabError('NSLAB_NOT_FOUND', `node ${target} of lab ${this.name} has no address to reach`);
    return address;
  }

  /** One end of a cable, `node:ifname`, to change at run time. */
  link(endpoint: string): LinkEnd {
    const [node, ifname] = endpoint.split(':');
    const n = this.node(node ?? '');
    const end = this.resolved.links.flatMap((l) => [l.a, l.b]).find((e) => e.node === node && e.ifname === ifname);
    if (end === undefined)
      throw new NslabError(
        'NSLAB_NOT_FOUND',
        `lab ${this.name}: node ${n.name} has no interface ${ifname ?? ''}; its interfaces are ${nameList(n.interfaces) || 'none'}`,
      );
    return new LinkEnd(this, end.node, end.ifname);
  }

  /**
   * Waits until the lab's routing has converged: every router's daemons report their adjacencies done
   * (OSPF neighbours Full, BGP sessions Established) and every router's table stays unchanged for
   * `settleMs`; or, with `reach`, until those pairs reach each other (`'hosts'`: every pair of hosts).
   * Rejects with NSLAB_TIMEOUT, naming what was still waited for, after `timeoutMs` (default 120 s). A lab
   * without routing daemons has nothing to wait for.
   *
   * Equivalent to: nslab wait --lab NAME [--reach A:B]... [--all-hosts] [--timeout S]
   */
  waitConverged(options: WaitOptions = {}): Promise<ConvergeResult> {
    const { reach, ...rest } = options;
    const engine: ConvergeOptions = { ...rest, ...(reach !== undefined ? { reach: reach === 'hosts' ? hostPairs(this.resolved) : reach } : {}) };
    return waitConverged(this.resolved, engine);
  }

  /**
   * Why does (or doesn't) a packet from one node reach a target, and what fixes it? See `nslab why`.
   * `upCommand` is how the advice says to bring this lab up again (default: `nslab up FILE` for the file
   * it came from, when there is one).
   */
  why(from: string, target: string, options: { upCommand?: string } = {}): Promise<WhyResult> {
    if (isOverHosts(this.name)) return whyOverHosts(this.resolved, from, target, { ...(this.source !== undefined ? { source: this.source } : {}), ...options });
    return why(this.resolved, from, target, { ...(this.source !== undefined ? { file: this.source } : {}), ...options });
  }

  get nodes(): Node[] {
    return this.resolved.nodes.map((n) => new Node(this, n));
  }

  /** `await using lab = ...` takes the lab down at the end of the scope, if this object brought it up. */
  async [Symbol.asyncDispose](): Promise<void> {
    if (this.#up) await this.down();
  }
}

export class Node {
  readonly lab: Lab;
  readonly name: string;
  readonly netns: string;
  readonly #node: ResolvedNode;

  constructor(lab: Lab, node: ResolvedNode) {
    this.lab = lab;
    this.#node = node;
    this.name = node.name;
    this.netns = node.netns;
  }

  /** The node's addresses from the topology, IPv4 first, in file order. */
  get addresses(): string[] {
    const all = this.lab.resolved.links
      .flatMap((l) => [l.a, l.b])
      .filter((e) => e.node === this.name)
      .flatMap((e) => e.addresses);
    return [...all.filter((a) => a.family === 4), ...all.filter((a) => a.family === 6)].map((a) => a.address);
  }

  get interfaces(): string[] {
    return [...this.#node.interfaces];
  }

  /** The node's routes: from the topology, or computed (`computed: true`, with the `reason`). */
  get routes(): ResolvedRoute[] {
    return [...routesOf(this.lab.resolved, this.#node)];
  }

  /**
   * Runs a command inside the node: an argv array as is, a string with `sh -c`.
   *
   * Equivalent to: ip netns exec NETNS CMD...
   */
  async exec(command: string | readonly string[], options: ExecOptions = {}): Promise<ExecResult> {
    const argv = typeof command === 'string' ? ['sh', '-c', command] : [...command];
    if (this.#node.host !== undefined) {
      // On its host, through that host's nslab (exec's exit code is the command's).
      const lab = this.lab.name;
      const r = await nslabForNode(lab, this.name, ['exec', '--lab', lab, this.name, '--', ...argv], {
        ...(options.input !== undefined ? { input: options.input } : {}),
        ...(options.timeoutMs !== undefined ? { timeoutMs: options.timeoutMs } : {}),
      });
      if (r !== undefined) return r;
    }
    const place = {
      lab: this.lab.name,
      node: this.name,
      netns: this.netns,
      ...(this.#node.frr !== undefined ? { frrDir: frrDir(this.lab.name, this.name) } : {}),
    };
    return runIn(place, argv, options);
  }

  /**
   * Does a ping from this node reach the target (a node name or an address)? One echo, answered within
   * the timeout.
   */
  async reach(target: string, options: { timeoutMs?: number; count?: number } = {}): Promise<boolean> {
    const address = this.lab.resolveTarget(target);
    const count = options.count ?? 1;
    const wait = Math.max(1, Math.ceil((options.timeoutMs ?? 1000) / 1000));
    const res = await this.exec(['ping', ...(address.includes(':') ? ['-6'] : []), '-n', '-q', '-c', String(count), '-i', '0.1', '-W', String(wait), address]);
    return res.code === 0;
  }

  /**
   * The routes the node's kernel has now (main table), each with the protocol that installed it (`ospf`,
   * `bgp`, `kernel`, `nslab`...) and its next hops.
   *
   * Equivalent to: ip -n NETNS route show; ip -6 -n NETNS route show
   */
  kernelRoutes(): Promise<KernelRoute[]> {
    return kernelRoutes(this.netns);
  }

  /**
   * For a node that runs FRR: whether its routing protocols have converged, in FRR's words (undefined for
   * a node without FRR).
   *
   * Equivalent to: nslab vtysh NODE -c 'show ip ospf neighbor' -c 'show bgp summary'
   */
  routingStatus(): Promise<RoutingStatus | undefined> {
    return routingStatus(this.lab.name, this.#node);
  }

  /** A netlink Handle inside this node's namespace (close it when done). */
  handle(): Promise<Handle> {
    return Handle.open({ netns: this.netns });
  }

  /**
   * Captures the packets of one of the node's interfaces (all of them when `ifname` is left out) with
   * tcpdump, from the moment it resolves; `stop()` ends it and returns each packet with its time, tcpdump's
   * one-line summary and its bytes. See src/api/capture.ts.
   *
   *   const cap = await lab.node('red').capture('rveth', { filter: 'icmp' });
   *   await lab.node('red').reach('green');
   *   for (const p of await cap.stop()) console.log(p.summary);
   *
   * Equivalent to: ip netns exec NETNS tcpdump -n -i IFNAME -w - [FILTER]
   */
  capture(ifname?: string, options: CaptureOptions = {}): Promise<Capture> {
    if (ifname !== undefined && !this.#node.interfaces.includes(ifname) && ifname !== this.#node.bridge)
      throw new NslabError('NSLAB_NOT_FOUND', `node ${this.name} has no interface ${ifname}; its interfaces are ${nameList(this.#node.interfaces) || 'none'}`);
    return startCapture({ lab: this.lab.name, node: this.name, netns: this.netns }, ifname, options);
  }
}

/** One end of a cable of a running lab. */
export class LinkEnd {
  readonly lab: Lab;
  readonly node: string;
  readonly ifname: string;

  constructor(lab: Lab, node: string, ifname: string) {
    this.lab = lab;
    this.node = node;
    this.ifname = ifname;
  }

  /**
   * Changes the end at run time: `{ up: false }` pulls the cable, `{ rate: 10e6 }` limits its egress to
   * 10 Mbit/s, `{ rate: null }` lifts the limit. The next `up()` restores what the topology says.
   *
   * Equivalent to: ip -n NETNS link set IFNAME down (nslab link set NODE:IFNAME down)
   */
  set(change: LinkChange): Promise<void> {
    return setLink(this.lab.name, this.node, this.ifname, change);
  }
}

/**
 * `lab.up(options)` with spare namespaces made ahead (Spares.start): how `nslab up FILE` starts the lab's
 * namespaces before its file is parsed. Internal to the package.
 */
export async function upWithSpares(lab: Lab, options: UpOptions, spares: Spares | undefined): Promise<UpResult> {
  const result = await up(lab.resolved, {
    ...(lab.source !== undefined ? { source: lab.source } : {}),
    ...options,
    ...(spares !== undefined ? { spares } : {}),
  });
  if (options.dryRun !== true) broughtUp(lab);
  return result;
}
