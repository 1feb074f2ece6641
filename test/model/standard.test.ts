/**
 * Standard Lambda through summarizeFunction + buildReport: duration tiers (account aggregate per
 * region per architecture), the one account-level free tier, pro-rata shares, unknown data.
 */
import { describe, expect, it } from 'vitest';
import { periodBilledMs, periodPcShare } from '../../src/model/standard.js';
import type { FunctionProfile } from '../../src/source/profile.js';
import { cents, makeWindow, reportFor, steadyProfile, testConfig } from './helpers.js';

const window = makeWindow(730, 3600);
// Pricing page, US East: x86 first 6 B GB-s $0.0000166667, next 9 B $0.000015; arm64 first
// 7.5 B $0.0000133334, next 11.25 B $0.0000120001.
const X86_T1 = 0.0000166667;
const X86_T2 = 0.000015;
const ARM_T1 = 0.0000133334;
const ARM_T2 = 0.0000120001;

/** A 1024-MB function with exactly `gbSeconds` billed GB-s in the (730-h) month. */
function withGbSeconds(gbSeconds: number, o: Partial<Parameters<typeof steadyProfile>[1]> = {}): FunctionProfile {
  // 1 s per invocation at 1 GB: one GB-s per invocation, integers all the way.
  return steadyProfile(window, { invocations: gbSeconds, durationMs: 1000, memoryMB: 1024, concurrencyMax: 1, ...o });
}

const noFreeTier = testConfig((c) => (c.pricing.freeTier = false));
const durationOf = (gbSeconds: number, arch: 'x86_64' | 'arm64' = 'x86_64') =>
  reportFor([withGbSeconds(gbSeconds, { architecture: arch })], window, noFreeTier).functions[0]!.standard!.durationUsd;

describe('duration tiers', () => {
  it('x86: exactly 6e9 GB-s is all first tier; the GB-s above it costs the second-tier price', () => {
    // Act
    const below = durationOf(6e9 - 1);
    const at = durationOf(6e9);
    const above = durationOf(6e9 + 1);
    // Assess
    expect(at).toBeCloseTo(6e9 * X86_T1, 6);
    expect(at - below).toBeCloseTo(X86_T1, 9);
    expect(above - at).toBeCloseTo(X86_T2, 9);
  });

  it('arm64: exactly 7.5e9 GB-s is all first tier; the GB-s above it costs the second-tier price', () => {
    const below = durationOf(7.5e9 - 1, 'arm64');
    const at = durationOf(7.5e9, 'arm64');
    const above = durationOf(7.5e9 + 1, 'arm64');
    expect(at).toBeCloseTo(7.5e9 * ARM_T1, 6);
    expect(at - below).toBeCloseTo(ARM_T1, 9);
    expect(above - at).toBeCloseTo(ARM_T2, 9);
  });

  it('tiers are kept apart per region and per architecture', () => {
    // Prepare: 5e9 GB-s in each of three buckets; together they would cross 6e9.
    const profiles = [
      withGbSeconds(5e9, { name: 'a', region: 'us-east-1', architecture: 'x86_64' }),
      withGbSeconds(5e9, { name: 'b', region: 'eu-west-1', architecture: 'x86_64' }),
      withGbSeconds(5e9, { name: 'c', region: 'us-east-1', architecture: 'arm64' }),
    ];
    // Act
    const report = reportFor(profiles, window, noFreeTier);
    // Assess: each bucket stays in its first tier.
    const by = (name: string) => report.functions.find((f) => f.name === name)!.standard!.durationUsd;
    expect(by('a')).toBeCloseTo(5e9 * X86_T1, 6);
    expect(by('b')).toBeCloseTo(5e9 * X86_T1, 6);
    expect(by('c')).toBeCloseTo(5e9 * ARM_T1, 6);
  });

  it('functions of one bucket share the tiered cost pro rata, summing to the account exactly', () => {
    // Prepare: 4e9 + 4e9 GB-s x86 in one region: the account crosses 6e9.
    const profiles = [withGbSeconds(4e9, { name: 'a' }), withGbSeconds(4e9, { name: 'b' })];
    // Act
    const report = reportFor(profiles, window, noFreeTier);
    // Assess
    const account = 6e9 * X86_T1 + 2e9 * X86_T2;
    const [a, b] = report.functions.map((f) => f.standard!.durationUsd);
    expect(a! + b!).toBeCloseTo(account, 6);
    expect(a).toBeCloseTo(account / 2, 6);
    const sumTotals = report.functions.reduce((s, f) => s + f.standard!.totalUsd, 0);
    expect(report.totals.standardUsd).toBeCloseTo(sumTotals, 6);
  });
});

describe('free tier', () => {
  const p1 = () => steadyProfile(window, { name: 'one', invocations: 800_000, durationMs: 375, memoryMB: 1024 }); // 300,000 GB-s
  const p2 = () => steadyProfile(window, { name: 'two', invocations: 800_000, durationMs: 375, memoryMB: 1024 });

  it('is one credit per account: two functions each under the allowance get it once', () => {
    // Act
    const report = reportFor([p1(), p2()], window, testConfig());
    // Assess: 1M of 1.6M requests and 400,000 of 600,000 GB-s are free, once.
    const credit = 1_000_000 * 0.0000002 + 400_000 * X86_T1;
    expect(report.totals.freeTierCreditUsd).toBeCloseTo(credit, 9);
    const sum = report.functions.reduce((s, f) => s + f.standard!.totalUsd, 0);
    expect(report.totals.standardUsd).toBeCloseTo(sum - credit, 9);
    // Per-function figures stay before the free tier.
    expect(report.functions[0]!.standard!.durationUsd).toBeCloseTo(300_000 * X86_T1, 9);
  });

  it('never exceeds the usage: a small account gets only what it used', () => {
    const small = steadyProfile(window, { invocations: 1000, durationMs: 100, memoryMB: 1024 });
    const report = reportFor([small], window, testConfig());
    expect(report.totals.standardUsd).toBeCloseTo(0, 12);
    expect(report.totals.freeTierCreditUsd).toBeCloseTo(report.functions[0]!.standard!.totalUsd, 12);
  });

  it('excludes functions with provisioned concurrency', () => {
    // Prepare
    const pc = steadyProfile(window, { name: 'pc', invocations: 800_000, durationMs: 375, memoryMB: 1024, provisionedConcurrency: 1 });
    // Act
    const onlyPc = reportFor([pc], window, testConfig());
    const both = reportFor([p1(), pc], window, testConfig());
    // Assess: only "one" counts (800,000 requests, 300,000 GB-s of on-demand).
    expect(onlyPc.totals.freeTierCreditUsd).toBe(0);
    expect(both.totals.freeTierCreditUsd).toBeCloseTo(800_000 * 0.0000002 + 300_000 * X86_T1, 9);
  });

  it('is valued pro rata at each bucket first-tier price (x86 and arm64 share the allowance)', () => {
    const x86 = steadyProfile(window, { name: 'x', invocations: 800_000, durationMs: 500, memoryMB: 1024 });
    const arm = steadyProfile(window, { name: 'y', invocations: 800_000, durationMs: 500, memoryMB: 1024, architecture: 'arm64' });
    const report = reportFor([x86, arm], window, testConfig());
    // 1.6M requests and 800,000 GB-s used across two buckets; 1M requests and 400,000 GB-s free,
    // once for the account: half of each bucket's GB-s.
    expect(report.totals.freeTierCreditUsd).toBeCloseTo(1_000_000 * 0.0000002 + 200_000 * X86_T1 + 200_000 * ARM_T1, 9);
  });

  it('is off with pricing.freeTier = false', () => {
    expect(reportFor([p1()], window, noFreeTier).totals.freeTierCreditUsd).toBe(0);
  });
});

describe('usage and unknown data', () => {
  it('averages duration by weight and concurrency by Little\'s law', () => {
    // Prepare: two periods of different traffic.
    const w = makeWindow(730, 3600);
    const p = steadyProfile(w, { invocations: 0, durationMs: 0 });
    p.series.invocations[0] = 100;
    p.series.durationMsSum[0] = 100 * 1000;
    p.series.concurrencyMax[0] = 4;
    p.series.invocations[1] = 300;
    p.series.durationMsSum[1] = 300 * 200;
    p.series.concurrencyMax[1] = 2;
    // Act
    const f = reportFor([p], w, testConfig()).functions[0]!;
    // Assess: (100,000 + 60,000) / 400, never (1000 + 200) / 2.
    expect(f.usage.avgDurationMs).toBe(400);
    expect(f.usage.peakConcurrency).toBe(4);
    expect(f.usage.avgConcurrency).toBeCloseTo(160_000 / (730 * 3_600_000), 15);
    expect(f.usage.utilization).toBeCloseTo(160_000 / (730 * 3_600_000) / 4, 15);
  });

  it('extrapolates unknown periods from the known ones and warns with the share unknown', () => {
    // Prepare: 10 % of the periods unknown.
    const full = steadyProfile(window, { invocations: 730_000, durationMs: 100 });
    const holes = steadyProfile(window, { invocations: 730_000, durationMs: 100 });
    for (let i = 0; i < 73; i++) holes.series.invocations[i * 10] = null;
    // Act
    const a = reportFor([full], window, testConfig()).functions[0]!;
    const report = reportFor([holes], window, testConfig());
    const b = report.functions[0]!;
    // Assess
    expect(b.usage.unknownPeriods).toBe(73);
    expect(b.usage.invocations).toBe(657_000);
    expect(b.standard!.totalUsd).toBeCloseTo(a.standard!.totalUsd, 9);
    const warning = report.warnings.find((w) => w.code === 'partial-data');
    expect(warning?.function).toBe('fn');
    expect(warning?.message).toContain('10.0 %');
    expect(b.recommendation).not.toBe('insufficient-data');
  });

  it('more than 20 % unknown gives insufficient-data', () => {
    const holes = steadyProfile(window, { invocations: 730_000, durationMs: 100 });
    for (let i = 0; i < 150; i++) holes.series.concurrencyMax[i] = null;
    const f = reportFor([holes], window, testConfig()).functions[0]!;
    expect(f.recommendation).toBe('insufficient-data');
    expect(f.reasons.join(' ')).toContain('20.5 %');
  });

  it('a region without prices gives null money, a no-prices warning, and no dollar in the totals', () => {
    // Prepare
    const priced = steadyProfile(window, { name: 'priced', invocations: 3_000_000, durationMs: 120, memoryMB: 1536 });
    const unpriced = steadyProfile(window, { name: 'lost', region: 'ap-nowhere-1', invocations: 3_000_000, durationMs: 120 });
    // Act
    const report = reportFor([priced, unpriced], window, testConfig());
    const alone = reportFor([priced], window, testConfig());
    // Assess
    const lost = report.functions.find((f) => f.name === 'lost')!;
    expect(lost.standard).toBeNull();
    expect(lost.lmi).toBeNull();
    expect(lost.savingsUsd).toBeNull();
    expect(lost.recommendation).toBe('insufficient-data');
    expect(report.warnings.some((w) => w.code === 'no-prices' && w.function === 'lost')).toBe(true);
    expect(report.totals.unpricedFunctions).toBe(1);
    expect(report.totals.standardUsd).toBe(alone.totals.standardUsd);
    expect(report.prices.missingRegions).toEqual(['ap-nowhere-1']);
    expect(report.functions.at(-1)!.name).toBe('lost'); // null savings sort last
  });

  it('the rounding knob adds ms per invocation to billed duration', () => {
    const p = steadyProfile(window, { invocations: 1_000_000, durationMs: 10, memoryMB: 1024 });
    const none = reportFor([p], window, noFreeTier).functions[0]!;
    const half = reportFor([p], window, testConfig((c) => { c.pricing.freeTier = false; c.billing.roundingMsPerInvocation = 0.5; })).functions[0]!;
    expect(none.usage.gbSeconds).toBeCloseTo(10_000, 9);
    expect(half.usage.gbSeconds).toBeCloseTo(10_500, 9);
    expect(cents(half.standard!.durationUsd)).toBe(cents(10_500 * X86_T1));
  });
});

describe("per-period billing (shared by summarize.ts and the bill's daily model)", () => {
  it('billed ms = Duration sum + invocations x round-up', () => {
    expect(periodBilledMs(10_000, 100, 0.5)).toBe(10_050);
    expect(periodBilledMs(10_000, 100, 0)).toBe(10_000);
  });

  it('PC serves min(1, PC / peak concurrency) of a period; all of it when no concurrency was recorded', () => {
    expect(periodPcShare(2, 4)).toBe(0.5);
    expect(periodPcShare(5, 4)).toBe(1);
    expect(periodPcShare(2, 0)).toBe(1);
  });
});
