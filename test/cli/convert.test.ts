import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { parseTopology } from '../../src/topology/index.js';
import { nslab, ROOT } from '../helpers/cli.js';

const FRR01 = 'test/fixtures/clab/frr01/frr01.clab.yml';

test('nslab convert FILE prints the nslab file, what was left out in its header', () => {
  const r = nslab(['convert', FRR01]);
  assert.equal(r.code, 0, r.stderr);
  assert.equal(r.stderr, '');
  const lines = r.stdout.split('\n');
  assert.deepEqual(lines.slice(0, 5), [
    `# nslab topology converted by \`nslab convert\` from the containerlab file ${FRR01}.`,
    '# Left out or doubted (see docs/containerlab.md):',
    `#   ${FRR01}:7:7: topology.groups.routers.image: router1, router2 and router3: image quay.io/frrouting/frr:10.5.1 is not run: FRR here is this machine's (Debian's frr package), whatever version the image has`,
    `#   ${FRR01}:10:7: topology.groups.hosts.image: PC1, PC2 and PC3: image wbitt/network-multitool:3.22.2 is not run: commands here run this machine's programs`,
    '',
  ]);
  const lab = parseTopology(r.stdout, {
    file: join(ROOT, 'test/fixtures/clab/frr01/converted.yaml'),
    read: (p) => readFileSync(join(ROOT, 'test/fixtures/clab/frr01', p), 'utf8'),
  });
  assert.equal(lab.nodes.length, 6);
  assert.equal(lab.nodes[0]?.frr?.config, readFileSync(join(ROOT, 'test/fixtures/clab/frr01/router1/frr.conf'), 'utf8'));
});

test('nslab convert FILE -o OUT writes it elsewhere, its FRR config paths relative to OUT; the warnings go to stderr', () => {
  const dir = mkdtempSync(join(tmpdir(), 'nslab-convert-'));
  try {
    const out = join(dir, 'frr01.yaml');
    const r = nslab(['convert', FRR01, '-o', out]);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout, `wrote ${out} (6 nodes, 2 warnings)\n`);
    assert.match(r.stderr, /^nslab: warning: test\/fixtures\/clab\/frr01\/frr01\.clab\.yml:7:7: topology\.groups\.routers\.image: /);
    // The written file stands on its own: `nslab validate` reads it, and its configs, from where it is.
    const v = nslab(['validate', out, '--json']);
    assert.equal(v.code, 0, v.stderr);
    assert.deepEqual(JSON.parse(v.stdout), { valid: true, lab: 'frr01', nodes: 6, links: 6, warnings: [] });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('nslab validate reads a containerlab file as it is, and lists its warnings', () => {
  const r = nslab(['validate', FRR01]);
  assert.equal(r.code, 0, r.stderr);
  assert.equal(r.stdout.split('\n')[0], `${FRR01} is valid: lab frr01, 6 nodes, 6 links`);
  assert.match(r.stdout, /\nwarning: test\/fixtures\/clab\/frr01\/frr01\.clab\.yml:10:7: topology\.groups\.hosts\.image: PC1, PC2 and PC3: /);
});

test('nslab convert refuses what is no containerlab file, and a lab it cannot make, with the usage exit code', () => {
  const plain = nslab(['convert', 'examples/two-lans.yaml']);
  assert.equal(plain.code, 2);
  assert.equal(plain.stderr, 'nslab: examples/two-lans.yaml is not a containerlab file (it has no top-level topology: and is not named *.clab.yml)\n');
  const refused = nslab(['convert', 'test/fixtures/clab/srlfrr01/srlfrr01.clab.yml']);
  assert.equal(refused.code, 2);
  assert.match(refused.stderr, /srlfrr01\.clab\.yml:6:13: topology\.nodes\.srl\.kind: node "srl" is of kind nokia_srlinux/);
  assert.equal(refused.stdout, '');
});
