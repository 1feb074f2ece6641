import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { renderHtml } from '../../src/render/html.js';
import type { KnobValues } from '../../src/whatif/knobs.js';
import { renderWhatIfHtml } from '../../src/whatif/page.js';
import { chromiumPath, launchChromium } from '../helpers/browser.js';
import { loadSample, type Sample } from './sample.js';
import { type Asked, cliShown, liveSpan, openLive, reportView, setKnobs, withPageRows } from './shown.js';

// The pager of the "Other functions" table in the live what-if page (pager-controls.ts, pager.ts), in
// headless Chromium on the sample account (4 rows in that table): pages, the find box, show all,
// the keyboard, the reader's place, and the rows on show against the CLI's rows at the same
// positions after knob changes (page-chromium.test.ts does so over 50 random settings). Buttons are
// pressed from the keyboard: a mouse click lands where a button was when the page scrolled to it,
// and sections coming into view there are then laid out (content-visibility) and may move it.

const browserPath = chromiumPath();

/**
 * Before the page's script: closes the panel (so it covers little), puts `row` of the table (or the
 * Prices section) `y` px from the top, and notes where it is then (window.placedAt).
 */
function scrolledTo(html: string, target: 'row' | 'prices', row: number, y: number): string {
  const script =
    `<script>document.querySelector('#whatif details').open = false;` +
    `var t = ${target === 'row' ? `document.querySelectorAll('#others tbody > tr')[${row}]` : `document.getElementById('prices')`};` +
    `window.scrollTo(0, window.scrollY + t.getBoundingClientRect().top - ${y}); window.placedAt = t.getBoundingClientRect().top;</script>\n`;
  const at = html.indexOf('<script type="application/x-lmi-whatif"');
  if (at === -1) throw new Error('test: the page has no what-if data');
  return `${html.slice(0, at)}${script}${html.slice(at)}`;
}

describe.skipIf(browserPath === null)('the "Other functions" pager of the what-if page in headless Chromium', () => {
  let browser: Browser;
  let sample: Sample;
  let dir: string;
  let html: string;
  let expectedPage: Page;
  const problems: string[] = [];

  beforeAll(async () => {
    sample = await loadSample();
    dir = mkdtempSync(join(tmpdir(), 'lmi-pager-'));
    ({ html } = await renderWhatIfHtml(sample.base, sample.data));
    browser = await launchChromium(browserPath ?? '');
    expectedPage = await browser.newPage({ viewport: { width: 1280, height: 900 }, javaScriptEnabled: false });
  });

  afterAll(async () => {
    await browser?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  /** Opens `markup` (a what-if page) live and waits for its panel. */
  const open = (markup: string, name: string, viewport = { width: 1280, height: 900 }): Promise<Page> => openLive(browser, { dir, name, viewport }, markup, problems);

  /** The page shows the CLI's report for `values` with the rows `asked` for, node for node. */
  async function expectShows(page: Page, values: KnobValues, asked: Asked, pageRows: number, where: string): Promise<void> {
    const span = await cliShown(expectedPage, renderHtml(await sample.analyze(values)), asked, pageRows);
    const live = await liveSpan(page);
    expect({ from: live.from, to: live.to, total: live.total }, where).toEqual({ from: span.from, to: span.to, total: span.total });
    const [shown, expected] = [await reportView(page), await reportView(expectedPage)];
    expect(shown.text, where).toBe(expected.text);
    expect(shown.markup, where).toBe(expected.markup);
  }

  const names = (page: Page) => page.locator('#others tbody > tr > td.name').allInnerTexts();
  const top = (page: Page, control: string) => page.locator(`.whatif-pager[data-pager-of="others"][data-whatif-pager="top"] [data-whatif-pager="${control}"]`);

  it('pages through the table, says which rows are on show, and keeps the page across knob changes', async () => {
    // Prepare
    const page = await open(withPageRows(html, 3), 'pages');
    const all = await names(page);
    // pricing.lambdaDiscount moves the standard cost of the table's rows (the other knobs, their reasons at most).
    const values: KnobValues = { 'lmi.discount': 0.3, 'lmi.headroom': 1.5, 'pricing.lambdaDiscount': 0.15 };

    // Act + Assess: page 1, page 2, a knob change (the rows at the same positions of the new report)
    expect(all).toHaveLength(3);
    expect((await liveSpan(page)).labels).toEqual(['Rows 1–3 of 4', 'Rows 1–3 of 4']);
    expect(await top(page, 'previous').isDisabled()).toBe(true);
    await expectShows(page, {}, { page: 0, query: '', all: false }, 3, 'page 1');
    await top(page, 'next').press('Enter');
    expect((await liveSpan(page)).labels).toEqual(['Row 4 of 4', 'Row 4 of 4']);
    expect(await top(page, 'next').isDisabled()).toBe(true);
    await expectShows(page, {}, { page: 1, query: '', all: false }, 3, 'page 2');
    await setKnobs(page, values);
    await expectShows(page, values, { page: 1, query: '', all: false }, 3, 'page 2 after a knob change');
    expect(await page.locator('#whatif').getAttribute('data-update-parts')).toMatch(/rowsShown 1\b/);
    await top(page, 'previous').press('Enter');
    await expectShows(page, values, { page: 0, query: '', all: false }, 3, 'page 1 after a knob change');
    expect(problems).toEqual([]);
    await page.close();
  });

  it('finds by name (part of it, any case), pages over the matches, and keeps the find across knob changes', async () => {
    // Prepare
    const page = await open(withPageRows(html, 1), 'find');
    const steps: KnobValues[] = [{ 'pricing.lambdaDiscount': 0.1 }, { 'pricing.lambdaDiscount': 0.17, 'recommend.minSavingsPct': 20 }, { 'lmi.cpuBusyFraction': 0.9 }];

    // Act: three of the four names hold "LE" (any case)
    await page.locator('#whatif-find').fill('LE');
    await expectShows(page, {}, { page: 0, query: 'LE', all: false }, 1, 'find, page 1');
    expect((await liveSpan(page)).label).toBe('Row 1 of 3 whose name contains “LE” (4 in all)');
    await top(page, 'next').press('Enter');
    await top(page, 'next').press('Enter');
    await expectShows(page, {}, { page: 2, query: 'LE', all: false }, 1, 'find, page 3');
    for (const values of steps) {
      await setKnobs(page, values);
      // Assess
      await expectShows(page, values, { page: 2, query: 'LE', all: false }, 1, `find, page 3, ${JSON.stringify(values)}`);
    }
    expect(await page.locator('#whatif-find').inputValue()).toBe('LE');

    // No match: the table is empty and the line says so; clearing the box brings back every row
    await page.locator('#whatif-find').fill('no-such-function');
    expect(await names(page)).toEqual([]);
    expect((await liveSpan(page)).label).toBe('No function name contains “no-such-function” (4 rows in all)');
    await page.locator('#whatif-find').fill('');
    await expectShows(page, steps.at(-1) as KnobValues, { page: 0, query: '', all: false }, 1, 'find cleared');
    expect(problems).toEqual([]);
    await page.close();
  });

  it('shows all rows at once, across knob changes, and goes back to pages', async () => {
    // Prepare
    const page = await open(withPageRows(html, 3), 'all');

    // Act
    await top(page, 'all').press('Enter');
    const pressed = await top(page, 'all').getAttribute('aria-pressed');
    const bottomHidden = await page.locator('.whatif-pager[data-pager-of="others"][data-whatif-pager="bottom"]').isHidden();
    await expectShows(page, {}, { page: 0, query: '', all: true }, 3, 'all');
    await setKnobs(page, { 'lmi.discount': 0.4 });
    await expectShows(page, { 'lmi.discount': 0.4 }, { page: 0, query: '', all: true }, 3, 'all after a knob change');
    const label = (await liveSpan(page)).label;
    const previousDisabled = await top(page, 'previous').isDisabled();
    await top(page, 'all').press('Enter');

    // Assess
    expect(pressed).toBe('true');
    expect(bottomHidden).toBe(true);
    expect(label).toBe('All 4 rows');
    expect(previousDisabled).toBe(true);
    expect(await top(page, 'all').getAttribute('aria-pressed')).toBe('false');
    await expectShows(page, { 'lmi.discount': 0.4 }, { page: 0, query: '', all: false }, 3, 'pages again');
    expect(problems).toEqual([]);
    await page.close();
  });

  it('works from the keyboard: the find box, then next and previous with Enter and Space', async () => {
    // Prepare
    const page = await open(withPageRows(html, 2), 'keys');

    // Act: Tab from the find box skips the disabled "previous" of page 1
    await page.locator('#whatif-find').focus();
    await page.keyboard.type('i');
    await page.keyboard.press('Tab');
    const first = await page.evaluate(() => document.activeElement?.getAttribute('data-whatif-pager'));
    await page.keyboard.press('Enter');
    const second = await liveSpan(page);
    await page.keyboard.press('Shift+Tab');
    const back = await page.evaluate(() => document.activeElement?.getAttribute('data-whatif-pager'));
    await page.keyboard.press('Space');

    // Assess
    expect(first).toBe('next');
    expect(second).toMatchObject({ from: 2, to: 4, total: 4 });
    expect(back).toBe('previous');
    await expectShows(page, {}, { page: 0, query: 'i', all: false }, 2, 'back to page 1');
    const label = await page.locator('label[for="whatif-find"]').innerText();
    expect(label).toContain('Find a function');
    for (const control of ['previous', 'next', 'all']) expect(await top(page, control).getAttribute('aria-label')).toMatch(/other functions/);
    expect(problems).toEqual([]);
    await page.close();
  });

  it('going live, shows the page of the row the reader is at and keeps it where it was on screen', async () => {
    // Prepare: the reader at the third row of the table (page 3 of 1-row pages), the first row
    // reaching below the closed panel (~53 px high), the table's top above the view
    const page = await open(scrolledTo(withPageRows(html, 1), 'row', 2, 50), 'place-row');
    const cli = renderHtml(sample.base);
    await expectedPage.setContent(cli);
    const third = await expectedPage.locator('#others tbody > tr > td.name').nth(2).innerText();

    // Act
    await page.waitForTimeout(200);
    const y = await page.locator('#others tbody > tr').first().evaluate((el) => el.getBoundingClientRect().top);
    const placedAt = await page.evaluate(() => (window as unknown as { placedAt: number }).placedAt);

    // Assess
    expect(await names(page)).toEqual([third]);
    expect(await liveSpan(page)).toMatchObject({ from: 2, to: 3, total: 4 });
    expect(placedAt).toBeCloseTo(50, 0);
    expect(Math.abs(y - placedAt)).toBeLessThan(1.5);
    await page.close();
  });

  it('going live with the reader past the table, keeps what the reader sees about still', async () => {
    // Prepare: the reader at the Prices section, 200 px down; the table above loses 3 of its 4 rows
    const page = await open(scrolledTo(withPageRows(html, 1), 'prices', 0, 200), 'place-below');

    // Act
    await page.waitForTimeout(200);
    const y = await page.locator('#prices').evaluate((el) => el.getBoundingClientRect().top);
    const placedAt = await page.evaluate(() => (window as unknown as { placedAt: number }).placedAt);

    // Assess: within a few lines (the sections off screen stop being laid out at load, the
    // page's layout style, and Chromium settles their sizes over a few frames; without the
    // anchor the section moved by ~740 px)
    expect(await liveSpan(page)).toMatchObject({ from: 0, to: 1, total: 4 });
    expect(placedAt).toBeCloseTo(200, 0);
    expect(Math.abs(y - placedAt)).toBeLessThan(60);
    await page.close();
  });

  it('"show all" and back keep the row the reader is at; "next" under the table goes back to its top', async () => {
    // Prepare: 1-row pages, the panel closed
    const page = await open(withPageRows(html, 1), 'place-all');
    await page.locator('#whatif details > summary').first().click();
    await top(page, 'all').press('Enter');
    // The reader at the fourth row, the first one reaching below the panel
    const fourth = page.locator('#others tbody > tr').nth(3);
    const name = await fourth.locator('td.name').innerText();
    const placedAt = await page.evaluate(() => {
      const row = document.querySelectorAll('#others tbody > tr')[3] as Element;
      const line = (document.getElementById('whatif') as Element).getBoundingClientRect().bottom;
      window.scrollBy(0, row.getBoundingClientRect().top - line + 5);
      return row.getBoundingClientRect().top;
    });

    // Act: back to pages, the button pressed where it is (a click that does not scroll the page
    // first, as a screen reader's)
    await top(page, 'all').dispatchEvent('click');
    const row = page.locator('#others tbody > tr').first();
    const y = await row.evaluate((el) => el.getBoundingClientRect().top);

    // Assess: the page of that row, at the same place
    expect(await row.locator('td.name').innerText()).toBe(name);
    expect(await liveSpan(page)).toMatchObject({ from: 3, to: 4, total: 4 });
    expect(Math.abs(y - placedAt)).toBeLessThan(1.5);

    // Act: "previous" under the table, scrolled so that the table's top is off screen
    await page.evaluate(() => {
      const bottom = document.querySelector('.whatif-pager[data-pager-of="others"][data-whatif-pager="bottom"]') as Element;
      const line = (document.getElementById('whatif') as Element).getBoundingClientRect().bottom;
      window.scrollBy(0, bottom.getBoundingClientRect().top - line - 10);
    });
    const barTop = () => page.locator('.whatif-pager[data-pager-of="others"][data-whatif-pager="top"]').evaluate((el) => el.getBoundingClientRect().top);
    const panelBottom = await page.locator('#whatif').evaluate((el) => el.getBoundingClientRect().bottom);
    const before = await barTop();
    await page.locator('.whatif-pager[data-pager-of="others"][data-whatif-pager="bottom"] [data-whatif-pager="previous"]').dispatchEvent('click');
    const after = await barTop();

    // Assess: the top of the new page in view, under the panel
    expect(await liveSpan(page)).toMatchObject({ from: 2, to: 3 });
    expect(before).toBeLessThan(panelBottom);
    expect(after).toBeGreaterThanOrEqual(panelBottom);
    expect(after).toBeLessThan(panelBottom + 40);
    expect(problems).toEqual([]);
    await page.close();
  });
});
