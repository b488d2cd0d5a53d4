import assert from 'node:assert/strict';
import { request } from 'node:http';
import { describe, test } from 'node:test';
import { startUi } from '../../src/web/server.js';

/** A raw request, with whatever Host and Origin a hostile page or a rebound DNS name would send. */
function get(
  port: number,
  path: string,
  headers: Record<string, string> = {},
  method = 'GET',
  body?: string,
): Promise<{ status: number; body: string; headers: Record<string, unknown> }> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path, method, headers: { host: `127.0.0.1:${port}`, ...headers } }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8'), headers: res.headers }));
    });
    req.once('error', reject);
    req.end(body);
  });
}

describe('nslab ui server: who may ask (no root needed)', () => {
  test('the token is needed for everything, another origin or host is refused, and the page comes with its security headers', async () => {
    const ui = await startUi({ port: 0 });
    try {
      const t = `token=${encodeURIComponent(ui.token)}`;
      assert.match(ui.url, new RegExp(`^http://127\\.0\\.0\\.1:${ui.port}/\\?token=`));
      assert.ok(ui.token.length >= 32, 'a token that cannot be guessed');
      for (const path of ['/', '/app.js', '/app.css', '/api/labs', '/api/events', '/api/status?lab=x']) {
        assert.equal((await get(ui.port, path)).status, 401, `${path} without the token`);
        assert.equal((await get(ui.port, `${path}${path.includes('?') ? '&' : '?'}token=wrong`)).status, 401, `${path} with a wrong token`);
      }
      assert.equal((await get(ui.port, '/api/labs', { 'x-nslab-token': ui.token })).status, 200, 'the token as a header');
      const page = await get(ui.port, `/?${t}`);
      assert.equal(page.status, 200);
      assert.match(String(page.headers['content-security-policy']), /default-src 'none'; script-src 'self'/);
      assert.equal(page.headers['referrer-policy'], 'no-referrer');
      assert.doesNotMatch(page.body, /https?:\/\//, 'the page loads nothing from elsewhere');
      for (const asset of ['/app.js', '/app.css']) {
        const a = await get(ui.port, `${asset}?${t}`);
        assert.equal(a.status, 200, asset);
        assert.doesNotMatch(a.body, /https?:\/\/(?!www\.w3\.org)/, `${asset} fetches nothing from elsewhere`);
      }
      // Another site's page, a rebound DNS name, a cross-site fetch: 403 even with the token.
      assert.equal((await get(ui.port, `/api/labs?${t}`, { origin: 'http://evil.example' })).status, 403);
      assert.equal((await get(ui.port, `/api/labs?${t}`, { host: `evil.example:${ui.port}` })).status, 403);
      assert.equal((await get(ui.port, `/api/labs?${t}`, { 'sec-fetch-site': 'cross-site' })).status, 403);
      assert.equal((await get(ui.port, `/api/labs?${t}`, { origin: `http://127.0.0.1:${ui.port}` })).status, 200);
      assert.equal((await get(ui.port, `/api/labs?${t}`, { host: `localhost:${ui.port}`, origin: `http://localhost:${ui.port}` })).status, 200);
      // An action must be JSON (a form from elsewhere cannot send that), and say what it wants.
      assert.equal((await get(ui.port, `/api/link?${t}`, { 'content-type': 'application/x-www-form-urlencoded' }, 'POST', 'lab=x')).status, 415);
      const bad = await get(ui.port, `/api/link?${t}`, { 'content-type': 'application/json' }, 'POST', '{"lab":"x"}');
      assert.equal(bad.status, 400);
      assert.match(bad.body, /say which end/);
    } finally {
      await ui.close();
    }
  });

  test('a port in use: a clear error and the hint', async () => {
    const first = await startUi({ port: 0 });
    try {
      await assert.rejects(startUi({ port: first.port }), (e: Error & { code?: string }) => {
        assert.equal(e.code, 'NSLAB_ADDRESS_IN_USE');
        assert.match(e.message, new RegExp(`port ${first.port} of 127\\.0\\.0\\.1 is in use; .*--port 0 for a free one`));
        return true;
      });
    } finally {
      await first.close();
    }
  });
});
