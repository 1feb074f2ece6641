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
import { type CompactReplayData, peakAt, type ReplayNumbers } from './replay-compact.js';

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

/** Whether every value passes `test` (any of the replay's array forms). */
function every(list: ReplayNumbers, test: (v: number) => boolean): boolean {
  for (let i = 0; i < list.length; i++) if (!test(list[i] as number)) return false;
  return true;
}

function packable(r: CompactReplayData): boolean {
  const whole = (v: number) => Number.isSafeInteger(v) && Math.abs(v) < MAX_PACKED;
  const natural = (v: number) => whole(v) && v >= 0;
  // The columns hold parallel arrays by one count each: any other shape stays in the JSON as it is.
  const pairs = r.pairServed.length;
  if (
    !(
      r.servedLengths.length === r.servedValues.length &&
      r.pairConcurrency.length === pairs &&
      r.pairInvocations.length === pairs &&
      r.markPairs.length === r.markGaps.length &&
      every(r.servedValues, whole) &&
      every(r.servedLengths, natural) &&
      every(r.pairServed, whole) &&
      every(r.pairConcurrency, whole) &&
      every(r.pairInvocations, natural) &&
      every(r.markGaps, natural) &&
      every(r.markPairs, natural)
    )
  ) {
    return false;
  }
  for (let b = 0; b < r.bucketPeak.length; b++) {
    const p = peakAt(r.bucketPeak, b);
    if (p !== null && !whole(p)) return false;
  }
  return true;
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

/** The bit length of a whole number 0 <= v < 2^31 (the loops below, for any other value). */
const smallBits = (v: number): number => 32 - Math.clz32(v);
const isSmallWhole = (v: number): boolean => (v | 0) === v && v >= 0;

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
  let a = Math.abs(v);
  if (isSmallWhole(a)) return Math.min(LEVEL_CLASSES - 1, smallBits(a));
  let k = 0;
  while (a >= 1 && k < LEVEL_CLASSES - 1) {
    a = Math.floor(a / 2);
    k++;
  }
  return k;
}
const bitLength = (v: number): number => {
  if (isSmallWhole(v)) return smallBits(v);
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
 * `at(b)` with b rising fills `levels` (reused: read it before the next call) and returns their count.
 */
class BucketLevels {
  private run = 0;
  private runStart = 0;
  levels = scratch.levels;
  constructor(private readonly r: CompactReplayData) {}

  at(b: number): number {
    const { servedValues: values, servedLengths: lengths, bucketPeriods } = this.r;
    const start = b * bucketPeriods;
    const end = start + bucketPeriods;
    while (this.run < values.length && this.runStart + (lengths[this.run] as number) <= start) this.runStart += lengths[this.run++] as number;
    let out = this.levels;
    let n = 0;
    for (let k = this.run, from = this.runStart; k < values.length && from < end; from += lengths[k++] as number) {
      const v = values[k] as number;
      // Insert in ascending order, once (a bucket holds a few levels).
      let at = n;
      while (at > 0 && (out[at - 1] as number) > v) at--;
      if (at > 0 && out[at - 1] === v) continue;
      if (n === out.length) {
        const grown = new Float64Array(2 * n);
        grown.set(out);
        this.levels = out = scratch.levels = grown;
      }
      for (let i = n; i > at; i--) out[i] = out[i - 1] as number;
      out[at] = v;
      n++;
    }
    return n;
  }
}

/** A bucket's peak as the served runs give it (NaN: no prediction). */
function predictedPeaks(r: CompactReplayData, buckets: number, data: WhatIfData): Float64Array {
  const per = data.window.periodSeconds;
  const lag = Math.round((data.config.lmi.scaleOutMinutes * 60) / per);
  const width = Math.round((data.config.lmi.scaleInMinutes * 60) / per);
  const out = (scratch.predicted = room(scratch.predicted, buckets)).subarray(0, buckets);
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
      out[b] = Number.NaN;
      continue;
    }
    while (run < r.servedValues.length && runStart + (r.servedLengths[run] as number) <= from) runStart += r.servedLengths[run++] as number;
    let max = -Infinity;
    for (let k = run, at = runStart; k < r.servedValues.length && at <= to; at += r.servedLengths[k++] as number) {
      if ((r.servedValues[k] as number) > max) max = r.servedValues[k] as number;
    }
    out[b] = max;
  }
  return out;
}

/**
 * Room for the structure's helpers, shared by every replay (they work on one at a time): an
 * ArrayBuffer costs microseconds to make, and the page decodes 10,000 replays.
 */
const scratch = {
  levels: new Float64Array(16),
  predicted: new Float64Array(256),
  starts: new Int32Array(256),
  fill: new Int32Array(256),
  items: new Int32Array(256),
  rank: new Int32Array(256),
  order: new Int32Array(256),
  candidates: new Int32Array(256),
};

/** `buffer` when it holds `count` values, else a larger one of its kind (contents not kept). */
function room<T extends Int32Array | Float64Array>(buffer: T, count: number): T {
  if (buffer.length >= count) return buffer;
  const size = Math.max(count, 2 * buffer.length);
  return (buffer instanceof Int32Array ? new Int32Array(size) : new Float64Array(size)) as T;
}

/** Widest range of served levels whose pairs are found by a table (else a Map). */
const LEVEL_TABLE_SPAN = 1 << 16;

/** The pairs by served level, and each pair's rank in the candidates' order. */
interface PairIndex {
  /**
   * Pairs by served level, ascending in index: when every level is a whole number within
   * LEVEL_TABLE_SPAN of the lowest (`base`), level L (L - base < span) has pairs
   * items[starts[L - base]] up to items[starts[L - base + 1]]; otherwise `byLevel` holds them.
   */
  base: number;
  span: number;
  starts: Int32Array | null;
  items: Int32Array;
  byLevel: Map<number, number[]> | null;
  /** Pairs by concurrency descending, then served level and index ascending. */
  order: Int32Array;
  rank: Int32Array;
  /** Room for a bucket's candidates (bucketCandidates and below work in it). */
  scratch: Int32Array;
}

function pairIndex(r: CompactReplayData): PairIndex {
  const served = r.pairServed;
  const concurrency = r.pairConcurrency;
  const count = served.length;
  let base = Infinity;
  let top = -Infinity;
  let whole = true;
  for (let j = 0; j < count; j++) {
    const s = served[j] as number;
    if (!Number.isSafeInteger(s)) whole = false;
    if (s < base) base = s;
    if (s > top) top = s;
  }
  let starts: Int32Array | null = null;
  const span = top - base + 1;
  const items = (scratch.items = room(scratch.items, count));
  let byLevel: Map<number, number[]> | null = null;
  if (count > 0 && whole && span <= LEVEL_TABLE_SPAN) {
    // Counting sort by level, stable (indexes ascend within a level).
    starts = scratch.starts = room(scratch.starts, span + 1);
    starts.fill(0, 0, span + 1);
    for (let j = 0; j < count; j++) starts[(served[j] as number) - base + 1]!++;
    for (let l = 1; l <= span; l++) starts[l]! += starts[l - 1] as number;
    const fill = (scratch.fill = room(scratch.fill, span));
    fill.set(starts.subarray(0, span));
    for (let j = 0; j < count; j++) items[fill[(served[j] as number) - base]!++] = j;
  } else {
    byLevel = new Map<number, number[]>();
    for (let j = 0; j < count; j++) {
      const s = served[j] as number;
      const list = byLevel.get(s);
      if (list === undefined) byLevel.set(s, [j]);
      else list.push(j);
    }
  }
  const order: number[] = new Array<number>(count);
  for (let j = 0; j < count; j++) order[j] = j;
  order.sort((x, y) => (concurrency[y] as number) - (concurrency[x] as number) || (served[x] as number) - (served[y] as number) || x - y);
  const rank = (scratch.rank = room(scratch.rank, count));
  const ordered = (scratch.order = room(scratch.order, count));
  for (let k = 0; k < count; k++) {
    ordered[k] = order[k] as number;
    rank[order[k] as number] = k;
  }
  return { base, span, starts, items, byLevel, order: ordered, rank, scratch: (scratch.candidates = room(scratch.candidates, count)) };
}

/**
 * Candidates for a bucket's top mark: pairs whose served level is one the bucket holds, with a
 * concurrency not above the bucket's peak. Written to pairs.scratch as their ranks, in no order
 * (orderCandidates orders them, when a mark is to be found among them): their count.
 */
function bucketCandidates(r: CompactReplayData, pairs: PairIndex, levels: Float64Array, levelCount: number, peak: number | null): number {
  const out = pairs.scratch;
  const rank = pairs.rank;
  let n = 0;
  const concurrency = r.pairConcurrency;
  const { starts, items, base, span } = pairs;
  // Every concurrency of a coded replay is a whole number: none is above an unknown peak.
  const limit = peak === null ? Infinity : peak;
  for (let l = 0; l < levelCount; l++) {
    const level = levels[l] as number;
    if (starts !== null) {
      // A level off the table (or not whole) has no pair: every pair's level is a whole number in it.
      const at = level - base;
      if (!(at >>> 0 === at && at < span)) continue;
      // From the level's last pair: pairs ascend in concurrency within a level, so ranks ascend.
      const start = starts[at] as number;
      for (let i = (starts[at + 1] as number) - 1; i >= start; i--) {
        const j = items[i] as number;
        if ((concurrency[j] as number) <= limit) out[n++] = rank[j] as number;
      }
    } else {
      const list = (pairs.byLevel as Map<number, number[]>).get(level);
      if (list === undefined) continue;
      for (let i = 0; i < list.length; i++) {
        const j = list[i] as number;
        if ((concurrency[j] as number) <= limit) out[n++] = rank[j] as number;
      }
    }
  }
  return n;
}

/**
 * The `n` candidates bucketCandidates wrote, as pairs in the candidates' order: by concurrency
 * descending, then served level and index ascending (the top mark is most often the peak's pair).
 */
function orderCandidates(pairs: PairIndex, n: number): void {
  const out = pairs.scratch;
  // By rank (distinct: a permutation's, so any sort gives the one order), in place: an insertion
  // sort for the few a bucket mostly has (a few ascending runs, one per level), else the typed
  // array's own numeric sort (faster than either in Chromium and Node from 16 or so up).
  if (n <= 16) {
    for (let k = 1; k < n; k++) {
      const v = out[k] as number;
      let at = k;
      while (at > 0 && (out[at - 1] as number) > v) {
        out[at] = out[at - 1] as number;
        at--;
      }
      out[at] = v;
    }
  } else out.subarray(0, n).sort();
  const order = pairs.order;
  for (let k = 0; k < n; k++) out[k] = order[out[k] as number] as number;
}

/** The next mark's candidates, below the one before in served level and concurrency (order kept, in place): their count. */
function below(r: CompactReplayData, list: Int32Array, count: number, mark: number): number {
  const s = r.pairServed[mark] as number;
  const c = r.pairConcurrency[mark] as number;
  let n = 0;
  for (let k = 0; k < count; k++) {
    const j = list[k] as number;
    if ((r.pairServed[j] as number) < s && (r.pairConcurrency[j] as number) < c) list[n++] = j;
  }
  return n;
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
  const among = pairs.scratch;
  for (let b = 0; b < by.length; b++) {
    const marks = by[b] as number[];
    const levelCount = levels.at(b);
    let n = bucketCandidates(r, pairs, levels.levels, levelCount, peakAt(r.bucketPeak, b));
    if (marks.length > 0) orderCandidates(pairs, n);
    const first = n;
    const places: [number, number][] = [];
    for (let k = marks.length - 1; k >= 0; k--) {
      const j = r.markPairs[marks[k] as number] as number;
      let place = 0;
      while (place < n && among[place] !== j) place++;
      if (place === n) return null;
      places.push([place, n]);
      if (k > 0) n = below(r, among, n, j);
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
    for (let b = 0; b < buckets; b++) {
      const p = peakAt(r.bucketPeak, b);
      enc.bit(m.peakNull, b > 0 && peakAt(r.bucketPeak, b - 1) === null ? 1 : 0, p === null ? 1 : 0);
      if (p === null) continue;
      const guess = predicted[b] as number;
      const known = guess === guess;
      m.peak.encode(enc, known ? 1 : 0, zigzag(p - (known ? guess : previous)));
      previous = p;
    }
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
    for (let b = 0; b < buckets; b++) {
      const p = peakAt(r.bucketPeak, b);
      if (p === null) m.plain.encode(enc, 4, 0);
      else {
        m.plain.encode(enc, 4, zigzag(p - previous) + 1);
        previous = p;
      }
    }
  }
}

/** A growable column of doubles: the decoder's room for one array, shared by every replay. */
class Column {
  values = new Float64Array(1024);
  length = 0;

  /** Empties the column with room for `count` values; returns the room (write up to `count`, then `length = count`). */
  reset(count: number): Float64Array {
    if (count > this.values.length) this.values = new Float64Array(Math.max(count, 2 * this.values.length));
    this.length = 0;
    return this.values;
  }

  push(v: number): void {
    if (this.length === this.values.length) {
      const grown = new Float64Array(2 * this.values.length);
      grown.set(this.values);
      this.values = grown;
    }
    this.values[this.length++] = v;
  }

  view(): Float64Array {
    return this.values.subarray(0, this.length);
  }
}

/** Bytes of a shared buffer the decoded arrays are views of (an ArrayBuffer each cost ~0.5 s at 10,000 functions). */
const SLAB_BYTES = 1 << 20;

/** Typed arrays carved out of shared buffers, each 8-byte aligned; a large one gets its own buffer. */
class Arena {
  private buffer = new ArrayBuffer(0);
  private used = 0;

  private take(bytes: number): [ArrayBuffer, number] {
    const size = Math.ceil(bytes / 8) * 8;
    if (size > SLAB_BYTES / 4) return [new ArrayBuffer(size), 0];
    if (this.used + size > this.buffer.byteLength) {
      this.buffer = new ArrayBuffer(SLAB_BYTES);
      this.used = 0;
    }
    const at = this.used;
    this.used += size;
    return [this.buffer, at];
  }

  uint16(count: number): Uint16Array {
    const [buffer, at] = this.take(2 * count);
    return new Uint16Array(buffer, at, count);
  }

  uint32(count: number): Uint32Array {
    const [buffer, at] = this.take(4 * count);
    return new Uint32Array(buffer, at, count);
  }

  float64(count: number): Float64Array {
    const [buffer, at] = this.take(8 * count);
    return new Float64Array(buffer, at, count);
  }
}

/**
 * The decoded values in the narrowest array that holds each exactly: every value a whole number
 * in [0, 2^16) (and not -0): a Uint16Array; in [0, 2^32): a Uint32Array; else a Float64Array.
 * Checked value by value (`v >>> 0 === v` holds for a whole number in [0, 2^32) alone).
 */
function narrowed(values: Float64Array, arena: Arena): ReplayNumbers {
  const count = values.length;
  let max = 0;
  let unsigned = true;
  for (let i = 0; i < count; i++) {
    const v = values[i] as number;
    if (v >>> 0 !== v || (v === 0 && 1 / v < 0)) {
      unsigned = false;
      break;
    }
    if (v > max) max = v;
  }
  if (!unsigned) {
    const out = arena.float64(count);
    out.set(values);
    return out;
  }
  if (max <= 0xffff) {
    const out = arena.uint16(count);
    for (let i = 0; i < count; i++) out[i] = values[i] as number;
    return out;
  }
  const out = arena.uint32(count);
  for (let i = 0; i < count; i++) out[i] = values[i] as number;
  return out;
}

/** The decoder's columns, one per array of a replay. */
class DecodeRoom {
  readonly servedValues = new Column();
  readonly servedLengths = new Column();
  readonly pairServed = new Column();
  readonly pairConcurrency = new Column();
  readonly pairInvocations = new Column();
  readonly markGaps = new Column();
  readonly markPairs = new Column();
  readonly bucketPeak = new Column();
  /** A bucket's marks, from the top one down. */
  readonly top = new Column();
  /** Where the decoded arrays are kept. */
  readonly arena = new Arena();
}

function decodeReplay(dec: RangeDecoder, m: Models, f: WhatIfFunction, r: CompactReplayData, data: WhatIfData, room: DecodeRoom): void {
  const perConcurrency = invocationsPerConcurrency(f, r);
  const shaped = dec.bit(m.mode, 0) === 1;
  const runs = m.count.decode(dec, 0);
  const pairs = m.count.decode(dec, 1);
  const buckets = m.count.decode(dec, 3);
  const marks = shaped ? 0 : m.count.decode(dec, 2);
  const values = room.servedValues.reset(runs);
  const lengths = room.servedLengths.reset(runs);
  if (shaped) {
    let v = runs > 0 ? unzigzag(m.first.decode(dec, 0)) : 0;
    for (let i = 0; i < runs; i++) {
      values[i] = v;
      const into = i > 0 ? v - (values[i - 1] as number) : null;
      const before = i > 0 ? (lengths[i - 1] as number) : null;
      let out: number | null = null;
      if (i + 1 < runs) {
        const c = stepContext(into, before, v);
        const down = dec.bit(m.sign, c);
        const size = m.step.decode(dec, c * 2 + down) + 1;
        out = down === 1 ? -size : size;
      }
      lengths[i] = m.length.decode(dec, lengthContext(into, out, before)) + 1;
      if (out !== null) v += out;
    }
  } else {
    let previous = 0;
    for (let i = 0; i < runs; i++) values[i] = previous += unzigzag(m.plain.decode(dec, 0));
    for (let i = 0; i < runs; i++) lengths[i] = m.plain.decode(dec, 1);
  }
  room.servedValues.length = runs;
  room.servedLengths.length = runs;
  const served = room.pairServed.reset(pairs);
  const concurrency = room.pairConcurrency.reset(pairs);
  const invocations = room.pairInvocations.reset(pairs);
  for (let j = 0; j < pairs; j++) {
    const s = (j > 0 ? (served[j - 1] as number) : 0) + unzigzag(m.pairServed.decode(dec, j > 0 ? 1 : 0));
    const same = j > 0 && s === served[j - 1];
    served[j] = s;
    const c = (same ? (concurrency[j - 1] as number) : s) + unzigzag(m.pairConcurrency.decode(dec, same ? 1 : 0));
    concurrency[j] = c;
    invocations[j] = m.invocations.decode(dec, invocationContext(perConcurrency, c));
  }
  room.pairServed.length = room.pairConcurrency.length = room.pairInvocations.length = pairs;
  // Peaks: NaN for null.
  const peaks = room.bucketPeak.reset(buckets);
  room.bucketPeak.length = buckets;
  const gaps = room.markGaps;
  const markPairs = room.markPairs;
  gaps.reset(marks);
  markPairs.reset(marks);
  // What the structure's helpers read: the columns decoded so far.
  const work: CompactReplayData = {
    ...r,
    servedValues: room.servedValues.view(),
    servedLengths: room.servedLengths.view(),
    pairServed: room.pairServed.view(),
    pairConcurrency: room.pairConcurrency.view(),
    pairInvocations: room.pairInvocations.view(),
    bucketPeak: room.bucketPeak.view(),
  };
  if (shaped) {
    const predicted = predictedPeaks(work, buckets, data);
    let previous = 0;
    for (let b = 0; b < buckets; b++) {
      const before = peaks[b - 1] as number;
      if (dec.bit(m.peakNull, b > 0 && before !== before ? 1 : 0) === 1) {
        peaks[b] = Number.NaN;
        continue;
      }
      const guess = predicted[b] as number;
      const known = guess === guess;
      const p = (known ? guess : previous) + unzigzag(m.peak.decode(dec, known ? 1 : 0));
      peaks[b] = p;
      previous = p;
    }
    const levels = new BucketLevels(work);
    const index = pairIndex(work);
    const among = index.scratch;
    const top = room.top;
    let previousCount = 0;
    let lastBucket = 0;
    for (let b = 0; b < buckets; b++) {
      const levelCount = levels.at(b);
      const p = peaks[b] as number;
      let n = bucketCandidates(work, index, levels.levels, levelCount, p === p ? p : null);
      const count = m.markCount.decode(dec, countContext(previousCount, n));
      previousCount = count;
      if (count > 0) orderCandidates(index, n);
      top.reset(0);
      for (let k = 0; k < count; k++) {
        const place = m.markPlace.decode(dec, placeContext(k, n));
        if (!(place < n)) throw new Error('what-if data: a chart mark is not among its candidates');
        const j = among[place] as number;
        top.push(j);
        if (k + 1 < count) n = below(work, among, n, j);
      }
      for (let k = top.length - 1; k >= 0; k--) {
        gaps.push(b - lastBucket);
        lastBucket = b;
        markPairs.push(top.values[k] as number);
      }
    }
  } else {
    const g = gaps.values;
    const k2 = markPairs.values;
    for (let k = 0; k < marks; k++) g[k] = m.plain.decode(dec, 2);
    let previous = 0;
    for (let k = 0; k < marks; k++) k2[k] = previous += unzigzag(m.plain.decode(dec, 3));
    gaps.length = markPairs.length = marks;
    previous = 0;
    for (let b = 0; b < buckets; b++) {
      const v = m.plain.decode(dec, 4);
      peaks[b] = v === 0 ? Number.NaN : (previous += unzigzag(v - 1));
    }
  }
  const arena = room.arena;
  r.servedValues = narrowed(work.servedValues as Float64Array, arena);
  r.servedLengths = narrowed(work.servedLengths as Float64Array, arena);
  r.pairServed = narrowed(work.pairServed as Float64Array, arena);
  r.pairConcurrency = narrowed(work.pairConcurrency as Float64Array, arena);
  r.pairInvocations = narrowed(work.pairInvocations as Float64Array, arena);
  r.markGaps = narrowed(gaps.view(), arena);
  r.markPairs = narrowed(markPairs.view(), arena);
  const kept = arena.float64(buckets);
  kept.set(work.bucketPeak as Float64Array);
  r.bucketPeak = kept;
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
  const room = new DecodeRoom();
  let at = -1;
  for (const gap of packedGaps) {
    at += gap;
    const f = data.functions[at];
    if (!f?.sizing) throw new Error('what-if data: packed arrays for a function without sizing');
    decodeReplay(dec, models, f, f.sizing.replay, data, room);
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
