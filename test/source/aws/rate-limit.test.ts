import fc from 'fast-check';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createRateLimiter } from '../../../src/source/aws/rate-limit.js';

describe('createRateLimiter', () => {
  beforeEach(() => {
    vi.useFakeTimers();
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it('starts at most callsPerSecond calls per second, even when each call returns at once', async () => {
    // Prepare
    const limit = createRateLimiter({ callsPerSecond: 10, concurrency: 100 }, () => Date.now());
    const started: number[] = [];
    const t0 = Date.now();
    // Act
    const all = Promise.all(Array.from({ length: 25 }, () => limit(async () => void started.push(Date.now() - t0))));
    await vi.advanceTimersByTimeAsync(1000);
    const inFirstSecond = started.filter((t) => t < 1000).length;
    await vi.advanceTimersByTimeAsync(5000);
    await all;
    // Assess
    expect(inFirstSecond).toBe(10);
    expect(started).toHaveLength(25);
    for (let i = 1; i < started.length; i++) expect(started[i]! - started[i - 1]!).toBeGreaterThanOrEqual(100);
  });

  it('bounds calls in flight by concurrency', async () => {
    // Prepare
    const limit = createRateLimiter({ callsPerSecond: 1e6, concurrency: 3 }, () => Date.now());
    let inFlight = 0;
    let peak = 0;
    const task = () =>
      limit(async () => {
        inFlight++;
        peak = Math.max(peak, inFlight);
        await new Promise((r) => setTimeout(r, 50));
        inFlight--;
      });
    // Act
    const all = Promise.all(Array.from({ length: 10 }, task));
    await vi.advanceTimersByTimeAsync(1000);
    await all;
    // Assess
    expect(peak).toBe(3);
  });

  /** The largest weight started in any rolling window of `windowMs` (starts in (t - windowMs, t]). */
  function peakWindowWeight(starts: { at: number; weight: number }[], windowMs = 1000): number {
    let peak = 0;
    for (const s of starts) {
      const sum = starts.filter((o) => o.at > s.at - windowMs && o.at <= s.at).reduce((a, o) => a + o.weight, 0);
      peak = Math.max(peak, sum);
    }
    return peak;
  }

  it('never starts more than weightPerSecond of weight in any rolling second (100,800-point calls: 3 a second)', async () => {
    // Prepare: virtual spacing (100,800 / 396,000 s = 255 ms) would start 4 within 764 ms = 403,200 points
    const limit = createRateLimiter({ callsPerSecond: 1e6, concurrency: 100, weightPerSecond: 396_000 }, () => Date.now());
    const starts: { at: number; weight: number }[] = [];
    const t0 = Date.now();
    // Act
    const all = Promise.all(Array.from({ length: 12 }, () => limit(async () => void starts.push({ at: Date.now(), weight: 100_800 }), 100_800)));
    await vi.advanceTimersByTimeAsync(11_000);
    const inFirstSecond = starts.filter((s) => s.at - t0 < 1000).length;
    await all;
    // Assess
    expect(inFirstSecond).toBe(3);
    expect(starts).toHaveLength(12);
    expect(peakWindowWeight(starts)).toBe(302_400);
  });

  it('keeps the quota rate with calls sized to it: 4 calls of 97,920 points in every rolling second', async () => {
    // Prepare: pointsPerCallFor(396,000) = 99,000 -> 68 one-day series of 1,440 points a call
    const weight = 68 * 1440;
    const limit = createRateLimiter({ callsPerSecond: 46, concurrency: 64, weightPerSecond: 396_000 }, () => Date.now());
    const starts: { at: number; weight: number }[] = [];
    const t0 = Date.now();
    // Act
    const all = Promise.all(Array.from({ length: 40 }, () => limit(async () => void starts.push({ at: Date.now(), weight }), weight)));
    await vi.advanceTimersByTimeAsync(20_000);
    await all;
    // Assess: 40 calls = 10 rolling seconds; the last starts at 9 s (+ 3 call spacings), the quota never exceeded
    expect(starts.at(-1)!.at - t0).toBeLessThan(9100);
    expect(peakWindowWeight(starts)).toBe(4 * weight);
    expect(4 * weight).toBeLessThanOrEqual(396_000);
  });

  it('holds the budget over weightWindowMs when given (room for the start-to-arrival time)', async () => {
    const limit = createRateLimiter({ callsPerSecond: 1e6, concurrency: 10, weightPerSecond: 180_000, weightWindowMs: 1050 }, () => Date.now());
    const starts: { at: number; weight: number }[] = [];
    const t0 = Date.now();
    const all = Promise.all(Array.from({ length: 6 }, () => limit(async () => void starts.push({ at: Date.now() - t0, weight: 90_000 }), 90_000)));
    await vi.advanceTimersByTimeAsync(5000);
    await all;
    expect(starts.map((s) => Math.floor(s.at / 1050))).toEqual([0, 0, 1, 1, 2, 2]);
    expect(peakWindowWeight(starts, 1050)).toBe(180_000);
    expect(() => createRateLimiter({ callsPerSecond: 1, concurrency: 1, weightWindowMs: 999 })).toThrow(RangeError);
  });

  it('property: whatever the weights and however late the timers fire, no rolling second exceeds the quota', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.integer({ min: 1, max: 100_800 }), { minLength: 1, maxLength: 30 }),
        fc.array(fc.tuple(fc.integer({ min: 0, max: 8000 }), fc.integer({ min: 1, max: 900 })), { maxLength: 6 }),
        async (weights, stalls) => {
          // The event loop is stuck during each stall [from, from + ms): every timer due then runs
          // at its end, which is what the injected clock reads throughout it.
          const t0 = Date.now();
          const clock = () => {
            const t = Date.now() - t0;
            const stall = stalls.find(([from, ms]) => t >= from && t < from + ms);
            return stall ? stall[0] + stall[1] : t;
          };
          const limit = createRateLimiter({ callsPerSecond: 46, concurrency: 64, weightPerSecond: 396_000 }, clock);
          const starts: { at: number; weight: number }[] = [];
          const all = Promise.all(weights.map((w) => limit(async () => void starts.push({ at: clock(), weight: w }), w)));
          await vi.advanceTimersByTimeAsync(60_000);
          await all;
          expect(starts).toHaveLength(weights.length);
          expect(peakWindowWeight(starts)).toBeLessThanOrEqual(396_000);
        },
      ),
      { numRuns: 60 },
    );
  });

  it('starts at most callsPerSecond calls in any 1000 ms even when timers fire late (a busy event loop)', async () => {
    // Prepare: from 150 ms to 850 ms the event loop is stuck: every timer due then runs at 850 ms
    const t0 = Date.now();
    const clock = () => {
      const t = Date.now() - t0;
      return t >= 150 && t < 850 ? 850 : t;
    };
    const limit = createRateLimiter({ callsPerSecond: 10, concurrency: 100 }, clock);
    const started: number[] = [];
    // Act
    const all = Promise.all(Array.from({ length: 30 }, () => limit(async () => void started.push(clock()))));
    await vi.advanceTimersByTimeAsync(10_000);
    await all;
    // Assess: the late calls start together, but never more than 10 in a rolling second
    expect(started).toHaveLength(30);
    expect(started.filter((t) => t === 850).length).toBeGreaterThan(1);
    for (let i = 10; i < started.length; i++) expect(started[i]! - started[i - 10]!).toBeGreaterThanOrEqual(1000);
  });
});
