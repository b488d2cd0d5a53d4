import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { request } from 'node:http';
import { describe, test } from 'node:test';
import { startUi } from '../../src/web/server.js';
import { needsRoot } from '../helpers/sandbox.js';
import { tutorialLab } from '../helpers/tutorial.js';

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

describe('nslab ui server: the rates it sends', { skip: needsRoot }, () => {
  test('a ping at 5 packets a second reads as about that, never as a burst, even in the first tick that waited for the picture', async () => {
    await using lab = tutorialLab('rates');
    await lab.up();
    const ping = spawn('ip', ['netns', 'exec', `${lab.name}-red`, 'ping', '-n', '-i', '0.2', '-c', '50', '10.10.1.3'], { stdio: 'ignore' });
    // Traffic flows before the page opens, so that the counters move while the picture is drawn.
    await new Promise((r) => setTimeout(r, 1000));
    const ui = await startUi({ port: 0, statsEveryMs: 20 });
    const seen: number[] = [];
    try {
      await new Promise<void>((resolve, reject) => {
        const path = `/api/events?lab=${encodeURIComponent(lab.name)}&token=${encodeURIComponent(ui.token)}`;
        const req = request({ host: '127.0.0.1', port: ui.port, path, headers: { host: `127.0.0.1:${ui.port}` } }, (res) => {
          let text = '';
          res.on('data', (c: Buffer) => {
            text += c.toString('utf8');
            for (let end = text.indexOf('\n\n'); end >= 0; end = text.indexOf('\n\n')) {
              const m = /^event: stats\ndata: (.*)$/s.exec(text.slice(0, end));
              text = text.slice(end + 2);
              if (m?.[1] === undefined) continue;
              const { rates } = JSON.parse(m[1]) as { rates: { node: string; ifname: string; txPackets: number }[] };
              const red = rates.find((r) => r.node === 'red' && r.ifname === 'rveth');
              if (red !== undefined) seen.push(red.txPackets);
            }
          });
        });
        req.once('error', reject);
        req.end();
        setTimeout(() => {
          req.destroy();
          resolve();
        }, 3000);
      });
    } finally {
      ping.kill();
      await ui.close();
    }
    assert.ok(
      seen.some((r) => r > 0),
      `some rate of red:rveth moves: ${seen.join(' ')}`,
    );
    // 5 echo requests a second, and now and then an ARP request (up to 10 a second over half a
    // second); a rate taken over the milliseconds between two ticks read 50, and the first tick 1,000 or more.
    assert.ok(
      seen.every((r) => r <= 20),
      `every rate of red:rveth is about 5 packets a second: ${seen.join(' ')}`,
    );
  });
});
