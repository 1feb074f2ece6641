import { describe, expect, test } from 'vitest';
import type { FunctionReport } from '../../src/report/types.js';
import { renderHtml } from '../../src/render/html.js';
import { renderMarkdown } from '../../src/render/markdown.js';
import { VIEW_LIMITS, buildView, compareBySavings, isRoutine } from '../../src/render/view-model.js';
import { smallReport } from './fixtures/small-report.js';

describe('buildView', () => {
  test('per-function sections are ordered by savings, largest first, unknown last', () => {
    // Prepare
    const model = smallReport();

    // Act
    const view = buildView(model);

    // Assess
    const savings = view.detailed.map((d) => model.functions.find((f) => f.name === d.name && f.region === d.region)?.savingsUsd ?? null);
    const known = savings.filter((s): s is number => s !== null);
    expect(known).toEqual([...known].sort((a, b) => b - a));
    expect(savings.indexOf(null) === -1 || savings.slice(savings.indexOf(null)).every((s) => s === null)).toBe(true);
    expect(view.detailed.map((d) => d.rank)).toEqual(view.detailed.map((_, i) => i + 1));
  });

  test('idle and small stay/ineligible functions go to the summary table; unknown cost to its own table', () => {
    // Prepare
    const model = smallReport();

    // Act
    const view = buildView(model);

    // Assess
    expect(view.summary.map((s) => s.name).sort()).toEqual(['cron-cleanup', 'legacy-report']);
    expect(view.unpriced.map((u) => u.name)).toEqual(['invoice-render']);
    expect(view.unpriced[0]?.invocations).toBe('25,000,000');
    expect(view.detailed.length + view.summary.length + view.unpriced.length).toBe(model.functions.length);
  });

  test('an unknown cost shows "unknown", never $0', () => {
    // Prepare: an unpriced function that still gets a section (a review).
    const model = smallReport();
    const f = model.functions.find((x) => x.name === 'invoice-render');
    if (!f) throw new Error('fixture lacks invoice-render');
    f.recommendation = 'review';

    // Act
    const unpriced = buildView(model).detailed.find((d) => d.name === 'invoice-render');

    // Assess
    expect(unpriced?.standardTotal).toBe('unknown');
    expect(unpriced?.savings).toBe('unknown');
    expect(unpriced?.verdictText).toMatch(/^Savings unknown/);
    const cells = unpriced?.costLines.flatMap((l) => [l.standard, l.lmi]) ?? [];
    expect(cells.length).toBeGreaterThan(0);
    expect(cells.every((c) => c === 'unknown' || c === 'n/a')).toBe(true);
    expect(cells.filter((c) => c === 'unknown').length).toBeGreaterThan(0);
  });

  test('a large account keeps at most maxDetailed sections and says where the rest went', () => {
    // Prepare
    const model = smallReport();
    const template = model.functions.find((f) => f.recommendation === 'migrate') as FunctionReport;
    model.functions = Array.from({ length: VIEW_LIMITS.maxDetailed + 5 }, (_, i) => ({
      ...template,
      name: `fn-${String(i).padStart(4, '0')}`,
      savingsUsd: i,
    }));

    // Act
    const view = buildView(model);

    // Assess
    expect(view.detailed).toHaveLength(VIEW_LIMITS.maxDetailed);
    expect(view.summary).toHaveLength(5);
    expect(view.detailed[0]?.name).toBe(`fn-${String(VIEW_LIMITS.maxDetailed + 4).padStart(4, '0')}`);
    expect(view.summaryNote).toContain('5 more function(s)');
  });

  test('headline figures are the model totals, rounded once, with a yearly figure of 12 months', () => {
    // Prepare
    const model = smallReport();
    model.totals.standardUsd = 1000.005;
    model.totals.recommendedUsd = 400;
    model.totals.savingsUsd = 600.005;

    // Act
    const view = buildView(model);

    // Assess
    expect(view.headline.standardMonth).toBe('$1,000.01');
    expect(view.headline.savingsMonth).toBe('$600.01');
    expect(view.headline.savingsYear).toBe('$7,200.06');
    expect(view.headline.savingsPct).toBe('60.0 %');
    expect(view.headline.counts.map((c) => c.count).reduce((a, b) => a + b, 0)).toBe(model.functions.length);
  });

  test('data gaps always name the INIT billing gap, missing price regions and an incomplete run', () => {
    // Prepare
    const model = smallReport();
    model.run.complete = false;

    // Act
    const view = buildView(model);

    // Assess
    expect(view.dataGaps.some((g) => g.includes('INIT') && g.includes('Duration'))).toBe(true);
    expect(view.dataGaps.some((g) => g.includes('ap-south-2'))).toBe(true);
    expect(view.dataGaps[0]).toContain('INCOMPLETE');
    expect(view.complete).toBe(false);
  });

  test('a PC function shows its configured PC and the duration that ran on it on separate lines that add up', () => {
    // Prepare
    const model = smallReport();
    const f = model.functions.find((x) => x.standard !== null) as FunctionReport;
    f.standard = { requestsUsd: 10, durationUsd: 0, provisionedConcurrencyUsd: 300, provisionedDurationUsd: 120, ephemeralStorageUsd: 0, totalUsd: 310 };
    model.functions = [f];

    // Act
    const lines = buildView(model).detailed[0]?.costLines ?? [];

    // Assess
    const by = Object.fromEntries(lines.map((l) => [l.label, l.standard]));
    expect(by['Duration (on demand)']).toBe('$0.00');
    expect(by['Provisioned concurrency (configured)']).toBe('$180.00');
    expect(by['Duration on provisioned concurrency']).toBe('$120.00');
    expect(by['Total per month']).toBe('$310.00');
  });

  test('a report without the PC-duration figure keeps it inside one PC line, never a made-up 0', () => {
    const model = smallReport();
    const f = model.functions.find((x) => x.standard !== null) as FunctionReport;
    f.standard = { requestsUsd: 10, durationUsd: 0, provisionedConcurrencyUsd: 300, ephemeralStorageUsd: 0, totalUsd: 310 };
    model.functions = [f];
    const labels = (buildView(model).detailed[0]?.costLines ?? []).map((l) => l.label);
    expect(labels).toContain('Provisioned concurrency (incl. its duration)');
    expect(labels).not.toContain('Duration on provisioned concurrency');
  });

  test('failed regions are named in the data gaps', () => {
    const model = smallReport();
    model.run.complete = false;
    model.warnings.push({ code: 'region-failed', region: 'eu-west-3', message: 'eu-west-3 was not collected: AccessDenied' });
    const view = buildView(model);
    expect(view.failedRegions).toBe('eu-west-3');
    expect(view.dataGaps[1]).toBe('Regions not collected (their functions are missing): eu-west-3.');
    // And in the banner at the top of both reports, not only in the warnings table.
    const md = renderMarkdown(model);
    const html = renderHtml(model);
    expect(md.slice(0, md.indexOf('## Headline'))).toContain('Regions not collected: **eu-west-3**.');
    expect(html.slice(0, html.indexOf('id="headline"'))).toContain('Regions not collected: <strong>eu-west-3</strong>.');
  });

  test('assumptions flag the knobs that differ from their default', () => {
    // Act
    const view = buildView(smallReport());

    // Assess
    expect(view.assumptions.find((a) => a.key === 'lmi.discount')?.changed).toBe(true);
    expect(view.assumptions.find((a) => a.key === 'lmi.headroom')?.changed).toBe(false);
  });

  test('compareBySavings and isRoutine', () => {
    // Prepare
    const [a, b] = smallReport().functions as [FunctionReport, FunctionReport];

    // Assess
    expect(compareBySavings({ ...a, savingsUsd: 5 }, { ...b, savingsUsd: null })).toBeLessThan(0);
    expect(compareBySavings({ ...a, savingsUsd: 1 }, { ...b, savingsUsd: 9 })).toBeGreaterThan(0);
    expect(isRoutine({ ...a, recommendation: 'stay', risks: [], standard: a.standard && { ...a.standard, totalUsd: 1 } })).toBe(true);
    expect(isRoutine({ ...a, recommendation: 'stay', risks: ['x'], standard: a.standard && { ...a.standard, totalUsd: 1 } })).toBe(false);
    expect(isRoutine({ ...a, recommendation: 'stay', standard: null })).toBe(false);
  });
});
