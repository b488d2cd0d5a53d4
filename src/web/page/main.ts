/**
 * The live page of `nslab ui`: the lab's picture (drawn by the server, src/view), kept current by the
 * server's events: each link's state as the kernel announces it, each interface's traffic once a second.
 * Click a node for its interfaces, addresses and routes; click a cable to pull or plug it, limit its rate,
 * and watch its packets. Bundled by esbuild into dist/web/app.js; loads nothing from anywhere else.
 */
import { formatBits, formatBytes, formatCount } from '../../view/numbers.js';

interface LinkState {
  node: string;
  ifname: string;
  up: boolean;
  carrier: boolean;
  at?: number;
}
interface GraphEnd {
  node: string;
  ifname: string;
  addresses: string[];
  rate?: number;
  up?: boolean;
}
interface GraphModel {
  lab: string;
  nodes: { name: string; kind: string; netns: string }[];
  cables: { id: string; a: GraphEnd; b: GraphEnd }[];
}
interface Counters {
  node: string;
  ifname: string;
  rxPackets: number;
  txPackets: number;
  rxBytes: number;
  txBytes: number;
  rxDropped: number;
  txDropped: number;
  rxErrors: number;
  txErrors: number;
}
interface Rates {
  node: string;
  ifname: string;
  rxPackets: number;
  txPackets: number;
  rxBytes: number;
  txBytes: number;
}
interface LabEntry {
  name: string;
  nodes: number;
  source?: string;
}
interface StatusNode {
  name: string;
  netns: string;
  interfaces: { name: string; kind: string; state: string; mtu: number; addresses: string[]; peer?: { netns: string; ifname: string } }[];
  routes: { to: string; via?: string; dev?: string; metric?: number }[];
}
interface Packet {
  time: string;
  summary: string;
}

const meta = (name: string): string => document.querySelector<HTMLMetaElement>(`meta[name="${name}"]`)?.content ?? '';
const token = decodeURIComponent(meta('nslab-token'));
const query = new URLSearchParams(location.search);
let lab: string | null = query.get('lab') ?? (meta('nslab-lab') || null);

const $ = <T extends HTMLElement>(id: string): T => document.getElementById(id) as T;
const diagram = $('diagram');
const panel = $('panel');
const message = $('message');
const live = $('live');
const toast = $('toast');
const picker = $<HTMLSelectElement>('picker');

let model: GraphModel | undefined;
const links = new Map<string, LinkState>();
let counters = new Map<string, Counters>();
let rates = new Map<string, Rates>();
/** What the panel shows: a node, a cable, or nothing. */
let selected: { kind: 'node'; name: string } | { kind: 'cable'; id: string } | undefined;
let capture: EventSource | undefined;
/** What the last action on the open cable answered, when it failed: shown in the panel until the next. */
let actionError: string | undefined;
let packets: Packet[] = [];

/** Builds an element: h('div', { class: 'x' }, 'text', child). */
function h(tag: string, attrs: Record<string, string> = {}, ...children: (Node | string)[]): HTMLElement {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) el.setAttribute(k, v);
  el.append(...children);
  return el;
}

function say(text: string, kind: 'error' | 'info' = 'error'): void {
  toast.textContent = text;
  toast.className = `toast ${kind}`;
  toast.hidden = false;
  clearTimeout(Number(toast.dataset.timer));
  toast.dataset.timer = String(setTimeout(() => (toast.hidden = true), kind === 'error' ? 8000 : 3000));
}

async function api(path: string, init: RequestInit = {}): Promise<unknown> {
  const res = await fetch(path, { ...init, headers: { ...(init.headers ?? {}), 'x-nslab-token': token } });
  const body = (await res.json().catch(() => ({}))) as { error?: string };
  if (!res.ok) throw new Error(body.error ?? `${res.status} ${res.statusText}`);
  return body;
}

// ---- the picture --------------------------------------------------------------------------------------

const endKey = (e: { node: string; ifname: string }): string => `${e.node}:${e.ifname}`;
const cableOf = (key: string): GraphModel['cables'][number] | undefined => model?.cables.find((c) => endKey(c.a) === key || endKey(c.b) === key);
const endState = (key: string): 'up' | 'no-carrier' | 'down' | 'unknown' => {
  const s = links.get(key);
  return s === undefined ? 'unknown' : !s.up ? 'down' : s.carrier ? 'up' : 'no-carrier';
};
const cableUp = (c: GraphModel['cables'][number]): boolean => endState(endKey(c.a)) === 'up' && endState(endKey(c.b)) === 'up';

function paintEnd(key: string): void {
  const end = diagram.querySelector<SVGGElement>(`g.end[data-end="${CSS.escape(key)}"]`);
  if (end === null) return;
  end.classList.remove('up', 'down', 'no-carrier', 'unknown');
  end.classList.add(endState(key));
  const cable = cableOf(key);
  const g = end.closest('g.cable');
  if (cable !== undefined && g !== null) {
    g.classList.toggle('down', !cableUp(cable));
    g.setAttribute('data-state', cableUp(cable) ? 'up' : 'down');
  }
}

function paintTraffic(): void {
  for (const el of diagram.querySelectorAll<SVGGElement>('g.end')) {
    const key = el.dataset.end ?? '';
    const r = rates.get(key);
    const text = el.querySelector('text.traffic');
    if (text !== null) text.textContent = r === undefined ? '' : `↑${formatCount(r.txPackets)} ↓${formatCount(r.rxPackets)} pkt/s`;
    el.classList.toggle('busy', r !== undefined && r.txPackets + r.rxPackets > 0);
  }
}

function showLab(data: { lab: string; svg: string; links: LinkState[]; model: GraphModel }): void {
  model = data.model;
  lab = data.lab;
  $('lab-name').textContent = `lab ${data.lab}`;
  document.title = `nslab: ${data.lab}`;
  links.clear();
  for (const s of data.links) links.set(endKey(s), s);
  // The server's own drawing (src/view): plain SVG, every name in it escaped there.
  diagram.innerHTML = `${data.svg}<p class="hint">Click a node for its interfaces and routes, a cable to pull it, limit it or watch its packets.</p>`;
  diagram.classList.remove('stale');
  // A small lab drawn larger than its natural size (the stylesheet's max-width keeps it on the screen).
  const svg = diagram.querySelector('svg');
  if (svg !== null) svg.style.width = `${Math.round(Number(svg.getAttribute('width') ?? 0) * 1.5)}px`;
  for (const s of data.links) paintEnd(endKey(s));
  paintTraffic();
  refreshPanel();
}

// ---- the panel ------------------------------------------------------------------------------------------

function closePanel(): void {
  selected = undefined;
  panel.hidden = true;
  stopCapture();
  for (const el of diagram.querySelectorAll('.selected')) el.classList.remove('selected');
}

function select(next: NonNullable<typeof selected>): void {
  if (
    selected?.kind !== next.kind ||
    (next.kind === 'node' ? selected.kind === 'node' && selected.name !== next.name : selected.kind === 'cable' && selected.id !== next.id)
  )
    stopCapture();
  if (selected?.kind !== next.kind || (next.kind === 'cable' && selected.kind === 'cable' && selected.id !== next.id)) actionError = undefined;
  selected = next;
  for (const el of diagram.querySelectorAll('.selected')) el.classList.remove('selected');
  const el =
    next.kind === 'node'
      ? diagram.querySelector(`g.node[data-node="${CSS.escape(next.name)}"]`)
      : diagram.querySelector(`g.cable[data-cable="${CSS.escape(next.id)}"]`);
  el?.classList.add('selected');
  panel.hidden = false;
  refreshPanel();
}

function refreshPanel(): void {
  if (selected === undefined) return;
  if (selected.kind === 'node') void showNode(selected.name);
  else showCable(selected.id);
}

/** Each interface's counters since it was made, and its rate now (blue), as `ip -s link` counts them. */
function countersTable(keys: string[]): HTMLElement {
  const cell = (packets: number | undefined, bytes: number | undefined, rate: number | undefined): HTMLElement =>
    h(
      'td',
      {},
      packets === undefined || bytes === undefined ? '–' : `${formatCount(packets)} pkts · ${formatBytes(bytes)}`,
      h('br'),
      h('span', { class: 'rate' }, rate === undefined ? '' : `${formatBits(rate * 8)}/s`),
    );
  const rows = keys.map((key) => {
    const c = counters.get(key);
    const r = rates.get(key);
    return h(
      'tr',
      { 'data-key': key },
      h('th', {}, key.split(':')[1] ?? key),
      cell(c?.txPackets, c?.txBytes, r?.txBytes),
      cell(c?.rxPackets, c?.rxBytes, r?.rxBytes),
      h('td', {}, c === undefined ? '–' : `${c.txDropped + c.rxDropped} / ${c.txErrors + c.rxErrors}`),
    );
  });
  return h(
    'table',
    { class: 'counters' },
    h('thead', {}, h('tr', {}, h('th', {}, ''), h('th', {}, 'sent'), h('th', {}, 'received'), h('th', {}, 'drops / errors'))),
    h('tbody', {}, ...rows),
  );
}

let statusCache: { at: number; nodes: StatusNode[] } | undefined;

async function showNode(name: string): Promise<void> {
  const node = model?.nodes.find((n) => n.name === name);
  if (node === undefined) return closePanel();
  // The kernel's view, as `nslab status` has it; read again when the panel opens and on each link change.
  if (statusCache === undefined || Date.now() - statusCache.at > 2000) {
    try {
      const s = (await api(`/api/status?lab=${encodeURIComponent(lab ?? '')}`)) as { nodes: StatusNode[] };
      statusCache = { at: Date.now(), nodes: s.nodes };
    } catch (e) {
      say(`could not read the status of lab ${lab ?? ''}: ${(e as Error).message}`);
      return;
    }
  }
  if (selected?.kind !== 'node' || selected.name !== name) return;
  const st = statusCache.nodes.find((n) => n.name === name);
  const kind = node.kind === 'bridge' ? 'LAN segment (bridge)' : node.kind;
  const ifaces = (st?.interfaces ?? []).map((i) =>
    h(
      'li',
      { class: `iface ${i.state}` },
      h('span', { class: 'ifname' }, i.name),
      ` ${i.kind} `,
      h('span', { class: `state ${i.state}` }, i.state.toUpperCase()),
      ` mtu ${i.mtu} `,
      h('span', { class: 'addr' }, i.addresses.join(' ') || '–'),
      i.peer !== undefined ? h('span', { class: 'peer' }, ` ↔ ${i.peer.netns}:${i.peer.ifname}`) : '',
    ),
  );
  const routes = (st?.routes ?? []).map((r) =>
    h(
      'li',
      {},
      `${r.to}${r.via !== undefined ? ` via ${r.via}` : ''}${r.dev !== undefined ? ` dev ${r.dev}` : ''}${r.metric !== undefined ? ` metric ${r.metric}` : ''}`,
    ),
  );
  panel.dataset.showing = `node:${name}`;
  panel.replaceChildren(
    h('button', { class: 'close', title: 'close', 'data-action': 'close' }, '×'),
    h('h2', {}, name, h('small', {}, ` ${kind}`)),
    h('p', { class: 'muted' }, `namespace ${node.netns} · `, h('code', {}, `nslab shell ${name}`)),
    h('h3', {}, 'Interfaces'),
    h('ul', { class: 'ifaces' }, ...(ifaces.length > 0 ? ifaces : [h('li', {}, 'none')])),
    h('h3', {}, 'Routes (installed by nslab)'),
    h('ul', { class: 'routes' }, ...(routes.length > 0 ? routes : [h('li', { class: 'muted' }, 'none')])),
    h('h3', {}, 'Traffic'),
    countersTable((st?.interfaces ?? []).filter((i) => i.kind !== 'bridge').map((i) => `${name}:${i.name}`)),
  );
}

function showCable(id: string): void {
  const cable = model?.cables.find((c) => c.id === id);
  if (cable === undefined) return closePanel();
  const up = cableUp(cable);
  const endBlock = (e: GraphEnd): HTMLElement => {
    const key = endKey(e);
    const state = endState(key);
    const words = { up: 'up', 'no-carrier': 'up, no carrier', down: 'down', unknown: '?' }[state];
    const input = h('input', { type: 'text', placeholder: '10mbit', 'aria-label': `rate of ${key}`, 'data-rate-input': key, size: '8' }) as HTMLInputElement;
    return h(
      'div',
      { class: `end-block ${state}`, 'data-end': key },
      h('h3', {}, key, ' ', h('span', { class: `state ${state}` }, words), ' ', h('span', { class: 'addr muted' }, e.addresses.join(' ') || 'no address')),
      h(
        'div',
        { class: 'row' },
        h('button', { 'data-action': state === 'down' ? 'end-up' : 'end-down', 'data-end': key }, state === 'down' ? 'Bring up' : 'Take down'),
        h('span', { class: 'spacer' }),
        input,
        h('button', { 'data-action': 'rate', 'data-end': key, title: 'limit what this end sends (tc tbf)' }, 'Limit'),
        h('button', { 'data-action': 'rate-none', 'data-end': key, title: 'lift the limit' }, 'No limit'),
      ),
    );
  };
  const list = h('ol', { class: 'packets', id: 'packets' }, ...packets.map((p) => h('li', {}, h('time', {}, p.time), ' ', p.summary)));
  panel.dataset.showing = `cable:${id}`;
  panel.replaceChildren(
    h('button', { class: 'close', title: 'close', 'data-action': 'close' }, '×'),
    h('h2', {}, 'Cable', h('small', {}, ` ${up ? 'connected' : 'pulled'}`)),
    h('p', { class: 'muted' }, `${endKey(cable.a)} ↔ ${endKey(cable.b)}`),
    h(
      'div',
      { class: 'row' },
      h('button', { class: up ? 'danger' : 'primary', 'data-action': up ? 'pull' : 'plug', 'data-cable': id }, up ? 'Pull the cable' : 'Plug the cable back'),
    ),
    ...(actionError !== undefined ? [h('p', { class: 'action-error', role: 'alert' }, actionError)] : []),
    endBlock(cable.a),
    endBlock(cable.b),
    h('h3', {}, 'Traffic'),
    countersTable([endKey(cable.a), endKey(cable.b)]),
    h(
      'h3',
      {},
      'Packets on ',
      endKey(cable.a),
      ' ',
      h(
        'button',
        { 'data-action': capture === undefined ? 'capture' : 'capture-stop', 'data-end': endKey(cable.a) },
        capture === undefined ? 'Capture' : 'Stop',
      ),
    ),
    list,
  );
}

// ---- actions -----------------------------------------------------------------------------------------

async function setEnd(key: string, change: { up?: boolean; rate?: string | null }): Promise<void> {
  const [node, ifname] = key.split(':');
  await api('/api/link', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ lab, node, ifname, ...change }) });
}

async function act(button: HTMLElement): Promise<void> {
  const action = button.dataset.action;
  const key = button.dataset.end ?? '';
  if (action === 'close') return closePanel();
  if (action === 'capture') return startCapture(key);
  if (action === 'capture-stop') {
    stopCapture();
    return refreshPanel();
  }
  button.setAttribute('disabled', '');
  try {
    if (action === 'pull' || action === 'plug') {
      const cable = model?.cables.find((c) => c.id === button.dataset.cable);
      if (cable === undefined) return;
      await Promise.all([setEnd(endKey(cable.a), { up: action === 'plug' }), setEnd(endKey(cable.b), { up: action === 'plug' })]);
    } else if (action === 'end-up' || action === 'end-down') await setEnd(key, { up: action === 'end-up' });
    else if (action === 'rate') {
      const value = panel.querySelector<HTMLInputElement>(`input[data-rate-input="${CSS.escape(key)}"]`)?.value.trim() ?? '';
      if (value === '') return say('write a rate first, for example 10mbit');
      await setEnd(key, { rate: value });
      say(`${key}: rate ${value}`, 'info');
    } else if (action === 'rate-none') {
      await setEnd(key, { rate: null });
      say(`${key}: no rate limit`, 'info');
    }
    actionError = undefined;
  } catch (e) {
    actionError = (e as Error).message;
    say(actionError);
  } finally {
    button.removeAttribute('disabled');
    refreshPanel();
  }
}

function startCapture(key: string): void {
  stopCapture();
  packets = [];
  const [node, ifname] = key.split(':');
  capture = new EventSource(
    `/api/capture?token=${encodeURIComponent(token)}&lab=${encodeURIComponent(lab ?? '')}&node=${encodeURIComponent(node ?? '')}&ifname=${encodeURIComponent(ifname ?? '')}`,
  );
  capture.addEventListener('packet', (e) => {
    packets.push(JSON.parse((e as MessageEvent<string>).data) as Packet);
    if (packets.length > 200) packets.shift();
    const list = document.getElementById('packets');
    const p = packets[packets.length - 1];
    if (list !== null && p !== undefined) {
      list.append(h('li', {}, h('time', {}, p.time), ' ', p.summary));
      while (list.children.length > 200) list.firstElementChild?.remove();
      list.scrollTop = list.scrollHeight;
    }
  });
  capture.addEventListener('failed', (e) => {
    say(`capture on ${key}: ${(JSON.parse((e as MessageEvent<string>).data) as { error: string }).error}`);
    stopCapture();
    refreshPanel();
  });
  refreshPanel();
}

function stopCapture(): void {
  capture?.close();
  capture = undefined;
}

// ---- wiring --------------------------------------------------------------------------------------------

diagram.addEventListener('click', (e) => {
  const target = e.target as Element;
  const node = target.closest('g.node');
  const cable = target.closest('g.cable');
  if (node !== null) select({ kind: 'node', name: node.getAttribute('data-node') ?? '' });
  else if (cable !== null) select({ kind: 'cable', id: cable.getAttribute('data-cable') ?? '' });
});
panel.addEventListener('click', (e) => {
  const button = (e.target as Element).closest<HTMLElement>('button[data-action]');
  if (button !== null) void act(button);
});
panel.addEventListener('keydown', (e) => {
  const input = (e.target as Element).closest<HTMLInputElement>('input[data-rate-input]');
  if (input !== null && e.key === 'Enter')
    panel.querySelector<HTMLElement>(`button[data-action="rate"][data-end="${CSS.escape(input.dataset.rateInput ?? '')}"]`)?.click();
});
document.addEventListener('keydown', (e) => {
  if (e.key === 'Escape') closePanel();
});
picker.addEventListener('change', () => {
  const next = new URLSearchParams({ token, lab: picker.value });
  location.search = `?${next.toString()}`;
});

function showLabs(labs: LabEntry[]): void {
  picker.replaceChildren(
    ...(lab === null ? [h('option', { value: '' }, 'choose…')] : []),
    ...labs.map((l) => h('option', { value: l.name }, `${l.name} (${l.nodes} nodes)`)),
  );
  if (lab !== null) picker.value = lab;
  $('picker-label').hidden = labs.length < 2 && lab !== null && labs.some((l) => l.name === lab);
  if (lab === null) {
    diagram.replaceChildren(
      labs.length === 0
        ? h('p', { class: 'message' }, 'No lab is up. Bring one up with ', h('code', {}, 'nslab up'), ' and it appears here.')
        : h(
            'div',
            { class: 'message' },
            h('p', {}, 'Several labs are up: choose one.'),
            h(
              'ul',
              { class: 'lab-list' },
              ...labs.map((l) => h('li', {}, h('a', { href: `?${new URLSearchParams({ token, lab: l.name }).toString()}` }, l.name), ` ${l.nodes} nodes`)),
            ),
          ),
    );
  }
}

function connect(): void {
  const events = new EventSource(`/api/events?token=${encodeURIComponent(token)}${lab !== null ? `&lab=${encodeURIComponent(lab)}` : ''}`);
  const on = <T>(type: string, f: (data: T) => void): void =>
    events.addEventListener(type, (e) => {
      f(JSON.parse((e as MessageEvent<string>).data) as T);
    });
  events.onopen = () => {
    live.textContent = 'live';
    live.className = 'live on';
  };
  events.onerror = () => {
    live.textContent = 'disconnected: retrying';
    live.className = 'live off';
  };
  on<{ labs: LabEntry[]; lab: string | null }>('hello', (d) => {
    lab = d.lab;
    showLabs(d.labs);
    if (lab !== null) message.textContent = `Reading lab ${lab}…`;
  });
  on<LabEntry[]>('labs', showLabs);
  on<{ lab: string; svg: string; links: LinkState[]; model: GraphModel }>('lab', showLab);
  on<LinkState>('link', (s) => {
    links.set(endKey(s), s);
    paintEnd(endKey(s));
    statusCache = undefined;
    if (selected?.kind === 'cable' || selected?.kind === 'node') refreshPanel();
    // For the benchmark's latency figure: when the page knew of each end's last change.
    const seen = ((window as unknown as { nslabLinkSeen?: Record<string, number> }).nslabLinkSeen ??= {});
    seen[endKey(s)] = Date.now();
  });
  on<{ at: number; rates: Rates[]; counters: Counters[] }>('stats', (d) => {
    rates = new Map(d.rates.map((r) => [endKey(r), r]));
    counters = new Map(d.counters.map((c) => [endKey(c), c]));
    paintTraffic();
    for (const t of panel.querySelectorAll('table.counters'))
      t.replaceWith(countersTable([...t.querySelectorAll<HTMLElement>('tbody tr')].map((tr) => tr.dataset.key ?? '')));
  });
  on<{ lab: string; message: string }>('down', (d) => {
    diagram.classList.add('stale');
    say(d.message);
  });
}

connect();
