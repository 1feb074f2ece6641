import type { CloudWatchClient } from '@aws-sdk/client-cloudwatch';

/** Throttling errors as the SDK names them (JSON and query protocols). */
const THROTTLING = new Set(['Throttling', 'ThrottlingException', 'TooManyRequestsException', 'RequestLimitExceeded']);

function isThrottling(error: unknown): boolean {
  const e = error as { name?: unknown; $metadata?: { httpStatusCode?: number } } | null;
  return (typeof e?.name === 'string' && THROTTLING.has(e.name)) || e?.$metadata?.httpStatusCode === 429;
}

/** Data points a GetMetricData input asks for (what the quota counts), 0 for other inputs. */
export function requestedPoints(input: unknown): number {
  const i = input as { MetricDataQueries?: { MetricStat?: { Period?: number } }[]; StartTime?: Date; EndTime?: Date } | null;
  if (!i?.MetricDataQueries || !(i.StartTime instanceof Date) || !(i.EndTime instanceof Date)) return 0;
  const seconds = (i.EndTime.getTime() - i.StartTime.getTime()) / 1000;
  return i.MetricDataQueries.reduce((sum, q) => sum + (q.MetricStat?.Period ? Math.max(0, Math.ceil(seconds / q.MetricStat.Period)) : 0), 0);
}

export interface AttemptHooks {
  /** Called for every attempt answered Throttling (the SDK retries it). */
  onThrottle(): void;
  /** Awaited before every retry attempt with its points: the retry waits for the quota too. */
  retryTurn?(points: number): Promise<void>;
}

const hooksOf = new WeakMap<object, AttemptHooks>();

/**
 * Watches every attempt of `client`'s calls: counts the throttled ones (so a long store run can
 * say how often it met the quota), and sends each retry through the points limiter first. The
 * SDK re-sends a throttled call inside the limiter's slot, unmetered: without this, one throttle
 * puts an extra call in the next rolling second, which throttles another, and so on. The
 * middleware sits inside the SDK's retry middleware (step finalizeRequest, low priority), where
 * the retry middleware has set the `amz-sdk-request: attempt=N` header; it is added once per
 * client, and the newest hooks are the ones used.
 */
export function watchAttempts(client: CloudWatchClient, hooks: AttemptHooks): void {
  if (!hooksOf.has(client)) {
    const middleware =
      (next: (args: unknown) => Promise<unknown>) =>
      async (args: { input?: unknown; request?: { headers?: Record<string, string> } }) => {
        const attempt = Number(/attempt=(\d+)/.exec(args.request?.headers?.['amz-sdk-request'] ?? '')?.[1] ?? 1);
        const points = attempt > 1 ? requestedPoints(args.input) : 0;
        if (points > 0) await hooksOf.get(client)?.retryTurn?.(points);
        try {
          return await next(args);
        } catch (error) {
          if (isThrottling(error)) hooksOf.get(client)?.onThrottle();
          throw error;
        }
      };
    client.middlewareStack.add(middleware as never, { step: 'finalizeRequest', priority: 'low', name: 'lmiAdvisorAttempts' });
  }
  hooksOf.set(client, hooks);
}
