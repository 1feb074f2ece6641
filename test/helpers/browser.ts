import { accessSync, constants, statSync } from 'node:fs';
import { delimiter, join } from 'node:path';
import { type Browser, chromium, type Page } from 'playwright-core';
import { inject } from 'vitest';

/**
 * One place that finds the Chromium the browser tests drive (playwright-core never downloads one).
 * Order: `CHROMIUM_PATH`, then the usual names on PATH. vitest's global setup
 * (test/helpers/browser-setup.ts) looks once, prints one line when there is none, and hands the
 * result to the test files through `inject('chromiumPath')`.
 */

export const BROWSER_NAMES = ['chromium', 'chromium-browser', 'google-chrome', 'google-chrome-stable', 'chrome'];

/** Set by .ci/run: a missing browser fails the run instead of skipping the browser tests. */
export const REQUIRE_BROWSER_ENV = 'LMI_REQUIRE_BROWSER';

export const BROWSER_HINT =
  'install Chromium (Debian/Ubuntu: apt-get install chromium) or set CHROMIUM_PATH to a Chromium/Chrome binary';

export class BrowserNotFoundError extends Error {
  override name = 'BrowserNotFoundError';
}

function isExecutableFile(path: string): boolean {
  try {
    if (!statSync(path).isFile()) return false;
    accessSync(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/** The browser binary, or null when there is none. A CHROMIUM_PATH that is not executable is an error. */
export function findChromium(env: NodeJS.ProcessEnv = process.env): string | null {
  const explicit = env.CHROMIUM_PATH;
  if (explicit !== undefined && explicit !== '') {
    if (!isExecutableFile(explicit)) {
      throw new BrowserNotFoundError(`CHROMIUM_PATH=${explicit} is not an executable file`);
    }
    return explicit;
  }
  for (const dir of (env.PATH ?? '').split(delimiter)) {
    if (dir === '') continue;
    for (const name of BROWSER_NAMES) {
      const candidate = join(dir, name);
      if (isExecutableFile(candidate)) return candidate;
    }
  }
  return null;
}

/** The path found by the global setup (null: the browser tests skip). */
export function chromiumPath(): string | null {
  return inject('chromiumPath');
}

export async function launchChromium(executablePath: string): Promise<Browser> {
  return chromium.launch({
    executablePath,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--no-first-run',
    ],
  });
}

/**
 * A blank page in a new headless Chromium holding `body`, with one of the project's modules
 * (`src/...`, bundled by esbuild as the what-if page's script is) as `window[globalName]`.
 */
export async function pageWithModule(executablePath: string, entry: string, globalName: string, body: string): Promise<{ browser: Browser; page: Page }> {
  const esbuild = await import('esbuild');
  const built = await esbuild.build({ entryPoints: [entry], bundle: true, write: false, format: 'iife', globalName, platform: 'browser', target: 'es2022', logLevel: 'silent' });
  const browser = await launchChromium(executablePath);
  const page = await browser.newPage();
  await page.setContent(`<!doctype html><html><body>${body}</body></html>`);
  await page.addScriptTag({ content: built.outputFiles[0]?.text ?? '' });
  return { browser, page };
}

declare module 'vitest' {
  export interface ProvidedContext {
    chromiumPath: string | null;
  }
}
