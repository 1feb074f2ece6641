import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { renderHtml } from '../../src/render/html.js';
import { knobsFromHash, type KnobValues } from '../../src/whatif/knobs.js';
import { renderWhatIfHtml } from '../../src/whatif/page.js';
import { chromiumPath, launchChromium } from '../helpers/browser.js';
import { loadSample, type Sample } from './sample.js';
import { type Asked, cliShown, liveSpan, openLive, reportView, setKnobs, withPageRows } from './shown.js';

// The plans' pager of the live what-if page (pager-controls.ts, browser.ts) and the links within
// the report, in headless Chromium on the sample account (2 capacity-provider plans at the run's
// values), one plan a page: pages, show all, knob changes, links to a plan not on show, and links
// that keep the knob values the URL hash holds. Buttons are pressed from the keyboard (see
// pager-chromium.test.ts).

const browserPath = chromiumPath();

describe.skipIf(browserPath === null)('the plans pager and the links of the what-if page in headless Chromium', () => {
  let browser: Browser;
  let sample: Sample;
  let dir: string;
  let html: string;
  let expectedPage: Page;
  /** The run's plans' ids, in the order of the plan section. */
  let planIds: string[];
  const problems: string[] = [];

  beforeAll(async () => {
    sample = await loadSample();
    dir = mkdtempSync(join(tmpdir(), 'lmi-plans-'));
    ({ html } = await renderWhatIfHtml(sample.base, sample.data));
    browser = await launchChromium(browserPath ?? '');
    expectedPage = await browser.newPage({ viewport: { width: 1280, height: 900 }, javaScriptEnabled: false });
    await expectedPage.setContent(renderHtml(sample.base));
    planIds = await expectedPage.locator('#plan > article.plan').evaluateAll((plans) => plans.map((p) => p.id));
  });

  afterAll(async () => {
    await browser?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  /** Opens `markup` (a what-if page, at `hash`) live and waits for its panel. */
  const open = (markup: string, name: string, hash = ''): Promise<Page> => openLive(browser, { dir, name, hash }, markup, problems);

  /** The page shows the CLI's report for `values` with plan `plan` on show (1-plan pages) or all, node for node. */
  async function expectShows(page: Page, values: KnobValues, plan: number | 'all', where: string): Promise<void> {
    const asked: Asked = { page: 0, query: '', all: true, plans: { page: plan === 'all' ? 0 : plan, all: plan === 'all', size: 1 } };
    const span = await cliShown(expectedPage, renderHtml(await sample.analyze(values)), asked, 1);
    const live = await liveSpan(page, 'plans');
    expect({ from: live.from, to: live.to, total: live.total }, where).toEqual({ from: span.plans.from, to: span.plans.to, total: span.plans.total });
    const [shown, expected] = [await reportView(page), await reportView(expectedPage)];
    expect(shown.text, where).toBe(expected.text);
    expect(shown.markup, where).toBe(expected.markup);
  }

  /** The page with every "Other functions" row on show (that pager's "Show all"), so only the plans are paged. */
  async function allRows(page: Page): Promise<void> {
    await page.locator('.whatif-pager[data-pager-of="others"] [data-whatif-pager="all"]').press('Enter');
  }

  const bar = (page: Page, which: 'top' | 'bottom') => page.locator(`.whatif-pager[data-pager-of="plans"][data-whatif-pager="${which}"]`);
  const control = (page: Page, name: string, which: 'top' | 'bottom' = 'top') => bar(page, which).locator(`[data-whatif-pager="${name}"]`);
  /** Where `id`'s top is, and the panel's bottom (what hides the top of the view). */
  const placeOf = (page: Page, id: string) =>
    page.evaluate((id) => ({ top: document.getElementById(id)?.getBoundingClientRect().top ?? NaN, panel: (document.getElementById('whatif') as Element).getBoundingClientRect().bottom }), id);

  it('pages through the plans, says which are on show, and keeps the page across knob changes', async () => {
    // Prepare
    const page = await open(withPageRows(html, 1, 1), 'pages');
    await allRows(page);
    const values: KnobValues = { 'lmi.discount': 0.3 };

    // Act + Assess: plan 1, plan 2, a knob change (the plan at the same position of the new report), all, back
    expect(planIds).toHaveLength(2);
    expect(await page.locator('#plan > article.plan').count()).toBe(1);
    expect((await liveSpan(page, 'plans')).labels).toEqual(['Plan 1 of 2', 'Plan 1 of 2']);
    expect(await control(page, 'previous').isDisabled()).toBe(true);
    await expectShows(page, {}, 0, 'plan 1');
    await control(page, 'next').press('Enter');
    expect((await liveSpan(page, 'plans')).labels).toEqual(['Plan 2 of 2', 'Plan 2 of 2']);
    expect(await control(page, 'next').isDisabled()).toBe(true);
    await expectShows(page, {}, 1, 'plan 2');
    await setKnobs(page, values);
    await expectShows(page, values, 1, 'plan 2 after a knob change');
    expect(await page.locator('#whatif').getAttribute('data-update-parts')).toMatch(/plansShown 1\b/);
    await control(page, 'all').press('Enter');
    expect((await liveSpan(page, 'plans')).label).toBe('All 2 plans');
    expect(await bar(page, 'bottom').isHidden()).toBe(true);
    expect(await control(page, 'all').getAttribute('aria-pressed')).toBe('true');
    await expectShows(page, values, 'all', 'all plans');
    // Back to a plan a page with the reader at the second plan (the button pressed where it is,
    // as a screen reader does): that plan's page, the plan where it was
    const placedAt = await page.evaluate((id) => {
      const plan = document.getElementById(id) as Element;
      const line = (document.getElementById('whatif') as Element).getBoundingClientRect().bottom;
      window.scrollBy(0, plan.getBoundingClientRect().top - line + 5);
      return plan.getBoundingClientRect().top;
    }, planIds[1] as string);
    await control(page, 'all').dispatchEvent('click');
    expect(Math.abs((await placeOf(page, planIds[1] as string)).top - placedAt)).toBeLessThan(1.5);
    await expectShows(page, values, 1, 'back to a plan a page');
    for (const name of ['previous', 'next', 'all']) expect(await control(page, name).getAttribute('aria-label')).toMatch(/capacity-provider plans/);
    // The knobs stayed as set: paging renders the report on show, it does not recompute it.
    expect(knobsFromHash(await page.evaluate(() => location.hash)).values).toEqual(values);
    expect(problems).toEqual([]);
    await page.close();
  });

  it('with the plans on one page, shows no plans bar, and the report as the CLI writes it', async () => {
    // Act
    const page = await open(withPageRows(html, 1), 'one-page');
    await allRows(page);

    // Assess: the default page size (50) holds the sample's 2 plans
    expect(await bar(page, 'top').isHidden()).toBe(true);
    expect(await bar(page, 'bottom').isHidden()).toBe(true);
    expect(await page.locator('[data-pager-of="plans"][data-whatif-pager="print"]').isHidden()).toBe(true);
    await expectShows(page, {}, 'all', 'every plan');
    await page.close();
  });

  it('a link to a plan not on show opens its page and scrolls to it, under the panel, with the knobs kept', async () => {
    // Prepare: 1-plan pages, a knob set, the last plan not on show
    const page = await open(withPageRows(html, 1, 1), 'link');
    await allRows(page);
    const values: KnobValues = { 'lmi.discount': 0.3 };
    await setKnobs(page, values);
    const target = planIds[1] as string;
    expect(await page.locator(`#${target}`).count()).toBe(0);
    const hash = await page.evaluate(() => location.hash);

    // Act: the link in "Top opportunities"
    await page.locator(`#top a[href="#${target}"]`).click();
    await page.waitForTimeout(100);

    // Assess
    const place = await placeOf(page, target);
    expect(place.top).toBeGreaterThanOrEqual(place.panel - 1);
    expect(place.top).toBeLessThan(place.panel + 40);
    expect(await page.evaluate(() => location.hash)).toBe(hash);
    expect(await page.locator('input[data-knob="lmi.discount"]').inputValue()).toBe('0.3');
    await expectShows(page, values, 1, 'after the link');

    // Act: the contents' link to the plan section
    await page.locator('nav a[href="#plan"]').first().click();
    await page.waitForTimeout(100);

    // Assess: there, with the knobs and the address as they were (the default link would have set
    // the hash to "#plan" and so the knobs back to the run's)
    const section = await placeOf(page, 'plan');
    expect(section.top).toBeGreaterThanOrEqual(section.panel - 1);
    expect(section.top).toBeLessThan(section.panel + 40);
    expect(await page.evaluate(() => location.hash)).toBe(hash);
    expect(await page.locator('#whatif').getAttribute('data-state')).toBe('changed');
    await expectShows(page, values, 1, 'after the contents link');
    expect(problems).toEqual([]);
    await page.close();
  });

  it('opened at a plan (report.html#cp-…), shows that plan\'s page and there; the address keeps no place', async () => {
    // Act
    const target = planIds[1] as string;
    const page = await open(withPageRows(html, 1, 1), 'opened-at', `#${target}`);
    await allRows(page);

    // Assess
    expect(await liveSpan(page, 'plans')).toMatchObject({ from: 1, to: 2, total: 2 });
    await expectShows(page, {}, 1, 'opened at the second plan');
    expect(await page.locator('[data-whatif="status"]').innerText()).toMatch(/^Showing the run's values/);
    expect(await page.evaluate(() => location.hash)).toBe('');

    // Act: a place typed in the address bar that the report does not have
    await page.evaluate(() => {
      location.hash = '#no-such-place';
    });
    await page.waitForFunction(() => /not in this report/.test(document.querySelector('[data-whatif="status"]')?.textContent ?? ''));

    // Assess: the knobs as they were
    await expectShows(page, {}, 1, 'after a place not in the report');
    expect(problems).toEqual([]);
    await page.close();
  });

  it('going live with the reader at a plan (no link), shows that plan\'s page and keeps it where it was', async () => {
    // Prepare: before the page's script, the panel closed and the reader in the second plan, which
    // starts 60 px above the panel's bottom (the load's warm-up passes reports with a single plan,
    // which clamp the plans' page to the first)
    const script =
      `<script>document.querySelector('#whatif details').open = false;` +
      `var p = document.querySelectorAll('#plan > article.plan')[1]; var line = document.getElementById('whatif').getBoundingClientRect().height;` +
      `window.scrollTo(0, window.scrollY + p.getBoundingClientRect().top - line + 60); window.placedAt = p.getBoundingClientRect().top;</script>\n`;
    const paged = withPageRows(html, 1, 1);
    const at = paged.indexOf('<script type="application/x-lmi-whatif"');
    expect(at).toBeGreaterThan(0);
    const page = await open(`${paged.slice(0, at)}${script}${paged.slice(at)}`, 'place-plan');

    // Act
    await page.waitForTimeout(200);
    const placedAt = await page.evaluate(() => (window as unknown as { placedAt: number }).placedAt);
    const y = (await placeOf(page, planIds[1] as string)).top;

    // Assess
    expect(await liveSpan(page, 'plans')).toMatchObject({ from: 1, to: 2, total: 2 });
    expect(Math.abs(y - placedAt)).toBeLessThan(1.5);
    await allRows(page);
    await expectShows(page, {}, 1, 'opened at the second plan');
    await page.close();
  });

  it('prints the plans on show with a line saying so and where every plan is', async () => {
    // Act
    const page = await open(withPageRows(html, 1, 1), 'print');
    await page.emulateMedia({ media: 'print' });
    const note = await page.locator('[data-pager-of="plans"][data-whatif-pager="print"]').evaluate((el) => [getComputedStyle(el).display, el.textContent]);
    const barShown = await bar(page, 'top').evaluate((el) => getComputedStyle(el).display);

    // Assess
    expect(note[0]).toBe('block');
    expect(note[1]).toMatch(/plan 1 of 2\b.*report\.md and report\.json/);
    expect(barShown).toBe('none');
    await page.close();
  });
});
