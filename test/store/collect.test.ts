import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { parseConfig } from '../../src/config/load.js';
import { localBackend } from '../../src/store/backend.js';
import { createTtyProgress, type ProgressEvent } from '../../src/source/aws/progress.js';
import { openDay, readStatus } from '../../src/store/day-io.js';
import { readMetricRange } from '../../src/store/parquet.js';
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

  // Runs that store whole 60-s days early (T1 = NOW - 8 days, days 11-03..11-13), then at NOW a
  // 17-day window (11-04..11-21) in which 11-04..11-06 are older than CloudWatch's 15 days of
  // 1-minute data: a new function's days there can only be read at 300 s.
  const T1 = new Date('2026-11-13T03:17:42Z');
  const oldDays = ['2026-11-04', '2026-11-05', '2026-11-06'];

  it('a new function on days CloudWatch keeps only at 5 minutes: read at 300 s, named, the window analysed at 300 s', async () => {
    const functions = fakeFunctions(3);
    fake = await startFakeAws({ functions, density: 0.3 });
    const dir = await tempStore();
    await fromStore(fake.endpoint, dir, { days: 10, now: T1 });
    functions.push({ name: 'newcomer', memoryMB: 512, architecture: 'arm64', runtime: 'python3.13' });
    const run = await fromStore(fake.endpoint, dir, { days: 17, now: NOW });
    expect(run.source.stats.coarseFunctionDays.sort()).toEqual(oldDays.map((d) => `us-east-1/${d}/newcomer`));
    expect(run.source.header.window).toEqual({ start: '2026-11-04T03:15:00.000Z', end: '2026-11-21T03:15:00.000Z', periodSeconds: 300 });
    const warning = run.source.warnings.find((w) => w.code === 'store-coarse-functions');
    expect(warning?.message).toContain('newcomer (us-east-1): 2026-11-04, 2026-11-05, 2026-11-06');
    expect(run.source.warnings.some((w) => w.code === 'store-coarse-days')).toBe(true);
    // Its 5-minute values are CloudWatch's (the fake's) 300-s points, no point = 0, never unknown.
    const newcomer = run.profiles.find((p) => p.name === 'newcomer')!;
    const at = (iso: string) => (Date.parse(iso) - Date.parse('2026-11-04T03:15:00Z')) / 300_000;
    for (const iso of ['2026-11-04T12:00:00Z', '2026-11-05T00:00:00Z', '2026-11-06T23:55:00Z']) {
      expect(newcomer.series.invocations[at(iso)]).toBe(fake.valueAt('newcomer', 'Invocations', 'Sum', Date.parse(iso) / 1000) ?? 0);
    }
    // The stored 60-s days are not rewritten at 300 s, and the coarse days are read again next run.
    expect((await readStatus(localBackend(dir), '123456789012', 'us-east-1', '2026-11-05'))?.periodSeconds).toBe(60);
    const again = await fromStore(fake.endpoint, dir, { days: 17, now: NOW });
    expect(again.source.stats.coarseFunctionDays).toHaveLength(3);
    expect(again.profiles).toEqual(run.profiles);
  });

  it('a new function without data on those days (created since) is stored as exact zeros: the window stays at 60 s', async () => {
    const functions = fakeFunctions(3);
    fake = await startFakeAws({ functions, density: 0.3 });
    const dir = await tempStore();
    await fromStore(fake.endpoint, dir, { days: 10, now: T1 });
    functions.push({ name: 'newcomer', memoryMB: 512, architecture: 'arm64', runtime: 'python3.13', createdAt: Date.parse('2026-11-10T00:00:00Z') / 1000 });
    const run = await fromStore(fake.endpoint, dir, { days: 17, now: NOW });
    expect(run.source.header.window.periodSeconds).toBe(60);
    expect(run.source.stats.coarseFunctionDays).toEqual([]);
    expect(run.source.warnings.filter((w) => /coarse|unknown/.test(w.code))).toEqual([]);
    // Its minutes before it existed are 0, as a direct read at 60 s gives them.
    const newcomer = run.profiles.find((p) => p.name === 'newcomer')!;
    const firstOfNov10 = (Date.parse('2026-11-10T00:00:00Z') - Date.parse(run.source.header.window.start)) / 60_000;
    expect(newcomer.series.invocations.slice(0, firstOfNov10).every((v) => v === 0)).toBe(true);
    expect(newcomer.series.invocations.slice(firstOfNov10).some((v) => v !== 0)).toBe(true);
    const day = await openDay(localBackend(dir), (await readStatus(localBackend(dir), '123456789012', 'us-east-1', '2026-11-05'))!);
    if ('missing' in day) throw new Error(day.missing);
    expect(day.status).toMatchObject({ state: 'complete', periodSeconds: 60, functions: 4 });
    expect(day.functions.map((f) => f.name)).toContain('newcomer');
    const next = await fromStore(fake.endpoint, dir, { days: 17, now: NOW });
    expect(next.source.stats.daysAdded).toEqual([]);
  });

  it('a new function on stored days older than 63 days (past 5-minute retention): unknown, with a warning naming it and the days', async () => {
    const functions = fakeFunctions(2);
    fake = await startFakeAws({ functions, density: 0.3 });
    const dir = await tempStore();
    // 2026-09-13..09-19 stored at 60 s (read when they were recent): at NOW all older than 63 days.
    await fromStore(fake.endpoint, dir, { days: 7, now: new Date('2026-09-20T00:00:00Z'), settleMinutes: 0 });
    functions.push({ name: 'newcomer', memoryMB: 512, architecture: 'arm64', runtime: 'python3.13' });
    // Window 2026-09-13T03:15 .. 11-21T03:15 (69 days) at 300 s.
    const run = await fromStore(fake.endpoint, dir, { days: 69, now: NOW, resolution: 300 });
    expect(run.source.header.window.periodSeconds).toBe(300);
    const unknownDays = ['13', '14', '15', '16', '17', '18', '19'].map((d) => `2026-09-${d}`);
    expect(run.source.stats.unknownFunctionDays.sort()).toEqual(unknownDays.map((d) => `us-east-1/${d}/newcomer`));
    const warning = run.source.warnings.find((w) => w.code === 'store-function-days-unknown');
    expect(warning?.message).toContain(`newcomer (us-east-1): ${unknownDays.join(', ')}`);
    const newcomer = run.profiles.find((p) => p.name === 'newcomer')!;
    // 09-13 03:15 .. 09-20 00:00 unknown (null, never 0); from 09-20 on read (at 300 s).
    const firstKnown = (Date.parse('2026-09-20T00:00:00Z') - Date.parse('2026-09-13T03:15:00Z')) / 300_000;
    expect(newcomer.series.invocations.slice(0, firstKnown).every((v) => v === null)).toBe(true);
    expect(newcomer.series.invocations.slice(firstKnown).every((v) => v !== null)).toBe(true);
    // The old functions keep their stored minutes there (aggregated to the window's 300 s).
    expect(run.profiles.find((p) => p.name === 'fn-0')!.series.invocations.slice(0, firstKnown).every((v) => v !== null)).toBe(true);
  });

  it('re-reading an incomplete day keeps the functions stored for it that were deleted since', async () => {
    const functions = fakeFunctions(4);
    // The first GetMetricData call fails (1 attempt): 11-20 is stored incomplete.
    fake = await startFakeAws({ functions, density: 0.3, throttleFirst: 1 });
    const dir = await tempStore();
    const now = new Date('2026-11-21T00:00:00Z');
    await fromStore(fake.endpoint, dir, { days: 1, now, settleMinutes: 0 }, 1);
    expect((await readStatus(localBackend(dir), '123456789012', 'us-east-1', '2026-11-20'))?.state).toBe('incomplete');
    functions.splice(1, 1); // fn-1 deleted
    const run = await fromStore(fake.endpoint, dir, { days: 1, now, settleMinutes: 0 }, 1);
    expect(run.source.stats.daysRead).toEqual(['us-east-1/2026-11-20']);
    expect(run.profiles.map((p) => p.name)).toEqual(['fn-0', 'fn-2', 'fn-3']);
    const day = await openDay(localBackend(dir), (await readStatus(localBackend(dir), '123456789012', 'us-east-1', '2026-11-20'))!);
    if ('missing' in day) throw new Error(day.missing);
    expect(day.status.state).toBe('complete');
    expect(day.functions.map((f) => f.name).sort()).toEqual(['fn-0', 'fn-1', 'fn-2', 'fn-3']);
    // fn-1 keeps its stored configuration, and its minutes are CloudWatch's.
    expect(day.functions.find((f) => f.name === 'fn-1')).toMatchObject({ memoryMB: 256, observedAt: now.toISOString() });
    const range = await readMetricRange(day.metrics.location, day.metrics.buffer, day.metrics.metadata, 60, ['invocations'], day.rowOf.get('fn-1')!, day.rowOf.get('fn-1')! + 1);
    const t = Date.parse('2026-11-20T13:07:00Z') / 1000;
    expect(range.get('invocations')![13 * 60 + 7]).toBe(fake.valueAt('fn-1', 'Invocations', 'Sum', t) ?? 0);
  });

  it('reports progress: days to read and done, points read, throttled attempts; the CLI line on stderr', async () => {
    // Two throttled attempts, each retried by the SDK (3 attempts a call).
    fake = await startFakeAws({ functions: fakeFunctions(5), density: 0.3, throttleFirst: 2 });
    const dir = await tempStore();
    const events: ProgressEvent[] = [];
    const run = await fromStore(fake.endpoint, dir, { days: 2, now: NOW, onProgress: (e) => events.push(e) });
    const store = events.filter((e) => e.type === 'store');
    expect(store[0]).toEqual({ type: 'store', daysToRead: 3, daysDone: 0, pointsRead: 0, throttles: 0 });
    expect(store.at(-1)).toEqual({ type: 'store', daysToRead: 3, daysDone: 3, pointsRead: run.source.stats.pointsRequested, throttles: 2, final: true });
    expect(run.source.stats.throttles).toBe(2);
    expect(store.map((e) => e.daysDone)).toEqual([...store.map((e) => e.daysDone)].sort());
    let text = '';
    const tty = createTtyProgress({ isTTY: true, write: (t) => (text += t) })!;
    for (const e of store) tty(e);
    expect(text.endsWith(`lmi-advisor: store: days read 3/3, ${(run.source.stats.pointsRequested / 1e6).toFixed(1)} M points, 2 throttled\n`)).toBe(true);
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
