import pLimit, { type LimitFunction } from 'p-limit';

/**
 * Bounds both the number of calls in flight (p-limit) and their start rate: AWS quotas are in
 * calls per second (CloudWatch GetMetricData 50/s, Lambda control plane 15/s, Pricing 5/s), so
 * a concurrency bound alone would still burst past them when responses are fast.
 * An optional second budget bounds the weight of the calls started in any rolling window
 * (GetMetricData's data points/s quota, which AWS judges per rolling second on arrival).
 */
export interface RateLimitOptions {
  /** Calls started per second, at most. */
  callsPerSecond: number;
  /** Calls in flight, at most. */
  concurrency: number;
  /** Optional weighted budget (e.g. data points): at most this much weight starts in any window of `weightWindowMs`. */
  weightPerSecond?: number;
  /**
   * The rolling window the weight budget holds over, ms (default 1000). A little over a second
   * leaves room for the time from a call's start here to its arrival at AWS (signing, a busy
   * event loop), which varies from call to call.
   */
  weightWindowMs?: number;
}

export interface RateLimiter {
  <T>(fn: () => Promise<T>, weight?: number): Promise<T>;
  readonly options: RateLimitOptions;
  /**
   * Waits for a start by call rate and weight without taking a concurrency slot: for a retry
   * of a call already in flight (the SDK re-sends a throttled call inside it), which counts
   * against the quota like any start.
   */
  readonly turn: (weight: number) => Promise<void>;
}

interface Waiter {
  weight: number;
  /** The clock when the call asked to start. */
  since: number;
  resolve: () => void;
}

export function createRateLimiter(
  options: RateLimitOptions,
  clock: () => number = () => performance.now(),
): RateLimiter {
  if (!(options.callsPerSecond > 0) || !(options.concurrency >= 1) || (options.weightWindowMs !== undefined && !(options.weightWindowMs >= 1000))) {
    throw new RangeError(`bad rate limit ${JSON.stringify(options)}`);
  }
  const limit: LimitFunction = pLimit(options.concurrency);
  const callSpacingMs = 1000 / options.callsPerSecond;
  const weightBudget = options.weightPerSecond ?? 0;
  const weightWindowMs = options.weightWindowMs ?? 1000;
  // Earliest start of the next call by the call rate: virtual scheduling from when each call
  // asked (calls held up by a late timer catch up; the ring below still caps the rolling second).
  let nextCallAt = Number.NEGATIVE_INFINITY;
  // Timers fire late on a busy event loop, and AWS counts calls per rolling second as they
  // arrive. So every start is admitted against the actual starts before it (the clock when it
  // is let go): at most callsPerSecond of them in any 1000 ms (a ring of the last starts; only
  // for quotas small enough to keep one), and at most weightPerSecond of weight in any
  // `weightWindowMs` (a log of the starts still in the window). A late timer only delays.
  const windowSize = Math.floor(options.callsPerSecond);
  const starts = windowSize >= 1 && windowSize <= 10_000 ? new Float64Array(windowSize).fill(Number.NEGATIVE_INFINITY) : null;
  let head = 0;
  const weighed: { at: number; weight: number }[] = [];
  let weighedSum = 0;
  // Waiters are let go one at a time, in arrival order, by one timer.
  const queue: Waiter[] = [];
  let timer: ReturnType<typeof setTimeout> | null = null;

  /** Ms until a call of `weight` may start at `now` (0: now). */
  function delay(weight: number, now: number): number {
    let wait = nextCallAt - now;
    if (starts) wait = Math.max(wait, starts[head]! + 1000 - now);
    if (weightBudget > 0 && weight > 0) {
      while (weighed.length > 0 && weighed[0]!.at + weightWindowMs <= now) weighedSum -= weighed.shift()!.weight;
      // The oldest starts leave the window one by one until this call fits (a call heavier
      // than the whole budget goes alone).
      let sum = weighedSum;
      for (let i = 0; i < weighed.length && sum + weight > weightBudget; i++) {
        sum -= weighed[i]!.weight;
        wait = Math.max(wait, weighed[i]!.at + weightWindowMs - now);
      }
    }
    return wait;
  }

  function admit({ weight, since }: Waiter, now: number): void {
    nextCallAt = Math.max(nextCallAt, since) + callSpacingMs;
    if (starts) {
      starts[head] = now;
      head = (head + 1) % starts.length;
    }
    if (weightBudget > 0 && weight > 0) {
      weighed.push({ at: now, weight });
      weighedSum += weight;
    }
  }

  function pump(): void {
    timer = null;
    while (queue.length > 0) {
      const now = clock();
      const wait = delay(queue[0]!.weight, now);
      if (wait > 0) {
        timer = setTimeout(pump, wait);
        return;
      }
      const next = queue.shift()!;
      admit(next, now);
      next.resolve();
    }
  }

  function waitTurn(weight: number): Promise<void> {
    return new Promise<void>((resolve) => {
      queue.push({ weight, since: clock(), resolve });
      if (timer === null && queue.length === 1) pump();
    });
  }

  const run = (<T>(fn: () => Promise<T>, weight = 0) =>
    limit(async () => {
      await waitTurn(weight);
      return fn();
    })) as RateLimiter;
  Object.defineProperty(run, 'options', { value: options });
  Object.defineProperty(run, 'turn', { value: waitTurn });
  return run;
}

/**
 * Defaults kept a little under each quota, so clock jitter never tips a call over it.
 * GetMetricData: 50 TPS and 396,000 data points/s for data older than 3 h (CloudWatch quotas,
 * https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/cloudwatch_limits.html), held
 * over 1,050 ms: 50 ms for calls reaching AWS later after their start than the calls before them.
 * Lambda control plane: 15 requests/s (https://docs.aws.amazon.com/lambda/latest/dg/gettingstarted-limits.html).
 * Pricing: bucket of 10 refilled at 5/s (https://docs.aws.amazon.com/awsaccountbilling/latest/aboutv2/using-pelong.html).
 */
export const DEFAULT_LIMITS = {
  getMetricData: { callsPerSecond: 46, concurrency: 64, weightPerSecond: 396_000, weightWindowMs: 1050 },
  cloudWatchList: { callsPerSecond: 20, concurrency: 4 },
  lambda: { callsPerSecond: 14, concurrency: 4 },
  tagging: { callsPerSecond: 5, concurrency: 2 },
  pricing: { callsPerSecond: 4.5, concurrency: 2 },
} as const satisfies Record<string, RateLimitOptions>;

export type LimitName = keyof typeof DEFAULT_LIMITS;
export type RateLimits = Record<LimitName, RateLimitOptions>;
