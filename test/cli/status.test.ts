import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import type { StatusJson } from '../../src/api/status.js';
import { nslabOk, ROOT } from '../helpers/cli.js';
import { ipJson, needsRoot, sh } from '../helpers/sandbox.js';
import { tutorialLab } from '../helpers/tutorial.js';

interface IpStats {
  ifname: string;
  stats64: { rx: { packets: number; bytes: number; dropped: number; errors: number }; tx: { packets: number; bytes: number; dropped: number; errors: number } };
}

const rveth = (j: StatusJson): NonNullable<StatusJson['nodes'][number]['interfaces'][number]['stats']> => {
  const s = j.nodes.find((n) => n.name === 'red')?.interfaces.find((i) => i.name === 'rveth')?.stats;
  assert.ok(s !== undefined, 'red:rveth has counters');
  return s;
};

describe('nslab status --stats and --watch', { skip: needsRoot }, () => {
  test('counters per interface that move with traffic, and agree with ip -s link', async () => {
    await using lab = tutorialLab('stats');
    await lab.up();
    const red = `${lab.name}-red`;
    const ipStats = (): IpStats['stats64'] => {
      const [s] = ipJson<IpStats[]>(['-s', '-n', red, 'link', 'show', 'rveth']);
      assert.ok(s !== undefined);
      return s.stats64;
    };
    const before = rveth(JSON.parse(nslabOk(['status', '--lab', lab.name, '--stats', '--json']).stdout) as StatusJson);
    sh('ip', ['netns', 'exec', red, 'ping', '-n', '-q', '-c', '5', '-i', '0.05', '10.10.1.3']);
    const witnessBefore = ipStats();
    const after = rveth(JSON.parse(nslabOk(['status', '--lab', lab.name, '--stats', '--json']).stdout) as StatusJson);
    const witnessAfter = ipStats();
    assert.ok(after.txPackets >= before.txPackets + 5, `5 echo requests sent: ${before.txPackets} -> ${after.txPackets}`);
    assert.ok(after.rxPackets >= before.rxPackets + 5, `5 echo replies received: ${before.rxPackets} -> ${after.rxPackets}`);
    assert.ok(after.txBytes >= before.txBytes + 5 * 98, 'each echo is 98 bytes on the wire');
    // The kernel's own count, read just before and just after ours, brackets it.
    for (const [ours, lo, hi] of [
      [after.txPackets, witnessBefore.tx.packets, witnessAfter.tx.packets],
      [after.rxPackets, witnessBefore.rx.packets, witnessAfter.rx.packets],
      [after.txBytes, witnessBefore.tx.bytes, witnessAfter.tx.bytes],
      [after.rxDropped, witnessBefore.rx.dropped, witnessAfter.rx.dropped],
      [after.txErrors, witnessBefore.tx.errors, witnessAfter.tx.errors],
    ] as const)
      assert.ok(lo <= ours && ours <= hi, `${ours} within ip's ${lo}..${hi}`);
    const human = nslabOk(['status', '--lab', lab.name, '--stats']).stdout;
    assert.match(human, /rveth +veth +UP +mtu 1500 +10\.10\.1\.2\/32.*\n +rx \d+ pkts [\d.]+ k?B +tx \d+ pkts [\d.]+ k?B +drops 0\/0 +errors 0\/0/);
    assert.doesNotMatch(nslabOk(['status', '--lab', lab.name]).stdout, /pkts/, 'no counters without --stats');
  });

  test('--watch refreshes every second with rates until Ctrl-C, then exits 0', async () => {
    await using lab = tutorialLab('watch');
    await lab.up();
    const ping = spawn('ip', ['netns', 'exec', `${lab.name}-red`, 'ping', '-n', '-q', '-i', '0.1', '-c', '40', '10.10.1.3'], { stdio: 'ignore' });
    const bundle = join(ROOT, 'dist', 'bin', 'nslab.mjs');
    const main = existsSync(bundle) ? [bundle] : ['--import', 'tsx', join(ROOT, 'src', 'cli', 'main.ts')];
    const watch = spawn(process.execPath, [...main, 'status', '--lab', lab.name, '--watch', '--json'], { cwd: ROOT });
    let out = '';
    watch.stdout.on('data', (d: Buffer) => (out += d.toString()));
    try {
      for (let waited = 0; out.split('\n').filter(Boolean).length < 3 && waited < 15_000; waited += 100) await new Promise((r) => setTimeout(r, 100));
    } finally {
      watch.kill('SIGINT');
      ping.kill();
    }
    const [code] = (await once(watch, 'exit')) as [number | null];
    assert.equal(code, 0);
    const lines = out
      .split('\n')
      .filter(Boolean)
      .map((l) => JSON.parse(l) as StatusJson & { at: string; rates: { node: string; ifname: string; txPackets: number }[] });
    assert.ok(lines.length >= 3, `${lines.length} refreshes`);
    const gap = Date.parse(lines[2]?.at ?? '') - Date.parse(lines[1]?.at ?? '');
    // A second apart, plus what reading the lab took on a busy machine.
    assert.ok(gap >= 900 && gap <= 3000, `a refresh every second (${gap} ms)`);
    assert.deepEqual(lines[0]?.rates, [], 'no rate before a second reading');
    const tx = lines[2]?.rates.find((r) => r.node === 'red' && r.ifname === 'rveth')?.txPackets ?? 0;
    assert.ok(tx >= 4 && tx <= 16, `about 10 echo requests a second (${tx})`);
  });
});
