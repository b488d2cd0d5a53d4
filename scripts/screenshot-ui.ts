/**
 * The screenshot of `nslab ui` in docs/ui.png (run through scripts/screenshot.mjs, inside the sandbox):
 * examples/two-computers.yaml up, red pinging green, the cable's panel open with its packets.
 */
import { spawn } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Lab } from '../src/index.js';
import { startUi } from '../src/web/server.js';
import { openBrowser } from '../test/helpers/browser.js';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const OUT = process.argv[2] ?? join(ROOT, 'docs', 'ui.png');

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

await using lab = await Lab.fromFile(join(ROOT, 'examples', 'two-computers.yaml'));
await lab.up();
const ui = await startUi({ lab: lab.name, port: 0, token: 'screenshot' });
const ping = spawn('ip', ['netns', 'exec', 'red', 'ping', '-n', '-i', '0.25', '-c', '60', '10.10.1.3'], { stdio: 'ignore' });
try {
  await using browser = await openBrowser();
  const page = browser.context.pages()[0] ?? (await browser.context.newPage());
  await page.setViewportSize({ width: 1280, height: 720 });
  await page.goto(ui.url);
  await page.waitForSelector('g.end.up[data-end="red:rveth"]');
  const box = await page.locator('g.cable path.wire').boundingBox();
  if (box === null) throw new Error('no cable drawn');
  await page.mouse.click(box.x + box.width / 2, box.y + box.height / 2);
  await page.waitForSelector('#panel[data-showing^="cable:"]');
  if ((await page.locator('button[data-action="capture"]').count()) > 0) await page.click('button[data-action="capture"]');
  // Rates need two readings a second apart; packets need a few pings.
  await sleep(3500);
  await page.mouse.move(0, 0);
  await page.screenshot({ path: OUT });
  console.log(`wrote ${OUT}`);
} finally {
  ping.kill();
  await ui.close();
}
