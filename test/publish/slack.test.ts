import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { PublishError } from '../../src/errors.js';
import { postSlackMessage, retryAfterMs, type FetchLike } from '../../src/publish/slack.js';
import { startSlackReceiver, type SlackReceiver } from './moto-account.js';

const URL = 'https://hooks.slack.com/services/T000/B000/verySecretToken';
const MESSAGE = { text: 'hi', blocks: [] };

describe('postSlackMessage', () => {
  it('POSTs the message as JSON', async () => {
    const calls: Parameters<FetchLike>[] = [];
    const fetch: FetchLike = async (...args) => {
      calls.push(args);
      return { ok: true, status: 200, text: async () => 'ok' };
    };
    await postSlackMessage(URL, MESSAGE, { fetch });
    expect(calls).toHaveLength(1);
    expect(calls[0]?.[0]).toBe(URL);
    expect(calls[0]?.[1]).toMatchObject({ method: 'POST', headers: { 'content-type': 'application/json; charset=utf-8' } });
    expect(JSON.parse(calls[0]?.[1].body ?? '')).toEqual(MESSAGE);
  });

  it('reports Slack refusals with status and reason', async () => {
    const fetch: FetchLike = async () => ({ ok: false, status: 400, text: async () => 'invalid_blocks' });
    await expect(postSlackMessage(URL, MESSAGE, { fetch })).rejects.toThrow(new PublishError('slack', 'webhook answered HTTP 400: invalid_blocks'));
  });

  it('never puts the webhook URL in a network error', async () => {
    const fetch: FetchLike = async (url) => {
      throw new TypeError(`fetch failed for ${url}`, { cause: new Error(`connect ECONNREFUSED ${url}`) });
    };
    const error = (await postSlackMessage(URL, MESSAGE, { fetch, retry: { attempts: 1 } }).catch((e: unknown) => e)) as Error;
    expect(error).toBeInstanceOf(PublishError);
    expect(error.message).toContain('webhook POST failed: TypeError: fetch failed for [REDACTED]');
    expect(error.message).not.toContain('verySecretToken');
    expect(error.cause).toBeUndefined();
  });
});

describe('postSlackMessage retries (real node:http receiver on 127.0.0.1)', () => {
  let receiver: SlackReceiver;
  let waits: number[];
  const retry = () => ({ sleep: async (ms: number) => void waits.push(ms) });

  beforeAll(async () => {
    receiver = await startSlackReceiver();
  });
  afterAll(async () => {
    await receiver.close();
  });
  beforeEach(() => {
    receiver.received.length = 0;
    receiver.status = 200;
    receiver.script = [];
    receiver.failHeaders = {};
    waits = [];
  });

  it('retries a 500 with back-off and succeeds on the next attempt', async () => {
    receiver.script = [500, 502];
    await postSlackMessage(receiver.url, MESSAGE, { retry: retry() });
    expect(receiver.received.map((r) => r.body)).toEqual([MESSAGE, MESSAGE, MESSAGE]);
    expect(waits).toEqual([1000, 2000]);
  });

  it('honours Retry-After on a 429', async () => {
    receiver.script = [429];
    receiver.failHeaders = { 'retry-after': '7' };
    await postSlackMessage(receiver.url, MESSAGE, { retry: retry() });
    expect(receiver.received).toHaveLength(2);
    expect(waits).toEqual([7000]);
  });

  it('waits for real between attempts by default', async () => {
    receiver.script = [429];
    receiver.failHeaders = { 'retry-after': '1' };
    const started = Date.now();
    await postSlackMessage(receiver.url, MESSAGE);
    expect(receiver.received).toHaveLength(2);
    expect(Date.now() - started).toBeGreaterThanOrEqual(990);
  });

  it('gives up after 3 attempts, saying so, with the URL redacted', async () => {
    receiver.status = 500;
    const error = (await postSlackMessage(receiver.url, MESSAGE, { retry: retry() }).catch((e: unknown) => e)) as Error;
    expect(error).toBeInstanceOf(PublishError);
    expect(error.message).toBe('slack: webhook answered HTTP 500: internal_error at [REDACTED] (after 3 attempts)');
    expect(receiver.received).toHaveLength(3);
    expect(waits).toEqual([1000, 2000]);
  });

  it('does not retry a 4xx other than 429', async () => {
    receiver.script = [400, 200];
    await expect(postSlackMessage(receiver.url, MESSAGE, { retry: retry() })).rejects.toThrow('slack: webhook answered HTTP 400: ');
    expect(receiver.received).toHaveLength(1);
    expect(waits).toEqual([]);
  });

  it('fails at once on a Retry-After longer than a run waits', async () => {
    receiver.script = [429];
    receiver.failHeaders = { 'retry-after': '3600' };
    await expect(postSlackMessage(receiver.url, MESSAGE, { retry: retry() })).rejects.toThrow(
      /HTTP 429: .*Retry-After 3600 s is longer than the 30 s a run waits$/,
    );
    expect(receiver.received).toHaveLength(1);
    expect(waits).toEqual([]);
  });

  it('retries a refused connection, not a timeout (the post may have arrived)', async () => {
    // A closed port refuses the connection
    const closed = await startSlackReceiver();
    await closed.close();
    const refused = (await postSlackMessage(closed.url, MESSAGE, { retry: retry() }).catch((e: unknown) => e)) as Error;
    expect(refused.message).toMatch(/^slack: webhook POST failed: .* \(after 3 attempts\)$/);
    expect(waits).toEqual([1000, 2000]);
    // A webhook that never answers
    waits = [];
    const hung: FetchLike = (_url, init) =>
      new Promise((_resolve, reject) => init.signal?.addEventListener('abort', () => reject(init.signal?.reason as Error)));
    const timedOut = (await postSlackMessage(URL, MESSAGE, { fetch: hung, timeoutMs: 50, retry: retry() }).catch((e: unknown) => e)) as Error;
    expect(timedOut.message).toMatch(/^slack: webhook POST failed: TimeoutError/);
    expect(waits).toEqual([]);
  });

  it('reads Retry-After as seconds or as an HTTP date', () => {
    const now = Date.parse('2026-11-21T03:00:00Z');
    expect(retryAfterMs('2', now)).toBe(2000);
    expect(retryAfterMs('Sat, 21 Nov 2026 03:00:05 GMT', now)).toBe(5000);
    expect([retryAfterMs(null, now), retryAfterMs('soon', now), retryAfterMs('', now)]).toEqual([null, null, null]);
  });
});
