/**
 * FRR in a lab, for real: the examples' rings under OSPF and BGP come up with their daemons, converge, and
 * every host reaches every other; a pulled cable reroutes and `why` explains the way round; a second up
 * changes nothing and a changed configuration restarts that router only; a configuration FRR refuses is
 * reported at its line and the up rolls back; FRR missing is refused before anything is made; a lost state
 * still finds the daemons. Each test proves afterwards that no daemon and no file of the lab is left.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, symlinkSync, unlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { Lab } from '../../src/api/lab.js';
import { down, up } from '../../src/engine/index.js';
import { NslabError } from '../../src/errors.js';
import { parseTopology } from '../../src/topology/index.js';
import { daemonPids, frrGone, labProcessList, needsFrr } from '../helpers/frr.js';
import { ROOT } from '../helpers/cli.js';
import { netnsList, sh, uniqueName } from '../helpers/sandbox.js';

const example = (file: string, name: string): string => readFileSync(join(ROOT, 'examples', file), 'utf8').replace(/^name: .*$/m, `name: ${name}`);

const dir = mkdtempSync(join(tmpdir(), 'nslab-frr-'));
after(() => rmSync(dir, { recursive: true, force: true }));

/** Every host of the lab reaches every other (one ping each way, answered within a second). */
async function allHostsReach(lab: Lab): Promise<void> {
  const hosts = lab.nodes.filter((n) => n.name.startsWith('h'));
  const misses: string[] = [];
  for (const a of hosts) for (const b of hosts) if (a !== b && !(await a.reach(b.name))) misses.push(`${a.name} -> ${b.name}`);
  assert.deepEqual(misses, [], 'every host reaches every other');
}

/** Polls until `ok` holds, or fails the test after `ms`. */
async function eventually(ok: () => boolean, ms: number, what: string): Promise<void> {
  const started = Date.now();
  while (!ok()) {
    if (Date.now() - started > ms) assert.fail(`${what}: not there after ${ms} ms`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** Polls until `from` reaches `to`; the milliseconds it took. */
async function reachWithin(lab: Lab, from: string, to: string, ms: number): Promise<number> {
  const started = Date.now();
  while (!(await lab.node(from).reach(to, { timeoutMs: 1000 }))) {
    if (Date.now() - started > ms) assert.fail(`${from} does not reach ${to} within ${ms} ms`);
  }
  return Date.now() - started;
}

describe('FRR in a lab', { skip: needsFrr }, () => {
  for (const routing of ['ospf', 'bgp'] as const) {
    test(`the ${routing} ring: daemons up, converged, every host reaches every other; a pulled cable reroutes and why says how`, async () => {
      const name = uniqueName(routing);
      const lab = Lab.parse(example(`router-ring-${routing}.yaml`, name));
      try {
        await lab.up();
        // zebra and the protocol's daemon in every router, each the process its pid file names, in the node's namespace.
        for (const r of ['r1', 'r2', 'r3', 'r4', 'r5', 'r6']) {
          const pids = daemonPids(name, r);
          assert.deepEqual(Object.keys(pids).sort(), ['zebra', routing === 'ospf' ? 'ospfd' : 'bgpd'].sort());
          for (const pid of Object.values(pids)) {
            const env = readFileSync(`/proc/${pid}/environ`, 'latin1').split('\0');
            assert.ok(env.includes(`NSLAB_LAB=${name}`) && env.includes(`NSLAB_NODE=${r}`) && env.some((e) => e.startsWith('NSLAB_FRR=')));
          }
        }
        // The node's hostname is its own, in its daemons and in commands run in it.
        assert.equal((await lab.node('r3').exec(['hostname'])).stdout.trim(), 'r3');
        const waited = await lab.waitConverged({ timeoutMs: 60_000 });
        assert.equal(waited.routers, 6);
        await allHostsReach(lab);
        const routes = await lab.node('r1').kernelRoutes();
        assert.ok(
          routes.some((r) => r.to === '10.3.0.16/31' && r.protocol === routing && r.origin === 'daemon'),
          `r1 has a route to h3's subnet by ${routing}`,
        );
        const status = await lab.node('r1').routingStatus();
        assert.equal(status?.converged, true);
        assert.match(status?.protocols[0]?.text ?? '', routing === 'ospf' ? /^2 of 2 neighbours Full$/ : /^2 of 2 sessions Established$/);

        // Pull the cable r1-r2: h1 reaches h2 again the other way round the ring.
        assert.ok(await lab.node('h1').reach('h2'));
        await lab.link('r1:eth0').set({ up: false });
        const ms = await reachWithin(lab, 'h1', 'h2', 20_000);
        const why = await lab.why('h1', 'h2');
        assert.equal(why.reaches, true, why.verdict);
        assert.deepEqual(
          why.there.hops.map((h) => h.node),
          ['h1', 'r1', 'r6', 'r5', 'r4', 'r3', 'r2', 'h2'],
        );
        // Each hop names the route it took, and its protocol: the daemon's.
        assert.match(why.there.hops[1]?.text ?? '', /^r1 sends to 10\.3\.0\.15 out of eth1 via 10\.3\.0\.10\b/);
        assert.match(why.there.hops[1]?.route ?? '', new RegExp(`^10\\.3\\.0\\.14/31 via 10\\.3\\.0\\.10 dev eth1 proto ${routing}\\b`));
        assert.ok(ms < 20_000);
      } finally {
        await lab.down();
      }
      frrGone(name);
    });
  }

  test("a second up changes nothing; one router's changed configuration restarts its FRR alone", async () => {
    const name = uniqueName('re');
    const text = example('router-ring-ospf.yaml', name);
    try {
      await up(parseTopology(text));
      const before = { r1: daemonPids(name, 'r1'), r2: daemonPids(name, 'r2') };
      const again = await up(parseTopology(text));
      assert.equal(again.changed, false);
      assert.deepEqual(daemonPids(name, 'r1'), before.r1);
      // r2 runs BFD besides: its configuration is the same, its daemons are not.
      const own = text.replace('  r2: { kind: router }', '  r2: { kind: router, frr: { daemons: [bfdd] } }');
      const changed = await up(parseTopology(own));
      assert.deepEqual(
        changed.plan.ops.map((o) => o.id),
        ['frr-stop:r2', 'frr:r2'],
      );
      assert.deepEqual(daemonPids(name, 'r1'), before.r1, "r1's daemons are the same processes");
      const r2 = daemonPids(name, 'r2');
      assert.deepEqual(Object.keys(r2).sort(), ['bfdd', 'ospfd', 'zebra']);
      assert.ok(
        Object.values(r2).every((pid) => !Object.values(before.r2).includes(pid)),
        "r2's daemons are new",
      );
      const lab = Lab.parse(own);
      await lab.waitConverged({ timeoutMs: 60_000 });
      await allHostsReach(lab);
    } finally {
      await down(name);
    }
    frrGone(name);
  });

  test('a configuration FRR refuses is reported at its line, in the file that has it, and the up rolls back', async () => {
    const name = uniqueName('bad');
    writeFileSync(join(dir, 'r1.conf'), 'hostname r1\nrouter ospf\n bogus words here\nexit\n');
    const file = join(dir, `${name}.yaml`);
    writeFileSync(
      file,
      [
        `name: ${name}`,
        'nodes:',
        '  r1: { kind: router, frr: { config: r1.conf } }',
        '  r2:',
        '    kind: router',
        '    frr:',
        '      config: |',
        '        hostname r2',
        '        interface eth0',
        '         ip ospf cost nonsense',
        'links:',
        '  - endpoints: [r1, r2]',
        '',
      ].join('\n'),
    );
    const lab = await Lab.fromFile(file);
    await assert.rejects(lab.up(), (e: unknown) => {
      assert.ok(e instanceof NslabError && e.code === 'NSLAB_FRR', String(e));
      // Either router may be the first to fail; each names its own file and line.
      assert.match(
        e.message,
        new RegExp(`(${join(dir, 'r1.conf')}:3: % Unknown command: bogus words here|${file}:10: % Unknown command: ip ospf cost nonsense)\n`),
      );
      return true;
    });
    assert.deepEqual(
      netnsList().filter((n) => n.startsWith(name)),
      [],
    );
    frrGone(name);
  });

  test('FRR missing, or a daemon missing, is refused before anything is made, naming the package', async () => {
    const name = uniqueName('miss');
    const lab = parseTopology(example('router-ring-ospf.yaml', name));
    const only = mkdtempSync(join(dir, 'frr-'));
    symlinkSync('/usr/lib/frr/zebra', join(only, 'zebra'));
    await assert.rejects(
      up(lab, { frrDirs: [only] }),
      (e: unknown) =>
        e instanceof NslabError &&
        e.code === 'NSLAB_MISSING_FEATURE' &&
        e.message.includes(
          `lab ${name} runs FRR on nodes r1, r2, r3, r4, r5 and 1 more, and this machine cannot: FRR daemon ospfd not found in ${only}; reinstall the frr package. Nothing was changed.`,
        ),
    );
    unlinkSync(join(only, 'zebra'));
    await assert.rejects(up(lab, { frrDirs: [only] }), /FRR is not installed \(no zebra in .*\): install the Debian package frr \(apt-get install frr\)/);
    assert.deepEqual(
      netnsList().filter((n) => n.startsWith(name)),
      [],
    );
    frrGone(name);
  });

  test('exec entries and commands in a router run in its FRR view: vtysh there is its own', async () => {
    const name = uniqueName('vty');
    const text = `name: ${name}\nnodes:\n  r1:\n    kind: router\n    frr: {}\n    exec:\n      - vtysh -c 'configure terminal' -c 'ip route 198.51.100.0/24 blackhole'\n`;
    const lab = Lab.parse(text);
    try {
      await lab.up();
      // staticd hands the route to zebra, which installs it a moment later.
      await eventually(
        () => /blackhole 198\.51\.100\.0\/24 proto static/.test(sh('ip', ['-n', `${name}-r1`, 'route'])),
        5000,
        'the route the exec entry configured',
      );
      const shown = await lab.node('r1').exec(['vtysh', '-c', 'show running-config']);
      assert.equal(shown.exitCode, 0);
      assert.match(shown.stdout, /^hostname r1$/m);
      assert.match(shown.stdout, /^ip route 198\.51\.100\.0\/24 blackhole$/m);
      // A `write memory` writes the node's own frr.conf, not this machine's.
      assert.equal((await lab.node('r1').exec(['vtysh', '-c', 'write memory'])).exitCode, 0);
      assert.match(readFileSync(`/run/nslab/${name}/frr/r1/etc/frr.conf`, 'utf8'), /ip route 198\.51\.100\.0\/24 blackhole/);
      // vtysh's own exit code comes back.
      assert.notEqual((await lab.node('r1').exec(['vtysh', '-c', 'no such command'])).exitCode, 0);
    } finally {
      await lab.down();
    }
    frrGone(name);
  });

  test('with its state file lost, down still ends every daemon of the lab, found by its environment', async () => {
    const name = uniqueName('lost');
    const lab = parseTopology(example('router-ring-bgp.yaml', name));
    await up(lab);
    assert.equal(labProcessList(name).length, 12);
    unlinkSync(`/run/nslab/${name}/state.json`);
    // An up finds them again (and leaves them be: the same configuration runs).
    const again = await up(lab);
    assert.deepEqual(
      again.plan.ops.map((o) => o.op),
      [],
    );
    unlinkSync(`/run/nslab/${name}/state.json`);
    await down(name);
    frrGone(name);
  });
});
