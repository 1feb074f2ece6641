import { GetObjectCommand, NoSuchKey, PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { PublishError } from '../errors.js';
import type { ReportFile } from './dir.js';

/**
 * S3 publisher. Layout under the prefix (default `reports/`):
 *   <prefix><YYYY-MM-DD>/report.{json,md,html}   one set per run date (a re-run replaces it)
 *   <prefix>latest/report.{json,md,html}         the last COMPLETE run, written after the dated set
 * S3 has no multi-object transaction, so the order is the guarantee: the dated set first, then
 * latest (report.json last, as it is what the next run diffs against). An incomplete run writes
 * its dated set only (metadata complete=false) and leaves latest on the last complete run.
 */

export interface S3Target {
  client: S3Client;
  bucket: string;
  /** Key prefix, e.g. `reports/`; a missing trailing slash is added. */
  prefix: string;
}

export function normalizePrefix(prefix: string): string {
  const p = prefix.replace(/^\/+/, '');
  return p === '' || p.endsWith('/') ? p : `${p}/`;
}

export function datedKey(prefix: string, date: string, file: string): string {
  return `${normalizePrefix(prefix)}${date}/${file}`;
}

export function latestKey(prefix: string, file: string): string {
  return `${normalizePrefix(prefix)}latest/${file}`;
}

const CONTENT_TYPES: Record<string, string> = {
  json: 'application/json; charset=utf-8',
  md: 'text/markdown; charset=utf-8',
  html: 'text/html; charset=utf-8',
};

function contentType(file: string): string {
  const ext = file.slice(file.lastIndexOf('.') + 1).toLowerCase();
  return CONTENT_TYPES[ext] ?? 'application/octet-stream';
}

/** report.json goes last in the latest set: readers and the next run look at it first. */
function latestOrder(files: ReportFile[]): ReportFile[] {
  return [...files.filter((f) => f.name !== 'report.json'), ...files.filter((f) => f.name === 'report.json')];
}

async function put(target: S3Target, key: string, file: ReportFile, metadata: Record<string, string>): Promise<void> {
  try {
    await target.client.send(
      new PutObjectCommand({
        Bucket: target.bucket,
        Key: key,
        Body: file.content,
        ContentType: contentType(file.name),
        Metadata: metadata,
        // Encryption at rest comes from the bucket's default (SSE-S3 in serverless.yml).
      }),
    );
  } catch (cause) {
    throw new PublishError('s3', `s3://${target.bucket}/${key}: ${(cause as Error).name}: ${(cause as Error).message}`, { cause });
  }
}

export interface S3PublishResult {
  datedKeys: string[];
  /** Empty when latest was not written (incomplete run). */
  latestKeys: string[];
}

/**
 * Writes the dated set, then (only when `complete`) the latest set. Throws PublishError at the
 * first failed object: if the dated set fails, latest is never touched.
 */
export async function publishToS3(
  target: S3Target,
  opts: {
    date: string;
    files: ReportFile[];
    complete: boolean;
    generatedAt: string;
    /** Called once the dated set is written, before latest (a link to it is then valid). */
    onDatedWritten?: (keys: string[]) => void;
  },
): Promise<S3PublishResult> {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(opts.date)) throw new PublishError('s3', `bad report date "${opts.date}"`);
  // S3 user metadata is ASCII-only; both values are ISO/boolean.
  const metadata = { complete: String(opts.complete), 'generated-at': opts.generatedAt };
  const datedKeys: string[] = [];
  for (const file of opts.files) {
    const key = datedKey(target.prefix, opts.date, file.name);
    await put(target, key, file, metadata);
    datedKeys.push(key);
  }
  opts.onDatedWritten?.(datedKeys);
  const latestKeys: string[] = [];
  if (opts.complete) {
    for (const file of latestOrder(opts.files)) {
      const key = latestKey(target.prefix, file.name);
      await put(target, key, file, metadata);
      latestKeys.push(key);
    }
  }
  return { datedKeys, latestKeys };
}

/**
 * The previous run's `latest/report.json` text, or null when there is none yet (first run).
 * Any other failure throws (the caller turns it into a warning: no change section tonight).
 */
export async function readPreviousReportFromS3(target: S3Target): Promise<string | null> {
  const key = latestKey(target.prefix, 'report.json');
  try {
    const out = await target.client.send(new GetObjectCommand({ Bucket: target.bucket, Key: key }));
    return out.Body ? await out.Body.transformToString('utf-8') : null;
  } catch (cause) {
    if (cause instanceof NoSuchKey || (cause as Error).name === 'NoSuchKey') return null;
    throw new PublishError('s3', `s3://${target.bucket}/${key}: cannot read the previous report: ${(cause as Error).name}: ${(cause as Error).message}`, { cause });
  }
}

/**
 * Link to a report object. A configured base URL (CloudFront, an internal portal) wins;
 * otherwise the S3 console page of the object, which needs console access but no public
 * bucket. Presigned URLs were rejected: signed with the Lambda role's session credentials they
 * stop working when the session ends (hours), long before anyone reads an old digest.
 */
export function reportLink(opts: { bucket: string; key: string; region: string; baseUrl?: string | null }): string {
  if (opts.baseUrl) {
    const base = opts.baseUrl.replace(/\/+$/, '');
    return `${base}/${opts.key.split('/').map(encodeURIComponent).join('/')}`;
  }
  return `https://${opts.region}.console.aws.amazon.com/s3/object/${encodeURIComponent(opts.bucket)}?region=${encodeURIComponent(opts.region)}&prefix=${encodeURIComponent(opts.key)}`;
}
