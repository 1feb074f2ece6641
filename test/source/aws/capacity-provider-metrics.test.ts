import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CloudWatchClient, PutMetricDataCommand, type MetricDatum } from '@aws-sdk/client-cloudwatch';
import { MOTO_CREDENTIALS, startMoto, type MotoServer } from '../../helpers/moto.js';
import { capacityProviderName, readCapacityProviderMetrics } from '../../../src/source/aws/capacity-provider-metrics.js';
import type { SnapshotWindow } from '../../../src/source/profile.js';

/**
 * The real SDK against a real moto_server: a capacity provider's metrics (AWS/Lambda,
 * CapacityProviderName x InstanceType) put with PutMetricData on two whole days, read back as
 * LMI actuals: the instance types, vCPUs allocated/available summed over instance types per day
 * and averaged over days, CPUUtilization per instance type.
 */
const ACCOUNT = '123456789012';
const ARN = (name: string) => `arn:aws:lambda:us-east-1:${ACCOUNT}:capacity-provider:${name}`;
const DAY_MS = 86_400_000;
// Two whole UTC days ending at the last midnight (moto keeps what it is given; recent days as on AWS).
const END = Math.floor(Date.now() / DAY_MS) * DAY_MS;
const WINDOW: SnapshotWindow = { start: new Date(END - 2 * DAY_MS).toISOString(), end: new Date(END).toISOString(), periodSeconds: 3600 };

let moto: MotoServer;
let cw: CloudWatchClient;

function datum(metric: string, type: string, dayIndex: number, hour: number, value: number, provider = 'cp-main'): MetricDatum {
  return {
    MetricName: metric,
    Dimensions: [
      { Name: 'CapacityProviderName', Value: provider },
      { Name: 'InstanceType', Value: type },
    ],
    Timestamp: new Date(END - 2 * DAY_MS + dayIndex * DAY_MS + hour * 3_600_000),
    Value: value,
  };
}

beforeAll(async () => {
  moto = await startMoto();
  cw = new CloudWatchClient({ region: 'us-east-1', endpoint: moto.endpoint, credentials: MOTO_CREDENTIALS, maxAttempts: 2 });
  await cw.send(
    new PutMetricDataCommand({
      Namespace: 'AWS/Lambda',
      MetricData: [
        // Day 0: m7g.xlarge 4 and 6 vCPUs allocated (Average 5), m7g.2xlarge 8: 13 for the provider.
        datum('vCPUAllocated', 'm7g.xlarge', 0, 1, 4),
        datum('vCPUAllocated', 'm7g.xlarge', 0, 2, 6),
        datum('vCPUAllocated', 'm7g.2xlarge', 0, 1, 8),
        datum('vCPUAvailable', 'm7g.xlarge', 0, 1, 3),
        datum('CPUUtilization', 'm7g.xlarge', 0, 1, 30),
        datum('CPUUtilization', 'm7g.xlarge', 0, 2, 50),
        datum('CPUUtilization', 'm7g.2xlarge', 0, 1, 10),
        // Day 1: only m7g.xlarge, 2 vCPUs allocated.
        datum('vCPUAllocated', 'm7g.xlarge', 1, 5, 2),
        datum('vCPUAvailable', 'm7g.xlarge', 1, 5, 5),
        datum('CPUUtilization', 'm7g.xlarge', 1, 5, 20),
        // Another provider: must not mix in.
        datum('vCPUAllocated', 'c7g.large', 0, 1, 100, 'cp-other'),
      ],
    }),
  );
}, 60_000);

afterAll(async () => {
  cw?.destroy();
  await moto?.stop();
});

describe('readCapacityProviderMetrics (moto)', () => {
  it('reads the instance types, vCPUs allocated/available and CPU utilisation of each provider', async () => {
    const read = await readCapacityProviderMetrics(() => cw, [{ region: 'us-east-1', capacityProviderArn: ARN('cp-main') }], WINDOW);
    expect(read.notes).toEqual([]);
    expect(read.providers).toHaveLength(1);
    const m = read.providers[0]!;
    expect(m.instanceTypes).toEqual(['m7g.2xlarge', 'm7g.xlarge']);
    expect(m.daysWithData).toBe(2);
    expect(m.vCpuAllocatedAvg).toBeCloseTo((13 + 2) / 2, 9);
    expect(m.vCpuAvailableAvg).toBeCloseTo((3 + 5) / 2, 9);
    expect(m.cpuUtilizationPctByType['m7g.xlarge']).toBeCloseTo((40 + 20) / 2, 9);
    expect(m.cpuUtilizationPctByType['m7g.2xlarge']).toBeCloseTo(10, 9);
    // One ListMetrics page + one GetMetricData call (6 queries).
    expect(read.requests).toBe(2);
  });

  it('a provider with no metrics has no instance type and no figure (null, never 0)', async () => {
    const read = await readCapacityProviderMetrics(() => cw, [{ region: 'us-east-1', capacityProviderArn: ARN('cp-idle') }], WINDOW);
    expect(read.providers[0]).toMatchObject({ instanceTypes: [], daysWithData: 0, vCpuAllocatedAvg: null, vCpuAvailableAvg: null });
  });

  it('a failing region is a note, not a number', async () => {
    const broken = new CloudWatchClient({ region: 'us-east-1', endpoint: 'http://127.0.0.1:9', credentials: MOTO_CREDENTIALS, maxAttempts: 1 });
    try {
      const read = await readCapacityProviderMetrics(() => broken, [{ region: 'us-east-1', capacityProviderArn: ARN('cp-main') }], WINDOW);
      expect(read.providers).toEqual([]);
      expect(read.notes[0]).toMatch(/^us-east-1 cp-main: CloudWatch capacity-provider metrics not read: /);
    } finally {
      broken.destroy();
    }
  });

  it('takes the provider name from its ARN', () => {
    expect(capacityProviderName(ARN('cp-main'))).toBe('cp-main');
  });
});
