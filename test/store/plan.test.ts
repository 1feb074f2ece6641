import { describe, expect, it } from 'vitest';
import type { DayStatus } from '../../src/store/format.js';
import { assembleSeries, planStoreWindow, windowDates, type PlanInput } from '../../src/store/plan.js';

const NOW = new Date('2026-11-21T03:17:42Z');

function complete(date: string, periodSeconds: 60 | 300 = 60): DayStatus {
  return {
    schema: 'lmi-advisor.store/v2',
    schemaVersion: 2,
    accountId: '123456789012',
    region: 'us-east-1',
    date,
    state: 'complete',
    periodSeconds,
    finestResolution: periodSeconds === 60,
    coveredUntil: `${date}T23:59:59.999Z`,
    metrics: ['invocations', 'durationMsSum', 'concurrencyMax'],
    functions: 2,
    unknownPoints: 0,
    functionsWithUnknown: [],
    writtenAt: NOW.toISOString(),
    writer: 'test',
    objects: { metrics: { key: 'm', bytes: 1, rows: 1 }, functions: { key: 'f', bytes: 1, rows: 1 } },
  };
}

function input(over: Partial<PlanInput> & { stored?: Record<string, DayStatus> }): PlanInput {
  const stored = over.stored ?? {};
  return {
    now: NOW,
    days: 14,
    resolution: 'auto',
    settleMinutes: 30,
    metrics: ['invocations', 'durationMsSum', 'concurrencyMax'],
    status: (d) => stored[d] ?? null,
    storedFunctions: () => new Set(['a', 'b']),
    listed: ['a', 'b'],
    ...over,
  };
}

describe('planStoreWindow', () => {
  it('an empty store: every date of the window is read, newest first, at 60 s', () => {
    const plan = planStoreWindow(input({}));
    expect(plan.window).toEqual({ start: '2026-11-07T03:17:00.000Z', end: '2026-11-21T03:17:00.000Z', periodSeconds: 60 });
    expect(plan.days.map((d) => d.date)).toEqual(windowDates(plan.window).reverse());
    expect(plan.days).toHaveLength(15);
    expect(plan.days.every((d) => d.action === 'read' && d.periodSeconds === 60)).toBe(true);
    expect(plan.days[0]).toMatchObject({ date: '2026-11-21', settled: false, readEndMs: Date.parse('2026-11-21T03:17:00Z') });
    expect(plan.days[1]).toMatchObject({ date: '2026-11-20', settled: true, readEndMs: Date.parse('2026-11-21T00:00:00Z') });
  });

  it('a nightly run after a complete store reads only the days not complete, and new functions only', () => {
    const stored = Object.fromEntries(
      windowDates({ start: '2026-11-07T00:00:00Z', end: '2026-11-20T00:00:00Z', periodSeconds: 60 }).map((d) => [d, complete(d)]),
    );
    const plan = planStoreWindow(input({ stored }));
    expect(plan.days.filter((d) => d.action !== 'keep').map((d) => d.date)).toEqual(['2026-11-21', '2026-11-20']);
    const added = planStoreWindow(input({ stored, listed: ['a', 'b', 'c'] }));
    expect(added.days.find((d) => d.date === '2026-11-10')).toMatchObject({ action: 'add', missingFunctions: ['c'] });
  });

  it('missing days older than 15 days are read at 300 s and the whole window is then at 300 s', () => {
    const plan = planStoreWindow(input({ days: 20 }));
    expect(plan.window.periodSeconds).toBe(300);
    expect(plan.days.find((d) => d.date === '2026-11-01')?.periodSeconds).toBe(300);
    expect(plan.days.find((d) => d.date === '2026-11-10')?.periodSeconds).toBe(60);
  });

  it('30 days at 60 s when the store holds them all (beyond CloudWatch 1-minute retention)', () => {
    const stored = Object.fromEntries(
      windowDates({ start: '2026-10-20T00:00:00Z', end: '2026-11-20T00:00:00Z', periodSeconds: 60 }).map((d) => [d, complete(d)]),
    );
    const plan = planStoreWindow(input({ days: 30, stored }));
    expect(plan.window.periodSeconds).toBe(60);
    expect(plan.days.filter((d) => d.action === 'read').map((d) => d.date)).toEqual(['2026-11-21', '2026-11-20']);
  });

  it('a new function on stored 60-s days: read at 60 s, at 300 s past 15 days, unknown past 63 days', () => {
    const stored = Object.fromEntries(
      windowDates({ start: '2026-09-01T00:00:00Z', end: '2026-11-21T00:00:00Z', periodSeconds: 60 }).map((d) => [d, complete(d)]),
    );
    const plan = planStoreWindow(input({ days: 80, stored, listed: ['a', 'b', 'new'] }));
    expect(plan.window.periodSeconds).toBe(60);
    expect(plan.days.find((d) => d.date === '2026-11-10')).toMatchObject({ action: 'add', periodSeconds: 60, missingFunctions: ['new'] });
    expect(plan.days.find((d) => d.date === '2026-11-01')).toMatchObject({ action: 'add-coarse', periodSeconds: 60, coarsePeriodSeconds: 300, missingFunctions: ['new'] });
    expect(plan.days.find((d) => d.date === '2026-09-10')).toMatchObject({ action: 'keep', unknownFunctions: ['new'] });
    expect(plan.days.filter((d) => d.unknownFunctions.length > 0).map((d) => d.date).at(0)).toBe('2026-09-19'); // 63 days before NOW: 09-19T03:17
  });

  it('days CloudWatch no longer keeps at all are skipped', () => {
    const plan = planStoreWindow(input({ days: 455, resolution: 3600 }));
    expect(plan.days.at(-1)?.action).toBe('skip');
  });
});

describe('assembleSeries', () => {
  const window = { start: '2026-11-20T23:50:00.000Z', end: '2026-11-21T00:10:00.000Z', periodSeconds: 300 as const };
  const day = (fill: (i: number) => number | null) => ({ periodSeconds: 60 as const, series: Array.from({ length: 1440 }, (_, i) => fill(i)) });

  it('slices the days, aggregates minutes (sum or max) and keeps unknown as null', () => {
    const days: Record<string, ReturnType<typeof day>> = { '2026-11-20': day((i) => i % 7), '2026-11-21': day((i) => (i === 7 ? null : 1)) };
    const sums = assembleSeries(window, 'invocations', (d) => days[d] ?? null);
    // 23:50-23:54 of 11-20: minutes 1430..1434 -> 2+3+4+5+6; 23:55-23:59: 1435..1439 -> 0+1+2+3+4.
    expect(sums).toEqual([20, 10, 5, null]);
    const maxima = assembleSeries(window, 'concurrencyMax', (d) => days[d] ?? null);
    expect(maxima).toEqual([6, 4, 1, null]);
  });

  it('a date not in the store is unknown, never 0', () => {
    expect(assembleSeries(window, 'invocations', () => null)).toEqual([null, null, null, null]);
  });
});
