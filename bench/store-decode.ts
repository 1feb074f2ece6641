import { parquetMetadata, parquetRead } from 'hyparquet';
import { parquetWriteBuffer } from 'hyparquet-writer';
import { decodeDoubleChunk } from '../src/store/double-pages.js';
import { bufferFromBytes, createMetricsWriter, readMetricRange } from '../src/store/parquet.js';
import { assembleSeries } from '../src/store/plan.js';

/**
 * Decode speed of one metric column of a store day: `npx tsx bench/store-decode.ts [functions]`
 * (default 250, one row group: 250 x 1,440 minutes = 360,000 doubles, 1 % unknown).
 * Compares hyparquet's parquetRead on the OPTIONAL column (format v2), our page decoder on it,
 * and both on the same values written REQUIRED with NaN (format v1). Prints ms per column
 * (median of 7), the encode time of a whole day batch, and the CPU time of assembleSeries per
 * 14-day series (20,160 points).
 */

const fns = Number(process.argv[2] ?? 250);
const n = fns * 1440;
const values: (number | null)[] = Array.from({ length: n }, (_, i) => (i % 97 === 13 ? null : (i * 7919) % 113 === 0 ? 0 : ((i * 31) % 1000) / 10));

function median(run: () => unknown, times = 7): number {
  const ms: number[] = [];
  for (let k = 0; k < times; k++) {
    const t = performance.now();
    run();
    ms.push(performance.now() - t);
  }
  return ms.sort((a, b) => a - b)[Math.floor(times / 2)]!;
}

async function medianAsync(run: () => Promise<unknown>, times = 7): Promise<number> {
  const ms: number[] = [];
  for (let k = 0; k < times; k++) {
    const t = performance.now();
    await run();
    ms.push(performance.now() - t);
  }
  return ms.sort((a, b) => a - b)[Math.floor(times / 2)]!;
}

function file(required: boolean, codec: 'SNAPPY' | 'UNCOMPRESSED'): ArrayBuffer {
  return parquetWriteBuffer({
    codec,
    columnData: [
      required
        ? { name: 'v', data: Float64Array.from(values, (v) => (v === null ? Number.NaN : v)), type: 'DOUBLE', nullable: false, encoding: 'PLAIN', statistics: false }
        : { name: 'v', data: values, type: 'DOUBLE', nullable: true, encoding: 'PLAIN' },
    ],
    rowGroupSize: n,
  });
}

const figures: Record<string, number> = {};
for (const [required, codec] of [[false, 'SNAPPY'], [false, 'UNCOMPRESSED'], [true, 'SNAPPY']] as const) {
  const ab = file(required, codec);
  const metadata = parquetMetadata(ab);
  const label = `${required ? 'required-nan' : 'optional-null'} ${codec.toLowerCase()}`;
  figures[`${label} parquetRead ms`] = await medianAsync(
    () => parquetRead({ file: ab, metadata, columns: ['v'], onChunk: () => undefined }),
  );
  const meta = metadata.row_groups[0]!.columns[0]!.meta_data!;
  const start = Number(meta.dictionary_page_offset ?? meta.data_page_offset);
  const bytes = new Uint8Array(ab, start, Number(meta.total_compressed_size));
  const target = new Float64Array(n);
  figures[`${label} page decoder ms`] = median(() => {
    if (!decodeDoubleChunk({ bytes, codec: meta.codec, maxDefinitionLevel: required ? 0 : 1 }, 0, n, target, 0)) throw new Error('fallback');
  });
  for (let i = 0; i < n; i++) {
    const v = values[i];
    if (v === null ? !Number.isNaN(target[i]) : target[i] !== v) throw new Error(`${label}: row ${i} reads ${target[i]}, wrote ${v}`);
  }
}

// A whole store day batch (3 metric columns), written and read back through parquet.ts.
const series = Array.from({ length: fns }, (_, f) => values.slice(f * 1440, (f + 1) * 1440));
const names = Array.from({ length: fns }, (_, f) => `fn-${f}`);
let written: Uint8Array = new Uint8Array();
figures['day batch encode ms (3 columns)'] = median(() => {
  const w = createMetricsWriter({ date: '2026-11-20', periodSeconds: 60, metrics: ['invocations', 'durationMsSum', 'concurrencyMax'] });
  w.add({ names, series: { invocations: series, durationMsSum: series, concurrencyMax: series } });
  written = w.finish().bytes;
}, 3);
const buf = bufferFromBytes(written);
const md = parquetMetadata(await buf.slice(0, buf.byteLength));
figures['day batch readMetricRange ms (3 columns)'] = await medianAsync(() =>
  readMetricRange('bench', buf, md, 60, ['invocations', 'durationMsSum', 'concurrencyMax'], 0, fns),
);
// assembleSeries: one function's 14-day window from 14 stored days (CPU, not wall: the machine is shared).
const window = { start: '2026-11-08T00:00:00.000Z', end: '2026-11-22T00:00:00.000Z', periodSeconds: 60 as const };
const day = Float64Array.from({ length: 1440 }, (_, i) => (i % 5 === 0 ? i % 97 : 0));
const assemble = () => assembleSeries(window, 'invocations', () => ({ periodSeconds: 60, series: day }));
for (let k = 0; k < 100; k++) assemble();
const cpu0 = process.cpuUsage();
for (let k = 0; k < 600; k++) assemble();
figures['assembleSeries CPU ms per 20,160-point series'] = process.cpuUsage(cpu0).user / 1000 / 600;
process.stdout.write(`${JSON.stringify({ functions: fns, doubles: n, ...Object.fromEntries(Object.entries(figures).map(([k, v]) => [k, Math.round(v * 100) / 100])) }, null, 1)}\n`);
