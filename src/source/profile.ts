import type { BilledData } from '../bill/types.js';

/**
 * What every source (snapshot file or live AWS) yields: one header per run and a stream of
 * FunctionProfiles. This is the contract between sources and the model; see
 * docs/snapshot-format.md.
 */

export type Architecture = 'x86_64' | 'arm64';

/** Periods CloudWatch keeps: 1-min data 15 days, 5-min 63 days, 1-hour 455 days. */
export type PeriodSeconds = 60 | 300 | 3600;

export interface SnapshotWindow {
  /** ISO-8601, inclusive. */
  start: string;
  /** ISO-8601, exclusive. */
  end: string;
  periodSeconds: PeriodSeconds;
}

/**
 * Prices recorded with a snapshot (by `record`), in the Price List API's own item shape, so the
 * same parser reads them. `source` tells where the recorder got them.
 */
export interface RecordedPrices {
  asOf: string;
  source: 'live' | 'bundled';
  /** `PriceList[]` elements of GetProducts (AWSLambda and AmazonEC2), as JSON strings. */
  items: string[];
}

export interface SnapshotHeader {
  schema: 'lmi-advisor.snapshot/v1';
  capturedAt: string;
  accountId: string;
  window: SnapshotWindow;
  /** Regions the recording covered (informational). */
  regions?: string[];
  prices?: RecordedPrices;
  /** Problems met while recording (region failures, partial data); carried into the report. */
  warnings?: SourceWarning[];
  /** The bill for the window, recorded by `record --reconcile` (docs/snapshot-format.md). */
  bill?: BilledData;
}

export interface SourceWarning {
  code: string;
  message: string;
  region?: string;
  function?: string;
}

/**
 * One value per period, oldest first. `null` = not known (CloudWatch PartialData, a failed
 * query). For Lambda Sum metrics a missing CloudWatch point means "no activity" and is 0.
 */
export type Series = (number | null)[];

export interface FunctionSeries {
  invocations: Series;
  durationMsSum: Series;
  concurrencyMax: Series;
  durationMsMax?: Series;
  errors?: Series;
  throttles?: Series;
}

export interface FunctionProfile {
  region: string;
  name: string;
  /** null for container-image functions (no managed runtime). */
  runtime: string | null;
  architecture: Architecture;
  memoryMB: number;
  timeoutSeconds: number;
  ephemeralStorageMB: number;
  /**
   * Allocated provisioned concurrency summed over the function's versions/aliases; null when it
   * could not be read (its standard cost is then unknown, never priced as if PC were 0).
   */
  provisionedConcurrency: number | null;
  reservedConcurrency?: number | null;
  packageType?: 'Zip' | 'Image';
  tags: Record<string, string>;
  /** Set when the function already runs on a capacity provider (already on LMI). */
  capacityProviderArn?: string | null;
  /** Lambda Insights `used_memory_max` (MB), when known. */
  memoryUsedMBMax?: number | null;
  /** Lambda Insights `cpu_total_time` per invocation, in seconds, when known. */
  cpuSecondsPerInvocation?: number | null;
  /**
   * Lambda Insights `init_duration` summed over the window / invocations (ms; cold starts spread
   * over all invocations), when known: INIT GB-s = this x invocations x memory GB / 1000.
   * Compared with the bill's unexplained duration in the reconciliation (docs/reconciliation.md).
   */
  initMsPerInvocation?: number | null;
  series: FunctionSeries;
}

/** Number of periods a window holds: (end - start) / periodSeconds. */
export function periodCount(window: SnapshotWindow): number {
  const ms = Date.parse(window.end) - Date.parse(window.start);
  return Math.round(ms / 1000 / window.periodSeconds);
}

/** Window length in hours. */
export function windowHours(window: SnapshotWindow): number {
  return (Date.parse(window.end) - Date.parse(window.start)) / 3_600_000;
}
