import { SendEmailCommand, type SESv2Client } from '@aws-sdk/client-sesv2';
import { PublishError } from '../errors.js';
import type { EmailDigest } from '../render/email.js';

/**
 * Sends the digest through SES v2 SendEmail with Simple content (Subject, Body.Html, Body.Text):
 * https://docs.aws.amazon.com/ses/latest/APIReference-V2/API_SendEmail.html
 * The sender must be a verified identity (MessageRejected otherwise).
 */

export interface EmailTarget {
  client: SESv2Client;
  from: string;
  to: string[];
}

export async function sendEmailDigest(target: EmailTarget, digest: EmailDigest): Promise<string | null> {
  if (target.to.length === 0) throw new PublishError('email', 'no recipients');
  try {
    const out = await target.client.send(
      new SendEmailCommand({
        FromEmailAddress: target.from,
        Destination: { ToAddresses: target.to },
        Content: {
          Simple: {
            Subject: { Data: digest.subject, Charset: 'UTF-8' },
            Body: { Html: { Data: digest.html, Charset: 'UTF-8' }, Text: { Data: digest.text, Charset: 'UTF-8' } },
          },
        },
      }),
    );
    return out.MessageId ?? null;
  } catch (cause) {
    throw new PublishError('email', `SES SendEmail from ${target.from}: ${(cause as Error).name}: ${(cause as Error).message}`, { cause });
  }
}
