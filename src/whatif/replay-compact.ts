/**
 * A compact, exact stand-in for a function's concurrency series, for the what-if page.
 *
 * With lmi.scaleOutMinutes and lmi.scaleInMinutes fixed (read-only on the page), the served
 * concurrency (lagged sliding max, replay.ts) is fixed; every knob the page moves only changes the
 * monotone map f from served concurrency to environments. So the page carries:
 * - the served series as runs (its histogram, the chart's per-bucket minimum and the capacity
 *   runs for grouping all follow from it);
 * - the periods whose own concurrency reaches the served level (the only ones that can throttle:
 *   capacity f(v) x per-EE concurrency is never below v), merged per distinct (served, concurrency)
 *   pair with their summed invocations (throttledInvocationsOf sums pairs, in the CLI too), and per
 *   chart bucket the pairs no other pair of the bucket dominates (lower served, higher concurrency:
 *   if a dominated pair throttles, its dominator does too), for the chart's throttle marks;
 * - the chart's peak concurrency per bucket (no knob changes it).
 * sizeLmi over this source gives the same numbers as over the series (test/whatif/replay-compact.test.ts).
 */
import type { Config } from '../config/schema.js';
import { MAX_CAPACITY_RUNS, MAX_CHART_BUCKETS, capacityRuns } from '../model/lmi/chart.js';
import { type EnvironmentDemand, environmentPeriodsOf, instancePeriodsOf, instancesFor } from '../model/lmi/instances.js';
import {
  environmentHistogramInto,
  type Histogram,
  knownConcurrency,
  laggedWindowMax,
  scalingDelays,
  targetEnvironments,
} from '../model/lmi/replay.js';
import { type ChosenReplay, type ReplaySource, throttledInvocationsOf, throttlePairsOf } from '../model/lmi/replay-source.js';
import type { CapacityRuns, LeveledCapacity } from '../model/lmi/types.js';
import { periodCount, type FunctionProfile, type SnapshotWindow } from '../source/profile.js';
import { checkEligibility } from '../model/lmi/eligibility.js';
import { cpuPerInvocation } from '../model/lmi/shape.js';
import { TRAFFIC_SCALE_GRID } from '../model/lmi/size.js';

/**
 * A replay's whole numbers: plain arrays where extractCompactReplay builds them, typed arrays where
 * the page's decoder (pack.ts) writes them, each the narrowest of these that holds every value
 * exactly (Float64Array holds any number).
 */
export type ReplayNumbers = readonly number[] | Uint16Array | Uint32Array | Float64Array;
/** Chart peaks: null where no concurrency is known; in a Float64Array (the decoder's), NaN stands for null (JSON holds no NaN). */
export type ReplayPeaks = readonly (number | null)[] | Float64Array;

/** A bucket's peak (null: none known, whichever form the peaks take). */
export function peakAt(peaks: ReplayPeaks, b: number): number | null {
  const p = peaks[b];
  // p !== p: NaN.
  return p === undefined || p === null || p !== p ? null : p;
}

export interface CompactReplayData {
  periods: number;
  unknownPeriods: number;
  allUnknown: boolean;
  /** Served concurrency as runs: servedValues[i] for servedLengths[i] periods. */
  servedValues: ReplayNumbers;
  servedLengths: ReplayNumbers;
  /** Pairs that can throttle, ascending (ThrottlePairs): served level, concurrency, summed invocations. */
  pairServed: ReplayNumbers;
  pairConcurrency: ReplayNumbers;
  pairInvocations: ReplayNumbers;
  /** Per chart bucket, its undominated pairs: the bucket as a gap from the previous entry's, and the pair's index. */
  markGaps: ReplayNumbers;
  markPairs: ReplayNumbers;
  /** Chart: periods per bucket and the peak known concurrency of each bucket (null: none known). */
  bucketPeriods: number;
  bucketPeak: ReplayPeaks;
}

/**
 * A period can throttle only when its concurrency exceeds capacity f(v) x perEnvironment, which is
 * at least v (up to ceilSafe's 1e-12 relative slack): keep every period within 1e-6 of v or above.
 */
const REACH_SLACK = 1e-6;

/** Below this, whole concurrencies and a whole per-EE concurrency make f(v) x perEnvironment >= v exactly. */
const EXACT_INTEGER_LIMIT = 1e6;

/**
 * True when a period whose concurrency equals the served level can never throttle, whatever the
 * page's knobs: every concurrency is a whole number below EXACT_INTEGER_LIMIT, and the per-EE
 * concurrency is a whole number (>= 1) for every CPU share the knobs allow (the share never exceeds
 * 1 vCPU, the smallest EE; see perEnvironmentConcurrency in shape.ts).
 */
function equalNeverThrottles(profile: FunctionProfile, avgDurationMs: number | null): boolean {
  for (const c of profile.series.concurrencyMax) {
    if (c != null && !(Number.isInteger(c) && c >= 0 && c < EXACT_INTEGER_LIMIT)) return false;
  }
  const { traits } = checkEligibility(profile.runtime, profile.memoryMB);
  // lmi.cpuBusyFraction <= 1: the bound is the largest share an unmeasured function gets.
  const widest = cpuPerInvocation({
    memoryMB: profile.memoryMB,
    avgDurationMs,
    measuredCpuSeconds: profile.cpuSecondsPerInvocation,
    singleThreaded: traits.singleThreaded,
    cpuBusyFraction: 1,
  });
  return widest.cpuShare <= 1;
}

/** Node side: the compact data from a profile's series (same steps as seriesReplay). */
export function extractCompactReplay(
  profile: FunctionProfile,
  window: SnapshotWindow,
  lmi: Config['lmi'],
  avgDurationMs: number | null,
): CompactReplayData {
  const periods = periodCount(window);
  const concurrency = profile.series.concurrencyMax;
  const invocations = profile.series.invocations;
  const known = knownConcurrency(concurrency);
  const served = laggedWindowMax(known.values, scalingDelays(window.periodSeconds, lmi.scaleOutMinutes, lmi.scaleInMinutes));
  const servedValues: number[] = [];
  const servedLengths: number[] = [];
  for (let p = 0; p < served.length; p++) {
    const v = served[p] as number;
    if (p > 0 && v === served[p - 1]) servedLengths[servedLengths.length - 1]! += 1;
    else {
      servedValues.push(v);
      servedLengths.push(1);
    }
  }
  const strict = equalNeverThrottles(profile, avgDurationMs);
  const canThrottle = (v: number, c: number) => (strict ? c > v : c >= v * (1 - REACH_SLACK) - REACH_SLACK);
  const pairs = throttlePairsOf(served, concurrency, invocations, canThrottle);
  const pairIndex = new Map<string, number>();
  pairs.served.forEach((v, i) => pairIndex.set(`${v}:${pairs.concurrency[i]}`, i));
  // Same buckets as buildChart (chart.ts).
  const bucketPeriods = Math.max(1, Math.ceil(periods / MAX_CHART_BUCKETS));
  const buckets = Math.ceil(periods / bucketPeriods);
  const bucketPeak: (number | null)[] = [];
  for (let b = 0; b < buckets; b++) {
    let peak: number | null = null;
    for (let p = b * bucketPeriods; p < Math.min(periods, (b + 1) * bucketPeriods); p++) {
      const c = concurrency[p];
      if (c !== null && c !== undefined && (peak === null || c > peak)) peak = c;
    }
    bucketPeak.push(peak);
  }
  // Each bucket's undominated pairs: by served ascending, keep a pair whose concurrency tops every
  // pair of a lower or equal served level.
  const markGaps: number[] = [];
  const markPairs: number[] = [];
  let lastBucket = 0;
  for (let b = 0; b < buckets; b++) {
    const inBucket = new Set<number>();
    for (let p = b * bucketPeriods; p < Math.min(periods, (b + 1) * bucketPeriods); p++) {
      const c = concurrency[p];
      if (c == null || !(c > 0) || !canThrottle(served[p] as number, c)) continue;
      inBucket.add(pairIndex.get(`${served[p]}:${c}`) as number);
    }
    const sorted = [...inBucket].sort((i, j) => (pairs.served[i] as number) - (pairs.served[j] as number) || (pairs.concurrency[j] as number) - (pairs.concurrency[i] as number));
    let top = -Infinity;
    for (const i of sorted) {
      if ((pairs.concurrency[i] as number) <= top) continue;
      top = pairs.concurrency[i] as number;
      markGaps.push(b - lastBucket);
      lastBucket = b;
      markPairs.push(i);
    }
  }
  return {
    periods,
    unknownPeriods: known.unknownPeriods,
    allUnknown: known.allUnknown,
    servedValues,
    servedLengths,
    pairServed: pairs.served,
    pairConcurrency: pairs.concurrency,
    pairInvocations: pairs.invocations,
    markGaps,
    markPairs,
    bucketPeriods,
    bucketPeak,
  };
}

/**
 * Per function: the demands of the candidates priced (about 60 per knob change) for the last few
 * (headroom, minEnvironments) scopes, at most this many per scope; a discount, which moves no
 * demand, re-prices from them alone.
 */
const MAX_KEPT_SCOPES = 2;
const MAX_DEMANDS_PER_SCOPE = 160;

/**
 * The demands of one (headroom, minEnvironments). The first FIELD_DEMANDS asked for sit in fields,
 * found by their own per-EE concurrency and scale index (a sizing asks one to three: no Map per
 * function per headroom change). Beyond, a whole per-EE concurrency (the usual) and the traffic
 * scale index make one number key, perEnvironment x SCALE_SLOTS + index (no string, no array per
 * per-EE concurrency); other per-EE concurrencies go by value, then by index.
 */
interface DemandScope {
  headroom: number;
  minEnvironments: number;
  d0: KeptDemand | null;
  d1: KeptDemand | null;
  d2: KeptDemand | null;
  d3: KeptDemand | null;
  byKey: Map<number, KeptDemand> | null;
  byPerEnvironment: Map<number, (KeptDemand | undefined)[]> | null;
  size: number;
}

/**
 * Demands of a dropped scope a source keeps to fill again: as many as a re-sizing change asks of
 * most functions (a few candidates), not a whole scope's (up to MAX_DEMANDS_PER_SCOPE) held for good.
 */
const MAX_SPARE_DEMANDS = 8;

/** Demands a scope keeps in its fields before it makes a Map. */
const FIELD_DEMANDS = 4;

/** The scope's demand of a per-EE concurrency and scale index among its field demands, or null. */
function fieldDemand(scope: DemandScope, perEnvironment: number, scaleIndex: number): KeptDemand | null {
  const { d0, d1, d2, d3 } = scope;
  if (d0 !== null && d0.perEnvironment === perEnvironment && d0.scaleIndex === scaleIndex) return d0;
  if (d1 !== null && d1.perEnvironment === perEnvironment && d1.scaleIndex === scaleIndex) return d1;
  if (d2 !== null && d2.perEnvironment === perEnvironment && d2.scaleIndex === scaleIndex) return d2;
  if (d3 !== null && d3.perEnvironment === perEnvironment && d3.scaleIndex === scaleIndex) return d3;
  return null;
}

/** The index of traffic scale 1 in size.ts's grid: the chosen configuration's demand. */
const UNIT_SCALE_INDEX = TRAFFIC_SCALE_GRID.indexOf(1);

/** Traffic scale indexes a whole per-EE concurrency's key leaves room for (size.ts's grid has 25). */
const SCALE_SLOTS = 32;
/** Whole per-EE concurrencies below this make exact, distinct keys (x SCALE_SLOTS + index < 2^53). */
const KEYED_PER_ENVIRONMENT_LIMIT = 2 ** 40;

/** Per function: replays of the chosen configuration (chart, capacity runs) for the last few settings. */
const MAX_KEPT_CHOSEN = 4;

/**
 * A candidate's environment demand, kept between sizings: its sums and the instance-periods asked
 * for so far (per EEs per instance, for one minInstances). Its histogram is not kept (memory):
 * the last one built (in shared buffers) is reused while the same demand asks again, otherwise
 * rebuilt. Demands of a scope dropped are filled again (set) for the scope that takes its place:
 * a headroom change then makes no new demand object where the function kept as many (each one a
 * young object that survives, kept, every scavenge of the update).
 */
class KeptDemand implements EnvironmentDemand {
  periods = 0;
  environmentPeriods = 0;
  /** The most EEs of a period (the histogram's last value: f is monotone), 0 when there is no period. */
  maxEnvironments = 0;
  /** The minInstances the kept instance-periods are for (-1: none yet; a whole number, never a NaN box per demand). */
  private minInstances = -1;
  /** How many instance-periods are kept: the first two in fields (a sizing asks one or two), the rest in pairs in `more`. */
  private count = 0;
  private perInstance0 = 0;
  private value0 = 0;
  private perInstance1 = 0;
  private value1 = 0;
  private more: number[] | null = null;
  /** The next demand of its source's spare list, while this one is there (a list through the demands: no array to grow). */
  nextSpare: KeptDemand | null = null;
  // Written by set(), which the constructor calls: a new demand and one filled again are made
  // alike. Declared only (no field defined as undefined first: a number field stays unboxed).
  private declare hist: Histogram;
  declare perEnvironment: number;
  private declare headroom: number;
  private declare minEnvironments: number;
  private declare scale: number;
  declare scaleIndex: number;

  constructor(hist: Histogram, perEnvironment: number, headroom: number, minEnvironments: number, scale: number, scaleIndex: number) {
    this.set(hist, perEnvironment, headroom, minEnvironments, scale, scaleIndex);
  }

  /** This object as the demand of other settings (a dropped scope's demand taken again): every field written as a new one's. */
  set(hist: Histogram, perEnvironment: number, headroom: number, minEnvironments: number, scale: number, scaleIndex: number): this {
    // The shared buffers may hold the histogram of what this object was.
    if (scratch.demand === this) scratch.demand = null;
    this.hist = hist;
    this.perEnvironment = perEnvironment;
    this.headroom = headroom;
    this.minEnvironments = minEnvironments;
    this.scale = scale;
    this.scaleIndex = scaleIndex;
    this.minInstances = -1;
    this.count = 0;
    this.perInstance0 = 0;
    this.value0 = 0;
    this.perInstance1 = 0;
    this.value1 = 0;
    this.more = null;
    this.sums();
    return this;
  }

  private sums(): void {
    this.periods = this.hist.periods;
    const length = this.histogram();
    this.environmentPeriods = environmentPeriodsOf(scratch.values, scratch.counts, length);
    const last = length > 0 ? (scratch.values[length - 1] as number) : 0;
    this.maxEnvironments = last > 0 ? last : 0;
  }

  instancePeriods(perInstance: number, minInstances: number): number {
    if (minInstances !== this.minInstances) {
      this.minInstances = minInstances;
      this.count = 0;
      this.more = null;
    }
    const count = this.count;
    if (count > 0 && this.perInstance0 === perInstance) return this.value0;
    if (count > 1 && this.perInstance1 === perInstance) return this.value1;
    const more = this.more;
    if (more !== null) for (let i = 0; i < more.length; i += 2) if (more[i] === perInstance) return more[i + 1] as number;
    const length = this.histogram();
    const value = instancePeriodsOf(scratch.values, scratch.counts, perInstance, minInstances, length);
    if (count === 0) {
      this.perInstance0 = perInstance;
      this.value0 = value;
    } else if (count === 1) {
      this.perInstance1 = perInstance;
      this.value1 = value;
    } else (this.more ??= []).push(perInstance, value);
    this.count = count + 1;
    return value;
  }

  /** Builds this demand's environment histogram into the shared buffers, unless they hold it: its length. */
  private histogram(): number {
    if (scratch.demand !== this) {
      const n = this.hist.values.length;
      if (scratch.values.length < n) {
        scratch.values = new Float64Array(2 * n);
        scratch.counts = new Float64Array(2 * n);
      }
      // The settings in one object written over (environmentHistogramInto only reads them): none per build.
      const settings = scratch.settings;
      settings.perEnvironment = this.perEnvironment;
      settings.headroom = this.headroom;
      settings.minEnvironments = this.minEnvironments;
      scratch.length = environmentHistogramInto(this.hist, settings, this.scale, scratch.values, scratch.counts);
      scratch.demand = this;
    }
    return scratch.length;
  }
}

/** The environment histogram a KeptDemand built last (one cheapestTypeOf asks for several types in a row). */
const scratch = {
  demand: null as KeptDemand | null,
  values: new Float64Array(256),
  counts: new Float64Array(256),
  length: 0,
  // Doubles from the start (1.5), so a fractional headroom never changes the object's layout.
  settings: { perEnvironment: 1.5, headroom: 1.5, minEnvironments: 1.5 },
};

/**
 * What the charts of a function's chosen replays read (no knob changes it): built on the first
 * chart asked for, since a page draws at most a few hundred charts of its 10,000 functions.
 */
class CompactCharts {
  /** Minimum served level per bucket (f is monotone: min EEs = f(min served)); null until a chart is built. */
  #minServed: Float64Array | null = null;
  /** The bucket of each mark (markGaps summed). */
  #markBucket: Uint32Array | null = null;
  /** No knob changes the peaks and nothing downstream writes into a report: one array per function, shared by all its charts. */
  #peaks: (number | null)[] | null = null;

  constructor(
    readonly data: CompactReplayData,
    readonly window: SnapshotWindow,
  ) {}

  /** The chart of the configuration (per-EE concurrency, headroom, minEnvironments): what chosen() built for every sizing before. */
  chartOf(perEnvironment: number, headroom: number, minEnvironments: number): ChosenReplay['chart'] {
    const data = this.data;
    const buckets = data.bucketPeak.length;
    const minServed = (this.#minServed ??= bucketMinServedOf(data, buckets));
    const markBucket = (this.#markBucket ??= markBucketsOf(data.markGaps));
    const { markPairs, pairServed, pairConcurrency } = data;
    // Plain arrays filled in loops (Array.from over a typed array walks an iterator: slow).
    const throttled = new Array<boolean>(buckets).fill(false);
    // targetEnvironments is pure: read once per run of equal served levels.
    let level = Number.NaN;
    let levelServable = 0;
    for (let k = 0; k < markPairs.length; k++) {
      const i = markPairs[k] as number;
      const b = markBucket[k] as number;
      if (b >= buckets) continue;
      const v = pairServed[i] as number;
      if (v !== level) {
        level = v;
        levelServable = targetEnvironments(v, perEnvironment, headroom, minEnvironments) * perEnvironment;
      }
      if ((pairConcurrency[i] as number) > levelServable) throttled[b] = true;
    }
    const lmiCapacity = new Array<number>(buckets);
    level = Number.NaN;
    let levelCapacity = 0;
    for (let b = 0; b < buckets; b++) {
      const v = minServed[b] as number;
      if (v !== level) {
        level = v;
        levelCapacity = targetEnvironments(v, perEnvironment, headroom, minEnvironments) * perEnvironment;
      }
      lmiCapacity[b] = levelCapacity;
    }
    return {
      bucketSeconds: data.bucketPeriods * this.window.periodSeconds,
      start: this.window.start,
      concurrencyMax: (this.#peaks ??= peaksOf(data.bucketPeak)),
      lmiCapacity,
      throttled,
    };
  }
}

/** Minimum served level per chart bucket. */
function bucketMinServedOf(data: CompactReplayData, buckets: number): Float64Array {
  const { servedValues, servedLengths, bucketPeriods } = data;
  const minServed = new Float64Array(buckets).fill(Infinity);
  let at = 0;
  for (let i = 0; i < servedValues.length; i++) {
    const v = servedValues[i] as number;
    const end = at + (servedLengths[i] as number);
    for (let b = Math.floor(at / bucketPeriods); b < buckets && b * bucketPeriods < end; b++) {
      if (v < (minServed[b] as number)) minServed[b] = v;
    }
    at = end;
  }
  return minServed;
}

function markBucketsOf(markGaps: ReplayNumbers): Uint32Array {
  const markBucket = new Uint32Array(markGaps.length);
  for (let i = 0; i < markGaps.length; i++) markBucket[i] = (i > 0 ? (markBucket[i - 1] as number) : 0) + (markGaps[i] as number);
  return markBucket;
}

/**
 * A chosen replay whose chart and capacity runs are built on first use (a page draws a few
 * hundred charts; only `migrate` functions are packed onto providers), each kept once built. A
 * class: an object literal with a getter is slow to build and to read.
 */
class CompactChosen implements ChosenReplay {
  #chart: ChosenReplay['chart'] | null = null;
  #capacity: CapacityRuns | null = null;

  constructor(
    readonly throttledInvocations: number,
    readonly instancePeriods: number,
    readonly peakInstances: number,
    readonly environmentPeriods: number,
    readonly maxEnvironments: number,
    private readonly charts: CompactCharts,
    // The settings it was replayed at: its chart's, and the keys chosen() finds it by.
    readonly perEnvironment: number,
    readonly perInstance: number,
    readonly headroom: number,
    readonly minEnvironments: number,
    readonly minInstances: number,
    /** The source's capacity of a configuration (one function per source: no closure per chosen replay). */
    private readonly capacityAt: (perEnvironment: number, headroom: number, minEnvironments: number) => CapacityRuns,
  ) {}

  get chart(): ChosenReplay['chart'] {
    return (this.#chart ??= this.charts.chartOf(this.perEnvironment, this.headroom, this.minEnvironments));
  }

  get capacity(): CapacityRuns {
    return (this.#capacity ??= this.capacityAt(this.perEnvironment, this.headroom, this.minEnvironments));
  }
}

/**
 * A chosen configuration's capacity: by level at once (f over the served levels, a few hundred
 * numbers: what planning reads), the runs (capacityOfRuns) built on first read only, for readers
 * that want them. The levels are left out (null) when the served runs could be more than
 * MAX_CAPACITY_RUNS: the runs may then be blocked, which the levels do not show.
 */
class CompactCapacity implements CapacityRuns {
  #runs: CapacityRuns | null = null;
  #build: (() => CapacityRuns) | null;

  constructor(
    readonly periodSeconds: number,
    readonly leveled: LeveledCapacity | null,
    build: () => CapacityRuns,
  ) {
    this.#build = build;
  }

  get capacity(): Uint32Array {
    return this.#built().capacity;
  }

  get runLengths(): Uint32Array {
    return this.#built().runLengths;
  }

  #built(): CapacityRuns {
    if (this.#runs === null) {
      this.#runs = (this.#build as () => CapacityRuns)();
      this.#build = null;
    }
    return this.#runs;
  }
}

/**
 * Each served run's level: the index of its value in `levels` (the histogram's values, ascending
 * and distinct); null if a value is not there (none such: the histogram is of these runs). Kept
 * per function once planned (2 bytes a run: every function may be planned at some knob value).
 * Whole levels in a narrow span (every page's data) are ranked through a table by value, others
 * found by binary search.
 */
function runLevelsOf(servedValues: ReplayNumbers, levels: Float64Array): Uint16Array | Uint32Array | null {
  const count = servedValues.length;
  const runLevel = levels.length <= 0x10000 ? uint16Slab(count) : new Uint32Array(count);
  const low = levels.length > 0 ? (levels[0] as number) : 0;
  const span = levels.length > 0 ? (levels[levels.length - 1] as number) - low + 1 : 0;
  if (Number.isSafeInteger(low) && Number.isSafeInteger(span) && span <= LEVEL_RANK_SPAN) {
    if (rankScratch.length < span) rankScratch = new Int32Array(Math.max(span, 2 * rankScratch.length));
    const rank = rankScratch;
    rank.fill(-1, 0, span);
    for (let j = 0; j < levels.length; j++) {
      const at = (levels[j] as number) - low;
      if (!Number.isSafeInteger(at)) return null;
      rank[at] = j;
    }
    for (let i = 0; i < count; i++) {
      const at = (servedValues[i] as number) - low;
      const j = at >= 0 && at < span && Number.isInteger(at) ? (rank[at] as number) : -1;
      if (j < 0) return null;
      runLevel[i] = j;
    }
    return runLevel;
  }
  for (let i = 0; i < count; i++) {
    const v = servedValues[i] as number;
    let lo = 0;
    let hi = levels.length - 1;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if ((levels[mid] as number) < v) lo = mid + 1;
      else hi = mid;
    }
    if (levels[lo] !== v) return null;
    runLevel[i] = lo;
  }
  return runLevel;
}

/** Widest span of whole levels runLevelsOf ranks through a table (as histogramOfRuns's array). */
const LEVEL_RANK_SPAN = 1 << 16;
let rankScratch = new Int32Array(256);

/**
 * Views into shared blocks for the kept run levels: one backing store per block, not one per
 * function (a typed array's own store is slow to allocate). Nothing is freed: a block lives while
 * any of its views does.
 */
const SLAB_ELEMENTS = 1 << 17;
let slab = new Uint16Array(0);
let slabUsed = 0;
function uint16Slab(count: number): Uint16Array {
  if (count > SLAB_ELEMENTS / 4) return new Uint16Array(count);
  if (slabUsed + count > slab.length) {
    slab = new Uint16Array(SLAB_ELEMENTS);
    slabUsed = 0;
  }
  const view = slab.subarray(slabUsed, slabUsed + count);
  slabUsed += count;
  return view;
}

/**
 * capacityRuns (chart.ts) of the series f(served), from the served runs: each run mapped through
 * f (stored as a Uint32Array stores it), equal neighbours merged. Beyond `MAX_CAPACITY_RUNS` the
 * series is blocked per period: that case expands the series and takes capacityRuns's own path.
 */
function capacityOfRuns(
  servedValues: ReplayNumbers,
  servedLengths: ReplayNumbers,
  periods: number,
  f: (served: number) => number,
  periodSeconds: number,
): CapacityRuns {
  const count = servedValues.length;
  const mapped = new Uint32Array(count);
  let runs = 0;
  let last = -1;
  for (let i = 0; i < count; i++) {
    mapped[i] = f(servedValues[i] as number);
    // A run of no period (none is packed) would not show in the series.
    if (servedLengths[i] === 0) continue;
    if (last < 0 || mapped[i] !== mapped[last]) runs++;
    last = i;
  }
  if (runs > MAX_CAPACITY_RUNS) {
    const environments = new Uint32Array(periods);
    let from = 0;
    for (let i = 0; i < count; i++) {
      const to = from + (servedLengths[i] as number);
      environments.fill(mapped[i] as number, from, to);
      from = to;
    }
    return capacityRuns(environments, periodSeconds);
  }
  const capacity = new Uint32Array(runs);
  const runLengths = new Uint32Array(runs);
  let r = -1;
  last = -1;
  for (let i = 0; i < count; i++) {
    if (servedLengths[i] === 0) continue;
    if (last < 0 || mapped[i] !== mapped[last]) capacity[++r] = mapped[i] as number;
    runLengths[r] = (runLengths[r] as number) + (servedLengths[i] as number);
    last = i;
  }
  return { capacity, runLengths, periodSeconds };
}

/** Widest span of whole served levels histogramOfRuns sums in an array (else a Map). */
const LEVEL_ARRAY_SPAN = 1 << 16;

function histogramOfRuns(values: ReplayNumbers, lengths: ReplayNumbers, periods: number): Histogram {
  let low = Infinity;
  let high = -Infinity;
  let whole = values.length > 0;
  for (let i = 0; i < values.length && whole; i++) {
    const v = values[i] as number;
    if (!Number.isSafeInteger(v)) whole = false;
    if (v < low) low = v;
    if (v > high) high = v;
  }
  let sorted: number[];
  let counts: number[];
  if (whole && high - low < LEVEL_ARRAY_SPAN) {
    // Whole levels in a narrow span (every page's data): sums by level in an array, the levels
    // ascending as they come (the same sums, in the same order, as the Map below).
    const sums = new Float64Array(high - low + 1);
    const seen = new Uint8Array(high - low + 1);
    for (let i = 0; i < values.length; i++) {
      const at = (values[i] as number) - low;
      seen[at] = 1;
      sums[at] = (sums[at] as number) + (lengths[i] as number);
    }
    sorted = [];
    counts = [];
    for (let at = 0; at < seen.length; at++) {
      if (seen[at] === 0) continue;
      sorted.push(at + low);
      counts.push(sums[at] as number);
    }
  } else {
    const byValue = new Map<number, number>();
    for (let i = 0; i < values.length; i++) {
      const v = values[i] as number;
      byValue.set(v, (byValue.get(v) ?? 0) + (lengths[i] as number));
    }
    sorted = [...byValue.keys()].sort((a, b) => a - b);
    counts = sorted.map((v) => byValue.get(v) as number);
  }
  const hist: Histogram = {
    values: Float64Array.from(sorted),
    counts: Float64Array.from(counts),
    periods,
  };
  const cumulative = new Float64Array(sorted.length + 1);
  for (let i = 0; i < sorted.length; i++) cumulative[i + 1] = (cumulative[i] as number) + (hist.counts[i] as number);
  hist.cumulative = cumulative;
  return hist;
}

/**
 * Where each served level's pairs start (ascending pairs: a level's run ends where the next
 * starts; the last entry is the pair count), or null when the pairs are not ascending by level,
 * then concurrency (throttledByLevel needs that order; throttledInvocationsOf does not).
 */
function levelStartsOf(pairs: { served: ReplayNumbers; concurrency: ReplayNumbers }): Uint32Array | null {
  const n = pairs.served.length;
  const starts: number[] = [];
  for (let i = 0; i < n; i++) {
    const v = pairs.served[i] as number;
    if (i === 0 || v !== pairs.served[i - 1]) {
      if (i > 0 && !(v > (pairs.served[i - 1] as number))) return null;
      starts.push(i);
    } else if (!((pairs.concurrency[i] as number) > (pairs.concurrency[i - 1] as number))) return null;
  }
  starts.push(n);
  return Uint32Array.from(starts);
}

/**
 * throttledInvocationsOf (replay-source.ts) over ascending pairs, by level: a level whose top
 * concurrency the capacity serves adds nothing, and in the others the first pair above it is
 * found by bisection. Only pairs above it ever add a term: the same terms in the same order.
 */
function throttledByLevel(
  pairs: { served: ReplayNumbers; concurrency: ReplayNumbers; invocations: ReplayNumbers },
  starts: Uint32Array,
  perEnvironment: number,
  headroom: number,
  minEnvironments: number,
): number {
  const { served, concurrency, invocations } = pairs;
  let total = 0;
  for (let l = 0; l + 1 < starts.length; l++) {
    const from = starts[l] as number;
    const to = starts[l + 1] as number;
    const s = targetEnvironments(served[from] as number, perEnvironment, headroom, minEnvironments) * perEnvironment;
    if (!((concurrency[to - 1] as number) > s)) continue;
    let lo = from;
    let hi = to - 1;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if ((concurrency[mid] as number) > s) hi = mid;
      else lo = mid + 1;
    }
    for (let i = lo; i < to; i++) {
      const c = concurrency[i] as number;
      total += ((invocations[i] as number) * (c - s)) / c;
    }
  }
  return total;
}

/** The chart's peaks as the report holds them (a new array: null where none is known). */
function peaksOf(peaks: ReplayPeaks): (number | null)[] {
  if (Array.isArray(peaks)) return peaks.slice();
  // Pushed, not written into `new Array(n)`: a packed array, as slice() gives.
  const out: (number | null)[] = [];
  for (let b = 0; b < peaks.length; b++) out.push(peakAt(peaks, b));
  return out;
}

/** Browser side: the ReplaySource sizeLmi reads, over the compact data. */
export function compactReplay(data: CompactReplayData, window: SnapshotWindow): ReplaySource {
  const { periods, servedValues, servedLengths } = data;
  const hist = histogramOfRuns(servedValues, servedLengths, periods);
  const charts = new CompactCharts(data, window);
  const pairs = { served: data.pairServed, concurrency: data.pairConcurrency, invocations: data.pairInvocations };
  // The pairs' level runs, found on the first chosen replay (undefined: not yet; null: not ascending).
  let levelStarts: Uint32Array | null | undefined;

  // The served runs by level, built on the first capacity asked for (only `migrate` functions are planned).
  let runLevel: Uint16Array | Uint32Array | null | undefined;
  /** The capacity of f(served): by level (f over the histogram's levels, stored as the runs store it), runs on demand. */
  const capacityAt = (perEnvironment: number, headroom: number, minEnvironments: number): CapacityRuns => {
    const f = (v: number) => targetEnvironments(v, perEnvironment, headroom, minEnvironments);
    let leveled: LeveledCapacity | null = null;
    // At most MAX_CAPACITY_RUNS served runs: never more runs of capacity, so never blocked.
    if (servedValues.length <= MAX_CAPACITY_RUNS) {
      if (runLevel === undefined) runLevel = runLevelsOf(servedValues, hist.values);
      if (runLevel !== null) {
        // `>>> 0`: the value a Uint32Array stores (ToUint32), as capacityOfRuns stores it.
        // Sized once (a level per served value: pushes would copy it as it grows).
        const levelCapacity = new Array<number>(hist.values.length);
        for (let j = 0; j < levelCapacity.length; j++) levelCapacity[j] = f(hist.values[j] as number) >>> 0;
        leveled = { levelCapacity, levelPeriods: hist.counts, runLevel, runLength: servedLengths };
      }
    }
    return new CompactCapacity(window.periodSeconds, leveled, () => capacityOfRuns(servedValues, servedLengths, periods, f, window.periodSeconds));
  };

  // The demands sizeLmi prices and the chosen replays, kept between updates (pure in their keys).
  const scopes: DemandScope[] = [];
  /** scopes' last (the scope in use last), held here too: a lookup in it reads no array first. */
  let current: DemandScope | undefined;
  const chosenKept: CompactChosen[] = [];
  /** Demands of the scopes dropped, to be filled again, as a list through their nextSpare: at most MAX_SPARE_DEMANDS (the others are let go). */
  let spare: KeptDemand | null = null;
  let spareCount = 0;
  return {
    periods,
    hist,
    sizingMemo: new Map(),
    environmentDemand: demandAt,
    unknownPeriods: data.unknownPeriods,
    allUnknown: data.allUnknown,
    chosen: (perEnvironment, perInstance, lmi): ChosenReplay => {
      // Everything below depends on these settings alone (compared as numbers: no key string);
      // the replay kept last first (a discount or a share that moves no per-EE concurrency asks for it again).
      for (let i = chosenKept.length - 1; i >= 0; i--) {
        const k = chosenKept[i] as CompactChosen;
        if (
          k.perEnvironment === perEnvironment &&
          k.perInstance === perInstance &&
          k.headroom === lmi.headroom &&
          k.minEnvironments === lmi.minEnvironments &&
          k.minInstances === lmi.minInstances
        ) {
          return k;
        }
      }
      const { headroom, minEnvironments, minInstances } = lmi;
      let instancePeriods = 0;
      let environmentPeriods = 0;
      let peakInstances = 0;
      let maxEnvironments = 0;
      // The candidate's own demand at traffic 1 (sizeLmi priced it: its sums and this type's
      // instance-periods are kept) holds these sums: whole numbers, so summed per EE level or per
      // served level they are the same, exactly, below 2^53. Its largest level gives the peaks (f
      // and instancesFor are monotone).
      const demand = Number.isInteger(minEnvironments) && Number.isInteger(minInstances) ? demandAt(perEnvironment, headroom, minEnvironments, 1, UNIT_SCALE_INDEX) : null;
      const demandPeriods = demand === null ? Number.NaN : demand.instancePeriods(perInstance, minInstances);
      if (demand !== null && Number.isSafeInteger(demand.environmentPeriods) && Number.isSafeInteger(demandPeriods)) {
        environmentPeriods = demand.environmentPeriods;
        instancePeriods = demandPeriods;
        maxEnvironments = demand.maxEnvironments;
        if (hist.values.length > 0) {
          const n = instancesFor(maxEnvironments, perInstance, minInstances);
          if (n > 0) peakInstances = n;
        }
      } else {
        for (let i = 0; i < hist.values.length; i++) {
          const e = targetEnvironments(hist.values[i] as number, perEnvironment, headroom, minEnvironments);
          const n = instancesFor(e, perInstance, minInstances);
          const count = hist.counts[i] as number;
          environmentPeriods += e * count;
          instancePeriods += n * count;
          if (e > maxEnvironments) maxEnvironments = e;
          if (n > peakInstances) peakInstances = n;
        }
      }
      if (levelStarts === undefined) levelStarts = levelStartsOf(pairs);
      const throttledInvocations =
        levelStarts !== null
          ? throttledByLevel(pairs, levelStarts, perEnvironment, headroom, minEnvironments)
          : throttledInvocationsOf(pairs, (v: number) => targetEnvironments(v, perEnvironment, headroom, minEnvironments) * perEnvironment);
      const replay = new CompactChosen(
        throttledInvocations,
        instancePeriods,
        peakInstances,
        environmentPeriods,
        maxEnvironments,
        charts,
        perEnvironment,
        perInstance,
        headroom,
        minEnvironments,
        minInstances,
        capacityAt,
      );
      if (chosenKept.length >= MAX_KEPT_CHOSEN) chosenKept.shift();
      chosenKept.push(replay);
      return replay;
    },
  };

  /** The demand of a candidate, kept per (headroom, minEnvironments) scope (ReplaySource.environmentDemand). */
  function demandAt(perEnvironment: number, headroom: number, minEnvironments: number, scale: number, scaleIndex: number): KeptDemand {
    let scope = current;
    if (scope === undefined || scope.headroom !== headroom || scope.minEnvironments !== minEnvironments) {
      // Loops, not findIndex and splice (a closure and an array per function per scope change).
      let at = -1;
      for (let i = 0; i < scopes.length; i++) {
        const c = scopes[i] as DemandScope;
        if (c.headroom === headroom && c.minEnvironments === minEnvironments) {
          at = i;
          break;
        }
      }
      if (at >= 0) {
        scope = scopes[at] as DemandScope;
        for (let i = at; i + 1 < scopes.length; i++) scopes[i] = scopes[i + 1] as DemandScope;
        scopes.pop();
      } else if (scopes.length >= MAX_KEPT_SCOPES) {
        // The scope in use least recently, emptied (its demands kept to be filled again) and taken for this one.
        scope = scopes.shift() as DemandScope;
        dropDemands(scope);
        scope.headroom = headroom;
        scope.minEnvironments = minEnvironments;
      } else {
        scope = { headroom, minEnvironments, d0: null, d1: null, d2: null, d3: null, byKey: null, byPerEnvironment: null, size: 0 };
      }
      // The scope in use last: the first looked at, the last dropped.
      scopes.push(scope);
      current = scope;
    }
    const inField = fieldDemand(scope, perEnvironment, scaleIndex);
    if (inField !== null) return inField;
    const keyed = Number.isInteger(perEnvironment) && perEnvironment >= 0 && perEnvironment < KEYED_PER_ENVIRONMENT_LIMIT && scaleIndex >= 0 && scaleIndex < SCALE_SLOTS;
    const key = perEnvironment * SCALE_SLOTS + scaleIndex;
    let byScale: (KeptDemand | undefined)[] | undefined;
    let found: KeptDemand | undefined;
    if (scope.size > FIELD_DEMANDS) {
      if (keyed) found = scope.byKey?.get(key);
      else {
        byScale = scope.byPerEnvironment?.get(perEnvironment);
        found = byScale?.[scaleIndex];
      }
    }
    if (found === undefined) {
      if (scope.size >= MAX_DEMANDS_PER_SCOPE) {
        dropDemands(scope);
        byScale = undefined;
      }
      const again = spare;
      if (again === null) found = new KeptDemand(hist, perEnvironment, headroom, minEnvironments, scale, scaleIndex);
      else {
        spare = again.nextSpare;
        spareCount--;
        again.nextSpare = null;
        found = again.set(hist, perEnvironment, headroom, minEnvironments, scale, scaleIndex);
      }
      const at = scope.size;
      if (at === 0) scope.d0 = found;
      else if (at === 1) scope.d1 = found;
      else if (at === 2) scope.d2 = found;
      else if (at === 3) scope.d3 = found;
      else if (keyed) (scope.byKey ??= new Map()).set(key, found);
      else {
        const byPerEnvironment = (scope.byPerEnvironment ??= new Map());
        if (byScale === undefined) byPerEnvironment.set(perEnvironment, (byScale = []));
        byScale[scaleIndex] = found;
      }
      scope.size = at + 1;
    }
    return found;
  }

  /** Empties a scope, its demands kept in `spare` to be filled again (no one holds a demand beyond the call that asked for it). */
  function dropDemands(scope: DemandScope): void {
    if (scope.d0 !== null) keepSpare(scope.d0);
    if (scope.d1 !== null) keepSpare(scope.d1);
    if (scope.d2 !== null) keepSpare(scope.d2);
    if (scope.d3 !== null) keepSpare(scope.d3);
    scope.d0 = scope.d1 = scope.d2 = scope.d3 = null;
    if (scope.byKey !== null) {
      scope.byKey.forEach(keepSpare);
      scope.byKey.clear();
    }
    if (scope.byPerEnvironment !== null) {
      scope.byPerEnvironment.forEach(keepSpareAll);
      scope.byPerEnvironment.clear();
    }
    scope.size = 0;
  }
  function keepSpare(demand: KeptDemand): void {
    if (spareCount >= MAX_SPARE_DEMANDS) return;
    demand.nextSpare = spare;
    spare = demand;
    spareCount++;
  }
  function keepSpareAll(byScale: (KeptDemand | undefined)[]): void {
    for (let i = 0; i < byScale.length; i++) {
      const demand = byScale[i];
      if (demand !== undefined) keepSpare(demand);
    }
  }
}
