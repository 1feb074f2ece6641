import { describe, expect, it } from 'vitest';
import { PublishError } from '../../src/errors.js';
import { postSlackMessage, type FetchLike } from '../../src/publish/slack.js';

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
    const error = (await postSlackMessage(URL, MESSAGE, { fetch }).catch((e: unknown) => e)) as Error;
    expect(error).toBeInstanceOf(PublishError);
    expect(error.message).toContain('webhook POST failed: TypeError: fetch failed for [REDACTED]');
    expect(error.message).not.toContain('verySecretToken');
    expect(error.cause).toBeUndefined();
  });
});
