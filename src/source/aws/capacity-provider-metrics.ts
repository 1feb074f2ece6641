/**
 * LMI actuals from CloudWatch: the capacity-provider metrics Lambda publishes for each capacity
 * provider and instance type ("Capacity provider level metrics", dimensions CapacityProviderName
 * and InstanceType: CPUUtilization %, vCPUAllocated and vCPUAvailable counts,
 * https://docs.aws.amazon.com/lambda/latest/dg/lambda-managed-instances-monitoring.html), in the
 * AWS/Lambda namespace (reference aws-apis.md 2). Read for the capacity providers of functions
 * already on LMI, next to what the bill and the model say (src/bill/compare.ts).
 *
 * Requests: one ListMetrics per provider (which instance types it ran) and GetMetricData with
 * 3 daily queries per (provider, instance type), 500 queries per call. A failure is a note, never
 * a number: the reconciliation then says the metrics were not read.
 */
import { type CloudWatchClient, GetMetricDataCommand, ListMetricsCommand, type MetricDataQuery } from '@aws-sdk/client-cloudwatch';
import { capacityProviderName, type LmiProviderMetrics, type LmiProviderMetricsRead } from '../../bill/types.js';

export { capacityProviderName };
import type { SnapshotWindow } from '../profile.js';
import { createDefaultClientFactory } from './clients.js';

export const CAPACITY_PROVIDER_NAMESPACE = 'AWS/Lambda';
const DAY_SECONDS = 86_400;
const MAX_QUERIES = 500;
const METRICS = ['CPUUtilization', 'vCPUAllocated', 'vCPUAvailable'] as const;
type MetricName = (typeof METRICS)[number];

export interface ProviderRef {
  region: string;
  /** The capacity provider's ARN (its name is the last part: `...:capacity-provider:<name>`). */
  capacityProviderArn: string;
}

/** Mean of the known values (null when none is known). */
function mean(values: readonly number[]): number | null {
  return values.length === 0 ? null : values.reduce((a, b) => a + b, 0) / values.length;
}

/**
 * Reads the window's whole days (Period 1 day, statistic Average) for each provider. Per provider:
 * the instance types seen, the mean daily CPUUtilization per instance type, and vCPUAllocated /
 * vCPUAvailable summed over the instance types per day and averaged over the days with data.
 */
export async function readCapacityProviderMetrics(
  cloudWatchFor: (region: string) => CloudWatchClient,
  providers: readonly ProviderRef[],
  window: SnapshotWindow,
): Promise<LmiProviderMetricsRead> {
  const start = new Date(Math.ceil(Date.parse(window.start) / (DAY_SECONDS * 1000)) * DAY_SECONDS * 1000);
  const end = new Date(Math.floor(Date.parse(window.end) / (DAY_SECONDS * 1000)) * DAY_SECONDS * 1000);
  const out: LmiProviderMetrics[] = [];
  const notes: string[] = [];
  let requests = 0;
  const unique = [...new Map(providers.map((p) => [`${p.region}\u0000${p.capacityProviderArn}`, p])).values()];
  for (const provider of unique) {
    const name = capacityProviderName(provider.capacityProviderArn);
    const cw = cloudWatchFor(provider.region);
    try {
      const types = new Set<string>();
      let token: string | undefined;
      do {
        requests++;
        const page = await cw.send(
          new ListMetricsCommand({
            Namespace: CAPACITY_PROVIDER_NAMESPACE,
            MetricName: 'vCPUAllocated',
            Dimensions: [{ Name: 'CapacityProviderName', Value: name }],
            ...(token ? { NextToken: token } : {}),
          }),
        );
        for (const m of page.Metrics ?? []) {
          const t = m.Dimensions?.find((d) => d.Name === 'InstanceType')?.Value;
          if (t) types.add(t);
        }
        token = page.NextToken;
      } while (token);
      const instanceTypes = [...types].sort();
      const queries: MetricDataQuery[] = [];
      const idOf = new Map<string, { type: string; metric: MetricName }>();
      instanceTypes.forEach((type, ti) =>
        METRICS.forEach((metric, mi) => {
          const id = `m${ti}_${mi}`;
          idOf.set(id, { type, metric });
          queries.push({
            Id: id,
            MetricStat: {
              Metric: {
                Namespace: CAPACITY_PROVIDER_NAMESPACE,
                MetricName: metric,
                Dimensions: [
                  { Name: 'CapacityProviderName', Value: name },
                  { Name: 'InstanceType', Value: type },
                ],
              },
              Period: DAY_SECONDS,
              Stat: 'Average',
            },
          });
        }),
      );
      // day -> metric -> sum over instance types; type -> daily CPU values.
      const byDay = new Map<number, Partial<Record<MetricName, number>>>();
      const cpuByType = new Map<string, number[]>();
      for (let i = 0; i < queries.length; i += MAX_QUERIES) {
        let next: string | undefined;
        do {
          requests++;
          const res = await cw.send(
            new GetMetricDataCommand({
              MetricDataQueries: queries.slice(i, i + MAX_QUERIES),
              StartTime: start,
              EndTime: end,
              ...(next ? { NextToken: next } : {}),
            }),
          );
          for (const r of res.MetricDataResults ?? []) {
            const q = idOf.get(r.Id ?? '');
            if (!q) continue;
            (r.Timestamps ?? []).forEach((ts, k) => {
              const v = r.Values?.[k];
              if (v == null || !Number.isFinite(v)) return;
              if (q.metric === 'CPUUtilization') {
                cpuByType.set(q.type, [...(cpuByType.get(q.type) ?? []), v]);
                return;
              }
              const day = byDay.get(ts.getTime()) ?? {};
              day[q.metric] = (day[q.metric] ?? 0) + v;
              byDay.set(ts.getTime(), day);
            });
          }
          next = res.NextToken;
        } while (next);
      }
      const days = [...byDay.values()];
      out.push({
        region: provider.region,
        capacityProviderArn: provider.capacityProviderArn,
        instanceTypes,
        daysWithData: days.length,
        cpuUtilizationPctByType: Object.fromEntries(instanceTypes.map((t) => [t, mean(cpuByType.get(t) ?? [])])),
        vCpuAllocatedAvg: mean(days.flatMap((d) => (d.vCPUAllocated === undefined ? [] : [d.vCPUAllocated]))),
        vCpuAvailableAvg: mean(days.flatMap((d) => (d.vCPUAvailable === undefined ? [] : [d.vCPUAvailable]))),
      });
    } catch (error) {
      notes.push(`${provider.region} ${name}: CloudWatch capacity-provider metrics not read: ${(error as Error).name}: ${(error as Error).message}`);
    }
  }
  return { providers: out, notes, requests };
}

/**
 * The live runs' reader: CloudWatch clients from the default chain (or `profile`), one per region,
 * as the metrics source makes them (`--reconcile` on `analyze --live` and `run`).
 */
export function liveCapacityProviderMetricsFetcher(opts: { profile?: string } = {}) {
  // The factory creates each region's clients once and caches them.
  const factory = createDefaultClientFactory(opts.profile ? { profile: opts.profile } : {});
  const cloudWatchFor = (region: string): CloudWatchClient => factory.forRegion(region).cloudWatch;
  return (args: { window: SnapshotWindow; providers: readonly ProviderRef[] }): Promise<LmiProviderMetricsRead> =>
    readCapacityProviderMetrics(cloudWatchFor, args.providers, args.window);
}
