/**
 * Issue 8, item 1: each required series' unknowns are independent. A null in one series makes
 * unknown only what needs that series; every "unknown" states its true reason. Scenario
 * snapshots: fixtures/scenarios/{concurrency,duration,invocations,all}-unknown.ndjson.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { ReportModel } from '../../src/report/types.js';
import type { FunctionProfile, SnapshotHeader } from '../../src/source/profile.js';
import { makeWindow, reportFor, steadyProfile, testConfig } from './helpers.js';

function scenario(file: string): { header: SnapshotHeader; profiles: FunctionProfile[] } {
  const [head, ...lines] = readFileSync(new URL(`../../fixtures/scenarios/${file}`, import.meta.url), 'utf8').trim().split('\n');
  return { header: JSON.parse(head!) as SnapshotHeader, profiles: lines.map((l) => JSON.parse(l) as FunctionProfile) };
}

/** The 1-day scenarios, with recommend.minWindowDays lowered so the window is no reason. */
function report(file: string, patch: Parameters<typeof testConfig>[0] = () => {}): ReportModel {
  const { header, profiles } = scenario(file);
  const config = testConfig((c) => {
    c.recommend.minWindowDays = 1;
    c.billing.roundingMsPerInvocation = 0.5;
    patch(c);
  });
  return reportFor(profiles, header.window, config);
}

const STEADY_INVOCATIONS = 6000 * 1440;

describe('a required series unknown in every period (scenario snapshots)', () => {
  const steady = report('steady.ndjson');
  const steadyFn = steady.functions[0]!;

  it('concurrency unknown: invocations, GB-s and the standard cost stay known; only LMI is unknown', () => {
    const r = report('concurrency-unknown.ndjson');
    const f = r.functions[0]!;

    expect(f.usage.invocations).toBe(STEADY_INVOCATIONS);
    expect(f.usage.gbSeconds).toBe(steadyFn.usage.gbSeconds);
    expect(f.usage.avgDurationMs).toBe(100);
    expect(f.usage.peakConcurrency).toBeNull();
    expect(f.usage.utilization).toBeNull();
    expect(f.standard).toEqual(steadyFn.standard);
    expect(r.totals.standardUsd).toBe(steady.totals.standardUsd);
    expect(r.totals.unpricedFunctions).toBe(0);
    expect(f.lmi).toBeNull();
    expect(f.savingsUsd).toBeNull();
    expect(f.recommendation).toBe('insufficient-data');
    const reasons = f.reasons.join('\n');
    expect(reasons).toContain('series.concurrencyMax is unknown in every period');
    expect(reasons).not.toMatch(/Only 0 invocations|no prices|Standard Lambda cost is unknown/i);
    expect(r.warnings.find((w) => w.code === 'series-unknown')?.message).toContain('series.concurrencyMax');
    expect(r.warnings.some((w) => w.code === 'no-prices' || w.code === 'no-data')).toBe(false);
  });

  it('duration unknown: invocations and peak concurrency stay known; GB-s and the standard cost are unknown, saying why', () => {
    const r = report('duration-unknown.ndjson');
    const f = r.functions[0]!;

    expect(f.usage.invocations).toBe(STEADY_INVOCATIONS);
    expect(f.usage.peakConcurrency).toBe(12);
    expect(f.usage.gbSeconds).toBeNull();
    expect(f.usage.avgDurationMs).toBeNull();
    expect(f.usage.avgConcurrency).toBeNull();
    expect(f.standard).toBeNull();
    expect(f.recommendation).toBe('insufficient-data');
    expect(f.reasons[0]).toBe(
      'Standard Lambda cost is unknown: series.durationMsSum is unknown in every period (duration cannot be billed).',
    );
    expect(f.reasons.join('\n')).not.toMatch(/Only 0 invocations|no prices/i);
    // The LMI replay needs concurrency and invocations, not duration; CPU-s per invocation does.
    expect(f.lmi).not.toBeNull();
    expect(f.lmi!.cpuSecondsPerInvocation).toBeNull();
    expect(r.totals.unpricedFunctions).toBe(1);
  });

  it('invocations unknown: invocations are null, never 0; GB-s needs them for the 1-ms round-up', () => {
    const r = report('invocations-unknown.ndjson');
    const f = r.functions[0]!;

    expect(f.usage.invocations).toBeNull();
    expect(f.usage.gbSeconds).toBeNull();
    expect(f.usage.peakConcurrency).toBe(12);
    expect(f.standard).toBeNull();
    expect(f.lmi).toBeNull();
    expect(f.reasons[0]).toContain('series.invocations is unknown in every period');
    expect(f.reasons.join('\n')).toContain('Invocations are unknown');
    expect(f.reasons.join('\n')).not.toMatch(/Only 0 invocations/);
  });

  it('invocations unknown with billing.roundingMsPerInvocation 0: GB-s comes from duration alone', () => {
    const f = report('invocations-unknown.ndjson', (c) => (c.billing.roundingMsPerInvocation = 0)).functions[0]!;
    const s = report('steady.ndjson', (c) => (c.billing.roundingMsPerInvocation = 0)).functions[0]!;

    expect(f.usage.gbSeconds).toBe(s.usage.gbSeconds);
    expect(f.usage.avgConcurrency).toBe(s.usage.avgConcurrency);
  });

  it('all three unknown: usage is unknown (null), never 0, with a no-data warning', () => {
    const r = report('all-unknown.ndjson');
    const f = r.functions[0]!;

    expect(f.usage.invocations).toBeNull();
    expect(f.usage.gbSeconds).toBeNull();
    expect(f.usage.peakConcurrency).toBeNull();
    expect(f.usage.unknownPeriods).toBe(1440);
    expect(f.standard).toBeNull();
    expect(f.lmi).toBeNull();
    expect(f.recommendation).toBe('insufficient-data');
    expect(r.warnings.find((w) => w.code === 'no-data')?.function).toBe('steady-api');
    expect(f.reasons.join('\n')).not.toMatch(/no prices|Only 0/i);
  });
});

describe('partial and optional unknowns', () => {
  const window = makeWindow(730, 3600);
  const base = () => steadyProfile(window, { invocations: 7_300_000, durationMs: 120, concurrencyMax: 9 });
  const config = testConfig((c) => (c.billing.roundingMsPerInvocation = 0.5));

  it.each(['invocations', 'durationMsSum', 'concurrencyMax'] as const)(
    '%s null in a third of the periods: the other series keep every period, the standard cost is unchanged',
    (key) => {
      const holes = base();
      for (let i = 0; i < holes.series[key].length; i += 3) holes.series[key][i] = null;
      const full = reportFor([base()], window, config).functions[0]!;
      const f = reportFor([holes], window, config).functions[0]!;

      // A steady load: each series extrapolated over its own unknown periods gives the full month.
      expect(f.standard!.totalUsd).toBeCloseTo(full.standard!.totalUsd, 9);
      expect(f.usage.unknownPeriods).toBe(244);
      expect(f.usage.unknownPeriodsBySeries![key]).toBe(244);
      if (key !== 'invocations') expect(f.usage.invocations).toBe(7_300_000);
      if (key !== 'concurrencyMax') expect(f.usage.peakConcurrency).toBe(9);
    },
  );

  it('optional series (durationMsMax, errors, throttles) all null change nothing', () => {
    const p = base();
    const n = p.series.invocations.length;
    p.series.durationMsMax = new Array<null>(n).fill(null);
    p.series.errors = new Array<null>(n).fill(null);
    p.series.throttles = new Array<null>(n).fill(null);
    const f = reportFor([p], window, config).functions[0]!;
    const full = reportFor([base()], window, config).functions[0]!;

    expect(f).toEqual(full);
  });

  it('with provisioned concurrency, concurrency unknown everywhere makes the PC split (and so the standard cost) unknown, saying so', () => {
    const p = steadyProfile(window, { invocations: 7_300_000, durationMs: 120, concurrencyMax: 9, provisionedConcurrency: 3 });
    p.series.concurrencyMax = p.series.concurrencyMax.map(() => null);
    const f = reportFor([p], window, config).functions[0]!;

    expect(f.usage.invocations).toBe(7_300_000);
    expect(f.standard).toBeNull();
    expect(f.reasons[0]).toContain('share of duration served by provisioned concurrency is unknown');
  });

  it('with provisioned concurrency, concurrency known only in idle periods: the PC split is unknown, never all-on-PC', () => {
    const p = steadyProfile(window, { invocations: 7_300_000, durationMs: 120, concurrencyMax: 9, provisionedConcurrency: 3 });
    p.series.invocations[0] = 0;
    p.series.durationMsSum[0] = 0;
    p.series.concurrencyMax = p.series.concurrencyMax.map((c, i) => (i === 0 ? 0 : null));
    const f = reportFor([p], window, config).functions[0]!;

    expect(f.standard).toBeNull();
    expect(f.reasons[0]).toContain('share of duration served by provisioned concurrency is unknown');
  });

  it('with provisioned concurrency, concurrency unknown in some periods: the PC share is measured where known', () => {
    const pc = { invocations: 7_300_000, durationMs: 120, concurrencyMax: 9, provisionedConcurrency: 3 };
    const holes = steadyProfile(window, pc);
    for (let i = 0; i < holes.series.concurrencyMax.length; i += 2) holes.series.concurrencyMax[i] = null;
    const full = reportFor([steadyProfile(window, pc)], window, config).functions[0]!;
    const f = reportFor([holes], window, config).functions[0]!;

    expect(f.standard!.totalUsd).toBeCloseTo(full.standard!.totalUsd, 9);
    expect(f.standard!.provisionedConcurrencyUsd).toBeCloseTo(full.standard!.provisionedConcurrencyUsd, 9);
  });

  it('PC unreadable: the reason says so, not "no prices"', () => {
    const p = base();
    p.provisionedConcurrency = null;
    const f = reportFor([p], window, config).functions[0]!;

    expect(f.usage.invocations).toBe(7_300_000);
    expect(f.reasons[0]).toBe('Standard Lambda cost is unknown: provisioned concurrency could not be read.');
  });

  it('a region without prices: the reason names the region', () => {
    const p = steadyProfile(window, { invocations: 7_300_000, durationMs: 120, region: 'ap-nowhere-1' });
    const f = reportFor([p], window, config).functions[0]!;

    expect(f.usage.invocations).toBe(7_300_000);
    expect(f.usage.gbSeconds).not.toBeNull();
    expect(f.reasons[0]).toBe('Standard Lambda cost is unknown: no Lambda prices for region ap-nowhere-1.');
  });
});
