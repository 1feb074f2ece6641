import { afterEach, describe, expect, it } from 'vitest';
import { CloudWatchClient, type GetMetricDataCommandOutput } from '@aws-sdk/client-cloudwatch';
import { fetchMetricSeries, type FetchedSeries } from '../../../src/source/aws/metrics-fetch.js';
import { planWindow, REQUIRED_METRICS } from '../../../src/source/aws/metrics-plan.js';
import { createRateLimiter } from '../../../src/source/aws/rate-limit.js';
import { periodCount, type SourceWarning } from '../../../src/source/profile.js';
import { startFakeAws, type FakeAws } from './fake-aws.js';

/**
 * The GetMetricData answer through the real SDK over HTTP (test/source/aws/fake-aws.ts): the
 * points are read from the wire by our middleware (epoch seconds, no Date per point), the rest of
 * the output is the SDK's.
 */

let fake: FakeAws | undefined;
afterEach(async () => {
  await fake?.close();
  fake = undefined;
});

const NOW = new Date('2026-11-21T03:17:42Z');

describe('GetMetricData points read from the wire', () => {
  it('gives exactly the points the endpoint sent, while the SDK output carries Ids and statuses without the points', async () => {
    // Prepare: 7 functions x 3 metrics, 1 day at 60 s (1440 points): 70 queries a call -> 1 call
    const functions = Array.from({ length: 7 }, (_, i) => ({ name: `fn-${i}`, memoryMB: 512, architecture: 'arm64' as const, runtime: 'nodejs22.x' }));
    fake = await startFakeAws({ functions, density: 0.4 });
    const client = new CloudWatchClient({ region: 'us-east-1', endpoint: fake.endpoint, credentials: { accessKeyId: 'a', secretAccessKey: 'b' } });
    const outputs: GetMetricDataCommandOutput[] = [];
    client.middlewareStack.add(
      (next) => async (args) => {
        const result = await next(args);
        outputs.push(result.output as GetMetricDataCommandOutput);
        return result;
      },
      { step: 'initialize', name: 'captureOutput' },
    );
    const window = planWindow(NOW, 1);
    const warnings: SourceWarning[] = [];
    // Act
    const out: FetchedSeries[] = [];
    for await (const f of fetchMetricSeries({
      region: 'us-east-1',
      cloudWatch: client,
      limit: createRateLimiter({ callsPerSecond: 1e6, concurrency: 4 }),
      window,
      functionNames: functions.map((f) => f.name),
      metrics: REQUIRED_METRICS,
      warn: (w) => warnings.push(w),
    })) out.push(f);
    // Assess: the points, exactly
    const points = periodCount(window);
    const startS = Date.parse(window.start) / 1000;
    expect(out).toHaveLength(7);
    for (const f of out) {
      const name = functions[f.index]!.name;
      for (const [key, metric, stat] of [
        ['invocations', 'Invocations', 'Sum'],
        ['durationMsSum', 'Duration', 'Sum'],
        ['concurrencyMax', 'ConcurrentExecutions', 'Maximum'],
      ] as const) {
        const expected = Array.from({ length: points }, (_, k) => fake!.valueAt(name, metric, stat, startS + k * 60) ?? 0);
        expect(f.series[key]).toEqual(expected);
      }
      expect(f.unknownPoints).toBe(0);
    }
    expect(out.some((f) => f.series.invocations.some((v) => (v ?? 0) > 0))).toBe(true);
    expect(warnings).toEqual([]);
    // ... and the SDK decoded the rest of the answer, not the points
    expect(outputs).toHaveLength(1);
    const results = outputs[0]!.MetricDataResults!;
    expect(results).toHaveLength(21);
    expect(results.every((r) => r.StatusCode === 'Complete' && typeof r.Id === 'string')).toBe(true);
    expect(results.every((r) => r.Timestamps === undefined && r.Values === undefined)).toBe(true);
  });
});
