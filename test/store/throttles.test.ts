import { CloudWatchClient, GetMetricDataCommand } from '@aws-sdk/client-cloudwatch';
import { afterEach, describe, expect, it } from 'vitest';
import { requestedPoints, watchAttempts } from '../../src/store/throttles.js';
import { startFakeAws, type FakeAws } from '../source/aws/fake-aws.js';
import { fakeFunctions } from './fake-store-account.js';

let fake: FakeAws | undefined;
afterEach(async () => {
  await fake?.close();
  fake = undefined;
});

const query = (id: string, fn: string) => ({
  Id: id,
  MetricStat: { Metric: { Namespace: 'AWS/Lambda', MetricName: 'Invocations', Dimensions: [{ Name: 'FunctionName', Value: fn }] }, Period: 60, Stat: 'Sum' },
});

describe('watchAttempts', () => {
  it('counts throttled attempts and sends each retry, with its points, through the limiter first', async () => {
    fake = await startFakeAws({ functions: fakeFunctions(2), throttleFirst: 2 });
    const client = new CloudWatchClient({ region: 'us-east-1', endpoint: fake.endpoint, credentials: { accessKeyId: 'a', secretAccessKey: 'b' }, maxAttempts: 3 });
    const turns: number[] = [];
    let throttles = 0;
    watchAttempts(client, { onThrottle: () => throttles++, retryTurn: async (points) => void turns.push(points) });
    const input = { MetricDataQueries: [query('a', 'fn-0'), query('b', 'fn-1')], StartTime: new Date('2026-11-20T00:00:00Z'), EndTime: new Date('2026-11-20T01:00:00Z') };
    await client.send(new GetMetricDataCommand(input));
    expect(requestedPoints(input)).toBe(120);
    expect(throttles).toBe(2);
    // The first attempt went through the caller's limiter; the two retries wait here.
    expect(turns).toEqual([120, 120]);
    expect(fake.counts.getMetricData).toBe(3);
  });
});
