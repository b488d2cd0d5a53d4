/**
 * The controller of a lab over several machines: one engine per host, driven from here over ssh. It asks
 * every host about itself first (`nslab part probe`), so that a host that cannot take its part is named
 * before anything is made anywhere; splits the lab by host (cables.ts); and brings every part up at once
 * (`nslab part up`), each host holding at its gate until all have their network, then letting them all go
 * on (or roll back). It journals each host's part (state.ts); `down` takes every reachable part down,
 * VXLAN devices before namespaces (each host's engine does), and keeps the unreachable ones for a later
 * `down` or `clean`.
 */
import { NslabError } from '../errors.js';
import type { Child } from '../process/index.js';
import type { ResolvedLab } from '../topology/types.js';
import { hostProblems, planCables, splitParts, type HostFacts } from './cables.js';
import type { PartEvent, PartRequest } from './part.js';
import { runNslab, sshFailure, startNslab, stopMasters, type HostRef, type SshOptions } from './ssh.js';
import { lockHosts, newHostsState, readHostsState, removeHostsState, tidyHostsRoot, writeHostsState, type HostsState } from './state.js';
import { nslabVersion } from './version.js';
import { join } from 'node:path';
import { STATE_ROOT } from '../engine/index.js';

export interface HostsOptions {
  ssh?: Omit<SshOptions, 'controlDir'>;
  stateRoot?: string;
  /** The topology file, recorded on the controller and on each host. */
  source?: string;
  /** Called as each host answers, for progress: `host A: ready`. */
  onHost?: (host: string, what: string) => void;
}

function sshOf(options: HostsOptions): SshOptions {
  return { ...options.ssh, controlDir: join(options.stateRoot ?? STATE_ROOT, '.ssh') };
}

function hostRefs(lab: ResolvedLab): HostRef[] {
  return (lab.hosts ?? []).map((h) => ({ name: h.name, ssh: h.ssh }));
}

/** What `nslab hosts check` reports of one host. */
export interface HostCheck {
  name: string;
  ssh: string;
  ok: boolean;
  facts?: HostFacts;
  problems: string[];
  /** Milliseconds the probe took, ssh included. */
  ms: number;
}

/** Asks every host about itself, in parallel; a host that cannot answer is a problem of its own. */
export async function probeHosts(lab: ResolvedLab, options: HostsOptions = {}): Promise<HostCheck[]> {
  const ssh = sshOf(options);
  return Promise.all(
    (lab.hosts ?? []).map(async (h): Promise<HostCheck> => {
      const started = performance.now();
      const input = JSON.stringify({ host: h.name, lab: lab.name, ...(h.underlay !== undefined ? { underlay: h.underlay } : {}) });
      const r = await runNslab(h, ['part', 'probe'], ssh, { input, timeoutMs: 30_000 });
      const ms = Math.round(performance.now() - started);
      if (r.exitCode !== 0) {
        const said = parseError(r.stdout);
        return { name: h.name, ssh: h.ssh, ok: false, problems: [said !== undefined ? `host ${h.name}: ${said}` : sshFailure(h, r)], ms };
      }
      const facts = JSON.parse(r.stdout) as HostFacts;
      const problems = hostProblems([facts], nslabVersion());
      return { name: h.name, ssh: h.ssh, ok: problems.length === 0, facts, problems, ms };
    }),
  );
}

/** The message of an `{ "event": "error" }` or `{ "error": ... }` line a host printed, if any. */
function parseError(stdout: string): string | undefined {
  for (const line of stdout.split('\n').reverse()) {
    try {
      const v = JSON.parse(line) as { event?: string; message?: string; error?: { message?: string } };
      if (v.event === 'error' && v.message !== undefined) return v.message;
      if (v.error?.message !== undefined) return v.error.message;
    } catch {
      // not JSON
    }
  }
  return undefined;
}

/** Checks every host and the cables between them; throws NSLAB_HOST or NSLAB_VNI naming every problem. */
async function checkAll(
  lab: ResolvedLab,
  state: HostsState | undefined,
  options: HostsOptions,
): Promise<{ facts: Map<string, HostFacts>; parts: Map<string, ResolvedLab>; vnis: Record<string, number> }> {
  const checks = await probeHosts(lab, options);
  const bad = checks.filter((c) => !c.ok);
  if (bad.length > 0) {
    throw new NslabError(
      'NSLAB_HOST',
      `lab ${lab.name} cannot be brought up over its hosts; nothing was made on any:\n${bad.flatMap((c) => c.problems.map((p) => `  ${p}`)).join('\n')}`,
    );
  }
  const facts = new Map(checks.map((c) => [c.name, c.facts as HostFacts]));
  const { cables, problems } = planCables(lab, facts, state?.vnis ?? {});
  if (problems.length > 0)
    throw new NslabError(
      'NSLAB_VNI',
      `lab ${lab.name} cannot be brought up as its file says; nothing was made on any host:\n${problems.map((p) => `  ${p}`).join('\n')}`,
    );
  return { facts, parts: splitParts(lab, cables, facts), vnis: Object.fromEntries(cables.map((c) => [c.link.id, c.vni])) };
}

export interface HostsUpResult {
  lab: string;
  changed: boolean;
  existed: boolean;
  /** Per host: what its engine did. */
  hosts: { name: string; changed: boolean; operations: number; ms: number }[];
  /** Operations over all hosts. */
  operations: number;
}

/** A host's part being brought up: the ssh session, and its events as they come. */
class PartSession {
  readonly host: HostRef;
  readonly #child: Child;
  readonly #events: PartEvent[] = [];
  #waiters: (() => void)[] = [];
  #ended = false;
  #buffer = '';
  readonly exited: Promise<{ exitCode: number; stderr: string }>;

  constructor(host: HostRef, child: Child) {
    this.host = host;
    this.#child = child;
    child.stdout?.on('data', (d: Buffer) => {
      this.#buffer += d.toString('utf8');
      let nl: number;
      while ((nl = this.#buffer.indexOf('\n')) >= 0) {
        const line = this.#buffer.slice(0, nl);
        this.#buffer = this.#buffer.slice(nl + 1);
        try {
          this.#events.push(JSON.parse(line) as PartEvent);
        } catch {
          // not an event (a shell's greeting): ignored
        }
        this.#wake();
      }
    });
    this.exited = child.exited.then((e) => {
      this.#ended = true;
      this.#wake();
      return { exitCode: e.exitCode, stderr: child.output().stderr };
    });
  }

  #wake(): void {
    for (const w of this.#waiters.splice(0)) w();
  }

  send(line: string): void {
    this.#child.stdin?.write(`${line}\n`);
  }

  end(): void {
    this.#child.stdin?.end();
  }

  /** The next event, or undefined once the session has ended without one. */
  async next(): Promise<PartEvent | undefined> {
    for (;;) {
      const e = this.#events.shift();
      if (e !== undefined) return e;
      if (this.#ended) return undefined;
      await new Promise<void>((r) => this.#waiters.push(r));
    }
  }

  /** What went wrong, from its events or its exit. */
  async failure(event: PartEvent | undefined): Promise<string> {
    if (event?.event === 'error') return `host ${this.host.name}: ${event.message}`;
    return sshFailure(this.host, await this.exited);
  }
}

/**
 * Brings a lab up over its hosts, or applies the difference to one that is up. All or nothing on a first
 * up: a host that fails (or cannot be reached) makes every other roll its part back.
 */
export async function upHosts(lab: ResolvedLab, options: HostsOptions = {}): Promise<HostsUpResult> {
  const release = await lockHosts(lab.name, options.stateRoot);
  try {
    let state = readHostsState(lab.name, options.stateRoot);
    const existed = state !== undefined && Object.keys(state.hosts).length > 0;
    const { facts, parts, vnis } = await checkAll(lab, state, options);
    state ??= newHostsState(lab.name, options.source);
    if (options.source !== undefined) state.source = options.source;
    // Intent before effect: every host about to get a part is journaled as `making`.
    state.run = { kind: 'up', pid: process.pid, startedAt: new Date().toISOString() };
    const before = { ...state.hosts };
    for (const [name] of parts) {
      const h = lab.hosts?.find((x) => x.name === name) as HostRef;
      state.hosts[name] = { ssh: h.ssh, underlay: facts.get(name)?.underlay.address ?? '', part: before[name]?.part === 'up' ? 'up' : 'making' };
    }
    writeHostsState(state, options.stateRoot);
    const ssh = sshOf(options);
    const sessions = await Promise.all(
      [...parts].map(async ([name, part]) => {
        const host = hostRefs(lab).find((h) => h.name === name) as HostRef;
        const session = new PartSession(host, await startNslab(host, ['part', 'up'], ssh));
        const request: PartRequest = { version: nslabVersion(), part, ...(options.source !== undefined ? { source: options.source } : {}) };
        session.send(JSON.stringify(request));
        return session;
      }),
    );
    // Every host makes its network; none goes on to its exec entries before all have.
    const readiness = await Promise.all(sessions.map(async (s) => ({ s, event: await s.next() })));
    const failed = readiness.filter((r) => r.event?.event !== 'ready');
    if (failed.length > 0) {
      for (const r of readiness) if (r.event?.event === 'ready') r.s.send('abort');
      for (const s of sessions) s.end();
      const reasons = await Promise.all(failed.map((r) => r.s.failure(r.event)));
      await Promise.all(sessions.map((s) => s.exited));
      // Each host rolled its own part back: what the journal said was being made is not there.
      for (const [name] of parts) if (before[name] === undefined) delete state.hosts[name];
      delete state.run;
      if (Object.keys(state.hosts).length === 0) removeHostsState(lab.name, options.stateRoot);
      else writeHostsState(state, options.stateRoot);
      throw new NslabError(
        'NSLAB_HOST',
        `lab ${lab.name} could not be brought up on every host; ${existed ? 'each host undid what this run changed' : 'nothing of it is left on any'}:\n${reasons.map((r) => `  ${r}`).join('\n')}`,
      );
    }
    for (const r of readiness) options.onHost?.(r.s.host.name, 'network made');
    for (const s of sessions) {
      s.send('go');
      s.end();
    }
    const results = await Promise.all(sessions.map(async (s) => ({ s, event: await s.next() })));
    await Promise.all(sessions.map((s) => s.exited));
    const done = results.filter((r): r is { s: PartSession; event: Extract<PartEvent, { event: 'done' }> } => r.event?.event === 'done');
    for (const r of done) state.hosts[r.s.host.name] = { ...(state.hosts[r.s.host.name] as NonNullable<HostsState['hosts'][string]>), part: 'up' };
    const late = results.filter((r) => r.event?.event !== 'done');
    // Hosts that had a part and have none now (their nodes moved, or they left the lab).
    const gone = Object.keys(before).filter((h) => !parts.has(h));
    const goneErrors = await takeDown(
      lab.name,
      gone.map((h) => ({ name: h, ssh: before[h]?.ssh ?? '' })),
      options,
    );
    for (const h of gone) if (!goneErrors.has(h)) delete state.hosts[h];
    state.applied = lab;
    state.vnis = vnis;
    delete state.run;
    writeHostsState(state, options.stateRoot);
    if (late.length > 0 || goneErrors.size > 0) {
      const reasons = [...(await Promise.all(late.map((r) => r.s.failure(r.event)))), ...goneErrors.values()];
      throw new NslabError(
        'NSLAB_HOST',
        `lab ${lab.name} has its network on every host, and then:\n${reasons.map((r) => `  ${r}`).join('\n')}\nnslab status --lab ${lab.name} shows each host; nslab down --lab ${lab.name} takes it down`,
      );
    }
    const hosts = done.map((r) => ({ name: r.s.host.name, changed: r.event.changed, operations: r.event.operations, ms: r.event.ms }));
    return { lab: lab.name, existed, changed: hosts.some((h) => h.changed) || gone.length > 0, hosts, operations: hosts.reduce((n, h) => n + h.operations, 0) };
  } finally {
    release();
    tidyHostsRoot(options.stateRoot);
  }
}

/** Takes the lab down on these hosts in parallel; returns the hosts that could not, with why. */
async function takeDown(lab: string, hosts: readonly HostRef[], options: HostsOptions): Promise<Map<string, string>> {
  const ssh = sshOf(options);
  const failed = new Map<string, string>();
  await Promise.all(
    hosts.map(async (h) => {
      const r = await runNslab(h, ['down', '--lab', lab, '--json'], ssh, { timeoutMs: 120_000 });
      if (r.exitCode !== 0) failed.set(h.name, sshFailure(h, r));
      else options.onHost?.(h.name, 'down');
    }),
  );
  return failed;
}

export interface HostsDownResult {
  lab: string;
  found: boolean;
  /** Hosts whose part went. */
  down: string[];
}

/**
 * Takes a lab over several machines down: every host's part at once (its engine deletes the VXLAN devices
 * before the namespaces). A host that cannot be reached keeps its place in the journal and is named in
 * the error; the others are down. A later `down` (or `clean`) finishes.
 */
export async function downHosts(name: string, lab: ResolvedLab | undefined, options: HostsOptions = {}): Promise<HostsDownResult> {
  const release = await lockHosts(name, options.stateRoot);
  try {
    const state = readHostsState(name, options.stateRoot);
    const hosts: HostRef[] =
      state !== undefined ? Object.entries(state.hosts).map(([h, p]) => ({ name: h, ssh: p.ssh })) : lab !== undefined ? hostRefs(lab) : [];
    if (hosts.length === 0) {
      if (state !== undefined) removeHostsState(name, options.stateRoot);
      return { lab: name, found: state !== undefined, down: [] };
    }
    if (state !== undefined) {
      state.run = { kind: 'down', pid: process.pid, startedAt: new Date().toISOString() };
      writeHostsState(state, options.stateRoot);
    }
    const failed = await takeDown(name, hosts, options);
    const down = hosts.map((h) => h.name).filter((h) => !failed.has(h));
    if (failed.size === 0) {
      removeHostsState(name, options.stateRoot);
      await stopMasters(hosts, sshOf(options));
      return { lab: name, found: true, down };
    }
    const left = state ?? newHostsState(name);
    for (const h of hosts) {
      if (failed.has(h.name)) left.hosts[h.name] = { ...(left.hosts[h.name] ?? { ssh: h.ssh }), part: 'left' };
      else delete left.hosts[h.name];
    }
    delete left.run;
    writeHostsState(left, options.stateRoot);
    await stopMasters(
      hosts.filter((h) => !failed.has(h.name)),
      sshOf(options),
    );
    throw new NslabError(
      'NSLAB_HOST',
      `lab ${name} is down on ${down.length > 0 ? down.join(', ') : 'no host'}; ${failed.size === 1 ? 'one host' : `${failed.size} hosts`} could not take ${failed.size === 1 ? 'its part' : 'their parts'} down:\n${[...failed.values()].map((r) => `  ${r}`).join('\n')}\nWhat is left there stays recorded here: run nslab down --lab ${name} again once ${failed.size === 1 ? 'it answers' : 'they answer'} (or nslab clean on ${failed.size === 1 ? 'that host' : 'those hosts'})`,
    );
  } finally {
    release();
    tidyHostsRoot(options.stateRoot);
  }
}

/** One host's view of the lab: its `nslab status` (JSON), or why it could not say. */
export interface HostStatus {
  name: string;
  ssh: string;
  reachable: boolean;
  part: string;
  error?: string;
  status?: unknown;
}

/** What every host has of the lab now. */
export async function statusHosts(name: string, options: HostsOptions = {}): Promise<{ lab: string; source?: string; hosts: HostStatus[] }> {
  const state = readHostsState(name, options.stateRoot);
  if (state === undefined) throw new NslabError('NSLAB_NOT_FOUND', `no lab named ${name} is up over several hosts; \`nslab ls\` lists the labs`);
  const ssh = sshOf(options);
  const hosts = await Promise.all(
    Object.entries(state.hosts).map(async ([h, p]): Promise<HostStatus> => {
      const ref = { name: h, ssh: p.ssh };
      const r = await runNslab(ref, ['status', '--lab', name, '--json'], ssh, { timeoutMs: 30_000 });
      if (r.exitCode === 0) return { name: h, ssh: p.ssh, reachable: true, part: p.part, status: JSON.parse(r.stdout) as unknown };
      return { name: h, ssh: p.ssh, reachable: r.exitCode !== 255, part: p.part, error: sshFailure(ref, r) };
    }),
  );
  return { lab: name, ...(state.source !== undefined ? { source: state.source } : {}), hosts };
}

/** The host a node of a lab over several machines runs on, from the controller's journal; undefined for a lab of this machine. */
export function hostOfNode(lab: string, node: string, stateRoot?: string): HostRef | undefined {
  const state = readHostsState(lab, stateRoot);
  const n = state?.applied?.nodes.find((x) => x.name === node);
  if (state === undefined || n?.host === undefined) return undefined;
  const part = state.hosts[n.host];
  return part !== undefined ? { name: n.host, ssh: part.ssh } : undefined;
}
