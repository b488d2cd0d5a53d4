import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { chmodSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { promisify } from 'node:util';
import { down, readState, up, why } from '../../src/engine/index.js';
import { canonicalIp } from '../../src/plan/ip.js';
import { lookup, modelOfLab, probe, type NetModel } from '../../src/plan/why/index.js';
import { parseTopology } from '../../src/topology/index.js';
import type { ResolvedLab } from '../../src/topology/types.js';
import { nslab, ROOT } from '../helpers/cli.js';
import { needsRoot, sh, uniqueName } from '../helpers/sandbox.js';

const run = promisify(execFile);

/** Brings a lab up for one test and always takes it down. */
async function withLab(text: string, body: (lab: ResolvedLab) => Promise<void>, edit?: (lab: ResolvedLab) => void): Promise<void> {
  const lab = parseTopology(text);
  edit?.(lab);
  await up(lab);
  try {
    await body(lab);
  } finally {
    await down(lab.name);
  }
}

// a -- m -- b, routes through m; m is a host (forwarding off) unless a test turns it on.
const CHAIN = `name: why-chain
nodes:
  a: { routes: [{ to: 10.2.0.0/24, via: 10.1.0.2 }] }
  m: {}
  b: { routes: [{ to: 10.1.0.0/24, via: 10.2.0.1 }] }
links:
  - endpoints: ["a:e0 10.1.0.1/24", "m:e0 10.1.0.2/24"]
  - endpoints: ["m:e1 10.2.0.1/24", "b:e0 10.2.0.2/24"]
`;

/**
 * Pings once or a few times; true when a reply came. Between tries it waits a little: a neighbour entry
 * that failed while the fault was there answers the next try at once with "unreachable", and a port a
 * bridge has just seen come up may take the kernel's link watch up to a second to forward.
 */
async function pings(netns: string, address: string, tries = 3, wait = '1'): Promise<boolean> {
  for (let i = 0; i < tries; i++) {
    if (i > 0) await new Promise((r) => setTimeout(r, 300));
    try {
      await run('ip', ['netns', 'exec', netns, 'ping', ...(address.includes(':') ? ['-6'] : []), '-n', '-c', '1', '-W', wait, address]);
      return true;
    } catch {
      // no reply this time
    }
  }
  return false;
}

test('an unknown node of a large lab is named with a bounded list of its nodes (no root needed: checked before the kernel is read)', async () => {
  const lab = parseTopology(`name: why-big\nnodes:\n${Array.from({ length: 5000 }, (_, i) => `  n${i}: {}\n`).join('')}`);
  await assert.rejects(why(lab, 'nope', 'n1'), (e: Error & { code?: string }) => {
    assert.equal(e.code, 'NSLAB_NOT_FOUND');
    assert.equal(e.message, 'lab why-big has no node nope; its nodes are n0, n1, n2, n3, n4, n5, n6, n7, n8, n9 ... and 4,990 more');
    return true;
  });
});

describe('nslab why', { skip: needsRoot }, () => {
  test("the tutorial's failure: green has no route back, said in one sentence naming the route to add; the fix it prints works", async () => {
    const text = `name: why-tut\nprefix: "wt-"\nnodes:\n  red:\n    routes: [{ to: 10.10.1.3/32, dev: rveth }]\n  green: {}\nlinks:\n  - endpoints:\n      - { node: red, interface: rveth, addresses: [10.10.1.2/32] }\n      - { node: green, interface: gveth, addresses: [10.10.1.3/32] }\n`;
    const dir = mkdtempSync(join(tmpdir(), 'why-'));
    const file = join(dir, 'tut.yaml');
    writeFileSync(file, text);
    try {
      assert.equal(nslab(['up', file]).code, 0);
      const r = nslab(['why', 'red', 'green', '--lab', 'why-tut']);
      assert.equal(r.code, 1);
      const lines = r.stdout.trim().split('\n');
      assert.equal(
        lines.find((l) => l.startsWith('red reaches green')),
        "red reaches green (10.10.1.3) but the reply cannot come back: green has no route to 10.10.1.2 (red's address), in the kernel or in the file. Fix: ip -n wt-green route add 10.10.1.2/32 dev gveth, and add { to: 10.10.1.2/32, dev: gveth } to green's routes in the file",
      );
      assert.deepEqual(lines.slice(-2), [
        'fix: ip -n wt-green route add 10.10.1.2/32 dev gveth',
        "also: add { to: 10.10.1.2/32, dev: gveth } to green's routes in the file",
      ]);
      sh('sh', ['-c', 'ip -n wt-green route add 10.10.1.2/32 dev gveth']);
      assert.equal(await pings('wt-red', '10.10.1.3'), true);
      assert.equal(nslab(['why', 'red', 'green', '--lab', 'why-tut']).code, 0);
    } finally {
      nslab(['down', '--lab', 'why-tut']);
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test('a working path is walked both ways, hop by hop, each hop checked against the kernel', async () => {
    await withLab(
      CHAIN,
      async (lab) => {
        const r = await why(lab, 'a', 'b');
        assert.equal(r.reaches, true, r.verdict);
        assert.equal(r.certain, true, r.notes.join('; '));
        assert.equal(r.verdict, 'a reaches b (10.2.0.2) in 2 hops, and b answers back to 10.1.0.1');
        assert.deepEqual(
          r.there.hops.map((h) => h.node),
          ['a', 'm', 'b'],
        );
        assert.deepEqual(r.advice, []);
      },
      (lab) => {
        const m = lab.nodes.find((n) => n.name === 'm');
        if (m !== undefined) m.forwarding = true;
      },
    );
  });

  test('forwarding off in a host of the file: the sysctl that fixes it, and the change to the file', async () => {
    await withLab(CHAIN, async (lab) => {
      const r = await why(lab, 'a', 'b');
      assert.equal(r.reaches, false);
      assert.equal(r.cause?.kind, 'forwarding-off');
      assert.match(r.verdict, /m gets the packet on e0 but does not forward IPv4: it is a host in the file/);
      assert.deepEqual(
        r.advice.map((a) => a.command ?? a.text),
        ['ip netns exec why-chain-m sysctl -qw net.ipv4.ip_forward=1', 'make m a router in the file (kind: router)'],
      );
    });
  });

  test('no route on the way there, and no single command fixes it (m does not forward): said so', async () => {
    await withLab(CHAIN.replace('a: { routes: [{ to: 10.2.0.0/24, via: 10.1.0.2 }] }', 'a: {}'), async (lab) => {
      const r = await why(lab, 'a', '10.2.0.2');
      assert.equal(
        r.verdict,
        "a does not reach b (10.2.0.2): a has no route to 10.2.0.2 (b's address), in the kernel or in the file. nslab knows no single command that fixes it",
      );
      assert.deepEqual(r.advice, []);
    });
  });

  test('an interface down, on this side and on the other', async () => {
    await withLab(CHAIN, async (lab) => {
      sh('ip', ['-n', 'why-chain-a', 'link', 'set', 'dev', 'e0', 'down']);
      let r = await why(lab, 'a', 'm');
      assert.equal(r.cause?.kind, 'interface-down');
      assert.match(r.verdict, /a:e0 is down: the kernel took away every route through it/);
      sh('ip', ['-n', 'why-chain-a', 'link', 'set', 'dev', 'e0', 'up']);
      sh('ip', ['-n', 'why-chain-m', 'link', 'set', 'dev', 'e0', 'down']);
      r = await why(lab, 'a', 'm');
      assert.match(r.verdict, /m:e0, the other end of a:e0, is down/);
    });
  });

  test('a next hop that no node answers for', async () => {
    await withLab(CHAIN.replace('via: 10.1.0.2', 'via: 10.1.0.99'), async (lab) => {
      const r = await why(lab, 'a', 'b');
      assert.match(r.verdict, /nobody answers a's ARP request for 10\.1\.0\.99 on e0: no node of the lab has that address/);
    });
  });

  test('no address to send from', async () => {
    const text = 'name: why-noaddr\nnodes:\n  a: { routes: [{ to: 10.9.0.2/32, dev: e0 }] }\n  b: {}\nlinks:\n  - endpoints: ["a:e0", "b:e0 10.9.0.2/24"]\n';
    await withLab(text, async (lab) => {
      const r = await why(lab, 'a', 'b');
      assert.match(r.verdict, /a has no IPv4 address to send from/);
    });
  });
});

/** A single fault: how to make it, and the cause `why` must name first. */
interface Fault {
  name: string;
  cause: string;
  /** Shell commands that make it. */
  commands: string[];
  /** For a namespace deleted: the cable ends that go with it, to wait for. */
  gone?: { netns: string; ifname: string }[];
}

/** The pair of nodes whose path is longest (IPv6 where the lab has it), as the file's network routes it. */
function longestPair(lab: ResolvedLab, file: NetModel): { from: string; address: string; hops: ReturnType<typeof probe>['there']['hops'] } {
  const ends = lab.nodes.filter((n) => n.kind !== 'bridge');
  const dual = lab.links.some((l) => [l.a, l.b].some((e) => e.addresses.some((a) => a.family === 6)));
  let best: { from: string; address: string; hops: ReturnType<typeof probe>['there']['hops'] } | undefined;
  for (const a of ends) {
    for (const b of ends) {
      if (a === b) continue;
      const address = lab.links
        .flatMap((l) => [l.a, l.b])
        .filter((e) => e.node === b.name)
        .flatMap((e) => e.addresses)
        .find((c) => c.family === (dual ? 6 : 4))?.address;
      if (address === undefined) continue;
      const p = probe(file, a.name, address);
      assert.ok(p.reaches, `in the file, ${a.name} reaches ${address}`);
      if (best === undefined || p.there.hops.length > best.hops.length) best = { from: a.name, address, hops: p.there.hops };
    }
  }
  assert.ok(best !== undefined);
  return best;
}

/** An address of the same family in another subnet: 10.3.0.19 -> 10.3.100.19, fd00:4::13 -> fd99:4::13. */
function elsewhere(address: string): string {
  if (!address.includes(':')) {
    const [a, b, c, d] = address.split('.').map(Number);
    return `${a}.${b}.${((c ?? 0) + 100) % 256}.${d}`;
  }
  return canonicalIp(address.replace(/^[0-9a-f]+:/, 'fd99:'));
}

/** The single faults of a lab along its longest path: a route deleted, a link end down, forwarding off, a namespace deleted, an address changed. */
function faultsOf(lab: ResolvedLab, file: NetModel, from: string, address: string, hops: ReturnType<typeof probe>['there']['hops']): Fault[] {
  const netns = (node: string): string => lab.nodes.find((n) => n.name === node)?.netns ?? assert.fail(node);
  const family = address.includes(':') ? 6 : 4;
  const sending = hops.filter((h) => h.out !== undefined);
  const middle = sending[Math.floor((sending.length - 1) / 2)] ?? assert.fail('a hop');
  const faults: Fault[] = [];

  // The middle hop's route if it is nslab's, else the first of nslab's on the path, else the middle one (the kernel's own).
  const routed = [middle, ...sending].find((h) => h.route?.includes('proto nslab') === true) ?? middle;
  const route = lookup(file.nodes[routed.node] ?? assert.fail(), address, family) ?? assert.fail();
  faults.push({
    name: `${routed.node}'s route ${route.to} deleted`,
    cause: 'no-route',
    commands: [
      `ip ${family === 6 ? '-6 ' : ''}-n ${netns(routed.node)} route del ${route.to}${route.via !== undefined ? ` via ${route.via}` : ''} dev ${route.dev ?? ''}`,
    ],
  });

  faults.push({
    name: `${middle.node}:${middle.out} down`,
    cause: 'interface-down',
    commands: [`ip -n ${netns(middle.node)} link set dev ${middle.out ?? ''} down`],
  });

  const router = hops.find((h) => h.node !== from && file.nodes[h.node]?.forwarding[family] === true);
  if (router !== undefined)
    faults.push({
      name: `forwarding off in ${router.node}`,
      cause: 'forwarding-off',
      commands: [`ip netns exec ${netns(router.node)} sysctl -qw ${family === 4 ? 'net.ipv4.ip_forward' : 'net.ipv6.conf.all.forwarding'}=0`],
    });

  const inner = hops.slice(1, -1)[Math.floor((hops.length - 2) / 2)]?.node ?? hops.at(-1)?.node ?? assert.fail();
  const cabled = lab.links.flatMap((l) => (l.a.node === inner ? [l.b] : l.b.node === inner ? [l.a] : []));
  faults.push({
    name: `${inner}'s namespace deleted`,
    cause: 'namespace-gone',
    commands: [`ip netns del ${netns(inner)}`],
    gone: cabled.map((e) => ({ netns: e.netns, ifname: e.ifname })),
  });

  const end = lab.links.flatMap((l) => [l.a, l.b]).find((e) => e.addresses.some((a) => a.address === address)) ?? assert.fail();
  const cidr = end.addresses.find((a) => a.address === address) ?? assert.fail();
  const changed = `${elsewhere(address)}/${cidr.prefixLength}`;
  faults.push({
    name: `${end.node}:${end.ifname} ${address} changed to ${changed}`,
    cause: 'wrong-subnet',
    commands: [
      `ip -n ${end.netns} addr del ${address}/${cidr.prefixLength} dev ${end.ifname}`,
      // replace: up leaves an address it did not make where it is, so the second time it is there already.
      `ip -n ${end.netns} addr replace ${changed} dev ${end.ifname}${family === 6 ? ' nodad' : ''}`,
    ],
  });
  return faults;
}

/** Runs commands one by one with sh, with `nslab` (from the sources) on the PATH, as a person would. */
async function shell(commands: string[], bin: string): Promise<void> {
  for (const c of commands) {
    try {
      await run('sh', ['-c', c], { cwd: ROOT, env: { ...process.env, PATH: `${bin}:${process.env.PATH ?? ''}` } });
    } catch (e) {
      const { stdout, stderr } = e as { stdout?: string; stderr?: string };
      assert.fail(`\`${c}\` failed: ${stderr ?? ''}${stdout ?? ''}`);
    }
  }
}

/** Waits until the cable ends of a deleted namespace are gone too (the kernel destroys a namespace asynchronously). */
async function settled(ends: { netns: string; ifname: string }[]): Promise<void> {
  for (const e of ends) {
    for (let waited = 0; waited < 3000; waited += 20) {
      try {
        await run('ip', ['-n', e.netns, 'link', 'show', 'dev', e.ifname]);
      } catch {
        break;
      }
      await new Promise((r) => setTimeout(r, 20));
    }
  }
}

describe('nslab why on every example, each single fault: its first advice, run as printed, makes the ping pass', { skip: needsRoot, concurrency: true }, () => {
  let dir = '';
  let bin = '';
  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'why-examples-'));
    bin = join(dir, 'bin');
    sh('mkdir', ['-p', bin]);
    writeFileSync(join(bin, 'nslab'), `#!/bin/sh\nexec "${process.execPath}" --import tsx "${join(ROOT, 'src', 'cli', 'main.ts')}" "$@"\n`);
    chmodSync(join(bin, 'nslab'), 0o755);
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  const examples = readdirSync(join(ROOT, 'examples')).filter((f) => f.endsWith('.yaml'));
  for (const example of examples) {
    // A lab routed by OSPF or BGP gets its routes from FRR's daemons, which nslab's model does not run:
    // there `why` says it does not know (a test of its own, below).
    const dynamic = /^routing: (ospf|bgp)/m.test(readFileSync(join(ROOT, 'examples', example), 'utf8'));
    test(example, { skip: dynamic ? 'routes from FRR daemons, which why does not model' : false }, async () => {
      // The example under a name of its own, so that examples run side by side and beside other tests.
      const name = uniqueName(`w${example.slice(0, 3)}`);
      const text = readFileSync(join(ROOT, 'examples', example), 'utf8')
        .replace(/^name: .*$/m, `name: ${name}`)
        .replace(/^prefix: .*$/m, `prefix: "${name}-"`);
      const file = join(dir, `${name}.yaml`);
      writeFileSync(file, text);
      const lab = parseTopology(text, { file });
      const model = modelOfLab(lab);
      const { from, address, hops } = longestPair(lab, model);
      const fromNetns = lab.nodes.find((n) => n.name === from)?.netns ?? assert.fail();
      await up(lab, { source: file });
      try {
        assert.equal(await pings(fromNetns, address), true, `${from} pings ${address} before any fault`);
        for (const fault of faultsOf(lab, model, from, address, hops)) {
          const what = `${example}, ${fault.name}: ${from} -> ${address}`;
          const breakIt = async (): Promise<void> => {
            await shell(fault.commands, bin);
            if (fault.gone !== undefined) await settled(fault.gone);
          };
          await breakIt();
          assert.equal(await pings(fromNetns, address, 1, '0.5'), false, `${what}: the fault breaks the ping`);
          const applied = readState(name)?.applied ?? assert.fail();
          const r = await why(applied, from, address);
          assert.equal(r.reaches, false, `${what}: ${r.verdict}`);
          assert.equal(r.certain, true, `${what}: ${r.verdict}`);
          assert.equal(r.cause?.kind, fault.cause, `${what}: ${r.verdict}`);
          const [first, second] = r.advice;
          assert.ok(first?.command !== undefined, `${what}: a first advice with a command: ${r.verdict}`);
          if (first.kind === 'up') {
            // Drifted from the file: the first advice is to re-run up, which says it restores the file's network.
            assert.ok(first.command.startsWith(`nslab up ${file}`), `${what}: ${first.command}`);
            assert.match(first.text, /restores the file's network/, what);
            await shell([first.command], bin);
            assert.equal(await pings(fromNetns, address), true, `${what}: after \`${first.command}\``);
            if (second?.kind === 'command' && second.command !== undefined) {
              await breakIt();
              await shell([second.command], bin);
              assert.equal(await pings(fromNetns, address), true, `${what}: after \`${second.command}\` alone`);
            }
          } else {
            await shell([first.command], bin);
            assert.equal(await pings(fromNetns, address), true, `${what}: after \`${first.command}\``);
          }
          // Back to the file's network for the next fault.
          await up(parseTopology(text, { file }), { source: file });
          const again = await why(applied, from, address);
          assert.equal(again.reaches, true, `${what}: after up, ${again.verdict}`);
          assert.equal(await pings(fromNetns, address), true, `${what}: after up`);
        }
      } finally {
        await down(name);
      }
    });
  }
});
