/**
 * What a long run prints as it goes: progress on a terminal (`up: 523/1000 operations`), or, with
 * --explain, every step as the commands it equals: a shell script that replayed on a fresh machine makes
 * the same network, in the plan's order (the order the ops finish in is any their dependencies allow).
 */
import type { ConvergeProgress, Plan, ProgressEvent } from '../api/index.js';
import { describe, explain } from '../api/format.js';

/** What heads an --explain script: how to read it, and what nslab does besides. */
export function scriptHeader(what: string): string {
  return [
    '#!/bin/sh',
    `# ${what}: the same steps as ip, tc and sysctl commands, in an order that works (sh runs it as it is).`,
    '# Besides, nslab marks what it makes (the alias',
    "# nslab:LAB:ID on each namespace's lo and each link; its routes carry proto 77, as below), chooses interface",
    '# indexes, and writes /etc/netns/NAMESPACE/hosts so that names resolve.',
    'set -e',
  ].join('\n');
}

/** One op as script lines: its phrase as a comment, then its commands. */
export function scriptLines(op: Plan['ops'][number]): string {
  return `# ${describe(op)}\n${explain(op)}`;
}

/** The whole plan as a script (for --dry-run --explain). */
export function planScript(plan: Plan, what: string): string {
  const lines = [scriptHeader(what)];
  for (const op of plan.ops) lines.push(scriptLines(op));
  if (plan.ops.length === 0) lines.push(`# lab ${plan.lab}: nothing to change`);
  return `${lines.join('\n')}\n`;
}

export function progressPrinter(verb: string, explainSteps: boolean, what = `nslab ${verb}`): ((e: ProgressEvent) => void) | undefined {
  if (explainSteps) {
    // Each op printed once every op before it in the plan has been printed.
    const finished = new Map<number, ProgressEvent['op']>();
    let next = 0;
    let started = false;
    return (e) => {
      if (!started) {
        process.stdout.write(`${scriptHeader(what)}\n`);
        started = true;
      }
      finished.set(e.index, e.op);
      let out = '';
      for (let op = finished.get(next); op !== undefined; op = finished.get(next)) {
        finished.delete(next++);
        out += `${scriptLines(op)}\n`;
      }
      if (out !== '') process.stdout.write(out);
    };
  }
  if (!process.stderr.isTTY) return undefined;
  let last = 0;
  return (e) => {
    if (e.total < 100) return;
    const now = Date.now();
    if (now - last < 100 && e.done < e.total) return;
    last = now;
    process.stderr.write(`\r${verb}: ${e.done}/${e.total} operations`);
    if (e.done === e.total) process.stderr.write('\n');
  };
}

/**
 * The progress line of a wait for convergence, on a terminal only: what is done and the first thing still
 * waited for, rewritten in place and cleared at the end (`done()`).
 */
export function waitPrinter(): { onProgress: ((p: ConvergeProgress) => void) | undefined; done: () => void } {
  if (!process.stderr.isTTY) return { onProgress: undefined, done: () => undefined };
  let shown = false;
  const width = (): number => Math.max(40, (process.stderr.columns || 80) - 1);
  return {
    onProgress: (p) => {
      const what = p.phase === 'reaching' ? 'pairs reach' : p.phase === 'settling' ? 'routers done, tables settling' : 'routers converged';
      const line = `wait: ${p.done}/${p.total} ${what}, ${(p.elapsedMs / 1000).toFixed(1)} s${p.waiting !== undefined ? ` (${p.waiting})` : ''}`;
      process.stderr.write(`\r\x1b[K${line.slice(0, width())}`);
      shown = true;
    },
    done: () => {
      if (shown) process.stderr.write('\r\x1b[K');
    },
  };
}
