import { describe, expect, it } from 'vitest';
import { mockClient } from 'aws-sdk-client-mock';
import 'aws-sdk-client-mock-vitest/extend';
import {
  CloudWatchClient,
  GetMetricDataCommand,
  ListMetricsCommand,
  type GetMetricDataCommandInput,
  type ListMetricsCommandInput,
  type MetricDataResult,
} from '@aws-sdk/client-cloudwatch';
import {
  LambdaClient,
  ListCapacityProvidersCommand,
  ListFunctionsCommand,
  type FunctionConfiguration,
  type ListFunctionsCommandInput,
} from '@aws-sdk/client-lambda';
import { GetResourcesCommand, ResourceGroupsTaggingAPIClient } from '@aws-sdk/client-resource-groups-tagging-api';
import { PricingClient } from '@aws-sdk/client-pricing';
import { STSClient } from '@aws-sdk/client-sts';
import { openAwsSource, type AwsClientFactory, type RegionClients } from '../../../src/source/aws/index.js';
import { createInsightsFetcher } from '../../../src/source/aws/insights.js';
import { minimumCalls, planWindow, REQUIRED_METRICS } from '../../../src/source/aws/metrics-plan.js';
import { createRateLimiter } from '../../../src/source/aws/rate-limit.js';
import { periodCount, type FunctionProfile, type SourceWarning } from '../../../src/source/profile.js';
import { credentials, NOW, ACCOUNT, FAST } from './mock-settings.js';


type Query = NonNullable<GetMetricDataCommandInput['MetricDataQueries']>[number];
const isInsights = (q: Query) => q.MetricStat!.Metric!.Namespace === 'LambdaInsights';
const insightsCalls = (input: GetMetricDataCommandInput) => input.MetricDataQueries!.some(isInsights);

const fnConfig = (name: string): FunctionConfiguration => ({
  FunctionName: name,
  FunctionArn: `arn:aws:lambda:us-east-1:${ACCOUNT}:function:${name}`,
  Runtime: 'python3.13',
  MemorySize: 4096,
  Timeout: 30,
  Architectures: ['arm64'],
  EphemeralStorage: { Size: 512 },
  PackageType: 'Zip',
});

/**
 * Two days of Insights data per function: day 1 has 10 invocations of 150 ms CPU on average
 * (Sum 1500), day 2 has 90 of 10 ms (Sum 900). Weighted by invocations: 2400 / 100 = 24 ms;
 * the mean of the daily averages would be 80 ms (wrong). used_memory_max: 300 then 250 MB.
 */
const DAY_SUM = [1500, 900];
const DAY_COUNT = [10, 90];
const DAY_AVERAGE = [150, 10];
const DAY_MEMORY = [300, 250];
/** init_duration Sum per day (cold starts only): 1200 ms over 100 invocations = 12 ms per invocation. */
const DAY_INIT = [800, 400];

interface Setup {
  names: string[];
  withInsights: Set<string>;
  /** Answer of one Insights query (default: the two days above, Complete). */
  insightsResult?: (q: Query, input: GetMetricDataCommandInput) => MetricDataResult;
  /** Throws for Insights GetMetricData calls. */
  insightsError?: Error;
  listMetricsError?: Error;
}

function setup(s: Setup) {
  const clients: RegionClients = {
    lambda: new LambdaClient({ region: 'us-east-1', credentials }),
    cloudWatch: new CloudWatchClient({ region: 'us-east-1', credentials }),
    tagging: new ResourceGroupsTaggingAPIClient({ region: 'us-east-1', credentials }),
  };
  const functions = s.names.map(fnConfig);
  const lambda = mockClient(clients.lambda);
  lambda.on(ListFunctionsCommand).callsFake((input: ListFunctionsCommandInput) => {
    const from = Number(input.Marker ?? '0');
    return { Functions: functions.slice(from, from + 50), ...(from + 50 < functions.length ? { NextMarker: String(from + 50) } : {}) };
  });
  lambda.on(ListCapacityProvidersCommand).resolves({ CapacityProviders: [] });
  mockClient(clients.tagging).on(GetResourcesCommand).resolves({ ResourceTagMappingList: [] });
  const cw = mockClient(clients.cloudWatch);
  cw.on(ListMetricsCommand).callsFake((input: ListMetricsCommandInput) => {
    if (input.Namespace !== 'LambdaInsights') return { Metrics: [] };
    if (s.listMetricsError) throw s.listMetricsError;
    // Real Insights publishes both dimension sets: the same function appears twice.
    return {
      Metrics: [...s.withInsights].flatMap((name) => [
        { Namespace: 'LambdaInsights', MetricName: 'cpu_total_time', Dimensions: [{ Name: 'function_name', Value: name }] },
        { Namespace: 'LambdaInsights', MetricName: 'cpu_total_time', Dimensions: [{ Name: 'function_name', Value: name }, { Name: 'version', Value: '$LATEST' }] },
      ]),
    };
  });
  cw.on(GetMetricDataCommand).callsFake((input: GetMetricDataCommandInput) => {
    if (insightsCalls(input) && s.insightsError) throw s.insightsError;
    const start = input.StartTime!.getTime();
    const days = [new Date(start), new Date(start + 86_400_000)];
    return {
      MetricDataResults: input.MetricDataQueries!.map((q): MetricDataResult => {
        if (!isInsights(q)) return { Id: q.Id, StatusCode: 'Complete', Timestamps: [], Values: [] };
        if (s.insightsResult) return s.insightsResult(q, input);
        const stat = q.MetricStat!.Stat;
        const values = q.MetricStat!.Metric!.MetricName === 'init_duration' ? DAY_INIT : stat === 'Sum' ? DAY_SUM : stat === 'SampleCount' ? DAY_COUNT : stat === 'Average' ? DAY_AVERAGE : DAY_MEMORY;
        // Newest first, as CloudWatch's default order.
        return { Id: q.Id, StatusCode: 'Complete', Timestamps: [...days].reverse(), Values: [...values].reverse() };
      }),
    };
  });
  const factory: AwsClientFactory = {
    forRegion: () => clients,
    pricing: () => new PricingClient({ region: 'us-east-1', credentials }),
    sts: () => new STSClient({ region: 'us-east-1', credentials }),
  };
  return { factory, cw };
}

async function collect(factory: AwsClientFactory, days = 2) {
  const source = await openAwsSource({ regions: ['us-east-1'], days, now: NOW, clients: factory, limits: FAST, livePrices: false });
  const profiles = new Map<string, FunctionProfile>();
  for await (const p of source.profiles) profiles.set(p.name, p);
  return { source, profiles };
}

const codes = (warnings: readonly SourceWarning[]) => warnings.map((w) => w.code);

describe('Lambda Insights (live source)', () => {
  it('gives a function with Insights its invocation-weighted CPU per invocation and its largest memory; one without stays unset', async () => {
    // Prepare
    const { factory, cw } = setup({ names: ['with-insights', 'without'], withInsights: new Set(['with-insights']) });
    // Act
    const { source, profiles } = await collect(factory, 2);
    // Assess: 2400 ms / 100 invocations = 24 ms = 0.024 s (not the 80 ms mean of the daily averages)
    const p = profiles.get('with-insights')!;
    expect(p.cpuSecondsPerInvocation).toBeCloseTo(0.024, 12);
    expect(p.memoryUsedMBMax).toBe(300);
    // INIT: 1200 ms of init_duration over the 100 invocations cpu_total_time counted
    expect(p.initMsPerInvocation).toBeCloseTo(12, 12);
    const q = profiles.get('without')!;
    expect(q.cpuSecondsPerInvocation ?? null).toBeNull();
    expect(q.initMsPerInvocation ?? null).toBeNull();
    expect(q.memoryUsedMBMax ?? null).toBeNull();
    expect(source.warnings).toEqual(source.header.warnings); // only prices-fallback
    expect(codes(source.warnings)).toEqual(['prices-fallback']);
    // One extra call, apart from the main plan: 4 queries of the one function, daily periods over the window
    const calls = cw.commandCalls(GetMetricDataCommand).map((c) => c.args[0].input);
    const extra = calls.filter(insightsCalls);
    expect(extra).toHaveLength(1);
    expect(extra[0]!.StartTime).toEqual(new Date(source.header.window.start));
    expect(extra[0]!.EndTime).toEqual(new Date(source.header.window.end));
    expect(extra[0]!.MetricDataQueries!.map((x) => x.MetricStat)).toEqual(
      [['cpu_total_time', 'Sum'], ['cpu_total_time', 'SampleCount'], ['used_memory_max', 'Maximum'], ['init_duration', 'Sum']].map(([metric, stat]) => ({
        Metric: { Namespace: 'LambdaInsights', MetricName: metric, Dimensions: [{ Name: 'function_name', Value: 'with-insights' }] },
        Period: 86_400,
        Stat: stat,
      })),
    );
    const points = periodCount(source.header.window);
    expect(calls.filter((c) => !insightsCalls(c))).toHaveLength(minimumCalls(2 * REQUIRED_METRICS.length, points));
    // Only the Insights namespace and the two PC metrics were listed
    expect(cw).toHaveReceivedCommandWith(ListMetricsCommand, { Namespace: 'LambdaInsights', MetricName: 'cpu_total_time' });
    expect(cw).toHaveReceivedCommandTimes(ListMetricsCommand, 3);
  });

  it('makes no extra call when no function has Insights', async () => {
    // Prepare
    const { factory, cw } = setup({ names: ['a', 'b', 'c'], withInsights: new Set() });
    // Act
    const { source, profiles } = await collect(factory, 1);
    // Assess
    const points = periodCount(source.header.window);
    expect(cw).toHaveReceivedCommandTimes(GetMetricDataCommand, minimumCalls(3 * REQUIRED_METRICS.length, points));
    expect([...profiles.values()].every((p) => p.cpuSecondsPerInvocation === undefined && p.memoryUsedMBMax === undefined)).toBe(true);
  });

  for (const withInsights of [1, 166, 167, 334]) {
    it(`asks for the Insights of ${withInsights} functions (of 400, over 8 ListFunctions pages) once each, 500 queries a call at most`, async () => {
      // Prepare: every other function has Insights until `withInsights` of them do
      const names = Array.from({ length: 400 }, (_, i) => `fn-${String(i).padStart(3, '0')}`);
      const chosen = new Set(names.filter((_, i) => i % 2 === 1).concat(names.filter((_, i) => i % 2 === 0)).slice(0, withInsights));
      const { factory, cw } = setup({ names, withInsights: chosen });
      // Act
      const { source, profiles } = await collect(factory, 2);
      // Assess
      const calls = cw.commandCalls(GetMetricDataCommand).map((c) => c.args[0].input);
      const extra = calls.filter(insightsCalls);
      // The minimum, plus at most one early call per ListFunctions page when a profile waited for
      // values held in the incomplete call while the listing went on (the fetcher's own test
      // below shows the exact minimum when nobody waits).
      expect(extra.length).toBeGreaterThanOrEqual(Math.ceil((4 * withInsights) / 500));
      expect(extra.length).toBeLessThanOrEqual(Math.ceil((4 * withInsights) / 500) + 8);
      expect(extra.every((c) => c.MetricDataQueries!.every(isInsights) && c.MetricDataQueries!.length <= 500)).toBe(true);
      const asked = extra.flatMap((c) => c.MetricDataQueries!.map((x) => `${x.MetricStat!.Metric!.Dimensions![0]!.Value}/${x.MetricStat!.Metric!.MetricName}/${x.MetricStat!.Stat}`));
      expect(asked).toHaveLength(4 * withInsights);
      expect(new Set(asked).size).toBe(4 * withInsights);
      const points = periodCount(source.header.window);
      expect(calls.length - extra.length).toBe(minimumCalls(400 * REQUIRED_METRICS.length, points));
      for (const p of profiles.values()) {
        if (chosen.has(p.name)) {
          expect(p.cpuSecondsPerInvocation).toBeCloseTo(0.024, 12);
          expect(p.memoryUsedMBMax).toBe(300);
        } else {
          expect(p.cpuSecondsPerInvocation).toBeUndefined();
        }
      }
      expect(profiles.size).toBe(400);
    });
  }

  it('leaves CPU and memory null (unknown, not 0) with a warning when the Insights call fails; the run goes on', async () => {
    // Prepare
    const { factory } = setup({
      names: ['with-insights', 'without'],
      withInsights: new Set(['with-insights']),
      insightsError: Object.assign(new Error('Service unavailable'), { name: 'ServiceUnavailable', $metadata: { httpStatusCode: 503 } }),
    });
    // Act
    const { source, profiles } = await collect(factory, 2);
    // Assess
    expect(profiles.size).toBe(2);
    const p = profiles.get('with-insights')!;
    expect(p.cpuSecondsPerInvocation).toBeNull();
    expect(p.memoryUsedMBMax).toBeNull();
    expect(p.initMsPerInvocation ?? null).toBeNull();
    expect(p.series.invocations.every((v) => v === 0)).toBe(true); // the main metrics are unaffected
    expect(source.failedRegions).toEqual([]);
    expect(source.warnings).toContainEqual(
      expect.objectContaining({ code: 'insights-failed', region: 'us-east-1', message: expect.stringMatching(/ServiceUnavailable.*1 functions/) }),
    );
  });

  it('leaves a value null with a warning when its result is not Complete, and keeps the other', async () => {
    // Prepare: the memory query answers PartialData
    const { factory } = setup({
      names: ['with-insights'],
      withInsights: new Set(['with-insights']),
      insightsResult: (q) => {
        const stat = q.MetricStat!.Stat;
        if (stat === 'Maximum') return { Id: q.Id, StatusCode: 'PartialData', Timestamps: [NOW], Values: [999] };
        return { Id: q.Id, StatusCode: 'Complete', Timestamps: [NOW], Values: [stat === 'Sum' ? 50 : 2] };
      },
    });
    // Act
    const { source, profiles } = await collect(factory, 1);
    // Assess
    const p = profiles.get('with-insights')!;
    expect(p.cpuSecondsPerInvocation).toBeCloseTo(0.025, 12);
    expect(p.memoryUsedMBMax).toBeNull();
    expect(source.warnings).toContainEqual(expect.objectContaining({ code: 'insights-partial', message: expect.stringContaining('with-insights') }));
  });

  it('leaves INIT unknown (not 0 ms) when init_duration has no point in the window, and keeps CPU', async () => {
    // Prepare: cpu_total_time and used_memory_max answer, init_duration is silent (no cold start
    // published, or an Insights version without it: the two cannot be told apart)
    const { factory } = setup({
      names: ['warm'],
      withInsights: new Set(['warm']),
      insightsResult: (q) =>
        q.MetricStat!.Metric!.MetricName === 'init_duration'
          ? { Id: q.Id, StatusCode: 'Complete', Timestamps: [], Values: [] }
          : { Id: q.Id, StatusCode: 'Complete', Timestamps: [NOW], Values: [q.MetricStat!.Stat === 'Sum' ? 50 : q.MetricStat!.Stat === 'SampleCount' ? 2 : 100] },
    });
    // Act
    const { source, profiles } = await collect(factory, 1);
    // Assess
    const p = profiles.get('warm')!;
    expect(p.cpuSecondsPerInvocation).toBeCloseTo(0.025, 12);
    expect(p.initMsPerInvocation ?? null).toBeNull();
    expect(codes(source.warnings)).toEqual(['prices-fallback']);
  });

  it('leaves the values null without a warning when Insights has no data in the window', async () => {
    // Prepare: listed (ListMetrics covers two weeks), but silent during the 1-day window
    const { factory } = setup({
      names: ['idle'],
      withInsights: new Set(['idle']),
      insightsResult: (q) => ({ Id: q.Id, StatusCode: 'Complete', Timestamps: [], Values: [] }),
    });
    // Act
    const { source, profiles } = await collect(factory, 1);
    // Assess
    expect(profiles.get('idle')).toMatchObject({ cpuSecondsPerInvocation: null, memoryUsedMBMax: null });
    expect(codes(source.warnings)).toEqual(['prices-fallback']);
  });

  it('names the region in a warning and fetches no Insights when ListMetrics fails; the rest is collected', async () => {
    // Prepare
    const { factory, cw } = setup({
      names: ['with-insights'],
      withInsights: new Set(['with-insights']),
      listMetricsError: Object.assign(new Error('Rate exceeded'), { name: 'Throttling', $metadata: { httpStatusCode: 400 } }),
    });
    // Act
    const { source, profiles } = await collect(factory, 1);
    // Assess
    expect(source.header.warnings).toContainEqual(expect.objectContaining({ code: 'insights-unknown', region: 'us-east-1', message: expect.stringContaining('Throttling') }));
    expect(source.failedRegions).toEqual([]);
    const p = profiles.get('with-insights')!;
    expect(p.cpuSecondsPerInvocation ?? null).toBeNull();
    expect(p.memoryUsedMBMax ?? null).toBeNull();
    expect(cw.commandCalls(GetMetricDataCommand).map((c) => c.args[0].input).filter(insightsCalls)).toEqual([]);
  });
});

describe('createInsightsFetcher', () => {
  function fetcher(window = planWindow(NOW, 14)) {
    const client = new CloudWatchClient({ region: 'us-east-1', credentials });
    const mock = mockClient(client);
    mock.on(GetMetricDataCommand).callsFake((input: GetMetricDataCommandInput) => ({
      MetricDataResults: input.MetricDataQueries!.map((q) => ({ Id: q.Id, StatusCode: 'Complete', Timestamps: [NOW], Values: [q.MetricStat!.Stat === 'SampleCount' ? 4 : 8] })),
    }));
    const warnings: SourceWarning[] = [];
    const f = createInsightsFetcher({
      region: 'us-east-1',
      cloudWatch: client,
      limit: createRateLimiter({ callsPerSecond: 1e6, concurrency: 4 }),
      window,
      warn: (w) => warnings.push(w),
    });
    return { f, mock, warnings };
  }

  for (const n of [1, 166, 167, 333, 334, 1000]) {
    it(`makes exactly ceil(4n / 500) calls for ${n} functions when nobody waits before the end`, async () => {
      // Prepare
      const { f, mock, warnings } = fetcher();
      // Act
      const lookups = Array.from({ length: n }, (_, i) => f.add(`fn-${i}`));
      f.finish();
      const values = await Promise.all(lookups.map((l) => l.values));
      // Assess
      expect(mock).toHaveReceivedCommandTimes(GetMetricDataCommand, Math.ceil((4 * n) / 500));
      expect(mock.commandCalls(GetMetricDataCommand).every((c) => c.args[0].input.MetricDataQueries!.length <= 500)).toBe(true);
      expect(values.every((v) => v.cpuSecondsPerInvocation === 0.002 && v.memoryUsedMBMax === 8)).toBe(true);
      expect(warnings).toEqual([]);
    });
  }

  it('starts a held call early on demand, and only when the function is still in it', async () => {
    // Prepare: 126 functions x 4 queries = 504: one call cut at 500 (fn-0..fn-124), fn-125 held.
    // (500 is a multiple of 4, so no function straddles two calls.)
    const { f, mock } = fetcher();
    const first = Array.from({ length: 126 }, (_, i) => f.add(`fn-${i}`));
    expect(f.calls).toBe(1);
    // Act / Assess: fn-0 is in the started call: no new call
    first[0]!.demand();
    expect(f.calls).toBe(1);
    // fn-124 is the last one of the started call: no new call either
    first[124]!.demand();
    expect(f.calls).toBe(1);
    // fn-125's queries are held: demand starts them
    first[125]!.demand();
    expect(f.calls).toBe(2);
    expect((await first[125]!.values).cpuSecondsPerInvocation).toBe(0.002);
    first[125]!.demand(); // already started: nothing more
    expect(f.calls).toBe(2);
    // The fetcher goes on packing after an early cut
    const later = f.add('late');
    f.finish();
    expect(f.calls).toBe(3);
    expect((await later.values).memoryUsedMBMax).toBe(8);
    expect(mock.commandCalls(GetMetricDataCommand).map((c) => c.args[0].input.MetricDataQueries!.length)).toEqual([500, 4, 4]);
  });

  it('asks for daily periods: 14 points a series on a 14-day window at 60 s', async () => {
    // Prepare
    const window = planWindow(NOW, 14);
    const { f, mock } = fetcher(window);
    // Act
    const lookup = f.add('a');
    f.finish();
    await lookup.values;
    // Assess
    const input = mock.commandCalls(GetMetricDataCommand)[0]!.args[0].input;
    expect(window.periodSeconds).toBe(60);
    expect(input.MetricDataQueries!.every((q) => q.MetricStat!.Period === 86_400)).toBe(true);
    expect(input.StartTime).toEqual(new Date(window.start));
    expect(input.EndTime).toEqual(new Date(window.end));
  });
});
