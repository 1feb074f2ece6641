import type { TestProject } from 'vitest/node';
import { BROWSER_HINT, BROWSER_NAMES, REQUIRE_BROWSER_ENV, BrowserNotFoundError, findChromium } from './browser.js';

/** vitest global setup: looks for Chromium once and says so in one line when the browser tests skip. */
export default function setup(project: TestProject): void {
  const path = findChromium();
  if (path === null) {
    const message = `no Chromium found (CHROMIUM_PATH unset; none of ${BROWSER_NAMES.join(', ')} on PATH)`;
    if (process.env[REQUIRE_BROWSER_ENV] === '1') {
      throw new BrowserNotFoundError(`${message}; ${REQUIRE_BROWSER_ENV}=1 requires it: ${BROWSER_HINT}`);
    }
    console.log(`browser tests SKIPPED: ${message}; to run them, ${BROWSER_HINT}`);
  }
  project.provide('chromiumPath', path);
}
