/**
 * `nslab status [FILE | --lab NAME] [--stats] [--watch] [--json]`: what the kernel says of a lab; with
 * --stats each interface's counters, with --watch the same refreshed in place every second with rates.
 */
import type { Command } from 'commander';
import { setTimeout as sleep } from 'node:timers/promises';
import { labCounters, ratesBetween, type InterfaceCounters } from '../../api/counters.js';
import { status, type LabStatus } from '../../api/lifecycle.js';
import { labName, labOfFile, print, requireRoot } from '../context.js';
import { formatStatus, statusJson } from '../output.js';

/** Clears the terminal and puts the cursor home, so that each refresh replaces the last. */
const CLEAR = '\x1b[H\x1b[2J';

export function register(program: Command): void {
  program
    .command('status')
    .description('what the kernel says of a lab: nodes, interfaces, addresses, link state, routes; with --stats, counters')
    .argument('[file]', 'topology file of the lab')
    .option('--lab <name>', 'the lab, by name')
    .option('--stats', 'packets, bytes, drops and errors of each interface, each way')
    .option('--watch', 'refresh every second, in place, with rates (implies --stats; Ctrl-C stops)')
    .option('--json', 'print as JSON (with --watch: one line of JSON per second)')
    .action(async (file: string | undefined, o: { lab?: string; json?: boolean; stats?: boolean; watch?: boolean }) => {
      requireRoot('status');
      const name = await labName(o, file, undefined, labOfFile);
      const api = await import('../../api/index.js');
      if (api.isOverHosts(name)) {
        const over = await api.statusOverHosts(name);
        print(o.json === true, over, () =>
          [
            `lab ${name} over ${over.hosts.length} hosts${over.source !== undefined ? ` (${over.source})` : ''}:`,
            ...over.hosts.map((h) =>
              h.status !== undefined
                ? `host ${h.name} (${h.ssh}): up, ${(h.status as { nodes?: unknown[] }).nodes?.length ?? 0} nodes`
                : `host ${h.name} (${h.ssh}): ${h.reachable ? 'answers, and has no part of the lab' : 'GONE'}: ${h.error ?? ''}`,
            ),
          ].join('\n'),
        );
        if (over.hosts.some((h) => h.status === undefined)) process.exitCode = 1;
        return;
      }
      const read = async (): Promise<{ s: LabStatus; counters?: InterfaceCounters[] }> => {
        const [s, counters] = await Promise.all([status(name), o.stats === true || o.watch === true ? labCounters(name) : undefined]);
        return counters !== undefined ? { s, counters } : { s };
      };
      if (o.watch !== true) {
        const { s, counters } = await read();
        print(o.json === true, statusJson(s, counters), () => formatStatus(s, counters));
        return;
      }
      let stop = false;
      const onSigint = (): void => {
        stop = true;
      };
      process.once('SIGINT', onSigint);
      try {
        let last: { at: number; counters: InterfaceCounters[] } | undefined;
        while (!stop) {
          const at = Date.now();
          const { s, counters = [] } = await read();
          const rates = last !== undefined ? ratesBetween(last.counters, counters, (at - last.at) / 1000) : undefined;
          last = { at, counters };
          if (o.json === true) process.stdout.write(`${JSON.stringify({ at: new Date(at).toISOString(), ...statusJson(s, counters), rates: rates ?? [] })}\n`);
          else {
            const text = `${formatStatus(s, counters, rates)}\n\n${new Date(at).toLocaleTimeString()}: every second; Ctrl-C stops\n`;
            process.stdout.write(process.stdout.isTTY ? `${CLEAR}${text}` : `${text}\n`);
          }
          const wait = 1000 - (Date.now() - at);
          for (let waited = 0; waited < wait && !stop; waited += 50) await sleep(Math.min(50, wait - waited));
        }
      } finally {
        process.off('SIGINT', onSigint);
      }
    });
}
