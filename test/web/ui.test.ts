import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import type { Page } from 'playwright-core';
import { startUi } from '../../src/web/server.js';
import { openBrowser, noChromium } from '../helpers/browser.js';
import { ROOT } from '../helpers/cli.js';
import { inWorld, ipJson, needsRoot, sh } from '../helpers/sandbox.js';
import { tutorialLab } from '../helpers/tutorial.js';

interface IpLink {
  ifname: string;
  flags: string[];
  operstate: string;
}

/** `nslab ui` as a user runs it, in a child process; resolves with its URL once it printed it. */
async function startCli(args: string[]): Promise<{ child: ChildProcess; url: string; stderr: () => string }> {
  const bundle = join(ROOT, 'dist', 'bin', 'nslab.mjs');
  const main = existsSync(bundle) ? [bundle] : ['--import', 'tsx', join(ROOT, 'src', 'cli', 'main.ts')];
  const child = spawn(process.execPath, [...main, 'ui', ...args], {
    cwd: ROOT,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  let err = '';
  child.stderr?.on('data', (d: Buffer) => (err += d.toString()));
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`nslab ui printed no URL in 30 s: ${out} ${err}`)), 30_000);
    child.stdout?.on('data', (d: Buffer) => {
      out += d.toString();
      const m = /open (http:\/\/\S+)/.exec(out);
      if (m?.[1] !== undefined) {
        clearTimeout(timer);
        resolve(m[1]);
      }
    });
    child.once('exit', (code) => reject(new Error(`nslab ui exited ${code}: ${err}`)));
  });
  return { child, url, stderr: () => err };
}

/** Polls `ok` until it holds (the page's CSP rightly forbids the string predicates of waitForFunction). */
async function until(ok: () => Promise<boolean>, timeoutMs: number, what: string): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!(await ok())) {
    if (Date.now() > end) assert.fail(`${what}: not within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** Clicks a cable where a person does: on its line. */
async function clickCable(page: Page): Promise<void> {
  const box = await page.locator('g.cable path.wire').boundingBox();
  assert.ok(box !== null);
  await page.mouse.click(box.x + box.width / 2, box.y + box.height / 2);
  await page.waitForSelector('#panel:not([hidden]) button[data-action="pull"], #panel:not([hidden]) button[data-action="plug"]');
}

const rvethOf = (netns: string): IpLink | undefined => ipJson<IpLink[]>(['-n', netns, 'link', 'show', 'rveth'])[0];

describe('nslab ui in a real browser', { skip: needsRoot || noChromium }, () => {
  test('the tutorial live: red, green and the cable with their addresses; a pull in the page within 1 s and the kernel agrees; a ping moves the counters; no token, 401', async () => {
    await using lab = tutorialLab('ui');
    await lab.up();
    const red = `${lab.name}-red`;
    const { child, url } = await startCli(['--lab', lab.name, '--port', '0']);
    try {
      assert.match(url, /^http:\/\/127\.0\.0\.1:\d+\/\?token=[\w-]{32}&lab=/);
      await using browser = await openBrowser();
      const page = browser.context.pages()[0] ?? (await browser.context.newPage());
      await page.goto(url);
      await page.waitForSelector('g.node[data-node="red"]');
      const text = (await page.locator('#diagram svg text').allTextContents()).join('\n');
      for (const want of ['red', 'green', 'rveth 10.10.1.2/32', 'gveth 10.10.1.3/32']) assert.ok(text.includes(want), `the page shows ${want}: ${text}`);
      await page.waitForSelector('g.end.up[data-end="red:rveth"]');
      assert.equal(await page.locator('g.cable.down').count(), 0);

      // Pull the cable in the page: down in the picture within 1 s, and in the kernel.
      await clickCable(page);
      const pulled = Date.now();
      await page.click('button[data-action="pull"]');
      await page.waitForSelector('g.cable.down', { timeout: 1000 });
      const shownAfter = Date.now() - pulled;
      assert.ok(shownAfter < 1000, `shown ${shownAfter} ms after the click`);
      const link = rvethOf(red);
      assert.equal(link?.operstate, 'DOWN');
      assert.ok(!(link?.flags ?? []).includes('UP'), `ip -n ${red} link shows rveth down: ${JSON.stringify(link)}`);
      assert.equal(await lab.node('red').reach('green'), false);

      // Plug it back in the page; then a change made outside it (ip link set) shows within 1 s too.
      await page.click('button[data-action="plug"]');
      await page.waitForSelector('g.cable:not(.down) g.end.up[data-end="red:rveth"]', { timeout: 1000 });
      assert.ok(rvethOf(red)?.flags.includes('UP'));
      sh('ip', ['-n', `${lab.name}-green`, 'link', 'set', 'gveth', 'down']);
      await page.waitForSelector('g.cable.down g.end.down[data-end="green:gveth"]', { timeout: 1000 });
      await page.waitForSelector('g.end.no-carrier[data-end="red:rveth"]', { timeout: 1000 });
      // Up again through nslab, which puts back the route the kernel dropped with the link.
      await lab.link('green:gveth').set({ up: true });
      await page.waitForSelector('g.cable:not(.down)', { timeout: 1000 });

      // A ping from red: its counters move in the page.
      const ping = spawn('ip', ['netns', 'exec', red, 'ping', '-n', '-i', '0.2', '-c', '60', '10.10.1.3'], { stdio: 'ignore' });
      try {
        const traffic = page.locator('g.end[data-end="red:rveth"] text.traffic');
        await until(async () => /↑[1-9]/.test((await traffic.textContent()) ?? ''), 5000, 'the counters of red:rveth move');
        assert.match((await traffic.textContent()) ?? '', /^↑\d+(\.\d)? ↓\d+(\.\d)? pkt\/s$/);
        // The panel's totals (sent, received) from the kernel's counters.
        await page.click('g.node[data-node="red"]');
        await page.waitForSelector('#panel[data-showing="node:red"] table.counters tr[data-key="red:rveth"]');
        assert.match((await page.locator('#panel').innerText()).replace(/\s+/g, ' '), /rveth veth UP mtu 1500 10\.10\.1\.2\/32/);
        // The cable's live packets, from tcpdump in red; in a world, which tcpdump cannot work in, the page
        // says why (src/api/capture.ts).
        await clickCable(page);
        await page.click('button[data-action="capture"]');
        if (inWorld) {
          await page.waitForSelector('#toast.error:has-text("capture on red:rveth: cannot capture on red:rveth in your nslab world")', { timeout: 5000 });
        } else {
          await page.waitForSelector('#packets li:has-text("IP 10.10.1.2 > 10.10.1.3: ICMP echo request")', { timeout: 5000 });
          await page.waitForSelector('#packets li:has-text("IP 10.10.1.3 > 10.10.1.2: ICMP echo reply")', { timeout: 5000 });
        }
      } finally {
        ping.kill();
      }

      // Without the token: 401, from the same origin.
      const noToken = await page.evaluate(async () => (await fetch('/api/labs')).status);
      assert.equal(noToken, 401);
      const bare = await fetch(url.replace(/\?.*$/, ''));
      assert.equal(bare.status, 401);
    } finally {
      child.kill('SIGTERM');
      const [code] = (await once(child, 'exit')) as [number | null];
      assert.equal(code, 0, 'nslab ui stops cleanly on SIGTERM');
    }
  });

  test('an action on a lab that went down meanwhile is an error in the page, and the server goes on', async () => {
    const lab = tutorialLab('uidown');
    await lab.up();
    const ui = await startUi({ lab: lab.name, port: 0 });
    try {
      await using browser = await openBrowser();
      const page = browser.context.pages()[0] ?? (await browser.context.newPage());
      await page.goto(ui.url);
      await page.waitForSelector('g.end.up[data-end="red:rveth"]');
      assert.equal(ui.pages, 1);
      await clickCable(page);
      await lab.down();
      await page.click('button[data-action="pull"]');
      await page.waitForSelector('#panel .action-error');
      assert.match(await page.locator('#panel .action-error').innerText(), new RegExp(`lab ${lab.name} is not up`));
      // The page hears that the lab went down, and the server still answers.
      await page.waitForSelector('#diagram.stale', { timeout: 3000 });
      assert.equal((await fetch(`http://127.0.0.1:${ui.port}/api/labs?token=${ui.token}`)).status, 200);
      await page.close();
      for (let waited = 0; ui.pages > 0 && waited < 3000; waited += 50) await new Promise((r) => setTimeout(r, 50));
      assert.equal(ui.pages, 0, 'with no page open, nothing is watched');
    } finally {
      await ui.close();
      await lab.down();
    }
  });

  test('with several labs up and none named, the page offers them; choosing one draws it', async () => {
    await using one = tutorialLab('pick');
    await using two = tutorialLab('pick');
    await one.up();
    await two.up();
    const ui = await startUi({ port: 0 });
    try {
      await using browser = await openBrowser();
      const page = browser.context.pages()[0] ?? (await browser.context.newPage());
      await page.goto(ui.url);
      await page.waitForSelector('.lab-list');
      const offered = await page.locator('.lab-list a').allTextContents();
      for (const name of [one.name, two.name]) assert.ok(offered.includes(name), `${name} offered: ${offered.join(', ')}`);
      await page.click(`.lab-list a:text-is("${two.name}")`);
      await page.waitForSelector('g.end.up[data-end="red:rveth"]');
      assert.equal(await page.locator('#lab-name').innerText(), `lab ${two.name}`);
    } finally {
      await ui.close();
    }
  });
});
