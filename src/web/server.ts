/**
 * The live view's server: a local web page that draws a running lab and keeps it current. It reads
 * snapshots and events through src/api (never netlink itself) and pushes them to the page as Server-Sent
 * Events. Security (docs/ui.md): it binds to 127.0.0.1 unless told otherwise, every request must carry the
 * random token of its URL (else 401), and a request from another origin, or naming another host (DNS
 * rebinding), is refused (403). Nothing runs while no page is open: the first page opens the lab's
 * sockets and starts the 1 Hz statistics, the last one to leave closes them.
 */
import { randomBytes, timingSafeEqual } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { isIP } from 'node:net';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { NslabError } from '../errors.js';
import { LabSession, type SessionEvent } from './session.js';
import { labSummaries } from './labs.js';
import { handleApi } from './routes.js';

export interface UiOptions {
  /** The lab the page opens on (a picker lists the others). */
  lab?: string;
  /** 0 picks a free port. */
  port?: number;
  /** Address to bind; 127.0.0.1 unless said. */
  listen?: string;
  /** Where the built page is (dist/web of the package, unless said). */
  assets?: string;
  /** The token (random unless said: tests and benchmarks pass their own). */
  token?: string;
  /** Statistics period in ms (1000). */
  statsEveryMs?: number;
}

export interface UiServer {
  /** The page's URL, token included. */
  readonly url: string;
  readonly port: number;
  readonly host: string;
  readonly token: string;
  /** Pages open now (Server-Sent Events streams). */
  readonly pages: number;
  close(): Promise<void>;
}

export const DEFAULT_PORT = 8470;
const LOOPBACK = new Set(['127.0.0.1', 'localhost', '::1']);

/** dist/web of the package this file belongs to: from src/web (tests), dist/web (library) or dist/bin (the bundle). */
export function defaultAssets(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 5; i++) {
    if (existsSync(join(dir, 'package.json'))) return join(dir, 'dist', 'web');
    dir = dirname(dir);
  }
  return join(dirname(fileURLToPath(import.meta.url)), '..', 'web');
}

const hostPort = (host: string, port: number): string => `${isIP(host) === 6 ? `[${host}]` : host}:${port}`;

export async function startUi(options: UiOptions = {}): Promise<UiServer> {
  const listen = options.listen ?? '127.0.0.1';
  const token = options.token ?? randomBytes(24).toString('base64url');
  const assets = options.assets ?? defaultAssets();
  const sessions = new Map<string, LabSession>();
  const wildcard = listen === '0.0.0.0' || listen === '::';
  let port = options.port ?? DEFAULT_PORT;

  /** The Host header names this server (not a rebound DNS name), and an Origin, if any, is this server. */
  const sameOrigin = (req: IncomingMessage): boolean => {
    const host = req.headers.host ?? '';
    const allowed = [...LOOPBACK, ...(wildcard ? [] : [listen])].map((h) => hostPort(h, port));
    if (!wildcard && !allowed.includes(host)) return false;
    const origin = req.headers.origin;
    if (origin !== undefined && origin !== `http://${host}`) return false;
    const site = req.headers['sec-fetch-site'];
    return site === undefined || site === 'same-origin' || site === 'none';
  };
  const expected = Buffer.from(token);
  const hasToken = (url: URL, req: IncomingMessage): boolean => {
    const given = Buffer.from(url.searchParams.get('token') ?? String(req.headers['x-nslab-token'] ?? ''));
    return given.length === expected.length && timingSafeEqual(given, expected);
  };

  const session = (lab: string): LabSession => {
    let s = sessions.get(lab);
    if (s === undefined) {
      s = new LabSession(lab, options.statsEveryMs ?? 1000, () => sessions.delete(lab));
      sessions.set(lab, s);
    }
    return s;
  };

  const server: Server = createServer((req, res) => {
    handle(req, res).catch((e: unknown) => {
      // Whatever went wrong answers this request; the server goes on.
      if (!res.headersSent) send(res, 500, { error: e instanceof Error ? e.message : String(e) });
      else res.destroy();
    });
  });

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://nslab.invalid');
    if (!sameOrigin(req)) return send(res, 403, { error: 'refused: a request from another origin or for another host' });
    if (!hasToken(url, req)) return send(res, 401, { error: 'refused: this page needs the token of the URL that `nslab ui` printed' });
    if (req.method === 'GET' && (url.pathname === '/' || url.pathname === '/index.html')) return page(res);
    if (req.method === 'GET' && (url.pathname === '/app.js' || url.pathname === '/app.css')) return asset(res, url.pathname.slice(1));
    if (req.method === 'GET' && url.pathname === '/api/events') return events(res, url.searchParams.get('lab') ?? options.lab ?? null);
    return handleApi(req, res, url, send);
  }

  function page(res: ServerResponse): void {
    const file = join(assets, 'index.html');
    if (!existsSync(file)) return send(res, 500, { error: `the page is not built (${file} is missing): run \`npm run build\`` });
    const html = readFileSync(file, 'utf8')
      .replaceAll('%TOKEN%', encodeURIComponent(token))
      .replace('%LAB%', escapeAttr(options.lab ?? ''));
    res.writeHead(200, { ...SECURITY_HEADERS, 'content-type': 'text/html; charset=utf-8' });
    res.end(html);
  }

  function asset(res: ServerResponse, name: string): void {
    const file = join(assets, name);
    if (!existsSync(file)) return send(res, 500, { error: `the page is not built (${file} is missing): run \`npm run build\`` });
    res.writeHead(200, { ...SECURITY_HEADERS, 'content-type': name.endsWith('.js') ? 'text/javascript; charset=utf-8' : 'text/css; charset=utf-8' });
    res.end(readFileSync(file));
  }

  async function events(res: ServerResponse, lab: string | null): Promise<void> {
    res.writeHead(200, { ...SECURITY_HEADERS, 'content-type': 'text/event-stream', connection: 'keep-alive' });
    const write = (e: SessionEvent): void => {
      res.write(`event: ${e.type}\ndata: ${JSON.stringify(e.data)}\n\n`);
    };
    const labs = labSummaries();
    const chosen = lab ?? (labs.length === 1 ? (labs[0]?.name ?? null) : null);
    write({ type: 'hello', data: { labs, lab: chosen } });
    if (chosen === null) {
      // No lab chosen: the picker. It hears when labs come and go, from a session of its own.
      const picker = session('');
      picker.join(write);
      res.once('close', () => picker.leave(write));
      return;
    }
    const s = session(chosen);
    s.join(write);
    res.once('close', () => s.leave(write));
  }

  await new Promise<void>((resolve, reject) => {
    const onError = (e: NodeJS.ErrnoException): void => {
      reject(
        e.code === 'EADDRINUSE'
          ? new NslabError('NSLAB_ADDRESS_IN_USE', `port ${port} of ${listen} is in use; choose another with --port N, or --port 0 for a free one`, {
              cause: e,
            })
          : e.code === 'EADDRNOTAVAIL'
            ? new NslabError('NSLAB_ADDRESS_IN_USE', `--listen ${listen}: this machine has no such address`, { cause: e })
            : e,
      );
    };
    server.once('error', onError);
    server.listen(port, listen, () => {
      server.off('error', onError);
      resolve();
    });
  });
  const address = server.address();
  if (address !== null && typeof address === 'object') port = address.port;
  // A broken client is its own problem, not the server's.
  server.on('clientError', (_e, socket) => socket.destroy());
  const shown = wildcard || LOOPBACK.has(listen) ? '127.0.0.1' : listen;
  const url = `http://${hostPort(shown, port)}/?token=${encodeURIComponent(token)}${options.lab !== undefined ? `&lab=${encodeURIComponent(options.lab)}` : ''}`;
  return {
    url,
    port,
    host: listen,
    token,
    get pages() {
      return [...sessions.values()].reduce((n, s) => n + s.pages, 0);
    },
    async close() {
      await Promise.all([...sessions.values()].map((s) => s.close()));
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/** What every answer says: nothing of it may be framed, cached, sniffed, or leak the token as a referrer. */
const SECURITY_HEADERS = {
  'content-security-policy':
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'",
  'x-content-type-options': 'nosniff',
  'x-frame-options': 'DENY',
  'referrer-policy': 'no-referrer',
  'cache-control': 'no-store',
} as const;

function send(res: ServerResponse, code: number, body: unknown): void {
  res.writeHead(code, { ...SECURITY_HEADERS, 'content-type': 'application/json; charset=utf-8' });
  res.end(`${JSON.stringify(body)}\n`);
}

function escapeAttr(text: string): string {
  return text.replace(/[<>&"']/g, (c) => `&#${c.charCodeAt(0)};`);
}
