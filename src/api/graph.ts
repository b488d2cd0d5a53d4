/**
 * Pictures of a lab for the library and the CLI: from its definition, or from what the kernel has of a
 * running lab. The model and the renderers are src/view's (pure); this file only reads the kernel.
 */
import { status } from '../engine/index.js';
import type { ResolvedLab } from '../topology/types.js';
import { graphFromLab, graphFromObserved, layoutGraph, renderGraph, renderSvg, type GraphFormat, type GraphModel } from '../view/index.js';

export { GRAPH_FORMATS, type GraphFormat, type GraphModel, type GraphNode, type GraphCable, type GraphEnd } from '../view/index.js';

/** The graph of a running lab, as the kernel has it now (nodes, cables, addresses, link state). */
export async function observedGraph(lab: string): Promise<GraphModel> {
  const s = await status(lab);
  return graphFromObserved(lab, s.observed, s.state?.applied);
}

/** The graph of a lab as its definition says. */
export function definedGraph(lab: ResolvedLab): GraphModel {
  return graphFromLab(lab);
}

/** A graph as svg, dot, mermaid or json text. */
export function drawGraph(model: GraphModel, format: GraphFormat): Promise<string> {
  return renderGraph(model, format);
}

/** The live page's picture: svg with a line kept free under each end's label for its traffic. */
export async function drawLiveGraph(model: GraphModel): Promise<string> {
  return renderSvg(await layoutGraph(model, { live: true }));
}
