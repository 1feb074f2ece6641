/**
 * The bill as read from Cost Explorer (or from a snapshot that recorded it): one line per day x
 * usage type (x resource at resource level, x region at account level). Plain data, JSON-safe.
 */

export interface BilledLine {
  /** UTC day, YYYY-MM-DD. */
  day: string;
  usageType: string;
  /** Function ARN (resource level); null at region level. */
  resourceId: string | null;
  /** REGION dimension (region level); null at resource level (the usage type tells it). */
  region: string | null;
  /** UnblendedCost, USD. */
  unblendedUsd: number;
  /** NetUnblendedCost, USD; null when not returned. */
  netUnblendedUsd: number | null;
  /** UsageQuantity in the usage type's unit (requests, GB-s, hours). */
  quantity: number;
}

export type BillStatus =
  /** Lines read. */
  | 'ok'
  /** Cost Explorer refused (AccessDenied): nothing read. */
  | 'denied'
  /** Another error: nothing read. */
  | 'failed';

export interface BilledData {
  status: BillStatus;
  /** `resource`: GetCostAndUsageWithResources; `region`: GetCostAndUsage by REGION. */
  level: 'resource' | 'region' | null;
  /** Days asked for: [startDay, endDay) (CE's own convention, end exclusive). */
  startDay: string;
  endDay: string;
  lines: BilledLine[];
  /** Cost Explorer requests made (each is billed $0.01) and the throttled ones retried. */
  requests: number;
  throttled: number;
  /** Why the data is missing or only at region level. */
  notes: string[];
}

/** Cost Explorer price: $0.01 per API request, paginated requests each count (CE pricing page). */
export const CE_USD_PER_REQUEST = 0.01;
