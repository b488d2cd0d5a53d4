/**
 * The value checks of a scenario (a topology file's `scenario:`, or the steps given to `lab.schedule`):
 * every step has one action, names nodes, interfaces and cables the lab has, and comes no earlier than the
 * step before it. The shape (which keys, which types) is the zod schema's (schema.ts); this reads the
 * input defensively and skips what has the wrong shape, as validate.ts does.
 */
import { parseIp } from './address.js';
import { describeValue } from './shape.js';
import type { Path, Problem } from './issues.js';
import { listWords, quote } from './bounded.js';
import { closest } from './suggest.js';
import type { NodeKind, ScenarioAction, ScenarioCheck, ScenarioLinkChange, ScenarioStep } from './types.js';
import { parseDuration, parseRate } from './units.js';
import { MTU_MAX, MTU_MIN } from './schema.js';

/** What the checks need to know of the lab. */
export interface ScenarioContext {
  /** The node names, in file order. */
  nodes: readonly string[];
  kindOf(node: string): NodeKind | undefined;
  /** The node's interfaces (undefined for an unknown node). */
  interfacesOf(node: string): readonly string[] | undefined;
  /** How many cables join the two nodes. */
  cablesBetween(a: string, b: string): number;
  /** Steps given in code (lab.schedule) may run a function: `{ at, do: () => ... }`. */
  code?: boolean;
}

/** A step that runs a function of the caller's (lab.schedule), at `index` of the steps given. */
export interface CodeStep {
  at: number;
  index: number;
  name?: string;
  code: true;
}

/** The actions a step may have, one each. */
const ACTIONS = ['link', 'cable', 'partition', 'heal', 'expect'] as const;
const CHANGES = ['up', 'rate', 'mtu'] as const;
const KNOWN_KEYS: ReadonlySet<string> = new Set(['at', 'name', ...ACTIONS, ...CHANGES]);
const CHECKS = ['reach', 'no-reach', 'connect', 'no-connect'] as const;
/** The latest a step may run: a day after the start. */
const AT_MAX = { ms: 86_400_000, text: 'a day' };
/**
 * How long a check may take when the step says nothing: a check that must pass ends as soon as it does, so
 * it can wait long (a loaded machine, a server still starting); one that must fail always takes all of it.
 */
export const DEFAULT_CHECK_TIMEOUT_MS: Readonly<Record<ScenarioCheck['kind'], number>> = { reach: 5000, connect: 5000, 'no-reach': 1000, 'no-connect': 1000 };

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** `2000` -> "2s", `1500` -> "1.5s", `250` -> "250ms". */
export function msText(ms: number): string {
  return ms >= 1000 && ms % 100 === 0 ? `${ms / 1000}s` : `${ms}ms`;
}

function unknownNode(node: string, path: Path, ctx: ScenarioContext): Problem {
  const near = closest(node, ctx.nodes);
  return {
    path,
    message: `the lab has no node ${quote(node)}`,
    hint: near !== undefined ? `did you mean ${quote(near)}? the nodes are ${listWords(ctx.nodes)}` : `the nodes are ${listWords(ctx.nodes)}`,
  };
}

function readAt(raw: unknown, path: Path, problems: Problem[], shapeChecked: boolean): number | undefined {
  if (typeof raw === 'number' && Number.isFinite(raw) && raw >= 0 && raw <= AT_MAX.ms) return raw;
  if (typeof raw !== 'string') {
    // The zod schema has said so for a file; steps given in code have only these checks.
    if (!shapeChecked)
      problems.push({
        path,
        message: raw === undefined ? 'the step has no time' : `at must be a duration or milliseconds from 0 to ${AT_MAX.ms}, not ${describeValue(raw)}`,
        hint: 'for example at: 500 (milliseconds) or at: "1.5s"',
      });
    return undefined;
  }
  const d = parseDuration(raw, 'at', AT_MAX);
  if (d.ok) return d.value;
  problems.push({ path, ...d.problem });
  return undefined;
}

function readChange(step: Record<string, unknown>, path: Path, problems: Problem[]): ScenarioLinkChange | undefined {
  const change: ScenarioLinkChange = {};
  let ok = true;
  if (typeof step.up === 'boolean') change.up = step.up;
  if (step.rate === null) change.rate = null;
  else if (typeof step.rate === 'string') {
    const r = parseRate(step.rate);
    if (r.ok) change.rate = r.value;
    else {
      problems.push({ path: [...path, 'rate'], ...r.problem });
      ok = false;
    }
  }
  if (typeof step.mtu === 'number' && Number.isInteger(step.mtu) && step.mtu >= MTU_MIN && step.mtu <= MTU_MAX) change.mtu = step.mtu;
  if (!CHANGES.some((k) => k in step)) {
    problems.push({
      path,
      message: `the step has ${'link' in step ? 'link' : 'cable'} but nothing to change`,
      hint: 'add up: false, up: true, rate: 1mbit or mtu: 1400',
    });
    return undefined;
  }
  return ok ? change : undefined;
}

/** `server:8080`, `10.0.0.2:80`, `[fd00::2]:80` -> target and port. */
function readTargetPort(text: string, path: Path, problems: Problem[]): { target: string; port: number } | undefined {
  const m = /^\[([^\]]+)\]:(\d+)$/.exec(text) ?? /^([^:[\]]+):(\d+)$/.exec(text);
  const port = m !== null ? Number(m[2]) : NaN;
  if (m === null || !(port >= 1 && port <= 65535)) {
    problems.push({
      path,
      message: `${quote(text)} is not a target and a port`,
      hint: 'write NODE:PORT or ADDRESS:PORT, a port from 1 to 65535, for example server:8080, 10.0.0.2:80 or [fd00::2]:80',
    });
    return undefined;
  }
  return { target: m[1] as string, port };
}

function readExpect(raw: unknown, path: Path, ctx: ScenarioContext, problems: Problem[]): ScenarioCheck | undefined {
  if (!isRecord(raw)) return undefined;
  let ok = true;
  const from = typeof raw.from === 'string' ? raw.from : undefined;
  if (from !== undefined && !ctx.nodes.includes(from)) {
    problems.push(unknownNode(from, [...path, 'from'], ctx));
    ok = false;
  }
  const given = CHECKS.filter((k) => k in raw);
  if (given.length !== 1) {
    problems.push({
      path,
      message: given.length === 0 ? 'the check says nothing to check' : `the check has ${listWords(given)}: one check per step`,
      hint: 'give one of reach, no-reach, connect and no-connect, for example expect: { from: client, reach: server }',
    });
    return undefined;
  }
  const kind = given[0] as ScenarioCheck['kind'];
  const value = raw[kind];
  if (typeof value !== 'string') return undefined;
  let target = value;
  let port: number | undefined;
  if (kind === 'connect' || kind === 'no-connect') {
    const tp = readTargetPort(value, [...path, kind], problems);
    if (tp === undefined) return undefined;
    ({ target, port } = tp);
  }
  if (!parseIp(target).ok && !ctx.nodes.includes(target)) {
    problems.push({ ...unknownNode(target, [...path, kind], ctx), message: `${quote(target)} is neither a node of the lab nor an address` });
    ok = false;
  } else if (ctx.kindOf(target) === 'bridge') {
    problems.push({
      path: [...path, kind],
      message: `${target} is a bridge, which has no address to reach`,
      hint: 'check a host or router on its LAN instead',
    });
    ok = false;
  }
  let timeoutMs = DEFAULT_CHECK_TIMEOUT_MS[kind];
  if (typeof raw.timeout === 'string') {
    const d = parseDuration(raw.timeout, 'timeout');
    if (d.ok && d.value > 0) timeoutMs = d.value;
    else {
      problems.push({
        path: [...path, 'timeout'],
        ...(d.ok ? { message: 'a timeout of 0', hint: 'give the check time, for example timeout: 500ms' } : d.problem),
      });
      ok = false;
    }
  }
  if (!ok || from === undefined) return undefined;
  return { from, kind, target, timeoutMs, ...(port !== undefined ? { port } : {}) };
}

export function checkPartition(raw: unknown, path: Path, ctx: ScenarioContext, problems: Problem[]): string[][] | undefined {
  if (!Array.isArray(raw)) return undefined;
  let ok = true;
  if (raw.length < 2) {
    problems.push({
      path,
      message: `a partition splits the lab into at least 2 groups; this has ${raw.length}`,
      hint: 'for example partition: [[client], [server]]',
    });
    ok = false;
  }
  const seen = new Map<string, number>();
  const groups: string[][] = [];
  raw.forEach((g: unknown, i) => {
    if (!Array.isArray(g)) {
      // The zod schema has said so for a file.
      if (ctx.code === true)
        problems.push({
          path: [...path, i],
          message: `a group is a list of node names, not ${describeValue(g)}`,
          hint: "for example lab.partition(['client'], ['server'])",
        });
      if (ctx.code === true) ok = false;
      return;
    }
    if (g.length === 0) {
      problems.push({ path: [...path, i], message: 'an empty group', hint: 'name at least one node in each group' });
      ok = false;
    }
    const group: string[] = [];
    g.forEach((n: unknown, j) => {
      if (typeof n !== 'string') return;
      const at: Path = [...path, i, j];
      if (!ctx.nodes.includes(n)) {
        problems.push(unknownNode(n, at, ctx));
        ok = false;
      } else if (ctx.kindOf(n) === 'bridge') {
        problems.push({
          path: at,
          message: `${n} is a bridge: it passes frames and has no address of its own`,
          hint: 'name the hosts and routers on its LAN instead',
        });
        ok = false;
      } else if (seen.has(n)) {
        problems.push({ path: at, message: `${n} is in group ${seen.get(n) ?? 0} already`, hint: 'each node goes in one group' });
        ok = false;
      }
      seen.set(n, i);
      group.push(n);
    });
    groups.push(group);
  });
  return ok ? groups : undefined;
}

function readAction(
  step: Record<string, unknown>,
  path: Path,
  ctx: ScenarioContext,
  problems: Problem[],
  partitioned: boolean,
): ScenarioAction | 'code' | undefined {
  const given: string[] = ACTIONS.filter((k) => k in step);
  if (ctx.code === true && 'do' in step) given.push('do');
  const unknown = Object.keys(step).filter((k) => !KNOWN_KEYS.has(k) && !(ctx.code === true && k === 'do'));
  if (unknown.length > 0) {
    // A file's unknown keys are the shape check's to report (with a "did you mean").
    if (ctx.code === true)
      problems.push({
        path: [...path, unknown[0] as string],
        at: 'key',
        message: `unknown key ${quote(unknown[0] as string)}`,
        hint: `a step takes ${listWords([...KNOWN_KEYS, 'do'])}`,
      });
    if (given.length === 0) return undefined;
  }
  if (given.length !== 1) {
    problems.push({
      path,
      message: given.length === 0 ? 'the step does nothing' : `the step has ${listWords(given)}: one action per step`,
      hint: `give one of link, cable, partition, heal${ctx.code === true ? ', expect and do' : ' and expect'} (write two steps at the same time for two actions)`,
    });
    return undefined;
  }
  if (given[0] === 'do') {
    if (typeof step.do === 'function') return 'code';
    problems.push({ path: [...path, 'do'], message: 'do must be a function', hint: 'for example { at: 500, do: () => server.kill() }' });
    return undefined;
  }
  const kind = given[0] as (typeof ACTIONS)[number];
  const changes = CHANGES.filter((k) => k in step);
  if (kind !== 'link' && kind !== 'cable' && changes.length > 0) {
    problems.push({
      path: [...path, changes[0] as string],
      at: 'key',
      message: `${changes[0] ?? ''} goes with link or cable, not ${kind}`,
      hint: 'remove it, or make the step a link or cable step',
    });
    return undefined;
  }
  switch (kind) {
    case 'link': {
      if (typeof step.link !== 'string') return undefined;
      const [node = '', ifname] = step.link.split(':');
      const interfaces = ctx.interfacesOf(node);
      if (interfaces === undefined) {
        problems.push(unknownNode(node, [...path, 'link'], ctx));
        return undefined;
      }
      if (ifname === undefined || !interfaces.includes(ifname)) {
        problems.push({
          path: [...path, 'link'],
          message: ifname === undefined ? `${quote(step.link)} names no interface` : `node ${node} has no interface ${quote(ifname)}`,
          hint: interfaces.length === 0 ? `${node} has no cables` : `write NODE:INTERFACE; ${node}'s interfaces are ${listWords(interfaces)}`,
        });
        return undefined;
      }
      const change = readChange(step, path, problems);
      return change !== undefined ? { kind: 'link', node, ifname, change } : undefined;
    }
    case 'cable': {
      if (!Array.isArray(step.cable) || step.cable.length !== 2) {
        if (Array.isArray(step.cable))
          problems.push({
            path: [...path, 'cable'],
            message: `a cable has 2 ends; this names ${step.cable.length}`,
            hint: 'for example cable: [client, router]',
          });
        return undefined;
      }
      const [a, b] = step.cable as unknown[];
      if (typeof a !== 'string' || typeof b !== 'string') return undefined;
      let ok = true;
      for (const [i, n] of [a, b].entries()) {
        if (!ctx.nodes.includes(n)) {
          problems.push(unknownNode(n, [...path, 'cable', i], ctx));
          ok = false;
        }
      }
      if (ok) {
        const count = ctx.cablesBetween(a, b);
        if (count !== 1) {
          problems.push({
            path: [...path, 'cable'],
            message: count === 0 ? `no cable joins ${a} and ${b}` : `${count} cables join ${a} and ${b}`,
            hint:
              count === 0
                ? `a cable step names the two nodes of one link; for nodes on one LAN, name a node and its bridge, or use link: NODE:INTERFACE`
                : `name one end instead, with link: ${a}:INTERFACE`,
          });
          ok = false;
        }
      }
      const change = readChange(step, path, problems);
      return ok && change !== undefined ? { kind: 'cable', nodes: [a, b], change } : undefined;
    }
    case 'partition': {
      const groups = checkPartition(step.partition, [...path, 'partition'], ctx, problems);
      return groups !== undefined ? { kind: 'partition', groups } : undefined;
    }
    case 'heal':
      if (!partitioned) {
        problems.push({
          path: [...path, 'heal'],
          message: 'heal comes before any partition',
          hint: 'heal undoes the partitions of earlier steps: add a partition step before it, or remove this one',
        });
        return undefined;
      }
      return { kind: 'heal' };
    case 'expect': {
      const check = readExpect(step.expect, [...path, 'expect'], ctx, problems);
      return check !== undefined ? { kind: 'expect', check } : undefined;
    }
    default:
      return undefined;
  }
}

/**
 * Checks the steps at `path` (an array, else nothing: the shape check says so) and returns them resolved,
 * or nothing when any is wrong (every problem is pushed).
 */
export function checkScenario(raw: unknown, path: Path, ctx: ScenarioContext, problems: Problem[]): (ScenarioStep | CodeStep)[] | undefined {
  if (!Array.isArray(raw)) return undefined;
  const before = problems.length;
  const steps: (ScenarioStep | CodeStep)[] = [];
  let last: { at: number; index: number } | undefined;
  let partitioned = false;
  raw.forEach((step: unknown, i) => {
    if (!isRecord(step)) return;
    const stepPath: Path = [...path, i];
    const at = readAt(step.at, [...stepPath, 'at'], problems, ctx.code !== true);
    if (at !== undefined && last !== undefined && at < last.at) {
      problems.push({
        path: [...stepPath, 'at'],
        message: `this step, at ${msText(at)}, comes after step ${last.index}, at ${msText(last.at)}`,
        hint: 'steps run in file order: put this one before it, or give it a later time',
      });
    }
    if (at !== undefined) last = { at, index: i };
    const action = readAction(step, stepPath, ctx, problems, partitioned);
    // A wrong partition is reported as itself; the heal after it is not wrong too.
    if ('partition' in step) partitioned = true;
    if (at === undefined || action === undefined) return;
    const name = typeof step.name === 'string' ? { name: step.name } : {};
    steps.push(action === 'code' ? { at, index: i, code: true, ...name } : { at, action, ...name });
  });
  return problems.length === before ? steps : undefined;
}
