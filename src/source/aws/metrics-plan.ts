import { UserInputError } from '../../errors.js';
import { periodCount, type FunctionSeries, type PeriodSeconds, type SnapshotWindow, type SourceWarning } from '../profile.js';

/**
 * The GetMetricData plan: which window and period to ask for, and how to pack every function's
 * queries into the fewest calls the API allows. Pure: no SDK, no clock.
 *
 * Limits (API model, GetMetricData): at most 500 MetricDataQuery per call, at most 100,800 data
 * points per call (MaxDatapoints default), https://docs.aws.amazon.com/AmazonCloudWatch/latest/APIReference/API_GetMetricData.html
 */

export const MAX_QUERIES_PER_CALL = 500;
export const MAX_DATAPOINTS_PER_CALL = 100_800;

const DAY_MS = 86_400_000;

/** Retention of each period (API model, MetricStat.Period): 1-min 15 d, 5-min 63 d, 1-h 455 d. */
export const RETENTION_DAYS: Record<PeriodSeconds, number> = { 60: 15, 300: 63, 3600: 455 };

export type MetricKey = keyof FunctionSeries;

export interface MetricSpec {
  key: MetricKey;
  metricName: string;
  stat: 'Sum' | 'Maximum';
}

/** Always fetched: what the model needs (docs/snapshot-format.md). */
export const REQUIRED_METRICS: readonly MetricSpec[] = [
  { key: 'invocations', metricName: 'Invocations', stat: 'Sum' },
  { key: 'durationMsSum', metricName: 'Duration', stat: 'Sum' },
  // ConcurrentExecutions is a 1-minute maximum: Maximum is the only meaningful statistic.
  { key: 'concurrencyMax', metricName: 'ConcurrentExecutions', stat: 'Maximum' },
];

/** Fetched with `optionalMetrics`: they double the query count, so they are opt-in. */
export const OPTIONAL_METRICS: readonly MetricSpec[] = [
  { key: 'durationMsMax', metricName: 'Duration', stat: 'Maximum' },
  { key: 'errors', metricName: 'Errors', stat: 'Sum' },
  { key: 'throttles', metricName: 'Throttles', stat: 'Sum' },
];

export type Resolution = 'auto' | PeriodSeconds;

/**
 * The finest period CloudWatch still keeps for data as old as `startMs` (API model: a start
 * 3 h-15 d ago needs a multiple of 60, 15-63 d of 300, beyond 63 d of 3600, "or no data points
 * in that time range is returned"). null when even hourly data has expired.
 */
export function finestRetainedPeriod(nowMs: number, startMs: number): PeriodSeconds | null {
  const ageDays = (nowMs - startMs) / DAY_MS;
  if (ageDays < RETENTION_DAYS[60]) return 60;
  if (ageDays < RETENTION_DAYS[300]) return 300;
  if (ageDays < RETENTION_DAYS[3600]) return 3600;
  return null;
}

function alignedWindow(nowMs: number, days: number, period: PeriodSeconds) {
  const periodMs = period * 1000;
  // End aligned down to the period (exclusive, complete periods only); a whole number of days
  // is a whole number of periods for 60, 300 and 3600 s, so the start is aligned too.
  const endMs = Math.floor(nowMs / periodMs) * periodMs;
  return { startMs: endMs - days * DAY_MS, endMs };
}

/** True when CloudWatch still keeps `period`-second data for a period starting at `periodStartMs`. */
function retained(clockMs: number, periodStartMs: number, period: PeriodSeconds): boolean {
  return clockMs - periodStartMs < RETENTION_DAYS[period] * DAY_MS;
}

/**
 * The window of the last `days` whole days before `now`, aligned to the period. With
 * `resolution: 'auto'` the period is the finest CloudWatch keeps for the window's start.
 *
 * `clock` is the real time of the run (injected; defaults to `now`): retention is counted from
 * it, not from `now`, because a `--now` in the past moves the window back while CloudWatch keeps
 * counting from today. Throws UserInputError (naming the flags) when no period of the window
 * can be read at all; a window only partly readable is planned, and `readablePeriods` says
 * which periods are unknown.
 */
export function planWindow(now: Date, days: number, resolution: Resolution = 'auto', clock: Date = now): SnapshotWindow {
  if (!Number.isInteger(days) || days < 1) {
    throw new UserInputError(`--days: must be a whole number of days >= 1, got ${days}`);
  }
  if (days > RETENTION_DAYS[3600]) {
    throw new UserInputError(`--days ${days}: CloudWatch keeps Lambda metrics at most ${RETENTION_DAYS[3600]} days`);
  }
  const nowMs = now.getTime();
  const clockMs = clock.getTime();
  const candidates: PeriodSeconds[] = resolution === 'auto' ? [60, 300, 3600] : [resolution];
  for (const period of candidates) {
    const { startMs, endMs } = alignedWindow(nowMs, days, period);
    const window: SnapshotWindow = {
      start: new Date(startMs).toISOString(),
      end: new Date(endMs).toISOString(),
      periodSeconds: period,
    };
    const last = candidates[candidates.length - 1];
    // auto: the finest period whose data is still kept back to the window's start; failing
    // every one, hourly data with the expired part unknown (below).
    if (resolution === 'auto' && period !== last && !retained(clockMs, startMs, period)) continue;
    const readable = readablePeriods(window, clock);
    if (readable.from >= readable.to) {
      const finest = finestRetainedPeriod(clockMs, startMs);
      throw new UserInputError(
        readable.notEnded === periodCount(window)
          ? `--now ${window.end}: the window has not ended yet (the clock says ${clock.toISOString()})`
          : resolution !== 'auto' && finest !== null
            ? `--resolution ${period}: CloudWatch no longer keeps ${period}-second data for this window (it starts ${ageText(clockMs, startMs)} ago; kept ${RETENTION_DAYS[period]} days); use ${finest} or coarser`
            : `--now ${now.toISOString()} --days ${days}: the window starts ${ageText(clockMs, startMs)} ago and ends ${ageText(clockMs, endMs)} ago; CloudWatch keeps ${period}-second Lambda metrics ${RETENTION_DAYS[period]} days, so none of it can be read`,
      );
    }
    return window;
  }
  /* c8 ignore next */
  throw new Error('unreachable: the last candidate period always returns or throws');
}

function ageText(clockMs: number, atMs: number): string {
  return `${Math.round(((clockMs - atMs) / DAY_MS) * 10) / 10} days`;
}

/**
 * Which periods of a window CloudWatch can answer for at `clock`: [from, to) as period indices.
 * Before `from`, the period's data has expired at this resolution (CloudWatch then returns no
 * data and no error, which would read as "no invocations"); from `to` on, the period had not
 * ended at `clock`. Periods outside [from, to) are unknown (null), never 0: the fetch asks only
 * for [from, to).
 */
export interface ReadablePeriods {
  from: number;
  to: number;
  /** Periods before `from`: expired at the window's resolution. */
  expired: number;
  /** Periods from `to` on: not ended at the clock. */
  notEnded: number;
}

export function readablePeriods(window: SnapshotWindow, clock: Date): ReadablePeriods {
  const points = periodCount(window);
  const startMs = Date.parse(window.start);
  const periodMs = window.periodSeconds * 1000;
  const clockMs = clock.getTime();
  const keptMs = RETENTION_DAYS[window.periodSeconds] * DAY_MS;
  // First period whose start is younger than the retention; first period ending after the clock.
  const from = Math.min(points, Math.max(0, Math.floor((clockMs - keptMs - startMs) / periodMs) + 1));
  const to = Math.max(0, Math.min(points, Math.floor((clockMs - startMs) / periodMs)));
  const end = Math.max(from, to);
  return { from, to: end, expired: from, notEnded: points - end };
}

/** One source warning per kind of plan-level unknown periods (none when the whole window is readable). */
export function readabilityWarnings(window: SnapshotWindow, readable: ReadablePeriods, clock: Date): SourceWarning[] {
  const periodMs = window.periodSeconds * 1000;
  const startMs = Date.parse(window.start);
  const at = (index: number) => new Date(startMs + index * periodMs).toISOString();
  const warnings: SourceWarning[] = [];
  if (readable.expired > 0) {
    warnings.push({
      code: 'periods-expired',
      message:
        `${readable.expired} of ${periodCount(window)} periods (${at(0)} to ${at(readable.from)}) are unknown: CloudWatch keeps ` +
        `${window.periodSeconds}-second Lambda metrics ${RETENTION_DAYS[window.periodSeconds]} days before ${clock.toISOString()}`,
    });
  }
  if (readable.notEnded > 0) {
    warnings.push({
      code: 'periods-not-ended',
      message: `${readable.notEnded} periods from ${at(readable.to)} on are unknown: they had not ended at ${clock.toISOString()}`,
    });
  }
  return warnings;
}

/**
 * Largest call (data points) that lets whole calls fill a points-per-second quota judged over a
 * rolling second: with 100,800-point calls only 3 fit in 396,000 (302,400/s), with calls of at
 * most 396,000 / 4 = 99,000 points 4 do. No quota: the API's maximum.
 */
export function pointsPerCallFor(weightPerSecond: number | undefined): number {
  if (!weightPerSecond || !(weightPerSecond > 0)) return MAX_DATAPOINTS_PER_CALL;
  return Math.min(MAX_DATAPOINTS_PER_CALL, Math.floor(weightPerSecond / Math.ceil(weightPerSecond / MAX_DATAPOINTS_PER_CALL)));
}

/** Queries that fit one call for series of `pointsPerSeries` points (at most `maxPointsPerCall` points a call). */
export function queriesPerCall(pointsPerSeries: number, maxPointsPerCall = MAX_DATAPOINTS_PER_CALL): number {
  if (!Number.isInteger(pointsPerSeries) || pointsPerSeries < 1) {
    throw new RangeError(`pointsPerSeries must be a positive integer, got ${pointsPerSeries}`);
  }
  const byPoints = Math.floor(Math.min(MAX_DATAPOINTS_PER_CALL, maxPointsPerCall) / pointsPerSeries);
  if (byPoints < 1) {
    throw new RangeError(
      `one series of ${pointsPerSeries} points exceeds ${Math.min(MAX_DATAPOINTS_PER_CALL, maxPointsPerCall)} data points per call`,
    );
  }
  return Math.min(MAX_QUERIES_PER_CALL, byPoints);
}

/**
 * The fewest calls that can carry `queryCount` whole queries: both limits are per call and a
 * query cannot be split, so it is ceil(queries / queriesPerCall).
 */
export function minimumCalls(queryCount: number, pointsPerSeries: number, maxPointsPerCall = MAX_DATAPOINTS_PER_CALL): number {
  return Math.ceil(queryCount / queriesPerCall(pointsPerSeries, maxPointsPerCall));
}

export interface PlannedQuery<M = MetricSpec> {
  /** Id in the call: starts with a lowercase letter, [A-Za-z0-9_] only (API model). */
  id: string;
  /** Index of the function in the input list. */
  fn: number;
  metric: M;
}

export interface PlannedCall<M = MetricSpec> {
  queries: PlannedQuery<M>[];
  /** Data points this call asks for (queries x points per series). */
  dataPoints: number;
}

/**
 * Incremental form of `planCalls`, for functions that arrive while the calls already cut run
 * (pipelined discovery): `add` lays one function's queries after the previous ones and returns
 * the calls it completed (every `queriesPerCall` queries); `finish` returns the last, incomplete
 * call once no function will come. The calls are exactly those of `planCalls` over the same
 * functions in the same order, so the count stays the minimum however the functions arrive.
 */
export interface CallPacker<M = MetricSpec> {
  /** Adds function `fn` (indices must come in order 0, 1, 2, ...); returns the calls completed. */
  add(fn: number): PlannedCall<M>[];
  /** The incomplete call holding the queries added since the last cut (empty when none). */
  finish(): PlannedCall<M>[];
  readonly perCall: number;
}

/** Generic over the query kind `M` (also used for the Lambda Insights queries, insights.ts). */
export function createCallPacker<M = MetricSpec>(
  metrics: readonly M[],
  pointsPerSeries: number,
  maxPointsPerCall = MAX_DATAPOINTS_PER_CALL,
): CallPacker<M> {
  const perCall = queriesPerCall(pointsPerSeries, maxPointsPerCall);
  let current: PlannedQuery<M>[] = [];
  const cut = (): PlannedCall<M> => {
    const call = { queries: current, dataPoints: current.length * pointsPerSeries };
    current = [];
    return call;
  };
  return {
    perCall,
    add(fn) {
      const done: PlannedCall<M>[] = [];
      for (const metric of metrics) {
        current.push({ id: `q${current.length}`, fn, metric });
        if (current.length === perCall) done.push(cut());
      }
      return done;
    },
    finish() {
      return current.length > 0 ? [cut()] : [];
    },
  };
}

/**
 * Packs the queries of `functionCount` functions (each `metrics.length` queries, in function
 * order) into calls of at most queriesPerCall(points) queries. Queries of one function may
 * straddle two calls: that is what makes the count the minimum.
 */
export function planCalls(
  functionCount: number,
  metrics: readonly MetricSpec[],
  pointsPerSeries: number,
): PlannedCall[] {
  const packer = createCallPacker(metrics, pointsPerSeries);
  const calls: PlannedCall[] = [];
  for (let fn = 0; fn < functionCount; fn++) calls.push(...packer.add(fn));
  calls.push(...packer.finish());
  return calls;
}
