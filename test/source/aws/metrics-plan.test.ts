import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { periodCount } from '../../../src/source/profile.js';
import {
  MAX_DATAPOINTS_PER_CALL,
  MAX_QUERIES_PER_CALL,
  OPTIONAL_METRICS,
  REQUIRED_METRICS,
  createCallPacker,
  minimumCalls,
  planCalls,
  pointsPerCallFor,
  queriesPerCall,
  planWindow,
  readablePeriods,
  readabilityWarnings,
} from '../../../src/source/aws/metrics-plan.js';
import { UserInputError } from '../../../src/errors.js';

const NOW = new Date('2026-11-21T03:17:42.123Z');

/** The lower bound each limit alone imposes on whole queries. */
function lowerBound(queries: number, points: number): number {
  return Math.max(Math.ceil(queries / MAX_QUERIES_PER_CALL), Math.ceil(queries / Math.floor(MAX_DATAPOINTS_PER_CALL / points)));
}

describe('pointsPerCallFor', () => {
  it('sizes calls so that whole calls fill a rolling-second points quota', () => {
    expect(pointsPerCallFor(396_000)).toBe(99_000); // 4 a second, not 3 of 100,800
    expect(pointsPerCallFor(180_000)).toBe(90_000); // 2 a second
    expect(pointsPerCallFor(undefined)).toBe(100_800);
    expect(queriesPerCall(1440, pointsPerCallFor(396_000))).toBe(68); // 97,920 points
    expect(queriesPerCall(1440)).toBe(70);
    expect(minimumCalls(30_000, 1440, 99_000)).toBe(442);
  });
});

describe('planWindow', () => {
  it('aligns a 14-day window to the minute, ends at or before now, and keeps 1-minute data', () => {
    // Act
    const w = planWindow(NOW, 14);
    // Assess
    expect(w.periodSeconds).toBe(60);
    expect(Date.parse(w.end) % 60_000).toBe(0);
    expect(Date.parse(w.start) % 60_000).toBe(0);
    expect(Date.parse(w.end)).toBeLessThanOrEqual(NOW.getTime());
    expect(NOW.getTime() - Date.parse(w.end)).toBeLessThan(60_000);
    expect(periodCount(w)).toBe(14 * 1440);
  });

  it('picks the period CloudWatch retention allows for the age of the start', () => {
    expect(planWindow(NOW, 15).periodSeconds).toBe(300); // start older than 15 days
    expect(planWindow(NOW, 62).periodSeconds).toBe(300);
    expect(planWindow(NOW, 63).periodSeconds).toBe(3600);
    expect(planWindow(NOW, 400).periodSeconds).toBe(3600);
  });

  it('accepts a coarser resolution; a finer one than kept leaves the expired part unknown', () => {
    expect(planWindow(NOW, 14, 3600).periodSeconds).toBe(3600);
    expect(Date.parse(planWindow(NOW, 14, 3600).end) % 3_600_000).toBe(0);
    // 30 days at 60 s: the first 15 days are past what CloudWatch keeps at 60 s (a clock on
    // the minute, so the window ends at it).
    const clock = new Date('2026-11-21T03:17:00Z');
    const w = planWindow(clock, 30, 60);
    const r = readablePeriods(w, clock);
    expect(r.expired).toBe(15 * 1440 + 1); // the period starting exactly 15 days back is gone too
    expect(r).toMatchObject({ from: 15 * 1440 + 1, to: 30 * 1440, notEnded: 0 });
    expect(() => planWindow(NOW, 456)).toThrow(/455 days/);
    expect(() => planWindow(NOW, 0)).toThrow(/--days/);
  });
});

describe('planWindow and readablePeriods against the real clock (issue 8 item 2)', () => {
  const DAY = 86_400_000;
  // A clock just after the hour: windows ending at it are aligned for every period.
  const NOW = new Date('2026-11-21T03:00:30Z');
  const ago = (days: number) => new Date(NOW.getTime() - days * DAY);

  it('counts retention from the clock, not from --now: a window 20 days back gets 5-minute data', () => {
    // Before the fix: 60 s (the window looked 14 days old), which CloudWatch answers with no data = zeros.
    const w = planWindow(ago(20), 14, 'auto', NOW);
    expect(w.periodSeconds).toBe(300);
    expect(readablePeriods(w, NOW)).toEqual({ from: 0, to: 14 * 288, expired: 0, notEnded: 0 });
  });

  it('a window partly past even hourly retention: hourly, the expired part unknown', () => {
    const w = planWindow(ago(10), 455, 'auto', NOW);
    expect(w.periodSeconds).toBe(3600);
    const r = readablePeriods(w, NOW);
    expect(r.expired).toBe(10 * 24 + 1);
    expect(r.from + (r.to - r.from) + r.notEnded).toBe(455 * 24);
    const warnings = readabilityWarnings(w, r, NOW);
    expect(warnings).toEqual([expect.objectContaining({ code: 'periods-expired' })]);
    expect(warnings[0]!.message).toContain('241 of 10920 periods');
    expect(warnings[0]!.message).toContain('3600-second Lambda metrics 455 days');
  });

  it('an explicit resolution partly past its retention: the expired periods are unknown with a warning', () => {
    const w = planWindow(ago(10), 14, 60, NOW);
    const r = readablePeriods(w, NOW);
    // The window starts 24 days back; 60-second data is kept 15: 9 days unknown.
    expect(r.expired).toBe(9 * 1440 + 1);
    expect(readabilityWarnings(w, r, NOW).map((x) => x.code)).toEqual(['periods-expired']);
  });

  it('periods that have not ended at the clock are unknown (a --now a few minutes ahead)', () => {
    const now = new Date(NOW.getTime() + 3 * 60_000);
    const w = planWindow(now, 1, 60, NOW);
    const r = readablePeriods(w, NOW);
    expect(r.notEnded).toBe(3);
    expect(r.to).toBe(1440 - 3);
    expect(readabilityWarnings(w, r, NOW).map((x) => x.code)).toEqual(['periods-not-ended']);
    // Hourly: the hour holding the clock has not ended either.
    const hourly = readablePeriods(planWindow(new Date('2026-11-21T04:01:00Z'), 1, 3600, NOW), NOW);
    expect(hourly.notEnded).toBe(1);
  });

  it('a window nothing of which CloudWatch keeps is exit 2 naming the flag', () => {
    expect(() => planWindow(ago(20), 1, 60, NOW)).toThrow(UserInputError);
    expect(() => planWindow(ago(20), 1, 60, NOW)).toThrow(/^--resolution 60: .*use 300 or coarser/);
    expect(() => planWindow(ago(500), 14, 'auto', NOW)).toThrow(/^--now .* --days 14: .*none of it can be read/);
  });

  it('with the clock equal to --now (the default) the whole window is readable', () => {
    for (const days of [1, 14, 15, 62, 63, 454]) {
      const w = planWindow(NOW, days);
      expect(readablePeriods(w, NOW)).toMatchObject({ expired: 0, notEnded: 0 });
    }
  });
});

describe('planCalls', () => {
  const cases = [1, 499, 500, 501, 5000];
  const setups = [
    { label: '14 d at 60 s, 3 metrics', days: 14, resolution: 'auto' as const, metrics: REQUIRED_METRICS },
    { label: '14 d at 60 s, 6 metrics', days: 14, resolution: 'auto' as const, metrics: [...REQUIRED_METRICS, ...OPTIONAL_METRICS] },
    { label: '14 d at 3600 s, 3 metrics', days: 14, resolution: 3600 as const, metrics: REQUIRED_METRICS },
    { label: '1 d at 3600 s, 3 metrics (500-query limit binds)', days: 1, resolution: 3600 as const, metrics: REQUIRED_METRICS },
  ];
  for (const setup of setups) {
    for (const functions of cases) {
      it(`${setup.label}: ${functions} functions take the minimum number of calls`, () => {
        // Prepare
        const points = periodCount(planWindow(NOW, setup.days, setup.resolution));
        const queries = functions * setup.metrics.length;
        // Act
        const calls = planCalls(functions, setup.metrics, points);
        // Assess
        expect(calls.length).toBe(lowerBound(queries, points));
        expect(calls.length).toBe(minimumCalls(queries, points));
        for (const call of calls) {
          expect(call.queries.length).toBeLessThanOrEqual(MAX_QUERIES_PER_CALL);
          expect(call.queries.length * points).toBeLessThanOrEqual(MAX_DATAPOINTS_PER_CALL);
          expect(call.dataPoints).toBe(call.queries.length * points);
        }
      });
    }
  }

  it('asks for every (function, metric) exactly once, with valid unique ids per call', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 700 }), fc.integer({ min: 1, max: 30_000 }), (functions, points) => {
        const calls = planCalls(functions, REQUIRED_METRICS, points);
        const seen = new Set<string>();
        for (const call of calls) {
          const ids = call.queries.map((q) => q.id);
          expect(new Set(ids).size).toBe(ids.length);
          for (const q of call.queries) {
            expect(q.id).toMatch(/^[a-z][A-Za-z0-9_]*$/);
            const key = `${q.fn}/${q.metric.key}`;
            expect(seen.has(key)).toBe(false);
            seen.add(key);
          }
        }
        expect(seen.size).toBe(functions * REQUIRED_METRICS.length);
        expect(calls.length).toBe(lowerBound(functions * REQUIRED_METRICS.length, points));
      }),
      { numRuns: 200 },
    );
  });

  it('refuses a series longer than one call can carry', () => {
    expect(() => planCalls(1, REQUIRED_METRICS, MAX_DATAPOINTS_PER_CALL + 1)).toThrow(RangeError);
  });
});

describe('createCallPacker', () => {
  it('cuts exactly the calls of planCalls however the functions arrive (pipelined discovery)', () => {
    fc.assert(
      fc.property(
        fc.array(fc.integer({ min: 0, max: 120 }), { minLength: 0, maxLength: 12 }),
        fc.constantFrom(1440, 2880, 20_160, 336, 24),
        fc.boolean(),
        (batches, points, optional) => {
          // Prepare: the functions arrive in batches (e.g. ListFunctions pages, some empty)
          const metrics = optional ? [...REQUIRED_METRICS, ...OPTIONAL_METRICS] : REQUIRED_METRICS;
          const total = batches.reduce((a, b) => a + b, 0);
          const packer = createCallPacker(metrics, points);
          // Act
          const calls = [];
          let fn = 0;
          for (const size of batches) for (let i = 0; i < size; i++) calls.push(...packer.add(fn++));
          calls.push(...packer.finish());
          // Assess
          expect(calls).toEqual(planCalls(total, metrics, points));
          expect(calls.length).toBe(total === 0 ? 0 : minimumCalls(total * metrics.length, points));
        },
      ),
      { numRuns: 200 },
    );
  });
});
