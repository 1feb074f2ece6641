import { join } from 'node:path';
import fc from 'fast-check';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { htmlEngine, packageRoot, summaryRowHtml, summaryRowTexts } from '../../src/render/templates.js';
import type { SummaryRow } from '../../src/render/view-model.js';
import { chromiumPath, pageWithModule } from '../helpers/browser.js';

// KeyedRows (the what-if page's "Other functions" table) in headless Chromium: after every update
// the table body is, node for node, what the CLI's markup parses to, and the rows whose key and
// markup were on show kept their node. Rows are written by the CLI's own row writer.

const browserPath = chromiumPath();

type Step =
  | { kind: 'rows'; rows: SummaryRow[] }
  /** The report has no table ("None."): the body is gone. */
  | { kind: 'gone' }
  /** The markup diff parsed the table again: a new body holding its first line break only. */
  | { kind: 'fresh'; rows: SummaryRow[] }
  /** A new body whose content is not the markup's (what a failed patch might leave). */
  | { kind: 'foreign'; rows: SummaryRow[] };

const text = fc.constantFrom('a', 'b & c', '<img src=x>', '`code` span', 'x "q" \'y\' = z', '', '  spaced  ', 'é ünï', 'LMI `$1.00` vs `$2.00`', 'line\r\nbreak', '`a``b` &amp;');
const row = fc.record({
  name: fc.constantFrom('fn-1', 'fn-2', 'fn-3', 'fn-4', 'fn-5', 'fn-6', 'fn-<7>', 'fn&8'),
  region: fc.constantFrom('us-east-1', 'eu-west-1'),
  runtime: fc.constantFrom('nodejs20.x', 'python3.12'),
  recommendationLabel: fc.constantFrom('Stay', 'Migrate'),
  standardTotal: fc.constantFrom('$1.00', '$2.50'),
  invocations: fc.constantFrom('1', '1,000'),
  reason: text,
});
/** The functions of a case: keys (region, name) unique as in a report. */
const pool = fc.uniqueArray(row, { minLength: 1, maxLength: 14, selector: (r) => `${r.region}/${r.name}` });

/**
 * A table over `functions`: some of them, in any order, some with another reason (a figure moved:
 * the same tags; or another text, which may have other tags).
 */
function table(functions: SummaryRow[]): fc.Arbitrary<SummaryRow[]> {
  const change = fc.oneof(fc.constant(null), fc.constant('figure'), text);
  return fc
    .tuple(fc.shuffledSubarray(functions), fc.array(change, { minLength: functions.length, maxLength: functions.length }))
    .map(([some, changes]) =>
      some.map((r, k) => {
        const c = changes[k];
        if (c === null || c === undefined) return r;
        return c === 'figure' ? { ...r, standardTotal: `${r.standardTotal}0`, reason: `${r.reason} (changed)` } : { ...r, reason: c };
      }),
    );
}

function steps(functions: SummaryRow[]): fc.Arbitrary<Step[]> {
  const rows = table(functions);
  const step: fc.Arbitrary<Step> = fc.oneof(
    { weight: 8, arbitrary: rows.map((r) => ({ kind: 'rows' as const, rows: r })) },
    { weight: 1, arbitrary: fc.constant({ kind: 'gone' as const }) },
    { weight: 1, arbitrary: rows.map((r) => ({ kind: 'fresh' as const, rows: r })) },
    { weight: 1, arbitrary: rows.map((r) => ({ kind: 'foreign' as const, rows: r })) },
  );
  return fc.array(step, { minLength: 1, maxLength: 8 });
}

/** A case: the rows the page starts with, then the steps. */
const scenario = pool.chain((functions) => fc.tuple(table(functions), steps(functions)));

describe.skipIf(browserPath === null)('KeyedRows in headless Chromium', () => {
  let browser: Browser;
  let page: Page;

  beforeAll(async () => {
    ({ browser, page } = await pageWithModule(browserPath ?? '', join(packageRoot(), 'src', 'whatif', 'table-rows.ts'), 'TableRows', '<div id="others"></div>'));
  });

  afterAll(async () => {
    await browser?.close();
  });

  /** The rows as the CLI writes them (key and markup), and as the page reads them (summaryRowTexts). */
  function cli(list: SummaryRow[]): { keys: string[]; html: string[]; shapes: string[]; texts: string[][] } {
    const { hb } = htmlEngine();
    const split = list.map((r) => summaryRowTexts(r));
    return { keys: list.map((r) => `${r.region}\u0000${r.name}`), html: list.map((r) => summaryRowHtml(hb, r)), shapes: split.map((x) => x.shape), texts: split.map((x) => x.texts) };
  }

  /** Runs the steps in the page; per step, whether the body equals the CLI's and the nodes kept. */
  async function run(steps: Step[], startWith: SummaryRow[]) {
    const start = cli(startWith);
    const payload = steps.map((s) => ({ kind: s.kind, ...cli(s.kind === 'gone' ? [] : s.rows) }));
    return page.evaluate(
      ({ start, payload }) => {
        type TableRowsModule = typeof import('../../src/whatif/table-rows.js');
        const { KeyedRows } = (window as unknown as { TableRows: TableRowsModule }).TableRows;
        const holder = document.getElementById('others') as HTMLElement;
        /** The table the CLI writes for these rows (none when empty), parsed. */
        const cliTable = (html: string[]): string => (html.length === 0 ? '<p>None.</p>' : `<table><tbody>\n${html.map((h) => `${h}\n`).join('')}</tbody></table>`);
        holder.innerHTML = cliTable(start.html);
        const table = new KeyedRows();
        const source = (rows: typeof start) => ({ keys: rows.keys, shapes: rows.shapes, texts: rows.texts, html: (j: number) => rows.html[j] as string });
        const adopted = table.adopt(holder.querySelector('tbody'), source(start));
        const results: { equal: boolean; kept: number; survived: number; stats: unknown; adopted: boolean }[] = [];
        for (const s of payload) {
          const { html } = s;
          const before = new Set(holder.querySelectorAll('tr'));
          if (s.kind === 'gone' || (html.length === 0 && s.kind !== 'rows')) holder.innerHTML = '<p>None.</p>';
          else if (s.kind === 'fresh' || holder.querySelector('tbody') === null) holder.innerHTML = '<table><tbody>\n</tbody></table>';
          else if (s.kind === 'foreign') holder.innerHTML = '<table><tbody><tr><td>stale</td></tr></tbody></table>';
          // As browser.ts does: an empty summary is the "None." paragraph, no body.
          if (html.length === 0 && holder.querySelector('tbody') !== null) holder.innerHTML = '<p>None.</p>';
          const stats = table.update(holder.querySelector('tbody'), source(s));
          const expected = new DOMParser().parseFromString(`<!doctype html><body><div id="others">${cliTable(html)}</div>`, 'text/html');
          const survived = Array.from(holder.querySelectorAll('tr')).filter((tr) => before.has(tr)).length;
          results.push({ equal: holder.isEqualNode(expected.getElementById('others')), kept: stats.kept + stats.patched, survived, stats, adopted });
        }
        return results;
      },
      { start, payload },
    );
  }

  it('brings the body to the CLI markup of every new list, keeping the node of each unchanged row', async () => {
    // Prepare
    const cases = fc.sample(scenario, { numRuns: 150, seed: 20261202 });
    const total = { moved: 0, patched: 0, parsed: 0 };

    for (const [startWith, steps] of cases) {
      // Act
      const results = await run(steps, startWith);

      // Assess
      results.forEach((r, k) => {
        const where = JSON.stringify({ startWith, steps: steps.slice(0, k + 1) });
        expect(r.adopted, where).toBe(true);
        expect(r.equal, where).toBe(true);
        expect(r.survived, where).toBe(r.kept);
        const stats = r.stats as typeof total;
        for (const k of ['moved', 'patched', 'parsed'] as const) total[k] += stats[k];
      });
    }
    // The cases did move kept rows, rewrite the text of changed ones and parse others.
    expect(total.moved).toBeGreaterThan(30);
    expect(total.patched).toBeGreaterThan(30);
    expect(total.parsed).toBeGreaterThan(30);
  }, 300_000);

  it('keeps every node when the rows are the same, and moves only the rows off the longest in-order run', async () => {
    // Prepare
    const base = fc.sample(pool.filter((r) => r.length === 6), { numRuns: 1, seed: 3 })[0] as SummaryRow[];
    const [a, b, c, d, e, f] = base as [SummaryRow, SummaryRow, SummaryRow, SummaryRow, SummaryRow, SummaryRow];

    // Act
    const [same, moved] = await run(
      [
        { kind: 'rows', rows: base },
        { kind: 'rows', rows: [b, c, d, e, f, a] },
      ],
      base,
    );

    // Assess
    expect(same).toMatchObject({ equal: true, survived: 6, stats: { kept: 6, patched: 0, parsed: 0, moved: 0, removed: 0, rebuilt: 0 } });
    expect(moved).toMatchObject({ equal: true, survived: 6, stats: { kept: 6, patched: 0, parsed: 0, moved: 1, removed: 0, rebuilt: 0 } });
  });

  it('adopts only a body of the CLI form, else rebuilds it on the next update', async () => {
    // Act
    const results = await page.evaluate(() => {
      type TableRowsModule = typeof import('../../src/whatif/table-rows.js');
      const { KeyedRows, rowsFromMarkup } = (window as unknown as { TableRows: TableRowsModule }).TableRows;
      const holder = document.getElementById('others') as HTMLElement;
      holder.innerHTML = '<table><tbody><tr><td>x</td></tr>\n</tbody></table>';
      const table = new KeyedRows();
      const adopted = table.adopt(holder.querySelector('tbody'), rowsFromMarkup(['k'], ['<tr><td>x</td></tr>']));
      const stats = table.update(holder.querySelector('tbody'), rowsFromMarkup(['k'], ['<tr><td>x</td></tr>']));
      return { adopted, stats, html: holder.innerHTML };
    });

    // Assess
    expect(results.adopted).toBe(false);
    expect(results.stats).toMatchObject({ kept: 0, parsed: 1, rebuilt: 1 });
    expect(results.html).toBe('<table><tbody>\n<tr><td>x</td></tr>\n</tbody></table>');
  });
});
