import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { GraphModel } from '../../src/view/index.js';
import { nslab, nslabOk } from '../helpers/cli.js';
import { needsRoot } from '../helpers/sandbox.js';
import { tutorialLab } from '../helpers/tutorial.js';

describe('nslab graph (no root needed)', () => {
  test('a FILE in each format; the format from -o; bad input', () => {
    assert.match(nslabOk(['graph', 'examples/two-computers.yaml']).stdout, /^<svg xmlns="http:\/\/www.w3.org\/2000\/svg"/);
    assert.match(nslabOk(['graph', 'examples/two-computers.yaml', '--format', 'dot']).stdout, /^graph "two-computers" \{/);
    assert.match(nslabOk(['graph', 'examples/red-blue.yaml', '-f', 'mermaid']).stdout, /^flowchart LR\n/);
    const json = JSON.parse(nslabOk(['graph', 'examples/red-blue.yaml', '-f', 'json']).stdout) as GraphModel;
    assert.deepEqual(
      json.cables.map((c) => [c.a.ifname, c.a.addresses, c.b.ifname, c.b.addresses]),
      [['veth-red', ['10.0.0.1/24'], 'veth-blue', ['10.0.0.2/24']]],
    );
    const bad = nslab(['graph', 'examples/two-computers.yaml', '-f', 'png']);
    assert.equal(bad.code, 2);
    assert.match(bad.stderr, /--format png: choose one of svg, dot, mermaid, json/);
    // A file that is not there is a failure, as for every command that reads one (docs/cli.md).
    const missing = nslab(['graph', 'no/such.yaml']);
    assert.equal(missing.code, 1);
    assert.match(missing.stderr, /cannot read topology file no\/such.yaml/);
  });
});

describe('nslab graph --lab', { skip: needsRoot }, () => {
  test('draws a running lab from the kernel: the same nodes, cables and addresses as its file, and a pulled cable', async () => {
    await using lab = tutorialLab('graph');
    await lab.up();
    const fromFile = JSON.parse(nslabOk(['graph', '--lab', lab.name, '-f', 'json']).stdout) as GraphModel;
    assert.equal(fromFile.from, 'kernel');
    assert.deepEqual(
      fromFile.nodes.map((n) => [n.name, n.kind, n.netns]),
      [
        ['red', 'host', `${lab.name}-red`],
        ['green', 'host', `${lab.name}-green`],
      ],
      'in the order of the lab as applied',
    );
    assert.deepEqual(fromFile.cables, [
      {
        id: 'red:rveth--green:gveth',
        a: { node: 'red', ifname: 'rveth', addresses: ['10.10.1.2/32'], up: true },
        b: { node: 'green', ifname: 'gveth', addresses: ['10.10.1.3/32'], up: true },
      },
    ]);
    await lab.link('red:rveth').set({ up: false });
    const svg = nslabOk(['graph', '--lab', lab.name]).stdout;
    assert.match(svg, /<g class="cable down" data-cable="red:rveth--green:gveth">/);
    const unknown = nslab(['graph', '--lab', `${lab.name}x`]);
    assert.equal(unknown.code, 1);
    assert.match(unknown.stderr, new RegExp(`no lab named ${lab.name}x is up; the labs up are .*${lab.name}`));
  });
});
