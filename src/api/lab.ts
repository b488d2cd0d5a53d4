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
import { addressFor, parseTopology, renameLab, resolveTopology, routesOf, type ParseOptions, type TopologyInput } from '../topology/index.js';
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
import { Cable, makePartition, type Partition } from './faults.js';
import { pingArgv, tcpConnect, waitForListening, type ConnectResult } from './net.js';
import { startNodeProcess, type NodeProcess, type SpawnOptions, type PortWaitOptions } from './process.js';
import { checkSteps, runSchedule, type CodeStepInput, type Schedule, type ScheduleOptions, type ScheduleStep } from './schedule.js';
import { requireRights } from './rights.js';

/** Lets upWithSpares mark a Lab as brought up by it (set in Lab's static block). */
let broughtUp: (lab: Lab, result: UpResult) => void;

export interface LabOptions {
  /**
   * Give this Lab a name of its own: the topology's name with a random suffix (`kv-3f9a1c`), and namespaces
   * prefixed with it (`kv-3f9a1c-client`), whatever the file's `prefix`. The same file then comes up in as
   * many labs at once as there are Lab objects: four test files in parallel, each with its own network.
   */
  isolate?: boolean;
}

/** The topology's own name, or a name of this Lab's own (LabOptions.isolate). */
function named(resolved: ResolvedLab, options: LabOptions): ResolvedLab {
  if (options.isolate !== true) return resolved;
  // Lab names are at most 63 characters; the suffix takes 7.
  const name = `${resolved.name.slice(0, 56)}-${Math.random().toString(36).slice(2, 8).padEnd(6, '0')}`;
  return renameLab(resolved, name, `${name}-`);
}

export interface ReachOptions {
  /**
   * How long to wait for an answer, in milliseconds (default 1,000), honoured to the millisecond: an echo
   * goes out every 100 ms until one is answered or the time is up.
   */
  timeoutMs?: number;
  /** Answers needed (default 1). */
  count?: number;
}

export interface ConnectOptions {
  /** How long to wait for the connection to be accepted, in milliseconds (default 1,000). */
  timeoutMs?: number;
}

/** One pair of a reach matrix: does a ping from `from` reach `to` (at `address`, as `from` resolves its name)? */
export interface ReachPair {
  from: string;
  to: string;
  address: string;
  ok: boolean;
}

export interface ReachMatrixOptions extends ReachOptions {
  /** The nodes to check among (default: every host and router with an address). */
  nodes?: readonly string[];
  /** How many pings run at once (default 8). */
  concurrency?: number;
}

export class Lab implements AsyncDisposable {
  readonly resolved: ResolvedLab;
  readonly source: string | undefined;
  #up = false;

  static {
    broughtUp = (lab, result) => {
      if (!result.existed) lab.#up = true;
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
  static async fromFile(path: string, options: Pick<ParseOptions, 'onRead'> & LabOptions = {}): Promise<Lab> {
    const text = await readTopologyFile(path);
    const { isolate: _, ...parse } = options;
    return new Lab(named(parseTopology(text, { ...parse, file: path, read: topologyFileReader(path) }), options), path);
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
  static parse(text: string, file?: string, options: LabOptions = {}): Lab {
    return new Lab(named(parseTopology(text, file !== undefined ? { file } : {}), options), file);
  }

  /**
   * Validates a topology built in code: the file's shape, as the type says (kebab-case keys, endpoint
   * shorthands and all). Throws TopologyError listing every problem, with its path.
   */
  static define(topology: TopologyInput, options: LabOptions = {}): Lab {
    return new Lab(named(resolveTopology(topology), options));
  }

  get name(): string {
    return this.resolved.name;
  }

  /**
   * Brings the lab up, or reconciles it with this definition if it is up already. A lab with `hosts` is
   * brought up on every host at once, over ssh (its result's plan is empty: each host has its own). Only a
   * lab this object brought up (`existed: false`) is taken down by `await using` at the end of a scope.
   */
  async up(options: UpOptions = {}): Promise<UpResult> {
    if (this.resolved.hosts !== undefined && options.dryRun !== true) {
      const r = await upOverHosts(this.resolved, this.source !== undefined ? { source: this.source } : {});
      this.#brought(r.existed);
      return { lab: r.lab, plan: { lab: r.lab, ops: [] }, changed: r.changed, existed: r.existed, skipped: [] };
    }
    if (options.dryRun !== true) requireRights(`bringing lab ${this.name} up`);
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
    requireRights(`taking lab ${this.name} down`);
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

  /**
   * A node name or an address, as an address. With `from`, the address of the target that node reaches: on
   * a cable or LAN they share first, else one its routes lead to (a name means different addresses to
   * different viewers: in a triangle of hosts, the target's first address may be on a cable the viewer is
   * not on). Without it, or when no address is reachable from there, the node's first address (IPv4 first).
   */
  resolveTarget(target: string, options: { from?: string } = {}): string {
    if (isIP(target) !== 0) return target;
    const node = this.node(target);
    if (options.from !== undefined) this.node(options.from);
    const address = (options.from !== undefined ? addressFor(this.resolved, options.from, target) : undefined) ?? node.addresses[0];
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
   * The one cable between two nodes, to change at both ends at once: `lab.cable('a', 'b').set({ up: false })`.
   * Throws NSLAB_NOT_FOUND when no cable joins them, or when several do (then name one end with `link`).
   */
  cable(a: string, b: string): Cable {
    this.node(a);
    this.node(b);
    const links = this.resolved.links.filter((l) => (l.a.node === a && l.b.node === b) || (l.a.node === b && l.b.node === a));
    const link = links[0];
    if (link === undefined || links.length > 1)
      throw new NslabError(
        'NSLAB_NOT_FOUND',
        links.length === 0
          ? `lab ${this.name}: no cable joins ${a} and ${b}; a cable joins two nodes of one link (for nodes on one LAN, name a node and its bridge)`
          : `lab ${this.name}: ${links.length} cables join ${a} and ${b} (${links.map((l) => l.id).join(', ')}); name one end with lab.link('${a}:IFNAME')`,
      );
    const [mine, theirs] = link.a.node === a ? [link.a, link.b] : [link.b, link.a];
    return new Cable(this, new LinkEnd(this, mine.node, mine.ifname), new LinkEnd(this, theirs.node, theirs.ifname));
  }

  /**
   * Splits nodes into groups that cannot exchange packets, whatever path the packets take: each node of a
   * group drops every packet from or to a node of another group (nftables rules inside the nodes; needs
   * the `nft` program). Nodes named in no group are untouched. `heal()` undoes it.
   *
   * Equivalent to: ip netns exec NETNS nft -f - (a table that drops the other groups' addresses), in each node
   */
  partition(...groups: (readonly string[])[]): Promise<Partition> {
    return makePartition(this, groups);
  }

  /**
   * Runs timed steps (faults and checks) against the running lab: `{ at: 500, cable: ['a', 'b'], up: false }`,
   * `{ at: '1s', partition: [['a'], ['b']] }`, `{ at: '2s', heal: true }`, `{ at: '2s', expect: { from: 'a',
   * reach: 'b' } }`, `{ at: 3000, do: (lab) => ... }`: the steps of a topology file's `scenario:`, plus
   * functions. Checked at once (TopologyError listing every problem); `done` rejects with NSLAB_EXPECTATION
   * when a check fails.
   */
  schedule(steps: readonly ScheduleStep[], options: ScheduleOptions = {}): Schedule {
    const checked = checkSteps(this, steps);
    const code = new Map<number, CodeStepInput['do']>();
    steps.forEach((s, i) => {
      if ('do' in s) code.set(i, s.do);
    });
    return runSchedule(this, checked, code, options);
  }

  /**
   * Runs the topology file's `scenario:` against the running lab (what `nslab run FILE` does), as
   * `schedule` runs steps given in code. NSLAB_NOT_FOUND when the topology has no scenario.
   */
  runScenario(options: ScheduleOptions = {}): Schedule {
    const steps = this.resolved.scenario;
    if (steps === undefined || steps.length === 0)
      throw new NslabError(
        'NSLAB_NOT_FOUND',
        `lab ${this.name}${this.source !== undefined ? ` (${this.source})` : ''} has no scenario: add a scenario: list of steps to its topology`,
      );
    return runSchedule(this, steps, new Map(), options);
  }

  /**
   * Does every node reach every other, by name (each resolved from the viewer)? Pings in parallel, a few at a
   * time; one entry per ordered pair.
   */
  async reachMatrix(options: ReachMatrixOptions = {}): Promise<ReachPair[]> {
    const names = options.nodes ?? this.nodes.filter((n) => n.kind !== 'bridge' && n.addresses.length > 0).map((n) => n.name);
    const pairs = names.flatMap((from) => names.filter((to) => to !== from).map((to) => ({ from, to, address: this.resolveTarget(to, { from }) })));
    const results: ReachPair[] = new Array<ReachPair>(pairs.length);
    let next = 0;
    const reachOptions: ReachOptions = {
      ...(options.timeoutMs !== undefined ? { timeoutMs: options.timeoutMs } : {}),
      ...(options.count !== undefined ? { count: options.count } : {}),
    };
    const worker = async (): Promise<void> => {
      for (let i = next++; i < pairs.length; i = next++) {
        const p = pairs[i] as (typeof pairs)[number];
        results[i] = { ...p, ok: await this.node(p.from).reach(p.address, reachOptions) };
      }
    };
    await Promise.all(Array.from({ length: Math.max(1, Math.min(options.concurrency ?? 8, pairs.length)) }, worker));
    return results;
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

  /** host, router or bridge. */
  get kind(): ResolvedNode['kind'] {
    return this.#node.kind;
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
   * Does a ping from this node reach the target (a node name, resolved from this node, or an address)
   * within the timeout? Echoes go out every 100 ms until `count` (default 1) are answered; the answer is
   * false once `timeoutMs` (default 2,000: it counts from the start of ping's process, which a loaded CI machine may take a second to start) has passed, whatever its size.
   *
   * Equivalent to: ip netns exec NETNS ping -c COUNT -i 0.1 -w SECONDS ADDRESS
   */
  async reach(target: string, options: ReachOptions = {}): Promise<boolean> {
    const address = this.lab.resolveTarget(target, { from: this.name });
    const timeoutMs = options.timeoutMs ?? 2000;
    const res = await this.exec(pingArgv(address, options.count ?? 1, timeoutMs), { timeoutMs });
    return res.code === 0 && !res.timedOut;
  }

  /**
   * Opens a TCP connection from inside this node to the target (a node name, resolved from this node, or an
   * address) and closes it again: `{ ok, ms, error }`. Never throws for a connection that fails: `error` says
   * why (`ECONNREFUSED`, `EHOSTUNREACH`, `ETIMEDOUT` when nothing answered within the timeout).
   */
  connect(target: string, port: number, options: ConnectOptions = {}): Promise<ConnectResult> {
    return tcpConnect(this.netns, this.lab.resolveTarget(target, { from: this.name }), port, options.timeoutMs ?? 1000);
  }

  /**
   * Starts a process in the node and returns at once (a string runs with `sh -c`, an argv array as is): its
   * output streams, `exited`, `kill()`, `waitForOutput()`, `waitForPort()`. The lab records it, so `down`
   * ends it (by whichever process); `await using p = await node.spawn(...)` ends it at the end of a scope.
   * NSLAB_NOT_FOUND when the lab is not up.
   *
   * Equivalent to: ip netns exec NETNS CMD... &
   */
  spawn(command: string | readonly string[], options: SpawnOptions = {}): Promise<NodeProcess> {
    const argv = typeof command === 'string' ? ['sh', '-c', command] : [...command];
    return startNodeProcess(this.lab.name, this.name, this.netns, argv, options);
  }

  /**
   * Resolves once a TCP socket listens on `port` in this node, on any address (read over sock_diag, as `ss
   * -ltn` does: no connection is made to it). Rejects with NSLAB_TIMEOUT after `timeoutMs` (default 10,000).
   */
  waitForPort(port: number, options: PortWaitOptions = {}): Promise<void> {
    return waitForListening(this.netns, port, { timeoutMs: options.timeoutMs ?? 10_000, where: `node ${this.name} of lab ${this.lab.name}` });
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
  if (options.dryRun !== true) broughtUp(lab, result);
  return result;
}
