import { parquetWriteBuffer } from 'hyparquet-writer';
import { localBackend } from '../../src/store/backend.js';
import { writeDay } from '../../src/store/day-io.js';
import { DAY_MS, dayStartMs, type DayStatus, type MetricKey, REQUIRED_KEYS, STORE_SCHEMA, STORE_SCHEMA_VERSION } from '../../src/store/format.js';
import { createMetricsWriter, encodeFunctions, KV_KEY, type StoredConfig } from '../../src/store/parquet.js';

/**
 * Writes one complete store day straight into a local store (no CloudWatch), every metric with
 * the same 60 s series per function. `format: 1` writes it as store format v1 did (metric
 * columns REQUIRED, unknown = NaN), to test that such a day is still read.
 */
export async function writeStoredDay(
  dir: string,
  date: string,
  names: readonly string[],
  series: readonly (readonly (number | null)[])[],
  opts: { format?: 1 | 2; memoryMB?: (i: number) => number; architecture?: (i: number) => 'arm64' | 'x86_64' } = {},
): Promise<DayStatus> {
  const format = opts.format ?? 2;
  const metrics = [...REQUIRED_KEYS];
  const meta = { date, periodSeconds: 60 as const, metrics };
  const metricsOut = format === 2 ? writeV2(meta, names, series) : writeV1(date, names, series);
  const configs = names.map((name, i) =>
    syntheticStoredConfig(
      { name, runtime: 'nodejs22.x', architecture: opts.architecture?.(i) ?? (i % 2 ? 'arm64' : 'x86_64'), memoryMB: opts.memoryMB?.(i) ?? 128 * (1 + (i % 8)) },
      `${date}T23:59:00.000Z`,
      series[i]!.filter((v) => v === null).length,
    ),
  );
  let functionsBytes = encodeFunctions(meta, configs);
  if (format === 1) functionsBytes = asV1(functionsBytes);
  const unknownPoints = configs.reduce((a, c) => a + c.unknownPoints, 0);
  const status = completeDayStatus({
    date,
    metrics,
    functions: names.length,
    unknownPoints,
    functionsWithUnknown: configs.filter((c) => c.unknownPoints > 0).map((c) => c.name).slice(0, 100),
    writtenAt: `${date}T23:59:00.000Z`,
    writer: 'test',
  });
  return writeDay(
    localBackend(dir),
    format === 2 ? status : { ...status, schema: 'lmi-advisor.store/v1', schemaVersion: 1 },
    metricsOut,
    { bytes: functionsBytes, rows: names.length },
  );
}

/** A listed function's stored configuration: the synthetic fleets' fixed settings, nothing measured. */
export function syntheticStoredConfig(
  f: { name: string; runtime: string; architecture: 'arm64' | 'x86_64'; memoryMB: number },
  observedAt: string,
  unknownPoints: number,
): StoredConfig & { name: string } {
  return {
    name: f.name,
    runtime: f.runtime,
    architecture: f.architecture,
    memoryMB: f.memoryMB,
    timeoutSeconds: 30,
    ephemeralStorageMB: 512,
    provisionedConcurrency: 0,
    reservedConcurrency: null,
    packageType: 'Zip',
    tags: {},
    capacityProviderArn: null,
    memoryUsedMBMax: null,
    cpuSecondsPerInvocation: null,
    initMsPerInvocation: null,
    observedAt,
    unknownPoints,
  };
}

/** The status of a complete day at 60 s (the current store format) of us-east-1 in the synthetic account (default 123456789012). */
export function completeDayStatus(day: {
  date: string;
  metrics: MetricKey[];
  functions: number;
  unknownPoints: number;
  functionsWithUnknown: string[];
  writtenAt: string;
  writer: string;
  accountId?: string;
}): Omit<DayStatus, 'objects'> {
  return {
    schema: STORE_SCHEMA,
    schemaVersion: STORE_SCHEMA_VERSION,
    accountId: day.accountId ?? '123456789012',
    region: 'us-east-1',
    date: day.date,
    state: 'complete',
    periodSeconds: 60,
    finestResolution: true,
    coveredUntil: new Date(dayStartMs(day.date) + DAY_MS).toISOString(),
    metrics: day.metrics,
    functions: day.functions,
    unknownPoints: day.unknownPoints,
    functionsWithUnknown: day.functionsWithUnknown,
    writtenAt: day.writtenAt,
    writer: day.writer,
  };
}

function writeV2(meta: { date: string; periodSeconds: 60; metrics: (typeof REQUIRED_KEYS)[number][] }, names: readonly string[], series: readonly (readonly (number | null)[])[]) {
  const w = createMetricsWriter(meta);
  for (let f = 0; f < names.length; f += 250) {
    const part = series.slice(f, f + 250);
    w.add({ names: names.slice(f, f + 250), series: { invocations: part, durationMsSum: part, concurrencyMax: part } });
  }
  return w.finish();
}

/** The v1 metrics object: REQUIRED doubles, NaN for unknown, the v1 schema name in its metadata. */
function writeV1(date: string, names: readonly string[], series: readonly (readonly (number | null)[])[]) {
  const values = Float64Array.from(series.flat(), (v) => (v === null ? Number.NaN : v));
  const dayStart = Date.parse(`${date}T00:00:00Z`);
  const column = (name: string) => ({ name, data: values, type: 'DOUBLE' as const, nullable: false, encoding: 'PLAIN' as const, statistics: false });
  const bytes = parquetWriteBuffer({
    kvMetadata: [{ key: KV_KEY, value: JSON.stringify({ schema: 'lmi-advisor.store/v1', kind: 'metrics', date, periodSeconds: 60, metrics: [...REQUIRED_KEYS] }) }],
    columnData: [
      { name: 'function_name', data: names.flatMap((n) => Array<string>(1440).fill(n)), type: 'STRING', nullable: false },
      { name: 'ts', data: names.flatMap(() => Array.from({ length: 1440 }, (_, i) => BigInt(dayStart + i * 60_000))), type: 'TIMESTAMP', nullable: false },
      column('invocations'),
      column('duration_ms_sum'),
      column('concurrency_max'),
    ],
    rowGroupSize: 250 * 1440,
  });
  return { bytes: new Uint8Array(bytes), rows: values.length };
}

/** The functions object with the v1 schema name in its metadata (its columns did not change). */
function asV1(bytes: Uint8Array): Uint8Array {
  // Same length on purpose ("v2" -> "v1"), so the footer's offsets stay valid.
  const text = Buffer.from(bytes).toString('latin1').replace('"schema":"lmi-advisor.store/v2"', '"schema":"lmi-advisor.store/v1"');
  return new Uint8Array(Buffer.from(text, 'latin1'));
}
