/** A node's exec entries, and ending the processes its background entries started. */
import { shellArg, singleQuote } from '../shell-quote.js';
import { inViewText } from './frr.js';
import { fail, noLane, type OpKindSpec } from './kind.js';

/** Commands longer than this are cut with an ellipsis in the phrase (explain() shows them whole). */
const RUN_WIDTH = 60;

function short(run: string): string {
  const one = run.replace(/\s+/g, ' ').trim();
  return one.length > RUN_WIDTH ? `${one.slice(0, RUN_WIDTH - 1)}…` : one;
}

export const exec: OpKindSpec<'exec'> = {
  describe: (op) => `exec ${op.netns}${op.entry.background ? ' (background)' : ''}: ${short(op.entry.run)}`,
  explain: (op) =>
    `${op.frrDir !== undefined ? inViewText(op.netns, op.frrDir, op.node, ['sh', '-c', op.entry.run]) : `ip netns exec ${shellArg(op.netns)} sh -c ${singleQuote(op.entry.run)}`}${op.entry.background ? ' >/dev/null 2>&1 &' : ''}`,
  simulate(op, { lab, nsOf, nextPid }) {
    nsOf(op, op.netns);
    if (op.entry.background) lab.processes.push({ node: op.node, pid: nextPid(), startTime: '0', run: op.entry.run });
  },
  socket: () => undefined,
  lane: noLane,
};

export const procKill: OpKindSpec<'proc.kill'> = {
  describe: (op) => `kill ${op.pid} (node ${op.node})`,
  explain: (op) => `kill ${op.pid}`,
  simulate(op, { lab }) {
    const i = lab.processes.findIndex((p) => p.pid === op.pid);
    if (i < 0) fail(op, `no process ${op.pid} (ESRCH)`);
    lab.processes.splice(i, 1);
  },
  socket: () => undefined,
  lane: noLane,
};
