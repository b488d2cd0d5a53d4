/**
 * The page's requests besides the page itself and its events: a lab's status (the node panel), and the
 * actions (pull or plug a cable end, set or lift its rate). An action on a lab that went down meanwhile is
 * an error the page shows, never a crash: every failure is a JSON answer with the library's own words.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { packetClock, type Capture } from '../api/capture.js';
import { Lab } from '../api/lab.js';
import { changeLink, type LinkChangeInput } from '../api/link-change.js';
import { labStatus } from '../api/status.js';
import { NslabError } from '../errors.js';
import { labSummaries } from './labs.js';

export type Send = (res: ServerResponse, code: number, body: unknown) => void;

const MAX_BODY = 4096;

export async function handleApi(req: IncomingMessage, res: ServerResponse, url: URL, send: Send): Promise<void> {
  try {
    if (req.method === 'GET' && url.pathname === '/api/labs') return send(res, 200, labSummaries());
    if (req.method === 'GET' && url.pathname === '/api/status') return send(res, 200, (await labStatus(required(url, 'lab'), { stats: true })).json);
    if (req.method === 'POST' && url.pathname === '/api/link') {
      const body = await jsonBody(req);
      const { lab, node, ifname } = body;
      if (typeof lab !== 'string' || typeof node !== 'string' || typeof ifname !== 'string') throw badRequest('say which end: {lab, node, ifname}');
      const change: LinkChangeInput = {};
      if (typeof body.up === 'boolean') change.up = body.up;
      if (typeof body.rate === 'string' || typeof body.rate === 'number' || body.rate === null) change.rate = body.rate;
      if (Object.keys(change).length === 0) throw badRequest('say what to change: up (true or false) or rate ("10mbit", or null to lift it)');
      await changeLink(lab, node, ifname, change);
      return send(res, 200, { ok: true });
    }
    if (req.method === 'GET' && url.pathname === '/api/capture')
      return await captureStream(req, res, required(url, 'lab'), required(url, 'node'), required(url, 'ifname'));
    return send(res, 404, { error: `no such request: ${req.method ?? ''} ${url.pathname}` });
  } catch (e) {
    const code =
      e instanceof HttpError ? e.status : e instanceof NslabError ? (e.code === 'NSLAB_NOT_FOUND' ? 404 : e.code === 'NSLAB_TOPOLOGY' ? 400 : 409) : 500;
    return send(res, code, { error: e instanceof Error ? e.message : String(e), ...(e instanceof NslabError ? { code: e.code } : {}) });
  }
}

/**
 * A cable end's packets as the page's panel lists them, one Server-Sent Event each, for as long as the
 * page listens: tcpdump's one-line summaries (src/api/capture.ts), stopped when the page goes.
 */
async function captureStream(req: IncomingMessage, res: ServerResponse, lab: string, node: string, ifname: string): Promise<void> {
  res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-store', 'x-content-type-options': 'nosniff' });
  const write = (type: string, data: unknown): void => void res.write(`event: ${type}\ndata: ${JSON.stringify(data)}\n\n`);
  let capture: Capture | undefined;
  let gone = false;
  res.once('close', () => {
    gone = true;
    void capture?.stop().catch(() => undefined);
  });
  try {
    capture = await Lab.open(lab)
      .node(node)
      .capture(ifname, { mode: 'lines', keep: false, onPacket: (p) => write('packet', { time: packetClock(p.time), summary: p.summary }) });
    if (gone) await capture.stop();
    else write('listening', { where: capture.where });
  } catch (e) {
    write('failed', { error: e instanceof Error ? e.message : String(e) });
    res.end();
  }
}

class HttpError extends Error {
  readonly status: number;
  constructor(status: number, message: string) {
    super(message);
    this.status = status;
  }
}

const badRequest = (message: string): HttpError => new HttpError(400, message);

function required(url: URL, name: string): string {
  const v = url.searchParams.get(name);
  if (v === null || v === '') throw badRequest(`the request needs ?${name}=`);
  return v;
}

/** A small JSON object body (the page's actions), sent as application/json: a form from elsewhere cannot. */
async function jsonBody(req: IncomingMessage): Promise<Record<string, unknown>> {
  if (!(req.headers['content-type'] ?? '').startsWith('application/json')) throw new HttpError(415, 'send the action as application/json');
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > MAX_BODY) throw new HttpError(413, 'the action is too large');
    chunks.push(chunk);
  }
  let value: unknown;
  try {
    value = JSON.parse(Buffer.concat(chunks).toString('utf8'));
  } catch {
    throw badRequest('the action is not JSON');
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value)) throw badRequest('the action is not a JSON object');
  return value as Record<string, unknown>;
}
