import { DuckDBInstance } from '@duckdb/node-api';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { localBackend } from '../../src/store/backend.js';
import { openDay, readStatus } from '../../src/store/day-io.js';
import { readMetricRange } from '../../src/store/parquet.js';
import { startFakeAws, type FakeAws } from '../source/aws/fake-aws.js';
import { fakeFunctions, fromStore, tempStore } from './fake-store-account.js';
import { writeStoredDay } from './stored-day.js';

/**
 * A day written in store format v1 (metric columns REQUIRED, unknown = NaN), as a nightly Lambda
 * of the previous version left it: read as it is, its NaN unknown like v2's null, never a number,
 * and the run says that SQL engines see those minutes as NaN.
 */

let fake: FakeAws | undefined;
afterEach(async () => {
  await fake?.close();
  fake = undefined;
});

const series = (f: number) => Array.from({ length: 1440 }, (_, i) => (i >= 600 && i < 660 ? null : i % 4 === 0 ? f + i / 10 : 0));

describe('a store day of format v1', () => {
  it('opens and reads as v2 does: NaN is unknown', async () => {
    const dir = await tempStore();
    const v1 = await writeStoredDay(dir, '2026-11-20', ['a', 'b'], [series(1), series(2)], { format: 1 });
    const v2dir = await tempStore();
    await writeStoredDay(v2dir, '2026-11-20', ['a', 'b'], [series(1), series(2)]);
    for (const [d, version] of [[dir, 1], [v2dir, 2]] as const) {
      const status = await readStatus(localBackend(d), '123456789012', 'us-east-1', '2026-11-20');
      expect(status?.schemaVersion).toBe(version);
      const day = await openDay(localBackend(d), status!);
      if ('missing' in day) throw new Error(day.missing);
      const m = day.metrics;
      const range = await readMetricRange(m.location, m.buffer, m.metadata, 60, ['invocations', 'concurrencyMax'], 0, 2);
      const back = Array.from(range.get('invocations')!, (v) => (Number.isNaN(v) ? null : v));
      expect(back).toEqual([...series(1), ...series(2)]);
    }
    expect(v1.schema).toBe('lmi-advisor.store/v1');
  });

  it('is analysed without a CloudWatch read, unknown minutes null, and the run warns about SQL', async () => {
    fake = await startFakeAws({ functions: fakeFunctions(2), density: 0.4 });
    const dir = await tempStore();
    await writeStoredDay(dir, '2026-11-20', ['fn-0', 'fn-1'], [series(1), series(2)], { format: 1 });
    const { source, profiles } = await fromStore(fake.endpoint, dir, { days: 1, now: new Date('2026-11-21T00:00:00Z'), settleMinutes: 0 });
    expect(source.stats.getMetricDataCalls).toBe(0);
    expect(source.stats.daysKept).toBe(1);
    expect(profiles.map((p) => p.name)).toEqual(['fn-0', 'fn-1']);
    expect(profiles[0]!.series.invocations).toEqual(series(1));
    expect(profiles[1]!.series.durationMsSum).toEqual(series(2));
    expect(profiles.flatMap((p) => [...p.series.invocations, ...p.series.concurrencyMax]).some((v) => v !== null && Number.isNaN(v))).toBe(false);
    const warning = source.warnings.find((w) => w.code === 'store-v1-days');
    expect(warning?.message).toMatch(/^1 region-days of the window are in store format v1 \(us-east-1\/2026-11-20\).*NaN, not NULL/);
    // What the warning says: DuckDB sees the v1 day's unknown minutes as NaN.
    const db = await DuckDBInstance.create(':memory:');
    const conn = await db.connect();
    const reader = await conn.runAndReadAll(
      `SELECT count(*) FILTER (WHERE isnan(invocations)) AS nans, count(*) FILTER (WHERE invocations IS NULL) AS nulls FROM read_parquet('${join(dir, 'metrics', '**', '*.parquet')}')`,
    );
    const [row] = reader.getRowObjectsJS() as Record<string, unknown>[];
    conn.closeSync();
    expect([Number(row!['nans']), Number(row!['nulls'])]).toEqual([2 * 60, 0]);
  });

  it('a v2 store gives no such warning', async () => {
    fake = await startFakeAws({ functions: fakeFunctions(2), density: 0.4 });
    const dir = await tempStore();
    await writeStoredDay(dir, '2026-11-20', ['fn-0', 'fn-1'], [series(1), series(2)]);
    const { source, profiles } = await fromStore(fake.endpoint, dir, { days: 1, now: new Date('2026-11-21T00:00:00Z'), settleMinutes: 0 });
    expect(source.stats.getMetricDataCalls).toBe(0);
    expect(profiles[0]!.series.invocations).toEqual(series(1));
    expect(source.warnings.map((w) => w.code)).not.toContain('store-v1-days');
  });
});
