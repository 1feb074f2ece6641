import type { Config } from '../config/schema.js';
import { analyzeProfileParts } from '../pipeline/analyze.js';
import type { AwsSourceSettings, SourceResult } from '../pipeline/run.js';
import type { ReportParts } from '../model/build-report.js';
import { openAwsSource } from '../source/aws/index.js';
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
  /** Collector settings shared by all shards (filters, resolution, prices, rate limits). */
  settings?: AwsSourceSettings;
  base?: BaseClientConfig;
}

/**
 * THE SEAM where a shard gets its FunctionProfiles. Today: the live AWS source (discovery and
 * CloudWatch) read with the account's credentials. The incremental metric store (src/store/,
 * issue 9) plugs in here: collect the missing days into the store, then read the window back.
 */
export async function collectShardProfiles(item: ShardItem, ctx: ShardContext): Promise<SourceResult> {
  const base = ctx.base ?? {};
  const access = { accountId: item.accountId, roleArn: item.roleArn, ...(ctx.externalId ? { externalId: ctx.externalId } : {}) };
  const credentials = memberCredentials(access, base, item.region);
  await checkAccess(access, credentials);
  const clients = memberClientFactory(credentials, base);
  const source = await openAwsSource({
    ...ctx.settings,
    clients: { ...clients, ...ctx.settings?.clients },
    regions: [item.region],
    days: ctx.days,
    now: ctx.now,
  });
  if (source.header.accountId !== item.accountId) {
    throw new AccountAccessError(item.accountId, `the credentials read account ${source.header.accountId}, not ${item.accountId} (check the role ARN)`);
  }
  return source;
}

/** Drops what the merge and the org page do not need: the per-function charts. */
export function compactShard(item: ShardItem, parts: ReportParts): ShardResult {
  return {
    schema: 'lmi-advisor.shard/v1',
    accountId: item.accountId,
    region: item.region,
    report: { ...parts.report, functions: parts.report.functions.map((f) => ({ ...f, chart: null })) },
    freeTier: parts.freeTier,
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
  return compactShard(item, parts);
}
