import { GetCallerIdentityCommand } from '@aws-sdk/client-sts';
import { AwsSourceError } from '../../errors.js';
import { loadBundledPriceBook } from '../../prices/bundled.js';
import { fetchLivePrices, type LivePrices } from '../../prices/fetch-live.js';
import type { PriceBook } from '../../prices/types.js';
import type { FunctionProfile, SnapshotHeader, SnapshotWindow, SourceWarning } from '../profile.js';
import { firstIssue, functionLineSchema } from '../snapshot-schema.js';
import { describeError } from './aws-errors.js';
import { completeClientFactory, type AwsClientFactory } from './clients.js';
import { startRegionDiscovery, type ExistingCapacityProvider, type RegionDiscovery } from './discovery.js';
import { fetchMetricSeries } from './metrics-fetch.js';
import {
  minimumCalls,
  pointsPerCallFor,
  OPTIONAL_METRICS,
  planWindow,
  REQUIRED_METRICS,
  type MetricSpec,
  readablePeriods,
  readabilityWarnings,
  type Resolution,
} from './metrics-plan.js';
import type { ProgressEvent } from './progress.js';
import { createRateLimiter, DEFAULT_LIMITS, type RateLimiter, type RateLimits } from './rate-limit.js';
import { periodCount } from '../profile.js';

export type { AwsClientFactory, RegionClients } from './clients.js';
export type { ProgressEvent } from './progress.js';
export type { ExistingCapacityProvider } from './discovery.js';
export { createTtyProgress } from './progress.js';

export interface AwsSourceOptions {
  regions: string[];
  days: number;
  /** End of the window (`--now`). */
  now: Date;
  /**
   * The real time of the run, read once by the entry point (default `now`). CloudWatch's
   * retention counts from it, and periods ending after it are unknown (metrics-plan.ts).
   */
  clock?: Date;
  profile?: string;
  /** Function-name globs (`*`, `?`). */
  include?: string[];
  exclude?: string[];
  includeTags?: Record<string, string>;
  excludeTags?: Record<string, string>;
  /** Also fetch Duration Maximum, Errors, Throttles (doubles the GetMetricData queries). */
  optionalMetrics?: boolean;
  /** Period of the snapshot; 'auto' = the finest CloudWatch keeps for the window (default). */
  resolution?: Resolution;
  /** false: skip the Price List API and use the bundled book (with a warning). */
  livePrices?: boolean;
  clients?: Partial<AwsClientFactory>;
  /** Rate limits per API (tests and benchmarks); defaults sit just under AWS's quotas. */
  limits?: Partial<RateLimits>;
  onProgress?: (event: ProgressEvent) => void;
}

export interface AwsSource {
  header: SnapshotHeader;
  /** Single use. Metrics are fetched in batches while iterating. */
  profiles: AsyncIterable<FunctionProfile>;
  priceBook: PriceBook;
  /**
   * Every warning of the run. Warnings met before `profiles` is iterated are also in
   * `header.warnings`; this array grows while iterating (metric failures), so read it after.
   */
  warnings: SourceWarning[];
  /** Regions that failed (grows while iterating when GetMetricData is denied). */
  failedRegions: string[];
  /** Capacity providers that already exist, per region; a region absent here is unknown. */
  capacityProviders: ExistingCapacityProvider[];
}

async function resolveAccountId(discoveries: RegionDiscovery[], factory: AwsClientFactory): Promise<string> {
  for (const d of discoveries) if (d.accountId) return d.accountId;
  try {
    const identity = await factory.sts().send(new GetCallerIdentityCommand({}));
    if (identity.Account) return identity.Account;
  } catch (cause) {
    throw new AwsSourceError('global', 'sts:GetCallerIdentity', describeError(cause), { cause });
  }
  throw new AwsSourceError('global', 'sts:GetCallerIdentity', 'no account id returned');
}

/** What discovery and prices give a collection, before any metric is read (shared with the store, src/store). */
export interface StartedCollection {
  header: SnapshotHeader;
  discoveries: RegionDiscovery[];
  factory: AwsClientFactory;
  regionLimits: Map<string, { getMetricData: RateLimiter }>;
  metrics: MetricSpec[];
  warnings: SourceWarning[];
  failedRegions: string[];
  progress: (event: ProgressEvent) => void;
  failRegion: (region: string, message: string) => void;
  prices: LivePrices;
}

/**
 * Discovery of every region and the prices, as `openAwsSource` starts them; `window` is the one
 * Lambda Insights values are read over and the header's.
 */
export async function startCollection(opts: AwsSourceOptions, window: SnapshotWindow): Promise<StartedCollection> {
  const factory = completeClientFactory(opts.clients, opts.profile ? { profile: opts.profile } : {});
  const limits: RateLimits = { ...DEFAULT_LIMITS, ...opts.limits };
  const metrics = opts.optionalMetrics ? [...REQUIRED_METRICS, ...OPTIONAL_METRICS] : [...REQUIRED_METRICS];
  const regions = [...new Set(opts.regions)];
  const warnings: SourceWarning[] = [];
  const failedRegions: string[] = [];
  const progress = opts.onProgress ?? (() => {});

  const failRegion = (region: string, message: string) => {
    if (!failedRegions.includes(region)) failedRegions.push(region);
    warnings.push({ code: 'region-failed', region, message: `${region} was not collected: ${message}` });
    progress({ type: 'region-failed', region, message });
  };

  const pricesPromise: Promise<LivePrices> =
    opts.livePrices === false
      ? Promise.resolve().then(() => {
          const book = loadBundledPriceBook();
          return {
            items: [],
            book,
            asOf: book.asOf,
            source: 'bundled' as const,
            warnings: [
              {
                code: 'prices-fallback',
                message: `live prices not requested; using the bundled price book of ${book.asOf}, which covers ${Object.keys(book.regions).join(', ') || 'no region'} only`,
              },
            ],
          };
        })
      : fetchLivePrices({
          pricing: factory.pricing(),
          regions,
          now: opts.now,
          limit: createRateLimiter(limits.pricing),
          fallback: loadBundledPriceBook,
        });

  // Quotas are per region: each region gets its own limiters. Discovery streams (see
  // discovery.ts): the header waits for the first ListFunctions page of each region and the
  // side listings, the rest of the pages arrive while the metrics of the first are fetched.
  const regionLimits = new Map<string, { getMetricData: RateLimiter }>();
  const started = regions.map((region) => {
    const clients = factory.forRegion(region);
    regionLimits.set(region, { getMetricData: createRateLimiter(limits.getMetricData) });
    const discovery = startRegionDiscovery(
      region,
      clients,
      {
        lambda: createRateLimiter(limits.lambda),
        tagging: createRateLimiter(limits.tagging),
        cloudWatchList: createRateLimiter(limits.cloudWatchList),
      },
      {
        ...(opts.include ? { include: opts.include } : {}),
        ...(opts.exclude ? { exclude: opts.exclude } : {}),
        ...(opts.includeTags ? { includeTags: opts.includeTags } : {}),
        ...(opts.excludeTags ? { excludeTags: opts.excludeTags } : {}),
      },
      {
        warn: (w) => warnings.push(w),
        onLateFailure: (message) => failRegion(region, message),
      },
      // Functions with Lambda Insights: extra GetMetricData calls of their own (insights.ts).
      { window, getMetricData: regionLimits.get(region)!.getMetricData },
    );
    return discovery;
  });
  const settled = await Promise.all(
    started.map(async (discovery) => {
      try {
        await discovery.ready;
      } catch (error) {
        failRegion(discovery.region, describeError(error));
        return null;
      }
      void discovery.listed.then(() =>
        progress({ type: 'discovered', region: discovery.region, functions: discovery.functions.length }),
      );
      return discovery;
    }),
  );
  const discoveries = settled.filter((d): d is RegionDiscovery => d !== null);
  const prices = await pricesPromise;
  for (const d of discoveries) warnings.push(...d.warnings);
  warnings.push(...prices.warnings);
  if (discoveries.length === 0) {
    throw new AwsSourceError(
      regions.join(','),
      'discovery',
      `no region could be read: ${warnings.map((w) => w.message).join('; ')}`,
    );
  }
  const accountId = await resolveAccountId(discoveries, factory);

  const header: SnapshotHeader = {
    schema: 'lmi-advisor.snapshot/v1',
    capturedAt: opts.now.toISOString(),
    accountId,
    window,
    regions,
    ...(prices.source === 'live' ? { prices: { asOf: prices.asOf, source: 'live' as const, items: prices.items } } : {}),
    // A copy: the header shows what was known when it was made; `warnings` keeps growing.
    warnings: [...warnings],
  };

  return { header, discoveries, factory, regionLimits, metrics, warnings, failedRegions, progress, failRegion, prices };
}

/**
 * The live source: discovers functions in every region, reads prices, and streams profiles whose
 * metrics are fetched in GetMetricData batches while iterating. A region that fails is named in
 * `failedRegions` and a `region-failed` warning; the other regions are still collected.
 * Throws AwsSourceError only when no region could be read at all.
 */
export async function openAwsSource(opts: AwsSourceOptions): Promise<AwsSource> {
  const clock = opts.clock ?? opts.now;
  const window = planWindow(opts.now, opts.days, opts.resolution ?? 'auto', clock);
  const readable = readablePeriods(window, clock);
  const points = periodCount(window);
  const { header, discoveries, factory, regionLimits, metrics, warnings, failedRegions, progress, failRegion, prices } =
    await startCollection(opts, window);
  warnings.unshift(...readabilityWarnings(window, readable, clock));

  // The total grows while discovery streams: the minimum for the functions found so far.
  const callsTotal = () =>
    discoveries.reduce(
      (sum, d) =>
        sum +
        (d.functions.length > 0
          ? minimumCalls(d.functions.length * metrics.length, points, pointsPerCallFor(regionLimits.get(d.region)?.getMetricData.options.weightPerSecond))
          : 0),
      0,
    );
  let callsDone = 0;

  const profileSchema = functionLineSchema(points, window.periodSeconds);

  async function* profiles(): AsyncGenerator<FunctionProfile> {
    let count = 0;
    for (const d of discoveries) {
      const stream = fetchMetricSeries({
        region: d.region,
        cloudWatch: factory.forRegion(d.region).cloudWatch,
        limit: regionLimits.get(d.region)!.getMetricData,
        window,
        readable,
        functionNames: d.batches,
        metrics,
        warn: (w) => warnings.push(w),
        onCallDone: () => progress({ type: 'metrics', callsDone: ++callsDone, callsTotal: callsTotal() }),
        onRegionFailed: (message) => failRegion(d.region, message),
      });
      for await (const fetched of stream) {
        const pc = d.pendingPc.get(fetched.index);
        if (pc) {
          await pc;
          d.pendingPc.delete(fetched.index);
        }
        const insights = d.pendingInsights.get(fetched.index);
        if (insights) {
          // Its Insights call may be held for more functions while the listing goes on: start it.
          insights.demand();
          await insights.settled;
          d.pendingInsights.delete(fetched.index);
        }
        const { arn: _arn, ...base } = d.functions[fetched.index]!;
        const profile: FunctionProfile = { ...base, series: fetched.series };
        // The snapshot's own schema, here, for both paths (record and analyze --live): a function
        // the reader would refuse is left out of either the same way, named where it came from.
        const checked = profileSchema.safeParse(profile);
        if (!checked.success) {
          const { field, detail } = firstIssue(checked.error);
          const origin = field?.startsWith('series') ? 'CloudWatch GetMetricData' : 'ListFunctions';
          warnings.push({
            code: 'function-failed',
            region: d.region,
            function: profile.name,
            message: `function ${d.region}/${profile.name} from ${origin}: ${field ? `${field}: ` : ''}${detail}; it is left out of this run`,
          });
          continue;
        }
        count++;
        yield profile;
      }
    }
    progress({ type: 'done', functions: count });
  }

  return {
    header,
    profiles: profiles(),
    priceBook: prices.book,
    warnings,
    failedRegions,
    capacityProviders: discoveries.flatMap((d) => d.capacityProviders ?? []),
  };
}
