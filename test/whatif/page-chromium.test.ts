import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import fc from 'fast-check';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { renderHtml } from '../../src/render/html.js';
import { applyKnobs, CPU_OVERRIDE_KEY, knobsFromHash, overrideKey, overrideTarget, knobValues, type KnobValues, WHATIF_KNOBS } from '../../src/whatif/knobs.js';
import { renderWhatIfHtml } from '../../src/whatif/page.js';
import { runCli } from '../cli/run-cli.js';
import { chromiumPath, launchChromium } from '../helpers/browser.js';
import { loadSample, SAMPLE_SNAPSHOT, type Sample } from './sample.js';
import { edgeSettings, knobSettings } from './settings.js';
import { type Asked, cliShown, liveSpan, reportView, setKnobs, withPageRows } from './shown.js';

// The what-if page in headless Chromium, opened from file://, against analyze for the same knobs.
const browserPath = chromiumPath();
const SETTINGS = 50;
/**
 * The page shows the "Other functions" table a page at a time: 3 rows a page here (the sample's
 * table has 4), so the rows on show are compared with the CLI's rows at the same positions.
 */
const PAGE_ROWS = 3;
/** The plans a page at a time too: 1 a page here (the sample has 2 at the run's values). */
const PLAN_PAGE_SIZE = 1;
/** The pagers as at load: the first page of rows and of plans. */
const firstPages = (): Asked => ({ page: 0, query: '', all: false, plans: { page: 0, all: false, size: PLAN_PAGE_SIZE } });

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
    writeFileSync(join(dir, 'report.html'), withPageRows(html, PAGE_ROWS, PLAN_PAGE_SIZE));
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

  /** The report's visible text (header and main), without the pager's controls (shown.ts). */
  async function reportText(p: Page): Promise<string> {
    return (await reportView(p)).text;
  }

  /**
   * The text of the CLI's page for these knobs with the rows the live page shows at the pager's
   * `asked` state (its first page by default); `asked.page` is clamped as the page clamps it.
   */
  async function expectedText(values: KnobValues, asked: Asked = firstPages()): Promise<string> {
    const model = await sample.analyze(values);
    await cliShown(expectedPage, renderHtml(model), asked, PAGE_ROWS);
    return reportText(expectedPage);
  }

  /**
   * The live page shows the CLI's page for `html`, node for node, but for the "Other functions"
   * rows and the plans, which are the CLI's at the positions the pagers' states ask for (and say).
   */
  async function expectShowsCli(html: string, asked: Asked, where: string): Promise<void> {
    const span = await cliShown(expectedPage, html, asked, PAGE_ROWS);
    asked.page = span.page;
    if (asked.plans) asked.plans.page = span.plans.page;
    const live = await liveSpan(page);
    expect({ from: live.from, to: live.to, total: live.total }, where).toEqual({ from: span.from, to: span.to, total: span.total });
    const plans = await liveSpan(page, 'plans');
    // No plan: no plans' pager in the page.
    const expectedPlans = span.plans.total === 0 ? { from: -1, to: -1, total: -1 } : { from: span.plans.from, to: span.plans.to, total: span.plans.total };
    expect({ from: plans.from, to: plans.to, total: plans.total }, `${where}: plans`).toEqual(expectedPlans);
    const [shown, expected] = [await reportView(page), await reportView(expectedPage)];
    expect(shown.text, where).toBe(expected.text);
    // The patched DOM is the DOM of the CLI's page, node for node (markup-diff.ts parses only what changed).
    expect(shown.markup, where).toBe(expected.markup);
  }

  it('opens offline with the run values, no request but the file, no error', async () => {
    // Assess
    expect(await reportText(page)).toBe(await expectedText({}));
    // The load's warm-up put a report at other values on the page and the run's back: the page is
    // the CLI's, node for node, and nothing of the warm-up shows in the panel.
    const panel = page.locator('#whatif');
    expect(Number(await panel.getAttribute('data-warm-up-writes'))).toBeGreaterThan(0);
    await expectShowsCli(renderHtml(await sample.analyze({})), firstPages(), 'at load, after the warm-up');
    expect(await panel.getAttribute('data-update-ms')).toBeNull();
    expect(await panel.getAttribute('data-state')).not.toBe('error');
    const run = knobValues(sample.data.config);
    for (const knob of WHATIF_KNOBS) {
      const control = page.locator(`input[data-knob="${knob.key}"]`);
      if (knob.kind === 'checkbox') expect(await control.isChecked(), knob.key).toBe(run[knob.key]);
      else expect(Number(await control.inputValue()), knob.key).toBe(run[knob.key]);
    }
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

    // The find box's text now and then (4, 3 or no matches; case and spaces ignored), and show all.
    const queries = ['', ' I ', '', 'LE', '', 'zzz'];
    const asked = firstPages();
    const plansAsked = asked.plans as NonNullable<Asked['plans']>;
    const pages = new Set<string>();
    const planPages = new Set<string>();

    // Act + Assess, one setting at a time (the page keeps its state between them)
    for (const [i, values] of settings.entries()) {
      const where = JSON.stringify({ values, asked });
      await setKnobs(page, values);
      const html = renderHtml(await sample.analyze(values));
      // The rows at the same positions of the new report (the find box's matches, if any).
      await expectShowsCli(html, asked, where);
      // ... and it got there by the diff, not by the whole-page fallback.
      expect(await page.locator('#whatif').getAttribute('data-update-parts')).not.toMatch(/whole/);
      pages.add(`${asked.query}/${asked.page}/${asked.all}`);
      // Then a pager move on the same report: another page, the find box, or show all and back.
      const all = page.locator('[data-pager-of="others"] [data-whatif-pager="all"]');
      // "Show all" is offered when there is more than a page (or all are on show).
      if (i % 9 === 8 && (await all.isVisible())) {
        asked.all = !asked.all;
        await all.press('Enter');
      } else if (i % 4 === 3) {
        // A new text in the find box goes to the first page of its matches (the same text: no change).
        const query = queries[(i >> 2) % queries.length] as string;
        if (query !== asked.query) asked.page = 0;
        asked.query = query;
        await page.locator('#whatif-find').fill(query);
      } else if (!asked.all) {
        const next = page.locator('.whatif-pager[data-pager-of="others"][data-whatif-pager="top"] [data-whatif-pager="next"]');
        const forward = await next.isEnabled();
        asked.page += forward ? 1 : -1;
        // Pressed from the keyboard: a click lands where the button was when the page scrolled to it,
        // and the sections coming into view there are laid out (content-visibility) and move it.
        if (forward) await next.press('Enter');
        else if (asked.page >= 0) await page.locator('.whatif-pager[data-pager-of="others"][data-whatif-pager="top"] [data-whatif-pager="previous"]').press('Enter');
        else asked.page = 0;
      }
      await expectShowsCli(html, asked, `${where} then ${JSON.stringify(asked)}`);
      // And every third setting, a move of the plans' pager (it renders the same report again).
      const plansBar = page.locator('.whatif-pager[data-pager-of="plans"][data-whatif-pager="top"]');
      if (i % 3 === 1 && (await plansBar.isVisible())) {
        if (i % 6 === 4) {
          plansAsked.all = !plansAsked.all;
          await plansBar.locator('[data-whatif-pager="all"]').press('Enter');
        } else if (!plansAsked.all) {
          const forward = await plansBar.locator('[data-whatif-pager="next"]').isEnabled();
          plansAsked.page += forward ? 1 : -1;
          await plansBar.locator(`[data-whatif-pager="${forward ? 'next' : 'previous'}"]`).press('Enter');
        }
        await expectShowsCli(html, asked, `${where} then plans ${JSON.stringify(plansAsked)}`);
      }
      planPages.add(plansAsked.all ? 'all' : String(plansAsked.page));
    }
    // The plans were on show a page at a time (both pages) and all at once, across knob changes.
    for (const state of ['0', '1', 'all']) expect([...planPages], state).toContain(state);
    // Both pages were on show after knob changes, with and without a find, and all rows.
    for (const state of ['/0/false', '/1/false', ' I /0/false', ' I /1/false', 'LE/0/false', '/0/true']) expect([...pages], state).toContain(state);
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
    const pagerScreen = await dark.locator('.whatif-pager[data-pager-of="others"][data-whatif-pager="top"] button[data-whatif-pager="next"]').evaluate((el) => [getComputedStyle(el).backgroundColor, getComputedStyle(el).color]);
    const noteScreen = await dark.locator('[data-pager-of="others"][data-whatif-pager="print"]').evaluate((el) => getComputedStyle(el).display);
    await dark.emulateMedia({ media: 'print' });
    const printed = await dark.locator('#whatif').evaluate((el) => getComputedStyle(el).display);
    const printedFunctions = await dark.locator('#functions').evaluate((el) => getComputedStyle(el).contentVisibility);
    const pagerPrinted = await dark.locator('.whatif-pager').first().evaluate((el) => getComputedStyle(el).display);
    const note = await dark.locator('[data-pager-of="others"][data-whatif-pager="print"]').evaluate((el) => [getComputedStyle(el).display, el.textContent]);
    await dark.close();

    // Assess
    expect(background).not.toBe('rgb(246, 247, 249)');
    expect(printed).toBe('none');
    // On screen, sections off screen are not laid out; in print every one is.
    expect(skipped).toBe('auto');
    expect(printedFunctions).toBe('visible');
    // The pager in the panel's dark colours on screen; in print, a line says which rows the print holds and where the rest is.
    expect(pagerScreen[0]).toBe('rgb(21, 23, 26)');
    expect(pagerScreen[1]).toBe('rgb(232, 234, 237)');
    expect(noteScreen).toBe('none');
    expect(pagerPrinted).toBe('none');
    expect(note[0]).toBe('block');
    expect(note[1]).toMatch(/rows 1–3 of 4\b.*report\.md and report\.json/);
  });
});
