import type { PeriodSeconds, Series, SnapshotWindow } from '../source/profile.js';
import { finestRetainedPeriod, type Resolution } from '../source/aws/metrics-plan.js';
import { DAY_MS, dayStartMs, METRIC_AGGREGATE, type DayStatus, type MetricKey, utcDate } from './format.js';

/**
 * What a store-backed run reads and how it assembles its window. Pure: no clock, no I/O.
 *
 * The window is the last `days` days before `now`, aligned to its period, as `record` reads it;
 * the store holds whole UTC days, so the window touches `days + 1` dates (its first and last
 * partly). The window's period is the requested one (auto: 60 s), or coarser when a day of the
 * window is only held (or only still kept by CloudWatch) at a coarser period: the whole window
 * is then assembled at that period (sums added, maxima maxed), as CloudWatch would aggregate.
 */

export interface DayPlan {
  date: string;
  /** keep: complete in the store for every listed function. add: complete, but some listed
   * functions are not in it (new functions): read only those and merge. add-coarse: the same,
   * but CloudWatch now keeps the day only at a coarser period than it is held at: the new
   * functions are read at `coarsePeriodSeconds` (see docs/store-format.md). read: absent,
   * incomplete or unsettled: read the whole day. skip: CloudWatch no longer keeps it. */
  action: 'keep' | 'add' | 'add-coarse' | 'read' | 'skip';
  /** Period the day is (or will be) held at. */
  periodSeconds: PeriodSeconds | null;
  /** Whether the day ended settleMinutes or more before `now` (may be stored complete). */
  settled: boolean;
  /** Exclusive end of what can be read now (the day's end, or `now` aligned for today). */
  readEndMs: number;
  /** For `add` and `add-coarse`: the listed functions the stored day lacks. */
  missingFunctions: string[];
  /** For `add-coarse`: the period CloudWatch still keeps the day at (5 minutes). */
  coarsePeriodSeconds?: PeriodSeconds;
  /** Listed functions the stored day lacks and CloudWatch no longer keeps finely enough: unknown. */
  unknownFunctions: string[];
}

export interface WindowPlan {
  window: SnapshotWindow;
  /** Newest first: the order days are read in (a cut-short backfill keeps the recent ones). */
  days: DayPlan[];
}

export function alignedWindow(nowMs: number, days: number, period: PeriodSeconds): SnapshotWindow {
  const periodMs = period * 1000;
  const endMs = Math.floor(nowMs / periodMs) * periodMs;
  return { start: new Date(endMs - days * DAY_MS).toISOString(), end: new Date(endMs).toISOString(), periodSeconds: period };
}

/** UTC dates a window touches, oldest first. */
export function windowDates(window: SnapshotWindow): string[] {
  const dates: string[] = [];
  const endMs = Date.parse(window.end);
  for (let t = dayStartMs(utcDate(Date.parse(window.start))); t < endMs; t += DAY_MS) dates.push(utcDate(t));
  return dates;
}

export interface PlanInput {
  now: Date;
  days: number;
  resolution: Resolution;
  settleMinutes: number;
  /** Metrics this run needs. */
  metrics: readonly MetricKey[];
  /** The stored status of a date (null: absent). */
  status(date: string): DayStatus | null;
  /** Function names a stored day holds (asked only for complete days). */
  storedFunctions(date: string): ReadonlySet<string>;
  /** Functions listed now. */
  listed: readonly string[];
}

/** The period a date is held at, or would be read at now (null: CloudWatch no longer keeps it). */
function dayPeriod(input: PlanInput, date: string): PeriodSeconds | null {
  const status = input.status(date);
  if (status?.state === 'complete' && input.metrics.every((m) => status.metrics.includes(m))) return status.periodSeconds;
  return finestRetainedPeriod(input.now.getTime(), dayStartMs(date));
}

export function planStoreWindow(input: PlanInput): WindowPlan {
  const nowMs = input.now.getTime();
  let period: PeriodSeconds = input.resolution === 'auto' ? 60 : input.resolution;
  let window = alignedWindow(nowMs, input.days, period);
  // Coarsen until every date of the window is held at the window's period or finer.
  for (;;) {
    const coarsest = windowDates(window)
      .map((d) => dayPeriod(input, d))
      .reduce<number>((max, p) => Math.max(max, p ?? 0), period) as PeriodSeconds;
    if (coarsest <= period) break;
    period = coarsest;
    window = alignedWindow(nowMs, input.days, period);
  }
  const settleMs = input.settleMinutes * 60_000;
  const days = windowDates(window)
    .reverse()
    .map((date): DayPlan => {
      const startMs = dayStartMs(date);
      const endMs = startMs + DAY_MS;
      const status = input.status(date);
      const p = dayPeriod(input, date);
      const settled = endMs + settleMs <= nowMs;
      const readEndMs = p === null ? endMs : Math.min(endMs, Math.floor(nowMs / (p * 1000)) * p * 1000);
      const base = { date, periodSeconds: p, settled, readEndMs, missingFunctions: [] as string[], unknownFunctions: [] as string[] };
      if (status?.state === 'complete' && input.metrics.every((m) => status.metrics.includes(m))) {
        const stored = input.storedFunctions(date);
        const missing = input.listed.filter((n) => !stored.has(n));
        if (missing.length === 0) return { ...base, action: 'keep' };
        // Read at the period the day is held at while CloudWatch keeps it that fine (or finer).
        const held = { ...base, periodSeconds: status.periodSeconds as PeriodSeconds };
        const retained = finestRetainedPeriod(nowMs, startMs);
        if (retained !== null && retained <= status.periodSeconds) return { ...held, action: 'add', missingFunctions: missing };
        // CloudWatch keeps the day only coarser than it is held: the new functions' days at
        // 5 minutes (or the window's own period), never coarser; past that they are unknown.
        if (retained !== null && (retained <= 300 || retained <= window.periodSeconds)) {
          return { ...held, action: 'add-coarse', missingFunctions: missing, coarsePeriodSeconds: retained };
        }
        return { ...held, action: 'keep', unknownFunctions: missing };
      }
      if (p === null) return { ...base, action: 'skip' };
      return { ...base, action: 'read' };
    });
  return { window, days };
}

/**
 * One function's series over the window, from its full-day values per date (NaN or null:
 * unknown; no day: the date is not in the store, or the function is not in that day: unknown).
 * Days held at a finer period than the window's are aggregated (sum or max; any unknown part
 * makes the period unknown).
 *
 * Called once per function and metric (30,000 times for 10,000 functions), so built for speed:
 * the dates are contiguous and oldest first, so values are written straight into the result,
 * sized once, doubles only (NaN for unknown: V8 keeps such an array unboxed), and nulls put in
 * only where unknown. The former version filled a Float64Array, then pushed its values into an
 * array: 45 % of `analyze` from the store at 1,000 functions (node --cpu-prof of
 * bench/store-analyze.ts). Measured with bench/store-decode.ts (CPU per 14-day 1-minute series,
 * 2026-12-01, load 16 on 2 cores): 0.91 ms before, 0.52 ms now.
 */
export function assembleSeries(
  window: SnapshotWindow,
  metric: MetricKey,
  dayOf: (date: string) => { periodSeconds: PeriodSeconds; series: ArrayLike<number | null> } | null,
): Series {
  const periodMs = window.periodSeconds * 1000;
  const startMs = Date.parse(window.start);
  const endMs = Date.parse(window.end);
  const agg = METRIC_AGGREGATE[metric];
  const total = Math.round((endMs - startMs) / periodMs);
  const series: Series = [];
  series.length = total;
  let at = 0;
  let unknown = false;
  for (const date of datesOf(window)) {
    const dayStart = dayStartMs(date);
    const from = Math.max(startMs, dayStart);
    const to = Math.min(endMs, dayStart + DAY_MS);
    const n = Math.round((to - from) / periodMs);
    const day = dayOf(date);
    if (!day) {
      for (let k = 0; k < n; k++) series[at++] = Number.NaN;
      unknown ||= n > 0;
      continue;
    }
    const ratio = Math.round(window.periodSeconds / day.periodSeconds);
    const dayFrom = Math.round((from - dayStart) / (day.periodSeconds * 1000));
    const values = day.series;
    if (ratio === 1) {
      for (let k = 0; k < n; k++) {
        const v = values[dayFrom + k];
        if (v === null || v === undefined || v !== v) {
          series[at++] = Number.NaN;
          unknown = true;
        } else {
          series[at++] = v;
        }
      }
      continue;
    }
    for (let k = 0; k < n; k++) {
      const first = dayFrom + k * ratio;
      let value = agg === 'sum' ? 0 : Number.NEGATIVE_INFINITY;
      for (let j = 0; j < ratio; j++) {
        const v = values[first + j];
        if (v === null || v === undefined || v !== v) {
          value = Number.NaN;
          break;
        }
        value = agg === 'sum' ? value + v : Math.max(value, v);
      }
      unknown ||= value !== value;
      series[at++] = value;
    }
  }
  if (at !== total) throw new Error(`assembleSeries: ${at} periods assembled, the window has ${total}`);
  if (unknown) for (let k = 0; k < total; k++) if (series[k] !== series[k]) series[k] = null;
  return series;
}

/** windowDates of the last window asked (the same for every function of a run). */
let lastDates: { key: string; dates: string[] } | null = null;
function datesOf(window: SnapshotWindow): string[] {
  const key = `${window.start}/${window.end}`;
  if (lastDates?.key !== key) lastDates = { key, dates: windowDates(window) };
  return lastDates.dates;
}
