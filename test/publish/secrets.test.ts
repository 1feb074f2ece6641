import { GetParameterCommand, ParameterNotFound, SSMClient } from '@aws-sdk/client-ssm';
import { mockClient } from 'aws-sdk-client-mock';
import 'aws-sdk-client-mock-vitest/extend';
import { beforeEach, describe, expect, it } from 'vitest';
import { redact, resolveWebhookUrl, SecretError } from '../../src/secrets.js';

const URL = 'https://hooks.slack.com/services/T000/B000/verySecretToken';
const ssm = mockClient(SSMClient);
const client = new SSMClient({ region: 'us-east-1' });

beforeEach(() => ssm.reset());

describe('resolveWebhookUrl', () => {
  it('reads the SSM SecureString with decryption', async () => {
    ssm.on(GetParameterCommand).resolves({ Parameter: { Value: URL } });
    await expect(resolveWebhookUrl({ parameterName: '/lmi/slack', ssm: client, env: { SLACK_WEBHOOK_URL: 'https://other.example/x' } })).resolves.toBe(URL);
    expect(ssm).toHaveReceivedCommandWith(GetParameterCommand, { Name: '/lmi/slack', WithDecryption: true });
  });

  it('uses SLACK_WEBHOOK_URL when no parameter is named (local runs)', async () => {
    await expect(resolveWebhookUrl({ env: { SLACK_WEBHOOK_URL: ` ${URL}\n` } })).resolves.toBe(URL);
  });

  it('names the parameter, never the value, when it cannot be used', async () => {
    ssm.on(GetParameterCommand).rejects(new ParameterNotFound({ message: 'not found', $metadata: {} }));
    await expect(resolveWebhookUrl({ parameterName: '/lmi/slack', ssm: client })).rejects.toThrow('SSM parameter /lmi/slack: cannot read it (ParameterNotFound: not found)');
    ssm.on(GetParameterCommand).resolves({ Parameter: { Value: 'not a url verySecretToken' } });
    const error = await resolveWebhookUrl({ parameterName: '/lmi/slack', ssm: client }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(SecretError);
    expect((error as Error).message).toBe('SSM parameter /lmi/slack: the value is not an http(s) URL');
    await expect(resolveWebhookUrl({ env: {} })).rejects.toThrow('env SLACK_WEBHOOK_URL: no Slack webhook URL set');
  });
});

describe('redact', () => {
  it('removes the URL, its encoded form and its path', () => {
    const text = `POST ${URL} failed; path /services/T000/B000/verySecretToken; ${encodeURIComponent(URL)}`;
    const out = redact(text, [URL]);
    expect(out).not.toContain('verySecretToken');
    expect(out).toBe('POST [REDACTED] failed; path [REDACTED]; [REDACTED]');
  });
  it('leaves text alone when there is no secret', () => {
    expect(redact('plain', [null, undefined, ''])).toBe('plain');
  });
});
