import { parquetMetadataAsync, parquetRead, type AsyncBuffer, type FileMetaData } from 'hyparquet';
import { ByteWriter, ParquetWriter, parquetWriteBuffer } from 'hyparquet-writer';
import type { FunctionProfile, PeriodSeconds } from '../source/profile.js';
import { decodeDoubleChunk } from './double-pages.js';
import { StoreError, TruncatedObjectError } from './errors.js';
import { METRIC_COLUMNS, type MetricKey, pointsPerDay, READABLE_SCHEMAS, STORE_SCHEMA } from './format.js';

/**
 * Parquet encoding of a store day (docs/store-format.md). Pure: bytes in, bytes out; where the
 * bytes live is the backend's business. Metrics rows are laid out function by function, each
 * function's full day of periods in time order, in the order of the functions object, so row
 * `f * pointsPerDay + i` is function f's period i (checked on read through the row counts and
 * the key-value metadata).
 */

/** The writer bundles its own hyparquet version: its schema type, not the reader's. */
type SchemaElement = ConstructorParameters<typeof ParquetWriter>[0]['schema'][number];

export const KV_KEY = 'lmi-advisor.store';

/** A function's configuration as stored for a day (what the profile holds besides its series). */
export type StoredConfig = Omit<FunctionProfile, 'series' | 'region'> & { observedAt: string; unknownPoints: number };

export interface DayMeta {
  /** STORE_SCHEMA when written by this version; any of READABLE_SCHEMAS when read. */
  schema: string;
  kind: 'metrics' | 'functions';
  date: string;
  periodSeconds: PeriodSeconds;
  metrics: MetricKey[];
}

const PAR1 = 0x31524150;

function metricsSchema(metrics: readonly MetricKey[]): SchemaElement[] {
  return [
    { name: 'root', num_children: 2 + metrics.length },
    { name: 'function_name', type: 'BYTE_ARRAY', converted_type: 'UTF8', repetition_type: 'REQUIRED' },
    { name: 'ts', type: 'INT64', converted_type: 'TIMESTAMP_MILLIS', repetition_type: 'REQUIRED' },
    // OPTIONAL: unknown is null (a definition level of 0), what SQL engines count and skip.
    // Read back by our own page decoder (double-pages.ts), as fast as REQUIRED doubles.
    ...metrics.map((m): SchemaElement => ({ name: METRIC_COLUMNS[m], type: 'DOUBLE', repetition_type: 'OPTIONAL' })),
  ];
}

/** One batch of functions for the metrics object: full-day series per metric. */
export interface MetricsBatch {
  names: readonly string[];
  /** series[metric][f]: function f's full-day series (pointsPerDay values, null or NaN = unknown). */
  series: Partial<Record<MetricKey, readonly ArrayLike<number | null>[]>>;
}

/** Writes the metrics object batch by batch (one row group per batch) into memory. */
export function createMetricsWriter(meta: Omit<DayMeta, 'kind' | 'schema'>) {
  const writer = new ByteWriter();
  const points = pointsPerDay(meta.periodSeconds);
  const dayStart = Date.parse(`${meta.date}T00:00:00.000Z`);
  const periodMs = meta.periodSeconds * 1000;
  const fullMeta: DayMeta = { schema: STORE_SCHEMA, kind: 'metrics', ...meta };
  const pw = new ParquetWriter({
    writer,
    schema: metricsSchema(meta.metrics),
    kvMetadata: [{ key: KV_KEY, value: JSON.stringify(fullMeta) }],
    createdBy: 'lmi-advisor',
  });
  let rows = 0;
  // The timestamps of one function's day, reused by every function.
  const dayTs: bigint[] = Array.from({ length: points }, (_, i) => BigInt(dayStart + i * periodMs));
  return {
    add(batch: MetricsBatch): void {
      const n = batch.names.length;
      if (n === 0) return;
      const total = n * points;
      const names = new Array<string>(total);
      const ts = new Array<bigint>(total);
      for (let f = 0; f < n; f++) {
        const name = batch.names[f]!;
        for (let i = 0; i < points; i++) {
          names[f * points + i] = name;
          ts[f * points + i] = dayTs[i]!;
        }
      }
      const columnData = [
        { name: 'function_name', data: names, nullable: false },
        { name: 'ts', data: ts, nullable: false },
        ...meta.metrics.map((m) => {
          const perFn = batch.series[m];
          if (!perFn || perFn.length !== n) throw new Error(`metrics batch: ${m} has no series for every function`);
          const data = new Array<number | null>(total);
          for (let f = 0; f < n; f++) {
            const s = perFn[f]!;
            if (s.length !== points) throw new Error(`metrics batch: ${batch.names[f]} ${m} has ${s.length} points, not ${points}`);
            for (let i = 0; i < points; i++) {
              const v = s[i];
              data[f * points + i] = v === null || v === undefined || v !== v ? null : v;
            }
          }
          return { name: METRIC_COLUMNS[m], data, nullable: true, encoding: 'PLAIN' as const };
        }),
      ];
      void pw.write({ columnData, rowGroupSize: total });
      rows += total;
    },
    finish(): { bytes: Uint8Array; rows: number } {
      void pw.finish();
      return { bytes: writer.getBytes(), rows };
    },
  };
}

const CONFIG_SCHEMA: SchemaElement[] = [
  { name: 'root', num_children: 16 },
  { name: 'function_name', type: 'BYTE_ARRAY', converted_type: 'UTF8', repetition_type: 'REQUIRED' },
  { name: 'runtime', type: 'BYTE_ARRAY', converted_type: 'UTF8', repetition_type: 'OPTIONAL' },
  { name: 'architecture', type: 'BYTE_ARRAY', converted_type: 'UTF8', repetition_type: 'REQUIRED' },
  { name: 'memory_mb', type: 'INT32', repetition_type: 'REQUIRED' },
  { name: 'timeout_seconds', type: 'INT32', repetition_type: 'REQUIRED' },
  { name: 'ephemeral_storage_mb', type: 'INT32', repetition_type: 'REQUIRED' },
  { name: 'provisioned_concurrency', type: 'INT32', repetition_type: 'OPTIONAL' },
  { name: 'reserved_concurrency', type: 'INT32', repetition_type: 'OPTIONAL' },
  { name: 'package_type', type: 'BYTE_ARRAY', converted_type: 'UTF8', repetition_type: 'OPTIONAL' },
  { name: 'tags', type: 'BYTE_ARRAY', converted_type: 'JSON', repetition_type: 'REQUIRED' },
  { name: 'capacity_provider_arn', type: 'BYTE_ARRAY', converted_type: 'UTF8', repetition_type: 'OPTIONAL' },
  { name: 'memory_used_mb_max', type: 'DOUBLE', repetition_type: 'OPTIONAL' },
  { name: 'cpu_seconds_per_invocation', type: 'DOUBLE', repetition_type: 'OPTIONAL' },
  { name: 'init_ms_per_invocation', type: 'DOUBLE', repetition_type: 'OPTIONAL' },
  { name: 'observed_at', type: 'INT64', converted_type: 'TIMESTAMP_MILLIS', repetition_type: 'REQUIRED' },
  { name: 'unknown_points', type: 'INT32', repetition_type: 'REQUIRED' },
];

/** The functions object: one row per function, in the metrics object's order. */
export function encodeFunctions(meta: Omit<DayMeta, 'kind' | 'schema'>, configs: readonly (StoredConfig & { name: string })[]): Uint8Array {
  const col = <T>(get: (c: StoredConfig & { name: string }) => T) => configs.map(get);
  const fullMeta: DayMeta = { schema: STORE_SCHEMA, kind: 'functions', ...meta };
  const buffer = parquetWriteBuffer({
    schema: CONFIG_SCHEMA,
    kvMetadata: [{ key: KV_KEY, value: JSON.stringify(fullMeta) }],
    createdBy: 'lmi-advisor',
    columnData: [
      { name: 'function_name', data: col((c) => c.name) },
      { name: 'runtime', data: col((c) => c.runtime) },
      { name: 'architecture', data: col((c) => c.architecture) },
      { name: 'memory_mb', data: col((c) => c.memoryMB) },
      { name: 'timeout_seconds', data: col((c) => c.timeoutSeconds) },
      { name: 'ephemeral_storage_mb', data: col((c) => c.ephemeralStorageMB) },
      { name: 'provisioned_concurrency', data: col((c) => c.provisionedConcurrency) },
      { name: 'reserved_concurrency', data: col((c) => c.reservedConcurrency ?? null) },
      { name: 'package_type', data: col((c) => c.packageType ?? null) },
      // Keys sorted: the same tags give the same bytes.
      { name: 'tags', data: col((c) => JSON.stringify(Object.fromEntries(Object.entries(c.tags).sort(([a], [b]) => (a < b ? -1 : 1))))) },
      { name: 'capacity_provider_arn', data: col((c) => c.capacityProviderArn ?? null) },
      { name: 'memory_used_mb_max', data: col((c) => c.memoryUsedMBMax ?? null) },
      { name: 'cpu_seconds_per_invocation', data: col((c) => c.cpuSecondsPerInvocation ?? null) },
      { name: 'init_ms_per_invocation', data: col((c) => c.initMsPerInvocation ?? null) },
      { name: 'observed_at', data: col((c) => BigInt(Date.parse(c.observedAt))) },
      { name: 'unknown_points', data: col((c) => c.unknownPoints) },
    ],
  });
  return new Uint8Array(buffer);
}

export function bufferFromBytes(bytes: Uint8Array): AsyncBuffer {
  const ab = bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer;
  return { byteLength: ab.byteLength, slice: (start, end) => ab.slice(start, end) };
}

/**
 * Reads and checks an object's footer: a Parquet file of ours, of the expected kind, date and
 * period. `expectedBytes` is the size the status recorded: a shorter object is truncated.
 */
export async function readMeta(
  location: string,
  buffer: AsyncBuffer,
  expected: { kind: DayMeta['kind']; date: string; periodSeconds: PeriodSeconds; bytes: number; rows: number },
): Promise<{ metadata: FileMetaData; meta: DayMeta }> {
  if (buffer.byteLength < expected.bytes) {
    throw new TruncatedObjectError(location, `${buffer.byteLength} bytes, the status recorded ${expected.bytes}: truncated`);
  }
  if (buffer.byteLength !== expected.bytes) {
    throw new StoreError(location, `${buffer.byteLength} bytes, the status recorded ${expected.bytes}: not the object the status describes`);
  }
  const head = new DataView(await buffer.slice(0, 4));
  const tail = new DataView(await buffer.slice(Math.max(0, buffer.byteLength - 4)));
  if (buffer.byteLength < 12 || head.getUint32(0, true) !== PAR1) throw new StoreError(location, 'not a Parquet file');
  if (tail.getUint32(0, true) !== PAR1) throw new TruncatedObjectError(location, 'no Parquet footer: truncated');
  let metadata: FileMetaData;
  try {
    metadata = await parquetMetadataAsync(buffer);
  } catch (cause) {
    throw new StoreError(location, `unreadable Parquet footer (${(cause as Error).message})`, { cause });
  }
  const kv = metadata.key_value_metadata?.find((k) => k.key === KV_KEY)?.value;
  let meta: DayMeta;
  try {
    meta = JSON.parse(kv ?? 'null') as DayMeta;
  } catch {
    throw new StoreError(location, `bad ${KV_KEY} metadata`);
  }
  if (!meta || typeof meta !== 'object') throw new StoreError(location, `not a lmi-advisor store object (no ${KV_KEY} metadata)`);
  if (!READABLE_SCHEMAS.has(meta.schema)) {
    throw new StoreError(location, `unknown store schema ${JSON.stringify(meta.schema)}; this version reads ${STORE_SCHEMA} (and lmi-advisor.store/v1)`);
  }
  if (meta.kind !== expected.kind || meta.date !== expected.date || meta.periodSeconds !== expected.periodSeconds) {
    throw new StoreError(location, `holds ${meta.kind} of ${meta.date} at ${meta.periodSeconds} s, expected ${expected.kind} of ${expected.date} at ${expected.periodSeconds} s`);
  }
  if (Number(metadata.num_rows) !== expected.rows) {
    throw new StoreError(location, `${metadata.num_rows} rows, the status recorded ${expected.rows}`);
  }
  return { metadata, meta };
}

async function readColumns(
  location: string,
  buffer: AsyncBuffer,
  metadata: FileMetaData,
  columns: string[],
  rowStart: number,
  rowEnd: number,
): Promise<Map<string, unknown[]>> {
  const out = new Map<string, unknown[]>(columns.map((c) => [c, new Array<unknown>(rowEnd - rowStart)]));
  try {
    await parquetRead({
      file: buffer,
      metadata,
      columns,
      rowStart,
      rowEnd,
      onChunk: (chunk) => {
        const target = out.get(chunk.columnName);
        if (!target) return;
        const from = Math.max(chunk.rowStart, rowStart);
        const to = Math.min(chunk.rowEnd, rowEnd);
        for (let r = from; r < to; r++) target[r - rowStart] = chunk.columnData[r - chunk.rowStart];
      },
    });
  } catch (cause) {
    throw new StoreError(location, `unreadable Parquet data (${(cause as Error).message})`, { cause });
  }
  return out;
}

/** The functions object, in row order. */
export async function readFunctions(location: string, buffer: AsyncBuffer, metadata: FileMetaData): Promise<(StoredConfig & { name: string })[]> {
  const rows = Number(metadata.num_rows);
  const names = CONFIG_SCHEMA.slice(1).map((s) => s.name);
  const missing = names.filter((n) => !metadata.schema.some((s) => s.name === n));
  if (missing.length > 0) throw new StoreError(location, `missing columns ${missing.join(', ')}`);
  const cols = await readColumns(location, buffer, metadata, names, 0, rows);
  const c = (name: string) => cols.get(name)!;
  const out: (StoredConfig & { name: string })[] = [];
  for (let r = 0; r < rows; r++) {
    const num = (name: string) => {
      const v = c(name)[r];
      return v === null || v === undefined ? null : Number(v);
    };
    const str = (name: string) => {
      const v = c(name)[r];
      return v === null || v === undefined ? null : String(v);
    };
    const tagsRaw = c('tags')[r];
    const tags = (typeof tagsRaw === 'string' ? JSON.parse(tagsRaw) : tagsRaw) as Record<string, string>;
    const observed = c('observed_at')[r];
    const pkg = str('package_type');
    out.push({
      name: String(c('function_name')[r]),
      runtime: str('runtime'),
      architecture: str('architecture') === 'arm64' ? 'arm64' : 'x86_64',
      memoryMB: num('memory_mb')!,
      timeoutSeconds: num('timeout_seconds')!,
      ephemeralStorageMB: num('ephemeral_storage_mb')!,
      provisionedConcurrency: num('provisioned_concurrency'),
      reservedConcurrency: num('reserved_concurrency'),
      ...(pkg === 'Zip' || pkg === 'Image' ? { packageType: pkg } : {}),
      tags,
      capacityProviderArn: str('capacity_provider_arn'),
      memoryUsedMBMax: num('memory_used_mb_max'),
      cpuSecondsPerInvocation: num('cpu_seconds_per_invocation'),
      initMsPerInvocation: num('init_ms_per_invocation'),
      observedAt: observed instanceof Date ? observed.toISOString() : new Date(Number(observed)).toISOString(),
      unknownPoints: num('unknown_points') ?? 0,
    });
  }
  return out;
}

/**
 * The metric values of the functions at rows [fnStart, fnEnd) of the functions object: per
 * metric one Float64Array, function after function, each a full day (NaN = unknown: a null in
 * format v2, a NaN in v1). Only the metric columns are read (the layout is fixed, see above),
 * page by page straight into the typed arrays (double-pages.ts); a chunk that decoder does not
 * handle (not written by us) goes through hyparquet's general reader instead.
 */
export async function readMetricRange(
  location: string,
  buffer: AsyncBuffer,
  metadata: FileMetaData,
  periodSeconds: PeriodSeconds,
  metrics: readonly MetricKey[],
  fnStart: number,
  fnEnd: number,
): Promise<Map<MetricKey, Float64Array>> {
  const points = pointsPerDay(periodSeconds);
  const byColumn = new Map<string, MetricKey>(metrics.map((m) => [METRIC_COLUMNS[m], m]));
  const maxDef = new Map<string, 0 | 1>();
  for (const col of byColumn.keys()) {
    const element = metadata.schema.find((s) => s.name === col);
    if (!element) throw new StoreError(location, `missing column ${col}`);
    if (element.type !== 'DOUBLE') throw new StoreError(location, `column ${col} is ${element.type}, not DOUBLE`);
    maxDef.set(col, element.repetition_type === 'REQUIRED' ? 0 : 1);
  }
  const rowStart = fnStart * points;
  const rowEnd = fnEnd * points;
  // Not pre-filled: the page decoder writes every row of the range (NaN where unknown); the
  // general reader's fallback fills first.
  const out = new Map<MetricKey, Float64Array>(metrics.map((m) => [m, new Float64Array(rowEnd - rowStart)]));
  let covered = 0;
  let groupStart = 0;
  for (const group of metadata.row_groups) {
    const groupRows = Number(group.num_rows);
    const from = Math.max(rowStart, groupStart);
    const to = Math.min(rowEnd, groupStart + groupRows);
    if (from < to) {
      const chunks = [...byColumn.keys()].map((col) => {
        const meta = group.columns.find((c) => c.meta_data?.path_in_schema.length === 1 && c.meta_data.path_in_schema[0] === col)?.meta_data;
        if (!meta) throw new StoreError(location, `row group without column ${col}`);
        const start = Number(meta.dictionary_page_offset ?? meta.data_page_offset);
        return { col, meta, start, end: start + Number(meta.total_compressed_size) };
      });
      // One read for the row group's wanted columns (adjacent in the file).
      const spanStart = Math.min(...chunks.map((c) => c.start));
      const spanEnd = Math.max(...chunks.map((c) => c.end));
      if (spanEnd > buffer.byteLength) throw new StoreError(location, `column chunk beyond the end of the object`);
      const span = new Uint8Array(await buffer.slice(spanStart, spanEnd));
      for (const c of chunks) {
        const target = out.get(byColumn.get(c.col)!)!;
        const chunk = { bytes: span.subarray(c.start - spanStart, c.end - spanStart), codec: c.meta.codec, maxDefinitionLevel: maxDef.get(c.col)! };
        let done: boolean;
        try {
          done = decodeDoubleChunk(chunk, from - groupStart, to - groupStart, target, from - rowStart);
        } catch (cause) {
          throw new StoreError(location, `unreadable Parquet data in ${c.col} (${(cause as Error).message})`, { cause });
        }
        if (!done) return readMetricRangeGeneric(location, buffer, metadata, byColumn, rowStart, rowEnd, out);
      }
      covered += to - from;
    }
    groupStart += groupRows;
  }
  if (covered !== rowEnd - rowStart) throw new StoreError(location, `rows ${rowStart}-${rowEnd} asked, the row groups hold ${covered} of them`);
  return out;
}

/** hyparquet's general reader (nested assembly; slow for OPTIONAL columns, see double-pages.ts). */
async function readMetricRangeGeneric(
  location: string,
  buffer: AsyncBuffer,
  metadata: FileMetaData,
  byColumn: Map<string, MetricKey>,
  rowStart: number,
  rowEnd: number,
  out: Map<MetricKey, Float64Array>,
): Promise<Map<MetricKey, Float64Array>> {
  for (const values of out.values()) values.fill(Number.NaN);
  try {
    await parquetRead({
      file: buffer,
      metadata,
      columns: [...byColumn.keys()],
      rowStart,
      rowEnd,
      onChunk: (chunk) => {
        const m = byColumn.get(chunk.columnName);
        if (!m) return;
        const target = out.get(m)!;
        const from = Math.max(chunk.rowStart, rowStart);
        const to = Math.min(chunk.rowEnd, rowEnd);
        const data = chunk.columnData as ArrayLike<number | null>;
        for (let r = from; r < to; r++) {
          const v = data[r - chunk.rowStart];
          target[r - rowStart] = v === null || v === undefined ? Number.NaN : v;
        }
      },
    });
  } catch (cause) {
    throw new StoreError(location, `unreadable Parquet data (${(cause as Error).message})`, { cause });
  }
  return out;
}
