/**
 * buildReport, the merge step, end to end (summarizeFunction + real LMI sizing): totals,
 * grouping by trust group, the untagged-grouping figure, warnings, order, already-on-LMI.
 */
import { describe, expect, it, vi } from 'vitest';
import { breakEvenCpuShare, breakEvenInvocationsPerMonth } from '../../src/model/break-even.js';
import { capacityProviderName } from '../../src/model/capacity-plan.js';
import { summarizeFunction } from '../../src/model/summarize.js';
import type { FunctionProfile } from '../../src/source/profile.js';
import type { Config } from '../../src/config/schema.js';
import { buildReport } from '../../src/model/build-report.js';
import type { FunctionSummary } from '../../src/model/summary.js';
import type { PriceBook } from '../../src/prices/types.js';
import type { ReportModel } from '../../src/report/types.js';
import { makeWindow, reportFor, RUN, steadyProfile, testConfig, testPriceBook } from './helpers.js';

const TAG = 'lmi-advisor:trust-group';
const week = makeWindow(24 * 7, 60);

/** Steady Node.js API, 2 GB, 200 ms, `concurrency` busy all week; CPU measured at 5 % of duration. */
function busy(name: string, o: { tags?: Record<string, string>; concurrency?: number; region?: string } = {}): FunctionProfile {
  const concurrency = o.concurrency ?? 100;
  const p = steadyProfile(week, {
    name,
    region: o.region,
    invocations: Math.round((concurrency / 0.2) * 3600 * 24 * 7),
    durationMs: 200,
    memoryMB: 2048,
    concurrencyMax: concurrency,
    tags: o.tags,
  });
  p.cpuSecondsPerInvocation = 0.01;
  return p;
}

const fleet = () => [
  busy('a', { tags: { [TAG]: 'Team_A' } }),
  busy('b', { tags: { [TAG]: 'Team_A' } }),
  busy('c'),
  busy('d'),
  busy('small', { concurrency: 1 }),
];

describe('buildReport: recommendations and totals', () => {
  it('totals: standard minus free tier; recommended = what stays + capacity providers', () => {
    // Prepare
    const config = testConfig();
    // Act
    const report = reportFor(fleet(), week, config);
    const stayingAlone = reportFor([busy('small', { concurrency: 1 })], week, config);
    // Assess
    const byName = Object.fromEntries(report.functions.map((f) => [f.name, f]));
    expect(['a', 'b', 'c', 'd'].map((n) => byName[n]!.recommendation)).toEqual(['migrate', 'migrate', 'migrate', 'migrate']);
    expect(byName.small!.recommendation).toBe('stay');
    expect(report.totals.counts).toEqual({ migrate: 4, review: 0, stay: 1, 'insufficient-data': 0, ineligible: 0 });

    const sumStandard = report.functions.reduce((s, f) => s + f.standard!.totalUsd, 0);
    expect(report.totals.standardUsd).toBeCloseTo(sumStandard - report.totals.freeTierCreditUsd, 6);
    const providers = report.capacityProviders.reduce((s, p) => s + p.totalUsd, 0);
    expect(report.totals.recommendedUsd).toBeCloseTo(stayingAlone.totals.standardUsd + providers, 6);
    expect(report.totals.savingsUsd).toBeCloseTo(report.totals.standardUsd - report.totals.recommendedUsd, 6);
    expect(report.totals.savingsUsd).toBeGreaterThan(0);
  });

  it('per-function savings = standard - LMI alone, and the break-even share comes from the sizing grid', () => {
    const config = testConfig();
    const profile = busy('small', { concurrency: 1 });
    const summary = summarizeFunction(profile, { window: week, prices: testPriceBook().regions['us-east-1'], config });
    const f = reportFor([profile], week, config).functions[0]!;
    expect(f.savingsUsd).toBeCloseTo(f.standard!.totalUsd - f.lmi!.totalUsd, 9);
    expect(f.lmi!.breakEvenCpuShare).toBe(breakEvenCpuShare(summary.sizing!.costByCpuShare, f.standard!.totalUsd));
    expect(summary.sizing!.result.breakEvenCpuShare).toBeNull(); // filled by build-report only
  });

  it('end to end: an old runtime is review, a container image ineligible, both still priced', () => {
    const old = busy('old');
    old.runtime = 'nodejs20.x';
    const image = busy('image');
    image.runtime = null;
    const report = reportFor([old, image], week, testConfig());
    const by = (n: string) => report.functions.find((f) => f.name === n)!;
    expect(by('old').recommendation).toBe('review');
    expect(by('old').reasons.join(' ')).toContain('nodejs20.x must be upgraded');
    expect(by('image').recommendation).toBe('ineligible');
    expect(by('image').lmi!.totalUsd).toBeGreaterThan(0);
    expect(report.capacityProviders).toEqual([]);
    expect(report.totals.recommendedUsd).toBeCloseTo(report.totals.standardUsd, 6);
  });

  it('functions are sorted by savings (desc, null last), then region and name', () => {
    const profiles = [busy('z', { concurrency: 1 }), busy('m'), busy('k'), busy('lost', { region: 'ap-nowhere-1' })];
    const names = reportFor(profiles, week, testConfig()).functions.map((f) => f.name);
    expect(names).toEqual(['k', 'm', 'z', 'lost']);
  });

  it('a function already on LMI: stay, no money, counted as unpriced, not in the totals', () => {
    const onLmi = busy('old');
    onLmi.capacityProviderArn = 'arn:aws:lambda:us-east-1:123456789012:capacity-provider:cp';
    const report = reportFor([onLmi, busy('small', { concurrency: 1 })], week, testConfig());
    const alone = reportFor([busy('small', { concurrency: 1 })], week, testConfig());
    const old = report.functions.find((f) => f.name === 'old')!;
    expect(old.recommendation).toBe('stay');
    expect(old.alreadyOnLmi).toBe(true);
    expect(old.standard).toBeNull();
    expect(old.lmi).toBeNull();
    expect(report.totals.unpricedFunctions).toBe(1);
    expect(report.totals.standardUsd).toBe(alone.totals.standardUsd);
  });
});

describe('buildReport: capacity providers', () => {
  it('migrate functions of one trust group share a provider; untagged ones get their own', () => {
    const report = reportFor(fleet(), week, testConfig());
    const plans = report.capacityProviders;
    expect(plans).toHaveLength(3);
    const team = plans.find((p) => p.trustGroup === 'Team_A')!;
    expect(team.functions).toEqual(['a', 'b']);
    expect(plans.filter((p) => p.trustGroup === null).map((p) => p.functions)).toEqual([['c'], ['d']]);
    const std = (n: string) => report.functions.find((f) => f.name === n)!.standard!.totalUsd;
    const lmi = (n: string) => report.functions.find((f) => f.name === n)!.lmi!.totalUsd;
    expect(team.standardTotalUsd).toBeCloseTo(std('a') + std('b'), 9);
    expect(team.dedicatedTotalUsd).toBeCloseTo(lmi('a') + lmi('b'), 9);
    expect(team.totalUsd).toBeLessThanOrEqual(team.dedicatedTotalUsd);
  });

  it('reports what grouping untagged functions would save, and lmi.groupUntagged applies it', () => {
    // Act
    const off = reportFor(fleet(), week, testConfig());
    const on = reportFor(fleet(), week, testConfig((c) => (c.lmi.groupUntagged = true)));
    // Assess
    expect(off.totals.groupUntaggedExtraSavingsUsd).not.toBeNull();
    expect(off.totals.groupUntaggedExtraSavingsUsd!).toBeGreaterThan(0);
    expect(on.totals.groupUntaggedExtraSavingsUsd).toBeNull();
    const pooled = on.capacityProviders.find((p) => p.trustGroup === null)!;
    expect(pooled.functions).toEqual(['c', 'd']);
    expect(off.totals.recommendedUsd - on.totals.recommendedUsd).toBeCloseTo(off.totals.groupUntaggedExtraSavingsUsd!, 6);
  });

  it('no untagged pair to group: the extra saving is null, not 0', () => {
    const report = reportFor([busy('a', { tags: { [TAG]: 'x' } }), busy('c')], week, testConfig());
    expect(report.totals.groupUntaggedExtraSavingsUsd).toBeNull();
  });

  it('provider names are valid, deterministic, lowercase [a-z0-9-], at most 64 characters', () => {
    const valid = /^[a-z0-9-]{1,64}$/;
    expect(capacityProviderName('orders', 'us-east-1', 'arm64')).toBe('lmi-orders-us-east-1-arm64');
    expect(capacityProviderName('orders', 'us-east-1', 'x86_64')).toBe('lmi-orders-us-east-1-x86');
    const changed = capacityProviderName('Team_A', 'us-east-1', 'x86_64');
    expect(changed).toMatch(valid);
    expect(changed).toBe(capacityProviderName('Team_A', 'us-east-1', 'x86_64'));
    expect(changed).not.toBe(capacityProviderName('team-a', 'us-east-1', 'x86_64'));
    const long = capacityProviderName('x'.repeat(200), 'ap-southeast-2', 'x86_64');
    expect(long).toMatch(valid);
    expect(long.length).toBeLessThanOrEqual(64);
    expect(long).not.toBe(capacityProviderName(`${'x'.repeat(199)}y`, 'ap-southeast-2', 'x86_64'));
    for (const p of reportFor(fleet(), week, testConfig()).capacityProviders) expect(p.name).toMatch(valid);
  });

  it('a function and a trust group with the same name get different providers', () => {
    const report = reportFor([busy('orders'), busy('x', { tags: { [TAG]: 'orders' } })], week, testConfig());
    const names = report.capacityProviders.map((p) => p.name);
    expect(new Set(names).size).toBe(2);
  });
});

describe('buildReport: figures kept between calls (the what-if page rebuilds on every knob change)', () => {
  const profiles = () => [
    ...fleet(),
    busy('e', { concurrency: 7 }),
    busy('f', { concurrency: 30, region: 'eu-west-1' }),
    busy('g', { concurrency: 2, region: 'eu-west-1' }),
    busy('h', { tags: { [TAG]: 'Team_B' }, concurrency: 3 }),
  ];
  const build = (summaries: FunctionSummary[], config: Config, priceBook: PriceBook) =>
    buildReport({ accountId: '123456789012', window: week, summaries, priceBook, config, assumptions: [], run: RUN, warnings: [] });

  it('the same summaries through knobs that do not re-size give the report fresh summaries give', () => {
    // Prepare: one set of summaries kept across calls (as the page keeps them), fresh ones for the cold path.
    const priceBook = testPriceBook();
    const base = testConfig();
    const summarize = (config: Config) =>
      profiles().map((p) => summarizeFunction(p, { window: week, prices: priceBook.regions[p.region], config }));
    const kept = summarize(base);
    const steps: Config[] = [
      base,
      testConfig((c) => (c.recommend.minSavingsPct = 60)),
      testConfig((c) => (c.lmi.groupUntagged = true)),
      testConfig((c) => (c.pricing.lambdaDiscount = 0.12)),
      testConfig((c) => (c.lmi.minInstances = 5)),
      testConfig((c) => (c.pricing.freeTier = false)),
      base,
      testConfig((c) => (c.recommend.minSavingsPct = 1)),
    ];
    const earlier: { report: ReportModel; json: string }[] = [];
    for (const config of steps) {
      // Act
      const warm = build(kept, config, priceBook);
      const cold = build(summarize(base), config, priceBook);
      // Assess: the very figures, and no earlier report changed by a later call.
      expect(JSON.stringify(warm)).toBe(JSON.stringify(cold));
      for (const e of earlier) expect(JSON.stringify(e.report)).toBe(e.json);
      earlier.push({ report: warm, json: JSON.stringify(warm) });
    }
    // The last two steps differ in recommend.* alone: the kept objects were reused, not rebuilt.
    const [first, last] = [earlier[earlier.length - 2]!.report, earlier[earlier.length - 1]!.report];
    expect(first.capacityProviders.length).toBeGreaterThan(2);
    const byName = (r: ReportModel, n: string) => r.functions.find((f) => f.name === n)!;
    expect(byName(last, 'c').lmi).toBe(byName(first, 'c').lmi);
    const solo = first.capacityProviders.find((p) => p.functions.length === 1)!;
    expect(last.capacityProviders.find((p) => p.name === solo.name)).toBe(solo);
  });

  it('plans of several members are kept while what planning reads stays: each part that changes gives the cold plan', async () => {
    // Prepare: one set of summaries; each step changes one thing a shared plan reads, the summaries
    // (and so the sizings) otherwise the same objects.
    const priceBook = testPriceBook();
    const config = testConfig();
    const kept = profiles().map((p) => summarizeFunction(p, { window: week, prices: priceBook.regions[p.region], config }));
    const cheaper = testPriceBook();
    for (const t of cheaper.regions['us-east-1']!.instances) t.onDemandUsdPerHour *= 0.5;
    const change = (name: string, f: (s: FunctionSummary) => FunctionSummary) => kept.map((s) => (s.name === name ? f(s) : s));
    const sizingOf = (name: string) => kept.find((s) => s.name === name)!.sizing;
    // Each change right after the base step, whose plans are the ones kept.
    const base = { summaries: kept };
    const steps: { summaries: FunctionSummary[]; config?: Config; priceBook?: PriceBook }[] = [
      base,
      { summaries: kept, config: testConfig((c) => (c.lmi.minInstances = 5)) },
      base,
      { summaries: kept, priceBook: cheaper },
      base,
      { summaries: change('a', (s) => ({ ...s, windowInvocations: s.windowInvocations! * 3 })) },
      base,
      { summaries: change('b', (s) => ({ ...s, sizing: sizingOf('h') })) },
      base,
      { summaries: change('d', (s) => ({ ...s, sizing: sizingOf('e') })) },
      base,
      { summaries: change('b', (s) => ({ ...s, name: 'b2' })) },
      { summaries: kept, config: testConfig((c) => (c.lmi.groupUntagged = true)) },
      base,
    ];
    const fresh = async () => {
      vi.resetModules();
      return (await import('../../src/model/build-report.js')).buildReport;
    };
    const reports: ReportModel[] = [];
    for (const step of steps) {
      const input = {
        accountId: '123456789012',
        window: week,
        summaries: step.summaries,
        priceBook: step.priceBook ?? priceBook,
        config: step.config ?? config,
        assumptions: [],
        run: RUN,
        warnings: [],
      };
      // Act: this module (plans kept from the steps before) and a fresh one (cold).
      const warm = buildReport(input);
      const cold = (await fresh())(input);
      // Assess
      expect(JSON.stringify(warm)).toBe(JSON.stringify(cold));
      reports.push(warm);
    }
    // The plans were kept where nothing they read changed (so the steps above met kept plans): the
    // trust group's plan after the untagged grouping step is the very one handed out then.
    const shared = (r: ReportModel) => r.capacityProviders.find((p) => p.trustGroup === 'Team_A')!;
    const [grouped, after] = reports.slice(-2) as [ReportModel, ReportModel];
    expect(shared(after).functions).toEqual(['a', 'b']);
    expect(shared(after)).toBe(shared(grouped));
  });

  it('sizings that are plain objects (not made by sizeLmi) are kept as well, with the cold figures', () => {
    // Prepare: summaries whose sizing is a plain object (memo in a WeakMap, not the Sizing slot).
    const priceBook = testPriceBook();
    const base = testConfig();
    const summarize = (config: Config) =>
      profiles().map((p) => summarizeFunction(p, { window: week, prices: priceBook.regions[p.region], config }));
    const plain = (s: FunctionSummary): FunctionSummary => {
      const z = s.sizing;
      if (z === null) return s;
      return {
        ...s,
        sizing: { result: z.result, costByCpuShare: z.costByCpuShare, costByTrafficScale: z.costByTrafficScale, chart: z.chart, capacity: z.capacity, risks: z.risks },
      };
    };
    const kept = summarize(base).map(plain);
    const steps = [base, testConfig((c) => (c.pricing.lambdaDiscount = 0.2)), testConfig((c) => (c.recommend.minSavingsPct = 50)), base];
    for (const config of steps) {
      // Act
      const warm = build(kept, config, priceBook);
      const cold = build(summarize(base), config, priceBook);
      // Assess
      expect(JSON.stringify(warm)).toBe(JSON.stringify(cold));
    }
  });

  it('a non-finite LMI figure stops every call, the warm ones too', () => {
    const priceBook = testPriceBook();
    const config = testConfig();
    const summaries = profiles().map((p) => summarizeFunction(p, { window: week, prices: priceBook.regions[p.region], config }));
    const i = summaries.findIndex((s) => s.name === 'e');
    const sizing = summaries[i]!.sizing!;
    summaries[i] = {
      ...summaries[i]!,
      sizing: {
        result: { ...sizing.result, ec2Usd: Number.NaN },
        costByCpuShare: sizing.costByCpuShare,
        costByTrafficScale: sizing.costByTrafficScale,
        chart: sizing.chart,
        capacity: sizing.capacity,
        risks: sizing.risks,
      },
    };
    for (let call = 0; call < 2; call++) {
      expect(() => build(summaries, config, priceBook)).toThrow(/^us-east-1\/e: computed lmi\.ec2Usd is NaN/);
    }
  });
});

describe('buildReport: warnings', () => {
  it('always warns that INIT is not in Duration; coarse periods and bundled prices are named', () => {
    const hourly = makeWindow(730, 3600);
    const p = steadyProfile(hourly, { invocations: 1_000_000, durationMs: 100 });
    const bundled = reportFor([p], hourly, testConfig());
    const live = reportFor([p], hourly, testConfig(), { ...testPriceBook(), source: 'live' });
    const fine = reportFor([busy('a')], week, testConfig(), { ...testPriceBook(), source: 'live' });
    const codes = (r: typeof bundled) => r.warnings.map((w) => w.code);
    expect(codes(bundled)).toEqual(expect.arrayContaining(['init-not-in-duration', 'coarse-period', 'prices-bundled']));
    expect(bundled.warnings.find((w) => w.code === 'prices-bundled')!.message).toContain(testPriceBook().asOf);
    expect(codes(live)).not.toContain('prices-bundled');
    // 'a' migrates onto a capacity provider: the VPC egress cost LMI needs is named, not priced.
    expect(codes(fine)).toEqual(['init-not-in-duration', 'lmi-networking-not-included']);
    expect(codes(bundled)).not.toContain('lmi-networking-not-included');
  });

  it('names the provisioned-concurrency assumption when a function has PC', () => {
    const p = steadyProfile(week, { name: 'pc', invocations: 1_000_000, durationMs: 100, concurrencyMax: 5 });
    p.provisionedConcurrency = 5;
    const report = reportFor([p, busy('a')], week, testConfig());
    const warning = report.warnings.find((w) => w.code === 'pc-assumed-constant');
    expect(warning?.message).toContain('1 function(s) (us-east-1/pc)');
  });

  it('names at most ten PC functions in the warning, then "and N more"', () => {
    const pcs = Array.from({ length: 12 }, (_, i) => {
      const p = steadyProfile(week, { name: `pc-${String(i).padStart(2, '0')}`, invocations: 1_000_000, durationMs: 100, concurrencyMax: 5 });
      p.provisionedConcurrency = 2;
      return p;
    });
    const warning = reportFor(pcs, week, testConfig()).warnings.find((w) => w.code === 'pc-assumed-constant');
    expect(warning?.message).toContain('12 function(s) (us-east-1/pc-00, us-east-1/pc-01,');
    expect(warning?.message).toContain('us-east-1/pc-09 and 2 more)');
    expect(warning?.message).not.toContain('pc-10');
  });

  it('splits the PC-duration out of the PC line without changing the total', () => {
    const p = steadyProfile(week, { name: 'pc', invocations: 1_000_000, durationMs: 100, concurrencyMax: 5 });
    p.provisionedConcurrency = 5;
    const f = reportFor([p], week, testConfig()).functions[0]!;
    const s = f.standard!;
    expect(s.provisionedDurationUsd).toBeGreaterThan(0);
    expect(s.provisionedDurationUsd!).toBeLessThan(s.provisionedConcurrencyUsd);
    // The part is inside provisionedConcurrencyUsd: the lines still add up to the total.
    expect(s.requestsUsd + s.durationUsd + s.provisionedConcurrencyUsd + s.ephemeralStorageUsd).toBeCloseTo(s.totalUsd, 9);
  });
});

describe('break-even helpers', () => {
  it('CPU share: interpolates between grid points; top share when always cheaper; null when never', () => {
    const grid = [
      { cpuShare: 1, totalUsd: 200 },
      { cpuShare: 0.5, totalUsd: 120 },
      { cpuShare: 0.1, totalUsd: 40 },
    ];
    expect(breakEvenCpuShare(grid, 100)).toBeCloseTo(0.4, 12); // 120 -> 40 between 0.5 and 0.1
    expect(breakEvenCpuShare(grid, 300)).toBe(1);
    expect(breakEvenCpuShare(grid, 30)).toBeNull();
  });

  it('traffic: first crossing where LMI becomes cheaper, with configured PC as a fixed cost', () => {
    const grid = [
      { scale: 0.1, totalUsd: 100 },
      { scale: 1, totalUsd: 100 },
      { scale: 10, totalUsd: 190 },
    ];
    // Standard 50 at scale 1, no fixed part: 50 s = LMI between 1 (gap -50) and 10 (gap 310).
    expect(breakEvenInvocationsPerMonth(grid, { totalUsd: 50, fixedUsd: 0 }, 1000)).toBeCloseTo((1 + (50 / 360) * 9) * 1000, 6);
    // LMI cheaper already at the smallest scale: no crossing inside the grid.
    expect(breakEvenInvocationsPerMonth(grid, { totalUsd: 5000, fixedUsd: 0 }, 1000)).toBeNull();
    // Fixed cost counts at every scale: 60 fixed + 40 s crosses 100 at s = 1.
    expect(breakEvenInvocationsPerMonth(grid, { totalUsd: 100, fixedUsd: 60 }, 1000)).toBeCloseTo(1000, 6);
  });

  it('traffic: a large fixed PC cost makes LMI cheaper only below a traffic level, and that level is found', () => {
    // LMI grows fast with traffic; standard is 300 fixed (PC) + 10 x scale.
    const grid = [
      { scale: 0.1, totalUsd: 100 },
      { scale: 1, totalUsd: 200 },
      { scale: 10, totalUsd: 1000 },
    ];
    // gap = standard - LMI: +201 at 0.1, +110 at 1, -600 at 10: crosses between 1 and 10.
    expect(breakEvenInvocationsPerMonth(grid, { totalUsd: 310, fixedUsd: 300 }, 1000)).toBeCloseTo((1 + (110 / 710) * 9) * 1000, 6);
  });
});

describe('buildReport: provisioned concurrency that could not be read', () => {
  it('makes the standard cost unknown (never priced as PC 0) and keeps it out of the totals', () => {
    const unknownPc = busy('unknown-pc');
    unknownPc.provisionedConcurrency = null;
    const report = reportFor([unknownPc, busy('a')], week, testConfig());
    const f = report.functions.find((x) => x.name === 'unknown-pc')!;
    expect(f.standard).toBeNull();
    expect(f.savingsUsd).toBeNull();
    expect(f.provisionedConcurrency).toBeNull();
    expect(f.recommendation).toBe('insufficient-data');
    expect(report.warnings.some((w) => w.code === 'pc-unknown' && w.function === 'unknown-pc')).toBe(true);
    expect(report.totals.unpricedFunctions).toBe(1);
    const alone = reportFor([busy('a')], week, testConfig());
    expect(report.totals.standardUsd).toBeCloseTo(alone.totals.standardUsd, 9);
  });
});
