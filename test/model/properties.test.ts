/**
 * Properties of the money model (fast-check), through summarizeFunction + buildReport and, for
 * LMI, sizeLmi itself.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { sizeLmi } from '../../src/model/lmi/index.js';
import { tieredDurationUsd } from '../../src/model/standard.js';
import type { Architecture, FunctionProfile, SnapshotWindow } from '../../src/source/profile.js';
import { makeWindow, periodsOf, reportFor, testConfig, testPriceBook } from './helpers.js';

const window = makeWindow(730, 3600);
const prices = testPriceBook();

interface Shape {
  pattern: number[];
  durationMs: number;
  memoryMB: number;
  architecture: Architecture;
  region: string;
  runtime: string;
  provisionedConcurrency: number;
  ephemeralStorageMB: number;
  burst: number;
}

const shapeArb = (o: { maxInvocations?: number; pc?: boolean } = {}) =>
  fc.record({
    pattern: fc.array(fc.integer({ min: 0, max: o.maxInvocations ?? 200_000 }), { minLength: 1, maxLength: 24 }),
    durationMs: fc.integer({ min: 1, max: 3000 }),
    memoryMB: fc.integer({ min: 128, max: 10_240 }),
    architecture: fc.constantFrom<Architecture>('x86_64', 'arm64'),
    region: fc.constantFrom('us-east-1', 'eu-west-1'),
    runtime: fc.constantFrom('nodejs22.x', 'python3.13', 'java21', 'nodejs20.x', 'dotnet8'),
    provisionedConcurrency: o.pc === false ? fc.constant(0) : fc.integer({ min: 0, max: 5 }),
    ephemeralStorageMB: fc.integer({ min: 512, max: 10_240 }),
    burst: fc.integer({ min: 1, max: 3 }),
  });

/** The pattern repeated over the window; peak concurrency from Little's law x a burst factor. */
function profileOf(s: Shape, name: string, w: SnapshotWindow = window, extra: number[] = []): FunctionProfile {
  const n = periodsOf(w);
  const invocations = Array.from({ length: n }, (_, i) => s.pattern[i % s.pattern.length]! + (extra[i] ?? 0));
  const durationMsSum = invocations.map((inv) => inv * s.durationMs);
  const concurrencyMax = durationMsSum.map((d) => (d > 0 ? Math.ceil(d / (w.periodSeconds * 1000)) * s.burst : 0));
  return {
    region: s.region,
    name,
    runtime: s.runtime,
    architecture: s.architecture,
    memoryMB: s.memoryMB,
    timeoutSeconds: 30,
    ephemeralStorageMB: s.ephemeralStorageMB,
    provisionedConcurrency: s.provisionedConcurrency,
    tags: {},
    series: { invocations, durationMsSum, concurrencyMax },
  };
}

const close = (a: number, b: number) => Math.abs(a - b) <= 1e-9 * Math.max(1, Math.abs(a), Math.abs(b));

describe('money properties', () => {
  it('standard cost never falls when invocations rise', () => {
    fc.assert(
      fc.property(
        shapeArb(),
        fc.integer({ min: 0, max: 729 }),
        fc.integer({ min: 1, max: 500_000 }),
        fc.boolean(),
        (shape, at, added, freeTier) => {
          // Prepare
          const config = testConfig((c) => (c.pricing.freeTier = freeTier));
          const extra: number[] = [];
          extra[at] = added;
          // Act
          const before = reportFor([profileOf(shape, 'f')], window, config, prices);
          const after = reportFor([profileOf(shape, 'f', window, extra)], window, config, prices);
          // Assess
          const b = before.functions[0]!.standard!.totalUsd;
          const a = after.functions[0]!.standard!.totalUsd;
          expect(a).toBeGreaterThanOrEqual(b);
          expect(after.totals.standardUsd).toBeGreaterThanOrEqual(before.totals.standardUsd - 1e-9);
        },
      ),
      { numRuns: 40 },
    );
  });

  it('per-function totals sum to the account totals, and tiers to the bucket aggregate', () => {
    fc.assert(
      fc.property(
        fc.array(shapeArb({ maxInvocations: 20_000_000, pc: false }), { minLength: 1, maxLength: 6 }),
        fc.boolean(),
        (shapes, freeTier) => {
          const config = testConfig((c) => (c.pricing.freeTier = freeTier));
          const report = reportFor(shapes.map((s, i) => profileOf(s, `f${i}`)), window, config, prices);
          const sum = report.functions.reduce((s, f) => s + f.standard!.totalUsd, 0);
          expect(close(report.totals.standardUsd, sum - report.totals.freeTierCreditUsd)).toBe(true);
          // A window of 730 h is one month: usage.gbSeconds is the month's on-demand GB-s.
          for (const region of ['us-east-1', 'eu-west-1']) {
            for (const arch of ['x86_64', 'arm64'] as const) {
              const fns = report.functions.filter((f) => f.region === region && f.architecture === arch);
              const gb = fns.reduce((s, f) => s + f.usage.gbSeconds!, 0);
              const usd = fns.reduce((s, f) => s + f.standard!.durationUsd, 0);
              const tiers = prices.regions[region]!.lambda!.durationTiers[arch];
              expect(close(usd, tieredDurationUsd(gb, tiers))).toBe(true);
            }
          }
          expect(close(report.totals.savingsUsd, report.totals.standardUsd - report.totals.recommendedUsd)).toBe(true);
        },
      ),
      { numRuns: 30 },
    );
  });
});

describe('LMI properties (sizeLmi)', () => {
  const usageOf = (p: FunctionProfile) => {
    const inv = p.series.invocations.reduce<number>((s, x) => s + (x ?? 0), 0);
    const dur = p.series.durationMsSum.reduce<number>((s, x) => s + (x ?? 0), 0);
    return { invocations: inv, avgDurationMs: inv > 0 ? dur / inv : null };
  };

  it('the LMI discount never changes the management fee (and only discounts EC2)', () => {
    fc.assert(
      fc.property(shapeArb(), fc.double({ min: 0.01, max: 0.72, noNaN: true }), (shape, discount) => {
        const p = profileOf(shape, 'f');
        const region = prices.regions[p.region]!;
        const plain = sizeLmi(p, usageOf(p), { window, prices: region, config: testConfig() });
        const disc = sizeLmi(p, usageOf(p), { window, prices: region, config: testConfig((c) => (c.lmi.discount = discount)) });
        expect(plain === null).toBe(disc === null);
        if (!plain || !disc) return;
        expect(close(disc.result.managementFeeUsd, plain.result.managementFeeUsd)).toBe(true);
        expect(close(disc.result.ec2Usd, plain.result.ec2Usd * (1 - discount))).toBe(true);
      }),
      { numRuns: 40 },
    );
  });

  it('LMI never uses fewer than lmi.minInstances instances', () => {
    fc.assert(
      fc.property(shapeArb(), fc.integer({ min: 1, max: 12 }), (shape, minInstances) => {
        const p = profileOf(shape, 'f');
        const config = testConfig((c) => (c.lmi.minInstances = minInstances));
        const sized = sizeLmi(p, usageOf(p), { window, prices: prices.regions[p.region]!, config });
        if (!sized) return;
        expect(sized.result.peakInstances).toBeGreaterThanOrEqual(minInstances);
        expect(sized.result.avgInstances).toBeGreaterThanOrEqual(minInstances - 1e-9);
        expect(sized.result.instanceHours).toBeGreaterThanOrEqual(minInstances * 730 - 1e-6);
      }),
      { numRuns: 40 },
    );
  });
});
