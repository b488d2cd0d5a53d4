/**
 * Timed faults and checks in a running lab: `lab.schedule(steps)` in code and a topology file's
 * `scenario:` (run by `nslab run FILE`) are the same steps, checked by the same rules (topology/scenario.ts)
 * and run here. Steps run in order, each at its time from the start (or at once, when the step before it
 * ran late); a check that fails is recorded and the steps after it still run (a heal after a failed check
 * must still heal), and `done` then rejects with NSLAB_EXPECTATION naming every failed step.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { NslabError, TopologyError } from '../errors.js';
import { rateText } from '../plan/index.js';
import {
  checkScenario,
  DEFAULT_CHECK_TIMEOUT_MS,
  msText,
  type CodeStep,
  type ScenarioAction,
  type ScenarioCheck,
  type ScenarioLinkChange,
  type ScenarioStep,
} from '../topology/index.js';
import type { TopologyInput } from '../topology/index.js';
import { toIssues } from '../topology/issues.js';
import { scenarioContext, type Partition } from './faults.js';
import type { Lab } from './lab.js';
import { tcpConnect } from './net.js';

/** A step as a topology file's `scenario:` writes it: `{ at: '1s', partition: [['a'], ['b']] }`, `{ at: 500, expect: { from: 'a', reach: 'b' } }`. */
export type ScenarioStepInput = NonNullable<TopologyInput['scenario']>[number];

/** A step that runs a function of yours at its time (in code only). */
export interface CodeStepInput {
  /** Milliseconds from the start, or a duration such as '1.5s'. */
  at: number | string;
  name?: string;
  /** Called with the lab; the schedule waits for what it returns. A throw stops the schedule. */
  do: (lab: Lab) => unknown;
}

export type ScheduleStep = ScenarioStepInput | CodeStepInput;

/** How one step went. */
export interface StepResult {
  /** Its index in the steps given. */
  index: number;
  /** Its time, in milliseconds from the start. */
  at: number;
  name?: string;
  /** What it does, as the timeline prints it: `partition client | server`, `expect client reaches server`. */
  description: string;
  /** When it started, in milliseconds from the start (later than `at` when the step before it ran late). */
  startedMs: number;
  /** How long it took. */
  ms: number;
  /** False for a failed check (or a step that threw). */
  ok: boolean;
  /** What a check found: `reached 10.0.1.2`, `no answer from 10.0.1.2 within 300ms`. */
  detail?: string;
}

export interface ScheduleResult {
  /** Every check passed (and no step threw). */
  ok: boolean;
  /** `cancel()` stopped it before its last step. */
  cancelled: boolean;
  steps: StepResult[];
  /** The failed steps. */
  failures: StepResult[];
}

export interface ScheduleOptions {
  /** Told each step as it ends (how `nslab run` prints its timeline). */
  onStep?: (step: StepResult) => void;
  /** Aborting it cancels the schedule, as `cancel()` does. */
  signal?: AbortSignal;
}

/** A schedule under way. */
export interface Schedule {
  /**
   * Resolves once every step has run (or after `cancel()`) with what each did; rejects with NSLAB_EXPECTATION
   * when a check failed (the error's message names each failed step, its `result` holds them all), or with
   * the error of a step that threw (its message names the step; the later steps do not run).
   */
  readonly done: Promise<ScheduleResult>;
  /** Stops before the next step (a step under way finishes). What ran stays done: heal or take the lab down. */
  cancel(): void;
}

/** A failed check of a schedule or scenario: the message names each failed step. */
export class ScheduleError extends NslabError {
  readonly result: ScheduleResult;
  constructor(message: string, result: ScheduleResult) {
    super('NSLAB_EXPECTATION', message);
    this.name = 'ScheduleError';
    this.result = result;
  }
}

/** How the timeline names a step: `step 3 (at 1.5s, expect client reaches server)`. */
export function stepLabel(step: Pick<StepResult, 'index' | 'at' | 'name' | 'description'>): string {
  return `step ${step.index}${step.name !== undefined ? ` "${step.name}"` : ''} (at ${msText(step.at)}, ${step.description})`;
}

function changeText(change: ScenarioLinkChange): string {
  return [
    ...(change.up !== undefined ? [change.up ? 'up' : 'down'] : []),
    ...(change.rate !== undefined ? [change.rate === null ? 'no rate limit' : `rate ${rateText(change.rate)}`] : []),
    ...(change.mtu !== undefined ? [`mtu ${change.mtu}`] : []),
  ].join(', ');
}

function checkText(c: ScenarioCheck): string {
  const target = c.port !== undefined ? `${c.target.includes(':') ? `[${c.target}]` : c.target}:${c.port}` : c.target;
  const verb = { reach: 'reaches', 'no-reach': 'does not reach', connect: 'connects to', 'no-connect': 'cannot connect to' }[c.kind];
  return `expect ${c.from} ${verb} ${target}${c.timeoutMs !== DEFAULT_CHECK_TIMEOUT_MS[c.kind] ? ` within ${msText(c.timeoutMs)}` : ''}`;
}

export function describeAction(a: ScenarioAction): string {
  switch (a.kind) {
    case 'link':
      return `link ${a.node}:${a.ifname} ${changeText(a.change)}`;
    case 'cable':
      return `cable ${a.nodes[0]}--${a.nodes[1]} ${changeText(a.change)}`;
    case 'partition':
      return `partition ${a.groups.map((g) => g.join(',')).join(' | ')}`;
    case 'heal':
      return 'heal';
    case 'expect':
      return checkText(a.check);
  }
}

/** Checks steps given in code against the lab; throws TopologyError listing every problem. */
export function checkSteps(lab: Lab, steps: readonly ScheduleStep[]): (ScenarioStep | CodeStep)[] {
  const problems: Parameters<typeof checkScenario>[3] = [];
  const checked = checkScenario(steps, ['steps'], scenarioContext(lab, true), problems);
  if (checked === undefined || problems.length > 0) throw new TopologyError(toIssues(problems, { steps }), `lab.schedule() of lab ${lab.name}`);
  return checked;
}

/** Runs one check: ok, and what it found. */
async function runCheck(lab: Lab, c: ScenarioCheck): Promise<{ ok: boolean; detail: string }> {
  const node = lab.node(c.from);
  const address = lab.resolveTarget(c.target, { from: c.from });
  const within = `within ${msText(c.timeoutMs)}`;
  switch (c.kind) {
    case 'reach':
    case 'no-reach': {
      const reached = await node.reach(address, { timeoutMs: c.timeoutMs });
      return { ok: reached === (c.kind === 'reach'), detail: reached ? `reached ${address}` : `no answer from ${address} ${within}` };
    }
    case 'connect': {
      // Until the time is up: a server may still be starting (refused), a route still coming.
      const deadline = performance.now() + c.timeoutMs;
      for (;;) {
        const left = Math.max(1, deadline - performance.now());
        const r = await tcpConnect(node.netns, address, c.port ?? 0, left);
        if (r.ok) return { ok: true, detail: `connected to ${address}:${r.port} in ${Math.round(r.ms)} ms` };
        if (performance.now() >= deadline || r.error === 'ETIMEDOUT')
          return { ok: false, detail: `no connection to ${address}:${r.port} ${within} (${r.error ?? '?'})` };
        await sleep(Math.min(50, Math.max(1, deadline - performance.now())));
      }
    }
    case 'no-connect': {
      const r = await tcpConnect(node.netns, address, c.port ?? 0, c.timeoutMs);
      return {
        ok: !r.ok,
        detail: r.ok ? `connected to ${address}:${r.port} in ${Math.round(r.ms)} ms` : `no connection to ${address}:${r.port} (${r.error ?? '?'})`,
      };
    }
  }
}

/** Runs checked steps against the lab. `code` holds the functions of code steps, by index. */
export function runSchedule(
  lab: Lab,
  steps: readonly (ScenarioStep | CodeStep)[],
  code: ReadonlyMap<number, CodeStepInput['do']>,
  options: ScheduleOptions = {},
): Schedule {
  const cancelled = new AbortController();
  const onAbort = (): void => cancelled.abort();
  options.signal?.addEventListener('abort', onAbort, { once: true });
  if (options.signal?.aborted === true) cancelled.abort();
  const partitions: Partition[] = [];
  const run = async (): Promise<ScheduleResult> => {
    const start = performance.now();
    const results: StepResult[] = [];
    let stopped = false;
    try {
      for (const [i, step] of steps.entries()) {
        const index = 'code' in step ? step.index : i;
        // Node's timers count whole milliseconds of a coarser clock and may fire a little before the time
        // performance.now() gives: wait again for what is left, so no step starts before its time.
        for (let wait = start + step.at - performance.now(); wait > 0 && !cancelled.signal.aborted; wait = start + step.at - performance.now())
          await sleep(Math.ceil(wait), undefined, { signal: cancelled.signal }).catch(() => undefined);
        if (cancelled.signal.aborted) {
          stopped = true;
          break;
        }
        const description = 'code' in step ? 'do' : describeAction(step.action);
        const began = performance.now();
        const base = { index, at: step.at, ...(step.name !== undefined ? { name: step.name } : {}), description, startedMs: began - start };
        let outcome: { ok: boolean; detail?: string };
        try {
          outcome = await runStep(lab, step, code, partitions);
        } catch (e) {
          const result: StepResult = { ...base, ms: performance.now() - began, ok: false, detail: (e as Error).message };
          results.push(result);
          options.onStep?.(result);
          throw new NslabError(e instanceof NslabError ? e.code : 'NSLAB_EXEC', `${stepLabel(result)} failed: ${(e as Error).message}`, { cause: e });
        }
        const result: StepResult = { ...base, ms: performance.now() - began, ...outcome };
        results.push(result);
        options.onStep?.(result);
      }
    } finally {
      options.signal?.removeEventListener('abort', onAbort);
    }
    const failures = results.filter((r) => !r.ok);
    const result: ScheduleResult = { ok: failures.length === 0, cancelled: stopped, steps: results, failures };
    if (failures.length > 0)
      throw new ScheduleError(
        `${failures.length === 1 ? 'a check' : `${failures.length} checks`} of lab ${lab.name} failed:\n${failures.map((f) => `  ${stepLabel(f)}: ${f.detail ?? ''}`).join('\n')}`,
        result,
      );
    return result;
  };
  const done = run();
  // A rejection is the caller's to see when it awaits `done`; unawaited, it must not end the process.
  done.catch(() => undefined);
  return { done, cancel: () => cancelled.abort() };
}

async function runStep(
  lab: Lab,
  step: ScenarioStep | CodeStep,
  code: ReadonlyMap<number, CodeStepInput['do']>,
  partitions: Partition[],
): Promise<{ ok: boolean; detail?: string }> {
  if ('code' in step) {
    await code.get(step.index)?.(lab);
    return { ok: true };
  }
  const a = step.action;
  switch (a.kind) {
    case 'link':
      await lab.link(`${a.node}:${a.ifname}`).set(a.change);
      return { ok: true };
    case 'cable':
      await lab.cable(a.nodes[0], a.nodes[1]).set(a.change);
      return { ok: true };
    case 'partition':
      partitions.push(await lab.partition(...a.groups));
      return { ok: true };
    case 'heal':
      await Promise.all(partitions.splice(0).map((p) => p.heal()));
      return { ok: true };
    case 'expect':
      return runCheck(lab, a.check);
  }
}
