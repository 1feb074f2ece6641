/**
 * The bytes a what-if page carries: the WhatIfData JSON without the compact replays' long arrays,
 * and those arrays range-coded (range-coder.ts) with models that know what they hold. Every value
 * is a whole number in the synthetic and the real series; a replay holding any other number stays
 * in the JSON as it is, so packing never rounds. page.ts gzips the JSON and embeds both as text
 * (text93.ts).
 *
 * What the models use (each only to predict; what does not fit is still coded exactly):
 * - served runs: a run's length depends on the steps into and out of it (a sliding-window max
 *   rises on a new peak and falls exactly when one leaves the window), so each step is coded
 *   before the length of the run it ends, in contexts of the neighbouring steps and lengths;
 * - chart peaks: a bucket's peak concurrency is the max of the served series over the periods
 *   whose window covers exactly the bucket (lmi.scaleOutMinutes / scaleInMinutes), so only the
 *   difference from that is coded;
 * - chart marks: a bucket's marked pairs have a served level the bucket holds and rise in served
 *   level and concurrency, so each is coded as its place among the pairs that qualify.
 * A replay whose arrays do not have that shape (lengths summing to `periods`, steps not 0, marks
 * among their candidates) is coded plainly, still exactly.
 */
import type { WhatIfData, WhatIfFunction } from './data.js';
import { fromColumns, type Json, toColumns } from './columns.js';
import { parseData, stringifyData } from './json.js';
import { BitModels, IntegerModel, RangeDecoder, RangeEncoder, SmallIntegerModel, unzigzag, zigzag } from './range-coder.js';
import type { CompactReplayData } from './replay-compact.js';

/** Above this a whole number is kept in the JSON (zigzag and differences double it: stay far below 2^53). */
const MAX_PACKED = 2 ** 50;

/** Longest series (periods) whose structure the coder expands; longer ones are coded plainly. */
const MAX_STRUCTURED_PERIODS = 1 << 24;

export interface PackedData {
  /** UTF-8 JSON of the data without the packed arrays. */
  json: Uint8Array;
  /** The packed arrays of every function, in order, range-coded. */
  coded: Uint8Array;
}

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

/** The served series runs cover `periods` exactly, with lengths >= 1 and a step between runs. */
function structured(r: CompactReplayData): boolean {
  if (!(Number.isSafeInteger(r.periods) && r.periods > 0 && r.periods <= MAX_STRUCTURED_PERIODS)) return false;
  if (!(Number.isSafeInteger(r.bucketPeriods) && r.bucketPeriods >= 1)) return false;
  let sum = 0;
  for (let i = 0; i < r.servedLengths.length; i++) {
    if ((r.servedLengths[i] as number) < 1) return false;
    if (i > 0 && r.servedValues[i] === r.servedValues[i - 1]) return false;
    sum += r.servedLengths[i] as number;
  }
  return sum === r.periods && Math.ceil(r.periods / r.bucketPeriods) === r.bucketPeak.length;
}

// Context classes.
const STEP_CLASSES = 11;
/** A step between runs: none, then sign x magnitude 1, 2, 3-4, 5-8, 9+. */
function stepClass(d: number | null): number {
  if (d === null) return 0;
  const a = Math.abs(d);
  const m = a <= 2 ? a - 1 : a <= 4 ? 2 : a <= 8 ? 3 : 4;
  return 1 + (d > 0 ? 0 : 5) + Math.max(0, m);
}
const LENGTH_CLASSES = 7;
/** A run length: none, 1-3, 4-8, 9-14, 15-16, 17-31, 32+. */
function lengthClass(l: number | null): number {
  if (l === null) return 0;
  return l <= 3 ? 1 : l <= 8 ? 2 : l <= 14 ? 3 : l <= 16 ? 4 : l <= 31 ? 5 : 6;
}
const LEVEL_CLASSES = 14;
/** A served level: its bit length, capped. */
function levelClass(v: number): number {
  let k = 0;
  let a = Math.abs(v);
  while (a >= 1 && k < LEVEL_CLASSES - 1) {
    a = Math.floor(a / 2);
    k++;
  }
  return k;
}
const bitLength = (v: number): number => {
  let k = 0;
  while (v >= 1 && k < 40) {
    v = Math.floor(v / 2);
    k++;
  }
  return k;
};

/** The models, made the same way on both sides. */
class Models {
  readonly mode = new BitModels(1);
  readonly count = new IntegerModel(4, 40);
  readonly first = new IntegerModel(1, 40);
  readonly sign = new BitModels(STEP_CLASSES * LENGTH_CLASSES * LEVEL_CLASSES);
  readonly step = new SmallIntegerModel(2 * STEP_CLASSES * LENGTH_CLASSES * LEVEL_CLASSES, 2);
  readonly length = new SmallIntegerModel(STEP_CLASSES * STEP_CLASSES * LENGTH_CLASSES, 5);
  readonly pairServed = new IntegerModel(2, 40);
  readonly pairConcurrency = new IntegerModel(2, 40);
  readonly invocations = new IntegerModel(42, 40);
  readonly markCount = new IntegerModel(4 * 8, 10);
  readonly markPlace = new IntegerModel(4 * 8, 10);
  readonly peakNull = new BitModels(2);
  readonly peak = new IntegerModel(2, 40);
  /** Plain coding (a replay without the structure). */
  readonly plain = new IntegerModel(8, 40);
}

/**
 * Each bucket's distinct served levels, ascending, bucket after bucket (the runs that overlap it);
 * `at(b)` with b rising returns one array reused: read it before the next call.
 */
class BucketLevels {
  private run = 0;
  private runStart = 0;
  private readonly out: number[] = [];
  constructor(private readonly r: CompactReplayData) {}

  at(b: number): number[] {
    const { servedValues: values, servedLengths: lengths, bucketPeriods } = this.r;
    const start = b * bucketPeriods;
    const end = start + bucketPeriods;
    while (this.run < values.length && this.runStart + (lengths[this.run] as number) <= start) this.runStart += lengths[this.run++] as number;
    const out = this.out;
    out.length = 0;
    for (let k = this.run, from = this.runStart; k < values.length && from < end; from += lengths[k++] as number) {
      const v = values[k] as number;
      // Insert in ascending order, once (a bucket holds a few levels).
      let at = out.length;
      while (at > 0 && (out[at - 1] as number) > v) at--;
      if (at > 0 && out[at - 1] === v) continue;
      out.splice(at, 0, v);
    }
    return out;
  }
}

/** A bucket's peak as the served runs give it (null: no prediction). */
function predictedPeaks(r: CompactReplayData, buckets: number, data: WhatIfData): (number | null)[] {
  const per = data.window.periodSeconds;
  const lag = Math.round((data.config.lmi.scaleOutMinutes * 60) / per);
  const width = Math.round((data.config.lmi.scaleInMinutes * 60) / per);
  const out: (number | null)[] = [];
  // The run holding period `from` (windows only move forward).
  let run = 0;
  let runStart = 0;
  for (let b = 0; b < buckets; b++) {
    // served[p] = max concurrency over [p - lag - width, p - lag]: p from start + lag + width to
    // end + lag covers the bucket exactly.
    const start = b * r.bucketPeriods;
    const end = Math.min(r.periods, start + r.bucketPeriods) - 1;
    const from = start + lag + width;
    const to = end + lag;
    if (!(Number.isFinite(from) && Number.isFinite(to)) || from > to || to >= r.periods) {
      out.push(null);
      continue;
    }
    while (run < r.servedValues.length && runStart + (r.servedLengths[run] as number) <= from) runStart += r.servedLengths[run++] as number;
    let max = -Infinity;
    for (let k = run, at = runStart; k < r.servedValues.length && at <= to; at += r.servedLengths[k++] as number) {
      if ((r.servedValues[k] as number) > max) max = r.servedValues[k] as number;
    }
    out.push(max);
  }
  return out;
}

/** The pairs by served level, and each pair's rank in the candidates' order. */
interface PairIndex {
  byLevel: Map<number, number[]>;
  /** Pairs by concurrency descending, then served level and index ascending. */
  order: number[];
  rank: Int32Array;
  /** Room for a bucket's candidates (bucketCandidates and below reuse it). */
  scratch: Int32Array;
}

function pairIndex(r: CompactReplayData): PairIndex {
  const byLevel = new Map<number, number[]>();
  r.pairServed.forEach((s, j) => {
    const list = byLevel.get(s);
    if (list === undefined) byLevel.set(s, [j]);
    else list.push(j);
  });
  const served = r.pairServed;
  const concurrency = r.pairConcurrency;
  const order = r.pairServed.map((_, j) => j);
  order.sort((x, y) => (concurrency[y] as number) - (concurrency[x] as number) || (served[x] as number) - (served[y] as number) || x - y);
  const rank = new Int32Array(order.length);
  order.forEach((j, k) => (rank[j] = k));
  return { byLevel, order, rank, scratch: new Int32Array(order.length) };
}

/**
 * Candidates for a bucket's top mark: pairs whose served level is one the bucket holds, with a
 * concurrency not above the bucket's peak; by concurrency descending, then served level and index
 * ascending (the top mark is most often the peak's pair).
 */
function bucketCandidates(r: CompactReplayData, pairs: PairIndex, levels: readonly number[], peak: number | null): Int32Array {
  const out = pairs.scratch;
  let n = 0;
  const concurrency = r.pairConcurrency;
  for (const level of levels) {
    const list = pairs.byLevel.get(level);
    if (list === undefined) continue;
    for (const j of list) if (peak === null || (concurrency[j] as number) <= peak) out[n++] = pairs.rank[j] as number;
  }
  // By rank: a numeric sort of a typed array, in place (no comparator call, no new array).
  const sorted = out.subarray(0, n).sort();
  for (let k = 0; k < n; k++) sorted[k] = pairs.order[sorted[k] as number] as number;
  return sorted;
}

/** The next mark's candidates, below the one before in served level and concurrency (order kept, in place). */
function below(r: CompactReplayData, list: Int32Array, mark: number): Int32Array {
  const s = r.pairServed[mark] as number;
  const c = r.pairConcurrency[mark] as number;
  let n = 0;
  for (let k = 0; k < list.length; k++) {
    const j = list[k] as number;
    if ((r.pairServed[j] as number) < s && (r.pairConcurrency[j] as number) < c) list[n++] = j;
  }
  return list.subarray(0, n);
}

/** Per bucket, the indexes (into markPairs) of its marks; null when the gaps run past the buckets. */
function marksByBucket(r: CompactReplayData): number[][] | null {
  const by: number[][] = Array.from({ length: r.bucketPeak.length }, () => []);
  let bucket = 0;
  for (let k = 0; k < r.markGaps.length; k++) {
    bucket += r.markGaps[k] as number;
    if (bucket >= by.length) return null;
    (by[bucket] as number[]).push(k);
  }
  return by;
}

interface BucketMarks {
  /** Candidates for the bucket's top mark. */
  first: number;
  /** From the top mark down: its place among its candidates, and how many there were. */
  places: [number, number][];
}

/** Each bucket's marks as places among their candidates; null when one is not a candidate. */
function markPlaces(r: CompactReplayData, by: number[][]): BucketMarks[] | null {
  const levels = new BucketLevels(r);
  const out: BucketMarks[] = [];
  const pairs = pairIndex(r);
  for (let b = 0; b < by.length; b++) {
    const marks = by[b] as number[];
    let among = bucketCandidates(r, pairs, levels.at(b), r.bucketPeak[b] ?? null);
    const first = among.length;
    const places: [number, number][] = [];
    for (let k = marks.length - 1; k >= 0; k--) {
      const j = r.markPairs[marks[k] as number] as number;
      const place = among.indexOf(j);
      if (place < 0) return null;
      places.push([place, among.length]);
      among = below(r, among, j);
    }
    out.push({ first, places });
  }
  return out;
}

/**
 * A period's invocations per unit of its (peak) concurrency, from the function's usage: a pair's
 * summed invocations are about that x its concurrency x its periods (null: not known).
 */
function invocationsPerConcurrency(f: WhatIfFunction, r: CompactReplayData): number | null {
  const { invocations, avgConcurrency } = f.summary.usage;
  const known = r.periods - r.unknownPeriods;
  const k = typeof invocations === 'number' && typeof avgConcurrency === 'number' ? invocations / (avgConcurrency * known) : NaN;
  return Number.isFinite(k) && k > 0 ? k : null;
}
/** The bit length of a pair's expected invocations for one period (41: not known). */
const invocationContext = (perConcurrency: number | null, concurrency: number) =>
  perConcurrency === null || !(concurrency > 0) ? 41 : Math.min(40, bitLength(Math.round(concurrency * perConcurrency)));
const placeContext = (k: number, among: number) => Math.min(k, 3) * 8 + Math.min(7, bitLength(among));
const countContext = (previous: number, first: number) => Math.min(previous, 3) * 8 + Math.min(7, bitLength(first));
const stepContext = (previous: number | null, beforeLength: number | null, level: number) =>
  (stepClass(previous) * LENGTH_CLASSES + lengthClass(beforeLength)) * LEVEL_CLASSES + levelClass(level);
const lengthContext = (into: number | null, out: number | null, beforeLength: number | null) =>
  (stepClass(into) * STEP_CLASSES + stepClass(out)) * LENGTH_CLASSES + lengthClass(beforeLength);

/** The marks as coded by the structure, or null when the replay is coded plainly. */
function structuredMarks(r: CompactReplayData): BucketMarks[] | null {
  const by = marksByBucket(r);
  return structured(r) && by !== null ? markPlaces(r, by) : null;
}

/** Whether packData codes this replay by its structure (else plainly); for tests. */
export const codedByStructure = (r: CompactReplayData): boolean => packable(r) && structuredMarks(r) !== null;

function encodeReplay(enc: RangeEncoder, m: Models, f: WhatIfFunction, r: CompactReplayData, data: WhatIfData): void {
  const perConcurrency = invocationsPerConcurrency(f, r);
  const runs = r.servedValues.length;
  const pairs = r.pairServed.length;
  const buckets = r.bucketPeak.length;
  const places = structuredMarks(r);
  const shaped = places !== null;
  enc.bit(m.mode, 0, shaped ? 1 : 0);
  m.count.encode(enc, 0, runs);
  m.count.encode(enc, 1, pairs);
  m.count.encode(enc, 3, buckets);
  if (!shaped) m.count.encode(enc, 2, r.markGaps.length);
  // Served runs.
  if (shaped) {
    if (runs > 0) m.first.encode(enc, 0, zigzag(r.servedValues[0] as number));
    for (let i = 0; i < runs; i++) {
      const v = r.servedValues[i] as number;
      const into = i > 0 ? v - (r.servedValues[i - 1] as number) : null;
      const before = i > 0 ? (r.servedLengths[i - 1] as number) : null;
      let out: number | null = null;
      if (i + 1 < runs) {
        out = (r.servedValues[i + 1] as number) - v;
        const c = stepContext(into, before, v);
        enc.bit(m.sign, c, out > 0 ? 0 : 1);
        m.step.encode(enc, c * 2 + (out > 0 ? 0 : 1), Math.abs(out) - 1);
      }
      m.length.encode(enc, lengthContext(into, out, before), (r.servedLengths[i] as number) - 1);
    }
  } else {
    let previous = 0;
    for (const v of r.servedValues) {
      m.plain.encode(enc, 0, zigzag(v - previous));
      previous = v;
    }
    for (const l of r.servedLengths) m.plain.encode(enc, 1, l);
  }
  // Pairs: ascending by served level, then by concurrency.
  for (let j = 0; j < pairs; j++) {
    const s = r.pairServed[j] as number;
    const same = j > 0 && s === r.pairServed[j - 1];
    m.pairServed.encode(enc, j > 0 ? 1 : 0, zigzag(s - (j > 0 ? (r.pairServed[j - 1] as number) : 0)));
    const c = r.pairConcurrency[j] as number;
    m.pairConcurrency.encode(enc, same ? 1 : 0, zigzag(c - (same ? (r.pairConcurrency[j - 1] as number) : s)));
    const inv = r.pairInvocations[j] as number;
    m.invocations.encode(enc, invocationContext(perConcurrency, c), inv);
  }
  // Chart peaks, then marks (they are bounded by the peaks).
  if (shaped) {
    const predicted = predictedPeaks(r, buckets, data);
    let previous = 0;
    r.bucketPeak.forEach((p, b) => {
      enc.bit(m.peakNull, b > 0 && r.bucketPeak[b - 1] === null ? 1 : 0, p === null ? 1 : 0);
      if (p === null) return;
      const guess = predicted[b];
      m.peak.encode(enc, guess === null || guess === undefined ? 0 : 1, zigzag(p - (guess ?? previous)));
      previous = p;
    });
    let previousCount = 0;
    for (const { first, places: inBucket } of places as BucketMarks[]) {
      m.markCount.encode(enc, countContext(previousCount, first), inBucket.length);
      previousCount = inBucket.length;
      inBucket.forEach(([place, among], k) => m.markPlace.encode(enc, placeContext(k, among), place));
    }
  } else {
    for (const g of r.markGaps) m.plain.encode(enc, 2, g);
    let previous = 0;
    for (const k of r.markPairs) {
      m.plain.encode(enc, 3, zigzag(k - previous));
      previous = k;
    }
    previous = 0;
    for (const p of r.bucketPeak) {
      if (p === null) m.plain.encode(enc, 4, 0);
      else {
        m.plain.encode(enc, 4, zigzag(p - previous) + 1);
        previous = p;
      }
    }
  }
}

function decodeReplay(dec: RangeDecoder, m: Models, f: WhatIfFunction, r: CompactReplayData, data: WhatIfData): void {
  const perConcurrency = invocationsPerConcurrency(f, r);
  const shaped = dec.bit(m.mode, 0) === 1;
  const runs = m.count.decode(dec, 0);
  const pairs = m.count.decode(dec, 1);
  const buckets = m.count.decode(dec, 3);
  const marks = shaped ? 0 : m.count.decode(dec, 2);
  if (shaped) {
    if (runs > 0) r.servedValues.push(unzigzag(m.first.decode(dec, 0)));
    for (let i = 0; i < runs; i++) {
      const v = r.servedValues[i] as number;
      const into = i > 0 ? v - (r.servedValues[i - 1] as number) : null;
      const before = i > 0 ? (r.servedLengths[i - 1] as number) : null;
      let out: number | null = null;
      if (i + 1 < runs) {
        const c = stepContext(into, before, v);
        const down = dec.bit(m.sign, c);
        const size = m.step.decode(dec, c * 2 + down) + 1;
        out = down === 1 ? -size : size;
        r.servedValues.push(v + out);
      }
      r.servedLengths.push(m.length.decode(dec, lengthContext(into, out, before)) + 1);
    }
  } else {
    let previous = 0;
    for (let i = 0; i < runs; i++) r.servedValues.push((previous += unzigzag(m.plain.decode(dec, 0))));
    for (let i = 0; i < runs; i++) r.servedLengths.push(m.plain.decode(dec, 1));
  }
  for (let j = 0; j < pairs; j++) {
    const s = (j > 0 ? (r.pairServed[j - 1] as number) : 0) + unzigzag(m.pairServed.decode(dec, j > 0 ? 1 : 0));
    const same = j > 0 && s === r.pairServed[j - 1];
    r.pairServed.push(s);
    r.pairConcurrency.push((same ? (r.pairConcurrency[j - 1] as number) : s) + unzigzag(m.pairConcurrency.decode(dec, same ? 1 : 0)));
    r.pairInvocations.push(m.invocations.decode(dec, invocationContext(perConcurrency, r.pairConcurrency[j] as number)));
  }
  if (shaped) {
    const predicted = predictedPeaks(r, buckets, data);
    let previous = 0;
    for (let b = 0; b < buckets; b++) {
      if (dec.bit(m.peakNull, b > 0 && r.bucketPeak[b - 1] === null ? 1 : 0) === 1) {
        r.bucketPeak.push(null);
        continue;
      }
      const guess = predicted[b];
      const p = (guess ?? previous) + unzigzag(m.peak.decode(dec, guess === null || guess === undefined ? 0 : 1));
      r.bucketPeak.push(p);
      previous = p;
    }
    const levels = new BucketLevels(r);
    const pairs = pairIndex(r);
    let previousCount = 0;
    let lastBucket = 0;
    for (let b = 0; b < buckets; b++) {
      let among = bucketCandidates(r, pairs, levels.at(b), r.bucketPeak[b] ?? null);
      const count = m.markCount.decode(dec, countContext(previousCount, among.length));
      previousCount = count;
      const top: number[] = [];
      for (let k = 0; k < count; k++) {
        const j = among[m.markPlace.decode(dec, placeContext(k, among.length))];
        if (j === undefined) throw new Error('what-if data: a chart mark is not among its candidates');
        top.push(j);
        among = below(r, among, j);
      }
      for (let k = top.length - 1; k >= 0; k--) {
        r.markGaps.push(b - lastBucket);
        lastBucket = b;
        r.markPairs.push(top[k] as number);
      }
    }
  } else {
    for (let k = 0; k < marks; k++) r.markGaps.push(m.plain.decode(dec, 2));
    let previous = 0;
    for (let k = 0; k < marks; k++) r.markPairs.push((previous += unzigzag(m.plain.decode(dec, 3))));
    previous = 0;
    for (let b = 0; b < buckets; b++) {
      const v = m.plain.decode(dec, 4);
      r.bucketPeak.push(v === 0 ? null : (previous += unzigzag(v - 1)));
    }
  }
}

export function packData(data: WhatIfData): PackedData {
  const enc = new RangeEncoder();
  const models = new Models();
  const packed: boolean[] = [];
  const functions = data.functions.map((f) => {
    const r = f.sizing?.replay;
    if (!f.sizing || !r || !packable(r)) {
      packed.push(false);
      return f;
    }
    packed.push(true);
    encodeReplay(enc, models, f, r, data);
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
  // Which functions' arrays are coded: their indexes, as gaps.
  let last = -1;
  const packedGaps: number[] = [];
  packed.forEach((p, i) => {
    if (!p) return;
    packedGaps.push(i - last);
    last = i;
  });
  // The functions as columns (columns.ts), the profile's copies of summary fields marked as such.
  const records = parseData<Record<string, Json>[]>(stringifyData(functions));
  const sameAsSummary = !records.some((f) => isRecord(f.profile) && Object.values(f.profile).some((v) => v === SAME));
  if (sameAsSummary) {
    for (const f of records) {
      const { profile, summary } = f;
      if (!isRecord(profile) || !isRecord(summary)) continue;
      for (const key of Object.keys(profile)) {
        if (Object.hasOwn(summary, key) && stringifyData(profile[key]) === stringifyData(summary[key])) profile[key] = SAME;
      }
    }
  }
  const json = new TextEncoder().encode(stringifyData({ ...data, functions: toColumns(records), packedGaps, sameAsSummary }));
  return { json, coded: enc.finish() };
}

/** A profile field equal to the summary's field of the same key. */
const SAME = '\u0000=';
const isRecord = (v: unknown): v is Record<string, Json> => typeof v === 'object' && v !== null && !Array.isArray(v);

export function unpackData(packed: PackedData): WhatIfData {
  const { packedGaps, sameAsSummary, ...data } = parseData<WhatIfData & { packedGaps: number[]; sameAsSummary: boolean }>(new TextDecoder().decode(packed.json));
  data.functions = fromColumns(data.functions as unknown as Parameters<typeof fromColumns>[0]) as unknown as WhatIfData['functions'];
  if (sameAsSummary) {
    for (const f of data.functions as unknown as Record<string, Json>[]) {
      const { profile, summary } = f;
      if (!isRecord(profile) || !isRecord(summary)) continue;
      for (const key of Object.keys(profile)) if (profile[key] === SAME) profile[key] = parseData<Json>(stringifyData(summary[key]));
    }
  }
  const dec = new RangeDecoder(packed.coded);
  const models = new Models();
  let at = -1;
  for (const gap of packedGaps) {
    at += gap;
    const f = data.functions[at];
    if (!f?.sizing) throw new Error('what-if data: packed arrays for a function without sizing');
    decodeReplay(dec, models, f, f.sizing.replay, data);
  }
  return data;
}

/** The embedded bytes: u32 (little-endian) byte length of the gzipped JSON, that JSON, then the coded arrays. */
export function joinParts(gzippedJson: Uint8Array, coded: Uint8Array): Uint8Array {
  const out = new Uint8Array(4 + gzippedJson.length + coded.length);
  new DataView(out.buffer).setUint32(0, gzippedJson.length, true);
  out.set(gzippedJson, 4);
  out.set(coded, 4 + gzippedJson.length);
  return out;
}

export function splitParts<T extends ArrayBufferLike>(bytes: Uint8Array<T>): { gzippedJson: Uint8Array<T>; coded: Uint8Array<T> } {
  if (bytes.length < 4) throw new Error('what-if data: fewer than 4 bytes');
  const length = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength).getUint32(0, true);
  if (4 + length > bytes.length) throw new Error(`what-if data: the JSON part (${length} bytes) runs past the data (${bytes.length})`);
  return { gzippedJson: bytes.subarray(4, 4 + length), coded: bytes.subarray(4 + length) };
}
