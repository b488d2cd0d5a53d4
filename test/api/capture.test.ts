import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { PcapReader } from '../../src/api/pcap.js';
import { locateFilterError } from '../../src/api/capture.js';
import { NslabError } from '../../src/index.js';
import { nslab, nslabOk, ROOT } from '../helpers/cli.js';
import { inWorld, needsRoot } from '../helpers/sandbox.js';
import { tutorialLab } from '../helpers/tutorial.js';

/** A pcap stream: the global header, then records of `packets`, in the given byte order and resolution. */
function pcapOf(packets: { sec: number; frac: number; data: number[] }[], little = true, nano = false): Buffer {
  const u32 = (v: number): Buffer => {
    const b = Buffer.alloc(4);
    if (little) b.writeUInt32LE(v >>> 0);
    else b.writeUInt32BE(v >>> 0);
    return b;
  };
  const u16 = (v: number): Buffer => {
    const b = Buffer.alloc(2);
    if (little) b.writeUInt16LE(v);
    else b.writeUInt16BE(v);
    return b;
  };
  return Buffer.concat([
    u32(nano ? 0xa1b23c4d : 0xa1b2c3d4),
    u16(2),
    u16(4),
    u32(0),
    u32(0),
    u32(262144),
    u32(1),
    ...packets.flatMap((p) => [u32(p.sec), u32(p.frac), u32(p.data.length), u32(p.data.length + 10), Buffer.from(p.data)]),
  ]);
}

describe('pcap stream reader (no root needed)', () => {
  test('packets split anywhere across chunks, both byte orders, micro- and nanoseconds', () => {
    for (const [little, nano] of [
      [true, false],
      [false, false],
      [true, true],
    ] as const) {
      const bytes = pcapOf(
        [
          { sec: 1_700_000_000, frac: nano ? 250_000_000 : 250_000, data: [1, 2, 3] },
          { sec: 1_700_000_001, frac: 0, data: [9, 8, 7, 6, 5] },
        ],
        little,
        nano,
      );
      for (let cut = 1; cut < bytes.length; cut += 7) {
        const r = new PcapReader();
        const got = [...r.push(bytes.subarray(0, cut)), ...r.push(bytes.subarray(cut))];
        assert.equal(r.linkType, 1);
        assert.deepEqual(
          got.map((p) => [p.time, p.length, [...p.data]]),
          [
            [1_700_000_000.25, 13, [1, 2, 3]],
            [1_700_000_001, 15, [9, 8, 7, 6, 5]],
          ],
        );
      }
    }
    assert.throws(
      () => new PcapReader().push(Buffer.alloc(24, 7)),
      (e: unknown) => e instanceof NslabError && e.code === 'NSLAB_CAPTURE',
    );
  });

  test('a filter tcpdump rejects is located at its word', async (t) => {
    if (spawnSync('tcpdump', ['--version']).status !== 0) return t.skip('needs tcpdump');
    assert.equal(await locateFilterError('icmp or tcp port 80'), undefined);
    assert.match((await locateFilterError('tcp prot 80')) ?? '', /tcp prot 80\n {6}\^{4} tcpdump takes "tcp"; the trouble is at word 2, "prot"/);
    assert.match((await locateFilterError('icmp and udp portt 53')) ?? '', /takes "icmp and udp"; the trouble is at word 4, "portt"/);
  });
});

describe('capture (tcpdump in the node)', { skip: needsRoot }, () => {
  const notInWorld = inWorld && 'tcpdump cannot switch users in a world: the refusal is tested instead';

  test(
    'node.capture during `nslab ping red green`: the echo requests and replies between 10.10.1.2 and 10.10.1.3, with their bytes',
    { skip: notInWorld },
    async () => {
      await using lab = tutorialLab('cap');
      await lab.up();
      const cap = await lab.node('red').capture('rveth', { filter: 'icmp' });
      nslabOk(['ping', '--lab', lab.name, 'red', 'green', '-c', '3']);
      const packets = await cap.stop();
      const summaries = packets.map((p) => p.summary);
      assert.equal(
        summaries.filter((s) => /^IP 10\.10\.1\.2 > 10\.10\.1\.3: ICMP echo request, id \d+, seq \d, length 64$/.test(s)).length,
        3,
        summaries.join('\n'),
      );
      assert.equal(
        summaries.filter((s) => /^IP 10\.10\.1\.3 > 10\.10\.1\.2: ICMP echo reply, id \d+, seq \d, length 64$/.test(s)).length,
        3,
        summaries.join('\n'),
      );
      assert.equal(packets.length, 6, 'the filter let nothing else through');
      const now = Date.now() / 1000;
      for (const p of packets) {
        assert.ok(Math.abs(now - p.time) < 60, 'a time of now');
        const d = Buffer.from(p.data ?? []);
        assert.equal(p.length, 98, 'Ethernet + IPv4 + ICMP + 56 bytes of ping');
        assert.equal(d.readUInt16BE(12), 0x0800, 'IPv4 in Ethernet');
        assert.equal(d[23], 1, 'ICMP');
        const [src, dst] = [d.subarray(26, 30).join('.'), d.subarray(30, 34).join('.')];
        assert.deepEqual(d[34] === 8 ? [src, dst] : [dst, src], ['10.10.1.2', '10.10.1.3'], `type ${d[34]} from ${src} to ${dst}`);
      }
      assert.deepEqual(
        packets.map((p) => Buffer.from(p.data ?? [])[34]),
        [8, 0, 8, 0, 8, 0],
        'request, reply, in order',
      );
      assert.throws(() => lab.node('red').capture('eth9'), /node red has no interface eth9; its interfaces are rveth/);
    },
  );

  test(
    'in a world (npm test without root): node.capture and nslab capture refuse before tcpdump starts, saying why and what to do',
    { skip: !inWorld && 'only in a world' },
    async () => {
      await using lab = tutorialLab('capworld');
      await lab.up();
      const why = /cannot capture on red:rveth in your nslab world: tcpdump switches to a user of its own .* capture as root \(sudo nslab capture \.\.\.\)/;
      await assert.rejects(
        () => lab.node('red').capture('rveth'),
        (e: unknown) => e instanceof NslabError && e.code === 'NSLAB_CAPTURE' && why.test(e.message),
      );
      const r = nslab(['capture', 'red:rveth', '--lab', lab.name, '-c', '1']);
      assert.equal(r.code, 1, r.stderr);
      assert.match(r.stderr, why);
      assert.match(r.stderr, /\[NSLAB_CAPTURE\]/);
    },
  );

  test(
    'nslab capture: summaries like tcpdump -n, pcap to a file that tcpdump -r reads, pcap on stdout, and every bad input',
    { skip: notInWorld },
    async () => {
      await using lab = tutorialLab('capcli');
      await lab.up();
      const red = `${lab.name}-red`;
      // The CLI is spawned asynchronously, and red pings once it says it captures (not after a guessed delay:
      // on a busy machine starting it can take seconds). A capture that never ends is killed after 30 s.
      const bundle = join(ROOT, 'dist', 'bin', 'nslab.mjs');
      const runCli = (args: string[]): Promise<{ code: number | null; stdout: Buffer; stderr: string }> =>
        new Promise((resolve) => {
          const child = spawn(process.execPath, [bundle, ...args], { cwd: ROOT });
          const out: Buffer[] = [];
          let err = '';
          let pinged = false;
          const guard = setTimeout(() => child.kill('SIGTERM'), 30_000);
          child.stdout.on('data', (d: Buffer) => out.push(d));
          child.stderr.on('data', (d: Buffer) => {
            err += d.toString();
            if (!pinged && err.includes('capturing on')) {
              pinged = true;
              spawn('ip', ['netns', 'exec', red, 'ping', '-n', '-c', '2', '-i', '0.2', '10.10.1.3'], { stdio: 'ignore' });
            }
          });
          child.once('close', (code) => {
            clearTimeout(guard);
            resolve({ code, stdout: Buffer.concat(out), stderr: err });
          });
        });

      const lines = await runCli(['capture', `red:rveth`, '--lab', lab.name, '--filter', 'icmp', '--count', '4']);
      assert.equal(lines.code, 0, lines.stderr);
      assert.match(
        lines.stdout.toString(),
        /^\d\d:\d\d:\d\d\.\d{6} IP 10\.10\.1\.2 > 10\.10\.1\.3: ICMP echo request, id \d+, seq 1, length 64\n\d\d:\d\d:\d\d\.\d{6} IP 10\.10\.1\.3 > 10\.10\.1\.2: ICMP echo reply, id \d+, seq 1, length 64\n/,
      );
      assert.match(lines.stderr, /capturing on red:rveth .*\n.*4 packets captured on red:rveth/);

      const dir = mkdtempSync(join(tmpdir(), 'nslab-cap-'));
      try {
        const file = join(dir, 'red.pcap');
        const written = await runCli(['capture', 'red:rveth', '--lab', lab.name, '-c', '4', '--filter', 'icmp', '-w', file]);
        assert.equal(written.code, 0, written.stderr);
        const read = spawnSync('tcpdump', ['-n', '-r', file], { encoding: 'utf8' });
        assert.equal(read.status, 0, read.stderr);
        assert.equal(read.stdout.match(/IP 10\.10\.1\.2 > 10\.10\.1\.3: ICMP echo request/g)?.length, 2);
        assert.equal(read.stdout.match(/IP 10\.10\.1\.3 > 10\.10\.1\.2: ICMP echo reply/g)?.length, 2);

        const piped = await runCli(['capture', 'red:rveth', '--lab', lab.name, '-c', '4', '--filter', 'icmp', '-w', '-']);
        assert.equal(piped.code, 0, piped.stderr);
        assert.equal(piped.stdout.readUInt32LE(0), 0xa1b2c3d4, 'standard output is a pcap stream');
        const fromStdin = spawnSync('tcpdump', ['-n', '-r', '-'], { input: piped.stdout, encoding: 'utf8' });
        assert.equal(fromStdin.stdout.match(/ICMP echo (request|reply)/g)?.length, 4, fromStdin.stderr);
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }

      // A node or interface the lab does not have: 2 with what is (as for exec and ping); a lab not up: 1; bad input: 2.
      const cases: [string[], number, RegExp][] = [
        [['capture', 'red:eth9', '--lab', lab.name], 2, /node red of lab \S+ has no interface eth9; its interfaces are rveth/],
        [['capture', 'blue', '--lab', lab.name], 2, /lab \S+ has no node blue; its nodes are red and green/],
        [['capture', 'red:rveth', '--lab', `${lab.name}x`], 1, new RegExp(`no lab named ${lab.name}x is up; the labs up are .*${lab.name}`)],
        [
          ['capture', 'red:rveth', '--lab', lab.name, '--filter', 'tcp prot 80'],
          2,
          /capture filter "tcp prot 80" on red:rveth: tcpdump: can't parse filter expression: syntax error\n.*\n.*\^{4} .*word 2, "prot"/,
        ],
        [['capture', 'red:rveth', '--lab', lab.name, '--count', 'x'], 2, /--count takes a whole number/],
        [['capture', 'red:rveth:x', '--lab', lab.name], 2, /is not NODE or NODE:IFNAME/],
      ];
      for (const [args, code, message] of cases) {
        const r = nslab(args);
        assert.equal(r.code, code, `${args.join(' ')}: ${r.stderr}`);
        assert.match(r.stderr, message);
      }
      await lab.down();
      const notUp = nslab(['capture', 'red:rveth']);
      assert.equal(notUp.code, 1, notUp.stderr);
      assert.match(notUp.stderr, /no lab is up; bring one up with `nslab up/);
    },
  );
});
