import { Logger } from '@aws-lambda-powertools/logger';
import { GetObjectCommand, NoSuchKey, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { ConfigError } from '../src/errors.js';
import { createHandler, parseHandlerEnv } from '../src/handler.js';
import type { SourceFn } from '../src/pipeline/run.js';
import { loadBundledPriceBook } from '../src/prices/bundled.js';
import type { FunctionProfile } from '../src/source/profile.js';

/** The handler's settings and its time watch, with an in-memory source and a mocked S3. */

const s3 = mockClient(S3Client);
const client = new S3Client({ region: 'us-east-1' });

function profile(name: string): FunctionProfile {
  const flat = (v: number) => Array.from({ length: 24 }, () => v);
  return {
    region: 'us-east-1', name, runtime: 'nodejs22.x', architecture: 'arm64', memoryMB: 1024, timeoutSeconds: 30,
    ephemeralStorageMB: 512, provisionedConcurrency: 0, tags: {},
    series: { invocations: flat(1000), durationMsSum: flat(100_000), concurrencyMax: flat(3) },
  };
}

/** Each profile read costs 40 s of the invocation's remaining time. */
function clockedSource(clock: { leftMs: number }): SourceFn {
  return async () => ({
    header: {
      schema: 'lmi-advisor.snapshot/v1', capturedAt: '2026-11-21T03:00:00Z', accountId: '123456789012',
      window: { start: '2026-11-20T03:00:00Z', end: '2026-11-21T03:00:00Z', periodSeconds: 3600 },
    },
    profiles: (async function* () {
      for (const name of ['a', 'b', 'c', 'd', 'e']) {
        clock.leftMs -= 40_000;
        yield profile(name);
      }
    })(),
    priceBook: loadBundledPriceBook(),
    warnings: [],
    failedRegions: [],
  });
}

beforeEach(() => {
  s3.reset();
  s3.on(GetObjectCommand).rejects(new NoSuchKey({ message: 'none', $metadata: {} }));
  s3.on(PutObjectCommand).resolves({});
});

describe('parseHandlerEnv', () => {
  it('applies defaults and splits lists', () => {
    const env = parseHandlerEnv({ LMI_REGIONS: 'us-east-1, eu-west-1', EMAIL_TO: 'a@x.com,b@x.com', REPORT_BASE_URL: '' });
    expect(env).toMatchObject({ LMI_REGIONS: ['us-east-1', 'eu-west-1'], EMAIL_TO: ['a@x.com', 'b@x.com'], LMI_DAYS: 14, LMI_RESOLUTION: 'auto', LMI_PUBLISH: 's3', REPORT_PREFIX: 'reports/', LMI_SAFETY_MARGIN_MS: 90_000 });
    expect(env.REPORT_BASE_URL).toBeUndefined();
  });
  it('reads the metric resolution as a period in seconds', () => {
    expect(parseHandlerEnv({ LMI_RESOLUTION: '300' }).LMI_RESOLUTION).toBe(300);
    expect(() => parseHandlerEnv({ LMI_RESOLUTION: '90' })).toThrow(/^environment: LMI_RESOLUTION: /);
  });
  it('names the variable that is wrong', () => {
    expect(() => parseHandlerEnv({ LMI_DAYS: 'fourteen' })).toThrow(ConfigError);
    expect(() => parseHandlerEnv({ LMI_DAYS: 'fourteen' })).toThrow(/^environment: LMI_DAYS: /);
  });
});

describe('handler settings', () => {
  it.each([
    [{ LMI_PUBLISH: 's3' }, 'environment: REPORT_BUCKET: LMI_PUBLISH has s3 but no bucket is set'],
    [{ LMI_PUBLISH: 'email', EMAIL_FROM: 'a@example.com' }, 'environment: EMAIL_TO: LMI_PUBLISH has email but EMAIL_FROM or EMAIL_TO is empty'],
    [{ LMI_PUBLISH: 'sms' }, 'env LMI_PUBLISH: unknown channel "sms"'],
    [{ LMI_PUBLISH: 's3', REPORT_BUCKET: 'lmi-reports', LMI_CONFIG_JSON: '{"lmi":{"headroom":"x"}}' }, 'env LMI_CONFIG_JSON: lmi.headroom'],
  ])('refuses %j before collecting anything', async (env, message) => {
    let collected = false;
    const handler = createHandler({
      env: { AWS_REGION: 'us-east-1', ...env },
      s3: client,
      logger: new Logger({ serviceName: 't' }),
      source: async () => {
        collected = true;
        throw new Error('must not be called');
      },
    });
    await expect(handler({}, { getRemainingTimeInMillis: () => 900_000 })).rejects.toThrow(message);
    expect(collected).toBe(false);
  });
});

describe('time watch', () => {
  it('stops collecting before the safety margin, publishes the dated set marked incomplete, keeps latest', async () => {
    // Prepare: 200 s left, 90 s kept for publishing, each function costs 40 s
    const clock = { leftMs: 200_000 };
    const handler = createHandler({
      env: { AWS_REGION: 'us-east-1', LMI_PUBLISH: 's3', REPORT_BUCKET: 'lmi-reports', LMI_SAFETY_MARGIN_MS: '90000', LMI_DAYS: '1' },
      s3: client,
      logger: new Logger({ serviceName: 't' }),
      source: clockedSource(clock),
    });
    // Act
    const result = await handler({ time: '2026-11-21T03:00:00Z' }, { getRemainingTimeInMillis: () => clock.leftMs });
    // Assess: a (160 s left) and b (120 s) fit; c (80 s) is under the 90 s margin
    expect(result.complete).toBe(false);
    expect(result.exitCode).toBe(3);
    expect(result.metrics).toMatchObject({ FunctionsAnalysed: 2, Incomplete: 1, ChannelFailures: 0 });
    const keys = s3.commandCalls(PutObjectCommand).map((c) => c.args[0].input.Key ?? '');
    expect(keys.some((k) => k.startsWith('reports/2026-11-21/'))).toBe(true);
    expect(keys.filter((k) => k.startsWith('reports/latest/'))).toEqual([]);
    const json = s3.commandCalls(PutObjectCommand).find((c) => c.args[0].input.Key === 'reports/2026-11-21/report.json');
    const report = JSON.parse(String(json?.args[0].input.Body)) as { run: { complete: boolean; command: string }; warnings: { code: string }[] };
    expect(report.run.complete).toBe(false);
    // The reproduce line is a CLI command with every figure-changing setting (issue 8 item 9).
    expect(report.run.command).toMatch(/^lmi-advisor run --regions us-east-1 --days 1 --now 2026-11-21T03:00:00.000Z --resolution 60 \(lambda /);
    expect(report.warnings.map((w) => w.code)).toContain('run-cut-short');
  });
});
