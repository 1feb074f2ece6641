import type { CloudWatchClient } from '@aws-sdk/client-cloudwatch';

/** Throttling errors as the SDK names them (JSON and query protocols). */
const THROTTLING = new Set(['Throttling', 'ThrottlingException', 'TooManyRequestsException', 'RequestLimitExceeded']);

function isThrottling(error: unknown): boolean {
  const e = error as { name?: unknown; $metadata?: { httpStatusCode?: number } } | null;
  return (typeof e?.name === 'string' && THROTTLING.has(e.name)) || e?.$metadata?.httpStatusCode === 429;
}

const listeners = new WeakMap<object, () => void>();

/**
 * Calls `listener` for every attempt of `client` answered Throttling (the SDK retries each), so a
 * long store run can say how often it met the quota. The middleware sits inside the SDK's retry
 * middleware (step finalizeRequest, low priority), so it sees each attempt; it is added once per
 * client, and the newest listener is the one called.
 */
export function countThrottles(client: CloudWatchClient, listener: () => void): void {
  if (!listeners.has(client)) {
    const middleware = (next: (args: unknown) => Promise<unknown>) => async (args: unknown) => {
      try {
        return await next(args);
      } catch (error) {
        if (isThrottling(error)) listeners.get(client)?.();
        throw error;
      }
    };
    client.middlewareStack.add(middleware as never, { step: 'finalizeRequest', priority: 'low', name: 'lmiAdvisorThrottleCount' });
  }
  listeners.set(client, listener);
}
