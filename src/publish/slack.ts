import { PublishError } from '../errors.js';
import type { SlackMessage } from '../render/slack.js';
import { redact } from '../secrets.js';

/**
 * Posts a Block Kit message to a Slack incoming webhook
 * (https://api.slack.com/messaging/webhooks): JSON POST, `200 ok` on success, 4xx with a short
 * reason (`invalid_blocks`, `no_text`) otherwise. The webhook URL is a secret: errors never
 * carry it (the network error text is redacted too).
 */

export type FetchLike = (url: string, init: { method: string; headers: Record<string, string>; body: string; signal?: AbortSignal }) => Promise<{ ok: boolean; status: number; text(): Promise<string> }>;

export interface SlackPostOptions {
  fetch?: FetchLike;
  /** Give up after this long (default 10 s): a hung webhook must not eat the Lambda's time. */
  timeoutMs?: number;
}

export async function postSlackMessage(webhookUrl: string, message: SlackMessage, opts: SlackPostOptions = {}): Promise<void> {
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
    throw new PublishError('slack', `webhook POST failed: ${detail}`);
  }
  if (!response.ok) {
    const body = redact((await response.text().catch(() => '')).slice(0, 200), [webhookUrl]);
    throw new PublishError('slack', `webhook answered HTTP ${response.status}${body ? `: ${body}` : ''}`);
  }
}
