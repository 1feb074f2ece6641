import { type CostExplorerSend, liveBillFetcher } from './bill/cost-explorer.js';
import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';
import { S3Client, type S3ClientConfig } from '@aws-sdk/client-s3';
import { SESv2Client } from '@aws-sdk/client-sesv2';
import { SSMClient } from '@aws-sdk/client-ssm';
import type { Context } from 'aws-lambda';
import * as z from 'zod';
import { parseConfigJsonEnv, parseLambdaEnv } from './config/lambda-env.js';
import { parseConfig } from './config/load.js';
import { ConfigError, LmiAdvisorError } from './errors.js';
import { liveAwsSource, runPipeline, type PipelineLog, type RunResult, type SourceFn } from './pipeline/run.js';
import { parseChannels, type ChannelResult, type PublishTargets } from './publish/index.js';
import type { FetchLike, SlackRetryOptions } from './publish/slack.js';
import { redact, resolveWebhookUrl } from './secrets.js';
import { completeClientFactory, type AwsClientFactory } from './source/aws/clients.js';
import { readCapacityProviderMetrics } from './source/aws/capacity-provider-metrics.js';
import { planWindow } from './source/aws/metrics-plan.js';
import type { ProgressEvent } from './source/aws/progress.js';
import { storeBackendFor } from './store/open.js';

/**
 * The scheduled entry point (EventBridge, nightly): runs the live pipeline over the configured
 * regions and publishes to S3 (dated, then latest), Slack and email. Settings come from the
 * environment (serverless.yml), validated here; everything else is in src/pipeline/run.ts.
 * Logs are structured JSON (Powertools Logger), the job's own figures are EMF metrics
 * (Powertools Metrics). The Slack webhook URL is redacted from every log line.
 */

const list = z
  .string()
  .transform((s) => s.split(',').map((x) => x.trim()).filter((x) => x !== ''));

const envSchema = z.object({
  AWS_REGION: z.string().min(1).optional(),
  /** Regions to analyse, comma-separated; default the function's own region. */
  LMI_REGIONS: list.optional(),
  LMI_DAYS: z.coerce.number().int().min(1).max(455).default(14),
  /** Metric period: auto (finest CloudWatch keeps) or 60/300/3600; 300 for large fleets. */
  LMI_RESOLUTION: z
    .enum(['auto', '60', '300', '3600'])
    .default('auto')
    .transform((r) => (r === 'auto' ? ('auto' as const) : (Number(r) as 60 | 300 | 3600))),
  LMI_PUBLISH: z.string().default('s3'),
  REPORT_BUCKET: z.string().min(3).optional(),
  REPORT_PREFIX: z.string().default('reports/'),
  /** Base URL that serves the bucket (CloudFront, a portal); else links open the S3 console. */
  REPORT_BASE_URL: z.string().url().optional(),
  SLACK_WEBHOOK_PARAMETER: z.string().min(1).optional(),
  EMAIL_FROM: z.string().min(3).optional(),
  EMAIL_TO: list.optional(),
  /** Assumptions as JSON (same keys as the config file); every default when absent. */
  LMI_CONFIG_JSON: z.string().optional(),
  /** Stop collecting when less than this is left, to publish what is there (default 90 s). */
  LMI_SAFETY_MARGIN_MS: z.coerce.number().int().min(0).default(90_000),
  /** Compare with the bill (Cost Explorer); serverless.yml sets it 'true' (param reconcile). */
  LMI_RECONCILE: z
    .enum(['true', 'false'])
    .default('false')
    .transform((v) => v === 'true'),
  /**
   * Metric store (docs/store-format.md): s3://bucket/prefix, or `off`. Default: the reports
   * bucket under `store/`, so each night reads only the days the store lacks.
   */
  LMI_STORE: z.string().min(1).optional(),
  /** Time kept, besides the safety margin, to assemble and analyse the window from the store (default 120 s). */
  LMI_STORE_ANALYSIS_MS: z.coerce.number().int().min(0).default(120_000),
});

export type HandlerEnv = z.infer<typeof envSchema>;

/** Reads and checks the env; a bad value is a ConfigError naming the variable. */
export function parseHandlerEnv(env: Record<string, string | undefined>): HandlerEnv {
  return parseLambdaEnv(envSchema, env);
}

export interface HandlerDeps {
  env: Record<string, string | undefined>;
  /** Clients for the collector (tests point them at moto). */
  clients?: Partial<AwsClientFactory>;
  s3?: S3Client;
  ses?: SESv2Client;
  ssm?: SSMClient;
  fetch?: FetchLike;
  /** Slack retry settings (tests shorten the back-off). */
  slackRetry?: SlackRetryOptions;
  logger?: Logger;
  metrics?: Metrics;
  /** Replaces the live AWS source (tests, dry runs). */
  source?: SourceFn;
  /** Clock, used only when the event carries no `time`. */
  now?: () => Date;
  /** Cost Explorer client for LMI_RECONCILE (tests point it at the local fake). */
  costExplorer?: CostExplorerSend;
}

/** The job's own figures, emitted as EMF metrics and returned for callers and tests. */
export interface RunMetrics {
  FunctionsAnalysed: number;
  SavingsUsd: number;
  ApiCalls: number;
  RunSeconds: number;
  ChannelFailures: number;
  FailedRegions: number;
  Incomplete: number;
}

export interface HandlerResult {
  complete: boolean;
  exitCode: number;
  reportUrl: string | null;
  channels: ChannelResult[];
  metrics: RunMetrics;
}

/** Thrown after publishing when a channel failed, so the invocation shows as failed. */
export class NightlyRunError extends LmiAdvisorError {
  override name = 'NightlyRunError';
  constructor(
    message: string,
    readonly result: HandlerResult,
  ) {
    super(message);
  }
}

type MinimalContext = Pick<Context, 'getRemainingTimeInMillis'> & Partial<Pick<Context, 'awsRequestId' | 'functionName'>>;

/** Counts SDK operations (not retries) across the run's clients, for the ApiCalls metric. */
type Handler = (args: unknown) => Promise<unknown>;
interface CountableClient {
  middlewareStack: unknown;
}

function countCalls(clients: CountableClient[], counter: { calls: number }): void {
  for (const client of clients) {
    // Every SDK v3 client has a middleware stack; its generic types differ per client.
    const stack = client.middlewareStack as { add: (mw: (next: Handler) => Handler, options: object) => void };
    stack.add(
      (next) => async (args) => {
        counter.calls += 1;
        return next(args);
      },
      { step: 'initialize', name: 'lmiAdvisorApiCallCounter', override: true },
    );
  }
}

/** Wraps a client factory so each client it hands out counts its calls. */
function countingFactory(base: AwsClientFactory, counter: { calls: number }): AwsClientFactory {
  return {
    forRegion: (r) => {
      const c = base.forRegion(r);
      countCalls([c.lambda, c.cloudWatch, c.tagging], counter);
      return c;
    },
    pricing: () => {
      const c = base.pricing();
      countCalls([c], counter);
      return c;
    },
    sts: () => {
      const c = base.sts();
      countCalls([c], counter);
      return c;
    },
  };
}

function redactingLog(logger: Logger, secrets: string[]): PipelineLog {
  const clean = (extra?: Record<string, unknown>) =>
    extra === undefined ? {} : (JSON.parse(redact(JSON.stringify(extra), secrets)) as Record<string, unknown>);
  return {
    info: (m, e) => logger.info(redact(m, secrets), clean(e)),
    warn: (m, e) => logger.warn(redact(m, secrets), clean(e)),
    error: (m, e) => logger.error(redact(m, secrets), clean(e)),
  };
}

function eventTime(event: unknown): Date | null {
  if (event && typeof event === 'object' && 'time' in event && typeof event.time === 'string') {
    const t = Date.parse(event.time);
    if (!Number.isNaN(t)) return new Date(t);
  }
  return null;
}

/** Logs the store's progress events (src/store/collect.ts) once per region-day read, and the last. */
export function storeProgressLog(log: PipelineLog): (event: ProgressEvent) => void {
  let lastDone = -1;
  return (event) => {
    if (event.type !== 'store' || (event.daysDone === lastDone && !event.final)) return;
    lastDone = event.daysDone;
    const { type: _type, ...fields } = event;
    log.info(event.final ? 'store read finished' : 'store progress', fields);
  };
}

export function createHandler(overrides: Partial<HandlerDeps> = {}) {
  return async function nightly(event: unknown, context: MinimalContext): Promise<HandlerResult> {
    const deps: HandlerDeps = { env: process.env, ...overrides };
    const logger = deps.logger ?? new Logger({ serviceName: 'lmi-advisor' });
    const metrics = deps.metrics ?? new Metrics({ namespace: 'LmiAdvisor', serviceName: 'lmi-advisor' });
    const secrets: string[] = [];
    const log = redactingLog(logger, secrets);
    const counter = { calls: 0 };
    const startedMs = performance.now();
    if (context.awsRequestId) logger.appendKeys({ requestId: context.awsRequestId });

    const env = parseHandlerEnv(deps.env);
    const region = env.AWS_REGION ?? 'us-east-1';
    const config = parseConfig(env.LMI_CONFIG_JSON === undefined ? {} : parseConfigJsonEnv(env.LMI_CONFIG_JSON), 'env LMI_CONFIG_JSON');
    const channels = parseChannels(env.LMI_PUBLISH, 'env LMI_PUBLISH');
    if (channels.includes('s3') && !env.REPORT_BUCKET) throw new ConfigError('environment', 'REPORT_BUCKET', 'LMI_PUBLISH has s3 but no bucket is set');
    if (channels.includes('email') && (!env.EMAIL_FROM || !env.EMAIL_TO || env.EMAIL_TO.length === 0)) {
      throw new ConfigError('environment', 'EMAIL_TO', 'LMI_PUBLISH has email but EMAIL_FROM or EMAIL_TO is empty');
    }
    const now = eventTime(event) ?? (deps.now ?? (() => new Date()))();
    const regions = env.LMI_REGIONS && env.LMI_REGIONS.length > 0 ? env.LMI_REGIONS : [region];

    const s3 = deps.s3 ?? new S3Client({ region } satisfies S3ClientConfig);
    const ses = deps.ses ?? new SESv2Client({ region });
    const ssm = deps.ssm ?? new SSMClient({ region });
    countCalls([s3, ses, ssm], counter);

    let webhook: Promise<string> | undefined;
    const targets: PublishTargets = {
      ...(env.REPORT_BUCKET ? { s3: { client: s3, bucket: env.REPORT_BUCKET, prefix: env.REPORT_PREFIX, region, reportBaseUrl: env.REPORT_BASE_URL ?? null } } : {}),
      slack: {
        webhookUrl: () => {
          webhook ??= resolveWebhookUrl({ parameterName: env.SLACK_WEBHOOK_PARAMETER ?? null, env: deps.env, ssm }).then((url) => {
            secrets.push(url);
            return url;
          });
          return webhook;
        },
        ...(deps.fetch ? { fetch: deps.fetch } : {}),
        ...(deps.slackRetry ? { retry: deps.slackRetry } : {}),
      },
      ...(env.EMAIL_FROM && env.EMAIL_TO ? { email: { client: ses, from: env.EMAIL_FROM, to: env.EMAIL_TO } } : {}),
    };
    // An env-provided URL (local runs) is known before anything is logged.
    if (deps.env['SLACK_WEBHOOK_URL']) secrets.push(deps.env['SLACK_WEBHOOK_URL']);

    const storeValue = env.LMI_STORE ?? (env.REPORT_BUCKET ? `s3://${env.REPORT_BUCKET}/store/` : undefined);
    const store = storeValue === undefined || storeValue === 'off' ? undefined : storeBackendFor(storeValue, { flag: 'env LMI_STORE', s3, region });
    const clients = countingFactory(completeClientFactory(deps.clients, {}), counter);
    const source =
      deps.source ??
      liveAwsSource({
        resolution: env.LMI_RESOLUTION,
        clients,
        ...(store
          ? {
              store,
              settleMinutes: config.store.settleMinutes,
              // CloudWatch reads stop in time to assemble, analyse and publish what is stored.
              storeTimeLeftMs: () => context.getRemainingTimeInMillis() - env.LMI_SAFETY_MARGIN_MS - env.LMI_STORE_ANALYSIS_MS,
              // One log line per region-day read (and at the end): how far a long backfill got.
              onProgress: storeProgressLog(log),
            }
          : {}),
      });
    log.info('nightly run starting', { regions, channels, days: env.LMI_DAYS, now: now.toISOString(), store: store ? storeValue : 'off' });

    let result: RunResult;
    try {
      result = await runPipeline({
        regions,
        days: env.LMI_DAYS,
        now,
        config,
        configPath: env.LMI_CONFIG_JSON === undefined ? undefined : 'env LMI_CONFIG_JSON',
        source,
        channels,
        targets,
        timeLeftMs: () => context.getRemainingTimeInMillis(),
        reserveMs: env.LMI_SAFETY_MARGIN_MS,
        // The CLI line that reproduces this run (every option that changes a figure; issue 8 item 9).
        command:
          `lmi-advisor run --regions ${regions.join(',')} --days ${env.LMI_DAYS} --now ${now.toISOString()}` +
          ` --resolution ${planWindow(now, env.LMI_DAYS, env.LMI_RESOLUTION).periodSeconds}` +
          ` (lambda ${context.functionName ?? 'lmi-advisor'}${env.LMI_CONFIG_JSON === undefined ? '' : '; --config: a file holding its env LMI_CONFIG_JSON'})`,
        log,
        ...(env.LMI_RECONCILE
          ? {
              reconcile: {
                fetchBill: liveBillFetcher(deps.costExplorer ? { client: deps.costExplorer } : {}),
                // LMI actuals: the capacity providers' CloudWatch metrics, with the collector's clients.
                fetchLmiMetrics: (args) => readCapacityProviderMetrics((r) => clients.forRegion(r).cloudWatch, args.providers, args.window),
              },
            }
          : {}),
      });
    } catch (error) {
      const message = redact(error instanceof Error ? `${error.name}: ${error.message}` : String(error), secrets);
      log.error('nightly run failed before publishing', { error: message });
      metrics.addMetric('RunFailed', MetricUnit.Count, 1);
      metrics.addMetric('ApiCalls', MetricUnit.Count, counter.calls);
      metrics.publishStoredMetrics();
      throw new LmiAdvisorError(message);
    }

    const runMetrics: RunMetrics = {
      FunctionsAnalysed: result.model.functions.length,
      SavingsUsd: result.model.totals.savingsUsd,
      ApiCalls: counter.calls,
      RunSeconds: (performance.now() - startedMs) / 1000,
      ChannelFailures: result.publish.failures,
      FailedRegions: result.failedRegions.length,
      Incomplete: result.model.run.complete ? 0 : 1,
    };
    metrics.addMetric('FunctionsAnalysed', MetricUnit.Count, runMetrics.FunctionsAnalysed);
    metrics.addMetric('SavingsUsd', MetricUnit.NoUnit, runMetrics.SavingsUsd);
    metrics.addMetric('ApiCalls', MetricUnit.Count, runMetrics.ApiCalls);
    metrics.addMetric('RunSeconds', MetricUnit.Seconds, runMetrics.RunSeconds);
    if (result.model.reconciliation) {
      // Cost Explorer bills $0.01 per request: counted apart from the free collector calls.
      metrics.addMetric('CostExplorerRequests', MetricUnit.Count, result.model.reconciliation.costExplorer.requests);
      metrics.addMetric('CostExplorerUsd', MetricUnit.NoUnit, result.model.reconciliation.costExplorer.usd);
    }
    metrics.addMetric('ChannelFailures', MetricUnit.Count, runMetrics.ChannelFailures);
    metrics.addMetric('FailedRegions', MetricUnit.Count, runMetrics.FailedRegions);
    metrics.addMetric('Incomplete', MetricUnit.Count, runMetrics.Incomplete);
    metrics.publishStoredMetrics();

    const out: HandlerResult = {
      complete: result.model.run.complete,
      exitCode: result.exitCode,
      reportUrl: result.publish.reportUrl,
      channels: result.publish.results,
      metrics: runMetrics,
    };
    log.info('nightly run finished', { ...runMetrics, exitCode: out.exitCode, reportUrl: out.reportUrl });
    if (result.exitCode === 1) {
      const failed = out.channels.filter((c) => !c.ok).map((c) => `${c.channel}: ${c.error}`);
      const renders = result.renderFailures.map((f) => `render ${f}`);
      throw new NightlyRunError(redact(`nightly run published with failures: ${[...failed, ...renders].join('; ')}`, secrets), out);
    }
    return out;
  };
}

/** The Lambda entry point (serverless.yml: src/handler.handler). */
export const handler = createHandler();
