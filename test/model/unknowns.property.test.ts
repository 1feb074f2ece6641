/**
 * Issue 8 "guard the classes" for item 1: over random functions with random nulls per required
 * series, a null in one series never turns a figure that does not need it into 0 or null, and no
 * figure is ever non-finite. Each case compares the function with nulls against the same
 * function with that series complete.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { FunctionReport } from '../../src/report/types.js';
import type { FunctionProfile } from '../../src/source/profile.js';
import { makeWindow, periodsOf, reportFor, testConfig, testPriceBook } from './helpers.js';

const window = makeWindow(48, 3600);
const periods = periodsOf(window);
const prices = testPriceBook();
const config = testConfig((c) => (c.billing.roundingMsPerInvocation = 0.5));

const countArb = fc.integer({ min: 0, max: 500_000 });
const profileArb = fc.record({
  invocations: fc.array(countArb, { minLength: periods, maxLength: periods }),
  durationMs: fc.integer({ min: 1, max: 5000 }),
  burst: fc.integer({ min: 1, max: 4 }),
  memoryMB: fc.integer({ min: 128, max: 10_240 }),
  runtime: fc.constantFrom('nodejs22.x', 'python3.13', 'java21'),
  provisionedConcurrency: fc.constantFrom(0, 0, 2),
  region: fc.constantFrom('us-east-1', 'ap-nowhere-1'),
});
/** Which periods of a series are null: none, some, or all. */
const holesArb = fc.oneof(
  fc.constant<boolean[]>(new Array<boolean>(periods).fill(false)),
  fc.array(fc.boolean(), { minLength: periods, maxLength: periods }),
  fc.constant<boolean[]>(new Array<boolean>(periods).fill(true)),
);

type Shape = typeof profileArb extends fc.Arbitrary<infer T> ? T : never;

function profileOf(s: Shape): FunctionProfile {
  const durationMsSum = s.invocations.map((inv) => inv * s.durationMs);
  return {
    region: s.region,
    name: 'fn',
    runtime: s.runtime,
    architecture: 'arm64',
    memoryMB: s.memoryMB,
    timeoutSeconds: 30,
    ephemeralStorageMB: 512,
    provisionedConcurrency: s.provisionedConcurrency,
    tags: {},
    series: {
      invocations: [...s.invocations],
      durationMsSum,
      concurrencyMax: durationMsSum.map((d) => Math.ceil(d / 3_600_000) * s.burst),
    },
  };
}

function withHoles(p: FunctionProfile, key: 'invocations' | 'durationMsSum' | 'concurrencyMax', holes: boolean[]): FunctionProfile {
  const copy = structuredClone(p);
  copy.series[key] = copy.series[key].map((v, i) => (holes[i] ? null : v));
  return copy;
}

function fn(p: FunctionProfile): FunctionReport {
  return reportFor([p], window, config, prices).functions[0]!;
}

function nonFinite(value: unknown, path = ''): string[] {
  if (typeof value === 'number') return Number.isFinite(value) ? [] : [path];
  if (value === null || typeof value !== 'object') return [];
  return Object.entries(value).flatMap(([k, v]) => nonFinite(v, `${path}.${k}`));
}

const anyKnown = (holes: boolean[]) => holes.some((h) => !h);

describe('unknowns of one series never spill into figures that do not need it', () => {
  it('concurrencyMax nulls: invocations, GB-s and (without PC) the standard cost are unchanged', () => {
    fc.assert(
      fc.property(profileArb, holesArb, (s, holes) => {
        const full = fn(profileOf(s));
        const f = fn(withHoles(profileOf(s), 'concurrencyMax', holes));

        expect(f.usage.invocations).toBe(full.usage.invocations);
        expect(f.usage.gbSeconds).toBe(full.usage.gbSeconds);
        expect(f.usage.avgDurationMs).toBe(full.usage.avgDurationMs);
        expect(f.usage.avgConcurrency).toBe(full.usage.avgConcurrency);
        if (s.provisionedConcurrency === 0) expect(f.standard).toEqual(full.standard);
        else if (anyKnown(holes)) expect(f.standard === null).toBe(full.standard === null);
        expect(nonFinite(reportFor([withHoles(profileOf(s), 'concurrencyMax', holes)], window, config, prices))).toEqual([]);
      }),
      { numRuns: 60 },
    );
  });

  it('durationMsSum nulls: invocations and peak concurrency are unchanged; GB-s is known while any duration is', () => {
    fc.assert(
      fc.property(profileArb, holesArb, (s, holes) => {
        const full = fn(profileOf(s));
        const f = fn(withHoles(profileOf(s), 'durationMsSum', holes));

        expect(f.usage.invocations).toBe(full.usage.invocations);
        expect(f.usage.peakConcurrency).toBe(full.usage.peakConcurrency);
        expect(f.usage.gbSeconds === null).toBe(!anyKnown(holes));
        if (anyKnown(holes)) expect(f.standard === null).toBe(full.standard === null);
        expect(nonFinite(f)).toEqual([]);
      }),
      { numRuns: 60 },
    );
  });

  it('invocations nulls: peak and average concurrency are unchanged; invocations are null only when unknown everywhere', () => {
    fc.assert(
      fc.property(profileArb, holesArb, (s, holes) => {
        const full = fn(profileOf(s));
        const f = fn(withHoles(profileOf(s), 'invocations', holes));

        expect(f.usage.peakConcurrency).toBe(full.usage.peakConcurrency);
        expect(f.usage.avgConcurrency).toBe(full.usage.avgConcurrency);
        expect(f.usage.invocations === null).toBe(!anyKnown(holes));
        if (anyKnown(holes)) {
          // Known periods' invocations are kept, never zeroed.
          const kept = s.invocations.reduce((sum, inv, i) => sum + (holes[i] ? 0 : inv), 0);
          expect(f.usage.invocations).toBe(kept);
          expect(f.standard === null).toBe(full.standard === null);
        }
        expect(nonFinite(f)).toEqual([]);
      }),
      { numRuns: 60 },
    );
  });

  it('a standard cost is known exactly when invocations, duration, prices (and for PC > 0 the PC split) are', () => {
    fc.assert(
      fc.property(profileArb, holesArb, holesArb, holesArb, (s, hi, hd, hc) => {
        const p = withHoles(withHoles(withHoles(profileOf(s), 'invocations', hi), 'durationMsSum', hd), 'concurrencyMax', hc);
        const f = fn(p);
        // The PC split needs one period with billed duration where all three series are known
        // (unless nothing is billed at all).
        const inv = s.invocations;
        const measuredSplit = inv.some((n, i) => !hi[i] && !hd[i] && !hc[i] && n > 0);
        const billed = inv.some((n, i) => (!hi[i] || !hd[i]) && n > 0);
        const splitKnown = s.provisionedConcurrency === 0 || measuredSplit || !billed;
        const needed = anyKnown(hi) && anyKnown(hd) && s.region === 'us-east-1' && splitKnown;

        expect(f.standard !== null).toBe(needed);
        if (!needed) {
          // Its first reason says why, truly.
          expect(f.reasons[0]).toMatch(/^Standard Lambda cost is unknown: /);
          if (s.region === 'us-east-1') expect(f.reasons[0]).not.toMatch(/prices/);
        }
        expect(nonFinite(f)).toEqual([]);
      }),
      { numRuns: 150 },
    );
  });
});
