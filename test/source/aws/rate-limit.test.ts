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

  it('spaces calls by their weight under weightPerSecond (data points per second)', async () => {
    // Prepare: 100,800 points a call at 396,000 points/s -> a call every ~255 ms
    const limit = createRateLimiter({ callsPerSecond: 1e6, concurrency: 100, weightPerSecond: 396_000 }, () => Date.now());
    const started: number[] = [];
    // Act
    const all = Promise.all(Array.from({ length: 8 }, () => limit(async () => void started.push(Date.now()), 100_800)));
    await vi.advanceTimersByTimeAsync(1000);
    const inFirstSecond = started.length;
    await vi.advanceTimersByTimeAsync(5000);
    await all;
    // Assess
    expect(inFirstSecond).toBe(Math.ceil(396_000 / 100_800));
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
