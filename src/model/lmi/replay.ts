/**
 * Replay of the concurrency series through LMI scaling: headroom, scale-out delay, scale-in wait.
 * Rules (lambda-managed-instances-scaling.html): Lambda keeps headroom for traffic to double
 * within 5 minutes (lmi.headroom, lmi.scaleOutMinutes) and scales in gradually (lmi.scaleInMinutes);
 * it never goes below MinExecutionEnvironments (lmi.minEnvironments, default 3).
 *
 * capacity(p) = max over q in [p-L-W, p-L] of target(q), target(q) = f(c(q)) with
 * f(c) = max(minEnv, ceil(ceil(c / perEE) x headroom)). f is monotone, so
 * capacity(p) = f(max over the same window of c(q)): one sliding-window max of the concurrency
 * series serves every (shape, instance type, CPU share, traffic scale) candidate.
 */

/** Ceil that ignores floating noise (1.1 x 10 = 11.000000000000002 must give 11). */
export function ceilSafe(x: number): number {
  return Math.ceil(x * (1 - 1e-12) - 1e-12);
}

/** Environments LMI keeps for concurrency c: f(c) above. */
export function targetEnvironments(concurrency: number, perEnvironment: number, headroom: number, minEnvironments: number): number {
  if (concurrency <= 0) return minEnvironments;
  return Math.max(minEnvironments, ceilSafe(ceilSafe(concurrency / perEnvironment) * headroom));
}

export interface KnownConcurrency {
  /** Concurrency per period with unknown values filled (previous known; leading ones from the first known). */
  values: Float64Array;
  unknownPeriods: number;
  /** No period had a known value. */
  allUnknown: boolean;
}

/** Fills unknown (null) concurrency by holding the previous known value. */
export function knownConcurrency(series: readonly (number | null)[]): KnownConcurrency {
  const n = series.length;
  const values = new Float64Array(n);
  let unknownPeriods = 0;
  let first = -1;
  for (let i = 0; i < n; i++) {
    const v = series[i];
    if (v !== null && v !== undefined) {
      first = v;
      break;
    }
  }
  let held = first < 0 ? 0 : first;
  for (let i = 0; i < n; i++) {
    const v = series[i];
    if (v === null || v === undefined) {
      unknownPeriods++;
    } else {
      held = v;
    }
    values[i] = held;
  }
  return { values, unknownPeriods, allUnknown: first < 0 };
}

export interface ScalingDelays {
  /** Scale-out delay in periods: round(scaleOutMinutes x 60 / period). */
  outPeriods: number;
  /** Periods demand must stay lower before capacity is released. */
  inPeriods: number;
}

export function scalingDelays(periodSeconds: number, scaleOutMinutes: number, scaleInMinutes: number): ScalingDelays {
  return {
    outPeriods: Math.round((scaleOutMinutes * 60) / periodSeconds),
    inPeriods: Math.round((scaleInMinutes * 60) / periodSeconds),
  };
}

/**
 * Concurrency capacity follows: out[p] = max of c over [p-L-W, p-L], indexes below 0 reading c[0]
 * (start warm: before the window the first period's demand is assumed). One monotonic deque, O(P).
 */
export function laggedWindowMax(c: Float64Array, delays: ScalingDelays): Float64Array {
  const n = c.length;
  const out = new Float64Array(n);
  if (n === 0) return out;
  const L = Math.min(delays.outPeriods, n);
  const W = delays.inPeriods;
  // First out[j] = max c over [max(0, j-W), j] (deque of indexes with decreasing values)...
  const dequeIndex = new Int32Array(n);
  const dequeValue = new Float64Array(n);
  let head = 0;
  let tail = 0;
  for (let j = 0; j < n; j++) {
    const v = c[j] as number;
    while (tail > head && (dequeValue[tail - 1] as number) <= v) tail--;
    dequeIndex[tail] = j;
    dequeValue[tail++] = v;
    while ((dequeIndex[head] as number) < j - W) head++;
    out[j] = dequeValue[head] as number;
  }
  // ...then shift by L: out[p] = that[max(0, p - L)].
  if (L > 0) {
    const first = out[0] as number;
    out.copyWithin(L, 0, n - L);
    out.fill(first, 0, L);
  }
  return out;
}

export interface Histogram {
  /** Distinct values, ascending. */
  values: Float64Array;
  /** Periods holding each value. */
  counts: Float64Array;
  /** Sum of counts (periods). */
  periods: number;
  /** cumulative[i] = sum of counts[0..i-1] (length values.length + 1), when built. */
  cumulative?: Float64Array;
}

function withCumulative(h: Histogram): Histogram {
  const cumulative = new Float64Array(h.values.length + 1);
  for (let i = 0; i < h.values.length; i++) cumulative[i + 1] = (cumulative[i] as number) + (h.counts[i] as number);
  h.cumulative = cumulative;
  return h;
}

/** Values up to this bound are counted in an array instead of sorted. */
const COUNTING_LIMIT = 1 << 20;

/**
 * Distinct values of a series with their counts, ascending. Concurrency is a whole number, so
 * the usual path is a counting pass (O(n + max)); other values fall back to a sort.
 */
export function histogram(series: Float64Array): Histogram {
  let max = 0;
  let integral = true;
  for (let i = 0; i < series.length; i++) {
    const v = series[i] as number;
    if (v > max) max = v;
    if (!(v >= 0 && v === Math.floor(v))) integral = false;
  }
  if (integral && max < COUNTING_LIMIT) {
    const tally = new Uint32Array(max + 1);
    for (let i = 0; i < series.length; i++) {
      const v = series[i] as number;
      tally[v] = (tally[v] as number) + 1;
    }
    let distinct = 0;
    for (let v = 0; v <= max; v++) if ((tally[v] as number) > 0) distinct++;
    const values = new Float64Array(distinct);
    const counts = new Float64Array(distinct);
    let k = 0;
    for (let v = 0; v <= max; v++) {
      const n = tally[v] as number;
      if (n > 0) {
        values[k] = v;
        counts[k++] = n;
      }
    }
    return withCumulative({ values, counts, periods: series.length });
  }
  const sorted = Float64Array.from(series).sort();
  let distinct = 0;
  for (let i = 0; i < sorted.length; i++) if (i === 0 || sorted[i] !== sorted[i - 1]) distinct++;
  const values = new Float64Array(distinct);
  const counts = new Float64Array(distinct);
  let k = -1;
  for (let i = 0; i < sorted.length; i++) {
    if (i === 0 || sorted[i] !== sorted[i - 1]) values[++k] = sorted[i] as number;
    counts[k] = (counts[k] as number) + 1;
  }
  return withCumulative({ values, counts, periods: sorted.length });
}

export interface ReplaySettings {
  perEnvironment: number;
  headroom: number;
  minEnvironments: number;
}

/**
 * Environment counts and their period counts for a concurrency histogram (merged, ascending).
 * f is monotone, so the values sharing one environment count are consecutive. When there are
 * far fewer EE levels than distinct values (one EE serves many requests), an exponential then
 * binary search finds the end of each group with O(log) evaluations of f; otherwise one tight
 * linear pass is cheaper.
 */
export function environmentHistogram(hist: Histogram, settings: ReplaySettings, trafficScale: number): Histogram {
  const n = hist.values.length;
  const values = new Float64Array(n);
  const counts = new Float64Array(n);
  const length = environmentHistogramInto(hist, settings, trafficScale, values, counts);
  return { values: values.subarray(0, length), counts: counts.subarray(0, length), periods: hist.periods };
}

/**
 * environmentHistogram written into `values` and `counts` (each at least hist.values.length
 * long, from index 0): returns how many entries it wrote. Lets a caller that prices many
 * candidates reuse two buffers.
 */
export function environmentHistogramInto(hist: Histogram, settings: ReplaySettings, trafficScale: number, values: Float64Array, counts: Float64Array): number {
  const { values: vs, counts: cs, cumulative } = hist;
  const { perEnvironment, headroom, minEnvironments } = settings;
  const n = vs.length;
  let k = -1;
  if (n === 0) return 0;
  const levels = ((vs[n - 1] as number) * trafficScale) / perEnvironment;
  if (cumulative === undefined || levels * 4 >= n) {
    let lastNeeded = -1;
    let e = 0;
    for (let i = 0; i < n; i++) {
      // Same arithmetic as targetEnvironments, inlined: this loop runs for every candidate.
      const needed = ceilSafe(((vs[i] as number) * trafficScale) / perEnvironment);
      if (needed !== lastNeeded) {
        lastNeeded = needed;
        e = needed <= 0 ? minEnvironments : Math.max(minEnvironments, ceilSafe(needed * headroom));
      }
      if (k >= 0 && values[k] === e) counts[k] = (counts[k] as number) + (cs[i] as number);
      else {
        values[++k] = e;
        counts[k] = cs[i] as number;
      }
    }
  } else {
    // targetEnvironments at each index, called directly (a closure over the settings would be one allocation per call).
    let i = 0;
    while (i < n) {
      const e = targetEnvironments((vs[i] as number) * trafficScale, perEnvironment, headroom, minEnvironments);
      // Gallop: the last index with f === e lies in [lo, hi).
      let lo = i;
      let step = 1;
      let hi = i + 1;
      while (hi < n && targetEnvironments((vs[hi] as number) * trafficScale, perEnvironment, headroom, minEnvironments) === e) {
        lo = hi;
        step *= 2;
        hi = Math.min(n, hi + step);
      }
      while (hi - lo > 1) {
        const mid = (lo + hi) >>> 1;
        if (targetEnvironments((vs[mid] as number) * trafficScale, perEnvironment, headroom, minEnvironments) === e) lo = mid;
        else hi = mid;
      }
      values[++k] = e;
      counts[k] = (cumulative[lo + 1] as number) - (cumulative[i] as number);
      i = lo + 1;
    }
  }
  return k + 1;
}
