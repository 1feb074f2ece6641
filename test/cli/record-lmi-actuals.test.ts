import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mockClient } from 'aws-sdk-client-mock';
import { CloudWatchClient, GetMetricDataCommand, ListMetricsCommand, type GetMetricDataCommandInput } from '@aws-sdk/client-cloudwatch';
import { LambdaClient, ListCapacityProvidersCommand, ListFunctionsCommand } from '@aws-sdk/client-lambda';
import { GetResourcesCommand, ResourceGroupsTaggingAPIClient } from '@aws-sdk/client-resource-groups-tagging-api';
import { PricingClient } from '@aws-sdk/client-pricing';
import { STSClient } from '@aws-sdk/client-sts';
import type { BilledData, LmiProviderMetricsRead } from '../../src/bill/types.js';
import { runRecord } from '../../src/cli/record-command.js';
import type { AwsClientFactory, RegionClients } from '../../src/source/aws/index.js';
import { openSnapshot } from '../../src/source/snapshot-reader.js';
import { credentials, FAST, NOW } from '../source/aws/mock-settings.js';

/**
 * `record --reconcile` with a function already on LMI: the capacity providers seen while the
 * profiles stream are asked for their CloudWatch metrics once the bill is read, and the answer is
 * stored with the bill in the snapshot header (`bill.lmiMetrics`), so an offline analyze shows it.
 */
const PROVIDER = 'arn:aws:lambda:us-east-1:123456789012:capacity-provider:cp-main';
let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'record-lmi-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

function clients(): AwsClientFactory {
  const c: RegionClients = {
    lambda: new LambdaClient({ region: 'us-east-1', credentials }),
    cloudWatch: new CloudWatchClient({ region: 'us-east-1', credentials }),
    tagging: new ResourceGroupsTaggingAPIClient({ region: 'us-east-1', credentials }),
  };
  mockClient(c.lambda)
    .on(ListFunctionsCommand)
    .resolves({
      Functions: [
        { FunctionName: 'std', FunctionArn: 'arn:aws:lambda:us-east-1:123456789012:function:std', Runtime: 'nodejs22.x', MemorySize: 512, Timeout: 3, Architectures: ['arm64'] },
        {
          FunctionName: 'onlmi',
          FunctionArn: 'arn:aws:lambda:us-east-1:123456789012:function:onlmi',
          Runtime: 'nodejs22.x',
          MemorySize: 2048,
          Timeout: 3,
          Architectures: ['arm64'],
          CapacityProviderConfig: { LambdaManagedInstancesCapacityProviderConfig: { CapacityProviderArn: PROVIDER } },
        },
      ],
    })
    .on(ListCapacityProvidersCommand)
    .resolves({ CapacityProviders: [] });
  mockClient(c.tagging).on(GetResourcesCommand).resolves({ ResourceTagMappingList: [] });
  const cw = mockClient(c.cloudWatch);
  cw.on(ListMetricsCommand).resolves({ Metrics: [] });
  cw.on(GetMetricDataCommand).callsFake((input: GetMetricDataCommandInput) => ({
    MetricDataResults: input.MetricDataQueries!.map((q) => ({ Id: q.Id, StatusCode: 'Complete', Timestamps: [input.StartTime!], Values: [4] })),
  }));
  return {
    forRegion: () => c,
    pricing: () => new PricingClient({ region: 'us-east-1', credentials }),
    sts: () => new STSClient({ region: 'us-east-1', credentials }),
  };
}

const bill = (window: { start: string; end: string }): BilledData => ({
  status: 'ok',
  level: 'region',
  startDay: window.start.slice(0, 10),
  endDay: window.end.slice(0, 10),
  lines: [],
  requests: 1,
  throttled: 0,
  notes: [],
});

describe('record --reconcile: LMI actuals stored with the bill', () => {
  it('asks for the providers of functions already on LMI and stores the answer in bill.lmiMetrics', async () => {
    const path = join(dir, 'lmi.ndjson');
    const asked: unknown[] = [];
    const read: LmiProviderMetricsRead = {
      providers: [
        { region: 'us-east-1', capacityProviderArn: PROVIDER, instanceTypes: ['m7g.xlarge'], daysWithData: 1, cpuUtilizationPctByType: { 'm7g.xlarge': 20 }, vCpuAllocatedAvg: 2, vCpuAvailableAvg: 2 },
      ],
      notes: [],
      requests: 2,
    };
    await runRecord(
      { regions: ['us-east-1'], days: 1, now: NOW, livePrices: false, clients: clients(), limits: FAST },
      path,
      async ({ window }) => bill(window),
      undefined,
      async ({ providers }) => {
        asked.push(providers);
        return read;
      },
    );
    expect(asked).toEqual([[{ region: 'us-east-1', capacityProviderArn: PROVIDER }]]);
    const { header } = await openSnapshot(path);
    expect(header.bill?.lmiMetrics).toEqual(read);
  });

  it('a failed read is stored as a note per provider, never as figures', async () => {
    const path = join(dir, 'lmi-failed.ndjson');
    await runRecord(
      { regions: ['us-east-1'], days: 1, now: NOW, livePrices: false, clients: clients(), limits: FAST },
      path,
      async ({ window }) => bill(window),
      undefined,
      async () => {
        throw new Error('AccessDenied');
      },
    );
    const { header } = await openSnapshot(path);
    expect(header.bill?.lmiMetrics).toEqual({
      providers: [],
      notes: ['us-east-1 cp-main: CloudWatch capacity-provider metrics not read: AccessDenied'],
      requests: 0,
    });
  });
});
