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
  planWindow,
} from '../../../src/source/aws/metrics-plan.js';
import { UserInputError } from '../../../src/errors.js';

const NOW = new Date('2026-11-21T03:17:42.123Z');

/** The lower bound each limit alone imposes on whole queries. */
function lowerBound(queries: number, points: number): number {
  return Math.max(Math.ceil(queries / MAX_QUERIES_PER_CALL), Math.ceil(queries / Math.floor(MAX_DATAPOINTS_PER_CALL / points)));
}

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

  it('accepts a coarser resolution and refuses one CloudWatch no longer keeps', () => {
    expect(planWindow(NOW, 14, 3600).periodSeconds).toBe(3600);
    expect(Date.parse(planWindow(NOW, 14, 3600).end) % 3_600_000).toBe(0);
    expect(() => planWindow(NOW, 30, 60)).toThrow(UserInputError);
    expect(() => planWindow(NOW, 30, 60)).toThrow(/--resolution 60/);
    expect(() => planWindow(NOW, 456)).toThrow(/455 days/);
    expect(() => planWindow(NOW, 0)).toThrow(/--days/);
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
