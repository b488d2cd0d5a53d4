import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { parse as parseDot } from '@ts-graphviz/ast';
import { XMLParser, XMLValidator } from 'fast-xml-parser';
import { DEFAULT_LAB_TEXT } from '../../src/topology/default-lab.js';
import { parseTopology, resolveTopology } from '../../src/topology/index.js';
import type { ResolvedLab } from '../../src/topology/types.js';
import type { ObservedLab } from '../../src/plan/types.js';
import { graphFromLab, graphFromObserved, layoutGraph, renderDot, renderGraph, renderMermaid, renderSvg, type GraphModel } from '../../src/view/index.js';
import { ROOT } from '../helpers/cli.js';

const EXAMPLES = join(ROOT, 'examples');
const labs: [string, ResolvedLab][] = [
  ['<built-in>', parseTopology(DEFAULT_LAB_TEXT)],
  ...readdirSync(EXAMPLES)
    .filter((f) => /\.ya?ml$/.test(f))
    .sort()
    .map((f): [string, ResolvedLab] => [f, parseTopology(readFileSync(join(EXAMPLES, f), 'utf8'), { file: f })]),
];

/** Every piece of text in an XML tree (text nodes of every element, in document order). */
function texts(node: unknown, out: string[] = []): string[] {
  if (typeof node === 'string' || typeof node === 'number') out.push(String(node));
  else if (Array.isArray(node)) for (const x of node) texts(x, out);
  else if (node !== null && typeof node === 'object') for (const [k, v] of Object.entries(node)) if (!k.startsWith('@_')) texts(v, out);
  return out;
}

/** The names a picture must show: every node, interface and address. */
function mustShow(model: GraphModel): string[] {
  return [...model.nodes.map((n) => n.name), ...model.cables.flatMap((c) => [c.a, c.b]).flatMap((e) => [e.ifname, ...e.addresses])];
}

describe('graph of both tutorials and every example', () => {
  for (const [name, lab] of labs) {
    const model = graphFromLab(lab);

    test(`${name}: the model has every node and every cable with its addresses`, () => {
      assert.deepEqual(
        model.nodes.map((n) => [n.name, n.kind]),
        lab.nodes.map((n) => [n.name, n.kind]),
      );
      assert.equal(model.cables.length, lab.links.length);
      for (const [i, link] of lab.links.entries()) {
        const cable = model.cables[i];
        assert.equal(cable?.a.ifname, link.a.ifname);
        assert.equal(cable?.b.node, link.b.node);
        assert.deepEqual([...(cable?.a.addresses ?? [])].sort(), link.a.addresses.map((a) => `${a.address}/${a.prefixLength}`).sort());
      }
    });

    test(`${name}: svg is well-formed plain SVG naming every node, interface and address`, async () => {
      const svg = await renderGraph(model, 'svg');
      assert.equal(XMLValidator.validate(svg), true);
      assert.doesNotMatch(svg, /<foreignObject|<script|<image|href=/, 'no foreign content, script or external reference');
      const doc = new XMLParser({ ignoreAttributes: false, preserveOrder: true }).parse(svg) as unknown;
      const words = texts(doc).join('\n');
      for (const want of mustShow(model)) assert.ok(words.includes(want), `the svg's text shows ${want}`);
      // Each node one box, each cable one wire.
      assert.equal(svg.match(/<g class="node /g)?.length, model.nodes.length);
      assert.equal(svg.match(/<path class="wire"/g)?.length, model.cables.length);
    });

    test(`${name}: the same lab draws the same picture on every run`, async () => {
      assert.equal(await renderGraph(model, 'svg'), await renderGraph(graphFromLab(lab), 'svg'));
    });

    test(`${name}: dot is accepted by a DOT parser, with a node per node and an edge per cable`, () => {
      const dot = renderDot(model);
      const ast = parseDot(dot);
      const graph = ast.children[0];
      assert.equal(graph?.type, 'Graph');
      const statements = graph?.children ?? [];
      const nodes = statements.filter((s) => s.type === 'Node').map((s) => (s.type === 'Node' ? s.id.value : ''));
      assert.deepEqual(
        nodes,
        model.nodes.map((n) => n.name),
      );
      const edges = statements.filter((s) => s.type === 'Edge');
      assert.equal(edges.length, model.cables.length);
      for (const [i, e] of edges.entries()) {
        if (e.type !== 'Edge') continue;
        const attrs = Object.fromEntries(
          e.children.flatMap((a) => (a.type === 'Attribute' ? [[a.key.value, typeof a.value === 'string' ? a.value : a.value.value]] : [])),
        );
        const cable = model.cables[i];
        assert.equal(attrs.id, cable?.id);
        for (const [side, end] of [
          ['taillabel', cable?.a],
          ['headlabel', cable?.b],
        ] as const) {
          for (const want of [end?.ifname ?? '', ...(end?.addresses ?? [])]) assert.ok(attrs[side]?.includes(want), `${side} of ${cable?.id} shows ${want}`);
        }
      }
    });

    test(`${name}: mermaid is a flowchart with a box per node and a labelled line per cable`, () => {
      const lines = renderMermaid(model).trimEnd().split('\n');
      assert.match(lines[0] ?? '', /^flowchart (LR|TB)$/);
      const boxes = lines.filter((l) => /^ {2}n\d+\[/.test(l));
      const wires = lines.filter((l) => /^ {2}n\d+ (---|-\.-)\|".*"\| n\d+$/.test(l));
      assert.equal(boxes.length, model.nodes.length);
      assert.equal(wires.length, model.cables.length);
      assert.equal(lines.length, 1 + boxes.length + wires.length, 'nothing else');
      const ids = new Map(model.nodes.map((n, i) => [n.name, `n${i}`]));
      for (const [i, cable] of model.cables.entries()) {
        const wire = wires[i] ?? '';
        assert.ok(wire.startsWith(`  ${ids.get(cable.a.node)} `) && wire.endsWith(` ${ids.get(cable.b.node)}`), wire);
        for (const want of [cable.a.ifname, cable.b.ifname, ...cable.a.addresses, ...cable.b.addresses])
          assert.ok(wire.includes(want), `${wire} shows ${want}`);
        assert.equal(wire.match(/"/g)?.length, 2, 'one quoted label');
      }
    });

    test(`${name}: json is the model`, async () => {
      const json = JSON.parse(await renderGraph(model, 'json')) as GraphModel;
      assert.deepEqual(json, model);
      assert.equal(json.from, 'file');
    });
  }
});

describe('graph from the kernel', () => {
  /** What observeLab reports of the tutorial with red's end pulled: plan/types' ObservedLab. */
  const observed: ObservedLab = {
    processes: [],
    namespaces: {
      green: {
        node: 'green',
        routes: [],
        sysctls: {},
        links: [
          {
            ifname: 'gveth',
            kind: 'veth',
            up: true,
            mtu: 1500,
            addresses: [{ family: 4, address: '10.10.1.3', prefixLength: 32 }],
            peer: { netns: 'red', ifname: 'rveth' },
          },
        ],
      },
      red: {
        node: 'red',
        routes: [],
        sysctls: { 'net/ipv4/ip_forward': '0' },
        links: [
          {
            ifname: 'rveth',
            kind: 'veth',
            up: false,
            mtu: 1500,
            addresses: [{ family: 4, address: '10.10.1.2', prefixLength: 32 }],
            peer: { netns: 'green', ifname: 'gveth' },
          },
        ],
      },
      'lab-sw': {
        node: 'sw',
        routes: [],
        sysctls: { 'net/ipv4/ip_forward': '1' },
        links: [{ ifname: 'br0', kind: 'bridge', up: true, mtu: 1500, addresses: [] }],
      },
      'lab-r': { node: 'r', routes: [], sysctls: { 'net/ipv4/ip_forward': '1' }, links: [] },
    },
  };

  test('one cable per veth pair, nodes by name, kinds from the kernel, and the admin state of each end', () => {
    const model = graphFromObserved('t', observed);
    assert.equal(model.from, 'kernel');
    assert.deepEqual(
      model.nodes.map((n) => [n.name, n.kind, n.netns]),
      [
        ['green', 'host', 'green'],
        ['r', 'router', 'lab-r'],
        ['red', 'host', 'red'],
        ['sw', 'bridge', 'lab-sw'],
      ],
    );
    assert.deepEqual(model.cables, [
      {
        id: 'green:gveth--red:rveth',
        a: { node: 'green', ifname: 'gveth', addresses: ['10.10.1.3/32'], up: true },
        b: { node: 'red', ifname: 'rveth', addresses: ['10.10.1.2/32'], up: false },
      },
    ]);
  });

  test('with the lab as applied: its order of nodes and of cable ends, and what it does not know of after', () => {
    const applied = resolveTopology({
      name: 't',
      nodes: { red: {}, green: {}, r: { kind: 'router' }, sw: { kind: 'bridge' } },
      links: [{ endpoints: ['red:rveth 10.10.1.2/32', 'green:gveth 10.10.1.3/32'] }],
    });
    const model = graphFromObserved('t', observed, applied);
    assert.deepEqual(
      model.nodes.map((n) => n.name),
      ['red', 'green', 'r', 'sw'],
    );
    assert.deepEqual(
      model.cables.map((c) => [c.id, c.a.node, c.b.node]),
      [['red:rveth--green:gveth', 'red', 'green']],
    );
  });

  test('a pulled cable is drawn dashed and red in svg, dot and mermaid', async () => {
    const model = graphFromObserved('t', observed);
    assert.match(renderSvg(await layoutGraph(model)), /<g class="cable down"[^>]*>.*stroke-dasharray/s);
    assert.match(renderDot(model), /"green" -- "red" \[.*style=dashed\]/);
    assert.match(renderMermaid(model), / -\.-\|/);
  });
});

describe('graph of a 1,000-node chain', () => {
  test('lays out and draws in under 5 s of CPU', async () => {
    const nodes: Record<string, unknown> = {};
    const links: unknown[] = [];
    for (let i = 0; i < 1000; i++) nodes[`n${i}`] = { kind: 'router' };
    for (let i = 1; i < 1000; i++) links.push({ endpoints: [`n${i - 1}`, `n${i}`] });
    const lab = resolveTopology({ name: 'chain', addressing: { p2p: '10.0.0.0/8' }, nodes, links });
    // CPU time, not wall time: the figure must not depend on what else the machine runs meanwhile.
    const before = process.cpuUsage();
    const model = graphFromLab(lab);
    const svg = await renderGraph(model, 'svg');
    const used = process.cpuUsage(before);
    const seconds = (used.user + used.system) / 1e6;
    assert.ok(seconds < 5, `took ${seconds.toFixed(2)} s of CPU`);
    assert.equal(svg.match(/<g class="node /g)?.length, 1000);
    const last = model.cables.at(-1);
    for (const want of ['>n999<', `${last?.b.ifname}</tspan> ${last?.b.addresses[0]}`]) assert.ok(svg.includes(want), want);
  });
});

test('a lab over several machines: each host a group around its nodes, in every format', async () => {
  const lab = parseTopology(
    `name: g\nhosts:\n  A: { ssh: a }\n  B: { ssh: b }\nnodes:\n  red: { host: A }\n  r: { kind: router, host: A }\n  green: { host: B }\nlinks:\n  - endpoints: ["red 10.0.0.1/24", "r 10.0.0.2/24"]\n  - endpoints: ["r 10.0.1.1/24", "green 10.0.1.2/24"]\n`,
  );
  const model = graphFromLab(lab);
  assert.deepEqual(model.hosts, ['A', 'B']);
  assert.deepEqual(
    model.nodes.map((n) => n.host),
    ['A', 'A', 'B'],
  );
  const g = await layoutGraph(model);
  assert.deepEqual(
    g.groups.map((x) => x.host),
    ['A', 'B'],
  );
  // Every node's box inside its host's; every cable starts and ends at its ports (ELK places a cable
  // within one host relative to that host's box: the layout must have moved it back).
  for (const p of g.nodes) {
    const box = g.groups.find((x) => x.host === p.node.host);
    assert.ok(box !== undefined && p.x >= box.x && p.y >= box.y && p.x + p.width <= box.x + box.width && p.y + p.height <= box.y + box.height, p.node.name);
  }
  for (const c of g.cables) {
    const first = c.points[0];
    const last = c.points[c.points.length - 1];
    assert.ok(first !== undefined && Math.hypot(first.x - c.a.at.x, first.y - c.a.at.y) <= 6, `${c.cable.id} starts at its port`);
    assert.ok(last !== undefined && Math.hypot(last.x - c.b.at.x, last.y - c.b.at.y) <= 6, `${c.cable.id} ends at its port`);
  }
  const svg = renderSvg(g);
  assert.ok(XMLValidator.validate(svg) === true);
  assert.match(svg, /<g class="host" data-host="B"><rect [^>]*\/><text [^>]*>host B<\/text><\/g>/);
  // DOT: clusters that Graphviz's grammar takes; mermaid: a subgraph per host.
  const dot = renderDot(model);
  parseDot(dot);
  assert.match(dot, /subgraph "cluster_1" \{\n {4}graph \[label="host B"[^\n]*\n {4}"green"/);
  assert.match(renderMermaid(model), /subgraph h0\["host A"\]\n {4}n0\["red<br\/>host"\]\n {4}n1\["r<br\/>router"\]\n {2}end/);
  // A file without hosts draws no group.
  assert.equal(graphFromLab(parseTopology(DEFAULT_LAB_TEXT)).hosts, undefined);
});
