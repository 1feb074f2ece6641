/**
 * The pricing page's worked examples (https://aws.amazon.com/lambda/pricing/, US East, copied in
 * /work/shared/reference/lmi-and-pricing.md section 3) and the seed's "$0.06 per busy hour",
 * reproduced to the cent through the CLI's path (summarizeFunction + buildReport) over a
 * 730-hour window, so the window is exactly the page's month.
 */
import { describe, expect, it } from 'vitest';
import { freeTierCreditUsd } from '../../src/model/free-tier.js';
import {
  billedGbSeconds,
  provisionedConcurrencyGbSeconds,
  provisionedConcurrencyUsd,
  requestsUsd,
  tieredDurationUsd,
} from '../../src/model/standard.js';
import { cents, makeWindow, reportFor, steadyProfile, testConfig, testPriceBook } from './helpers.js';

const window = makeWindow(730, 3600);

describe('pricing page: ephemeral storage examples', () => {
  it('ex. 1 mobile backend: 3M requests, 120 ms, 1536 MB, free tier on = $2.73', () => {
    // Prepare
    const profile = steadyProfile(window, { invocations: 3_000_000, durationMs: 120, memoryMB: 1536 });
    // Act
    const report = reportFor([profile], window, testConfig());
    // Assess: per-function figures are before the free tier; the account total after it.
    const f = report.functions[0]!;
    expect(cents(f.standard!.requestsUsd)).toBe(0.6);
    expect(cents(f.standard!.durationUsd)).toBe(9); // 540,000 GB-s x $0.0000166667
    expect(cents(report.totals.standardUsd)).toBe(2.73);
    expect(cents(f.standard!.durationUsd - (report.totals.freeTierCreditUsd - 0.2))).toBe(2.33);
  });

  it('ex. 2 streaming telemetry: 7.44M requests, 2 s, 1024 MB, no free tier = $249.49', () => {
    const profile = steadyProfile(window, { invocations: 7_440_000, durationMs: 2000, memoryMB: 1024 });
    const report = reportFor([profile], window, testConfig((c) => (c.pricing.freeTier = false)));
    const f = report.functions[0]!;
    expect(cents(f.standard!.requestsUsd)).toBe(1.49);
    expect(cents(f.standard!.durationUsd)).toBe(248);
    expect(cents(f.standard!.totalUsd)).toBe(249.49);
    expect(report.totals.freeTierCreditUsd).toBe(0);
    expect(cents(report.totals.standardUsd)).toBe(249.49);
  });

  it('ex. 3 BERT NLP: 6M requests, 280 ms, 4096 MB, 2048 MB ephemeral, free tier on = $106.41', () => {
    const profile = steadyProfile(window, {
      invocations: 6_000_000,
      durationMs: 280,
      memoryMB: 4096,
      ephemeralStorageMB: 2048,
    });
    const report = reportFor([profile], window, testConfig());
    const f = report.functions[0]!;
    expect(cents(f.standard!.ephemeralStorageUsd)).toBe(0.08); // 2,520,000 GB-s x $0.0000000309
    expect(cents(report.totals.standardUsd)).toBe(106.41);
  });
});

describe('pricing page: provisioned concurrency examples', () => {
  it('PC ex. 2 Cyber Monday: PC 7, 2M requests in 24 h, 280 ms, 4096 MB = $32.26 for the day', () => {
    // Prepare: the page's 24 hours as the window; everything runs within PC (peak <= 7).
    const day = makeWindow(24, 3600);
    const profile = steadyProfile(day, {
      invocations: 2_000_000,
      durationMs: 280,
      memoryMB: 4096,
      provisionedConcurrency: 7,
    });
    // Act
    const report = reportFor([profile], day, testConfig());
    // Assess: the report is per 730-h month; the page's bill covers the 24 h only.
    const f = report.functions[0]!;
    const perDay = 24 / 730;
    expect(f.standard!.durationUsd).toBe(0); // no on-demand duration: all ran on PC
    expect(report.totals.freeTierCreditUsd).toBe(0); // the free tier does not apply to PC
    expect(cents(f.standard!.requestsUsd * perDay)).toBe(0.4);
    expect(cents(f.standard!.totalUsd * perDay)).toBe(32.26);
  });

  it('PC ex. 2 configured PC is billed for the whole month when the window is a month', () => {
    // The snapshot holds one PC figure: ASSUMPTION it stood all window, i.e. 7 x 4 GB x 730 h.
    const profile = steadyProfile(window, { invocations: 1000, durationMs: 100, memoryMB: 4096, provisionedConcurrency: 7 });
    const report = reportFor([profile], window, testConfig());
    const pcOnly = 7 * 4 * 730 * 3600 * 0.0000041667;
    const pcDuration = 1000 * 0.1 * 4 * 0.0000097222;
    expect(report.functions[0]!.standard!.provisionedConcurrencyUsd).toBeCloseTo(pcOnly + pcDuration, 9);
  });

  it('PC ex. 1 app launch: formulas with the page inputs = $19.96 (PC for 8 h only)', () => {
    // A snapshot holds one PC figure for the whole window, so "PC = 100 for 8 of 730 hours" cannot
    // be expressed as a profile: the formula functions are checked with the page's inputs.
    // Note: the page subtracts the free tier here although it says the free tier does not apply
    // to PC functions; the model follows the statement (freeTierEligible = false), so this test
    // applies the credit function explicitly to reproduce the page.
    const prices = testPriceBook().regions['us-east-1']!.lambda!;
    const pcGbSeconds = provisionedConcurrencyGbSeconds(100, 1536, 8 * 3600);
    const pcDurationGbSeconds = billedGbSeconds(500_000 * 100, 500_000, 0, 1536);
    const onDemandGbSeconds = billedGbSeconds(2_500_000 * 120, 2_500_000, 0, 1536);
    expect(pcGbSeconds).toBe(4_320_000);
    expect(pcDurationGbSeconds).toBe(75_000);
    expect(onDemandGbSeconds).toBe(450_000);

    const pcUsd = provisionedConcurrencyUsd({ pcGbSeconds, pcDurationGbSeconds }, prices, 'x86_64', 0);
    const gross =
      pcUsd + requestsUsd(3_000_000, prices, 'x86_64') + tieredDurationUsd(onDemandGbSeconds, prices.durationTiers.x86_64);
    const credit = freeTierCreditUsd([
      {
        requests: 3_000_000,
        requestUsd: prices.requestUsd.x86_64,
        gbSeconds: onDemandGbSeconds,
        firstTierUsdPerGbSecond: prices.durationTiers.x86_64[0]!.usdPerGbSecond,
      },
    ]);
    expect(cents(pcUsd)).toBe(18.73); // $18 + $0.73
    expect(cents(gross - credit)).toBe(19.96);
  });

  it('the Savings Plan discount reduces PC and PC-duration, never requests', () => {
    const prices = testPriceBook().regions['us-east-1']!.lambda!;
    const q = { pcGbSeconds: 2_419_200, pcDurationGbSeconds: 2_240_000 };
    const full = provisionedConcurrencyUsd(q, prices, 'x86_64', 0);
    expect(provisionedConcurrencyUsd(q, prices, 'x86_64', 0.17)).toBeCloseTo(full * 0.83, 9);

    const profile = steadyProfile(window, { invocations: 3_000_000, durationMs: 120, memoryMB: 1536 });
    const plain = reportFor([profile], window, testConfig()).functions[0]!.standard!;
    const sp = reportFor([profile], window, testConfig((c) => (c.pricing.lambdaDiscount = 0.17))).functions[0]!.standard!;
    expect(sp.requestsUsd).toBe(plain.requestsUsd);
    expect(sp.durationUsd).toBeCloseTo(plain.durationUsd * 0.83, 9);
  });
});

describe("seed 000: busy time on Lambda vs instance time", () => {
  it('a fully busy 1 GB x86 function costs $0.06 per hour of duration, ~6x m7g.xlarge per GiB-hour', () => {
    // Prepare: one environment busy the whole hour, every hour (3,600 one-second invocations).
    const profile = steadyProfile(window, { invocations: 3600 * 730, durationMs: 1000, memoryMB: 1024, concurrencyMax: 1 });
    // Act
    const report = reportFor([profile], window, testConfig((c) => (c.pricing.freeTier = false)));
    // Assess
    const f = report.functions[0]!;
    const perBusyHour = f.standard!.durationUsd / 730;
    expect(cents(perBusyHour)).toBe(0.06);
    expect(f.usage.utilization).toBe(1);
    const m7g = testPriceBook().regions['us-east-1']!.instances.find((i) => i.instanceType === 'm7g.xlarge')!;
    expect(m7g.onDemandUsdPerHour).toBe(0.1632);
    expect(m7g.memoryGiB).toBe(16);
    const instancePerGiBHour = m7g.onDemandUsdPerHour / m7g.memoryGiB; // $0.0102
    expect(perBusyHour / instancePerGiBHour).toBeGreaterThan(5.8);
    expect(perBusyHour / instancePerGiBHour).toBeLessThan(5.9);
  });
});
