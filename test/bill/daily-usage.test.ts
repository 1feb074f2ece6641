import { describe, expect, it } from 'vitest';
import { modelledDays, utcDay, wholeDays } from '../../src/bill/daily-usage.js';
import { defaultConfig } from '../../src/config/schema.js';
import { monthScale } from '../../src/model/month.js';
import { summarizeFunction } from '../../src/model/summarize.js';
import type { FunctionProfile, SnapshotWindow } from '../../src/source/profile.js';

const WINDOW: SnapshotWindow = { start: '2026-11-19T12:00:00Z', end: '2026-11-21T12:00:00Z', periodSeconds: 3600 };

function profile(patch: Partial<FunctionProfile> = {}): FunctionProfile {
  const n = 48;
  return {
    region: 'us-east-1', name: 'f', runtime: 'nodejs22.x', architecture: 'x86_64', memoryMB: 2048, timeoutSeconds: 30,
    ephemeralStorageMB: 1536, provisionedConcurrency: 0, tags: {},
    series: { invocations: Array(n).fill(100), durationMsSum: Array(n).fill(10_000), concurrencyMax: Array(n).fill(4) },
    ...patch,
  };
}

describe('modelledDays', () => {
  it('keeps only whole UTC days and bills them with the formulas of the model', () => {
    expect(wholeDays(WINDOW)).toEqual(['2026-11-20']);
    expect(utcDay(Date.parse('2026-11-20T23:59:59Z'))).toBe('2026-11-20');
    const f = modelledDays(profile(), WINDOW, defaultConfig());
    expect(f.days).toHaveLength(1);
    const [day] = f.days;
    // 24 h x 100 invocations; (24 x 10,000 ms + 2,400 x 0.5 ms) / 1000 x 2 GB.
    expect(day).toEqual({
      day: '2026-11-20',
      requests: 2400,
      onDemandGbSeconds: ((240_000 + 1200) / 1000) * 2,
      pcDurationGbSeconds: 0,
      pcGbSeconds: 0,
      // (1536 - 512) MB = 1 GB x billed seconds.
      storageGbSeconds: (240_000 + 1200) / 1000,
    });
  });

  it('splits duration onto PC as summarize.ts does (min(1, PC / peak)) and bills PC all day', () => {
    const f = modelledDays(profile({ provisionedConcurrency: 2 }), WINDOW, defaultConfig());
    const day = f.days[0]!;
    const billed = ((240_000 + 1200) / 1000) * 2;
    expect(day.pcDurationGbSeconds).toBeCloseTo(billed / 2, 9);
    expect(day.onDemandGbSeconds).toBeCloseTo(billed / 2, 9);
    expect(day.pcGbSeconds).toBe(2 * 2 * 86_400);
  });

  it('a day with an unknown period is unknown (null), never 0; unknown PC leaves PC unknown', () => {
    const p = profile({ provisionedConcurrency: null });
    p.series.concurrencyMax[20] = null; // 2026-11-20T08:00
    const day = modelledDays(p, WINDOW, defaultConfig()).days[0]!;
    expect(day.requests).toBeNull();
    expect(day.onDemandGbSeconds).toBeNull();
    expect(day.pcGbSeconds).toBeNull();
  });

  it('over whole days, the days add up to what summarize.ts bills for the window (one set of formulas)', () => {
    // Whole-day window, varying traffic and a PC that serves part of the peaks.
    const window: SnapshotWindow = { start: '2026-11-19T00:00:00Z', end: '2026-11-22T00:00:00Z', periodSeconds: 3600 };
    const n = 72;
    const p = profile({
      provisionedConcurrency: 3,
      series: {
        invocations: Array.from({ length: n }, (_, i) => 50 + (i % 7) * 13),
        durationMsSum: Array.from({ length: n }, (_, i) => 7_000 + (i % 5) * 1_111.5),
        concurrencyMax: Array.from({ length: n }, (_, i) => 1 + (i % 6)),
      },
    });
    const config = defaultConfig();
    const days = modelledDays(p, window, config).days;
    expect(days).toHaveLength(3);
    const sum = (k: 'requests' | 'onDemandGbSeconds' | 'pcDurationGbSeconds' | 'pcGbSeconds' | 'storageGbSeconds') =>
      days.reduce((a, d) => a + d[k]!, 0);
    const monthly = summarizeFunction(p, { window, prices: undefined, config }).monthly!;
    const scale = monthScale(window);
    expect(sum('requests') * scale).toBeCloseTo(monthly.requests, 6);
    expect(sum('onDemandGbSeconds') * scale).toBeCloseTo(monthly.onDemandGbSeconds, 6);
    expect(sum('pcDurationGbSeconds') * scale).toBeCloseTo(monthly.pcDurationGbSeconds, 6);
    expect(sum('pcGbSeconds') * scale).toBeCloseTo(monthly.pcGbSeconds, 6);
    expect(sum('storageGbSeconds') * scale).toBeCloseTo(monthly.ephemeralGbSeconds, 6);
  });
});
