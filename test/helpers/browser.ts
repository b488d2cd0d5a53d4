/**
 * A real browser for the web page's tests: Debian's chromium driven by playwright-core (never a browser
 * Playwright downloads), headless, in a fresh profile that is removed afterwards, with nothing that
 * reaches out to the network on its own.
 */
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type BrowserContext } from 'playwright-core';

export const CHROMIUM = '/usr/bin/chromium';

/** Pass as `{ skip: noChromium }`: false when Debian's chromium is installed (.ci/run installs it). */
export const noChromium: string | false = existsSync(CHROMIUM) ? false : `needs ${CHROMIUM} (apt-get install chromium)`;

export const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

export interface Browser extends AsyncDisposable {
  context: BrowserContext;
}

export async function openBrowser(): Promise<Browser> {
  const profile = mkdtempSync(join(tmpdir(), 'nslab-chromium-'));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: true,
    args: CHROMIUM_ARGS,
    viewport: { width: 1280, height: 760 },
  });
  return {
    context,
    async [Symbol.asyncDispose]() {
      await context.close();
      rmSync(profile, { recursive: true, force: true });
    },
  };
}
