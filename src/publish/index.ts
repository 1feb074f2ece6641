import { PublishError, UserInputError } from '../errors.js';
import { renderEmailDigest } from '../render/email.js';
import { renderSlackDigest } from '../render/slack.js';
import type { ChangeSummary, ReportModel } from '../report/types.js';
import type { DigestChannel } from './delivery-state.js';
import { redact } from '../secrets.js';
import { type ReportFile, writeReportFiles } from './dir.js';
import { sendEmailDigest, type EmailTarget } from './email.js';
import { datedKey, publishToS3, reportLink, type S3Target } from './s3.js';
import { postSlackMessage, type FetchLike, type SlackRetryOptions } from './slack.js';

/**
 * Runs every requested channel in a fixed order: dir, S3 (dated, then latest), Slack, email.
 * One channel failing never stops the next; each outcome is returned so the caller can log it,
 * count it in metrics and exit non-zero. Digests link to the S3 HTML report only if S3 wrote it.
 */

export const CHANNELS = ['dir', 's3', 'slack', 'email'] as const;
export type Channel = (typeof CHANNELS)[number];

/** `dir,s3` → ['dir','s3']; unknown names are a UserInputError naming them. */
export function parseChannels(list: string, where = '--publish'): Channel[] {
  const names = list.split(',').map((s) => s.trim()).filter((s) => s !== '');
  const bad = names.filter((n) => !(CHANNELS as readonly string[]).includes(n));
  if (bad.length > 0) throw new UserInputError(`${where}: unknown channel ${bad.map((b) => `"${b}"`).join(', ')} (use ${CHANNELS.join(', ')})`);
  if (names.length === 0) throw new UserInputError(`${where}: no channel given (use ${CHANNELS.join(', ')})`);
  return CHANNELS.filter((c) => names.includes(c));
}

export interface ChannelResult {
  channel: Channel;
  ok: boolean;
  /** What was written or sent (paths, keys, message id). */
  detail: string[];
  /** Redacted error message when !ok. */
  error?: string;
}

export interface PublishTargets {
  dir?: { outDir: string };
  s3?: S3Target & { region: string; reportBaseUrl?: string | null };
  /** The webhook URL is fetched lazily, so a run without Slack never reads the secret. */
  slack?: { webhookUrl: () => Promise<string>; fetch?: FetchLike; timeoutMs?: number; retry?: SlackRetryOptions };
  email?: EmailTarget;
  /** Link for digests when S3 is not a channel (e.g. a portal that serves the dir output). */
  reportUrl?: string | null;
}

/**
 * Per digest channel, the change since the report that channel last received (see
 * delivery-state.ts); a channel absent here gets the report's own `changes`.
 */
export type DigestChanges = Partial<Record<DigestChannel, ChangeSummary>>;

/** The model a digest channel renders: the report, with that channel's change section. */
function digestModel(model: ReportModel, changes: ChangeSummary | undefined): ReportModel {
  return changes === undefined ? model : { ...model, changes };
}

export interface PublishOutcome {
  results: ChannelResult[];
  reportUrl: string | null;
  failures: number;
}

export async function publishAll(
  model: ReportModel,
  files: ReportFile[],
  channels: readonly Channel[],
  targets: PublishTargets,
  opts: { digestChanges?: DigestChanges } = {},
): Promise<PublishOutcome> {
  const digestChanges = opts.digestChanges ?? {};
  const results: ChannelResult[] = [];
  const secrets: string[] = [];
  let reportUrl = targets.reportUrl ?? null;
  const date = model.run.generatedAt.slice(0, 10);

  const attempt = async (channel: Channel, work: () => Promise<string[]>): Promise<void> => {
    try {
      results.push({ channel, ok: true, detail: await work() });
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      results.push({ channel, ok: false, detail: [], error: redact(message, secrets) });
    }
  };
  const need = <T>(channel: Channel, value: T | undefined): T => {
    if (value === undefined) throw new PublishError(channel, 'channel requested but not configured');
    return value;
  };

  if (channels.includes('dir')) {
    await attempt('dir', async () => writeReportFiles(need('dir', targets.dir).outDir, files));
  }
  if (channels.includes('s3')) {
    await attempt('s3', async () => {
      const s3 = need('s3', targets.s3);
      // The digests link to the dated HTML report (stable, unlike latest/), or without HTML to
      // the first format, as soon as the dated set exists, even if latest/ then fails.
      const linked = files.find((f) => f.name === 'report.html') ?? files[0];
      const written = await publishToS3(s3, {
        date,
        files,
        complete: model.run.complete,
        generatedAt: model.run.generatedAt,
        onDatedWritten: () => {
          if (linked) reportUrl = reportLink({ bucket: s3.bucket, key: datedKey(s3.prefix, date, linked.name), region: s3.region, baseUrl: s3.reportBaseUrl ?? null });
        },
      });
      return [...written.datedKeys, ...written.latestKeys];
    });
  }
  if (channels.includes('slack')) {
    await attempt('slack', async () => {
      const slack = need('slack', targets.slack);
      const url = await slack.webhookUrl();
      secrets.push(url);
      const message = renderSlackDigest(digestModel(model, digestChanges.slack), { reportUrl });
      await postSlackMessage(url, message, {
        ...(slack.fetch ? { fetch: slack.fetch } : {}),
        ...(slack.timeoutMs !== undefined ? { timeoutMs: slack.timeoutMs } : {}),
        ...(slack.retry ? { retry: slack.retry } : {}),
      });
      return [`${message.blocks.length} blocks`];
    });
  }
  if (channels.includes('email')) {
    await attempt('email', async () => {
      const email = need('email', targets.email);
      const id = await sendEmailDigest(email, renderEmailDigest(digestModel(model, digestChanges.email), { reportUrl }));
      return [`message ${id ?? 'sent'} to ${email.to.length} recipient(s)`];
    });
  }
  return { results, reportUrl, failures: results.filter((r) => !r.ok).length };
}
