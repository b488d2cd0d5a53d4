/** nslab wait [FILE | --lab NAME]: until the lab's routing converged, or given pairs reach each other. */
import type { Command } from 'commander';
import type { Lab, WaitOptions } from '../../api/index.js';
import { labName, labOfFile, print, requireRoot } from '../context.js';
import { UsageError } from '../output.js';
import { waitPrinter } from '../progress.js';

export interface WaitFlags {
  timeout: string;
  settle?: string;
  reach: string[];
  allHosts?: boolean;
}

/** Seconds as the flags write them: `90`, `2.5`. */
function seconds(text: string, flag: string): number {
  const n = Number(text);
  if (!/^\d+(\.\d+)?$/.test(text) || !(n > 0)) throw new UsageError(`${flag} takes a number of seconds greater than 0, not "${text}"`);
  return n;
}

/** The library's options from the flags of `wait` (and of `up --wait`). */
export function waitOptions(o: WaitFlags, timeout: string = o.timeout): WaitOptions {
  const pairs = o.reach.map((p): [string, string] => {
    const cut = p.indexOf(':');
    if (cut <= 0 || cut === p.length - 1) throw new UsageError(`--reach takes FROM:TO (a node, then a node or an address), not "${p}"`);
    return [p.slice(0, cut), p.slice(cut + 1)];
  });
  if (pairs.length > 0 && o.allHosts === true) throw new UsageError('give --reach pairs or --all-hosts, not both');
  return {
    timeoutMs: seconds(timeout, '--timeout') * 1000,
    ...(o.settle !== undefined ? { settleMs: seconds(o.settle, '--settle') * 1000 } : {}),
    ...(o.allHosts === true ? { reach: 'hosts' as const } : pairs.length > 0 ? { reach: pairs } : {}),
  };
}

/** Waits with a progress line; returns what to tell. */
export async function waitFor(lab: Lab, options: WaitOptions): Promise<{ text: string; json: unknown }> {
  const line = waitPrinter();
  try {
    const r = await lab.waitConverged({ ...options, ...(line.onProgress !== undefined ? { onProgress: line.onProgress } : {}) });
    const s = (r.ms / 1000).toFixed(1);
    const text =
      r.pairs > 0
        ? `lab ${r.lab}: all ${r.pairs} pair${r.pairs === 1 ? '' : 's'} reach each other (${s} s)`
        : r.routers > 0
          ? `lab ${r.lab}: routing converged on ${r.routers} router${r.routers === 1 ? '' : 's'} (${s} s)`
          : `lab ${r.lab} runs no routing daemon: nothing to wait for`;
    return { text, json: r };
  } finally {
    line.done();
  }
}

export const reachFlag = (pair: string, all: string[]): string[] => [...all, pair];

export function register(program: Command): void {
  program
    .command('wait')
    .description("wait until a lab's routing converged (every router's adjacencies up and its table unchanged), or until given pairs reach each other")
    .argument('[file]', 'topology file of the lab')
    .option('--lab <name>', 'the lab, by name')
    .option('--timeout <seconds>', 'give up after this long (exit code 1)', '120')
    .option('--settle <seconds>', 'how long routing tables must stay unchanged', '1')
    .option('--reach <from:to>', 'wait until FROM reaches TO (a node or an address) instead; repeat for more pairs', reachFlag, [])
    .option('--all-hosts', 'wait until every host reaches every other host instead')
    .option('--json', 'print the result as JSON')
    .action(async (file: string | undefined, o: WaitFlags & { lab?: string; json?: boolean }) => {
      requireRoot('wait');
      const options = waitOptions(o);
      const { Lab } = await import('../../api/lab.js');
      const lab = Lab.open(await labName(o, file, undefined, labOfFile));
      const r = await waitFor(lab, options);
      print(o.json === true, r.json, () => r.text);
    });
}
