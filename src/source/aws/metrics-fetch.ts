import {
  GetMetricDataCommand,
  type CloudWatchClient,
  type MetricDataQuery,
  type MetricDataResult,
} from '@aws-sdk/client-cloudwatch';
import { periodCount, type FunctionSeries, type Series, type SnapshotWindow, type SourceWarning } from '../profile.js';
import { describeError, isAccessDenied } from './aws-errors.js';
import { planCalls, type MetricSpec, type PlannedCall } from './metrics-plan.js';
import type { RateLimiter } from './rate-limit.js';

/**
 * Runs the GetMetricData plan of one region and streams each function's series as soon as the
 * calls holding its queries are done, so at most `lookahead` calls' data is held at once (not
 * the whole fleet's 14 days of minute data).
 */

export interface MetricsFetchOptions {
  region: string;
  cloudWatch: CloudWatchClient;
  limit: RateLimiter;
  window: SnapshotWindow;
  functionNames: readonly string[];
  metrics: readonly MetricSpec[];
  /** Calls started ahead of the consumer; bounds memory. Default 2 x the limiter's concurrency. */
  lookahead?: number;
  onCallDone?: (done: number, total: number) => void;
  warn: (warning: SourceWarning) => void;
  /** Called once when the region's metrics cannot be read at all (access denied). */
  onRegionFailed?: (message: string) => void;
}

export interface FetchedSeries {
  /** Index into `functionNames`. */
  index: number;
  series: FunctionSeries;
  /** Points that are null (unknown) over all series of the function. */
  unknownPoints: number;
}

interface RawResult {
  timestamps: Date[];
  values: number[];
  status: string | undefined;
}

interface QuerySeries {
  series: Series;
  unknownPoints: number;
}

/** Results are turned into series as soon as a call completes, so the SDK's Date objects die young. */
type CallOutcome =
  | { ok: true; series: QuerySeries[]; messages: string[] }
  | { ok: false; error: string; accessDenied: boolean; skipped: boolean };

/** At most this many functions get a warning line of their own per region; then a summary. */
const MAX_FUNCTION_WARNINGS = 20;

function toQuery(q: PlannedCall['queries'][number], name: string, periodSeconds: number): MetricDataQuery {
  return {
    Id: q.id,
    MetricStat: {
      Metric: {
        Namespace: 'AWS/Lambda',
        MetricName: q.metric.metricName,
        // FunctionName alone: all versions and aliases of the function added together.
        Dimensions: [{ Name: 'FunctionName', Value: name }],
      },
      Period: periodSeconds,
      Stat: q.metric.stat,
    },
    ReturnData: true,
  };
}

/**
 * One query's series. A missing point of a Complete result is 0: Lambda emits its metrics only
 * when there is activity (https://docs.aws.amazon.com/lambda/latest/dg/monitoring-metrics.html).
 * A result that is not Complete (PartialData after the last page, InternalError, Forbidden) or
 * absent leaves the points it did not return null: unknown, never 0.
 */
export function toSeries(
  result: RawResult | undefined,
  window: SnapshotWindow,
): { series: Series; unknownPoints: number } {
  const points = periodCount(window);
  const complete = result?.status === 'Complete';
  const series: Series = new Array<number | null>(points).fill(complete ? 0 : null);
  if (result) {
    const startMs = Date.parse(window.start);
    const periodMs = window.periodSeconds * 1000;
    const n = Math.min(result.timestamps.length, result.values.length);
    for (let i = 0; i < n; i++) {
      const value = result.values[i];
      const t = result.timestamps[i]?.getTime();
      if (t === undefined || value === undefined || !Number.isFinite(value)) continue;
      const index = Math.floor((t - startMs) / periodMs);
      if (index >= 0 && index < points) series[index] = value;
    }
  }
  let unknownPoints = 0;
  if (!complete) for (const v of series) if (v === null) unknownPoints++;
  return { series, unknownPoints };
}

function mergeResult(into: Map<string, RawResult>, r: MetricDataResult): void {
  if (!r.Id) return;
  let raw = into.get(r.Id);
  if (!raw) {
    raw = { timestamps: [], values: [], status: undefined };
    into.set(r.Id, raw);
  }
  const n = Math.min(r.Timestamps?.length ?? 0, r.Values?.length ?? 0);
  for (let i = 0; i < n; i++) {
    raw.timestamps.push(r.Timestamps![i]!);
    raw.values.push(r.Values![i]!);
  }
  // The last page's status is the query's final status (PartialData earlier means "more pages").
  raw.status = r.StatusCode;
}

export async function* fetchMetricSeries(opts: MetricsFetchOptions): AsyncGenerator<FetchedSeries> {
  const { window, functionNames, metrics } = opts;
  const points = periodCount(window);
  const calls = planCalls(functionNames.length, metrics, points);
  const lookahead = Math.max(1, opts.lookahead ?? opts.limit.options.concurrency * 2);
  const startTime = new Date(window.start);
  const endTime = new Date(window.end);
  let regionDenied: string | null = null;
  let done = 0;

  async function execute(call: PlannedCall): Promise<CallOutcome> {
    if (regionDenied !== null) return { ok: false, error: regionDenied, accessDenied: true, skipped: true };
    const queries = call.queries.map((q) => toQuery(q, functionNames[q.fn]!, window.periodSeconds));
    const results = new Map<string, RawResult>();
    const messages: string[] = [];
    let token: string | undefined;
    let first = true;
    try {
      do {
        const weight = first ? call.dataPoints : 0;
        const page = await opts.limit(
          () =>
            opts.cloudWatch.send(
              new GetMetricDataCommand({
                MetricDataQueries: queries,
                StartTime: startTime,
                EndTime: endTime,
                ScanBy: 'TimestampAscending',
                ...(token ? { NextToken: token } : {}),
              }),
            ),
          weight,
        );
        first = false;
        for (const r of page.MetricDataResults ?? []) mergeResult(results, r);
        for (const m of page.Messages ?? []) if (m.Value) messages.push(`${m.Code ?? ''} ${m.Value}`.trim());
        token = page.NextToken || undefined;
      } while (token);
      return { ok: true, series: call.queries.map((q) => toSeries(results.get(q.id), window)), messages };
    } catch (error) {
      const accessDenied = isAccessDenied(error);
      const message = describeError(error);
      if (accessDenied && regionDenied === null) {
        regionDenied = message;
        opts.onRegionFailed?.(`cloudwatch:GetMetricData: ${message}`);
      }
      return { ok: false, error: message, accessDenied, skipped: false };
    } finally {
      done++;
      opts.onCallDone?.(done, calls.length);
    }
  }

  // Each function's queries are contiguous, so it is complete once its last call is merged.
  const lastCallOf = new Int32Array(functionNames.length);
  calls.forEach((call, c) => {
    for (const q of call.queries) lastCallOf[q.fn] = c;
  });

  const inFlight: Promise<CallOutcome>[] = [];
  let launched = 0;
  const partial = new Map<number, { series: Partial<FunctionSeries>; unknownPoints: number }>();
  let nextToYield = 0;
  let warnedFunctions = 0;
  let partialFunctions = 0;

  for (let c = 0; c < calls.length; c++) {
    while (launched < calls.length && launched - c < lookahead) {
      inFlight[launched] = execute(calls[launched]!);
      launched++;
    }
    const call = calls[c]!;
    const outcome = await inFlight[c]!;
    delete inFlight[c];
    if (!outcome.ok && !outcome.accessDenied) {
      opts.warn({
        code: 'metrics-failed',
        region: opts.region,
        message: `a GetMetricData call failed (${outcome.error}): ${call.queries.length} series are unknown`,
      });
    }
    if (outcome.ok && outcome.messages.length > 0) {
      opts.warn({ code: 'metrics-messages', region: opts.region, message: outcome.messages.join('; ') });
    }
    for (const [i, q] of call.queries.entries()) {
      const { series, unknownPoints } = outcome.ok ? outcome.series[i]! : toSeries(undefined, window);
      let entry = partial.get(q.fn);
      if (!entry) {
        entry = { series: {}, unknownPoints: 0 };
        partial.set(q.fn, entry);
      }
      entry.series[q.metric.key] = series;
      entry.unknownPoints += unknownPoints;
    }
    while (nextToYield < functionNames.length && lastCallOf[nextToYield]! <= c) {
      const entry = partial.get(nextToYield)!;
      partial.delete(nextToYield);
      if (entry.unknownPoints > 0 && regionDenied === null) {
        partialFunctions++;
        if (warnedFunctions < MAX_FUNCTION_WARNINGS) {
          warnedFunctions++;
          opts.warn({
            code: 'metrics-partial',
            region: opts.region,
            function: functionNames[nextToYield],
            message: `${entry.unknownPoints} metric data points are unknown (CloudWatch returned partial data)`,
          });
        }
      }
      yield { index: nextToYield, series: entry.series as FunctionSeries, unknownPoints: entry.unknownPoints };
      nextToYield++;
    }
  }
  if (partialFunctions > warnedFunctions) {
    opts.warn({
      code: 'metrics-partial',
      region: opts.region,
      message: `${partialFunctions} functions in total have unknown metric data points (${warnedFunctions} listed)`,
    });
  }
}
