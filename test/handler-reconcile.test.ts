import { Logger } from '@aws-lambda-powertools/logger';
import { GetObjectCommand, NoSuchKey, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createHandler, parseHandlerEnv } from '../src/handler.js';
import type { SourceFn } from '../src/pipeline/run.js';
import { loadBundledPriceBook } from '../src/prices/bundled.js';
import type { ReportModel } from '../src/report/types.js';
import { type CostExplorerFake, startCostExplorerFake } from './bill/cost-explorer-fake.js';

/** The nightly job with LMI_RECONCILE (serverless.yml param reconcile, 'true' by default there). */

process.env['AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED'] = 'true';
const s3 = mockClient(S3Client);
const client = new S3Client({ region: 'us-east-1' });
let fake: CostExplorerFake | undefined;

const source: SourceFn = async () => ({
  header: {
    schema: 'lmi-advisor.snapshot/v1', capturedAt: '2026-11-21T03:00:00Z', accountId: '123456789012',
    window: { start: '2026-11-20T00:00:00Z', end: '2026-11-21T00:00:00Z', periodSeconds: 3600 },
  },
  profiles: [
    {
      region: 'us-east-1', name: 'a', runtime: 'nodejs22.x', architecture: 'arm64', memoryMB: 1024, timeoutSeconds: 30,
      ephemeralStorageMB: 512, provisionedConcurrency: 0, tags: {},
      series: { invocations: Array(24).fill(1000), durationMsSum: Array(24).fill(100_000), concurrencyMax: Array(24).fill(3) },
    },
  ],
  priceBook: loadBundledPriceBook(),
  warnings: [],
  failedRegions: [],
});

beforeEach(() => {
  s3.reset();
  s3.on(GetObjectCommand).rejects(new NoSuchKey({ message: 'none', $metadata: {} }));
  s3.on(PutObjectCommand).resolves({});
});
afterEach(async () => {
  await fake?.close();
  fake = undefined;
});

function publishedReport(): ReportModel {
  const json = s3.commandCalls(PutObjectCommand).find((c) => c.args[0].input.Key === 'reports/2026-11-21/report.json');
  return JSON.parse(String(json?.args[0].input.Body)) as ReportModel;
}

describe('nightly job: LMI_RECONCILE', () => {
  it("is off unless set (serverless.yml sets it 'true')", () => {
    expect(parseHandlerEnv({}).LMI_RECONCILE).toBe(false);
    expect(parseHandlerEnv({ LMI_RECONCILE: 'true' }).LMI_RECONCILE).toBe(true);
    expect(() => parseHandlerEnv({ LMI_RECONCILE: 'yes' })).toThrow(/^environment: LMI_RECONCILE: /);
  });

  it('reads the bill and publishes the Reconciliation section', async () => {
    const arn = 'arn:aws:lambda:us-east-1:123456789012:function:a';
    const gbs = (24 * 100_000 + 24_000 * 0.5) / 1000;
    fake = await startCostExplorerFake({
      lines: [
        { day: '2026-11-20', usageType: 'Request-ARM', resourceId: arn, region: 'us-east-1', quantity: 24_000, unblendedUsd: 0.0048, netUnblendedUsd: 0.0048 },
        { day: '2026-11-20', usageType: 'Lambda-GB-Second-ARM', resourceId: arn, region: 'us-east-1', quantity: gbs, unblendedUsd: gbs * 0.0000133334, netUnblendedUsd: gbs * 0.0000133334 },
      ],
    });
    const handler = createHandler({
      env: { AWS_REGION: 'us-east-1', LMI_PUBLISH: 's3', REPORT_BUCKET: 'lmi-reports', LMI_DAYS: '1', LMI_RECONCILE: 'true' },
      s3: client,
      logger: new Logger({ serviceName: 't' }),
      source,
      costExplorer: fake.client,
    });
    const result = await handler({ time: '2026-11-21T03:00:00Z' }, { getRemainingTimeInMillis: () => 900_000 });
    expect(result.exitCode).toBe(0);
    const r = publishedReport().reconciliation!;
    expect(r.status).toBe('ok');
    expect(r.headline).toBe('modelled standard cost for 2026-11-20 is within 0.0 % of the bill ($0.04 modelled, $0.04 billed)');
    expect(r.costExplorer).toEqual({ requests: 1, usd: 0.01 });
    expect(fake.requests).toEqual({ GetCostAndUsageWithResources: 1 });
  });
});
