// nslab-test: slow (OSPF's 40 s wait on frr01's broadcast links): scripts/test.mjs starts it first.
/**
 * containerlab's frr01 lab (test/fixtures/clab/frr01: three FRR routers in an OSPF triangle, three PCs
 * configured by exec), run unchanged by `nslab up`: OSPF converges, PC1 and PC2 reach PC3, `nslab vtysh
 * router1 -c 'show ip ospf neighbor'` lists two Full neighbours, and `down` leaves no FRR process and no
 * runtime file. Its configurations keep OSPF's broadcast links and FRR's timers: the designated-router
 * election waits the dead interval, 40 s, which no sound change outside the file can shorten.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { frrGone, needsFrr } from '../helpers/frr.js';
import { nslab, nslabOk } from '../helpers/cli.js';
import { netnsList } from '../helpers/sandbox.js';

const FILE = 'test/fixtures/clab/frr01/frr01.clab.yml';

describe('containerlab frr01, unchanged', { skip: needsFrr }, () => {
  test('OSPF converges, PC1 and PC2 reach PC3, router1 has two Full neighbours, down leaves nothing', () => {
    try {
      const up = nslabOk(['up', FILE]);
      assert.match(up.stdout, /^lab frr01 up: 6 nodes, 6 links, \d+ operations in \d+ ms$/m);
      // The images are not run, and nslab says so.
      assert.match(up.stderr, /image quay\.io\/frrouting\/frr:10\.5\.1 is not run/);
      // Before convergence, why tells a router still converging from a broken one.
      const early = nslab(['why', 'router1', '192.168.13.2']);
      if (early.code !== 0) assert.match(early.stdout, /router1's routing has not converged yet \(ospf: .*\): wait for it \(nslab wait\)/);
      const waited = nslabOk(['wait', '--lab', 'frr01', '--timeout', '110'], 0, 120_000);
      assert.match(waited.stdout, /^lab frr01: routing converged on 3 routers \(\d+\.\d s\)$/m);
      for (const pc of ['PC1', 'PC2']) nslabOk(['ping', pc, '192.168.13.2', '-c', '1']);
      // Pairs given as node:address: they reach at once now.
      nslabOk(['wait', '--lab', 'frr01', '--reach', 'PC1:192.168.13.2', '--reach', 'PC2:192.168.13.2', '--timeout', '10']);
      const neighbours = nslabOk(['vtysh', 'router1', '-c', 'show ip ospf neighbor']).stdout;
      // Two Full neighbours, on eth1 and eth2. Their ids are FRR's choice (the files set no router-id: ospfd
      // takes zebra's at that moment, the loopback's once zebra has set it, else an interface's), as under
      // containerlab, so only where they are is checked.
      const full = neighbours.split('\n').filter((l) => /^\S+\s+1 Full\//.test(l));
      assert.deepEqual(full.map((l) => /\b(eth[12]):/.exec(l)?.[1]).sort(), ['eth1', 'eth2'], neighbours);
      // The routes by OSPF, as the kernel has them.
      const routes = JSON.parse(nslabOk(['routes', 'PC1', '--json']).stdout) as { kernel: { to: string; protocol: string }[] };
      assert.ok(routes.kernel.some((r) => r.to === '192.168.0.0/16' && r.protocol === 'boot'));
      const r1 = JSON.parse(nslabOk(['routes', 'router1', '--json']).stdout) as { kernel: { to: string; protocol: string }[]; routing: { converged: boolean } };
      assert.ok(r1.kernel.some((r) => r.to === '192.168.13.0/24' && r.protocol === 'ospf'));
      assert.equal(r1.routing.converged, true);
      // vtysh's exit code is nslab's; a node without FRR has no vtysh.
      assert.notEqual(nslab(['vtysh', 'router1', '-c', 'no such command']).code, 0);
      const pc = nslab(['vtysh', 'PC1']);
      assert.equal(pc.code, 1);
      assert.match(pc.stderr, /node PC1 of lab frr01 runs no FRR/);
    } finally {
      nslabOk(['down', '--lab', 'frr01']);
    }
    assert.deepEqual(
      netnsList().filter((n) => n.startsWith('clab-frr01-')),
      [],
    );
    frrGone('frr01');
  });
});
