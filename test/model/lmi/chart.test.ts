import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { buildChart, capacityRuns } from '../../../src/model/lmi/chart.js';

function expand(runs: { capacity: Uint32Array; runLengths: Uint32Array }): number[] {
  return Array.from(runs.capacity).flatMap((c, i) => new Array<number>(runs.runLengths[i]!).fill(c));
}

describe('capacityRuns', () => {
  it('is the exact run-length form under the cap', () => {
    const runs = capacityRuns(Uint32Array.of(3, 3, 5, 5, 5, 3), 60);

    expect(Array.from(runs.capacity)).toEqual([3, 5, 3]);
    expect(Array.from(runs.runLengths)).toEqual([2, 3, 1]);
    expect(runs.periodSeconds).toBe(60);
  });

  it('above the cap, merges with max: never below the series, never more runs than the cap (property)', () => {
    fc.assert(
      fc.property(fc.array(fc.nat({ max: 50 }), { minLength: 1, maxLength: 400 }), fc.integer({ min: 1, max: 30 }), (series, maxRuns) => {
        const runs = capacityRuns(Uint32Array.from(series), 300, maxRuns);
        const back = expand(runs);
        expect(back).toHaveLength(series.length);
        expect(runs.capacity.length).toBeLessThanOrEqual(Math.max(maxRuns, 1));
        back.forEach((v, i) => expect(v).toBeGreaterThanOrEqual(series[i]!));
      }),
    );
  });
});

describe('buildChart', () => {
  it('max concurrency, min capacity and throttles per bucket; unknown stays null', () => {
    const periods = 336; // two periods per bucket
    const concurrency = Array.from({ length: periods }, (_, i) => (i < 2 ? null : i % 7));
    const environments = Uint32Array.from({ length: periods }, (_, i) => 3 + (i % 2));
    const throttled = new Uint8Array(periods);
    throttled[5] = 1;

    const chart = buildChart({ start: '2026-11-07T00:00:00.000Z', periodSeconds: 300, concurrency, environments, perEnvironment: 10, throttled });

    expect(chart.bucketSeconds).toBe(600);
    expect(chart.concurrencyMax).toHaveLength(168);
    expect(chart.concurrencyMax[0]).toBeNull();
    expect(chart.concurrencyMax[1]).toBe(Math.max(2 % 7, 3 % 7));
    expect(chart.lmiCapacity.every((v) => v === 30)).toBe(true);
    expect(chart.throttled.flatMap((t, b) => (t ? [b] : []))).toEqual([2]);
  });
});
