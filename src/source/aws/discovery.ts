import { ListMetricsCommand, type CloudWatchClient } from '@aws-sdk/client-cloudwatch';
import {
  ListCapacityProvidersCommand,
  ListFunctionsCommand,
  ListProvisionedConcurrencyConfigsCommand,
  type FunctionConfiguration,
  type LambdaClient,
} from '@aws-sdk/client-lambda';
import { AwsSourceError } from '../../errors.js';
import type { FunctionProfile, SourceWarning } from '../profile.js';
import { describeError } from './aws-errors.js';
import type { RegionClients } from './clients.js';
import { createFunctionFilter, hasTagFilters, type FunctionFilter } from './filters.js';
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

export interface RegionDiscovery {
  region: string;
  functions: DiscoveredFunction[];
  /** null when the list could not be read (unknown, with a warning). */
  capacityProviders: ExistingCapacityProvider[] | null;
  warnings: SourceWarning[];
  /** Account id read from the function ARNs (null when the region has no function). */
  accountId: string | null;
}

export interface DiscoveryLimiters {
  lambda: RateLimiter;
  tagging: RateLimiter;
  cloudWatchList: RateLimiter;
}

/** All pages of ListFunctions ($LATEST of every function; at most 50 a page). */
async function listFunctions(lambda: LambdaClient, limit: RateLimiter): Promise<FunctionConfiguration[]> {
  const all: FunctionConfiguration[] = [];
  let marker: string | undefined;
  do {
    const page = await limit(() =>
      lambda.send(new ListFunctionsCommand({ MaxItems: 50, ...(marker ? { Marker: marker } : {}) })),
    );
    all.push(...(page.Functions ?? []));
    marker = page.NextMarker || undefined;
  } while (marker);
  return all;
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
 * Names of the functions that show provisioned concurrency in CloudWatch (one paged ListMetrics
 * per metric instead of a ListProvisionedConcurrencyConfigs call per function). ListMetrics
 * returns metrics that reported in the last two weeks.
 */
async function functionsWithProvisionedConcurrency(
  cloudWatch: CloudWatchClient,
  limit: RateLimiter,
): Promise<Set<string>> {
  const names = new Set<string>();
  for (const metricName of ['ProvisionedConcurrentExecutions', 'ProvisionedConcurrencyUtilization']) {
    let token: string | undefined;
    do {
      const page = await limit(() =>
        cloudWatch.send(
          new ListMetricsCommand({
            Namespace: 'AWS/Lambda',
            MetricName: metricName,
            ...(token ? { NextToken: token } : {}),
          }),
        ),
      );
      for (const metric of page.Metrics ?? []) {
        // moto ignores the namespace when filtering on dimensions: check it here as well.
        if (metric.Namespace !== undefined && metric.Namespace !== 'AWS/Lambda') continue;
        if (metric.MetricName !== undefined && metric.MetricName !== metricName) continue;
        const fn = metric.Dimensions?.find((d) => d.Name === 'FunctionName')?.Value;
        if (fn) names.add(fn);
      }
      token = page.NextToken || undefined;
    } while (token);
  }
  return names;
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

/**
 * Everything known about one region's functions before metrics: configuration (ListFunctions),
 * tags (in bulk), existing capacity providers, provisioned concurrency for the few functions
 * that have it. Throws AwsSourceError when the region cannot be listed at all; lesser failures
 * become warnings and "unknown".
 */
export async function discoverRegion(
  region: string,
  clients: RegionClients,
  limits: DiscoveryLimiters,
  filter: FunctionFilter,
): Promise<RegionDiscovery> {
  const warnings: SourceWarning[] = [];

  // The paged listings are independent: run them side by side (each is sequential in its pages).
  const functionsPromise = listFunctions(clients.lambda, limits.lambda).catch((cause: unknown) => {
    throw new AwsSourceError(region, 'lambda:ListFunctions', describeError(cause), { cause });
  });
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
  let configs: FunctionConfiguration[];
  try {
    configs = await functionsPromise;
  } finally {
    // Never leave the side listings' results unobserved when ListFunctions fails.
    await Promise.all([tagsPromise, providersPromise, withPcPromise]);
  }

  let tagsByArn = new Map<string, Record<string, string>>();
  const tagsResult = await tagsPromise;
  if (tagsResult.ok) {
    tagsByArn = tagsResult.tags;
  } else {
    const cause = tagsResult.cause;
    if (hasTagFilters(filter)) {
      // Without tags the tag filters cannot be applied: guessing would collect the wrong set.
      throw new AwsSourceError(region, 'tag:GetResources', describeError(cause), { cause });
    }
    warnings.push({
      code: 'tags-unknown',
      region,
      message: `tags could not be read (${describeError(cause)}): trust groups are unknown`,
    });
  }

  const keep = createFunctionFilter(filter);
  const functions: DiscoveredFunction[] = [];
  let accountId: string | null = null;
  for (const config of configs) {
    accountId ??= accountIdOf(config.FunctionArn);
    const arn = config.FunctionArn ? unqualifiedArn(config.FunctionArn) : '';
    const tags = tagsByArn.get(arn) ?? {};
    if (!config.FunctionName || !keep(config.FunctionName, tags)) continue;
    const discovered = toDiscovered(region, config, tags);
    if (typeof discovered === 'string') {
      warnings.push({ code: 'function-skipped', region, function: config.FunctionName, message: discovered });
      continue;
    }
    functions.push(discovered);
  }

  let capacityProviders: ExistingCapacityProvider[] | null = null;
  const providersResult = await providersPromise;
  if (providersResult.ok) {
    capacityProviders = providersResult.providers;
  } else {
    warnings.push({
      code: 'capacity-providers-unknown',
      region,
      message: `existing capacity providers could not be listed (${describeError(providersResult.cause)})`,
    });
  }

  const withPc = await withPcPromise;
  if (withPc.ok) {
    await fillProvisionedConcurrency(region, clients, limits, functions, withPc.names, warnings);
  } else {
    warnings.push({
      code: 'provisioned-concurrency-unknown',
      region,
      message: `could not find functions with provisioned concurrency (${describeError(withPc.cause)}): their PC is counted as 0`,
    });
  }

  return { region, functions, capacityProviders, warnings, accountId };
}

async function fillProvisionedConcurrency(
  region: string,
  clients: RegionClients,
  limits: DiscoveryLimiters,
  functions: DiscoveredFunction[],
  withPc: Set<string>,
  warnings: SourceWarning[],
): Promise<void> {
  await Promise.all(
    functions
      .filter((f) => withPc.has(f.name))
      .map(async (f) => {
        try {
          f.provisionedConcurrency = await provisionedConcurrencyOf(clients.lambda, limits.lambda, f.name);
        } catch (cause) {
          warnings.push({
            code: 'provisioned-concurrency-unknown',
            region,
            function: f.name,
            message: `provisioned concurrency could not be read (${describeError(cause)}): counted as 0`,
          });
        }
      }),
  );
}
