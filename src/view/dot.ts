/**
 * The graph in Graphviz's DOT language, for `dot -Tpng` and every tool that reads it: a box per node, an
 * undirected edge per cable with each end's interface and addresses as its tail and head labels. Pure.
 */
import { endLines, kindText } from './layout.js';
import type { GraphEnd, GraphModel } from './model.js';

/** A DOT double-quoted string (`\n` is a line break in a label). */
export function dotString(text: string): string {
  return `"${text.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n')}"`;
}

const isDown = (e: GraphEnd): boolean => e.up === false;

export function renderDot(model: GraphModel): string {
  const vertical = model.nodes.some((n) => n.kind === 'bridge');
  const lines = [
    `graph ${dotString(model.lab)} {`,
    `  graph [rankdir=${vertical ? 'TB' : 'LR'}, fontname="monospace", nodesep=0.6, ranksep=1.2];`,
    `  node [shape=box, style="rounded,filled", fillcolor="#eef2ff", color="#3b5bdb", fontname="monospace"];`,
    `  edge [fontname="monospace", fontsize=10, color="#495057", penwidth=2];`,
  ];
  // A lab over several machines: each host a cluster (Graphviz draws a `cluster_` subgraph as a box).
  const groups = model.hosts ?? [];
  const inGroup = new Map<string, string[]>(groups.map((h) => [h, []]));
  for (const node of model.nodes) {
    const style =
      node.kind === 'bridge'
        ? ', shape=box, style=filled, fillcolor="#e9ecef", color="#495057", width=3'
        : node.kind === 'router'
          ? ', fillcolor="#fff4e6", color="#c77700"'
          : '';
    const line = `${dotString(node.name)} [label=${dotString(`${node.name}\n${kindText(node)}`)}${style}];`;
    const group = node.host !== undefined ? inGroup.get(node.host) : undefined;
    if (group !== undefined) group.push(line);
    else lines.push(`  ${line}`);
  }
  groups.forEach((h, i) => {
    lines.push(
      `  subgraph ${dotString(`cluster_${i}`)} {`,
      `    graph [label=${dotString(`host ${h}`)}, style="rounded,dashed", color="#868e96", fontname="monospace"];`,
      ...(inGroup.get(h) ?? []).map((l) => `    ${l}`),
      '  }',
    );
  });
  for (const c of model.cables) {
    const down = isDown(c.a) || isDown(c.b) ? ', color="#d64545", style=dashed' : '';
    lines.push(
      `  ${dotString(c.a.node)} -- ${dotString(c.b.node)} [id=${dotString(c.id)}, taillabel=${dotString(endLines(c.a).join('\n'))}, headlabel=${dotString(endLines(c.b).join('\n'))}${down}];`,
    );
  }
  lines.push('}', '');
  return lines.join('\n');
}
