/**
 * Pictures of a lab (pure: no I/O): the graph model, its layout, and its renderings.
 *
 *   renderGraph(graphFromLab(resolved), 'svg')  ->  the tutorial's picture
 */
import { renderDot } from './dot.js';
import { layoutGraph } from './layout.js';
import { renderMermaid } from './mermaid.js';
import type { GraphModel } from './model.js';
import { renderSvg } from './svg.js';

export { graphFromLab, graphFromObserved, graphOverHosts, endId, type GraphModel, type GraphNode, type GraphEnd, type GraphCable } from './model.js';
export { layoutGraph, type LaidOutGraph, type LayoutOptions } from './layout.js';
export { renderSvg, escapeXml } from './svg.js';
export { renderDot } from './dot.js';
export { renderMermaid } from './mermaid.js';

export const GRAPH_FORMATS = ['svg', 'dot', 'mermaid', 'json'] as const;
export type GraphFormat = (typeof GRAPH_FORMATS)[number];

/** The graph in one format, as text ending in a newline. */
export async function renderGraph(model: GraphModel, format: GraphFormat): Promise<string> {
  switch (format) {
    case 'svg':
      return renderSvg(await layoutGraph(model));
    case 'dot':
      return renderDot(model);
    case 'mermaid':
      return renderMermaid(model);
    case 'json':
      return `${JSON.stringify(model, null, 2)}\n`;
  }
}
