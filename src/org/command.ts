import { UserInputError } from '../errors.js';
import type { AccountFlags } from '../cli/options.js';
import { parseConcurrency } from '../cli/options.js';
import type { Config } from '../config/schema.js';
import type { AwsSourceSettings } from '../pipeline/run.js';
import { writeReportFiles } from '../publish/dir.js';
import { datedKey, latestKey, publishToS3, readPreviousReportFromS3, reportLink, type S3Target } from '../publish/s3.js';
import { formatUsd } from '../render/format.js';
import type { EmailTarget } from '../publish/email.js';
import { orgDeliveryStoreDir, orgDeliveryStoreS3, sendOrgDigests } from './digest-publish.js';
import type { BaseClientConfig } from './credentials.js';
import { parseAccountIds, parseExternalId, parseRoleName } from './plan.js';
import { newRunId, readPreviousFromDir, runOrg, type AccountSelection, type OrgRunResult } from './run-org.js';
import { dirShardStore } from './shard-store.js';
import { join } from 'node:path';
import { rm } from 'node:fs/promises';

/**
 * The CLI side of an organization run, shared by `run` and `analyze --live`: flags -> selection,
 * plan -> shards -> merge in-process, files to the out dir (and S3), one summary.
 */

/** The account flags, checked; a bad one is a UserInputError naming the flag. */
export function parseAccountSelection(flags: AccountFlags): AccountSelection {
  if (flags.accounts !== undefined && flags.org) throw new UserInputError('--accounts and --org exclude each other: give one');
  if (flags.ou && flags.ou.length > 0 && !flags.org) throw new UserInputError('--ou needs --org');
  for (const ou of flags.ou ?? []) {
    // Organizations ids: r-xxxx (root) or ou-xxxx-xxxxxxxx.
    if (!/^(r-[0-9a-z]{4,32}|ou-[0-9a-z]{4,32}-[a-z0-9]{8,32})$/.test(ou)) throw new UserInputError(`--ou: "${ou}" is not an OU id (ou-xxxx-xxxxxxxx) or root id (r-xxxx)`);
  }
  return {
    ...(flags.accounts !== undefined ? { accounts: parseAccountIds(flags.accounts, '--accounts') } : {}),
    ...(flags.org ? { org: true } : {}),
    ...(flags.ou && flags.ou.length > 0 ? { ous: flags.ou } : {}),
    ...(flags.excludeAccounts !== undefined ? { exclude: parseAccountIds(flags.excludeAccounts, '--exclude-accounts') } : {}),
    roleName: parseRoleName(flags.roleName),
    ...(flags.externalId !== undefined ? { externalId: parseExternalId(flags.externalId) } : {}),
  };
}

export interface OrgCommandOptions {
  flags: AccountFlags;
  regions: string[];
  days: number;
  now: Date;
  config: Config;
  configPath?: string;
  formats?: readonly string[];
  outDir: string;
  /** Write the files to outDir (default true); shard results always go under outDir/shards. */
  writeDir?: boolean;
  /** Publish to S3 too (dated set, then latest when complete), and read the previous report there. */
  s3?: S3Target;
  settings?: AwsSourceSettings;
  base?: BaseClientConfig;
  /** The reproduce line (run.command), given the parsed account selection. */
  command: string | ((selection: AccountSelection) => string);
  /** Progress lines (stderr). */
  progress?: (line: string) => void;
  /** Digests of the org report, sent after the files are written. */
  slack?: { webhookUrl: () => Promise<string> };
  email?: EmailTarget;
  /** For the digests' link to the dated S3 org page (region; base URL that serves the bucket). */
  s3Link?: { region: string; baseUrl: string | null };
}

export interface OrgCommandResult {
  result: OrgRunResult;
  written: string[];
  summary: string;
  /** 0 complete, 1 a digest failed, 3 published but some account or region was not read. */
  exitCode: 0 | 1 | 3;
}

export async function runOrgCommand(opts: OrgCommandOptions): Promise<OrgCommandResult> {
  const selection = parseAccountSelection(opts.flags);
  const concurrency = parseConcurrency(opts.flags.concurrency);
  const previous = opts.s3
    ? await readPreviousReportFromS3(opts.s3).then((text) => (text === null ? null : { text, where: `s3://${opts.s3!.bucket}/${latestKey(opts.s3!.prefix, 'report.json')}` }))
    : await readPreviousFromDir(opts.outDir);
  const runId = newRunId(opts.now);
  const result = await runOrg({
    runId,
    selection,
    regions: opts.regions,
    days: opts.days,
    now: opts.now,
    config: opts.config,
    ...(opts.configPath !== undefined ? { configPath: opts.configPath } : {}),
    concurrency,
    ...(opts.settings ? { settings: opts.settings } : {}),
    ...(opts.base ? { base: opts.base } : {}),
    store: dirShardStore(join(opts.outDir, 'shards', runId)),
    spoolDir: join(opts.outDir, 'shards', runId, 'rendered'),
    ...(opts.formats ? { formats: opts.formats } : {}),
    command: typeof opts.command === 'string' ? opts.command : opts.command(selection),
    previous,
    ...(opts.progress ? { onProgress: opts.progress } : {}),
  });
  const written = opts.writeDir === false ? [] : await writeReportFiles(opts.outDir, result.files);
  if (opts.s3) {
    const s3 = await publishToS3(opts.s3, { date: result.org.run.generatedAt.slice(0, 10), files: result.files, complete: result.org.run.complete, generatedAt: result.org.run.generatedAt });
    written.push(...s3.datedKeys.map((k) => `s3://${opts.s3!.bucket}/${k}`), ...s3.latestKeys.map((k) => `s3://${opts.s3!.bucket}/${k}`));
  }
  // The per-account files are published: their spool copies go (the shard results stay).
  await rm(join(opts.outDir, 'shards', runId, 'rendered'), { recursive: true, force: true });
  const org = result.org;
  const reportUrl =
    opts.s3 && opts.s3Link
      ? reportLink({ bucket: opts.s3.bucket, key: datedKey(opts.s3.prefix, org.run.generatedAt.slice(0, 10), 'report.html'), region: opts.s3Link.region, baseUrl: opts.s3Link.baseUrl })
      : null;
  const digests = await sendOrgDigests(org, {
    ...(opts.slack ? { slack: opts.slack } : {}),
    ...(opts.email ? { email: opts.email } : {}),
    reportUrl,
    state: opts.s3 ? orgDeliveryStoreS3(opts.s3) : opts.writeDir === false ? null : orgDeliveryStoreDir(opts.outDir),
    previous: result.previous,
  });
  const digestFailed = digests.some((d) => !d.ok);
  const digestLines = digests.map((d) => `  ${d.channel}: ${d.ok ? `ok${d.detail.length ? ` ${d.detail.join('; ')}` : ''}` : `FAILED ${d.error ?? ''}`}`);
  const lines = [
    `${org.accounts.length} accounts, ${org.accounts.reduce((s, a) => s + a.functions, 0)} functions analysed; savings ${formatUsd(org.totals.savingsUsd)}/month${org.run.complete ? '' : ' (INCOMPLETE run: see "Not read")'}`,
    ...org.failures.map((f) => `  not read: ${f.accountId ?? 'organization'}${f.region ? ` ${f.region}` : ''}: ${f.message}`),
    ...org.skippedAccounts.map((s) => `  skipped: ${s.accountId} (${s.state})`),
    `  wrote ${written.length} files${opts.writeDir === false ? '' : ` to ${opts.outDir}`}${opts.s3 ? ` and s3://${opts.s3.bucket}` : ''}`,
    ...digestLines,
  ];
  return { result, written, summary: `${lines.join('\n')}\n`, exitCode: digestFailed ? 1 : org.run.complete ? 0 : 3 };
}
