import pLimit, { type LimitFunction } from 'p-limit';

/**
 * Bounds both the number of calls in flight (p-limit) and their start rate: AWS quotas are in
 * calls per second (CloudWatch GetMetricData 50/s, Lambda control plane 15/s, Pricing 5/s), so
 * a concurrency bound alone would still burst past them when responses are fast.
 * An optional second budget spaces calls by their weight (GetMetricData's data points/s quota).
 */
export interface RateLimitOptions {
  /** Calls started per second, at most. */
  callsPerSecond: number;
  /** Calls in flight, at most. */
  concurrency: number;
  /** Optional weighted budget per second (e.g. data points), shared by every call's `weight`. */
  weightPerSecond?: number;
}

export interface RateLimiter {
  <T>(fn: () => Promise<T>, weight?: number): Promise<T>;
  readonly options: RateLimitOptions;
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

export function createRateLimiter(
  options: RateLimitOptions,
  clock: () => number = () => performance.now(),
): RateLimiter {
  if (!(options.callsPerSecond > 0) || !(options.concurrency >= 1)) {
    throw new RangeError(`bad rate limit ${JSON.stringify(options)}`);
  }
  const limit: LimitFunction = pLimit(options.concurrency);
  const callSpacingMs = 1000 / options.callsPerSecond;
  // Earliest start of the next call under each budget (virtual scheduling, no burst).
  let nextCallAt = 0;
  let nextWeightAt = 0;
  // Virtual scheduling alone lets calls bunch up when timers fire late (a busy event loop: the
  // calls whose start times have passed all go at once), and AWS counts calls per rolling second
  // as they arrive. So the actual starts are also capped: at most callsPerSecond of them in any
  // 1000 ms (a ring of the last starts; only for quotas small enough to keep one).
  const windowSize = Math.floor(options.callsPerSecond);
  const starts = windowSize >= 1 && windowSize <= 10_000 ? new Float64Array(windowSize).fill(Number.NEGATIVE_INFINITY) : null;
  let head = 0;

  async function waitTurn(weight: number): Promise<void> {
    const now = clock();
    let startAt = Math.max(now, nextCallAt);
    if (options.weightPerSecond && weight > 0) {
      startAt = Math.max(startAt, nextWeightAt);
      nextWeightAt = startAt + (weight / options.weightPerSecond) * 1000;
    }
    nextCallAt = startAt + callSpacingMs;
    if (startAt > now) await sleep(startAt - now);
    if (!starts) return;
    for (;;) {
      const t = clock();
      const wait = starts[head]! + 1000 - t;
      if (wait <= 0) {
        starts[head] = t;
        head = (head + 1) % starts.length;
        return;
      }
      await sleep(wait);
    }
  }

  const run = (<T>(fn: () => Promise<T>, weight = 0) =>
    limit(async () => {
      await waitTurn(weight);
      return fn();
    })) as RateLimiter;
  Object.defineProperty(run, 'options', { value: options });
  return run;
}

/**
 * Defaults kept a little under each quota, so clock jitter never tips a call over it.
 * GetMetricData: 50 TPS and 396,000 data points/s for data older than 3 h (CloudWatch quotas,
 * https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/cloudwatch_limits.html).
 * Lambda control plane: 15 requests/s (https://docs.aws.amazon.com/lambda/latest/dg/gettingstarted-limits.html).
 * Pricing: bucket of 10 refilled at 5/s (https://docs.aws.amazon.com/awsaccountbilling/latest/aboutv2/using-pelong.html).
 */
export const DEFAULT_LIMITS = {
  getMetricData: { callsPerSecond: 46, concurrency: 64, weightPerSecond: 396_000 },
  cloudWatchList: { callsPerSecond: 20, concurrency: 4 },
  lambda: { callsPerSecond: 14, concurrency: 4 },
  tagging: { callsPerSecond: 5, concurrency: 2 },
  pricing: { callsPerSecond: 4.5, concurrency: 2 },
} as const satisfies Record<string, RateLimitOptions>;

export type LimitName = keyof typeof DEFAULT_LIMITS;
export type RateLimits = Record<LimitName, RateLimitOptions>;
