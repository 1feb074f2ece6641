import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';
import { S3Client } from '@aws-sdk/client-s3';
import type { OrganizationsClient } from '@aws-sdk/client-organizations';
import type { STSClient } from '@aws-sdk/client-sts';
import * as z from 'zod';
import { parseConfigJsonEnv, parseLambdaEnv } from '../config/lambda-env.js';
import { parseConfig } from '../config/load.js';
import { ConfigError } from '../errors.js';
import { datedKey, latestKey, publishToS3, readPreviousReportFromS3, reportLink } from '../publish/s3.js';
import type { AwsClientFactory } from '../source/aws/clients.js';
import { TOOL_NAME, VERSION } from '../version.js';
import { AccountAccessError, type BaseClientConfig } from './credentials.js';
import { mergeToSpool } from './merge-run.js';
import { attachOrgChanges, newRunId, planOrgRun } from './run-org.js';
import { orgFiles } from './render.js';
import { RENDERERS } from '../render/index.js';
import { SESv2Client } from '@aws-sdk/client-sesv2';
import { SSMClient } from '@aws-sdk/client-ssm';
import { rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseChannels } from '../publish/index.js';
import type { FetchLike, SlackRetryOptions } from '../publish/slack.js';
import { redact, resolveWebhookUrl } from '../secrets.js';
import type { PreviousOrgReport } from './changes.js';
import { orgDeliveryStoreS3, sendOrgDigests, type OrgDigestResult } from './digest-publish.js';
import { runShard } from './shard.js';
import { s3ShardStore, shardItemSchema } from './shard-store.js';
import { storeBackendFor } from '../store/open.js';
import type { Context } from 'aws-lambda';

/**
 * The three Lambdas of the org state machine (deploy/org-state-machine.asl.json): plan, shard,
 * merge (which also publishes). Only S3 keys and small knobs travel between states (payloads
 * are capped at 256 KB); the plan, the items, the shard results and the failures live under
 * <LMI_ORG_RUNS_PREFIX><runId>/ in the reports bucket.
 */

const list = z.string().transform((s) => s.split(',').map((x) => x.trim()).filter((x) => x !== ''));

const envSchema = z.object({
  AWS_REGION: z.string().min(1).optional(),
  LMI_REGIONS: list.optional(),
  LMI_DAYS: z.coerce.number().int().min(1).max(455).default(14),
  LMI_RESOLUTION: z
    .enum(['auto', '60', '300', '3600'])
    .default('auto')
    .transform((r) => (r === 'auto' ? ('auto' as const) : (Number(r) as 60 | 300 | 3600))),
  REPORT_BUCKET: z.string().min(3),
  REPORT_PREFIX: z.string().default('reports/'),
  REPORT_BASE_URL: z.string().url().optional(),
  LMI_ORG_RUNS_PREFIX: z.string().default('org-runs/'),
  /** `organization`: list the org (needs organizations:ListAccounts*); `accounts`: LMI_ORG_ACCOUNTS. */
  LMI_ORG_SOURCE: z.enum(['organization', 'accounts']).default('accounts'),
  LMI_ORG_ACCOUNTS: list.optional(),
  LMI_ORG_OUS: list.optional(),
  LMI_ORG_EXCLUDE: list.optional(),
  LMI_ROLE_NAME: z.string().regex(/^[\w+=,.@-]{1,64}$/).default('lmi-advisor-reader'),
  LMI_EXTERNAL_ID: z.string().min(2).optional(),
  LMI_MAX_CONCURRENCY: z.coerce.number().int().min(1).max(10_000).default(10),
  LMI_TOLERATED_FAILURE_PERCENTAGE: z.coerce.number().min(0).max(100).default(50),
  LMI_CONFIG_JSON: z.string().optional(),
  /** Merge: channels besides S3 (always written): slack and/or email get the org digest. */
  LMI_PUBLISH: z.string().default('s3'),
  SLACK_WEBHOOK_PARAMETER: z.string().min(1).optional(),
  EMAIL_FROM: z.string().min(3).optional(),
  EMAIL_TO: list.optional(),
  /**
   * Metric store (docs/store-format.md), as for the nightly Lambda: s3://bucket/prefix, or `off`.
   * Default: the reports bucket under `store/`; each shard keeps account=<id>/region=<r>/.
   */
  LMI_STORE: z.string().min(1).optional(),
  /** Time a shard keeps, after reading CloudWatch into the store, to analyse and write its result (default 120 s). */
  LMI_STORE_ANALYSIS_MS: z.coerce.number().int().min(0).default(120_000),
});

export type OrgHandlerEnv = z.infer<typeof envSchema>;

export function parseOrgEnv(env: Record<string, string | undefined>): OrgHandlerEnv {
  const data = parseLambdaEnv(envSchema, env);
  for (const id of [...(data.LMI_ORG_ACCOUNTS ?? []), ...(data.LMI_ORG_EXCLUDE ?? [])]) {
    if (!/^\d{12}$/.test(id)) throw new ConfigError('environment', 'LMI_ORG_ACCOUNTS', `"${id}" is not a 12-digit account id`);
  }
  return data;
}

export interface OrgHandlerDeps {
  env: Record<string, string | undefined>;
  s3?: S3Client;
  sts?: STSClient;
  organizations?: OrganizationsClient;
  /** Endpoint/credentials for the member clients (tests: moto). */
  base?: BaseClientConfig;
  /** Collector clients (tests). */
  clients?: Partial<AwsClientFactory>;
  now?: () => Date;
  logger?: Logger;
  metrics?: Metrics;
  /** Merge digests (tests: moto SES and SSM, a local Slack receiver). */
  ses?: SESv2Client;
  ssm?: SSMClient;
  fetch?: FetchLike;
  slackRetry?: SlackRetryOptions;
}

const region = (env: OrgHandlerEnv) => env.AWS_REGION ?? 'us-east-1';
const runPrefix = (env: OrgHandlerEnv, runId: string) => `${env.LMI_ORG_RUNS_PREFIX}${runId}/`;

function eventTime(event: unknown): Date | null {
  if (event && typeof event === 'object' && 'time' in event && typeof event.time === 'string') {
    const t = Date.parse(event.time);
    if (!Number.isNaN(t)) return new Date(t);
  }
  return null;
}

/** What travels in the state from Plan to the Map and Merge. */
export interface PlanOutput {
  runId: string;
  bucket: string;
  prefix: string;
  itemsKey: string;
  generatedAt: string;
  maxConcurrency: number;
  toleratedFailurePercentage: number;
  shards: number;
}

export function createPlanHandler(overrides: Partial<OrgHandlerDeps> = {}) {
  return async function plan(event: unknown): Promise<PlanOutput> {
    const deps: OrgHandlerDeps = { env: process.env, ...overrides };
    const env = parseOrgEnv(deps.env);
    const logger = deps.logger ?? new Logger({ serviceName: 'lmi-advisor' });
    const now = eventTime(event) ?? (deps.now ?? (() => new Date()))();
    const runId = newRunId(now);
    const s3 = deps.s3 ?? new S3Client({ region: region(env) });
    const prefix = runPrefix(env, runId);
    const orgPlan = await planOrgRun({
      selection: {
        ...(env.LMI_ORG_SOURCE === 'organization' ? { org: true } : env.LMI_ORG_ACCOUNTS ? { accounts: env.LMI_ORG_ACCOUNTS } : {}),
        ...(env.LMI_ORG_OUS ? { ous: env.LMI_ORG_OUS } : {}),
        ...(env.LMI_ORG_EXCLUDE ? { exclude: env.LMI_ORG_EXCLUDE } : {}),
        roleName: env.LMI_ROLE_NAME,
      },
      regions: env.LMI_REGIONS && env.LMI_REGIONS.length > 0 ? env.LMI_REGIONS : [region(env)],
      runId,
      ...(deps.base ? { base: deps.base } : {}),
      ...(deps.sts ? { sts: deps.sts } : {}),
      ...(deps.organizations ? { organizations: deps.organizations } : {}),
    });
    const store = s3ShardStore(s3, env.REPORT_BUCKET, prefix);
    await store.putPlan(orgPlan);
    const itemsKey = await store.putItems(orgPlan);
    logger.info('org plan written', { runId, accounts: orgPlan.accounts.length, shards: orgPlan.items.length, skipped: orgPlan.skipped, problems: orgPlan.problems });
    return {
      runId,
      bucket: env.REPORT_BUCKET,
      prefix,
      itemsKey,
      generatedAt: now.toISOString(),
      maxConcurrency: env.LMI_MAX_CONCURRENCY,
      toleratedFailurePercentage: env.LMI_TOLERATED_FAILURE_PERCENTAGE,
      shards: orgPlan.items.length,
    };
  };
}

const shardEventSchema = z.object({
  item: shardItemSchema,
  runId: z.string(),
  bucket: z.string(),
  prefix: z.string(),
  generatedAt: z.string().datetime({ offset: true }),
});

export function createShardHandler(overrides: Partial<OrgHandlerDeps> = {}) {
  return async function shard(event: unknown, context?: Pick<Context, 'getRemainingTimeInMillis'>): Promise<{ key: string }> {
    const deps: OrgHandlerDeps = { env: process.env, ...overrides };
    const env = parseOrgEnv(deps.env);
    const logger = deps.logger ?? new Logger({ serviceName: 'lmi-advisor' });
    const parsed = shardEventSchema.safeParse(event);
    if (!parsed.success) throw new ConfigError('shard event', parsed.error.issues[0]?.path.join('.') ?? null, parsed.error.issues[0]?.message ?? 'invalid');
    const { item, bucket, prefix, generatedAt } = parsed.data;
    const s3 = deps.s3 ?? new S3Client({ region: region(env) });
    const store = s3ShardStore(s3, bucket, prefix);
    // The metric store is written with the job's role (the bucket is the job's), the metrics are
    // read with the member role: the store keys by the account the member credentials read.
    const storeValue = env.LMI_STORE ?? `s3://${env.REPORT_BUCKET}/store/`;
    const metricStore = storeValue === 'off' ? undefined : storeBackendFor(storeValue, { flag: 'env LMI_STORE', s3, region: region(env) });
    const config = parseConfig(env.LMI_CONFIG_JSON === undefined ? {} : parseConfigJsonEnv(env.LMI_CONFIG_JSON), 'env LMI_CONFIG_JSON');
    try {
      const result = await runShard(item, {
        days: env.LMI_DAYS,
        now: new Date(generatedAt),
        config,
        ...(env.LMI_CONFIG_JSON !== undefined ? { configPath: 'env LMI_CONFIG_JSON' } : {}),
        ...(env.LMI_EXTERNAL_ID ? { externalId: env.LMI_EXTERNAL_ID } : {}),
        settings: {
          resolution: env.LMI_RESOLUTION,
          ...(deps.clients ? { clients: deps.clients } : {}),
          ...(metricStore
            ? {
                store: metricStore,
                settleMinutes: config.store.settleMinutes,
                // CloudWatch reads stop in time to analyse and write the shard result.
                ...(context ? { storeTimeLeftMs: () => context.getRemainingTimeInMillis() - env.LMI_STORE_ANALYSIS_MS } : {}),
              }
            : {}),
        },
        ...(deps.base ? { base: deps.base } : {}),
      });
      const key = await store.putResult(result);
      logger.info('shard done', { accountId: item.accountId, region: item.region, functions: result.report.functions.length, complete: result.report.run.complete, ...(result.store ? { store: result.store } : {}) });
      return { key };
    } catch (error) {
      // A role that cannot be assumed will not work on a retry either: say why for the merge.
      if (error instanceof AccountAccessError) {
        await store.putFailure({ accountId: item.accountId, region: item.region, message: error.message.replace(/^account \d{12}: /, '') });
      }
      logger.error('shard failed', { accountId: item.accountId, region: item.region, error: error instanceof Error ? error.message : String(error) });
      throw error;
    }
  };
}

const mergeEventSchema = z.looseObject({
  plan: z.looseObject({ runId: z.string(), bucket: z.string(), prefix: z.string(), generatedAt: z.string() }),
  shardsError: z.looseObject({ Error: z.string().optional(), Cause: z.string().optional() }).optional(),
});

export interface MergeHandlerOutput {
  complete: boolean;
  failedShards: number;
  reportUrl: string | null;
  /** The org digests (LMI_PUBLISH slack/email); a failed one is logged and counted, the run goes on. */
  digests: OrgDigestResult[];
}

export function createMergeHandler(overrides: Partial<OrgHandlerDeps> = {}) {
  return async function merge(event: unknown): Promise<MergeHandlerOutput> {
    const deps: OrgHandlerDeps = { env: process.env, ...overrides };
    const env = parseOrgEnv(deps.env);
    const logger = deps.logger ?? new Logger({ serviceName: 'lmi-advisor' });
    const metrics = deps.metrics ?? new Metrics({ namespace: 'LmiAdvisor', serviceName: 'lmi-advisor' });
    const parsed = mergeEventSchema.safeParse(event);
    if (!parsed.success) throw new ConfigError('merge event', parsed.error.issues[0]?.path.join('.') ?? null, parsed.error.issues[0]?.message ?? 'invalid');
    const { plan: state, shardsError } = parsed.data;
    const channels = parseChannels(env.LMI_PUBLISH, 'env LMI_PUBLISH');
    if (channels.includes('email') && (!env.EMAIL_FROM || !env.EMAIL_TO || env.EMAIL_TO.length === 0)) {
      throw new ConfigError('environment', 'EMAIL_TO', 'LMI_PUBLISH has email but EMAIL_FROM or EMAIL_TO is empty');
    }
    const s3 = deps.s3 ?? new S3Client({ region: region(env) });
    const store = s3ShardStore(s3, state.bucket, state.prefix);
    const [plan, failures] = [await store.getPlan(), await store.listFailures()];
    // One account at a time, its files spooled to /tmp (serverless.yml gives the merge the room).
    const merged = await mergeToSpool({
      store,
      plan,
      failures,
      run: { tool: TOOL_NAME, version: VERSION, generatedAt: state.generatedAt, command: `step functions org run ${state.runId}` },
      formats: Object.keys(RENDERERS),
      spoolDir: join(tmpdir(), `lmi-org-${state.runId}`),
    });
    if (shardsError) {
      merged.org.warnings.push({ code: 'shards-stopped', message: `The shard map stopped early (${shardsError.Error ?? 'error'}): shards without a result are listed under "Not read".` });
      merged.org.run.complete = false;
    }
    const target = { client: s3, bucket: env.REPORT_BUCKET, prefix: env.REPORT_PREFIX };
    let previous: PreviousOrgReport | null = null;
    try {
      const text = await readPreviousReportFromS3(target);
      previous = attachOrgChanges(merged, text === null ? null : { text, where: `s3://${env.REPORT_BUCKET}/${latestKey(env.REPORT_PREFIX, 'report.json')}` });
    } catch (error) {
      merged.org.warnings.push({ code: 'previous-report-unreadable', message: `${(error as Error).message}; change since last run not shown` });
    }
    const files = [...orgFiles(merged.org), ...merged.accountFiles];
    const date = merged.org.run.generatedAt.slice(0, 10);
    try {
      await publishToS3(target, { date, files, complete: merged.org.run.complete, generatedAt: merged.org.run.generatedAt });
    } finally {
      await rm(join(tmpdir(), `lmi-org-${state.runId}`), { recursive: true, force: true });
    }
    const reportUrl = reportLink({ bucket: env.REPORT_BUCKET, key: datedKey(env.REPORT_PREFIX, date, 'report.html'), region: region(env), baseUrl: env.REPORT_BASE_URL ?? null });

    // The org digests, as the nightly job sends its own (delivery state per channel).
    const secrets: string[] = [];
    if (deps.env['SLACK_WEBHOOK_URL']) secrets.push(deps.env['SLACK_WEBHOOK_URL']);
    const ssm = deps.ssm ?? new SSMClient({ region: region(env) });
    const digests = await sendOrgDigests(merged.org, {
      ...(channels.includes('slack')
        ? {
            slack: {
              webhookUrl: async () => {
                const url = await resolveWebhookUrl({ parameterName: env.SLACK_WEBHOOK_PARAMETER ?? null, env: deps.env, ssm });
                secrets.push(url);
                return url;
              },
              ...(deps.fetch ? { fetch: deps.fetch } : {}),
              ...(deps.slackRetry ? { retry: deps.slackRetry } : {}),
            },
          }
        : {}),
      ...(channels.includes('email') ? { email: { client: deps.ses ?? new SESv2Client({ region: region(env) }), from: env.EMAIL_FROM!, to: env.EMAIL_TO! } } : {}),
      reportUrl,
      state: orgDeliveryStoreS3(target),
      previous,
    });
    const clean = digests.map((d) => ({ ...d, detail: d.detail.map((x) => redact(x, secrets)), ...(d.error !== undefined ? { error: redact(d.error, secrets) } : {}) }));
    for (const d of clean) if (!d.ok) logger.error('org digest failed', { channel: d.channel, error: d.error });

    const failedShards = merged.org.failures.filter((f) => f.region !== null).length;
    metrics.addMetric('Accounts', MetricUnit.Count, merged.org.accounts.length);
    metrics.addMetric('FailedShards', MetricUnit.Count, failedShards);
    metrics.addMetric('SavingsUsd', MetricUnit.NoUnit, merged.org.totals.savingsUsd);
    metrics.addMetric('Incomplete', MetricUnit.Count, merged.org.run.complete ? 0 : 1);
    metrics.addMetric('ChannelFailures', MetricUnit.Count, clean.filter((d) => !d.ok).length);
    metrics.publishStoredMetrics();
    logger.info('org report published', { runId: state.runId, complete: merged.org.run.complete, failedShards, reportUrl, digests: clean.map((d) => `${d.channel}: ${d.ok ? 'ok' : 'FAILED'}`) });
    return { complete: merged.org.run.complete, failedShards, reportUrl, digests: clean };
  };
}

/** Entry points (serverless.yml org mode: src/org/handlers.plan / .shard / .merge). */
export const plan = createPlanHandler();
export const shard = createShardHandler();
export const merge = createMergeHandler();
