import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import fc from 'fast-check';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { renderHtml } from '../../src/render/html.js';
import { applyKnobs, CPU_OVERRIDE_KEY, knobsFromHash, overrideKey, overrideTarget, knobsToHash, knobValues, type KnobValues, WHATIF_KNOBS } from '../../src/whatif/knobs.js';
import { renderWhatIfHtml } from '../../src/whatif/page.js';
import { runCli } from '../cli/run-cli.js';
import { chromiumPath, launchChromium } from '../helpers/browser.js';
import { loadSample, SAMPLE_SNAPSHOT, type Sample } from './sample.js';
import { edgeSettings, knobSettings } from './settings.js';

// The what-if page in headless Chromium, opened from file://, against analyze for the same knobs.
const browserPath = chromiumPath();
const SETTINGS = 50;

describe.skipIf(browserPath === null)('report.html what-if panel in headless Chromium', () => {
  let browser: Browser;
  let sample: Sample;
  let dir: string;
  let pageUrl: string;
  let page: Page;
  let expectedPage: Page;
  const problems: string[] = [];
  const requests: string[] = [];

  beforeAll(async () => {
    sample = await loadSample();
    dir = mkdtempSync(join(tmpdir(), 'lmi-whatif-'));
    const { html, live } = await renderWhatIfHtml(sample.base, sample.data);
    expect(live).toBe(true);
    writeFileSync(join(dir, 'report.html'), html);
    pageUrl = pathToFileURL(join(dir, 'report.html')).href;
    browser = await launchChromium(browserPath ?? '');
    page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    page.on('pageerror', (e) => problems.push(e.message));
    page.on('console', (m) => {
      if (m.type() === 'error') problems.push(m.text());
    });
    page.on('request', (r) => requests.push(r.url()));
    page.on('dialog', (d) => {
      problems.push(`dialog: ${d.message()}`);
      void d.dismiss();
    });
    await page.goto(pageUrl);
    await page.locator('#whatif[data-ready="true"]').waitFor();
    expectedPage = await browser.newPage({ viewport: { width: 1280, height: 900 }, javaScriptEnabled: false });
  });

  afterAll(async () => {
    await browser?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  /**
   * The report's visible text (header and main) as Chromium lays it out. The live page lets
   * Chromium skip laying out the sections off screen (content-visibility, a style the script adds):
   * innerText leaves those out, so the style is switched off while the text is read.
   */
  async function reportText(p: Page): Promise<string> {
    return p.evaluate(() => {
      const layout = document.querySelector<HTMLStyleElement>('style[data-whatif-layout]');
      if (layout) layout.disabled = true;
      const text = ['.page > header', '.page > main'].map((s) => (document.querySelector(s) as HTMLElement).innerText).join('\n');
      if (layout) layout.disabled = false;
      return text;
    });
  }

  /** The report's DOM (header and main) as markup: what the page shows beyond its text (attributes, charts). */
  async function reportMarkup(p: Page): Promise<string> {
    return p.evaluate(() => ['.page > header', '.page > main'].map((s) => (document.querySelector(s) as HTMLElement).outerHTML).join('\n'));
  }

  async function expectedText(values: KnobValues): Promise<string> {
    const model = await sample.analyze(values);
    await expectedPage.setContent(renderHtml(model));
    return reportText(expectedPage);
  }

  async function showViaHash(values: KnobValues): Promise<void> {
    const hash = `#${knobsToHash(values)}`;
    await page.evaluate((h) => {
      location.hash = h;
    }, hash);
    await page.waitForFunction((h) => document.querySelector<HTMLElement>('#whatif')?.dataset.applied === h, hash);
  }

  it('opens offline with the run values, no request but the file, no error', async () => {
    // Assess
    expect(await reportText(page)).toBe(await expectedText({}));
    expect(await page.locator('style[data-whatif-layout]').count()).toBe(1);
    expect(requests).toEqual([pageUrl]);
    expect(problems).toEqual([]);
    for (const knob of WHATIF_KNOBS) {
      const control = page.locator(`input[data-knob="${knob.key}"]`);
      expect(await control.count()).toBe(1);
      expect(await control.isEnabled()).toBe(true);
      const id = await control.getAttribute('id');
      expect(await page.locator(`label[for="${id}"]`).innerText()).toContain(knob.key);
    }
  });

  it(`equals analyze --config, figure for figure, at ${SETTINGS} random settings and every knob edge`, async () => {
    // Prepare
    const random = fc.sample(knobSettings(sample.unmeasured), { numRuns: SETTINGS, seed: 20261201 });
    const settings = [...edgeSettings(sample.unmeasured), ...random];
    expect(sample.unmeasured.length).toBeGreaterThan(0);
    expect(settings.filter((s) => Object.keys(s).some((k) => overrideTarget(k) !== null)).length).toBeGreaterThan(10);

    // Act + Assess, one setting at a time (the page keeps its state between them)
    for (const values of settings) {
      await showViaHash(values);
      const shown = await reportText(page);
      expect(shown, JSON.stringify(values)).toBe(await expectedText(values));
      // The patched DOM is the DOM of the CLI's page, node for node (markup-diff.ts parses only what changed).
      expect(await reportMarkup(page), JSON.stringify(values)).toBe(await reportMarkup(expectedPage));
      // ... and it got there by the diff, not by the whole-page fallback.
      expect(await page.locator('#whatif').getAttribute('data-update-parts')).not.toMatch(/whole/);
    }
    expect(problems).toEqual([]);
    expect(requests).toEqual([pageUrl]);
  }, 900_000);

  it('the config it offers makes the CLI print the same figures (report.json)', async () => {
    // Prepare: move two controls with the keyboard, then read the offered YAML
    await page.goto(pageUrl);
    await page.locator('#whatif[data-ready="true"]').waitFor();
    const discount = page.locator('input[data-knob="lmi.discount"]');
    await discount.focus();
    for (let i = 0; i < 28; i++) await page.keyboard.press('ArrowRight');
    await page.locator('input[data-knob="lmi.groupUntagged"]').focus();
    await page.keyboard.press('Space');
    await page.locator('#whatif:not([data-pending])').waitFor();
    const yaml = await page.locator('[data-whatif="yaml"]').inputValue();
    const hash = await page.evaluate(() => location.hash);
    writeFileSync(join(dir, 'whatif.yaml'), yaml);

    // Act
    const run = await runCli(['analyze', '--snapshot', SAMPLE_SNAPSHOT, '--config', join(dir, 'whatif.yaml'), '--out', join(dir, 'cli'), '--format', 'json', '--quiet']);
    const report = JSON.parse(readFileSync(join(dir, 'cli', 'report.json'), 'utf8')) as typeof sample.base;
    const headline = await page.locator('#headline').innerText();

    // Assess
    expect(run.code).toBe(0);
    expect(knobsFromHash(hash).values).toEqual({ 'lmi.discount': 0.28, 'lmi.groupUntagged': true });
    expect(yaml).toContain('discount: 0.28');
    expect(report.assumptions.find((a) => a.key === 'lmi.discount')?.value).toBe(0.28);
    const cents = (usd: number) => `$${usd.toLocaleString('en-US', { minimumFractionDigits: 2, maximumFractionDigits: 2 })}`;
    for (const usd of [report.totals.standardUsd, report.totals.recommendedUsd, report.totals.savingsUsd]) {
      expect(headline).toContain(cents(usd));
    }
    expect(await reportText(page)).toBe(await expectedText(knobValues(applyKnobs(sample.data.config, knobsFromHash(hash).values))));
  });

  it('a per-function CPU share control (lmi.cpuBusyFractionByFunction) moves that function only, as analyze --config does', async () => {
    // Prepare
    const target = sample.unmeasured[0];
    if (target === undefined) throw new Error('sample: no function without measured CPU');
    const key = overrideKey(target.region, target.name);
    await page.goto(pageUrl);
    await page.locator('#whatif[data-ready="true"]').waitFor();
    await page.locator('[data-whatif="overrides"] > summary').click();
    const input = page.locator(`input[data-knob="${CPU_OVERRIDE_KEY}"][data-function="${target.region}/${target.name}"]`);

    // Act
    await input.fill('0.05');
    await input.press('Tab');
    await page.locator('#whatif:not([data-pending])').waitFor();
    await page.waitForFunction((k) => location.hash.includes(k), key);

    // Assess
    expect(await page.locator(`input[data-knob="${CPU_OVERRIDE_KEY}"]`).count()).toBe(sample.unmeasured.length);
    expect(await page.locator(`label[for="${await input.getAttribute('id')}"]`).innerText()).toContain(`${CPU_OVERRIDE_KEY}["${target.region}/${target.name}"]`);
    expect(knobsFromHash(await page.evaluate(() => location.hash)).values).toEqual({ [key]: 0.05 });
    const yaml = await page.locator('[data-whatif="yaml"]').inputValue();
    expect(yaml).toContain(`  cpuBusyFractionByFunction:\n    "${target.region}/${target.name}": 0.05`);
    writeFileSync(join(dir, 'override.yaml'), yaml);
    const run = await runCli(['analyze', '--snapshot', SAMPLE_SNAPSHOT, '--config', join(dir, 'override.yaml'), '--out', join(dir, 'cli-override'), '--format', 'json', '--quiet']);
    expect(run.code).toBe(0);
    const report = JSON.parse(readFileSync(join(dir, 'cli-override', 'report.json'), 'utf8')) as typeof sample.base;
    const expected = await sample.analyze({ [key]: 0.05 });
    expect(report.totals).toEqual(expected.totals);
    expect(await reportText(page)).toBe(await expectedText({ [key]: 0.05 }));
    expect(await reportText(page)).not.toBe(await expectedText({}));
  });

  it('reset returns to the run values and clears the link', async () => {
    // Act
    await page.locator('[data-whatif="reset"]').click();
    await page.locator('#whatif:not([data-pending])').waitFor();

    // Assess
    expect(await page.evaluate(() => location.hash)).toBe('');
    expect(await reportText(page)).toBe(await expectedText({}));
    expect(await page.locator('input[data-knob="lmi.discount"]').inputValue()).toBe('0');
  });

  it('a link with a bad value says so and changes nothing', async () => {
    // Act
    await page.evaluate(() => {
      location.hash = '#lmi.discount=5';
    });
    await page.waitForFunction(() => document.querySelector<HTMLElement>('#whatif')?.dataset.state === 'error');

    // Assess
    expect(await page.locator('[data-whatif="status"]').innerText()).toMatch(/Not applied/);
    expect(await reportText(page)).toBe(await expectedText({}));
  });

  it('prints without the panel, and follows the dark scheme', async () => {
    // Act
    const dark = await browser.newPage({ colorScheme: 'dark' });
    await dark.goto(pageUrl);
    await dark.locator('#whatif[data-ready="true"]').waitFor();
    const background = await dark.locator('#whatif').evaluate((el) => getComputedStyle(el).backgroundColor);
    const skipped = await dark.locator('#functions').evaluate((el) => getComputedStyle(el).contentVisibility);
    await dark.emulateMedia({ media: 'print' });
    const printed = await dark.locator('#whatif').evaluate((el) => getComputedStyle(el).display);
    const printedFunctions = await dark.locator('#functions').evaluate((el) => getComputedStyle(el).contentVisibility);
    await dark.close();

    // Assess
    expect(background).not.toBe('rgb(246, 247, 249)');
    expect(printed).toBe('none');
    // On screen, sections off screen are not laid out; in print every one is.
    expect(skipped).toBe('auto');
    expect(printedFunctions).toBe('visible');
  });
});
