import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { parseConfig } from '../../src/config/load.js';
import { localBackend } from '../../src/store/backend.js';
import { openDay, readStatus } from '../../src/store/day-io.js';
import { startFakeAws, type FakeAws } from '../source/aws/fake-aws.js';
import { direct, fakeFunctions, fromStore, tempStore } from './fake-store-account.js';

/**
 * The store-backed source against the local fake AWS endpoint (real SDK over HTTP): what a run
 * reads, what it keeps, and that the window assembled from the store equals, series for series,
 * what `record` reads directly.
 */

let fake: FakeAws | undefined;
afterEach(async () => {
  await fake?.close();
  fake = undefined;
});

const NOW = new Date('2026-11-21T03:17:42Z');
const NEXT_NIGHT = new Date('2026-11-22T03:17:42Z');
const folder = (dir: string, date: string) => join(dir, 'metrics', 'account=123456789012', 'region=us-east-1', `date=${date}`);

describe('store-backed collection', () => {
  it('first run reads every day of the window and assembles exactly what record reads', async () => {
    const functions = fakeFunctions(7);
    fake = await startFakeAws({ functions, density: 0.3 });
    const dir = await tempStore();
    const { source, profiles } = await fromStore(fake.endpoint, dir, { days: 3, now: NOW });
    expect(source.stats.daysRead).toEqual(['us-east-1/2026-11-21', 'us-east-1/2026-11-20', 'us-east-1/2026-11-19', 'us-east-1/2026-11-18']);
    expect(source.header.window).toEqual({ start: '2026-11-18T03:17:00.000Z', end: '2026-11-21T03:17:00.000Z', periodSeconds: 60 });
    expect(profiles).toEqual(await direct(fake.endpoint, { days: 3, now: NOW }));
    expect(profiles.map((p) => p.name)).toEqual(functions.map((f) => f.name));
    // The partial current day is stored as unsettled, the whole days before as complete.
    const status = async (date: string) => JSON.parse(await import('node:fs/promises').then((fs) => fs.readFile(join(folder(dir, date), '_status.json'), 'utf8'))) as { state: string; coveredUntil: string };
    expect((await status('2026-11-21')).state).toBe('unsettled');
    expect((await status('2026-11-21')).coveredUntil).toBe('2026-11-21T03:17:00.000Z');
    expect((await status('2026-11-20')).state).toBe('complete');
    expect(source.warnings.filter((w) => /store|failed|cut-short/.test(w.code))).toEqual([]);
  });

  it('stores the Lambda Insights values (CPU, memory, INIT) of a function that has them, as record reads them', async () => {
    const functions = fakeFunctions(3).map((f, i) => (i === 1 ? { ...f, insights: true } : f));
    fake = await startFakeAws({ functions, density: 0.3 });
    const dir = await tempStore();
    const { profiles } = await fromStore(fake.endpoint, dir, { days: 2, now: NOW });
    const expected = await direct(fake.endpoint, { days: 2, now: NOW });
    expect(profiles).toEqual(expected);
    // The fake's daily values: 400 ms CPU over 10 samples, 300 MB peak, 250 ms INIT.
    const insights = ({ cpuSecondsPerInvocation, memoryUsedMBMax, initMsPerInvocation }: Partial<typeof expected[number]>) => ({
      cpuSecondsPerInvocation: cpuSecondsPerInvocation ?? null,
      memoryUsedMBMax: memoryUsedMBMax ?? null,
      initMsPerInvocation: initMsPerInvocation ?? null,
    });
    expect(insights(expected[1]!)).toEqual({ cpuSecondsPerInvocation: 0.04, memoryUsedMBMax: 300, initMsPerInvocation: 25 });
    // Every stored day holds the values record read, unknown (null) for the functions without Insights.
    for (const date of ['2026-11-19', '2026-11-20', '2026-11-21']) {
      const status = await readStatus(localBackend(dir), '123456789012', 'us-east-1', date);
      const day = await openDay(localBackend(dir), status!);
      if ('missing' in day) throw new Error(day.missing);
      expect(day.functions.map(insights)).toEqual(expected.map(insights));
    }
  });

  it('a second run reads only the unsettled day; the next night reads only the new days', async () => {
    fake = await startFakeAws({ functions: fakeFunctions(5), density: 0.3 });
    const dir = await tempStore();
    await fromStore(fake.endpoint, dir, { days: 3, now: NOW });
    const callsAfterFirst = fake.counts.getMetricData;
    const again = await fromStore(fake.endpoint, dir, { days: 3, now: NOW });
    expect(again.source.stats.daysRead).toEqual(['us-east-1/2026-11-21']);
    expect(again.source.stats.daysKept).toBe(3);
    expect(fake.counts.getMetricData - callsAfterFirst).toBe(1);
    expect(again.profiles).toEqual(await direct(fake.endpoint, { days: 3, now: NOW }));

    const next = await fromStore(fake.endpoint, dir, { days: 3, now: NEXT_NIGHT });
    expect(next.source.stats.daysRead).toEqual(['us-east-1/2026-11-22', 'us-east-1/2026-11-21']);
    expect(next.profiles).toEqual(await direct(fake.endpoint, { days: 3, now: NEXT_NIGHT }));
  });

  it('a day that ended less than settleMinutes before the run is read but not stored complete', async () => {
    fake = await startFakeAws({ functions: fakeFunctions(3), density: 0.3 });
    const dir = await tempStore();
    const early = new Date('2026-11-21T00:10:00Z');
    const first = await fromStore(fake.endpoint, dir, { days: 1, now: early, settleMinutes: 30 });
    expect(first.source.stats.daysRead).toEqual(['us-east-1/2026-11-21', 'us-east-1/2026-11-20']);
    const later = await fromStore(fake.endpoint, dir, { days: 1, now: new Date('2026-11-21T00:40:00Z'), settleMinutes: 30 });
    // 11-20 ended 40 min before: read again, now final; 11-21 still unsettled.
    expect(later.source.stats.daysRead).toEqual(['us-east-1/2026-11-21', 'us-east-1/2026-11-20']);
    const third = await fromStore(fake.endpoint, dir, { days: 1, now: new Date('2026-11-21T00:50:00Z'), settleMinutes: 30 });
    expect(third.source.stats.daysRead).toEqual(['us-east-1/2026-11-21']);
  });

  it('store.settleMinutes decides: a day that ended 20 min before the run is unsettled at 30, complete at 10', async () => {
    fake = await startFakeAws({ functions: fakeFunctions(2), density: 0.3 });
    const now = new Date('2026-11-21T00:20:00Z');
    const stateOf = async (config: unknown) => {
      const dir = await tempStore();
      const settleMinutes = parseConfig(config, 'test').store.settleMinutes;
      await fromStore(fake!.endpoint, dir, { days: 1, now, settleMinutes });
      return (await readStatus(localBackend(dir), '123456789012', 'us-east-1', '2026-11-20'))?.state;
    };
    expect(await stateOf({})).toBe('unsettled');
    expect(await stateOf({ store: { settleMinutes: 30 } })).toBe('unsettled');
    expect(await stateOf({ store: { settleMinutes: 10 } })).toBe('complete');
    expect(() => parseConfig({ store: { settleMinutes: -1 } }, 'c.json')).toThrow(/store\.settleMinutes/);
  });

  it('a new function gets its stored days from CloudWatch; a deleted one drops out', async () => {
    const functions = fakeFunctions(4);
    fake = await startFakeAws({ functions, density: 0.3 });
    const dir = await tempStore();
    await fromStore(fake.endpoint, dir, { days: 2, now: NOW });
    functions.push({ name: 'newcomer', memoryMB: 512, architecture: 'arm64', runtime: 'python3.13' });
    functions.splice(1, 1); // fn-1 deleted
    const run = await fromStore(fake.endpoint, dir, { days: 2, now: NOW });
    expect(run.source.stats.daysAdded).toEqual(['us-east-1/2026-11-20', 'us-east-1/2026-11-19']);
    expect(run.source.stats.daysRead).toEqual(['us-east-1/2026-11-21']);
    expect(run.profiles.map((p) => p.name)).toEqual(['fn-0', 'fn-2', 'fn-3', 'newcomer']);
    expect(run.profiles).toEqual(await direct(fake.endpoint, { days: 2, now: NOW }));
    // Merged days hold one data object each (the replaced ones are removed).
    expect((await readdir(folder(dir, '2026-11-20'))).filter((n) => n.endsWith('.parquet'))).toHaveLength(1);
  });

  it('says what configuration changed within the window and analyses the newest', async () => {
    const functions = fakeFunctions(3);
    fake = await startFakeAws({ functions, density: 0.3 });
    const dir = await tempStore();
    await fromStore(fake.endpoint, dir, { days: 2, now: NOW });
    functions[2]!.memoryMB = 4096;
    const run = await fromStore(fake.endpoint, dir, { days: 2, now: NOW });
    const changed = run.source.warnings.filter((w) => w.code === 'config-changed');
    expect(changed).toHaveLength(1);
    expect(changed[0]).toMatchObject({ function: 'fn-2' });
    expect(changed[0]!.message).toContain('memoryMB 384 -> 4096');
    expect(run.profiles.find((p) => p.name === 'fn-2')?.memoryMB).toBe(4096);
  });

  it('stores a day with a failed call as incomplete (unknown minutes null) and reads it again next run', async () => {
    // 1 attempt per call: the first GetMetricData (the newest day) fails with Throttling.
    fake = await startFakeAws({ functions: fakeFunctions(3), density: 0.3, throttleFirst: 1 });
    const dir = await tempStore();
    const first = await fromStore(fake.endpoint, dir, { days: 2, now: NOW }, 1);
    expect(first.source.warnings.some((w) => w.code === 'metrics-failed')).toBe(true);
    const today = first.profiles[0]!.series.invocations.slice(-10);
    expect(today.every((v) => v === null)).toBe(true);
    const second = await fromStore(fake.endpoint, dir, { days: 2, now: NOW }, 1);
    expect(second.source.stats.daysRead).toEqual(['us-east-1/2026-11-21']);
    expect(second.profiles).toEqual(await direct(fake.endpoint, { days: 2, now: NOW }));
  });

  it('backfills within a time budget, newest days first, and never reads a stored day twice', async () => {
    fake = await startFakeAws({ functions: fakeFunctions(4), density: 0.3 });
    const dir = await tempStore();
    // Each day "needs" >= 10 s by the budget rule; the clock is faked: each look at it is 8 s
    // later, so a run of 25 s reads two days.
    let left = 0;
    const timeLeftMs = () => {
      const now = left;
      left -= 8_000;
      return now;
    };
    const runs: string[][] = [];
    // 6 dates: the unsettled 11-22 plus one more a run, so 5 runs.
    for (let i = 0; i < 5; i++) {
      left = 25_000;
      const budget = { days: 5, now: NEXT_NIGHT, timeLeftMs };
      const run = await fromStore(fake.endpoint, dir, budget);
      runs.push(run.source.stats.daysRead);
      const cut = run.source.warnings.find((w) => w.code === 'store-backfill-cut-short');
      if (run.source.stats.daysMissing.length > 0) expect(cut?.message).toContain(`${run.source.stats.daysMissing.length} region-days`);
      else expect(cut).toBeUndefined();
    }
    expect(runs[0]).toEqual(['us-east-1/2026-11-22', 'us-east-1/2026-11-21']);
    expect(runs[4]).toEqual(['us-east-1/2026-11-22', 'us-east-1/2026-11-17']);
    const complete = runs.flat().filter((d) => d !== 'us-east-1/2026-11-22');
    expect(new Set(complete).size).toBe(complete.length);
    const final = await fromStore(fake.endpoint, dir, { days: 5, now: NEXT_NIGHT });
    expect(final.source.stats.daysRead).toEqual(['us-east-1/2026-11-22']);
    expect(final.profiles).toEqual(await direct(fake.endpoint, { days: 5, now: NEXT_NIGHT }));
  });

  it('two runs at once leave a consistent store: one data object per day, equal to a direct read', async () => {
    fake = await startFakeAws({ functions: fakeFunctions(6), density: 0.3 });
    const dir = await tempStore();
    const [a, b] = await Promise.all([fromStore(fake.endpoint, dir, { days: 2, now: NOW }), fromStore(fake.endpoint, dir, { days: 2, now: NOW })]);
    const expected = await direct(fake.endpoint, { days: 2, now: NOW });
    expect(a.profiles).toEqual(expected);
    expect(b.profiles).toEqual(expected);
    for (const date of ['2026-11-19', '2026-11-20', '2026-11-21']) {
      expect((await readdir(folder(dir, date))).filter((n) => n.endsWith('.parquet'))).toHaveLength(1);
    }
    const after = await fromStore(fake.endpoint, dir, { days: 2, now: NOW });
    expect(after.source.stats.daysRead).toEqual(['us-east-1/2026-11-21']);
    expect(after.profiles).toEqual(expected);
  });
});
