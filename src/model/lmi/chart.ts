/**
 * Downsampled concurrency chart and the run-length capacity series used for grouping.
 * Both are bounded in size whatever the window, so 10,000 functions stay small in memory.
 */
import type { ChartSeries } from '../../report/types.js';
import type { CapacityRuns } from './types.js';

/** At most this many chart buckets (2 h buckets over 14 days). */
export const MAX_CHART_BUCKETS = 168;
/** At most this many capacity runs per function (merged with max beyond: conservative). */
export const MAX_CAPACITY_RUNS = 4096;

/**
 * Chart of one function: peak concurrency per bucket (null when every period is unknown),
 * the concurrency the replayed capacity could serve (min per bucket), and throttled buckets.
 * bucketSeconds is a whole number of periods.
 */
export function buildChart(args: {
  start: string;
  periodSeconds: number;
  concurrency: readonly (number | null)[];
  environments: Uint32Array;
  perEnvironment: number;
  throttled: Uint8Array;
}): ChartSeries {
  const n = args.environments.length;
  const bucketPeriods = Math.max(1, Math.ceil(n / MAX_CHART_BUCKETS));
  const buckets = Math.ceil(n / bucketPeriods);
  const concurrencyMax: (number | null)[] = new Array<number | null>(buckets);
  const lmiCapacity: number[] = new Array<number>(buckets);
  const throttled: boolean[] = new Array<boolean>(buckets);
  for (let b = 0; b < buckets; b++) {
    const from = b * bucketPeriods;
    const to = Math.min(n, from + bucketPeriods);
    let peak: number | null = null;
    let minEnvironments = Infinity;
    let anyThrottle = false;
    for (let p = from; p < to; p++) {
      const c = args.concurrency[p];
      if (c !== null && c !== undefined && (peak === null || c > peak)) peak = c;
      const e = args.environments[p] as number;
      if (e < minEnvironments) minEnvironments = e;
      if (args.throttled[p] === 1) anyThrottle = true;
    }
    concurrencyMax[b] = peak;
    lmiCapacity[b] = minEnvironments * args.perEnvironment;
    throttled[b] = anyThrottle;
  }
  return { bucketSeconds: bucketPeriods * args.periodSeconds, start: args.start, concurrencyMax, lmiCapacity, throttled };
}

/** Run-length encoding into typed arrays (two passes: count, then fill). */
function runLength(values: Uint32Array): { capacity: Uint32Array; runLengths: Uint32Array } {
  let runs = 0;
  for (let p = 0; p < values.length; p++) if (p === 0 || values[p] !== values[p - 1]) runs++;
  const capacity = new Uint32Array(runs);
  const runLengths = new Uint32Array(runs);
  let r = -1;
  for (let p = 0; p < values.length; p++) {
    if (p === 0 || values[p] !== values[p - 1]) capacity[++r] = values[p] as number;
    runLengths[r] = (runLengths[r] as number) + 1;
  }
  return { capacity, runLengths };
}

/**
 * Run-length form of an EE capacity series. Beyond `maxRuns` runs the series is cut into equal
 * blocks aligned on the window start and each block keeps its maximum: capacity is overestimated,
 * never under, and blocks of all functions line up for packing.
 */
export function capacityRuns(environments: Uint32Array, periodSeconds: number, maxRuns = MAX_CAPACITY_RUNS): CapacityRuns {
  let parts = runLength(environments);
  if (parts.capacity.length > maxRuns) {
    const block = Math.ceil(environments.length / maxRuns);
    const blocked = new Uint32Array(environments.length);
    for (let from = 0; from < environments.length; from += block) {
      const to = Math.min(environments.length, from + block);
      let peak = 0;
      for (let p = from; p < to; p++) if ((environments[p] as number) > peak) peak = environments[p] as number;
      blocked.fill(peak, from, to);
    }
    parts = runLength(blocked);
  }
  return { capacity: parts.capacity, runLengths: parts.runLengths, periodSeconds };
}
