import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { mockClient } from 'aws-sdk-client-mock';
import 'aws-sdk-client-mock-vitest/extend';
import {
  CloudWatchClient,
  GetMetricDataCommand,
  ListMetricsCommand,
  type GetMetricDataCommandInput,
} from '@aws-sdk/client-cloudwatch';
import {
  LambdaClient,
  ListCapacityProvidersCommand,
  ListFunctionsCommand,
  ListProvisionedConcurrencyConfigsCommand,
  type FunctionConfiguration,
  type ListFunctionsCommandInput,
} from '@aws-sdk/client-lambda';
import { GetResourcesCommand, ResourceGroupsTaggingAPIClient } from '@aws-sdk/client-resource-groups-tagging-api';
import { GetProductsCommand, PricingClient, type GetProductsCommandInput } from '@aws-sdk/client-pricing';
import { STSClient } from '@aws-sdk/client-sts';
import { openAwsSource, type AwsClientFactory, type RegionClients } from '../../../src/source/aws/index.js';
import { minimumCalls, planWindow, REQUIRED_METRICS } from '../../../src/source/aws/metrics-plan.js';
import { periodCount, type FunctionProfile } from '../../../src/source/profile.js';
import { credentials, NOW, ACCOUNT, FAST } from './mock-settings.js';


function regionClients(region: string): RegionClients {
  return {
    lambda: new LambdaClient({ region, credentials }),
    cloudWatch: new CloudWatchClient({ region, credentials }),
    tagging: new ResourceGroupsTaggingAPIClient({ region, credentials }),
  };
}

const fnConfig = (region: string, name: string, extra: Partial<FunctionConfiguration> = {}): FunctionConfiguration => ({
  FunctionName: name,
  FunctionArn: `arn:aws:lambda:${region}:${ACCOUNT}:function:${name}`,
  Runtime: 'nodejs22.x',
  MemorySize: 1024,
  Timeout: 15,
  Architectures: ['arm64'],
  EphemeralStorage: { Size: 512 },
  PackageType: 'Zip',
  ...extra,
});

const bundledItems = (
  JSON.parse(readFileSync(new URL('../../../src/prices/bundled/price-list.json', import.meta.url), 'utf8')) as { items: object[] }
).items;

function pricingClient() {
  const client = new PricingClient({ region: 'us-east-1', credentials });
  mockClient(client)
    .on(GetProductsCommand)
    .callsFake((input: GetProductsCommandInput) => ({
      PriceList: bundledItems
        .filter((i) => (i as { serviceCode?: string }).serviceCode === input.ServiceCode)
        .map((i) => JSON.stringify(i)),
    }));
  return client;
}

/** us-east-1 with 120 functions over 3 ListFunctions pages; eu-west-1 denies ListFunctions. */
function setup() {
  const east = regionClients('us-east-1');
  const west = regionClients('eu-west-1');
  const functions = Array.from({ length: 120 }, (_, i) =>
    fnConfig('us-east-1', `fn-${String(i).padStart(3, '0')}`, i === 7
      ? { CapacityProviderConfig: { LambdaManagedInstancesCapacityProviderConfig: { CapacityProviderArn: `arn:aws:lambda:us-east-1:${ACCOUNT}:capacity-provider:shared` } } }
      : i === 8 ? { Architectures: ['x86_64'], MemorySize: 3008, EphemeralStorage: { Size: 2048 }, Runtime: 'python3.13' } : {}),
  );
  const lambdaEast = mockClient(east.lambda);
  lambdaEast.on(ListFunctionsCommand).callsFake((input: ListFunctionsCommandInput) => {
    const from = Number(input.Marker ?? '0');
    return { Functions: functions.slice(from, from + 50), ...(from + 50 < functions.length ? { NextMarker: String(from + 50) } : {}) };
  });
  lambdaEast.on(ListCapacityProvidersCommand).resolves({
    CapacityProviders: [{ CapacityProviderArn: `arn:aws:lambda:us-east-1:${ACCOUNT}:capacity-provider:shared`, State: 'Active', VpcConfig: undefined, PermissionsConfig: undefined, InstanceRequirements: { Architectures: ['arm64'] } }],
  });
  lambdaEast.on(ListProvisionedConcurrencyConfigsCommand).resolves({
    ProvisionedConcurrencyConfigs: [
      { FunctionArn: `arn:aws:lambda:us-east-1:${ACCOUNT}:function:fn-003:live`, AllocatedProvisionedConcurrentExecutions: 10, RequestedProvisionedConcurrentExecutions: 10 },
      { FunctionArn: `arn:aws:lambda:us-east-1:${ACCOUNT}:function:fn-003:canary`, AllocatedProvisionedConcurrentExecutions: 2, RequestedProvisionedConcurrentExecutions: 5 },
    ],
  });
  mockClient(east.tagging).on(GetResourcesCommand).resolves({
    ResourceTagMappingList: [
      { ResourceARN: `arn:aws:lambda:us-east-1:${ACCOUNT}:function:fn-001`, Tags: [{ Key: 'team', Value: 'checkout' }] },
    ],
  });
  const cwEast = mockClient(east.cloudWatch);
  cwEast.on(ListMetricsCommand).callsFake((input: { MetricName?: string }) => ({
    Metrics: input.MetricName === 'ProvisionedConcurrentExecutions'
      ? [{ Namespace: 'AWS/Lambda', MetricName: 'ProvisionedConcurrentExecutions', Dimensions: [{ Name: 'FunctionName', Value: 'fn-003' }, { Name: 'Resource', Value: 'fn-003:live' }] }]
      : [],
  }));
  cwEast.on(GetMetricDataCommand).callsFake((input: GetMetricDataCommandInput) => ({
    MetricDataResults: input.MetricDataQueries!.map((q) => ({
      Id: q.Id,
      StatusCode: 'Complete',
      Timestamps: [new Date(input.StartTime!)],
      Values: [Number(q.MetricStat!.Metric!.Dimensions![0]!.Value!.slice(3))],
    })),
  }));
  const lambdaWest = mockClient(west.lambda);
  lambdaWest.on(ListFunctionsCommand).rejects(
    Object.assign(new Error('User: arn:aws:iam::210987654321:user/x is not authorized to perform: lambda:ListFunctions'), {
      name: 'AccessDeniedException',
      $metadata: { httpStatusCode: 403 },
    }),
  );
  const byRegion: Record<string, RegionClients> = { 'us-east-1': east, 'eu-west-1': west };
  const clients: AwsClientFactory = {
    forRegion: (r) => byRegion[r]!,
    pricing: pricingClient,
    sts: () => new STSClient({ region: 'us-east-1', credentials }),
  };
  return { clients, lambdaEast, cwEast, lambdaWest };
}

describe('openAwsSource', () => {
  it('collects the region that works and names the one denied, with prices, PC, LMI functions and tags', async () => {
    // Prepare
    const { clients, lambdaEast, cwEast } = setup();
    // Act
    const source = await openAwsSource({ regions: ['us-east-1', 'eu-west-1'], days: 14, now: NOW, clients, limits: FAST });
    const profiles: FunctionProfile[] = [];
    for await (const p of source.profiles) profiles.push(p);
    // Assess: the failed region is named, in the header and in the result
    expect(source.failedRegions).toEqual(['eu-west-1']);
    const regionFailed = source.header.warnings!.filter((w) => w.code === 'region-failed');
    expect(regionFailed).toEqual([expect.objectContaining({ region: 'eu-west-1', message: expect.stringMatching(/eu-west-1.*AccessDeniedException/) })]);
    expect(source.header.accountId).toBe(ACCOUNT);
    expect(source.header.window).toEqual(planWindow(NOW, 14));
    // prices: live, recorded as the raw strings
    expect(source.priceBook.source).toBe('live');
    expect(source.header.prices?.source).toBe('live');
    expect(source.header.prices?.items.length).toBeGreaterThan(0);
    expect(source.header.prices?.items.every((i) => typeof i === 'string')).toBe(true);
    // every function of the good region, in order, with its configuration
    expect(profiles.map((p) => p.name)).toEqual(Array.from({ length: 120 }, (_, i) => `fn-${String(i).padStart(3, '0')}`));
    expect(lambdaEast).toHaveReceivedCommandTimes(ListFunctionsCommand, 3);
    expect(profiles[7]!.capacityProviderArn).toBe(`arn:aws:lambda:us-east-1:${ACCOUNT}:capacity-provider:shared`);
    expect(profiles[6]!.capacityProviderArn).toBeNull();
    expect(profiles[8]).toMatchObject({ architecture: 'x86_64', memoryMB: 3008, ephemeralStorageMB: 2048, runtime: 'python3.13' });
    expect(profiles[1]!.tags).toEqual({ team: 'checkout' });
    expect(profiles[2]!.tags).toEqual({});
    // PC: asked only for the one function CloudWatch shows with PC; allocated summed over aliases
    expect(lambdaEast).toHaveReceivedCommandTimes(ListProvisionedConcurrencyConfigsCommand, 1);
    expect(lambdaEast).toHaveReceivedCommandWith(ListProvisionedConcurrencyConfigsCommand, { FunctionName: 'fn-003' });
    expect(profiles[3]!.provisionedConcurrency).toBe(12);
    expect(profiles[4]!.provisionedConcurrency).toBe(0);
    // existing capacity providers
    expect(source.capacityProviders).toEqual([
      { region: 'us-east-1', arn: `arn:aws:lambda:us-east-1:${ACCOUNT}:capacity-provider:shared`, state: 'Active', architectures: ['arm64'] },
    ]);
    // metrics: each function got its own values, in the minimum number of calls
    const points = periodCount(source.header.window);
    expect(cwEast).toHaveReceivedCommandTimes(GetMetricDataCommand, minimumCalls(120 * REQUIRED_METRICS.length, points));
    expect(profiles[42]!.series.invocations[0]).toBe(42);
    expect(profiles[42]!.series.invocations.slice(1).every((v) => v === 0)).toBe(true);
    expect(profiles[42]!.series.concurrencyMax).toHaveLength(points);
  });

  it('turns a missing ListCapacityProviders (an older endpoint) into an "unknown" warning, not a crash', async () => {
    // Prepare
    const { clients, lambdaEast } = setup();
    lambdaEast.on(ListCapacityProvidersCommand).rejects(Object.assign(new Error('Unexpected token <'), { name: 'SyntaxError' }));
    // Act
    const source = await openAwsSource({ regions: ['us-east-1'], days: 1, now: NOW, clients, limits: FAST, livePrices: false });
    // Assess
    expect(source.failedRegions).toEqual([]);
    expect(source.capacityProviders).toEqual([]);
    expect(source.header.warnings).toContainEqual(expect.objectContaining({ code: 'capacity-providers-unknown', region: 'us-east-1' }));
    expect(source.header.warnings).toContainEqual(expect.objectContaining({ code: 'prices-fallback' }));
    expect(source.header.prices).toBeUndefined();
  });

  it('leaves provisioned concurrency unknown (null), never 0, when it cannot be read', async () => {
    // Prepare: the per-function read fails for the one function that has PC
    const failedRead = setup();
    failedRead.lambdaEast.on(ListProvisionedConcurrencyConfigsCommand).rejects(Object.assign(new Error('Rate exceeded'), { name: 'ServiceException' }));
    // ... and, in a second run, the listing that finds who has PC fails
    const failedList = setup();
    failedList.cwEast.on(ListMetricsCommand).rejects(Object.assign(new Error('denied'), { name: 'AccessDeniedException' }));
    // Act
    const collect = async (clients: AwsClientFactory) => {
      const source = await openAwsSource({ regions: ['us-east-1'], days: 1, now: NOW, clients, limits: FAST, livePrices: false });
      const profiles: FunctionProfile[] = [];
      for await (const p of source.profiles) profiles.push(p);
      return { profiles, warnings: [...(source.header.warnings ?? []), ...source.warnings] };
    };
    const read = await collect(failedRead.clients);
    const list = await collect(failedList.clients);
    // Assess
    expect(read.profiles[3]!.provisionedConcurrency).toBeNull();
    expect(read.profiles[4]!.provisionedConcurrency).toBe(0);
    expect(read.warnings).toContainEqual(expect.objectContaining({ code: 'provisioned-concurrency-unknown', function: 'fn-003' }));
    expect(list.profiles.every((p) => p.provisionedConcurrency === null)).toBe(true);
    expect(list.warnings).toContainEqual(expect.objectContaining({ code: 'provisioned-concurrency-unknown', region: 'us-east-1' }));
  });

  it('fails as a whole (nothing to publish) when no region can be read', async () => {
    // Prepare
    const { clients } = setup();
    // Act / Assess
    await expect(openAwsSource({ regions: ['eu-west-1'], days: 1, now: NOW, clients, limits: FAST, livePrices: false })).rejects.toThrow(
      /no region could be read.*AccessDeniedException/,
    );
  });

  it('starts the metrics on the first ListFunctions page, and keeps what was found when a later page fails', async () => {
    // Prepare: page 1 (50 functions) answers; page 2 fails after the SDK's retries
    const { clients, lambdaEast, cwEast } = setup();
    const page1 = Array.from({ length: 50 }, (_, i) => fnConfig('us-east-1', `fn-${String(i).padStart(3, '0')}`));
    lambdaEast.on(ListFunctionsCommand).callsFake((input: ListFunctionsCommandInput) => {
      if (input.Marker) throw Object.assign(new Error('Service unavailable'), { name: 'ServiceException', $metadata: { httpStatusCode: 503 } });
      return { Functions: page1, NextMarker: '50' };
    });
    // Act
    const source = await openAwsSource({ regions: ['us-east-1'], days: 1, now: NOW, clients, limits: FAST, livePrices: false });
    const profiles: FunctionProfile[] = [];
    for await (const p of source.profiles) profiles.push(p);
    // Assess: the header was ready after page 1; the failure came later and names the region
    expect(source.header.warnings!.filter((w) => w.code === 'region-failed')).toEqual([]);
    expect(source.failedRegions).toEqual(['us-east-1']);
    expect(source.warnings).toContainEqual(expect.objectContaining({ code: 'region-failed', region: 'us-east-1', message: expect.stringMatching(/ListFunctions.*ServiceException/) }));
    expect(profiles.map((p) => p.name)).toEqual(page1.map((f) => f.FunctionName));
    expect(profiles[42]!.series.invocations[0]).toBe(42);
    expect(profiles[3]!.provisionedConcurrency).toBe(12);
    const points = periodCount(source.header.window);
    expect(cwEast).toHaveReceivedCommandTimes(GetMetricDataCommand, minimumCalls(50 * REQUIRED_METRICS.length, points));
  });
});
