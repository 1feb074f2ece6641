import * as z from 'zod';
import type { FunctionSeries, PeriodSeconds } from '../source/profile.js';

/**
 * The metric store's on-disk contract (docs/store-format.md), version 2. One folder per account,
 * region and UTC day at a Hive-style path; in it a metrics object (one row per function and
 * period), a functions object (one row per function: its configuration when the day was read)
 * and `_status.json`, written last, which alone says whether the day is in the store.
 */

export const STORE_SCHEMA = 'lmi-advisor.store/v2' as const;
export const STORE_SCHEMA_VERSION = 2;
/**
 * Versions this code reads, schema name -> version. v1 differs only in its metric columns:
 * REQUIRED with NaN for unknown (v2: OPTIONAL, null). Its NaN reads as unknown, as v2's null
 * does, so a v1 day is used as it is; it is not rewritten (a complete day is never read again)
 * and the run warns (`store-v1-days`) that SQL engines see its unknown minutes as NaN.
 */
export const READABLE_SCHEMAS: ReadonlyMap<string, number> = new Map([
  ['lmi-advisor.store/v1', 1],
  [STORE_SCHEMA, STORE_SCHEMA_VERSION],
]);

export const METRICS_OBJECT = 'metrics.parquet';
export const FUNCTIONS_OBJECT = 'functions.parquet';
export const STATUS_OBJECT = '_status.json';

export const DAY_MS = 86_400_000;

/** `account=<id>/region=<region>/date=<yyyy-mm-dd>` (Hive partitions: Athena, DuckDB, Spark). */
export function dayFolder(accountId: string, region: string, date: string): string {
  return `account=${accountId}/region=${region}/date=${date}`;
}

/** UTC date of an instant, `yyyy-mm-dd`. */
export function utcDate(ms: number): string {
  return new Date(ms).toISOString().slice(0, 10);
}

export function dayStartMs(date: string): number {
  return Date.parse(`${date}T00:00:00.000Z`);
}

/** Metric columns: snapshot series key -> Parquet column (snake_case for SQL engines). */
export const METRIC_COLUMNS = {
  invocations: 'invocations',
  durationMsSum: 'duration_ms_sum',
  concurrencyMax: 'concurrency_max',
  durationMsMax: 'duration_ms_max',
  errors: 'errors',
  throttles: 'throttles',
} as const satisfies Record<keyof FunctionSeries, string>;

export type MetricKey = keyof typeof METRIC_COLUMNS;
export const REQUIRED_KEYS: readonly MetricKey[] = ['invocations', 'durationMsSum', 'concurrencyMax'];
export const OPTIONAL_KEYS: readonly MetricKey[] = ['durationMsMax', 'errors', 'throttles'];
/** How a coarser period is made from finer ones: sums add, maxima take the max. */
export const METRIC_AGGREGATE: Record<MetricKey, 'sum' | 'max'> = {
  invocations: 'sum',
  durationMsSum: 'sum',
  concurrencyMax: 'max',
  durationMsMax: 'max',
  errors: 'sum',
  throttles: 'sum',
};

/**
 * complete: the whole day, every function, every call answered, settled; never read again.
 * incomplete: some points unknown (a failed call, partial data); read again next run.
 * unsettled: the day ended less than settleMinutes before the run (or has not ended): its
 * late-arriving metrics may still change; read again next run.
 */
export const DAY_STATES = ['complete', 'incomplete', 'unsettled'] as const;
export type DayState = (typeof DAY_STATES)[number];

const periodSeconds = z.union([z.literal(60), z.literal(300), z.literal(3600)]);
const objectRef = z.strictObject({ key: z.string().min(1), bytes: z.number().int().min(0), rows: z.number().int().min(0) });

export const dayStatusSchema = z.strictObject({
  schema: z.string(),
  schemaVersion: z.number().int(),
  accountId: z.string().regex(/^\d{12}$/),
  region: z.string().min(1),
  date: z.string().regex(/^\d{4}-\d{2}-\d{2}$/),
  state: z.enum(DAY_STATES),
  periodSeconds,
  /** false when CloudWatch no longer kept 1-minute data for the day: read at a coarser period. */
  finestResolution: z.boolean(),
  /** Exclusive end of the data read (the day's end unless unsettled and cut at the run's window end). */
  coveredUntil: z.string(),
  metrics: z.array(z.enum(Object.keys(METRIC_COLUMNS) as [MetricKey, ...MetricKey[]])).min(3),
  functions: z.number().int().min(0),
  unknownPoints: z.number().int().min(0),
  /** Functions with at least one unknown point (first 100). */
  functionsWithUnknown: z.array(z.string()),
  writtenAt: z.string(),
  writer: z.string(),
  objects: z.strictObject({ metrics: objectRef, functions: objectRef }),
});

export type DayStatus = z.infer<typeof dayStatusSchema>;

export function pointsPerDay(period: PeriodSeconds): number {
  return 86_400 / period;
}
