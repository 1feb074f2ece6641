import type { Config } from '../config/schema.js';
import { analyzeProfileParts } from '../pipeline/analyze.js';
import type { AwsSourceSettings, SourceResult } from '../pipeline/run.js';
import type { ReportParts } from '../model/build-report.js';
import { openAwsSource } from '../source/aws/index.js';
import { openStoreSource, type StoreRunStats } from '../store/collect.js';
import type { SourceWarning } from '../source/profile.js';
import { TOOL_NAME, VERSION } from '../version.js';
import { AccountAccessError, checkAccess, memberClientFactory, memberCredentials, type BaseClientConfig } from './credentials.js';
import type { ShardItem, ShardResult } from './types.js';

/**
 * One shard: one account in one region, collected, analysed, and reduced to its compact result.
 * The Lambda shard handler and the laptop fan-out both call runShard.
 */

export interface ShardContext {
  days: number;
  now: Date;
  config: Config;
  configPath?: string;
  externalId?: string;
  /**
   * Collector settings shared by all shards (filters, resolution, prices, rate limits). With
   * `store`, the shard collects into the incremental metric store (src/store) and reads its
   * window back from it: the store partitions by the account the shard's credentials read.
   */
  settings?: AwsSourceSettings;
  base?: BaseClientConfig;
}

/**
 * Where a shard gets its FunctionProfiles, read with the account's credentials: the live AWS
 * source (discovery and CloudWatch), or, with a store, the store-backed source that reads from
 * CloudWatch only the days the store lacks for this account-region (the same path as
 * `analyze --live --store`) and assembles the window from the store.
 */
export async function collectShardProfiles(item: ShardItem, ctx: ShardContext): Promise<SourceResult & { stats?: StoreRunStats }> {
  const base = ctx.base ?? {};
  const access = { accountId: item.accountId, roleArn: item.roleArn, ...(ctx.externalId ? { externalId: ctx.externalId } : {}) };
  const credentials = memberCredentials(access, base, item.region);
  await checkAccess(access, credentials);
  const clients = memberClientFactory(credentials, base);
  const { store, settleMinutes, storeTimeLeftMs, ...aws } = ctx.settings ?? {};
  const options = {
    ...aws,
    clients: { ...clients, ...aws.clients },
    regions: [item.region],
    days: ctx.days,
    now: ctx.now,
  };
  const source = store
    ? await openStoreSource({
        ...options,
        store,
        ...(settleMinutes !== undefined ? { settleMinutes } : {}),
        ...(storeTimeLeftMs ? { timeLeftMs: storeTimeLeftMs } : {}),
      })
    : await openAwsSource(options);
  if (source.header.accountId !== item.accountId) {
    throw new AccountAccessError(item.accountId, `the credentials read account ${source.header.accountId}, not ${item.accountId} (check the role ARN)`);
  }
  return source;
}

/** Drops what the merge and the org page do not need: the per-function charts. */
export function compactShard(item: ShardItem, parts: ReportParts, stats?: StoreRunStats): ShardResult {
  return {
    schema: 'lmi-advisor.shard/v1',
    accountId: item.accountId,
    region: item.region,
    report: { ...parts.report, functions: parts.report.functions.map((f) => ({ ...f, chart: null })) },
    freeTier: parts.freeTier,
    ...(stats ? { store: storeSummary(stats) } : {}),
  };
}

/** What the shard read from CloudWatch into the store and what it kept (logs, bench, tests). */
function storeSummary(stats: StoreRunStats): NonNullable<ShardResult['store']> {
  const day = (regionDay: string) => regionDay.slice(regionDay.indexOf('/') + 1);
  return {
    daysKept: stats.daysKept,
    daysRead: stats.daysRead.map(day),
    daysAdded: stats.daysAdded.map(day),
    daysMissing: stats.daysMissing.map(day),
    getMetricDataCalls: stats.getMetricDataCalls,
    pointsRequested: stats.pointsRequested,
  };
}

function sameWarning(a: SourceWarning, b: SourceWarning): boolean {
  return a.code === b.code && a.message === b.message && a.region === b.region && a.function === b.function;
}

export async function runShard(item: ShardItem, ctx: ShardContext): Promise<ShardResult> {
  const source = await collectShardProfiles(item, ctx);
  const parts = await analyzeProfileParts({
    header: source.header,
    profiles: source.profiles,
    priceBook: source.priceBook,
    config: ctx.config,
    run: {
      tool: TOOL_NAME,
      version: VERSION,
      generatedAt: ctx.now.toISOString(),
      command: `${TOOL_NAME} shard ${item.accountId} ${item.region}`,
      ...(ctx.configPath !== undefined ? { config: ctx.configPath } : {}),
      complete: source.failedRegions.length === 0,
    },
  });
  // The live source adds warnings (and failed regions) while its metrics stream.
  const report = parts.report;
  for (const w of source.warnings) if (!report.warnings.some((seen) => sameWarning(seen as SourceWarning, w))) report.warnings.push({ ...w });
  if (source.failedRegions.length > 0) report.run.complete = false;
  return compactShard(item, parts, source.stats);
}
