import { parquetReadObjects } from 'hyparquet';
import { describe, expect, it } from 'vitest';
import { StoreError, TruncatedObjectError } from '../../src/store/errors.js';
import { bufferFromBytes, createMetricsWriter, encodeFunctions, readFunctions, readMeta, readMetricRange, type StoredConfig } from '../../src/store/parquet.js';

/** The Parquet codec of a store day: what is written reads back exactly, unknown stays unknown. */

const META = { date: '2026-11-20', periodSeconds: 300 as const, metrics: ['invocations', 'durationMsSum', 'concurrencyMax'] as const };
const P = 288;

const config = (name: string, extra: Partial<StoredConfig> = {}): StoredConfig & { name: string } => ({
  name,
  runtime: 'nodejs22.x',
  architecture: 'arm64',
  memoryMB: 1024,
  timeoutSeconds: 30,
  ephemeralStorageMB: 512,
  provisionedConcurrency: 0,
  reservedConcurrency: null,
  packageType: 'Zip',
  tags: { team: 'checkout', a: 'x' },
  capacityProviderArn: null,
  memoryUsedMBMax: null,
  cpuSecondsPerInvocation: null,
  initMsPerInvocation: null,
  observedAt: '2026-11-21T03:00:00.000Z',
  unknownPoints: 0,
  ...extra,
});

describe('store Parquet codec', () => {
  it('round-trips series (0 stays 0, unknown stays null) and configurations', async () => {
    const writer = createMetricsWriter({ ...META, metrics: [...META.metrics] });
    const series = (seed: number) => Array.from({ length: P }, (_, i) => (i === 5 ? null : i % 3 === 0 ? seed + i * 0.5 : 0));
    writer.add({ names: ['a', 'b'], series: { invocations: [series(1), series(2)], durationMsSum: [series(3), series(4)], concurrencyMax: [series(5), series(6)] } });
    writer.add({ names: ['c'], series: { invocations: [series(7)], durationMsSum: [series(8)], concurrencyMax: [series(9)] } });
    const { bytes, rows } = writer.finish();
    expect(rows).toBe(3 * P);
    const buffer = bufferFromBytes(bytes);
    const { metadata, meta } = await readMeta('m', buffer, { kind: 'metrics', date: META.date, periodSeconds: 300, bytes: bytes.byteLength, rows });
    expect(meta.schema).toBe('lmi-advisor.store/v2');
    // Unknown is a real null (OPTIONAL column, definition level 0), not a NaN: what SQL engines count.
    expect(metadata.schema.filter((e) => ['invocations', 'duration_ms_sum', 'concurrency_max'].includes(e.name)).map((e) => e.repetition_type)).toEqual(['OPTIONAL', 'OPTIONAL', 'OPTIONAL']);
    const objects = (await parquetReadObjects({ file: buffer, columns: ['invocations'], rowStart: P, rowEnd: 2 * P })) as { invocations: number | null }[];
    expect(objects.map((o) => o.invocations)).toEqual(series(2));
    const range = await readMetricRange('m', buffer, metadata, 300, [...META.metrics], 1, 3);
    const back = (values: Float64Array, f: number) => Array.from(values.subarray(f * P, (f + 1) * P), (v) => (Number.isNaN(v) ? null : v));
    expect([back(range.get('invocations')!, 0), back(range.get('invocations')!, 1)]).toEqual([series(2), series(7)]);
    expect(range.get('concurrencyMax')![P + 5]).toBeNaN();

    const configs = [config('a'), config('b', { provisionedConcurrency: null, runtime: null, packageType: 'Image', memoryUsedMBMax: 612.5, cpuSecondsPerInvocation: 0.012, initMsPerInvocation: 41.5, capacityProviderArn: 'arn:aws:lambda:us-east-1:1:capacity-provider:x' })];
    const fbytes = encodeFunctions({ ...META, metrics: [...META.metrics] }, configs);
    const fbuf = bufferFromBytes(fbytes);
    const fmeta = await readMeta('f', fbuf, { kind: 'functions', date: META.date, periodSeconds: 300, bytes: fbytes.byteLength, rows: 2 });
    expect(await readFunctions('f', fbuf, fmeta.metadata)).toEqual(configs.map((c) => ({ ...c, tags: { a: 'x', team: 'checkout' } })));
  });

  it('tells a truncated object from a foreign one', async () => {
    const fbytes = encodeFunctions({ ...META, metrics: [...META.metrics] }, [config('a')]);
    const expected = { kind: 'functions' as const, date: META.date, periodSeconds: 300 as const, bytes: fbytes.byteLength, rows: 1 };
    await expect(readMeta('f', bufferFromBytes(fbytes.slice(0, 50)), expected)).rejects.toBeInstanceOf(TruncatedObjectError);
    await expect(readMeta('f', bufferFromBytes(fbytes), { ...expected, kind: 'metrics' })).rejects.toThrow(/f: holds functions of 2026-11-20 at 300 s, expected metrics/);
    await expect(readMeta('f', bufferFromBytes(fbytes), { ...expected, rows: 2 })).rejects.toBeInstanceOf(StoreError);
    const other = new Uint8Array(fbytes.byteLength).fill(1);
    await expect(readMeta('f', bufferFromBytes(other), expected)).rejects.toThrow('f: not a Parquet file');
  });
});
