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
import { MAX_CHART_BUCKETS, capacityRuns } from '../model/lmi/chart.js';
import { instancesFor } from '../model/lmi/instances.js';
import { environmentHistogram, type Histogram, knownConcurrency, laggedWindowMax, scalingDelays, targetEnvironments } from '../model/lmi/replay.js';
import { type ChosenReplay, type ReplaySource, throttledInvocationsOf, throttlePairsOf } from '../model/lmi/replay-source.js';
import type { CapacityRuns } from '../model/lmi/types.js';
import { periodCount, type FunctionProfile, type SnapshotWindow } from '../source/profile.js';
import { checkEligibility } from '../model/lmi/eligibility.js';
import { cpuPerInvocation } from '../model/lmi/shape.js';

export interface CompactReplayData {
  periods: number;
  unknownPeriods: number;
  allUnknown: boolean;
  /** Served concurrency as runs: servedValues[i] for servedLengths[i] periods. */
  servedValues: number[];
  servedLengths: number[];
  /** Pairs that can throttle, ascending (ThrottlePairs): served level, concurrency, summed invocations. */
  pairServed: number[];
  pairConcurrency: number[];
  pairInvocations: number[];
  /** Per chart bucket, its undominated pairs: the bucket as a gap from the previous entry's, and the pair's index. */
  markGaps: number[];
  markPairs: number[];
  /** Chart: periods per bucket and the peak known concurrency of each bucket (null: none known). */
  bucketPeriods: number;
  bucketPeak: (number | null)[];
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

/** Per function: a knob change prices about 40 histograms; keep a few changes' worth. */
const MAX_KEPT_HISTOGRAMS = 256;

/** Per function: type choices of about 40 candidates per change; keep a few dozen changes' worth. */
const MAX_KEPT_CHOICES = 2048;

function histogramOfRuns(values: readonly number[], lengths: readonly number[], periods: number): Histogram {
  const byValue = new Map<number, number>();
  values.forEach((v, i) => byValue.set(v, (byValue.get(v) ?? 0) + (lengths[i] as number)));
  const sorted = [...byValue.keys()].sort((a, b) => a - b);
  const hist: Histogram = {
    values: Float64Array.from(sorted),
    counts: Float64Array.from(sorted, (v) => byValue.get(v) as number),
    periods,
  };
  const cumulative = new Float64Array(sorted.length + 1);
  for (let i = 0; i < sorted.length; i++) cumulative[i + 1] = (cumulative[i] as number) + (hist.counts[i] as number);
  hist.cumulative = cumulative;
  return hist;
}

/** Browser side: the ReplaySource sizeLmi reads, over the compact data. */
export function compactReplay(data: CompactReplayData, window: SnapshotWindow): ReplaySource {
  const { periods, servedValues, servedLengths, bucketPeriods } = data;
  const hist = histogramOfRuns(servedValues, servedLengths, periods);
  // Minimum served value per chart bucket (f is monotone: min EEs = f(min served)).
  const buckets = data.bucketPeak.length;
  const bucketMinServed = new Float64Array(buckets).fill(Infinity);
  let at = 0;
  servedValues.forEach((v, i) => {
    const end = at + (servedLengths[i] as number);
    for (let b = Math.floor(at / bucketPeriods); b < buckets && b * bucketPeriods < end; b++) {
      if (v < (bucketMinServed[b] as number)) bucketMinServed[b] = v;
    }
    at = end;
  });
  const markBucket = new Uint32Array(data.markGaps.length);
  data.markGaps.forEach((gap, i) => (markBucket[i] = (i > 0 ? (markBucket[i - 1] as number) : 0) + gap));
  const pairs = { served: data.pairServed, concurrency: data.pairConcurrency, invocations: data.pairInvocations };

  // The histograms sizeLmi prices and its type choices, kept between updates (pure in their keys).
  const envHists = new Map<string, Histogram>();
  const choices = new Map<string, unknown>();
  return {
    periods,
    hist,
    environmentHistogram: (settings, scale) => {
      const key = `${settings.perEnvironment}:${settings.headroom}:${settings.minEnvironments}:${scale}`;
      let found = envHists.get(key);
      if (found === undefined) {
        if (envHists.size >= MAX_KEPT_HISTOGRAMS) envHists.clear();
        found = environmentHistogram(hist, settings, scale);
        envHists.set(key, found);
      }
      return found;
    },
    kept: <T>(key: string, compute: () => T): T => {
      if (choices.has(key)) return choices.get(key) as T;
      if (choices.size >= MAX_KEPT_CHOICES) choices.clear();
      const value = compute();
      choices.set(key, value);
      return value;
    },
    unknownPeriods: data.unknownPeriods,
    allUnknown: data.allUnknown,
    chosen: ({ perEnvironment, perInstance, lmi }): ChosenReplay => {
      const f = (v: number) => targetEnvironments(v, perEnvironment, lmi.headroom, lmi.minEnvironments);
      let instancePeriods = 0;
      let environmentPeriods = 0;
      let peakInstances = 0;
      let maxEnvironments = 0;
      for (let i = 0; i < hist.values.length; i++) {
        const e = f(hist.values[i] as number);
        const n = instancesFor(e, perInstance, lmi.minInstances);
        const count = hist.counts[i] as number;
        environmentPeriods += e * count;
        instancePeriods += n * count;
        if (e > maxEnvironments) maxEnvironments = e;
        if (n > peakInstances) peakInstances = n;
      }
      const servable = (v: number) => f(v) * perEnvironment;
      const throttledInvocations = throttledInvocationsOf(pairs, servable);
      const throttledBucket = new Uint8Array(buckets);
      data.markPairs.forEach((i, k) => {
        if ((pairs.concurrency[i] as number) > servable(pairs.served[i] as number)) throttledBucket[markBucket[k] as number] = 1;
      });
      const chart = {
        bucketSeconds: bucketPeriods * window.periodSeconds,
        start: window.start,
        concurrencyMax: data.bucketPeak.slice(),
        lmiCapacity: Array.from(bucketMinServed, (v) => f(v) * perEnvironment),
        throttled: Array.from(throttledBucket, (t) => t === 1),
      };
      let capacity: CapacityRuns | null = null;
      return {
        throttledInvocations,
        instancePeriods,
        peakInstances,
        environmentPeriods,
        maxEnvironments,
        chart,
        // Only `migrate` functions are packed onto providers: expand the runs on first use.
        get capacity(): CapacityRuns {
          if (capacity === null) {
            const environments = new Uint32Array(periods);
            let from = 0;
            servedValues.forEach((v, i) => {
              const to = from + (servedLengths[i] as number);
              environments.fill(f(v), from, to);
              from = to;
            });
            capacity = capacityRuns(environments, window.periodSeconds);
          }
          return capacity;
        },
      };
    },
  };
}
