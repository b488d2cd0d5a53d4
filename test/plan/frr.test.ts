/**
 * The planner and FRR: a node's daemons start once its network is in shape and before its exec entries;
 * a second up of the same lab changes nothing; a changed configuration restarts that node's FRR only; a
 * node that goes takes its FRR with it. Pure: plans and the model of what they do (simulate).
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { explain, plan, simulate, teardownPlan } from '../../src/plan/index.js';
import type { ObservedLab, Op } from '../../src/plan/types.js';
import { parseTopology } from '../../src/topology/index.js';
import { frrDigest } from '../../src/topology/frr-view.js';
import type { ResolvedLab } from '../../src/topology/types.js';

const RING = `name: ring
routing: ospf
ospf: { hello: 1 }
addressing: { p2p: 10.9.0.0/24 }
nodes:
  r1: { kind: router }
  r2: { kind: router }
  r3: { kind: router, exec: ["vtysh -c 'show ip ospf'"] }
  h1:
links:
  - endpoints: [r1, r2]
  - endpoints: [r2, r3]
  - endpoints: [r3, r1]
  - endpoints: [r1, h1]
`;

const ring = (text = RING): ResolvedLab => parseTopology(text);
const kinds = (ops: readonly Op[]): string[] => ops.map((o) => `${o.op} ${o.id}`);
const byId = (ops: readonly Op[], id: string): Op => ops.find((o) => o.id === id) ?? assert.fail(`no op ${id}`);

describe('FRR in the plan', () => {
  test('a new lab: each router starts its FRR after the whole network, before exec entries, which run in its FRR view', () => {
    const p = plan(ring(), null);
    const starts = p.ops.filter((o) => o.op === 'frr.start');
    assert.deepEqual(
      starts.map((o) => o.id),
      ['frr:r1', 'frr:r2', 'frr:r3'],
    );
    const first = p.ops.findIndex((o) => o.op === 'frr.start');
    // Every network op comes before the first start, and each start waits for all of them (directly or not).
    assert.ok(p.ops.slice(first).every((o) => o.op === 'frr.start' || o.op === 'exec'));
    const start = byId(p.ops, 'frr:r1') as Extract<Op, { op: 'frr.start' }>;
    assert.equal(start.dir, '/run/nslab/ring/frr/r1');
    assert.deepEqual(start.frr.daemons, ['zebra', 'ospfd']);
    assert.equal(start.digest, frrDigest(start.frr));
    const exec = byId(p.ops, 'exec:r3:0') as Extract<Op, { op: 'exec' }>;
    assert.ok(starts.every((s) => exec.after.includes(s.id)));
    assert.equal(exec.frrDir, '/run/nslab/ring/frr/r3');
    assert.match(
      explain(exec),
      /^ip netns exec ring-r3 unshare --mount --uts sh -c '.*' nslab-frr \/run\/nslab\/ring\/frr\/r3 r3 sh -c 'vtysh -c '\\''show ip ospf'\\'''$/,
    );
    // The host runs no FRR; its exec would run plainly.
    assert.equal(p.ops.filter((o) => o.op === 'frr.start' && o.node === 'h1').length, 0);
  });

  test('explained, a start is the commands a person would type: files, zebra waited for, the others, vtysh -b', () => {
    const start = byId(plan(ring(), null).ops, 'frr:r2');
    const lines = explain(start).split('\n');
    const d = '/run/nslab/ring/frr/r2';
    assert.equal(lines[0], 'mkdir -p /etc/frr /run/frr /var/tmp/frr');
    assert.equal(lines[1], `rm -rf ${d} && mkdir -p ${d}/etc ${d}/run ${d}/tmp`);
    assert.equal(lines[2], `cat > ${d}/etc/frr.conf <<'NSLAB_FRR_CONF'`);
    const end = lines.indexOf('NSLAB_FRR_CONF');
    assert.equal(lines.slice(3, end).join('\n') + '\n', (start as Extract<Op, { op: 'frr.start' }>).frr.config);
    const rest = lines.slice(end + 1);
    assert.match(
      rest[2] ?? '',
      /^ip netns exec ring-r2 unshare --mount --uts sh -c '.*' nslab-frr \S+ r2 \/usr\/lib\/frr\/zebra -A 127\.0\.0\.1 -s 90000000 >> \S+\/zebra\.log 2>&1 &$/,
    );
    assert.equal(rest[3], `until [ -S ${d}/run/zserv.api ] && [ -S ${d}/run/zebra.vty ]; do sleep 0.01; done`);
    assert.match(rest[4] ?? '', /\/usr\/lib\/frr\/ospfd -A 127\.0\.0\.1 >> \S+\/ospfd\.log 2>&1 &$/);
    assert.equal(rest[5], `until [ -S ${d}/run/ospfd.vty ]; do sleep 0.01; done`);
    assert.match(rest[6] ?? '', / r2 vtysh -b$/);
    assert.equal(rest.length, 7);
  });

  test('a configuration holding the here-document delimiter gets another', () => {
    const text = RING.replace('  r2: { kind: router }', '  r2: { kind: router, frr: { config: "hostname x\\nNSLAB_FRR_CONF\\n" } }');
    const lines = explain(byId(plan(ring(text), null).ops, 'frr:r2')).split('\n');
    assert.equal(lines[2]?.endsWith("<<'NSLAB_FRR_CONF_2'"), true);
    assert.ok(lines.includes('NSLAB_FRR_CONF_2'));
  });

  test('a second up of the same lab plans nothing; a daemon that died, a changed configuration, restart that node only', () => {
    const lab = ring();
    const state = simulate(plan(lab, null), null);
    assert.deepEqual(plan(lab, state, lab).ops, []);
    assert.equal(state.processes.filter((p) => p.frr !== undefined).length, 6);

    // ospfd of r2 is gone: r2's FRR is stopped (zebra) and started again.
    const died: ObservedLab = { ...state, processes: state.processes.filter((p) => !(p.node === 'r2' && p.frr?.daemon === 'ospfd')) };
    const again = plan(lab, died, lab);
    assert.deepEqual(kinds(again.ops), ['frr.stop frr-stop:r2', 'frr.start frr:r2']);
    assert.deepEqual(byId(again.ops, 'frr:r2').after, ['frr-stop:r2']);
    const stop = byId(again.ops, 'frr-stop:r2') as Extract<Op, { op: 'frr.stop' }>;
    assert.deepEqual(
      stop.daemons.map((d) => d.daemon),
      ['zebra'],
    );
    assert.equal(explain(stop), `kill ${stop.daemons[0]?.pid}\nrm -rf /run/nslab/ring/frr/r2`);

    // r1's hello changes (and so its neighbours' would disagree: change the lab's instead): every router restarts.
    const changed = ring(RING.replace('ospf: { hello: 1 }', 'ospf: { hello: 2 }'));
    assert.deepEqual(
      kinds(plan(changed, state, lab).ops).filter((k) => k.startsWith('frr.start')),
      ['frr.start frr:r1', 'frr.start frr:r2', 'frr.start frr:r3'],
    );
    // One router's own configuration changes: that router alone.
    const own = (cfg: string): ResolvedLab => ring(RING.replace('  r1: { kind: router }', `  r1: { kind: router, frr: { config: "${cfg}" } }`));
    const before = own('hostname a\\n');
    const s2 = simulate(plan(before, null), null);
    assert.deepEqual(kinds(plan(own('hostname b\\n'), s2, before).ops), ['frr.stop frr-stop:r1', 'frr.start frr:r1']);
  });

  test('the plan made against the state a restart leaves is empty', () => {
    const lab = ring();
    const state = simulate(plan(lab, null), null);
    const changed = ring(RING.replace('ospf: { hello: 1 }', 'ospf: { hello: 3 }'));
    const after = simulate(plan(changed, state, lab), state);
    assert.deepEqual(plan(changed, after, changed).ops, []);
  });

  test('FRR taken off a node stops it; a node that goes takes its FRR with it, before its namespace', () => {
    const lab = ring();
    const state = simulate(plan(lab, null), null);
    const noFrr = ring(RING.replace('routing: ospf\nospf: { hello: 1 }', 'routing: static').replace(`, exec: ["vtysh -c 'show ip ospf'"]`, ''));
    const p = plan(noFrr, state, lab);
    assert.deepEqual(
      kinds(p.ops).filter((k) => k.startsWith('frr')),
      ['frr.stop frr-stop:r1', 'frr.stop frr-stop:r2', 'frr.stop frr-stop:r3'],
    );
    const smaller = ring(
      RING.replace('  - endpoints: [r2, r3]\n  - endpoints: [r3, r1]\n', '').replace(`  r3: { kind: router, exec: ["vtysh -c 'show ip ospf'"] }\n`, ''),
    );
    const q = plan(smaller, state, lab);
    const stop = byId(q.ops, 'frr-stop:r3');
    assert.ok(byId(q.ops, 'del-netns:r3').after.includes(stop.id));
    // r1 and r2 lose a cable each: their configurations change, so they restart too.
    assert.deepEqual(
      kinds(q.ops).filter((k) => k.startsWith('frr.start')),
      ['frr.start frr:r1', 'frr.start frr:r2'],
    );
  });

  test("down stops each node's FRR with one frr.stop before its namespace goes", () => {
    const state = simulate(plan(ring(), null), null);
    const p = teardownPlan('ring', state);
    assert.deepEqual(
      kinds(p.ops).filter((k) => k.startsWith('frr')),
      ['frr.stop frr-stop:r1', 'frr.stop frr-stop:r2', 'frr.stop frr-stop:r3'],
    );
    assert.deepEqual(byId(p.ops, 'del-netns:r1').after, ['frr-stop:r1']);
    assert.deepEqual(simulate(p, state), { namespaces: {}, processes: [] });
  });

  test('simulate refuses a second FRR on a node', () => {
    const lab = ring();
    const state = simulate(plan(lab, null), null);
    const start = byId(plan(lab, null).ops, 'frr:r1');
    assert.throws(() => simulate({ lab: 'ring', ops: [{ ...start, after: [] }] }, state), /node r1 runs FRR already/);
  });
});
