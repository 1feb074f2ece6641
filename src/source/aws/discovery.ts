import { ListMetricsCommand, type CloudWatchClient } from '@aws-sdk/client-cloudwatch';
import {
  ListCapacityProvidersCommand,
  ListFunctionsCommand,
  ListProvisionedConcurrencyConfigsCommand,
  type FunctionConfiguration,
  type LambdaClient,
} from '@aws-sdk/client-lambda';
import { AwsSourceError } from '../../errors.js';
import type { FunctionProfile, SnapshotWindow, SourceWarning } from '../profile.js';
import { describeError } from './aws-errors.js';
import type { RegionClients } from './clients.js';
import { createFunctionFilter, hasTagFilters, type FunctionFilter } from './filters.js';
import { createInsightsFetcher, INSIGHTS_DIMENSION, INSIGHTS_NAMESPACE, type InsightsFetcher } from './insights.js';
import type { RateLimiter } from './rate-limit.js';
import { fetchFunctionTags, unqualifiedArn } from './tags.js';

/** A function as discovered: everything of its profile except the metric series. */
export type DiscoveredFunction = Omit<FunctionProfile, 'series'> & { arn: string };

/** A capacity provider that already exists in the region (the account already uses LMI). */
export interface ExistingCapacityProvider {
  region: string;
  arn: string;
  state: string | null;
  architectures: string[];
}

/**
 * One region's discovery, streamed: ListFunctions pages are turned into functions as they arrive,
 * so GetMetricData can start on the first page instead of after the last (the pages are
 * sequential: ~55 s for 10,000 functions).
 *
 * `ready` resolves once what the snapshot header needs is known: the side listings (tags,
 * capacity providers, who has provisioned concurrency) and the first ListFunctions page; it
 * rejects with AwsSourceError when the region cannot be listed at all. After that, `functions`
 * keeps growing, `batches` yields each page's new function names, and a later page that fails
 * after every retry ends the listing early through `onLateFailure` (the functions already found
 * are still collected; the region is named failed).
 */
export interface RegionDiscovery {
  region: string;
  ready: Promise<void>;
  /** Every function found so far, in ListFunctions order (index = `batches` order). */
  functions: DiscoveredFunction[];
  /** Names of the functions as they are found, a page at a time; single use. */
  batches: AsyncIterable<readonly string[]>;
  /** Resolves when the listing has ended (all pages, or a late failure). */
  listed: Promise<void>;
  /** Pending provisioned-concurrency lookups by function index (settled, never rejected). */
  pendingPc: Map<number, Promise<void>>;
  /**
   * Pending Lambda Insights values by function index (insights.ts): call `demand()` before
   * awaiting `settled` (never rejected), so a call held for more functions starts now.
   */
  pendingInsights: Map<number, { settled: Promise<void>; demand: () => void }>;
  /** null when the list could not be read (unknown, with a warning). Set by `ready`. */
  capacityProviders: ExistingCapacityProvider[] | null;
  /** Warnings known when `ready` resolved (they go in the snapshot header). */
  warnings: SourceWarning[];
  /** Account id read from the function ARNs (null when the region has no function). */
  accountId: string | null;
}

export interface DiscoveryHooks {
  /** Warnings met after `ready` (a function skipped, a PC lookup failed). */
  warn: (warning: SourceWarning) => void;
  /** A ListFunctions page after the first failed after every retry. */
  onLateFailure: (message: string) => void;
}

export interface DiscoveryLimiters {
  lambda: RateLimiter;
  tagging: RateLimiter;
  cloudWatchList: RateLimiter;
}

/** Lambda Insights: when given, functions that have it get their CPU and memory (insights.ts). */
export interface DiscoveryInsights {
  window: SnapshotWindow;
  /** The region's GetMetricData limiter. */
  getMetricData: RateLimiter;
}

async function listCapacityProviders(
  region: string,
  lambda: LambdaClient,
  limit: RateLimiter,
): Promise<ExistingCapacityProvider[]> {
  const out: ExistingCapacityProvider[] = [];
  let marker: string | undefined;
  do {
    const page = await limit(() =>
      lambda.send(new ListCapacityProvidersCommand({ MaxItems: 50, ...(marker ? { Marker: marker } : {}) })),
    );
    for (const cp of page.CapacityProviders ?? []) {
      if (!cp.CapacityProviderArn) continue;
      out.push({
        region,
        arn: cp.CapacityProviderArn,
        state: cp.State ?? null,
        architectures: cp.InstanceRequirements?.Architectures ?? [],
      });
    }
    marker = page.NextMarker || undefined;
  } while (marker);
  return out;
}

/**
 * Names of the functions that have `metricName` in `namespace` (the value of their
 * `dimensionName` dimension), from one paged ListMetrics (500 metrics a page) instead of a call
 * per function. ListMetrics returns metrics that reported in the last two weeks.
 */
async function functionsWithMetric(
  cloudWatch: CloudWatchClient,
  limit: RateLimiter,
  namespace: string,
  metricName: string,
  dimensionName: string,
): Promise<Set<string>> {
  const names = new Set<string>();
  let token: string | undefined;
  do {
    const page = await limit(() =>
      cloudWatch.send(
        new ListMetricsCommand({
          Namespace: namespace,
          MetricName: metricName,
          ...(token ? { NextToken: token } : {}),
        }),
      ),
    );
    for (const metric of page.Metrics ?? []) {
      // moto ignores the namespace when filtering on dimensions: check it here as well.
      if (metric.Namespace !== undefined && metric.Namespace !== namespace) continue;
      if (metric.MetricName !== undefined && metric.MetricName !== metricName) continue;
      const fn = metric.Dimensions?.find((d) => d.Name === dimensionName)?.Value;
      if (fn) names.add(fn);
    }
    token = page.NextToken || undefined;
  } while (token);
  return names;
}

/**
 * Names of the functions that show provisioned concurrency in CloudWatch (one paged ListMetrics
 * per metric instead of a ListProvisionedConcurrencyConfigs call per function).
 */
async function functionsWithProvisionedConcurrency(
  cloudWatch: CloudWatchClient,
  limit: RateLimiter,
): Promise<Set<string>> {
  // The two metrics are listed side by side (each is sequential in its pages).
  const metricNames = ['ProvisionedConcurrentExecutions', 'ProvisionedConcurrencyUtilization'];
  const sets = await Promise.all(
    metricNames.map((metricName) => functionsWithMetric(cloudWatch, limit, 'AWS/Lambda', metricName, 'FunctionName')),
  );
  return new Set(sets.flatMap((set) => [...set]));
}

/**
 * Names of the functions with Lambda Insights enabled: those that publish `cpu_total_time` in the
 * `LambdaInsights` namespace (dimension `function_name`; the `function_name, version` entries name
 * the same functions). One paged ListMetrics, however many functions.
 */
function functionsWithInsights(cloudWatch: CloudWatchClient, limit: RateLimiter): Promise<Set<string>> {
  return functionsWithMetric(cloudWatch, limit, INSIGHTS_NAMESPACE, 'cpu_total_time', INSIGHTS_DIMENSION);
}

/** Allocated PC summed over every version/alias of the function (one call, paged). */
async function provisionedConcurrencyOf(
  lambda: LambdaClient,
  limit: RateLimiter,
  functionName: string,
): Promise<number> {
  let total = 0;
  let marker: string | undefined;
  do {
    const page = await limit(() =>
      lambda.send(
        new ListProvisionedConcurrencyConfigsCommand({
          FunctionName: functionName,
          MaxItems: 50,
          ...(marker ? { Marker: marker } : {}),
        }),
      ),
    );
    for (const config of page.ProvisionedConcurrencyConfigs ?? []) {
      // Allocated is what is billed; while IN_PROGRESS it lags Requested.
      total +=
        config.AllocatedProvisionedConcurrentExecutions ??
        config.RequestedProvisionedConcurrentExecutions ??
        0;
    }
    marker = page.NextMarker || undefined;
  } while (marker);
  return total;
}

function accountIdOf(arn: string | undefined): string | null {
  const account = arn?.split(':')[4];
  return account && /^\d{12}$/.test(account) ? account : null;
}

function toDiscovered(
  region: string,
  config: FunctionConfiguration,
  tags: Record<string, string>,
): DiscoveredFunction | string {
  const name = config.FunctionName;
  if (!name || !config.FunctionArn) return 'no FunctionName/FunctionArn';
  if (config.MemorySize === undefined || config.Timeout === undefined) {
    return `ListFunctions gave no MemorySize/Timeout for ${name}`;
  }
  const lmi = config.CapacityProviderConfig?.LambdaManagedInstancesCapacityProviderConfig;
  return {
    region,
    name,
    arn: unqualifiedArn(config.FunctionArn),
    runtime: config.Runtime ?? null,
    architecture: config.Architectures?.[0] === 'arm64' ? 'arm64' : 'x86_64',
    memoryMB: config.MemorySize,
    timeoutSeconds: config.Timeout,
    // Lambda's default is 512 MB, and ListFunctions omits the field on old functions.
    ephemeralStorageMB: config.EphemeralStorage?.Size ?? 512,
    provisionedConcurrency: 0,
    // Reserved concurrency needs one GetFunctionConcurrency per function: not fetched (unknown).
    reservedConcurrency: null,
    packageType: config.PackageType === 'Image' ? 'Image' : 'Zip',
    tags,
    capacityProviderArn: lmi?.CapacityProviderArn ?? null,
  };
}

/** Names arriving over time, read by one consumer. */
function createBatchQueue() {
  const items: (readonly string[])[] = [];
  let next = 0;
  let ended = false;
  let wake: (() => void) | null = null;
  const poke = () => {
    const w = wake;
    wake = null;
    w?.();
  };
  return {
    push(batch: readonly string[]) {
      if (batch.length > 0) items.push(batch);
      poke();
    },
    end() {
      ended = true;
      poke();
    },
    async *[Symbol.asyncIterator](): AsyncGenerator<readonly string[]> {
      for (;;) {
        if (next < items.length) {
          const batch = items[next]!;
          items[next++] = [];
          yield batch;
          continue;
        }
        if (ended) return;
        await new Promise<void>((resolve) => (wake = resolve));
      }
    },
  };
}

/**
 * Starts everything known about one region's functions before metrics: configuration
 * (ListFunctions, streamed page by page), tags (in bulk), existing capacity providers,
 * provisioned concurrency for the few functions that have it. `ready` rejects with
 * AwsSourceError when the region cannot be listed at all; lesser failures become warnings and
 * "unknown".
 */
export function startRegionDiscovery(
  region: string,
  clients: RegionClients,
  limits: DiscoveryLimiters,
  filter: FunctionFilter,
  hooks: DiscoveryHooks,
  insights?: DiscoveryInsights,
): RegionDiscovery {
  const warnings: SourceWarning[] = [];
  const queue = createBatchQueue();
  const discovery: RegionDiscovery = {
    region,
    ready: Promise.resolve(),
    functions: [],
    batches: queue,
    listed: Promise.resolve(),
    pendingPc: new Map(),
    pendingInsights: new Map(),
    capacityProviders: null,
    warnings,
    accountId: null,
  };

  // The paged listings are independent: run them side by side (each is sequential in its pages).
  const tagsPromise = fetchFunctionTags(clients.tagging, limits.tagging).then(
    (tags) => ({ ok: true as const, tags }),
    (cause: unknown) => ({ ok: false as const, cause }),
  );
  const providersPromise = listCapacityProviders(region, clients.lambda, limits.lambda).then(
    (providers) => ({ ok: true as const, providers }),
    (cause: unknown) => ({ ok: false as const, cause }),
  );
  const withPcPromise = functionsWithProvisionedConcurrency(clients.cloudWatch, limits.cloudWatchList).then(
    (names) => ({ ok: true as const, names }),
    (cause: unknown) => ({ ok: false as const, cause }),
  );
  const withInsightsPromise = insights
    ? functionsWithInsights(clients.cloudWatch, limits.cloudWatchList).then(
        (names) => ({ ok: true as const, names }),
        (cause: unknown) => ({ ok: false as const, cause }),
      )
    : Promise.resolve({ ok: true as const, names: new Set<string>() });

  // What every page needs before its functions can be kept: tags (for the filters and the
  // profiles) and the set of functions with PC. Settled, never rejected, except tag filters
  // without tags, which fail the region (guessing would collect the wrong set).
  const sidePromise = (async () => {
    const [tagsResult, providersResult, withPc, withInsights] = await Promise.all([
      tagsPromise,
      providersPromise,
      withPcPromise,
      withInsightsPromise,
    ]);
    let tagsByArn = new Map<string, Record<string, string>>();
    if (tagsResult.ok) {
      tagsByArn = tagsResult.tags;
    } else {
      const cause = tagsResult.cause;
      if (hasTagFilters(filter)) {
        throw new AwsSourceError(region, 'tag:GetResources', describeError(cause), { cause });
      }
      warnings.push({
        code: 'tags-unknown',
        region,
        message: `tags could not be read (${describeError(cause)}): trust groups are unknown`,
      });
    }
    if (providersResult.ok) {
      discovery.capacityProviders = providersResult.providers;
    } else {
      warnings.push({
        code: 'capacity-providers-unknown',
        region,
        message: `existing capacity providers could not be listed (${describeError(providersResult.cause)})`,
      });
    }
    let withPcNames: Set<string> | null = null;
    if (withPc.ok) {
      withPcNames = withPc.names;
    } else {
      warnings.push({
        code: 'provisioned-concurrency-unknown',
        region,
        message: `could not find functions with provisioned concurrency (${describeError(withPc.cause)}): their PC, and so their standard cost, is unknown`,
      });
    }
    let withInsightsNames = new Set<string>();
    if (withInsights.ok) {
      withInsightsNames = withInsights.names;
    } else {
      warnings.push({
        code: 'insights-unknown',
        region,
        message: `could not find functions with Lambda Insights (${describeError(withInsights.cause)}): their CPU and memory use are unknown`,
      });
    }
    return { tagsByArn, withPc: withPcNames, withInsights: withInsightsNames };
  })();

  const keep = createFunctionFilter(filter);
  let late = false;
  const warn = (w: SourceWarning) => (late ? hooks.warn(w) : warnings.push(w));
  // Created on the first function with Insights: a region without any makes no extra call.
  let insightsFetcher = null as InsightsFetcher | null;

  function addPage(configs: FunctionConfiguration[], side: Awaited<typeof sidePromise>): void {
    const names: string[] = [];
    for (const config of configs) {
      discovery.accountId ??= accountIdOf(config.FunctionArn);
      const arn = config.FunctionArn ? unqualifiedArn(config.FunctionArn) : '';
      const tags = side.tagsByArn.get(arn) ?? {};
      if (!config.FunctionName || !keep(config.FunctionName, tags)) continue;
      const discovered = toDiscovered(region, config, tags);
      if (typeof discovered === 'string') {
        warn({ code: 'function-skipped', region, function: config.FunctionName, message: discovered });
        continue;
      }
      const index = discovery.functions.length;
      discovery.functions.push(discovered);
      names.push(discovered.name);
      // Unknown is never 0: without the PC listing every function's PC is unknown.
      if (side.withPc === null) discovered.provisionedConcurrency = null;
      if (side.withPc?.has(discovered.name)) {
        discovery.pendingPc.set(
          index,
          provisionedConcurrencyOf(clients.lambda, limits.lambda, discovered.name).then(
            (pc) => {
              discovered.provisionedConcurrency = pc;
            },
            (cause: unknown) => {
              discovered.provisionedConcurrency = null;
              warn({
                code: 'provisioned-concurrency-unknown',
                region,
                function: discovered.name,
                message: `provisioned concurrency could not be read (${describeError(cause)}): the function's standard cost is unknown`,
              });
            },
          ),
        );
      }
      if (insights && side.withInsights.has(discovered.name)) {
        insightsFetcher ??= createInsightsFetcher({
          region,
          cloudWatch: clients.cloudWatch,
          limit: insights.getMetricData,
          window: insights.window,
          warn,
        });
        const lookup = insightsFetcher.add(discovered.name);
        discovery.pendingInsights.set(index, {
          settled: lookup.values.then((values) => {
            discovered.cpuSecondsPerInvocation = values.cpuSecondsPerInvocation;
            discovered.memoryUsedMBMax = values.memoryUsedMBMax;
            if (values.initMsPerInvocation !== null) discovered.initMsPerInvocation = values.initMsPerInvocation;
          }),
          demand: lookup.demand,
        });
      }
    }
    queue.push(names);
  }

  let markReady: () => void = () => {};
  discovery.ready = new Promise<void>((resolve) => (markReady = resolve));
  const listing = (async () => {
    let marker: string | undefined;
    let first = true;
    try {
      do {
        let page;
        try {
          page = await limits.lambda(() =>
            clients.lambda.send(new ListFunctionsCommand({ MaxItems: 50, ...(marker ? { Marker: marker } : {}) })),
          );
        } catch (cause) {
          const error = new AwsSourceError(region, 'lambda:ListFunctions', describeError(cause), { cause });
          if (first) throw error;
          hooks.onLateFailure(describeError(error));
          return;
        }
        const side = await sidePromise;
        addPage(page.Functions ?? [], side);
        if (first) {
          first = false;
          // Warnings from here on are too late for the header: they go to the hook.
          late = true;
          markReady();
        }
        marker = page.NextMarker || undefined;
      } while (marker);
    } finally {
      // The last, incomplete Insights call goes once no function will come.
      insightsFetcher?.finish();
      queue.end();
      if (first) {
        // Never leave the side listings' results unobserved when ListFunctions fails.
        await sidePromise.catch(() => {});
      }
    }
  })();
  // `ready` follows the first page; a failure before it rejects `ready` (the region failed).
  discovery.ready = Promise.race([discovery.ready, listing.then(() => undefined)]);
  discovery.listed = listing.then(
    () => undefined,
    () => undefined,
  );
  return discovery;
}
