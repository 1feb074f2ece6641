/**
 * What the live what-if page shows against what the CLI's page shows, for the browser tests: the
 * page's "Other functions" table holds a page of rows and its plan section a page of plans
 * (pager-controls.ts), so the CLI's page is cut to the rows and plans at the same positions,
 * worked out here on its own (not with src/whatif/pager.ts): the rows whose function name holds
 * the find box's text (case-insensitive), then the page asked, or the last page if there are
 * fewer, or all of them; the plans likewise, without a find.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Browser, Page } from 'playwright-core';
import { knobsToHash, type KnobValues } from '../../src/whatif/knobs.js';

/** The pagers as the reader left them: the table's, and the plans' (`plans`, with its page size; default: every plan). */
export interface Asked {
  page: number;
  query: string;
  all: boolean;
  plans?: { page: number; all: boolean; size: number };
}

/** The rows on show: positions [from, to) of `total` rows counted (the matches, or every row). */
export interface Span {
  from: number;
  to: number;
  total: number;
}

/**
 * The page with a page size of `rows` set on the panel (the test hook: data-page-rows), and of
 * `plans` for the plans if given (data-plan-page-size).
 */
export function withPageRows(html: string, rows: number, plans?: number): string {
  const tag = '<section id="whatif" ';
  if (!html.includes(tag)) throw new Error('test: the page has no what-if panel');
  return html.replace(tag, `${tag}data-page-rows="${rows}" ${plans === undefined ? '' : `data-plan-page-size="${plans}" `}`);
}

/**
 * The report's visible text (header and main) as Chromium lays it out, and its DOM as markup,
 * without the pager's controls (the page's script adds them; the CLI's page has none). The live
 * page lets Chromium skip laying out the sections off screen (content-visibility, a style the
 * script adds): innerText leaves those out, so the style is switched off while the text is read.
 */
export async function reportView(p: Page): Promise<{ text: string; markup: string }> {
  return p.evaluate(() => {
    const layout = document.querySelector<HTMLStyleElement>('style[data-whatif-layout]');
    if (layout) layout.disabled = true;
    const controls = Array.from(document.querySelectorAll('.page > main .whatif-pager, .page > main .whatif-pager-print'), (el) => ({ el, parent: el.parentNode, next: el.nextSibling }));
    for (const { el } of controls) el.remove();
    const parts = ['.page > header', '.page > main'].map((s) => document.querySelector(s) as HTMLElement);
    const text = parts.map((el) => el.innerText).join('\n');
    const markup = parts.map((el) => el.outerHTML).join('\n');
    for (const { el, parent, next } of controls.reverse()) parent?.insertBefore(el, next);
    if (layout) layout.disabled = false;
    return { text, markup };
  });
}

/** Where the live page says its rows (or, with `of` "plans", its plans) are (the pager's data), and its lines. */
export async function liveSpan(p: Page, of: 'others' | 'plans' = 'others'): Promise<Span & { label: string; labels: string[] }> {
  return p.evaluate((of) => {
    const bar = document.querySelector<HTMLElement>(`.whatif-pager[data-pager-of="${of}"][data-whatif-pager="top"]`);
    if (bar === null) return { from: -1, to: -1, total: -1, label: '', labels: [] };
    const labels = Array.from(document.querySelectorAll(`.whatif-pager[data-pager-of="${of}"] [data-whatif-pager="rows"]`), (el) => el.textContent ?? '');
    return { from: Number(bar.dataset.from), to: Number(bar.dataset.to), total: Number(bar.dataset.total), label: labels[0] ?? '', labels };
  }, of);
}

/**
 * Loads the CLI's page `html` into `p` (scripts off) and takes out of its "Other functions" table
 * the rows the live page should not show, each with its line break (the body the page keeps is a
 * line break, then each row and its line break), and out of its plan section the plans it should
 * not show, each with the line break after it. Returns where the rows and plans kept are, and the
 * pages asked, clamped to the pages there are.
 */
export async function cliShown(p: Page, html: string, asked: Asked, pageRows: number): Promise<Span & { page: number; plans: Span & { page: number } }> {
  await p.setContent(html);
  const needle = asked.query.trim().toLowerCase();
  // The plans, and the positions of the rows whose function name holds the find box's text.
  const found = await p.evaluate((needle) => {
    const names = Array.from(document.querySelectorAll('.page > main > #others tbody > tr'), (r) => (r.querySelector('td.name')?.textContent ?? '').toLowerCase());
    return { plans: document.querySelectorAll('.page > main > #plan > article.plan').length, matching: names.flatMap((name, i) => (needle === '' || name.includes(needle) ? [i] : [])) };
  }, needle);
  const plansAsked = asked.plans ?? { page: 0, all: true, size: 1 };
  const plans = spanOf(found.plans, plansAsked.page, plansAsked.all, plansAsked.size);
  const rows = spanOf(found.matching.length, asked.page, asked.all, pageRows);
  await p.evaluate(
    ({ plans, keep }) => {
      const kept = new Set(keep);
      // Each with the line break after it, as the page's render leaves them out.
      const cut = (el: Element): void => {
        el.nextSibling?.remove();
        el.remove();
      };
      document.querySelectorAll('.page > main > #plan > article.plan').forEach((a, i) => {
        if (i < plans.from || i >= plans.to) cut(a);
      });
      document.querySelectorAll('.page > main > #others tbody > tr').forEach((r, i) => {
        if (!kept.has(i)) cut(r);
      });
    },
    { plans, keep: found.matching.slice(rows.from, rows.to) },
  );
  return { ...rows, plans };
}

/** The items on show of `total` at page `page` (clamped to the pages there are) of `size`, or all. */
function spanOf(total: number, page: number, all: boolean, size: number): Span & { page: number } {
  const pages = Math.max(1, Math.ceil(total / size));
  const at = all ? 0 : Math.min(Math.max(0, page), pages - 1);
  const from = all ? 0 : at * size;
  return { from, to: all ? total : Math.min(total, from + size), total, page: at };
}

/**
 * Writes `markup` (a what-if page) to `dir`/`name`.html, opens it live in `browser` (at `hash`, if
 * given), with its script errors and console errors pushed to `problems`, and waits for its panel.
 */
export async function openLive(
  browser: Browser,
  where: { dir: string; name: string; hash?: string; viewport?: { width: number; height: number } },
  markup: string,
  problems: string[],
): Promise<Page> {
  const path = join(where.dir, `${where.name}.html`);
  writeFileSync(path, markup);
  const page = await browser.newPage({ viewport: where.viewport ?? { width: 1280, height: 900 } });
  page.on('pageerror', (e) => problems.push(e.message));
  page.on('console', (m) => {
    if (m.type() === 'error') problems.push(m.text());
  });
  await page.goto(pathToFileURL(path).href + (where.hash ?? ''));
  await page.locator('#whatif[data-ready="true"]').waitFor();
  return page;
}

/** Sets the knobs `values` through the URL hash, as a link does, and waits for the page to apply them. */
export async function setKnobs(page: Page, values: KnobValues): Promise<void> {
  const hash = `#${knobsToHash(values)}`;
  await page.evaluate((h) => {
    location.hash = h;
  }, hash);
  await page.waitForFunction((h) => document.querySelector<HTMLElement>('#whatif')?.dataset.applied === h, hash);
}
