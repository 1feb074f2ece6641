/**
 * One synthetic account seen both ways: CloudWatch-like profiles (what the model reads) and the
 * Cost Explorer lines the same traffic bills, plus what differs on purpose: INIT time on `api`,
 * a Savings Plan on `worker`'s duration, an LMI function, an unknown usage type.
 */
import { defaultConfig, type Config } from '../../src/config/schema.js';
import type { PriceBook } from '../../src/prices/types.js';
import type { FunctionProfile, SnapshotWindow } from '../../src/source/profile.js';
import { steadyProfile, testPriceBook } from '../model/helpers.js';
import type { FakeBillLine, FakeInstanceLine } from './cost-explorer-fake.js';

export const ACCOUNT = '123456789012';
export const WINDOW: SnapshotWindow = { start: '2026-11-10T00:00:00Z', end: '2026-11-24T00:00:00Z', periodSeconds: 3600 };
export const NOW = new Date('2026-11-24T03:00:00Z');
export const DAYS = 14;
/** INIT GB-s billed per day for `api` on top of Duration + rounding. */
export const API_INIT_GBS_PER_DAY = 500;
/** Lambda Insights `init_duration` per invocation of `api` in the recorded snapshot, ms (the bill's INIT is 5 ms). */
export const API_INSIGHTS_INIT_MS = 4.8;
/** Savings Plan: `worker`'s duration net cost is this share of its unblended cost. */
export const WORKER_NET_SHARE = 0.83;
export const PROVIDER_ARN = `arn:aws:lambda:us-east-1:${ACCOUNT}:capacity-provider:cp-main`;
export const UNKNOWN_USAGE_TYPE = 'Lambda-SnapStart-Cache-GB-Second';
export const LMI_FEE_USAGE_TYPE = 'Lambda-Managed-Instances-m7g.xlarge-Management-Hours';
/** Billed LMI management fee per day (3 x m7g.xlarge x 24 h x $0.02448). */
export const LMI_FEE_USD_PER_DAY = 3 * 24 * 0.02448;

/** Billed EC2 cost per day of cp-main's instances (3 x m7g.xlarge x 24 h x $0.1632, on-demand us-east-1). */
export const LMI_INSTANCES_USD_PER_DAY = 3 * 24 * 0.1632;
/** CloudWatch for cp-main: vCPUs allocated to execution environments on average, CPU utilisation %. */
export const LMI_VCPU_ALLOCATED = 8;
export const LMI_CPU_UTILIZATION_PCT = 35;
/** Another EC2 instance of the account, not LMI (untagged): must not count. */
export const OTHER_EC2_USD_PER_DAY = 24 * 0.0832;

/**
 * The account's EC2 compute cost: cp-main's instances tagged `aws:lambda:capacity-provider` =
 * `cp-main` (its name: the tag's value, name or ARN, is [UNCONFIRMED], both are matched), and an
 * untagged instance.
 */
export function syntheticInstanceLines(): FakeInstanceLine[] {
  const startMs = Date.parse(WINDOW.start);
  return Array.from({ length: DAYS }, (_, d) => new Date(startMs + d * 86_400_000).toISOString().slice(0, 10)).flatMap((day) => [
    { day, region: 'us-east-1', tag: 'cp-main', unblendedUsd: LMI_INSTANCES_USD_PER_DAY, netUnblendedUsd: LMI_INSTANCES_USD_PER_DAY },
    { day, region: 'us-east-1', tag: '', unblendedUsd: OTHER_EC2_USD_PER_DAY, netUnblendedUsd: OTHER_EC2_USD_PER_DAY },
  ]);
}

export function arnOf(region: string, name: string): string {
  return `arn:aws:lambda:${region}:${ACCOUNT}:function:${name}`;
}

export function syntheticProfiles(window: SnapshotWindow = WINDOW): FunctionProfile[] {
  return [
    steadyProfile(window, { name: 'api', invocations: 1_400_000, durationMs: 120, memoryMB: 1024 }),
    steadyProfile(window, { name: 'worker', architecture: 'arm64', invocations: 280_000, durationMs: 800, memoryMB: 2048 }),
    steadyProfile(window, { name: 'pc-fn', invocations: 140_000, durationMs: 50, memoryMB: 512, provisionedConcurrency: 2 }),
    steadyProfile(window, { name: 'euw', region: 'eu-west-1', invocations: 70_000, durationMs: 20, memoryMB: 256 }),
    steadyProfile(window, {
      name: 'onlmi',
      invocations: 2_000_000,
      durationMs: 40,
      memoryMB: 2048,
      capacityProviderArn: PROVIDER_ARN,
    }),
  ];
}

export function syntheticConfig(): Config {
  return defaultConfig();
}

export function syntheticPriceBook(): PriceBook {
  return testPriceBook();
}

const PREFIX: Record<string, string> = { 'us-east-1': '', 'eu-west-1': 'EUW1-' };

/**
 * The bill of the synthetic account: per day and function, requests and GB-s as Lambda bills
 * them (Duration + 0.5 ms rounding per invocation, x memory), PC configured all day, priced at
 * the test price book's list prices; then the deliberate differences.
 */
export function syntheticBill(profiles: FunctionProfile[] = syntheticProfiles(), config: Config = syntheticConfig()): FakeBillLine[] {
  const book = syntheticPriceBook();
  const lines: FakeBillLine[] = [];
  const rounding = config.billing.roundingMsPerInvocation;
  const startMs = Date.parse(WINDOW.start);
  for (const p of profiles) {
    const prices = book.regions[p.region]!.lambda!;
    const arm = p.architecture === 'arm64';
    const suffix = arm ? '-ARM' : '';
    const prefix = PREFIX[p.region]!;
    const memoryGB = p.memoryMB / 1024;
    for (let d = 0; d < DAYS; d++) {
      const day = new Date(startMs + d * 86_400_000).toISOString().slice(0, 10);
      let inv = 0;
      let billedMs = 0;
      for (let h = 0; h < 24; h++) {
        const i = d * 24 + h;
        inv += p.series.invocations[i]!;
        billedMs += p.series.durationMsSum[i]! + p.series.invocations[i]! * rounding;
      }
      const resourceId = arnOf(p.region, p.name);
      const base = { day, resourceId, region: p.region };
      if (p.capacityProviderArn) {
        lines.push({ ...base, usageType: `${prefix}${LMI_FEE_USAGE_TYPE}`, quantity: 72, unblendedUsd: LMI_FEE_USD_PER_DAY, netUnblendedUsd: LMI_FEE_USD_PER_DAY });
        const reqUsd = inv * prices.lmiRequestUsd;
        lines.push({ ...base, usageType: `${prefix}Lambda-Managed-Instances-Request`, quantity: inv, unblendedUsd: reqUsd, netUnblendedUsd: reqUsd });
        continue;
      }
      const reqUsd = inv * prices.requestUsd[p.architecture];
      lines.push({ ...base, usageType: `${prefix}Request${suffix}`, quantity: inv, unblendedUsd: reqUsd, netUnblendedUsd: reqUsd });
      let gbs = (billedMs / 1000) * memoryGB;
      if (p.name === 'api') gbs += API_INIT_GBS_PER_DAY;
      const pc = p.provisionedConcurrency ?? 0;
      if (pc > 0) {
        // Peak concurrency stays under PC here: all duration ran on PC.
        const pcDurUsd = gbs * prices.provisionedDurationUsdPerGbSecond[p.architecture];
        lines.push({ ...base, usageType: `${prefix}Lambda-Provisioned-GB-Second${suffix}`, quantity: gbs, unblendedUsd: pcDurUsd, netUnblendedUsd: pcDurUsd });
        const pcGbs = pc * memoryGB * 86_400;
        const pcUsd = pcGbs * prices.provisionedConcurrencyUsdPerGbSecond[p.architecture];
        lines.push({ ...base, usageType: `${prefix}Lambda-Provisioned-Concurrency${suffix}`, quantity: pcGbs, unblendedUsd: pcUsd, netUnblendedUsd: pcUsd });
      } else {
        const durUsd = gbs * prices.durationTiers[p.architecture][0]!.usdPerGbSecond;
        const net = p.name === 'worker' ? durUsd * WORKER_NET_SHARE : durUsd;
        lines.push({ ...base, usageType: `${prefix}Lambda-GB-Second${suffix}`, quantity: gbs, unblendedUsd: durUsd, netUnblendedUsd: net });
      }
      if (p.name === 'api') {
        lines.push({ ...base, usageType: UNKNOWN_USAGE_TYPE, quantity: 1000, unblendedUsd: 0.0015, netUnblendedUsd: 0.0015 });
      }
    }
  }
  return lines;
}

/** The synthetic account as a snapshot header with its bill recorded (`record --reconcile`). */
export function syntheticSnapshot(): { header: import('../../src/source/profile.js').SnapshotHeader; profiles: FunctionProfile[] } {
  // us-east-1 only: the bundled price book a snapshot without prices is analysed with has no other region.
  // `api` has Lambda Insights: it measured API_INSIGHTS_INIT_MS per invocation (a bit less INIT
  // than the bill's 5 ms: the reconciliation shows the gap).
  const profiles = syntheticProfiles()
    .filter((p) => p.region === 'us-east-1')
    .map((p) => (p.name === 'api' ? { ...p, initMsPerInvocation: API_INSIGHTS_INIT_MS } : p));
  const lines = syntheticBill(profiles).map((l) => ({ ...l, region: null }));
  return {
    header: {
      schema: 'lmi-advisor.snapshot/v1',
      capturedAt: NOW.toISOString(),
      accountId: ACCOUNT,
      window: WINDOW,
      regions: ['us-east-1'],
      bill: {
        status: 'ok',
        level: 'resource',
        startDay: '2026-11-10',
        endDay: '2026-11-24',
        lines,
        // The Lambda query and, since the bill has LMI lines, the EC2 one.
        requests: 2,
        throttled: 0,
        notes: [],
        lmiInstances: {
          status: 'ok',
          lines: syntheticInstanceLines()
            .filter((l) => l.tag !== '')
            .map((l) => ({ day: l.day, capacityProvider: l.tag, region: l.region, unblendedUsd: l.unblendedUsd, netUnblendedUsd: l.netUnblendedUsd })),
          notes: [],
        },
        // CloudWatch's capacity-provider metrics recorded with the bill: cp-main's 3 x m7g.xlarge
        // (12 vCPUs), 8 of them allocated to execution environments on average.
        lmiMetrics: {
          providers: [
            {
              region: 'us-east-1',
              capacityProviderArn: PROVIDER_ARN,
              instanceTypes: ['m7g.xlarge'],
              daysWithData: DAYS,
              cpuUtilizationPctByType: { 'm7g.xlarge': LMI_CPU_UTILIZATION_PCT },
              vCpuAllocatedAvg: LMI_VCPU_ALLOCATED,
              vCpuAvailableAvg: 12 - LMI_VCPU_ALLOCATED,
            },
          ],
          notes: [],
          requests: 2,
        },
      },
    },
    profiles,
  };
}
