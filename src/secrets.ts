import { GetParameterCommand, type SSMClient } from '@aws-sdk/client-ssm';
import { UserInputError } from './errors.js';

/**
 * The Slack webhook URL is a secret (whoever has it can post to the channel). It comes from an
 * SSM SecureString (decrypted with the aws/ssm key, or a customer key the role may use), or
 * from the SLACK_WEBHOOK_URL env var on a laptop, and must never reach logs, reports, errors
 * or metrics: every message that might carry it goes through `redact`.
 */

export class SecretError extends UserInputError {
  override name = 'SecretError';
}

export interface WebhookSource {
  /** SSM parameter name (SecureString). Takes precedence over the env var. */
  parameterName?: string | null;
  /** Usually process.env; injected for tests. */
  env?: Record<string, string | undefined>;
  ssm?: SSMClient;
}

export async function resolveWebhookUrl(source: WebhookSource): Promise<string> {
  let url: string | undefined;
  let where: string;
  if (source.parameterName) {
    where = `SSM parameter ${source.parameterName}`;
    if (!source.ssm) throw new SecretError(`${where}: no SSM client given`);
    try {
      const out = await source.ssm.send(new GetParameterCommand({ Name: source.parameterName, WithDecryption: true }));
      url = out.Parameter?.Value;
    } catch (cause) {
      // The SDK error names the parameter, never its value: safe to chain.
      throw new SecretError(`${where}: cannot read it (${(cause as Error).name}: ${(cause as Error).message})`, { cause });
    }
  } else {
    where = 'env SLACK_WEBHOOK_URL';
    url = source.env?.['SLACK_WEBHOOK_URL'];
  }
  if (!url) throw new SecretError(`${where}: no Slack webhook URL set`);
  url = url.trim();
  // Do not echo the value in the message: a wrong value may still be a real secret.
  if (!/^https?:\/\/\S+$/i.test(url)) throw new SecretError(`${where}: the value is not an http(s) URL`);
  return url;
}

/**
 * Replaces every secret (and its URL path, which alone authorises posting) in `text`.
 * Cheap enough to run on every log line and error message that leaves a publisher.
 */
export function redact(text: string, secrets: readonly (string | null | undefined)[]): string {
  let out = text;
  for (const secret of secrets) {
    if (!secret || secret.length < 8) continue;
    const variants = new Set([secret, encodeURIComponent(secret)]);
    try {
      const u = new URL(secret);
      if (u.pathname.length > 8) variants.add(u.pathname);
    } catch {
      // not a URL: only the literal value is redacted
    }
    for (const v of variants) out = out.split(v).join('[REDACTED]');
  }
  return out;
}
