import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { renderHtml } from '../../src/render/html.js';
import { packageRoot } from '../../src/render/templates.js';
import { chromiumPath, launchChromium } from '../helpers/browser.js';
import { buildView } from '../../src/render/view-model.js';
import { smallReport } from './fixtures/small-report.js';

// The HTML report in a real headless Chromium (test/helpers/browser.ts finds it; skipped without one).
const ARTIFACTS = join(packageRoot(), 'test-artifacts');

const browserPath = chromiumPath();

describe.skipIf(browserPath === null)('report.html in headless Chromium', () => {
  let browser: Browser;
  const model = smallReport();
  const html = renderHtml(model);

  beforeAll(async () => {
    mkdirSync(ARTIFACTS, { recursive: true });
    browser = await launchChromium(browserPath ?? '');
  });

  afterAll(async () => {
    await browser?.close();
  });

  async function open(width: number, colorScheme: 'light' | 'dark', content: string = html) {
    const page = await browser.newPage({ viewport: { width, height: 900 }, colorScheme });
    const consoleErrors: string[] = [];
    const requests: string[] = [];
    const dialogs: string[] = [];
    page.on('console', (msg) => {
      if (msg.type() === 'error') consoleErrors.push(msg.text());
    });
    page.on('pageerror', (err) => consoleErrors.push(err.message));
    page.on('request', (req) => requests.push(req.url()));
    page.on('dialog', async (d) => {
      dialogs.push(d.message());
      await d.dismiss();
    });
    await page.setContent(content, { waitUntil: 'load' });
    return { page, consoleErrors, requests, dialogs };
  }

  test('loads with no console error, no request, no script run, and every chart drawn', async () => {
    // Prepare
    const view = buildView(model);
    const expectedCharts = view.detailed.filter((f) => f.chart !== null).length + 1;

    // Act
    const { page, consoleErrors, requests, dialogs } = await open(1280, 'light');
    const charts = await page.locator('svg.chart').count();
    const chartBoxes = await page.locator('svg.chart').evaluateAll((els) =>
      els.map((el) => {
        const r = el.getBoundingClientRect();
        return { w: r.width, h: r.height };
      }),
    );
    const scripts = await page.locator('script').count();
    const images = await page.locator('img').count();
    const hostileAsText = await page.getByText('<img src=x onerror=alert(1)>').count();
    await page.screenshot({ path: join(ARTIFACTS, 'report-desktop.png'), fullPage: true });
    await page.close();

    // Assess
    expect(consoleErrors).toEqual([]);
    expect(requests).toEqual([]);
    expect(dialogs).toEqual([]);
    expect(scripts).toBe(0);
    expect(images).toBe(0);
    expect(charts).toBe(expectedCharts);
    for (const box of chartBoxes) {
      expect(box.w).toBeGreaterThan(100);
      expect(box.h).toBeGreaterThan(30);
    }
    expect(hostileAsText).toBeGreaterThan(0);
  });

  test('phone width: nothing wider than the screen except inside scrollable tables', async () => {
    // Prepare: Lambda allows 64-character names without a space; they must wrap, not widen the page.
    const long = smallReport();
    const first = long.functions[0];
    if (!first) throw new Error('fixture has no function');
    const longName = `${'orders-api-processing-pipeline-stage-'.repeat(2)}x`.slice(0, 64);
    long.functions[0] = { ...first, name: longName, tags: { ...first.tags, note: 'n'.repeat(120) } };

    // Act
    const { page, consoleErrors } = await open(390, 'light', renderHtml(long));
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
    await page.screenshot({ path: join(ARTIFACTS, 'report-phone.png'), fullPage: true });
    await page.close();

    // Assess
    expect(consoleErrors).toEqual([]);
    expect(overflow).toBeLessThanOrEqual(0);
  });

  test('400 px: every saving and review condition of the top tables is on screen; commands scroll, never break a token', async () => {
    // Prepare: a review row, so the review table is there too.
    const m = smallReport();
    const review = m.functions.find((f) => f.recommendation === 'review');
    if (!review) throw new Error('fixture has no review function');
    review.reviewRisks = ['96.6 % of invocations throttled in the replay (limit 0.1 %)'];

    // Act
    const { page } = await open(400, 'light', renderHtml(m));
    const cells = await page
      .locator('#top table td.num:not(.rank), #top table td.verdict-review')
      .evaluateAll((els) => els.map((el) => { const r = el.getBoundingClientRect(); return { left: r.left, right: r.right, text: el.textContent ?? '' }; }));
    const pres = await page
      .locator('pre')
      .evaluateAll((els) => els.map((el) => ({ whiteSpace: getComputedStyle(el).whiteSpace, overflowX: getComputedStyle(el).overflowX })));
    await page.locator('#top').screenshot({ path: join(ARTIFACTS, 'report-400-top.png') });
    await page.close();

    // Assess
    expect(cells.length).toBeGreaterThan(2);
    expect(cells.some((c) => c.text.includes('only if you accept: 96.6 %'))).toBe(true);
    for (const c of cells) {
      expect(c.left, c.text).toBeGreaterThanOrEqual(0);
      expect(c.right, c.text).toBeLessThanOrEqual(400);
    }
    expect(pres.length).toBeGreaterThan(0);
    for (const p of pres) expect(p).toEqual({ whiteSpace: 'pre', overflowX: 'auto' });
  });

  test('dark mode switches the palette', async () => {
    // Act
    const { page } = await open(1280, 'dark');
    const background = await page.evaluate(() => getComputedStyle(document.body).backgroundColor);
    const barFill = await page.locator('svg.chart path.c-bar').first().evaluate((el) => getComputedStyle(el).fill);
    await page.screenshot({ path: join(ARTIFACTS, 'report-dark.png'), fullPage: true });
    await page.close();

    // Assess
    expect(background).not.toBe('rgb(255, 255, 255)');
    expect(barFill).not.toBe('rgb(76, 120, 168)');
  });

  test('print media hides navigation and keeps a light page', async () => {
    // Act
    const { page } = await open(1280, 'dark');
    await page.emulateMedia({ media: 'print', colorScheme: 'dark' });
    const navDisplay = await page.locator('nav.toc').evaluate((el) => getComputedStyle(el).display);
    const background = await page.evaluate(() => getComputedStyle(document.body).backgroundColor);
    await page.screenshot({ path: join(ARTIFACTS, 'report-print.png'), fullPage: true });
    await page.close();

    // Assess
    expect(navDisplay).toBe('none');
    expect(background).toBe('rgb(255, 255, 255)');
  });
});
