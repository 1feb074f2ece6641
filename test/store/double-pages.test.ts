import { DuckDBInstance } from '@duckdb/node-api';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parquetMetadata, parquetReadObjects, type FileMetaData } from 'hyparquet';
import { parquetWriteBuffer } from 'hyparquet-writer';
import { describe, expect, it } from 'vitest';
import { decodeDoubleChunk } from '../../src/store/double-pages.js';
import { bufferFromBytes, readMetricRange } from '../../src/store/parquet.js';
import { tempStore } from './fake-store-account.js';

/**
 * The metric-column page decoder gives exactly what hyparquet's general reader gives (null as
 * NaN), for every page layout it claims, any row range; what it does not handle it says so.
 */

function chunkOf(bytes: Uint8Array, metadata: FileMetaData, group = 0) {
  const m = metadata.row_groups[group]!.columns[0]!.meta_data!;
  const start = Number(m.dictionary_page_offset ?? m.data_page_offset);
  return { bytes: bytes.subarray(start, start + Number(m.total_compressed_size)), codec: m.codec };
}

async function generic(bytes: Uint8Array): Promise<(number | null)[]> {
  const rows = (await parquetReadObjects({ file: bufferFromBytes(bytes), columns: ['v'] })) as { v: number | null }[];
  return rows.map((r) => r.v);
}

const asNull = (a: ArrayLike<number>) => Array.from(a, (v) => (Number.isNaN(v) ? null : v));

// Null patterns: none, scattered (bit-packed levels), long runs (RLE levels), all.
const patterns: Record<string, (i: number) => boolean> = {
  none: () => false,
  scattered: (i) => i % 13 === 5 || i % 17 === 0,
  runs: (i) => (i >= 1000 && i < 2500) || i >= 9000,
  all: () => true,
};
const N = 10_000;
const value = (i: number) => (i % 3 === 0 ? 0 : (i * 7919) % 1000 / 8);

describe('decodeDoubleChunk', () => {
  for (const [name, isNull] of Object.entries(patterns)) {
    for (const codec of ['SNAPPY', 'UNCOMPRESSED'] as const) {
      it(`OPTIONAL column, nulls ${name}, ${codec}, several pages: any row range as the general reader`, async () => {
        const values = Array.from({ length: N }, (_, i) => (isNull(i) ? null : value(i)));
        const bytes = new Uint8Array(
          parquetWriteBuffer({ codec, pageSize: 20_000, columnData: [{ name: 'v', data: values, type: 'DOUBLE', nullable: true, encoding: 'PLAIN' }], rowGroupSize: N }),
        );
        const expected = await generic(bytes);
        expect(expected).toEqual(values);
        const chunk = { ...chunkOf(bytes, parquetMetadata(bytes.buffer as ArrayBuffer)), maxDefinitionLevel: 1 as const };
        for (const [from, to] of [[0, N], [0, 1], [1, 9], [2499, 2501], [4321, 8765], [N - 1, N]] as const) {
          const target = new Float64Array(to - from + 4).fill(-1);
          expect(decodeDoubleChunk(chunk, from, to, target, 2)).toBe(true);
          expect(asNull(target.subarray(2, 2 + to - from))).toEqual(expected.slice(from, to));
          expect([target[0], target[1], target[to - from + 2], target[to - from + 3]]).toEqual([-1, -1, -1, -1]);
        }
      });
    }
  }

  it('REQUIRED column (store format v1): NaN stays NaN', async () => {
    const values = Float64Array.from({ length: N }, (_, i) => (patterns['scattered']!(i) ? Number.NaN : value(i)));
    const bytes = new Uint8Array(
      parquetWriteBuffer({ pageSize: 20_000, columnData: [{ name: 'v', data: values, type: 'DOUBLE', nullable: false, encoding: 'PLAIN', statistics: false }], rowGroupSize: N }),
    );
    const chunk = { ...chunkOf(bytes, parquetMetadata(bytes.buffer as ArrayBuffer)), maxDefinitionLevel: 0 as const };
    const target = new Float64Array(500);
    expect(decodeDoubleChunk(chunk, 3000, 3500, target, 0)).toBe(true);
    expect(asNull(target)).toEqual(asNull(values.subarray(3000, 3500)));
  });

  it('pages it does not handle (DuckDB dictionary pages) are refused; readMetricRange falls back to the general reader', async () => {
    const dir = await tempStore();
    const db = await DuckDBInstance.create(':memory:');
    const conn = await db.connect();
    const file = join(dir, 'dict.parquet');
    await conn.run(`COPY (SELECT CASE WHEN i % 7 = 3 THEN NULL ELSE (i * 37 % 100) / 10.0 END::DOUBLE AS invocations FROM range(2880) t(i)) TO '${file}' (FORMAT parquet)`);
    conn.closeSync();
    const bytes = new Uint8Array(await readFile(file));
    const metadata = parquetMetadata(bytes.buffer as ArrayBuffer);
    expect(decodeDoubleChunk({ ...chunkOf(bytes, metadata), maxDefinitionLevel: 1 }, 0, 2880, new Float64Array(2880), 0)).toBe(false);
    const range = await readMetricRange('dict.parquet', bufferFromBytes(bytes), metadata, 60, ['invocations'], 1, 2);
    expect(asNull(range.get('invocations')!)).toEqual(Array.from({ length: 1440 }, (_, k) => ((1440 + k) % 7 === 3 ? null : (((1440 + k) * 37) % 100) / 10)));
  });

  it('DuckDB PLAIN data pages (version 1 pages, levels length-prefixed) decode as the general reader', async () => {
    const dir = await tempStore();
    const db = await DuckDBInstance.create(':memory:');
    const conn = await db.connect();
    const file = join(dir, 'plain.parquet');
    // Distinct values everywhere: DuckDB gives up its dictionary and writes PLAIN pages.
    await conn.run(`COPY (SELECT CASE WHEN i % 11 = 4 THEN NULL ELSE i * 1.000123 END::DOUBLE AS v FROM range(${N}) t(i)) TO '${file}' (FORMAT parquet, COMPRESSION snappy)`);
    conn.closeSync();
    const bytes = new Uint8Array(await readFile(file));
    const metadata = parquetMetadata(bytes.buffer as ArrayBuffer);
    expect(metadata.row_groups[0]!.columns[0]!.meta_data!.encodings).toContain('PLAIN');
    const target = new Float64Array(N);
    expect(decodeDoubleChunk({ ...chunkOf(bytes, metadata), maxDefinitionLevel: 1 }, 0, N, target, 0)).toBe(true);
    expect(asNull(target)).toEqual(await generic(bytes));
  });
});
