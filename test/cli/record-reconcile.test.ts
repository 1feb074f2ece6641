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
import { Command } from 'commander';
import { register } from '../../src/cli/record-command.js';
import { attachContext, type CliContext } from '../../src/cli/io.js';
import { defaultConfig } from '../../src/config/schema.js';
import { UserInputError } from '../../src/errors.js';
import { analyzeSnapshotFile } from '../../src/pipeline/analyze.js';
import type { AwsClientFactory } from '../../src/source/aws/index.js';
import { openSnapshot } from '../../src/source/snapshot-reader.js';
import { credentials, FAST, NOW } from '../source/aws/mock-settings.js';
import { type CostExplorerFake, startCostExplorerFake } from '../bill/cost-explorer-fake.js';

/** `record --reconcile` stores the bill in the snapshot header; offline `analyze --reconcile` reads it. */

process.env['AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED'] = 'true';
let dir: string;
let fake: CostExplorerFake;
const ARN = 'arn:aws:lambda:us-east-1:123456789012:function:fn-a';
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'record-reconcile-'));
  fake = await startCostExplorerFake({
    lines: [
      { day: '2026-11-20', usageType: 'Request-ARM', resourceId: ARN, region: 'us-east-1', quantity: 1440 * 4, unblendedUsd: 1440 * 4 * 0.2e-6, netUnblendedUsd: 1440 * 4 * 0.2e-6 },
      { day: '2026-11-20', usageType: 'Lambda-GB-Second-ARM', resourceId: ARN, region: 'us-east-1', quantity: 50, unblendedUsd: 50 * 0.0000133334, netUnblendedUsd: 50 * 0.0000133334 },
    ],
  });
});
afterAll(async () => {
  await fake.close();
  await rm(dir, { recursive: true, force: true });
});

function clients(): AwsClientFactory {
  const region = 'us-east-1';
  const c = {
    lambda: new LambdaClient({ region, credentials }),
    cloudWatch: new CloudWatchClient({ region, credentials }),
    tagging: new ResourceGroupsTaggingAPIClient({ region, credentials }),
  };
  const lambda = mockClient(c.lambda);
  lambda.on(ListFunctionsCommand).resolves({
    Functions: [{ FunctionName: 'fn-a', FunctionArn: ARN, Runtime: 'nodejs22.x', MemorySize: 512, Timeout: 3, Architectures: ['arm64'] }],
  });
  lambda.on(ListCapacityProvidersCommand).resolves({ CapacityProviders: [] });
  mockClient(c.tagging).on(GetResourcesCommand).resolves({ ResourceTagMappingList: [] });
  const cw = mockClient(c.cloudWatch);
  cw.on(ListMetricsCommand).resolves({ Metrics: [] });
  // 4 invocations of 20 ms every minute, concurrency 1.
  cw.on(GetMetricDataCommand).callsFake((input: GetMetricDataCommandInput) => {
    const start = input.StartTime!.getTime();
    const end = input.EndTime!.getTime();
    const stamps: Date[] = [];
    for (let t = start; t < end; t += 60_000) stamps.push(new Date(t));
    return {
      MetricDataResults: input.MetricDataQueries!.map((q) => {
        const metric = q.MetricStat?.Metric?.MetricName;
        const value = metric === 'Duration' ? 80 : metric === 'ConcurrentExecutions' ? 1 : 4;
        return { Id: q.Id, StatusCode: 'Complete', Timestamps: stamps, Values: stamps.map(() => value) };
      }),
    };
  });
  return { forRegion: () => c, pricing: () => new PricingClient({ region, credentials }), sts: () => new STSClient({ region, credentials }) };
}

async function record(args: string[]) {
  let out = '';
  const context: CliContext = { io: { out: (t) => void (out += t), err: () => {}, stderrIsTTY: false }, exitCode: 0 };
  const program = new Command('lmi-advisor').exitOverride();
  attachContext(program, context);
  register(program, { clients: clients(), now: () => NOW, limits: FAST, costExplorer: fake.client });
  await program.parseAsync(['record', ...args], { from: 'user' });
  return { exitCode: context.exitCode, out };
}

describe('record --reconcile', () => {
  it('stores the bill in the header; analyze --snapshot --reconcile compares with it offline', async () => {
    const path = join(dir, 'billed.ndjson.gz');
    const { exitCode, out } = await record(['--regions', 'us-east-1', '--days', '2', '--out', path, '--no-live-prices', '--reconcile']);
    expect(exitCode).toBe(0);
    expect(out).toMatch(/bill: ok \(2 lines, 1 Cost Explorer request\(s\)\)/);
    const { header } = await openSnapshot(path);
    expect(header.bill).toMatchObject({ status: 'ok', level: 'resource', requests: 1 });
    expect(header.bill!.lines).toHaveLength(2);

    const requestsBefore = fake.requests['GetCostAndUsageWithResources'];
    const model = await analyzeSnapshotFile(path, { config: defaultConfig(), reconcile: true });
    // Offline: no Cost Explorer request.
    expect(fake.requests['GetCostAndUsageWithResources']).toBe(requestsBefore);
    const r = model.reconciliation!;
    expect(r.status).toBe('ok');
    expect([r.firstDay, r.lastDay]).toEqual(['2026-11-20', '2026-11-20']);
    const fn = r.functions.find((f) => f.name === 'fn-a')!;
    expect(fn.requests).toMatchObject({ modelled: 1440 * 4, billed: 1440 * 4, deviation: 0 });
    // 1440 x (80 + 4 x 0.5 ms) / 1000 x 0.5 GB = 59.04 GB-s modelled against 50 billed.
    expect(fn.durationGbSeconds.modelled).toBeCloseTo(59.04, 9);
    expect(model.run.command).toContain('--reconcile');
  });

  it('without --reconcile the header has no bill, and analyze --reconcile refuses (exit 2), never calling AWS', async () => {
    const path = join(dir, 'plain.ndjson.gz');
    await record(['--regions', 'us-east-1', '--days', '2', '--out', path, '--no-live-prices']);
    const { header } = await openSnapshot(path);
    expect(header.bill).toBeUndefined();
    const error = await analyzeSnapshotFile(path, { config: defaultConfig(), reconcile: true }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(UserInputError);
    expect((error as Error).message).toMatch(/holds no billed data; record it with `lmi-advisor record --reconcile`/);
  });
});
