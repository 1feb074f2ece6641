import { DuckDBInstance } from '@duckdb/node-api';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { startFakeAws, type FakeAws } from '../source/aws/fake-aws.js';
import { fakeFunctions, fromStore, tempStore } from './fake-store-account.js';

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
             max(concurrency_max) AS peak, count(*) FILTER (WHERE isnan(invocations)) AS unknown,
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
      expect(row['first_date']).toBe('2026-11-19');
      expect(row['last_date']).toBe('2026-11-20');
    }
    expect(rows.reduce((a, r) => a + Number(r['inv']), 0)).toBeGreaterThan(0);
  });

  it('sees unknown minutes as NaN, which an unfiltered sum propagates instead of counting as 0', async () => {
    // 1 attempt per call, the first GetMetricData (the newest day, 11-20) fails: its points are unknown.
    fake = await startFakeAws({ functions: fakeFunctions(2), density: 0.4, throttleFirst: 1 });
    const dir = await tempStore();
    const now = new Date('2026-11-21T00:00:00Z');
    const { profiles } = await fromStore(fake.endpoint, dir, { days: 2, now, settleMinutes: 0 }, 1);
    const unknown = profiles.reduce((a, p) => a + p.series.invocations.filter((v) => v === null).length, 0);
    expect(unknown).toBe(2 * 1440);
    const db = await DuckDBInstance.create(':memory:');
    const conn = await db.connect();
    const reader = await conn.runAndReadAll(`
      SELECT CAST(date AS VARCHAR) AS d, count(*) FILTER (WHERE isnan(invocations)) AS unknown, sum(invocations) AS total,
             sum(invocations) FILTER (WHERE NOT isnan(invocations)) AS known
      FROM read_parquet('${join(dir, 'metrics', '**', '*.parquet')}', hive_partitioning = true) GROUP BY 1 ORDER BY 1`);
    const rows = reader.getRowObjectsJS() as Record<string, unknown>[];
    conn.closeSync();
    expect(rows.map((r) => [r['d'], Number(r['unknown'])])).toEqual([['2026-11-19', 0], ['2026-11-20', 2 * 1440]]);
    expect(Number.isNaN(Number(rows[1]!['total']))).toBe(true);
    expect(Number(rows[0]!['total'])).toBe(Number(rows[0]!['known']));
  });
});
