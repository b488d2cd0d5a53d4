/**
 * The graph as a Mermaid flowchart, to paste into Markdown (GitHub, GitLab and most wikis draw it): a box
 * per node, a line per cable labelled with both ends. Mermaid ids are n0, n1... so that any node name is
 * safe; names, interfaces and addresses travel in quoted labels. Pure.
 */
import { kindText } from './layout.js';
import type { GraphEnd, GraphModel } from './model.js';

/** A Mermaid quoted label: `"` is written as the entity `#quot;`. */
function label(text: string): string {
  return `"${text.replace(/"/g, '#quot;')}"`;
}

const endText = (e: GraphEnd): string => [`${e.node}:${e.ifname}`, ...e.addresses].join(' ');

export function renderMermaid(model: GraphModel): string {
  const vertical = model.nodes.some((n) => n.kind === 'bridge');
  const ids = new Map(model.nodes.map((node, i) => [node.name, `n${i}`]));
  const lines = [`flowchart ${vertical ? 'TB' : 'LR'}`];
  const box = (node: GraphModel['nodes'][number]): string => {
    const text = label(`${node.name}<br/>${kindText(node)}`);
    return `${ids.get(node.name) ?? ''}${node.kind === 'bridge' ? `[[${text}]]` : `[${text}]`}`;
  };
  // A lab over several machines: each host a subgraph (ids h0, h1... as for nodes).
  const groups = model.hosts ?? [];
  for (const node of model.nodes) if (node.host === undefined || !groups.includes(node.host)) lines.push(`  ${box(node)}`);
  groups.forEach((h, i) => {
    lines.push(`  subgraph h${i}[${label(`host ${h}`)}]`, ...model.nodes.filter((n) => n.host === h).map((n) => `    ${box(n)}`), '  end');
  });
  for (const c of model.cables) {
    const down = c.a.up === false || c.b.up === false;
    lines.push(`  ${ids.get(c.a.node) ?? ''} ${down ? '-.-' : '---'}|${label(`${endText(c.a)} ↔ ${endText(c.b)}`)}| ${ids.get(c.b.node) ?? ''}`);
  }
  lines.push('');
  return lines.join('\n');
}
