import assert from 'node:assert/strict';
import { execFile, execFileSync, spawn } from 'node:child_process';
import { describe, test } from 'node:test';
import { promisify } from 'node:util';
import { addNamespaces, deleteNamespaces } from '../../src/native/index.js';
import { RtmTc, TcH, decodeMessages, decodeQdisc } from '../../src/netlink/index.js';
import { Handle, NetlinkError, QdiscKindMissingError, defaultTbfBurst, defaultTbfLimit, isMissingQdisc, qdiscSupported } from '../../src/rtnl/index.js';
import { qdiscInfo, specOf, toQdisc } from '../../src/rtnl/qdisc.js';
import { datagram } from '../netlink/fixture.js';
import { needsRoot, netnsList, uniqueName } from '../helpers/sandbox.js';

interface TcQdisc {
  kind: string;
  handle: string;
  root?: boolean;
  options?: { rate?: number; burst?: number; lat?: number; limit?: number };
}

/** The independent witness: tc's own reading of the kernel. */
function tcShow(netns: string, dev: string): TcQdisc[] {
  const out = execFileSync('tc', ['-j', '-n', netns, 'qdisc', 'show', 'dev', dev], { encoding: 'utf8' });
  return JSON.parse(out === '' ? '[]' : out) as TcQdisc[];
}

/** Two namespaces joined by a veth (a0 in the first, b0 in the second), addressed 10.61.0.1/.2, up. */
async function withPair(body: (names: [string, string], handles: [Handle, Handle]) => Promise<void>): Promise<void> {
  const names: [string, string] = [uniqueName('qa'), uniqueName('qb')];
  assert.deepEqual(await addNamespaces(names), [undefined, undefined]);
  const [a, b] = await Handle.openMany(names);
  assert.ok(a !== undefined && b !== undefined);
  try {
    await a.link.addVeth({ name: 'a0', peer: { name: 'b0', netns: names[1] } });
    await Promise.all([a.link.set('a0', { up: true }), b.link.set('b0', { up: true }), a.link.set('lo', { up: true }), b.link.set('lo', { up: true })]);
    await Promise.all([a.addr.add('a0', '10.61.0.1/24'), b.addr.add('b0', '10.61.0.2/24')]);
    await body(names, [a, b]);
  } finally {
    a.close();
    b.close();
    await deleteNamespaces(names);
    const left = new Set(netnsList());
    assert.ok(
      names.every((n) => !left.has(n)),
      'namespaces of the test are gone',
    );
  }
}

interface Transfer {
  /** Bytes received, and seconds from the first to the last. */
  bytes: number;
  seconds: number;
  /** The steady part, from 10% to 90% of the bytes: without the burst at the start or a lost tail's timeout. */
  steadyBytes: number;
  steadySeconds: number;
}

/**
 * Sends `bytes` over TCP from `clientNs` to a server on `address` in `serverNs` (tiny node scripts run with
 * `ip netns exec`); the server times the stream as it arrives.
 */
async function transfer(clientNs: string, serverNs: string, address: string, bytes: number): Promise<Transfer> {
  const port = 5201;
  const server = `
    const net = require('net');
    const srv = net.createServer((s) => {
      let n = 0, t0 = 0n, n10 = 0, t10 = 0n, n90 = 0, t90 = 0n;
      s.on('data', (d) => {
        const now = process.hrtime.bigint();
        if (n === 0) t0 = now;
        n += d.length;
        if (n10 === 0 && n >= ${bytes} * 0.1) { n10 = n; t10 = now; }
        if (n90 === 0 && n >= ${bytes} * 0.9) { n90 = n; t90 = now; }
      });
      s.on('end', () => {
        const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
        const steadySeconds = Number(t90 - t10) / 1e9;
        process.stdout.write(JSON.stringify({ bytes: n, seconds, steadyBytes: n90 - n10, steadySeconds }) + '\\n');
        s.end();
        srv.close();
      });
    });
    srv.listen(${port}, '${address}', () => process.stdout.write('listening\\n'));
    setTimeout(() => process.exit(3), 60000).unref();`;
  const client = `
    const s = require('net').connect(${port}, '${address}', () => s.end(Buffer.alloc(${bytes}, 7)));
    s.on('error', (e) => { console.error(e.message); process.exit(1); });
    s.resume();`;
  const child = spawn('ip', ['netns', 'exec', serverNs, process.execPath, '-e', server], { stdio: ['ignore', 'pipe', 'inherit'] });
  try {
    let out = '';
    const lines: string[] = [];
    let wake: () => void = () => {};
    child.stdout.setEncoding('utf8');
    child.stdout.on('data', (d: string) => {
      out += d;
      const parts = out.split('\n');
      out = parts.pop() ?? '';
      lines.push(...parts);
      wake();
    });
    const nextLine = async (): Promise<string> => {
      while (lines.length === 0) {
        if (child.exitCode !== null) throw new Error(`the server exited with ${child.exitCode}`);
        await new Promise<void>((r) => {
          wake = r;
          setTimeout(r, 200);
        });
      }
      return lines.shift() ?? '';
    };
    assert.equal(await nextLine(), 'listening');
    await promisify(execFile)('ip', ['netns', 'exec', clientNs, process.execPath, '-e', client], { timeout: 60_000 });
    return JSON.parse(await nextLine()) as Transfer;
  } finally {
    if (child.exitCode === null) child.kill();
  }
}

/** True when this kernel has netem, as tc finds out (the witness, run in the test's own namespace). */
function kernelHasNetem(netns: string, dev: string): boolean {
  try {
    execFileSync('tc', ['-n', netns, 'qdisc', 'replace', 'dev', dev, 'root', 'netem', 'delay', '1ms'], { stdio: ['ignore', 'pipe', 'pipe'] });
    execFileSync('tc', ['-n', netns, 'qdisc', 'del', 'dev', dev, 'root']);
    return true;
  } catch (e) {
    const stderr = String((e as { stderr?: unknown }).stderr ?? '');
    if (/Specified qdisc kind is unknown/.test(stderr)) return false;
    throw e;
  }
}

test('specs to codec and back: tbf and netem in people units', () => {
  const tbf = qdiscInfo({ kind: 'tbf', rate: 10_000_000, burst: 4096, latencyMs: 50 });
  assert.deepEqual(specOf(tbf), { kind: 'tbf', rate: 10_000_000, burst: 4096, latencyMs: 50 });
  // The default burst: 10 ms at the rate, at least two full frames.
  assert.equal(defaultTbfBurst(10_000_000, 1500), 12_500);
  assert.equal(defaultTbfBurst(100_000, 1500), 3028);
  // The default queue: 50 ms at the rate, but at least two 64 KiB GSO packets above the burst.
  assert.equal(defaultTbfLimit(10_000_000, 12_500, 65_536), 12_500 + 131_072);
  assert.equal(defaultTbfLimit(1_000_000_000, 1_250_000, 65_536), 1_250_000 + 6_250_000);
  assert.deepEqual(specOf(qdiscInfo({ kind: 'tbf', rate: 10_000_000 })), { kind: 'tbf', rate: 10_000_000, burst: 12_500, latencyMs: 104.858 });
  assert.deepEqual(specOf(qdiscInfo({ kind: 'tbf', rate: 10_000_000, latencyMs: 20 }, { mtu: 9000, gsoMaxSize: 65_536 })), {
    kind: 'tbf',
    rate: 10_000_000,
    burst: 18_028,
    latencyMs: 20,
  });
  const netem = qdiscInfo({ kind: 'netem', delayMs: 20, jitterMs: 5, lossPercent: 1, rate: 10_000_000 });
  assert.deepEqual(specOf(netem), { kind: 'netem', delayMs: 20, jitterMs: 5, lossPercent: 1, rate: 10_000_000, limit: 1000 });
  assert.deepEqual(specOf(qdiscInfo({ kind: 'netem', delayMs: 0.0015 })), { kind: 'netem', delayMs: 0.0015, limit: 1000 });
  assert.equal(specOf({ kind: 'noqueue', raw: true }), undefined);
  assert.throws(() => qdiscInfo({ kind: 'tbf', rate: 0 }), /at least 8 bits per second/);
  assert.throws(() => qdiscInfo({ kind: 'netem', delayMs: -1 }), /netem delay/);
});

test("the kernel's golden tbf reads back as the spec tc was given", () => {
  const [m] = decodeMessages(datagram('qdisc-tbf.hex'));
  assert.equal(m?.type, RtmTc.NEWQDISC);
  const q = toQdisc(decodeQdisc(m?.body ?? new Uint8Array()));
  assert.equal(q.kind, 'tbf');
  assert.equal(q.root, true);
  assert.equal(q.parent, 'root');
  assert.deepEqual(q.spec, { kind: 'tbf', rate: 10_000_000, burst: 4096, latencyMs: 50 });
});

test('isMissingQdisc: only a missing-kind error, only for its kind', () => {
  const enoent = new NetlinkError({
    errno: 2,
    operation: 'RTM_NEWQDISC',
    object: 'qdisc netem dev b0 root',
    netns: 'netns x',
    kernelMessage: 'Specified qdisc kind is unknown',
  });
  const missing = new QdiscKindMissingError('netem', enoent);
  assert.equal(isMissingQdisc(missing, 'netem'), true);
  assert.equal(isMissingQdisc(missing, 'tbf'), false);
  assert.equal(isMissingQdisc(enoent, 'netem'), false);
  assert.equal(isMissingQdisc(new Error('x'), 'netem'), false);
  assert.ok(missing instanceof NetlinkError);
  assert.equal(missing.errnoName, 'ENOENT');
  assert.equal(
    missing.message,
    'RTM_NEWQDISC qdisc netem dev b0 root in netns x: No such file or directory (ENOENT): Specified qdisc kind is unknown; this kernel has no "netem" qdisc: load its module on the host (modprobe sch_netem) or use a kernel built with CONFIG_NET_SCH_NETEM',
  );
});

describe('QdiscOps', { skip: needsRoot }, () => {
  test('a handle on the namespace nslab runs in lists qdiscs but refuses to change them', async () => {
    await using here = await Handle.open();
    assert.ok(Array.isArray(await here.qdisc.list()));
    await assert.rejects(
      here.qdisc.replace({ index: 1, name: 'lo' }, { kind: 'tbf', rate: 1_000_000, burst: 4096 }),
      /^NslabError: refusing RTM_NEWQDISC qdisc tbf dev lo root in the namespace nslab runs in/,
    );
    await assert.rejects(here.qdisc.del({ index: 1, name: 'lo' }), /refusing RTM_DELQDISC qdisc dev lo root/);
  });

  test('tbf on a veth end: tc sees it, list() reads it back', async () => {
    await withPair(async ([a], [ha]) => {
      await ha.qdisc.replace('a0', { kind: 'tbf', rate: 10_000_000, burst: 4096, latencyMs: 50 });
      const [seen] = tcShow(a, 'a0');
      assert.equal(seen?.kind, 'tbf');
      assert.equal(seen?.root, true);
      assert.equal(seen?.options?.rate, 1_250_000); // bytes per second
      assert.ok(Math.abs((seen?.options?.burst ?? 0) - 4096) <= 1, `burst ${seen?.options?.burst}`); // tc 6.1 rounds down to 4095
      assert.equal(seen?.options?.lat, 50_000); // microseconds

      const ours = await ha.qdisc.list('a0');
      assert.equal(ours.length, 1);
      assert.equal(ours[0]?.kind, 'tbf');
      assert.equal(ours[0]?.handle, seen?.handle);
      assert.equal(ours[0]?.root, true);
      assert.deepEqual(ours[0]?.spec, { kind: 'tbf', rate: 10_000_000, burst: 4096, latencyMs: 50 });
      const index = (await ha.link.get('a0'))?.index;
      assert.equal(ours[0]?.ifindex, index);
      // The whole namespace: a0's tbf, and by index too.
      assert.ok((await ha.qdisc.list()).some((q) => q.ifindex === index && q.kind === 'tbf'));
      assert.deepEqual((await ha.qdisc.root({ index: index ?? 0 }))?.spec, ours[0]?.spec);
    });
  });

  test('replace and del are idempotent; replace changes in place; the default comes back', async () => {
    await withPair(async ([a], [ha]) => {
      assert.equal((await ha.qdisc.root('a0'))?.kind, 'noqueue'); // a veth's default
      assert.equal(await ha.qdisc.del('a0'), false); // nothing of ours to delete

      await ha.qdisc.replace('a0', { kind: 'tbf', rate: 10_000_000 });
      const first = await ha.qdisc.root('a0');
      await ha.qdisc.replace('a0', { kind: 'tbf', rate: 10_000_000 });
      assert.deepEqual(await ha.qdisc.root('a0').then((q) => [q?.handle, q?.spec]), [first?.handle, first?.spec]);
      assert.equal(tcShow(a, 'a0').length, 1);

      await ha.qdisc.replace('a0', { kind: 'tbf', rate: 2_000_000, burst: 3028, latencyMs: 20 });
      const changed = await ha.qdisc.root('a0');
      assert.equal(changed?.handle, first?.handle, 'changed in place: same handle');
      assert.deepEqual(changed?.spec, { kind: 'tbf', rate: 2_000_000, burst: 3028, latencyMs: 20 });
      assert.equal(tcShow(a, 'a0')[0]?.options?.rate, 250_000);

      assert.equal(await ha.qdisc.del('a0'), true);
      assert.equal(await ha.qdisc.del('a0'), false);
      assert.deepEqual(
        tcShow(a, 'a0').map((q) => q.kind),
        ['noqueue'],
      );
      assert.equal((await ha.qdisc.root('a0'))?.handle, 'none');

      await assert.rejects(ha.qdisc.replace('nosuch0', { kind: 'tbf', rate: 1_000_000 }), /no interface nosuch0 in netns/);
      await assert.rejects(
        ha.qdisc.del({ index: 9999 }),
        (e: unknown) => e instanceof NetlinkError && e.errnoName === 'ENODEV' && e.operation === 'RTM_DELQDISC',
      );
    });
  });

  test('a TCP transfer through a 10mbit tbf runs at 10 Mbit/s, within 20%', async () => {
    await withPair(async ([a, b], [ha]) => {
      await ha.qdisc.replace('a0', { kind: 'tbf', rate: 10_000_000 });
      const r = await transfer(a, b, '10.61.0.2', 2_500_000);
      assert.equal(r.bytes, 2_500_000);
      const mbits = (r.bytes * 8) / r.seconds / 1e6;
      const steady = (r.steadyBytes * 8) / r.steadySeconds / 1e6;
      console.log(`# tbf 10mbit: ${r.bytes} bytes in ${r.seconds.toFixed(3)} s = ${mbits.toFixed(2)} Mbit/s; steady (10% to 90%) ${steady.toFixed(2)} Mbit/s`);
      // TCP goodput: 1448 bytes of payload in each 1514-byte frame tbf counts, about 9.6 Mbit/s.
      assert.ok(steady >= 8 && steady <= 12, `steady ${steady.toFixed(2)} Mbit/s`);
      // The whole transfer too, with room for one retransmission timeout when a loaded machine loses the tail.
      assert.ok(mbits >= 7 && mbits <= 12, `${mbits.toFixed(2)} Mbit/s`);
    });
  });

  test('netem: detected as the kernel has it or not, and a missing kind says so', async () => {
    await withPair(async ([, b], [, hb]) => {
      assert.equal(await qdiscSupported(hb, 'b0', 'tbf'), true);
      assert.equal((await hb.qdisc.root('b0'))?.kind, 'noqueue', 'the probe leaves the default behind');
      assert.equal(await qdiscSupported(hb, 'b0', 'nslabnosuchq'), false);

      const has = kernelHasNetem(b, 'b0');
      assert.equal(await qdiscSupported(hb, 'b0', 'netem'), has);
      const spec = { kind: 'netem', delayMs: 20, jitterMs: 5, lossPercent: 1, rate: 10_000_000 } as const;
      if (has) {
        await hb.qdisc.replace('b0', spec);
        assert.deepEqual((await hb.qdisc.root('b0'))?.spec, { ...spec, limit: 1000 });
        assert.equal(tcShow(b, 'b0')[0]?.kind, 'netem');
        assert.equal(await hb.qdisc.del('b0'), true);
        return;
      }
      await hb.qdisc.replace('b0', { kind: 'tbf', rate: 1_000_000 });
      await assert.rejects(hb.qdisc.replace('b0', spec), (e: unknown) => {
        assert.ok(isMissingQdisc(e, 'netem'));
        assert.ok(e instanceof QdiscKindMissingError && e instanceof NetlinkError);
        assert.equal(e.errnoName, 'ENOENT');
        assert.equal(e.kernelMessage, 'Specified qdisc kind is unknown');
        assert.equal(
          e.message,
          `RTM_NEWQDISC qdisc netem dev b0 root in netns ${b}: No such file or directory (ENOENT): Specified qdisc kind is unknown; this kernel has no "netem" qdisc: load its module on the host (modprobe sch_netem) or use a kernel built with CONFIG_NET_SCH_NETEM`,
        );
        return true;
      });
      assert.equal((await hb.qdisc.root('b0'))?.kind, 'tbf', 'a refused replace changes nothing');
      assert.equal(await hb.qdisc.del('b0'), true);
      assert.equal(TcH.ROOT, 0xffffffff);
    });
  });
});
