import { PublishError } from '../errors.js';
import type { SlackMessage } from '../render/slack.js';
import { redact } from '../secrets.js';

/**
 * Posts a Block Kit message to a Slack incoming webhook
 * (https://api.slack.com/messaging/webhooks): JSON POST, `200 ok` on success, 4xx with a short
 * reason (`invalid_blocks`, `no_text`) otherwise. The webhook URL is a secret: errors never
 * carry it (the network error text is redacted too).
 *
 * Retries: Slack rate-limits webhooks with HTTP 429 and a Retry-After header in seconds
 * (https://api.slack.com/apis/rate-limits), which is honoured; a 5xx or a connection that fails
 * before any answer is retried with exponential back-off. Both are bounded (3 attempts by
 * default). Other 4xx are final (the message itself is refused), and so is a timeout: the post
 * may have arrived, and a change is not lost by giving up (see delivery-state.ts).
 */

export type FetchLike = (
  url: string,
  init: { method: string; headers: Record<string, string>; body: string; signal?: AbortSignal },
) => Promise<{ ok: boolean; status: number; text(): Promise<string>; headers?: { get(name: string): string | null } }>;

export interface SlackRetryOptions {
  /** Attempts in all, the first included (default 3). */
  attempts?: number;
  /** Wait before the 2nd attempt; doubled for each next one (default 1 s). */
  backoffMs?: number;
  /** A Retry-After longer than this is not waited for: the post fails (default 30 s). */
  maxRetryAfterMs?: number;
  /** Injected in tests; default setTimeout. */
  sleep?: (ms: number) => Promise<void>;
}

export interface SlackPostOptions {
  fetch?: FetchLike;
  /** Give up on one attempt after this long (default 10 s): a hung webhook must not eat the Lambda's time. */
  timeoutMs?: number;
  retry?: SlackRetryOptions;
}

const defaultSleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** Retry-After in ms (delta-seconds or an HTTP date), or null when absent or unreadable. */
export function retryAfterMs(value: string | null | undefined, nowMs: number): number | null {
  if (value === null || value === undefined || value.trim() === '') return null;
  const v = value.trim();
  if (/^\d+$/.test(v)) return Number(v) * 1000;
  const at = Date.parse(v);
  return Number.isNaN(at) ? null : Math.max(0, at - nowMs);
}

/** Posts the message, retrying 429 and 5xx answers and connection failures; throws PublishError. */
export async function postSlackMessage(webhookUrl: string, message: SlackMessage, opts: SlackPostOptions = {}): Promise<void> {
  const attempts = Math.max(1, opts.retry?.attempts ?? 3);
  const backoffMs = opts.retry?.backoffMs ?? 1000;
  const maxRetryAfterMs = opts.retry?.maxRetryAfterMs ?? 30_000;
  const sleep = opts.retry?.sleep ?? defaultSleep;
  for (let attempt = 1; ; attempt += 1) {
    const outcome = await postOnce(webhookUrl, message, opts);
    if (outcome === 'ok') return;
    const after = attempt === 1 ? '' : ` (after ${attempt} attempts)`;
    if (!outcome.retryable || attempt >= attempts) throw new PublishError('slack', `${outcome.message}${after}`);
    let waitMs = backoffMs * 2 ** (attempt - 1);
    if (outcome.retryAfterMs !== null) {
      if (outcome.retryAfterMs > maxRetryAfterMs) {
        throw new PublishError('slack', `${outcome.message}: Retry-After ${Math.ceil(outcome.retryAfterMs / 1000)} s is longer than the ${maxRetryAfterMs / 1000} s a run waits${after}`);
      }
      waitMs = outcome.retryAfterMs;
    }
    await sleep(waitMs);
  }
}

type Outcome = 'ok' | { retryable: boolean; message: string; retryAfterMs: number | null };

async function postOnce(webhookUrl: string, message: SlackMessage, opts: SlackPostOptions): Promise<Outcome> {
  const doFetch: FetchLike = opts.fetch ?? ((url, init) => fetch(url, init));
  const signal = AbortSignal.timeout(opts.timeoutMs ?? 10_000);
  let response: Awaited<ReturnType<FetchLike>>;
  try {
    response = await doFetch(webhookUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/json; charset=utf-8' },
      body: JSON.stringify(message),
      signal,
    });
  } catch (cause) {
    const e = cause as Error & { cause?: Error };
    const detail = redact(`${e.name}: ${e.message}${e.cause ? ` (${e.cause.message})` : ''}`, [webhookUrl]);
    // The original error may hold the URL in its own fields: do not chain it.
    return { retryable: !signal.aborted, message: `webhook POST failed: ${detail}`, retryAfterMs: null };
  }
  if (response.ok) return 'ok';
  const body = redact((await response.text().catch(() => '')).slice(0, 200), [webhookUrl]);
  return {
    retryable: response.status === 429 || response.status >= 500,
    message: `webhook answered HTTP ${response.status}${body ? `: ${body}` : ''}`,
    retryAfterMs: response.status === 429 ? retryAfterMs(response.headers?.get('retry-after'), Date.now()) : null,
  };
}
