/**
 * The bytes a what-if page carries: the WhatIfData JSON without the compact replays' long arrays,
 * followed by those arrays as columns of variable-length integers (served runs, throttle pairs,
 * chart marks and peaks of all functions, one column each, so deflate sees alike bytes together). Every
 * value is a whole number in the synthetic and the real series; a replay holding any other number
 * stays in the JSON as it is, so packing never rounds. The page gzips the bytes and base64s them.
 *
 * Layout: u32 (little-endian) JSON byte length, the JSON (UTF-8), then per column a u32 byte
 * length and its bytes.
 */
import type { WhatIfData } from './data.js';
import { parseData, stringifyData } from './json.js';
import type { CompactReplayData } from './replay-compact.js';

/** Above this a whole number is kept in the JSON (zigzag doubles it: stay far below 2^53). */
const MAX_PACKED = 2 ** 50;

/** How many values each packed replay put in the columns; null: the replay is in the JSON. */
type PackedCounts = [runs: number, pairs: number, marks: number, buckets: number] | null;

class ByteWriter {
  private buffer = new Uint8Array(1 << 16);
  length = 0;
  private room(n: number): void {
    if (this.length + n <= this.buffer.length) return;
    let size = this.buffer.length * 2;
    while (size < this.length + n) size *= 2;
    const grown = new Uint8Array(size);
    grown.set(this.buffer.subarray(0, this.length));
    this.buffer = grown;
  }
  /** Unsigned whole number < 2^53, 7 bits per byte (arithmetic, not 32-bit bit operations). */
  varint(value: number): void {
    this.room(8);
    let v = value;
    while (v >= 128) {
      this.buffer[this.length++] = (v % 128) + 128;
      v = Math.floor(v / 128);
    }
    this.buffer[this.length++] = v;
  }
  bytes(): Uint8Array {
    return this.buffer.subarray(0, this.length);
  }
}

class ByteReader {
  at = 0;
  constructor(private readonly bytes: Uint8Array) {}
  varint(): number {
    let value = 0;
    let scale = 1;
    for (;;) {
      if (this.at >= this.bytes.length) throw new Error('what-if data: a column ends early');
      const b = this.bytes[this.at++] as number;
      value += (b % 128) * scale;
      if (b < 128) return value;
      scale *= 128;
    }
  }
}

const zigzag = (v: number): number => (v >= 0 ? 2 * v : -2 * v - 1);
const unzigzag = (z: number): number => (z % 2 === 0 ? z / 2 : -(z + 1) / 2);

function packable(r: CompactReplayData): boolean {
  const whole = (v: number | null) => v === null || (Number.isSafeInteger(v) && Math.abs(v) < MAX_PACKED);
  // The columns hold parallel arrays by one count each: any other shape stays in the JSON as it is.
  const pairs = r.pairServed.length;
  return (
    r.servedLengths.length === r.servedValues.length &&
    r.pairConcurrency.length === pairs &&
    r.pairInvocations.length === pairs &&
    r.markPairs.length === r.markGaps.length &&
    r.servedValues.every(whole) &&
    r.servedLengths.every((v) => whole(v) && v >= 0) &&
    r.pairServed.every(whole) &&
    r.pairConcurrency.every(whole) &&
    r.pairInvocations.every((v) => whole(v) && v >= 0) &&
    r.markGaps.every((v) => whole(v) && v >= 0) &&
    r.markPairs.every((v) => whole(v) && v >= 0) &&
    r.bucketPeak.every(whole)
  );
}

const COLUMNS = 8;

export function packData(data: WhatIfData): Uint8Array {
  const columns = Array.from({ length: COLUMNS }, () => new ByteWriter());
  const [served, lengths, pairServed, pairConcurrency, pairInvocations, markGaps, markPairs, peaks] = columns as ByteWriter[] as [
    ByteWriter, ByteWriter, ByteWriter, ByteWriter, ByteWriter, ByteWriter, ByteWriter, ByteWriter,
  ];
  const deltas = (writer: ByteWriter, values: readonly number[]) => {
    let previous = 0;
    for (const v of values) {
      writer.varint(zigzag(v - previous));
      previous = v;
    }
  };
  const counts: PackedCounts[] = [];
  const functions = data.functions.map((f) => {
    const r = f.sizing?.replay;
    if (!f.sizing || !r || !packable(r)) {
      counts.push(null);
      return f;
    }
    counts.push([r.servedValues.length, r.pairServed.length, r.markGaps.length, r.bucketPeak.length]);
    deltas(served, r.servedValues);
    for (const n of r.servedLengths) lengths.varint(n);
    deltas(pairServed, r.pairServed);
    deltas(pairConcurrency, r.pairConcurrency);
    for (const i of r.pairInvocations) pairInvocations.varint(i);
    for (const g of r.markGaps) markGaps.varint(g);
    deltas(markPairs, r.markPairs);
    let previous = 0;
    for (const p of r.bucketPeak) {
      if (p === null) peaks.varint(0);
      else {
        peaks.varint(zigzag(p - previous) + 1);
        previous = p;
      }
    }
    const empty: CompactReplayData = {
      ...r,
      servedValues: [],
      servedLengths: [],
      pairServed: [],
      pairConcurrency: [],
      pairInvocations: [],
      markGaps: [],
      markPairs: [],
      bucketPeak: [],
    };
    return { ...f, sizing: { ...f.sizing, replay: empty } };
  });
  const json = new TextEncoder().encode(stringifyData({ ...data, functions, packedCounts: counts }));
  const parts = [json, ...columns.map((c) => c.bytes())];
  const out = new Uint8Array(parts.reduce((n, p) => n + 4 + p.length, 0));
  const view = new DataView(out.buffer);
  let at = 0;
  for (const part of parts) {
    view.setUint32(at, part.length, true);
    out.set(part, at + 4);
    at += 4 + part.length;
  }
  return out;
}

export function unpackData(bytes: Uint8Array): WhatIfData {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const parts: Uint8Array[] = [];
  let at = 0;
  while (at < bytes.length) {
    const length = view.getUint32(at, true);
    parts.push(bytes.subarray(at + 4, at + 4 + length));
    at += 4 + length;
  }
  if (parts.length !== 1 + COLUMNS) throw new Error(`what-if data: ${parts.length} parts, expected ${1 + COLUMNS}`);
  const { packedCounts, ...data } = parseData<WhatIfData & { packedCounts: PackedCounts[] }>(new TextDecoder().decode(parts[0]));
  const [served, lengths, pairServed, pairConcurrency, pairInvocations, markGaps, markPairs, peaks] = parts.slice(1).map((p) => new ByteReader(p)) as [
    ByteReader, ByteReader, ByteReader, ByteReader, ByteReader, ByteReader, ByteReader, ByteReader,
  ];
  const deltas = (reader: ByteReader, n: number, into: number[]) => {
    let previous = 0;
    for (let k = 0; k < n; k++) into.push((previous += unzigzag(reader.varint())));
  };
  data.functions.forEach((f, i) => {
    const counts = packedCounts[i];
    if (!counts || !f.sizing) return;
    const [runs, pairs, marks, buckets] = counts;
    const r = f.sizing.replay;
    deltas(served, runs, r.servedValues);
    for (let k = 0; k < runs; k++) r.servedLengths.push(lengths.varint());
    deltas(pairServed, pairs, r.pairServed);
    deltas(pairConcurrency, pairs, r.pairConcurrency);
    for (let k = 0; k < pairs; k++) r.pairInvocations.push(pairInvocations.varint());
    for (let k = 0; k < marks; k++) r.markGaps.push(markGaps.varint());
    deltas(markPairs, marks, r.markPairs);
    let previous = 0;
    for (let k = 0; k < buckets; k++) {
      const v = peaks.varint();
      r.bucketPeak.push(v === 0 ? null : (previous += unzigzag(v - 1)));
    }
  });
  return data;
}
