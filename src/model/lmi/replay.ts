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
  const L = delays.outPeriods;
  const W = delays.inPeriods;
  // s[j] = max c over [max(0, j-W), j]; out[p] = s[max(0, p-L)].
  const deque = new Int32Array(n);
  let head = 0;
  let tail = 0;
  const s = new Float64Array(n);
  for (let j = 0; j < n; j++) {
    const v = c[j] as number;
    while (tail > head && (c[deque[tail - 1] as number] as number) <= v) tail--;
    deque[tail++] = j;
    while ((deque[head] as number) < j - W) head++;
    s[j] = c[deque[head] as number] as number;
  }
  for (let p = 0; p < n; p++) out[p] = s[p > L ? p - L : 0] as number;
  return out;
}

export interface Histogram {
  /** Distinct values, ascending. */
  values: Float64Array;
  /** Periods holding each value. */
  counts: Float64Array;
  /** Sum of counts (periods). */
  periods: number;
}

/** Distinct values of a series with their counts, ascending. */
export function histogram(series: Float64Array): Histogram {
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
  return { values, counts, periods: sorted.length };
}

export interface ReplaySettings {
  perEnvironment: number;
  headroom: number;
  minEnvironments: number;
}

/** Environment counts and their period counts for a concurrency histogram (merged, ascending). */
export function environmentHistogram(hist: Histogram, settings: ReplaySettings, trafficScale: number): Histogram {
  const values = new Float64Array(hist.values.length);
  const counts = new Float64Array(hist.values.length);
  let k = -1;
  for (let i = 0; i < hist.values.length; i++) {
    const e = targetEnvironments((hist.values[i] as number) * trafficScale, settings.perEnvironment, settings.headroom, settings.minEnvironments);
    if (k < 0 || values[k] !== e) values[++k] = e;
    counts[k] = (counts[k] as number) + (hist.counts[i] as number);
  }
  return { values: values.subarray(0, k + 1), counts: counts.subarray(0, k + 1), periods: hist.periods };
}
