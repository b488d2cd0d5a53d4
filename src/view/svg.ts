/**
 * The picture as SVG: plain shapes and text with presentation attributes (no script, no foreignObject, no
 * external font or image), so any viewer draws it: a browser, an image viewer, rsvg, Inkscape. The live
 * page styles the same elements through their classes and data attributes. Pure.
 */
import { FONT, kindText, LINE, type LaidOutGraph, type PlacedEnd, type PlacedNode } from './layout.js';
import { endId } from './model.js';

const FONT_FAMILY = "ui-monospace, 'DejaVu Sans Mono', 'Liberation Mono', Menlo, Consolas, monospace";

/** The tutorials name their namespaces after colours: a node called red is drawn red. */
const NAMED_COLOURS: Record<string, string> = {
  red: '#d64545',
  green: '#2f9e44',
  blue: '#1c7ed6',
  yellow: '#d9a400',
  orange: '#e8590c',
  purple: '#7048e8',
  pink: '#d6336c',
  cyan: '#0c8599',
};

const KIND_COLOURS = { host: '#3b5bdb', router: '#c77700', bridge: '#495057' } as const;

const CABLE = '#495057';
const CABLE_DOWN = '#d64545';

export function escapeXml(text: string): string {
  return text.replace(/[<>&"']/g, (c) => ({ '<': '&lt;', '>': '&gt;', '&': '&amp;', '"': '&quot;', "'": '&apos;' })[c] as string);
}

const n = (v: number): string => String(Math.round(v * 10) / 10);

function accent(p: PlacedNode): string {
  return NAMED_COLOURS[p.node.name.toLowerCase()] ?? KIND_COLOURS[p.node.kind];
}

/** A light tint of a #rrggbb colour, for a box's fill. */
function tint(hex: string, amount = 0.9): string {
  const c = [1, 3, 5].map((i) => parseInt(hex.slice(i, i + 2), 16));
  return `#${c
    .map((v) =>
      Math.round(v + (255 - v) * amount)
        .toString(16)
        .padStart(2, '0'),
    )
    .join('')}`;
}

function nodeSvg(p: PlacedNode): string {
  const colour = accent(p);
  const cx = p.x + p.width / 2;
  const bridge = p.node.kind === 'bridge';
  const rx = bridge ? 4 : 10;
  const nameY = p.y + p.height / 2 - 2;
  return [
    `<g class="node ${p.node.kind}" data-node="${escapeXml(p.node.name)}">`,
    `<title>${escapeXml(`${p.node.name}: ${kindText(p.node)}, namespace ${p.node.netns}`)}</title>`,
    `<rect x="${n(p.x)}" y="${n(p.y)}" width="${n(p.width)}" height="${n(p.height)}" rx="${rx}" fill="${tint(colour)}" stroke="${colour}" stroke-width="2"/>`,
    `<text x="${n(cx)}" y="${n(nameY)}" text-anchor="middle" font-size="${FONT.name}" font-weight="bold" fill="${colour}">${escapeXml(p.node.name)}</text>`,
    `<text x="${n(cx)}" y="${n(nameY + 15)}" text-anchor="middle" font-size="${FONT.kind}" fill="#555">${escapeXml(kindText(p.node))}</text>`,
    `</g>`,
  ].join('');
}

/** A host of a lab over several machines: a dashed box around its nodes, its name at the top. */
function groupSvg(b: LaidOutGraph['groups'][number], gone: boolean): string {
  const colour = gone ? CABLE_DOWN : '#868e96';
  return [
    `<g class="host${gone ? ' gone' : ''}" data-host="${escapeXml(b.host)}">`,
    `<rect x="${n(b.x)}" y="${n(b.y)}" width="${n(b.width)}" height="${n(b.height)}" rx="8" fill="#f8f9fa" stroke="${colour}" stroke-width="1.5" stroke-dasharray="6 4"/>`,
    `<text x="${n(b.x + 10)}" y="${n(b.y + FONT.name + 4)}" font-size="${FONT.name}" font-weight="bold" fill="${gone ? CABLE_DOWN : '#495057'}">${escapeXml(`host ${b.host}${gone ? ': does not answer' : ''}`)}</text>`,
    `</g>`,
  ].join('');
}

function endSvg(e: PlacedEnd, live: boolean): string {
  const id = escapeXml(endId(e.end));
  const state = e.end.up === undefined ? '#868e96' : e.end.up ? '#2f9e44' : CABLE_DOWN;
  const x = e.label.x + 3;
  const lines = e.label.lines.map((line, i) => {
    const y = n(e.label.y + LINE * (i + 1) - 2);
    if (i === 0) {
      // The interface's name in bold, then its first address.
      const address = line.slice(e.end.ifname.length);
      return `<text class="ifname" x="${n(x)}" y="${y}" fill="#212529"><tspan font-weight="bold">${escapeXml(e.end.ifname)}</tspan>${escapeXml(address)}</text>`;
    }
    return `<text class="${line.startsWith('rate ') ? 'rate' : 'address'}" x="${n(x)}" y="${y}" fill="#212529">${escapeXml(line)}</text>`;
  });
  if (live) lines.push(`<text class="traffic" x="${n(x)}" y="${n(e.label.y + LINE * (e.label.lines.length + 1) - 2)}" fill="#1c7ed6"></text>`);
  return [
    `<g class="end" data-end="${id}">`,
    `<circle class="state" cx="${n(e.at.x)}" cy="${n(e.at.y)}" r="4.5" fill="${state}" stroke="#fff" stroke-width="1.5"/>`,
    ...lines,
    `</g>`,
  ].join('');
}

export function renderSvg(g: LaidOutGraph): string {
  const width = Math.ceil(g.width);
  const height = Math.ceil(g.height);
  const cables = g.cables.map((c) => {
    const down = c.a.end.up === false || c.b.end.up === false;
    const d = c.points.map((p, i) => `${i === 0 ? 'M' : 'L'}${n(p.x)} ${n(p.y)}`).join(' ');
    const title = `${endId(c.a.end)} (${c.a.end.addresses.join(', ') || 'no address'}) <-> ${endId(c.b.end)} (${c.b.end.addresses.join(', ') || 'no address'})`;
    return [
      `<g class="cable${down ? ' down' : ''}" data-cable="${escapeXml(c.cable.id)}">`,
      `<title>${escapeXml(title)}</title>`,
      // A wide transparent stroke under the line: something a pointer can hit.
      `<path class="hit" d="${d}" fill="none" stroke="transparent" stroke-width="12"/>`,
      `<path class="wire" d="${d}" fill="none" stroke="${down ? CABLE_DOWN : CABLE}" stroke-width="2.5"${down ? ' stroke-dasharray="6 4"' : ''}/>`,
      endSvg(c.a, g.live),
      endSvg(c.b, g.live),
      `</g>`,
    ].join('');
  });
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="${escapeXml(FONT_FAMILY)}" font-size="${FONT.label}" data-lab="${escapeXml(g.model.lab)}">`,
    `<title>${escapeXml(`lab ${g.model.lab}: ${g.model.nodes.length} node${g.model.nodes.length === 1 ? '' : 's'}, ${g.model.cables.length} cable${g.model.cables.length === 1 ? '' : 's'}`)}</title>`,
    `<rect class="background" width="100%" height="100%" fill="#ffffff"/>`,
    ...(g.groups.length > 0 ? [`<g class="hosts">${g.groups.map((b) => groupSvg(b, g.model.hostsGone?.includes(b.host) === true)).join('\n')}</g>`] : []),
    `<g class="nodes">${g.nodes.map(nodeSvg).join('\n')}</g>`,
    `<g class="cables">${cables.join('\n')}</g>`,
    `</svg>`,
    '',
  ].join('\n');
}
