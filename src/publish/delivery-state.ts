import { GetObjectCommand, NoSuchKey, PutObjectCommand } from '@aws-sdk/client-s3';
import { mkdir, readFile, rename, unlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { PublishError } from '../errors.js';
import { checkPreviousReport, type PreviousReport, type PreviousReportProblem } from '../report/changes.js';
import { nodeDirFs } from './dir.js';
import { normalizePrefix, type S3Target } from './s3.js';

/**
 * What each digest channel last received. A digest shows the change since the report that
 * channel last got, not since `latest/`: when a Slack post fails, `latest/` still moves on, and
 * a change shown only in the failed post would otherwise never reach Slack. After a successful
 * post of a complete run the channel's state becomes that run (an incomplete run, like for
 * `latest/`, is no baseline); a failed post leaves it, so the next digest carries the change.
 *
 * The state is small (the diff's fields of the report: account, date, savings, and each
 * function's recommendation) and lives next to the reports:
 *   S3:  <prefix>state/delivered-<channel>.json
 *   dir: <out>/.lmi-advisor-state/delivered-<channel>.json
 */

export const DIGEST_CHANNELS = ['slack', 'email'] as const;
export type DigestChannel = (typeof DIGEST_CHANNELS)[number];

const STATE_SCHEMA = 'lmi-advisor.delivery/v1';

export interface DeliveryStore {
  /** Where a channel's state lives, for messages. */
  where(channel: DigestChannel): string;
  /** The stored text, or null when the channel has no state yet. */
  read(channel: DigestChannel): Promise<string | null>;
  write(channel: DigestChannel, text: string): Promise<void>;
}

export function s3DeliveryStore(target: S3Target): DeliveryStore {
  const key = (channel: DigestChannel) => `${normalizePrefix(target.prefix)}state/delivered-${channel}.json`;
  const where = (channel: DigestChannel) => `s3://${target.bucket}/${key(channel)}`;
  return {
    where,
    async read(channel) {
      try {
        const out = await target.client.send(new GetObjectCommand({ Bucket: target.bucket, Key: key(channel) }));
        return out.Body ? await out.Body.transformToString('utf-8') : null;
      } catch (cause) {
        if (cause instanceof NoSuchKey || (cause as Error).name === 'NoSuchKey') return null;
        throw new PublishError(channel, `${where(channel)}: cannot read the delivery state: ${(cause as Error).name}: ${(cause as Error).message}`, { cause });
      }
    },
    async write(channel, text) {
      try {
        await target.client.send(
          new PutObjectCommand({ Bucket: target.bucket, Key: key(channel), Body: text, ContentType: 'application/json; charset=utf-8' }),
        );
      } catch (cause) {
        throw new PublishError(channel, `${where(channel)}: cannot save the delivery state: ${(cause as Error).name}: ${(cause as Error).message}`, { cause });
      }
    },
  };
}

/**
 * The state in a directory of its own inside the reports directory. Like the report files, it
 * only ever replaces a regular file it wrote: anything else at its path is left alone (error).
 */
export function dirDeliveryStore(outDir: string): DeliveryStore {
  const stateDir = join(outDir, '.lmi-advisor-state');
  const where = (channel: DigestChannel) => join(stateDir, `delivered-${channel}.json`);
  const mustBeFile = async (channel: DigestChannel, path: string, wanted: 'file' | 'directory') => {
    const kind = await nodeDirFs.lkind(path);
    if (kind !== null && kind !== wanted) throw new PublishError(channel, `${path}: is a ${kind}, not a ${wanted} this tool wrote; delivery state left alone`);
    return kind;
  };
  return {
    where,
    async read(channel) {
      const path = where(channel);
      if ((await mustBeFile(channel, stateDir, 'directory')) === null) return null;
      if ((await mustBeFile(channel, path, 'file')) === null) return null;
      return readFile(path, 'utf8');
    },
    async write(channel, text) {
      const path = where(channel);
      await mustBeFile(channel, stateDir, 'directory');
      await mkdir(stateDir, { recursive: true });
      await mustBeFile(channel, path, 'file');
      // Written beside, then renamed over: a crash never leaves half a state file.
      const temp = `${path}.${process.pid}.${Date.now()}.tmp`;
      await writeFile(temp, text, { encoding: 'utf8', flag: 'wx' });
      try {
        await rename(temp, path);
      } catch (error) {
        await unlink(temp).catch(() => undefined);
        throw error;
      }
    },
  };
}

/** The state text saying `channel` last received `report` (see baselineOf). */
export function deliveryStateText(channel: DigestChannel, report: PreviousReport): string {
  return `${JSON.stringify({ schema: STATE_SCHEMA, channel, report })}\n`;
}

/** The report `channel` last received, from its state text; problems come back as a value. */
export function parseDeliveryState(
  text: string,
  channel: DigestChannel,
  where: string,
): { baseline: PreviousReport } | { problem: PreviousReportProblem } {
  const unreadable = (detail: string) => ({
    problem: { code: 'previous-report-unreadable' as const, message: `${where}: ${detail}; the ${channel} digest shows the change since the last report instead` },
  });
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (cause) {
    return unreadable(`not JSON (${(cause as Error).message})`);
  }
  if (typeof raw !== 'object' || raw === null || (raw as { schema?: unknown }).schema !== STATE_SCHEMA) return unreadable(`schema is not ${STATE_SCHEMA}`);
  if ((raw as { channel?: unknown }).channel !== channel) return unreadable(`channel is not ${channel}`);
  const report = checkPreviousReport((raw as { report?: unknown }).report, 'report');
  if ('problem' in report) return unreadable(report.problem.message.replace(/; change since last run not shown$/, ''));
  return { baseline: report.report };
}
