import { GetMetricDataCommand, type CloudWatchClient, type MetricDataQuery } from '@aws-sdk/client-cloudwatch';
import type { SnapshotWindow, SourceWarning } from '../profile.js';
import { describeError } from './aws-errors.js';
import { createCallPacker, type PlannedCall } from './metrics-plan.js';
import type { RateLimiter } from './rate-limit.js';

/**
 * Lambda Insights values of the functions that have it (found by discovery.ts with one paged
 * ListMetrics, not a call per function): `cpu_total_time` (ms of CPU, one sample per invocation),
 * `used_memory_max` (MB) and `init_duration` (ms of the INIT phase, emitted by cold starts only;
 * unit Milliseconds in the Insights performance event,
 * https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/Lambda-Insights-example-event.html), namespace `LambdaInsights`, dimension `function_name` alone (all
 * versions together), https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/Lambda-Insights-metrics.html
 *
 * One value per function over the whole window is all the profile needs, so the queries ask for
 * daily periods (86,400 s, the largest Period GetMetricData takes, and a multiple of 60, 300 and
 * 3600, so valid whatever the age of the window's start): a 14-day window is 14 points a series,
 * and 500 queries fit one call up to 201 days. Per function, four queries:
 *
 * - `cpu_total_time` **Sum** and **SampleCount**: CPU per invocation = sum over days of Sum /
 *   sum over days of SampleCount. This is the invocation-weighted mean (a day of 10 invocations
 *   and a day of 1,000 weigh 10 and 1,000), the same as sum(Average_d x SampleCount_d) /
 *   sum(SampleCount_d) without rebuilding the Sum from a rounded Average. Averaging the daily
 *   Averages would over-weight quiet days.
 * - `used_memory_max` **Maximum**: the largest of the daily maxima.
 * - `init_duration` **Sum** (the fourth query, for the reconciliation with the bill): INIT ms per
 *   invocation = its sum over days / the `cpu_total_time` SampleCount (one sample per
 *   invocation), so INIT GB-s over any set of days = that x invocations x memory. Unknown (null)
 *   when the window has no `init_duration` point at all: no cold start is as likely as an
 *   Insights version that does not publish it, and 0 would claim the former.
 *
 * These calls are apart from the main GetMetricData plan (metrics-fetch.ts): functions without
 * Insights cost nothing more, and the main plan stays the minimum. The queries are laid end to
 * end and cut every `queriesPerCall` (createCallPacker), so they are the fewest calls too,
 * ceil(4 x functions with Insights / 500), with one exception: a profile is yielded in
 * ListFunctions order and waits for its Insights values, so when it would wait for a call held
 * open for more functions while the listing goes on, `demand()` starts that call early (else the
 * whole metric stream would stall until the last ListFunctions page, ~55 s at 10,000 functions).
 * That adds at most one call per ListFunctions page, in practice a few: discovery outruns the
 * metrics, so each early call carries every Insights function listed so far.
 *
 * Never 0 for "not known": a failed call, a result that is not Complete, or no data in the window
 * leaves the value null (with a warning for the first two).
 */

export const INSIGHTS_NAMESPACE = 'LambdaInsights';
export const INSIGHTS_DIMENSION = 'function_name';
/** GetMetricData's largest Period (CloudWatch quotas): one point per day. */
export const INSIGHTS_PERIOD_SECONDS = 86_400;

type InsightsKey = 'cpuMsSum' | 'cpuSamples' | 'memoryMBMax' | 'initMsSum';

export interface InsightsQuerySpec {
  key: InsightsKey;
  metricName: 'cpu_total_time' | 'used_memory_max' | 'init_duration';
  stat: 'Sum' | 'SampleCount' | 'Maximum';
}

export const INSIGHTS_QUERIES: readonly InsightsQuerySpec[] = [
  { key: 'cpuMsSum', metricName: 'cpu_total_time', stat: 'Sum' },
  { key: 'cpuSamples', metricName: 'cpu_total_time', stat: 'SampleCount' },
  { key: 'memoryMBMax', metricName: 'used_memory_max', stat: 'Maximum' },
  { key: 'initMsSum', metricName: 'init_duration', stat: 'Sum' },
];

export interface InsightsValues {
  /** Mean `cpu_total_time` per invocation over the window, in seconds; null = not known. */
  cpuSecondsPerInvocation: number | null;
  /** Largest `used_memory_max` over the window, MB; null = not known. */
  memoryUsedMBMax: number | null;
  /** `init_duration` summed over the window / invocations (cold starts spread over all), ms; null = not known. */
  initMsPerInvocation: number | null;
}

export interface InsightsFetchOptions {
  region: string;
  cloudWatch: CloudWatchClient;
  /** The region's GetMetricData limiter (the same quota as the main plan). */
  limit: RateLimiter;
  window: SnapshotWindow;
  warn: (warning: SourceWarning) => void;
}

export interface InsightsLookup {
  /** Resolves (never rejects) once every call holding the function's queries is done. */
  values: Promise<InsightsValues>;
  /**
   * Someone waits for these values: if the function's queries are still in the incomplete call
   * (not yet started because it is not full and the listing goes on), start that call now.
   */
  demand(): void;
}

export interface InsightsFetcher {
  /** Queues one function's queries; a call is started each time 500 queries are queued. */
  add(name: string): InsightsLookup;
  /** No more functions: starts the last, incomplete call. */
  finish(): void;
  /** GetMetricData calls started so far (pages not counted). */
  readonly calls: number;
}

/** Daily points of a series over the window (whole days; at least 1). */
export function insightsPoints(window: SnapshotWindow): number {
  const seconds = (Date.parse(window.end) - Date.parse(window.start)) / 1000;
  return Math.max(1, Math.ceil(seconds / INSIGHTS_PERIOD_SECONDS));
}

interface Accumulator {
  cpuMsSum: number;
  cpuSamples: number;
  memoryMBMax: number | null;
  initMsSum: number;
  /** `init_duration` points seen (0 = no data: unknown, not 0 ms). */
  initPoints: number;
  /** Keys whose result was not Complete, absent, or whose call failed. */
  unknown: Set<InsightsKey>;
  /** Queries not yet answered. */
  pending: number;
  resolve: (values: InsightsValues) => void;
}

function valuesOf(acc: Accumulator): InsightsValues {
  const cpuKnown = !acc.unknown.has('cpuMsSum') && !acc.unknown.has('cpuSamples') && acc.cpuSamples > 0;
  const cpuSeconds = cpuKnown ? acc.cpuMsSum / acc.cpuSamples / 1000 : null;
  const memoryKnown = !acc.unknown.has('memoryMBMax') && acc.memoryMBMax !== null && acc.memoryMBMax > 0;
  const initKnown = cpuKnown && !acc.unknown.has('initMsSum') && acc.initPoints > 0;
  const initMs = initKnown ? acc.initMsSum / acc.cpuSamples : null;
  return {
    cpuSecondsPerInvocation: cpuSeconds !== null && Number.isFinite(cpuSeconds) && cpuSeconds >= 0 ? cpuSeconds : null,
    memoryUsedMBMax: memoryKnown ? acc.memoryMBMax : null,
    initMsPerInvocation: initMs !== null && Number.isFinite(initMs) && initMs >= 0 ? initMs : null,
  };
}

export function createInsightsFetcher(opts: InsightsFetchOptions): InsightsFetcher {
  const points = insightsPoints(opts.window);
  const packer = createCallPacker(INSIGHTS_QUERIES, points);
  const names: string[] = [];
  const accumulators: Accumulator[] = [];
  const startTime = new Date(opts.window.start);
  const endTime = new Date(opts.window.end);
  let calls = 0;
  let finished = false;
  /** Functions below this index have all their queries in started calls. */
  let startedBelow = 0;

  function settle(fn: number): void {
    const acc = accumulators[fn]!;
    if (--acc.pending === 0) acc.resolve(valuesOf(acc));
  }

  async function run(call: PlannedCall<InsightsQuerySpec>): Promise<void> {
    calls++;
    const queries: MetricDataQuery[] = call.queries.map((q) => ({
      Id: q.id,
      MetricStat: {
        Metric: {
          Namespace: INSIGHTS_NAMESPACE,
          MetricName: q.metric.metricName,
          Dimensions: [{ Name: INSIGHTS_DIMENSION, Value: names[q.fn]! }],
        },
        Period: INSIGHTS_PERIOD_SECONDS,
        Stat: q.metric.stat,
      },
      ReturnData: true,
    }));
    const values = new Map<string, number[]>();
    const status = new Map<string, string | undefined>();
    let failure: string | null = null;
    try {
      let token: string | undefined;
      let first = true;
      do {
        const page = await opts.limit(
          () =>
            opts.cloudWatch.send(
              new GetMetricDataCommand({
                MetricDataQueries: queries,
                StartTime: startTime,
                EndTime: endTime,
                ...(token ? { NextToken: token } : {}),
              }),
            ),
          first ? call.dataPoints : 0,
        );
        first = false;
        for (const r of page.MetricDataResults ?? []) {
          if (!r.Id) continue;
          const list = values.get(r.Id) ?? [];
          for (const v of r.Values ?? []) if (typeof v === 'number' && Number.isFinite(v)) list.push(v);
          values.set(r.Id, list);
          // The last page's status is the final one (PartialData earlier means "more pages").
          status.set(r.Id, r.StatusCode);
        }
        token = page.NextToken || undefined;
      } while (token);
    } catch (error) {
      failure = describeError(error);
    }
    const incomplete = new Set<string>();
    for (const q of call.queries) {
      const acc = accumulators[q.fn]!;
      if (failure !== null || status.get(q.id) !== 'Complete') {
        acc.unknown.add(q.metric.key);
        incomplete.add(names[q.fn]!);
      } else {
        const list = values.get(q.id) ?? [];
        if (q.metric.key === 'memoryMBMax') {
          for (const v of list) acc.memoryMBMax = acc.memoryMBMax === null ? v : Math.max(acc.memoryMBMax, v);
        } else if (q.metric.key === 'initMsSum') {
          for (const v of list) acc.initMsSum += v;
          acc.initPoints += list.length;
        } else {
          for (const v of list) acc[q.metric.key] += v;
        }
      }
    }
    if (failure !== null) {
      opts.warn({
        code: 'insights-failed',
        region: opts.region,
        message: `a Lambda Insights GetMetricData call failed (${failure}): CPU, memory and INIT of ${incomplete.size} functions are unknown`,
      });
    } else if (incomplete.size > 0) {
      const listed = [...incomplete].slice(0, 5).join(', ');
      opts.warn({
        code: 'insights-partial',
        region: opts.region,
        message: `Lambda Insights data was not complete for ${incomplete.size} functions (${listed}${incomplete.size > 5 ? ', ...' : ''}): their CPU, memory or INIT is unknown`,
      });
    }
    for (const q of call.queries) settle(q.fn);
  }

  const lastKey = INSIGHTS_QUERIES[INSIGHTS_QUERIES.length - 1]!.key;
  const start = (planned: PlannedCall<InsightsQuerySpec>[]) => {
    for (const call of planned) {
      const last = call.queries[call.queries.length - 1]!;
      startedBelow = last.metric.key === lastKey ? last.fn + 1 : last.fn;
      void run(call);
    }
  };

  return {
    add(name) {
      if (finished) throw new Error('createInsightsFetcher: add after finish');
      const fn = names.length;
      names.push(name);
      const promise = new Promise<InsightsValues>((resolve) => {
        accumulators.push({
          cpuMsSum: 0,
          cpuSamples: 0,
          memoryMBMax: null,
          initMsSum: 0,
          initPoints: 0,
          unknown: new Set(),
          pending: INSIGHTS_QUERIES.length,
          resolve,
        });
      });
      start(packer.add(fn));
      return {
        values: promise,
        // The packer starts a new call after a cut, so this only cuts early: the queries after
        // it are packed as before (one extra call at most per demand, see live-collection.md).
        demand: () => {
          if (fn >= startedBelow) start(packer.finish());
        },
      };
    },
    finish() {
      if (finished) return;
      finished = true;
      start(packer.finish());
    },
    get calls() {
      return calls;
    },
  };
}
