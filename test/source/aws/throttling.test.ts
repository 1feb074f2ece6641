import { afterEach, describe, expect, it } from 'vitest';
import { CloudWatchClient } from '@aws-sdk/client-cloudwatch';
import { clientFactoryFrom } from '../../../src/source/aws/clients.js';
import { openAwsSource, type AwsClientFactory } from '../../../src/source/aws/index.js';
import { minimumCalls, REQUIRED_METRICS } from '../../../src/source/aws/metrics-plan.js';
import { periodCount, type FunctionProfile } from '../../../src/source/profile.js';
import { startFakeAws, type FakeAws } from './fake-aws.js';

/**
 * Throttling goes through the real SDK (its adaptive retry strategy is middleware, which
 * aws-sdk-client-mock bypasses), against a local HTTP endpoint that answers GetMetricData with
 * Throttling errors.
 */

let fake: FakeAws | undefined;
afterEach(async () => {
  await fake?.close();
  fake = undefined;
});

function factory(endpoint: string): AwsClientFactory {
  const config = (region: string) => ({
    region,
    endpoint,
    credentials: { accessKeyId: 'a', secretAccessKey: 'b' },
    retryMode: 'adaptive' as const,
    maxAttempts: 8,
  });
  return clientFactoryFrom(config);
}

const NOW = new Date('2026-11-21T03:17:42Z');

describe('GetMetricData throttling', () => {
  it('retries a burst of Throttling errors and still returns exactly the data', async () => {
    // Prepare: 60 functions, 1 day at 60 s: 180 queries, 70 a call -> 3 calls; the first 5 are throttled.
    const functions = Array.from({ length: 60 }, (_, i) => ({
      name: `fn-${i}`,
      memoryMB: 128 * (1 + (i % 8)),
      architecture: i % 2 ? ('arm64' as const) : ('x86_64' as const),
      runtime: 'nodejs22.x',
    }));
    fake = await startFakeAws({ functions, throttleFirst: 5, density: 0.3 });
    // Act
    const source = await openAwsSource({
      regions: ['us-east-1'],
      days: 1,
      now: NOW,
      clients: factory(fake.endpoint),
      livePrices: false,
    });
    const profiles: FunctionProfile[] = [];
    for await (const p of source.profiles) profiles.push(p);
    // Assess
    const points = periodCount(source.header.window);
    const calls = minimumCalls(60 * REQUIRED_METRICS.length, points);
    expect(fake.counts.throttled).toBe(5);
    expect(fake.counts.getMetricData).toBe(calls + 5);
    expect(source.failedRegions).toEqual([]);
    expect(source.warnings.filter((w) => w.code.startsWith('metrics'))).toEqual([]);
    expect(profiles).toHaveLength(60);
    const startS = Date.parse(source.header.window.start) / 1000;
    for (const p of profiles) {
      const expected = Array.from({ length: points }, (_, k) => fake!.valueAt(p.name, 'Invocations', 'Sum', startS + k * 60) ?? 0);
      expect(p.series.invocations).toEqual(expected);
      const conc = Array.from({ length: points }, (_, k) => fake!.valueAt(p.name, 'ConcurrentExecutions', 'Maximum', startS + k * 60) ?? 0);
      expect(p.series.concurrencyMax).toEqual(conc);
    }
    expect(profiles.some((p) => p.series.invocations.some((v) => (v ?? 0) > 0))).toBe(true);
  });

  it('marks the series unknown, never 0, when throttling outlasts every retry', async () => {
    // Prepare: more throttled answers than the SDK's attempts for the single call
    const functions = [{ name: 'only', memoryMB: 512, architecture: 'arm64' as const, runtime: 'python3.13' }];
    fake = await startFakeAws({ functions, throttleFirst: 1000, density: 1 });
    const clients = factory(fake.endpoint);
    const base = clients.forRegion;
    clients.forRegion = (region) => {
      const c = base(region);
      return { ...c, cloudWatch: new CloudWatchClient({ region, endpoint: fake!.endpoint, credentials: { accessKeyId: 'a', secretAccessKey: 'b' }, maxAttempts: 2 }) };
    };
    // Act
    const source = await openAwsSource({ regions: ['us-east-1'], days: 1, now: NOW, clients, livePrices: false });
    const profiles: FunctionProfile[] = [];
    for await (const p of source.profiles) profiles.push(p);
    // Assess
    expect(fake.counts.getMetricData).toBe(2);
    expect(profiles[0]!.series.invocations.every((v) => v === null)).toBe(true);
    expect(source.warnings).toContainEqual(expect.objectContaining({ code: 'metrics-failed', region: 'us-east-1', message: expect.stringMatching(/Throttling/) }));
    expect(source.warnings).toContainEqual(expect.objectContaining({ code: 'metrics-partial', function: 'only' }));
  });
});
