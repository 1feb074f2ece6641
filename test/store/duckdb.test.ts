import { DuckDBInstance } from '@duckdb/node-api';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { startFakeAws, type FakeAws } from '../source/aws/fake-aws.js';
import { fakeFunctions, fromStore, tempStore } from './fake-store-account.js';
import { writeStoredDay } from './stored-day.js';

/**
 * Interop: DuckDB reads the store as it is (read_parquet with hive_partitioning) and gets the
 * same sums as the profiles assembled from it, per function, for the whole stored days.
 */

let fake: FakeAws | undefined;
afterEach(async () => {
  await fake?.close();
  fake = undefined;
});

describe('the store read by DuckDB', () => {
  it('gives the same sums, maxima and nulls as the assembled profiles', async () => {
    fake = await startFakeAws({ functions: fakeFunctions(6), density: 0.4 });
    const dir = await tempStore();
    // Window = exactly the two whole days 11-19 and 11-20 (now at midnight, settled long ago).
    const now = new Date('2026-11-21T00:00:00Z');
    const { profiles } = await fromStore(fake.endpoint, dir, { days: 2, now, settleMinutes: 0 });
    const expected = new Map(
      profiles.map((p) => [
        p.name,
        {
          invocations: p.series.invocations.reduce<number>((a, v) => a + (v ?? 0), 0),
          duration: p.series.durationMsSum.reduce<number>((a, v) => a + (v ?? 0), 0),
          peak: Math.max(...p.series.concurrencyMax.map((v) => v ?? 0)),
          rows: p.series.invocations.length,
        },
      ]),
    );

    const db = await DuckDBInstance.create(':memory:');
    const conn = await db.connect();
    const glob = join(dir, 'metrics', '**', '*.parquet');
    const reader = await conn.runAndReadAll(`
      SELECT function_name, account, region, count(*) AS n, sum(invocations) AS inv, sum(duration_ms_sum) AS dur,
             max(concurrency_max) AS peak, count(*) FILTER (WHERE invocations IS NULL) AS unknown,
             count(*) FILTER (WHERE isnan(invocations) OR isnan(duration_ms_sum) OR isnan(concurrency_max)) AS nans,
             CAST(min(date) AS VARCHAR) AS first_date, CAST(max(date) AS VARCHAR) AS last_date
      FROM read_parquet('${glob}', hive_partitioning = true)
      GROUP BY ALL ORDER BY function_name`);
    const rows = reader.getRowObjectsJS() as Record<string, unknown>[];
    conn.closeSync();
    expect(rows).toHaveLength(6);
    for (const row of rows) {
      const e = expected.get(String(row['function_name']))!;
      expect(String(row['account'])).toBe('123456789012');
      expect(row['region']).toBe('us-east-1');
      expect(Number(row['n'])).toBe(e.rows);
      expect(Number(row['inv'])).toBe(e.invocations);
      expect(Number(row['dur'])).toBeCloseTo(e.duration, 6);
      expect(Number(row['peak'])).toBe(e.peak);
      expect(Number(row['unknown'])).toBe(0);
      expect(Number(row['nans'])).toBe(0);
      expect(row['first_date']).toBe('2026-11-19');
      expect(row['last_date']).toBe('2026-11-20');
    }
    expect(rows.reduce((a, r) => a + Number(r['inv']), 0)).toBeGreaterThan(0);
  });

  it('sees unknown minutes as NULL: NULL counts are the unknown minutes, SUM adds the known ones as we do', async () => {
    // 1 attempt per call, the first GetMetricData (the newest day, 11-20) fails: its points are unknown.
    fake = await startFakeAws({ functions: fakeFunctions(2), density: 0.4, throttleFirst: 1 });
    const dir = await tempStore();
    const now = new Date('2026-11-21T00:00:00Z');
    const { profiles } = await fromStore(fake.endpoint, dir, { days: 2, now, settleMinutes: 0 }, 1);
    const unknown = profiles.reduce((a, p) => a + p.series.invocations.filter((v) => v === null).length, 0);
    expect(unknown).toBe(2 * 1440);
    const ours = (day: 0 | 1, key: 'invocations' | 'durationMsSum') =>
      profiles.reduce((a, p) => a + p.series[key].slice(day * 1440, (day + 1) * 1440).reduce<number>((b, v) => b + (v ?? 0), 0), 0);
    const db = await DuckDBInstance.create(':memory:');
    const conn = await db.connect();
    const reader = await conn.runAndReadAll(`
      SELECT CAST(date AS VARCHAR) AS d, count(*) AS n, count(*) FILTER (WHERE invocations IS NULL) AS unknown,
             count(*) FILTER (WHERE duration_ms_sum IS NULL) AS unknown_dur, count(*) FILTER (WHERE concurrency_max IS NULL) AS unknown_peak,
             count(*) FILTER (WHERE isnan(invocations)) AS nans, sum(invocations) AS total, sum(duration_ms_sum) AS dur
      FROM read_parquet('${join(dir, 'metrics', '**', '*.parquet')}', hive_partitioning = true) GROUP BY 1 ORDER BY 1`);
    const rows = reader.getRowObjectsJS() as Record<string, unknown>[];
    conn.closeSync();
    expect(rows.map((r) => [r['d'], Number(r['n']), Number(r['unknown']), Number(r['unknown_dur']), Number(r['unknown_peak']), Number(r['nans'])])).toEqual([
      ['2026-11-19', 2 * 1440, 0, 0, 0, 0],
      ['2026-11-20', 2 * 1440, 2 * 1440, 2 * 1440, 2 * 1440, 0],
    ]);
    // The known day sums as ours does; the unknown day is NULL in SQL (no known minute), 0 nowhere.
    expect(Number(rows[0]!['total'])).toBe(ours(0, 'invocations'));
    expect(Number(rows[0]!['dur'])).toBeCloseTo(ours(0, 'durationMsSum'), 6);
    expect(ours(0, 'invocations')).toBeGreaterThan(0);
    expect(rows[1]!['total']).toBeNull();
  });

  it('sums a day with some unknown minutes as we do (the known ones), NULLs counted apart', async () => {
    const dir = await tempStore();
    const known = (f: number) => Array.from({ length: 1440 }, (_, i) => (i % 60 === 7 ? null : (f + 1) * (i % 5)));
    await writeStoredDay(dir, '2026-11-20', ['a', 'b'], [known(0), known(1)]);
    const ourSum = [known(0), known(1)].flat().reduce<number>((a, v) => a + (v ?? 0), 0);
    const ourNulls = [known(0), known(1)].flat().filter((v) => v === null).length;
    const db = await DuckDBInstance.create(':memory:');
    const conn = await db.connect();
    const reader = await conn.runAndReadAll(`
      SELECT count(*) FILTER (WHERE invocations IS NULL) AS unknown, sum(invocations) AS total, count(invocations) AS known
      FROM read_parquet('${join(dir, 'metrics', '**', '*.parquet')}', hive_partitioning = true)`);
    const [row] = reader.getRowObjectsJS() as Record<string, unknown>[];
    conn.closeSync();
    expect(Number(row!['unknown'])).toBe(ourNulls);
    expect(ourNulls).toBe(2 * 24);
    expect(Number(row!['known'])).toBe(2 * 1440 - ourNulls);
    expect(Number(row!['total'])).toBe(ourSum);
  });
});
