/**
 * Debian's Chromium driven by `playwright-core` for the browser tests: never a downloaded browser.
 * {@link chromiumUnavailable} says why the tests cannot run here (CI installs the package).
 */
import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { chromium } from 'playwright-core';
import type { Browser, Page } from 'playwright-core';

/** Where Debian's `chromium` package puts the browser. */
export const CHROMIUM = '/usr/bin/chromium';

/** Why Chromium cannot be used here, or undefined when it can. */
export function chromiumUnavailable(): string | undefined {
  return existsSync(CHROMIUM) ? undefined : `${CHROMIUM} is not installed (apt-get install chromium; CI installs it)`;
}

/** Starts headless Chromium. */
export function launchChromium(): Promise<Browser> {
  return chromium.launch({ executablePath: CHROMIUM, args: ['--headless', '--no-sandbox'] });
}

/** A page that records its console errors and uncaught page errors. */
export interface WatchedPage {
  readonly page: Page;
  /** The errors recorded since the last call (and forgets them). */
  takeErrors(): string[];
}

/** Opens a page at 1280×800 in a new context of `browser`, recording its errors. */
export async function openWatchedPage(browser: Browser, defaultTimeoutMs: number): Promise<WatchedPage> {
  const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
  const page = await context.newPage();
  page.setDefaultTimeout(defaultTimeoutMs);
  let errors: string[] = [];
  page.on('console', (message) => {
    if (message.type() === 'error') errors.push(`console: ${message.text()}`);
  });
  page.on('pageerror', (error) => errors.push(`page error: ${error.message}`));
  return {
    page,
    takeErrors() {
      const taken = errors;
      errors = [];
      return taken;
    },
  };
}

/** Where a browser test writes its screenshots. */
export interface Screenshots {
  /** Saves the page as `<name>.png`. */
  shot(page: Page, name: string): Promise<void>;
  /** Removes a temporary folder (a folder named by SHIPMATE_UI_SCREENSHOT_DIR is kept). */
  cleanup(): void;
}

/**
 * The folder SHIPMATE_UI_SCREENSHOT_DIR names (`npm run screenshots` renews docs/ui/ that way), else
 * a temporary one named after `prefix`.
 */
export function screenshots(prefix: string): Screenshots {
  const named = process.env.SHIPMATE_UI_SCREENSHOT_DIR;
  const dir = named ? resolve(named) : mkdtempSync(join(tmpdir(), `${prefix}-`));
  mkdirSync(dir, { recursive: true });
  return {
    async shot(page, name) {
      await page.screenshot({ path: join(dir, `${name}.png`) });
    },
    cleanup() {
      if (!named) rmSync(dir, { recursive: true, force: true });
    },
  };
}
