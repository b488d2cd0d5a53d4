/**
 * The `multihost` suite (only with `--only multihost`: it starts simulated hosts, test/helpers/hosts.ts):
 *
 *   chain     a 1,000-node chain, `nslab up` and `nslab down` through the CLI: on one host, and placed
 *             over 4 hosts (3 VXLAN cables), all hosts driven over ssh from the controller
 *   ssh       a command on a host over a new connection, and over the ControlMaster nslab keeps
 *   iperf3    TCP throughput of the tutorial's cable as a VXLAN between two hosts, and as a veth on one
 */
import { execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { nslab } from '../test/helpers/cli.js';
import { simulateHosts, type SimHosts } from '../test/helpers/hosts.js';
import { median } from './lib.js';
import type { ScaleRow } from './scale.js';

const CHAIN = 1000;

function chainYaml(name: string, hosts: string): string {
  let y = `name: ${name}\n${hosts}addressing: { p2p: 10.0.0.0/8 }\nnodes:\n`;
  for (let i = 0; i < CHAIN; i++) y += `  n${i}:\n`;
  y += 'links:\n';
  for (let i = 1; i < CHAIN; i++) y += `  - endpoints: [n${i - 1}, n${i}]\n`;
  return y;
}

function timed(args: string[]): number {
  const t = performance.now();
  const r = nslab(args);
  const ms = performance.now() - t;
  if (r.code !== 0) throw new Error(`nslab ${args.join(' ')} exited ${r.code}: ${r.stderr}`);
  return ms;
}

function ssh(sim: SimHosts, args: string[]): void {
  execFileSync('ssh', ['-F', sim.sshConfig, ...args], { stdio: 'ignore' });
}

/** Mbit/s of a 3-second iperf3 from red to green (10.0.0.2), both run through nslab exec. */
async function iperf(): Promise<number> {
  const server = spawn(process.execPath, [join(process.cwd(), 'dist', 'bin', 'nslab.mjs'), 'exec', 'green', '--', 'iperf3', '-s', '-1'], { stdio: 'ignore' });
  await new Promise((r) => setTimeout(r, 1500));
  const r = nslab(['exec', 'red', '--', 'iperf3', '-c', '10.0.0.2', '-t', '3', '-J']);
  await new Promise((resolve) => server.once('exit', resolve));
  if (r.code !== 0) throw new Error(`iperf3 failed: ${r.stdout}${r.stderr}`);
  return (JSON.parse(r.stdout) as { end: { sum_received: { bits_per_second: number } } }).end.sum_received.bits_per_second / 1e6;
}

export async function suiteMultihost(rows: ScaleRow[], log: (s: string) => void): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'nslab-bench-mh-'));
  const sim = await simulateHosts(['A', 'B', 'C', 'D']);
  try {
    // --- ssh per host ---
    const cold: number[] = [];
    const warm: number[] = [];
    for (let i = 0; i < 5; i++) {
      const t = performance.now();
      ssh(sim, ['-o', 'ControlPath=none', 'root@10.99.0.1', 'true']);
      cold.push(performance.now() - t);
    }
    const master = ['-o', 'ControlMaster=auto', '-o', `ControlPath=${join(dir, '%C')}`, '-o', 'ControlPersist=30'];
    ssh(sim, [...master, 'root@10.99.0.1', 'true']);
    for (let i = 0; i < 10; i++) {
      const t = performance.now();
      ssh(sim, [...master, 'root@10.99.0.1', 'true']);
      warm.push(performance.now() - t);
    }
    ssh(sim, [...master, '-O', 'exit', 'root@10.99.0.1']);
    log(`ssh true: new connection ${median(cold).toFixed(0)} ms, over a ControlMaster ${median(warm).toFixed(1)} ms`);
    rows.push({ suite: 'multihost', contender: 'ssh HOST true, new connection', medianMs: median(cold), runs: cold.length });
    rows.push({ suite: 'multihost', contender: 'ssh HOST true, over a ControlMaster', medianMs: median(warm), runs: warm.length });

    // --- a 1,000-node chain: one host, then 4 ---
    const one = join(dir, 'one.yaml');
    writeFileSync(one, chainYaml('chain1', `hosts:\n  A: { ssh: root@10.99.0.1 }\n`));
    const four = join(dir, 'four.yaml');
    writeFileSync(four, chainYaml('chain4', sim.yaml()));
    for (const [what, file, lab] of [
      ['1 host', one, 'chain1'],
      ['4 hosts', four, 'chain4'],
    ] as const) {
      const up = timed(['up', file]);
      // Checked, not only timed: n249 reaches n250 (link 249's /31, 10.0.1.242-243), a VXLAN over 4 hosts.
      const last = nslab(['exec', 'n249', '--', 'ping', '-c', '1', '-W', '5', '10.0.1.243']);
      const down = timed(['down', '--lab', lab]);
      log(`${CHAIN}-node chain over ${what}: up ${up.toFixed(0)} ms, down ${down.toFixed(0)} ms${last.code === 0 ? '' : ' (n249 did not reach n250!)'}`);
      rows.push({ suite: 'multihost', contender: `nslab up, ${CHAIN}-node chain over ${what}`, medianMs: up, runs: 1, phase: 'up', size: CHAIN });
      rows.push({ suite: 'multihost', contender: `nslab down, ${CHAIN}-node chain over ${what}`, medianMs: down, runs: 1, phase: 'down', size: CHAIN });
    }

    // --- VXLAN against veth ---
    for (const [what, hostOfGreen] of [
      ['VXLAN (A to B)', 'B'],
      ['veth (both on A)', 'A'],
    ] as const) {
      const f = join(dir, `tp-${hostOfGreen}.yaml`);
      writeFileSync(
        f,
        `name: tp\nprefix: ""\n${sim.yaml()}nodes:\n  red: { host: A }\n  green: { host: ${hostOfGreen} }\nlinks:\n  - endpoints: ["red 10.0.0.1/24", "green 10.0.0.2/24"]\n`,
      );
      timed(['up', f]);
      try {
        const mbit = await iperf();
        log(`iperf3 over a ${what}: ${(mbit / 1000).toFixed(1)} Gbit/s`);
        rows.push({ suite: 'multihost', contender: `iperf3 TCP, 3 s, ${what} (Mbit/s, not ms)`, medianMs: mbit, runs: 1 });
      } finally {
        timed(['down', '--lab', 'tp']);
      }
    }
  } finally {
    await sim.close();
    rmSync(dir, { recursive: true, force: true });
  }
}
