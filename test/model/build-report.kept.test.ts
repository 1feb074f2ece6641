/**
 * What a lazy buildReport keeps for the next (the what-if page's next knob change): each
 * function's standard cost and figures, reused when built from the same inputs, and the last
 * order. The kept report must be the very report a cold build gives: over random knob sequences
 * on the sample account, and for each part of the keys, a change of that part alone (the test
 * fails when the part is dropped from its key).
 */
import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import type { Config } from '../../src/config/schema.js';
import { buildReport, FunctionFigures } from '../../src/model/build-report.js';
import { summarizeFunction } from '../../src/model/summarize.js';
import type { FunctionSummary } from '../../src/model/summary.js';
import type { PriceBook } from '../../src/prices/types.js';
import type { ReportModel } from '../../src/report/types.js';
import type { SnapshotWindow } from '../../src/source/profile.js';
import type { WhatIfData } from '../../src/whatif/data.js';
import type { KnobValues } from '../../src/whatif/knobs.js';
import { whatIfReport } from '../../src/whatif/model.js';
import { loadSample, type Sample } from '../whatif/sample.js';
import { knobSettings } from '../whatif/settings.js';
import { makeWindow, RUN, steadyProfile, testConfig, testPriceBook } from './helpers.js';

/** The report with every FunctionFigures replaced by its plain object (every lazy figure read). */
function plain(report: ReportModel): ReportModel {
  return { ...report, functions: report.functions.map((f) => (f instanceof FunctionFigures ? f.toJSON() : f)) };
}

function expectSameReport(kept: ReportModel, cold: ReportModel): void {
  expect(JSON.stringify(kept)).toBe(JSON.stringify(cold));
  expect(plain(kept)).toStrictEqual(plain(cold));
}

describe('lazy buildReport, kept between builds: the cold report over knob sequences (sample account)', () => {
  let sample: Sample;
  const fresh = (): WhatIfData => JSON.parse(JSON.stringify(sample.data)) as WhatIfData;
  beforeAll(async () => {
    sample = await loadSample();
  });

  /**
   * The lazy reports of `settings` one after the other over one data object (kept sizings,
   * summaries and report parts, as on the page), each read only after all were built; then each
   * against a cold lazy report (fresh data: nothing of it kept) and the plain one.
   */
  function expectSequence(settings: KnobValues[]): ReportModel[] {
    const data = fresh();
    const kept = settings.map((values) => whatIfReport(data, sample.config(values), { lazy: true }));
    settings.forEach((values, i) => {
      const cold = whatIfReport(fresh(), sample.config(values), { lazy: true });
      expectSameReport(kept[i]!, cold);
      expectSameReport(kept[i]!, whatIfReport(fresh(), sample.config(values)));
    });
    return kept;
  }

  it('for random knob settings', () => {
    fc.assert(
      fc.property(fc.array(knobSettings(sample.unmeasured), { minLength: 2, maxLength: 4 }), (settings) => {
        expectSequence(settings);
      }),
      { numRuns: 10 },
    );
  });

  it('for random walks of one knob at a time (what the panel does: most inputs stay)', () => {
    fc.assert(
      fc.property(knobSettings(sample.unmeasured), fc.array(knobSettings(sample.unmeasured), { minLength: 2, maxLength: 5 }), fc.array(fc.nat(), { minLength: 5, maxLength: 5 }), (start, moves, picks) => {
        const settings: KnobValues[] = [start];
        moves.forEach((move, i) => {
          const keys = Object.keys(move);
          const key = keys[(picks[i] ?? 0) % keys.length]!;
          settings.push({ ...settings[settings.length - 1], [key]: move[key]! });
        });
        expectSequence(settings);
      }),
      { numRuns: 10 },
    );
  });

  it('reuses the figures of a function whose inputs stayed (lmi.groupUntagged, a recommend knob), and no others', () => {
    const [first, grouped, stricter] = expectSequence([{}, { 'lmi.groupUntagged': true }, { 'lmi.groupUntagged': true, 'recommend.minSavingsPct': 30 }]);
    const before = new Set(first!.functions);
    // Grouping is planned after the figures: every function's figures are the same objects.
    expect(grouped!.functions.every((f) => before.has(f))).toBe(true);
    // recommend.* is read by every verdict: none kept.
    const kept = new Set(grouped!.functions);
    expect(stricter!.functions.some((f) => kept.has(f))).toBe(false);
  });
});

describe('lazy buildReport, kept between builds: each part of the keys', () => {
  const window = makeWindow(24 * 7, 60);
  const book = testPriceBook();

  /**
   * Steady Node.js functions of one region and architecture (one tier bucket): one cheaper on LMI
   * (CPU measured), the others not (CPU unmeasured), one too thin to judge. Each sizing's
   * capacity is read at once (as the first report build would), so later builds may plan any.
   */
  function summaries(config: Config, priceBook: PriceBook = book, w: SnapshotWindow = window): FunctionSummary[] {
    return [
      { name: 'busy', concurrency: 40, durationMs: 400, cpu: 0.02 },
      { name: 'steady', concurrency: 12, durationMs: 200 },
      { name: 'light', concurrency: 2, durationMs: 150 },
      { name: 'thin', concurrency: 1, durationMs: 100, invocations: 500 },
    ].map((f) => {
      const p = steadyProfile(w, {
        name: f.name,
        invocations: f.invocations ?? Math.round((f.concurrency / (f.durationMs / 1000)) * 3600 * 24 * 7 * 0.8),
        durationMs: f.durationMs,
        memoryMB: 2048,
        concurrencyMax: f.concurrency,
      });
      if (f.cpu !== undefined) p.cpuSecondsPerInvocation = f.cpu;
      const s = summarizeFunction(p, { window: w, prices: priceBook.regions[p.region], config });
      void s.sizing?.capacity;
      return s;
    });
  }

  function report(s: FunctionSummary[], config: Config, lazy: boolean, priceBook: PriceBook = book, w: SnapshotWindow = window): ReportModel {
    return buildReport({ accountId: '123456789012', window: w, summaries: s, priceBook, config, assumptions: [], run: RUN, warnings: [], lazy });
  }

  /**
   * A lazy build of `a`, read in full, then a lazy build of `b` (what a knob change gives): the
   * second equals the cold (plain) report of `b`, and differs from the report of `a` in `differs`
   * (so that a key without the part that changed would have kept a wrong figure).
   */
  function expectKeyed(
    a: { s: FunctionSummary[]; config: Config; priceBook?: PriceBook; window?: SnapshotWindow },
    b: { s: FunctionSummary[]; config: Config; priceBook?: PriceBook; window?: SnapshotWindow },
    differs: (r: ReportModel) => unknown,
  ): void {
    const first = report(a.s, a.config, true, a.priceBook, a.window);
    void JSON.stringify(first);
    const second = report(b.s, b.config, true, b.priceBook, b.window);
    const cold = report(b.s, b.config, false, b.priceBook, b.window);
    expect(differs(cold)).not.toEqual(differs(report(a.s, a.config, false, a.priceBook, a.window)));
    expectSameReport(second, cold);
  }

  const byName = (r: ReportModel) => Object.fromEntries(r.functions.map((f) => [f.name, f]));

  it('the summary: a new sizing over the same cost and monthly objects (a re-sizing knob)', () => {
    const config = testConfig();
    const s = summaries(config);
    const resized = summaries(testConfig((c) => (c.lmi.discount = 0.5)));
    // Only the sizing moves: the standard side is the same objects, so only the summary tells them apart.
    const b = s.map((x, i) => ({ ...x, sizing: resized[i]!.sizing }));
    expectKeyed({ s, config }, { s: b, config }, (r) => r.functions.map((f) => [f.name, f.savingsUsd, f.reasons[0]]));
  });

  it('the standard cost: pricing.lambdaDiscount over the same summaries', () => {
    const config = testConfig();
    const s = summaries(config);
    expectKeyed({ s, config }, { s, config: testConfig((c) => (c.pricing.lambdaDiscount = 0.4)) }, (r) => r.functions.map((f) => f.standard?.durationUsd));
  });

  it('config.recommend: recommend.minSavingsPct over the same summaries and standard costs', () => {
    const config = testConfig();
    const s = summaries(config);
    expectKeyed({ s, config }, { s, config: testConfig((c) => (c.recommend.minSavingsPct = 37)) }, (r) => r.functions.map((f) => f.reasons[0]));
  });

  it('the window: its days, read by the data rules (functions too thin to plan)', () => {
    const config = testConfig();
    const short = makeWindow(48, 60);
    const shorter = makeWindow(24, 60);
    const s = summaries(config, book, short).filter((x) => x.name === 'thin');
    expectKeyed({ s, config, window: short }, { s, config, window: shorter }, (r) => r.functions.map((f) => f.reasons));
  });

  it('the price book: instance memory, read by the busy-time premium', () => {
    const config = testConfig();
    const s = summaries(config);
    const east = book.regions['us-east-1']!;
    const types = new Set(s.map((x) => x.sizing?.result.instanceType));
    const doubled: PriceBook = {
      ...book,
      regions: { ...book.regions, 'us-east-1': { ...east, instances: east.instances.map((i) => (types.has(i.instanceType) ? { ...i, memoryGiB: i.memoryGiB * 2 } : i)) } },
    };
    expectKeyed({ s, config }, { s, config, priceBook: doubled }, (r) => r.functions.map((f) => f.busyTimePremium));
  });

  it('the order: two functions equal to the sort keep their index order, whatever the last order', () => {
    const config = testConfig();
    const [busy, , light] = summaries(config);
    // The last order puts index 1 first (busy saves, light does not)...
    void JSON.stringify(report([light!, busy!], config, true));
    // ...then two functions the sort cannot tell apart (one region, name and savings), told apart by their tags.
    const twins = [light!, { ...light!, tags: { copy: 'yes' } }];
    const kept = report(twins, config, true);
    expectSameReport(kept, report(twins, config, false));
    expect(kept.functions.map((f) => f.tags)).toEqual([{}, { copy: 'yes' }]);
  });

  it("a standard cost's parts: the cost object", () => {
    const config = testConfig();
    const s = summaries(config);
    const b = s.map((x, i) => (i === 0 && x.cost ? { ...x, cost: { ...x.cost, requestsUsd: x.cost.requestsUsd * 2 } } : x));
    expectKeyed({ s, config }, { s: b, config }, (r) => byName(r).busy?.standard);
  });

  it("a standard cost's parts: the monthly object (two functions swap their GB-s: the bucket's sum and price stay)", () => {
    const config = testConfig();
    const s = summaries(config);
    // light and thin: neither moves to LMI either way (no plan needs their capacity).
    const [x, y] = [s[2]!, s[3]!];
    // The same cost objects: only the monthly objects tell the two builds apart.
    const b = s.map((v, i) =>
      i === 2 ? { ...v, monthly: { ...x.monthly!, onDemandGbSeconds: y.monthly!.onDemandGbSeconds } } : i === 3 ? { ...v, monthly: { ...y.monthly!, onDemandGbSeconds: x.monthly!.onDemandGbSeconds } } : v,
    );
    expectKeyed({ s, config }, { s: b, config }, (r) => byName(r).light?.standard?.durationUsd);
  });

  it("a standard cost's parts: the bucket's tiered duration (pricing.lambdaDiscount)", () => {
    const config = testConfig();
    const s = summaries(config);
    expectKeyed({ s, config }, { s, config: testConfig((c) => (c.pricing.lambdaDiscount = 0.25)) }, (r) => byName(r).busy?.standard?.durationUsd);
  });

  it("a standard cost's parts: the bucket's GB-s (twice the GB-s at half the price: the same tiered duration, another share)", () => {
    const config = testConfig((c) => (c.pricing.freeTier = false));
    const s = summaries(config);
    let total = 0;
    for (const x of s) total += x.monthly!.onDemandGbSeconds;
    const twin = s[0]!;
    // One more function with the bucket's GB-s: the sum doubles (first tier: the price is linear, x2 and x0.5 exact).
    const extra: FunctionSummary = { ...twin, name: 'extra', cost: { ...twin.cost! }, monthly: { ...twin.monthly!, onDemandGbSeconds: total } };
    const half = testConfig((c) => {
      c.pricing.freeTier = false;
      c.pricing.lambdaDiscount = 0.5;
    });
    expectKeyed({ s, config }, { s: [...s, extra], config: half }, (r) => byName(r).busy?.standard?.durationUsd);
  });
});
