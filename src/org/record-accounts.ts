import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import pLimit from 'p-limit';
import type { BilledData } from '../bill/types.js';
import { runRecord, type RecordResult } from '../cli/record-command.js';
import type { AwsSourceOptions } from '../source/aws/index.js';
import { describeError } from '../source/aws/aws-errors.js';
import type { SnapshotHeader } from '../source/profile.js';
import type { StoreBackend } from '../store/backend.js';
import { checkAccess, memberClientFactory, memberCredentials, type BaseClientConfig } from './credentials.js';
import { planOrgRun, type AccountSelection } from './run-org.js';

/**
 * `record` with account options: one snapshot per ACCOUNT (all its regions), not per
 * account-region. A snapshot is one account's data, and `analyze --snapshot` on it must give
 * that account's report: the free tier is one credit per account across regions (Lambda
 * pricing page, "Free Tier"), so a per-region snapshot analysed alone would credit it once per
 * region. Files: <out>/account-<id>.ndjson.gz; each account read through its member role, side
 * by side (--concurrency), a failed account named and the others written.
 */

export const snapshotFileName = (accountId: string) => `account-${accountId}.ndjson.gz`;

export interface RecordAccountsOptions {
  selection: AccountSelection;
  /** The collection (regions, days, now, filters...); clients are built per account. */
  options: AwsSourceOptions;
  outDir: string;
  concurrency: number;
  base?: BaseClientConfig;
  store?: StoreBackend;
  fetchBill?: (args: { window: SnapshotHeader['window']; now: Date; regions: string[] }) => Promise<BilledData>;
  onProgress?: (line: string) => void;
  runId: string;
}

export interface AccountRecord {
  accountId: string;
  path: string;
  result: RecordResult | null;
  /** Why nothing was written for the account. */
  error?: string;
}

export interface RecordAccountsResult {
  records: AccountRecord[];
  /** Accounts the plan skipped (suspended) or could not use (unknown, missing OU). */
  skipped: { accountId: string; state: string }[];
  problems: string[];
}

export async function recordAccounts(opts: RecordAccountsOptions): Promise<RecordAccountsResult> {
  const say = opts.onProgress ?? (() => {});
  const plan = await planOrgRun({ selection: opts.selection, regions: opts.options.regions, runId: opts.runId, ...(opts.base ? { base: opts.base } : {}) });
  for (const p of plan.problems) say(`plan: ${p.message}`);
  await mkdir(opts.outDir, { recursive: true });
  const base = opts.base ?? {};
  const limit = pLimit(Math.max(1, opts.concurrency));
  let done = 0;
  const records = await Promise.all(
    plan.accounts.map((account) =>
      limit(async (): Promise<AccountRecord> => {
        const accountId = account.accountId;
        const roleArn = plan.items.find((i) => i.accountId === accountId)?.roleArn ?? null;
        const path = join(opts.outDir, snapshotFileName(accountId));
        const access = { accountId, roleArn, ...(opts.selection.externalId ? { externalId: opts.selection.externalId } : {}) };
        try {
          const credentials = memberCredentials(access, base, opts.options.regions[0] ?? 'us-east-1');
          await checkAccess(access, credentials);
          const clients = { ...memberClientFactory(credentials, base), ...opts.options.clients };
          const result = await runRecord({ ...opts.options, clients }, path, opts.fetchBill, opts.store);
          say(`[${++done}/${plan.accounts.length}] ${accountId}: ${result.functions} functions${result.failedRegions.length ? ` (failed: ${result.failedRegions.join(', ')})` : ''}`);
          return { accountId, path, result };
        } catch (error) {
          const message = error instanceof Error && /^account \d{12}: /.test(error.message) ? error.message.replace(/^account \d{12}: /, '') : describeError(error);
          say(`[${++done}/${plan.accounts.length}] ${accountId}: FAILED ${message}`);
          return { accountId, path, result: null, error: message };
        }
      }),
    ),
  );
  return {
    records: records.sort((a, b) => (a.accountId < b.accountId ? -1 : 1)),
    skipped: plan.skipped.map((s) => ({ accountId: s.accountId, state: s.state })),
    problems: plan.problems.map((p) => p.message),
  };
}
