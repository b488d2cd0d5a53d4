/**
 * Where each box, cable and label of a graph goes, computed by ELK (elkjs: the Eclipse Layout Kernel
 * compiled to JavaScript). ELK's layered algorithm places ports (each interface is a port on its node, so
 * several cables leave a node at distinct points), reserves room for the labels at each end of a cable,
 * routes cables orthogonally, and is deterministic: the same graph gets the same picture on every run.
 * Pure: the bundled build runs in this thread (no worker, no file, no process).
 *
 * Text is measured without a browser: the pictures use a monospace font, whose advance is 0.6 em.
 */
import type { ElkExtendedEdge, ElkNode, ElkPoint } from 'elkjs/lib/elk-api.js';
import { rateText } from '../plan/format.js';
import { endId, type GraphCable, type GraphEnd, type GraphModel, type GraphNode } from './model.js';

/** Font sizes (px) of the pictures, and how wide a monospace character of each is. */
export const FONT = { name: 14, kind: 11, label: 12 } as const;
const ADVANCE = 0.6;
export const LINE = 15;

/** A box of the picture. */
export interface Box {
  x: number;
  y: number;
  width: number;
  height: number;
}

export interface PlacedNode extends Box {
  node: GraphNode;
}

export interface PlacedEnd {
  end: GraphEnd;
  /** Where the cable meets the node (the port's centre). */
  at: ElkPoint;
  /** The end's label: its lines of text (interface, addresses, rate) in this box. */
  label: Box & { lines: string[] };
}

export interface PlacedCable {
  cable: GraphCable;
  /** The cable's route, from end a to end b. */
  points: ElkPoint[];
  a: PlacedEnd;
  b: PlacedEnd;
}

export interface LaidOutGraph {
  model: GraphModel;
  width: number;
  height: number;
  /** A lab over several machines: each host's box, around its nodes. */
  groups: (Box & { host: string })[];
  nodes: PlacedNode[];
  cables: PlacedCable[];
  /** Live pictures (the web page) keep a line free under each end label for its traffic rate. */
  live: boolean;
}

export interface LayoutOptions {
  /** Reserve a line under each end label for live rates (the web page). */
  live?: boolean;
}

/** Above this many nodes, ELK's cheaper settings (a 1,000-node chain lays out in about a second). */
const LARGE = 100;

export function textWidth(text: string, size: number): number {
  return text.length * size * ADVANCE;
}

/** What a node box says: its name, and its kind. */
export function kindText(node: GraphNode): string {
  return node.kind === 'bridge' ? 'LAN segment (bridge)' : node.kind;
}

/** The lines of an end's label: `rveth 10.10.1.2/32`, then any further address and its rate, one a line. */
export function endLines(end: GraphEnd): string[] {
  const [first, ...more] = end.addresses;
  return [first === undefined ? end.ifname : `${end.ifname} ${first}`, ...more, ...(end.rate !== undefined ? [`rate ${rateText(end.rate)}`] : [])];
}

function nodeSize(node: GraphNode, ports: number, vertical: boolean): { width: number; height: number } {
  const text = Math.max(textWidth(node.name, FONT.name), textWidth(kindText(node), FONT.kind));
  if (node.kind === 'bridge') {
    // A LAN segment is a long bar that every host plugs into: as long as its ports need.
    const along = Math.max(text + 32, ports * 90);
    return vertical ? { width: along, height: 44 } : { width: text + 32, height: Math.max(44, ports * 60) };
  }
  return { width: Math.max(96, Math.ceil(text) + 28), height: 50 };
}

let engine: Promise<{ layout(graph: ElkNode): Promise<ElkNode> }> | undefined;

/** One ELK for the process, loaded on first use (its 1.6 MB are needed only for pictures). */
function elk(): Promise<{ layout(graph: ElkNode): Promise<ElkNode> }> {
  engine ??= import('elkjs/lib/elk.bundled.js').then((m) => {
    const Elk = (m.default ?? m) as unknown as new () => { layout(graph: ElkNode): Promise<ElkNode> };
    return new Elk();
  });
  return engine;
}

const round = (v: number | undefined): number => Math.round((v ?? 0) * 10) / 10;

export async function layoutGraph(model: GraphModel, options: LayoutOptions = {}): Promise<LaidOutGraph> {
  const live = options.live === true;
  // LANs are drawn as the textbooks draw them: the segment a horizontal bar, the hosts hanging below it.
  const vertical = model.nodes.some((n) => n.kind === 'bridge');
  const large = model.nodes.length > LARGE;
  const portsOf = new Map<string, GraphEnd[]>();
  for (const c of model.cables) for (const e of [c.a, c.b]) portsOf.set(e.node, [...(portsOf.get(e.node) ?? []), e]);
  const labelBox = (end: GraphEnd, placement: 'TAIL' | 'HEAD'): NonNullable<ElkExtendedEdge['labels']>[number] => {
    const lines = endLines(end);
    const widest = Math.max(...lines.map((l) => textWidth(l, FONT.label)), live ? textWidth('↑ 000.0k pkt/s', FONT.label) : 0);
    return {
      id: `l:${endId(end)}`,
      text: lines.join('\n'),
      width: Math.ceil(widest) + 6,
      height: (lines.length + (live ? 1 : 0)) * LINE + 4,
      layoutOptions: { 'elk.edgeLabels.placement': placement },
    };
  };
  // A lab over several machines: each host a box around its nodes, laid out with them in one pass (the
  // cables cross the boxes' borders, so ELK must see every level at once).
  const groups = model.hosts ?? [];
  const box = (n: GraphNode): ElkNode => {
    const size = nodeSize(n, portsOf.get(n.name)?.length ?? 0, vertical);
    return {
      id: `n:${n.name}`,
      ...size,
      layoutOptions: { 'elk.nodeSize.constraints': '[PORTS, MINIMUM_SIZE]', 'elk.nodeSize.minimum': `(${size.width}, ${size.height})` },
      ports: (portsOf.get(n.name) ?? []).map((e) => ({ id: `p:${endId(e)}`, width: 8, height: 8 })),
    };
  };
  const tallest = Math.max(0, ...model.cables.flatMap((c) => [c.a, c.b]).map((e) => endLines(e).length + (live ? 1 : 0)));
  const portGap = tallest * LINE + 10;
  const graph: ElkNode = {
    id: 'lab',
    layoutOptions: {
      'elk.algorithm': 'layered',
      'elk.direction': vertical ? 'DOWN' : 'RIGHT',
      'elk.edgeRouting': 'ORTHOGONAL',
      'elk.spacing.nodeNode': '48',
      'elk.layered.spacing.nodeNodeBetweenLayers': '56',
      'elk.spacing.edgeLabel': '4',
      'elk.spacing.edgeNode': '24',
      'elk.spacing.edgeEdge': '16',
      // Ports far enough apart that the labels of neighbouring ends do not overlap; nodes grow to fit
      // (ELK reads this one from the graph, not from each node).
      'elk.spacing.portPort': String(portGap - 8),
      'elk.padding': '[top=16,left=16,bottom=16,right=16]',
      'elk.randomSeed': '1',
      ...(groups.length > 0 ? { 'elk.hierarchyHandling': 'INCLUDE_CHILDREN' } : {}),
      ...(large
        ? {
            // A long chain becomes rows that fit a screen, not one line 150,000 pixels long; and the
            // cheaper strategies keep a 1,000-node lab to a second or two.
            'elk.layered.wrapping.strategy': 'MULTI_EDGE',
            'elk.aspectRatio': '1.6',
            'elk.layered.thoroughness': '1',
            'elk.layered.layering.strategy': 'LONGEST_PATH',
            'elk.layered.nodePlacement.strategy': 'SIMPLE',
            'elk.layered.crossingMinimization.strategy': 'NONE',
          }
        : {
            // The file's order decides ties (red left of green, as written).
            'elk.layered.considerModelOrder.strategy': 'NODES_AND_EDGES',
          }),
    },
    children: [
      ...model.nodes.filter((n) => n.host === undefined || !groups.includes(n.host)).map(box),
      ...groups.map((h): ElkNode => ({
        id: `g:${h}`,
        // Room at the top for the host's name.
        layoutOptions: { 'elk.padding': `[top=${FONT.name + 20},left=16,bottom=16,right=16]` },
        children: model.nodes.filter((n) => n.host === h).map(box),
      })),
    ],
    edges: model.cables.map((c) => ({
      id: `c:${c.id}`,
      sources: [`p:${endId(c.a)}`],
      targets: [`p:${endId(c.b)}`],
      labels: [labelBox(c.a, 'TAIL'), labelBox(c.b, 'HEAD')],
    })),
  };
  const laid = await (await elk()).layout(graph);
  const boxes = new Map<string, Box>();
  const ports = new Map<string, ElkPoint>();
  const placedGroups: LaidOutGraph['groups'] = [];
  // ELK gives a child's place within its parent: a node inside a host's box is offset by the box's.
  const place = (child: ElkNode, dx: number, dy: number): void => {
    const b = { x: round(dx + (child.x ?? 0)), y: round(dy + (child.y ?? 0)), width: round(child.width), height: round(child.height) };
    if (child.id.startsWith('g:')) {
      placedGroups.push({ host: child.id.slice(2), ...b });
      for (const c of child.children ?? []) place(c, b.x, b.y);
      return;
    }
    boxes.set(child.id, b);
    for (const p of child.ports ?? []) ports.set(p.id, { x: round(b.x + (p.x ?? 0) + (p.width ?? 0) / 2), y: round(b.y + (p.y ?? 0) + (p.height ?? 0) / 2) });
  };
  for (const child of laid.children ?? []) place(child, 0, 0);
  placedGroups.sort((x, y) => groups.indexOf(x.host) - groups.indexOf(y.host));
  const edges = new Map((laid.edges ?? []).map((e) => [e.id, e]));
  // An edge's route and labels are placed within the box that holds both its ends: a host's, for a cable
  // within one host (ELK's rule for a graph with levels).
  const hostOf = new Map(model.nodes.map((n) => [n.name, n.host]));
  const offsetOf = (cable: GraphCable): ElkPoint => {
    const h = hostOf.get(cable.a.node);
    const g = h !== undefined && h === hostOf.get(cable.b.node) ? placedGroups.find((x) => x.host === h) : undefined;
    return { x: g?.x ?? 0, y: g?.y ?? 0 };
  };
  const placedEnd = (end: GraphEnd, edge: ElkExtendedEdge | undefined, at: ElkPoint | undefined, off: ElkPoint): PlacedEnd => {
    const l = edge?.labels?.find((x) => x.id === `l:${endId(end)}`);
    const port = at ?? { x: 0, y: 0 };
    // ELK leaves the labels of a cable it split to wrap a long chain unplaced: put those beside their port.
    const placed = l?.x !== undefined && l.y !== undefined ? { x: off.x + l.x, y: off.y + l.y } : { x: port.x + 6, y: port.y + 4 };
    return { end, at: port, label: { x: round(placed.x), y: round(placed.y), width: round(l?.width), height: round(l?.height), lines: endLines(end) } };
  };
  return {
    model,
    live,
    width: round(laid.width),
    height: round(laid.height),
    groups: placedGroups,
    nodes: model.nodes.map((node) => ({ node, ...(boxes.get(`n:${node.name}`) ?? { x: 0, y: 0, width: 0, height: 0 }) })),
    cables: model.cables.map((cable) => {
      const edge = edges.get(`c:${cable.id}`);
      const section = edge?.sections?.[0];
      const a = ports.get(`p:${endId(cable.a)}`);
      const b = ports.get(`p:${endId(cable.b)}`);
      const off = offsetOf(cable);
      const points =
        section !== undefined
          ? [section.startPoint, ...(section.bendPoints ?? []), section.endPoint].map((p) => ({ x: round(off.x + p.x), y: round(off.y + p.y) }))
          : [];
      return { cable, points, a: placedEnd(cable.a, edge, a, off), b: placedEnd(cable.b, edge, b, off) };
    }),
  };
}
