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
  /**
   * EC2 instance cost of the capacity providers (LMI), read only when the Lambda lines show LMI
   * usage; absent when not asked (no LMI line, or a bill recorded before this field existed).
   */
  lmiInstances?: LmiInstanceBill;
  /**
   * CloudWatch's capacity-provider metrics of the providers functions already on LMI use, read
   * with the bill (`record --reconcile` stores them so an offline analyze shows them); absent when
   * not read.
   */
  lmiMetrics?: LmiProviderMetricsRead;
}

/**
 * The tag Lambda puts on a capacity provider's EC2 instances ("You can identify Lambda Managed
 * Instances in your account by ... the aws:lambda:capacity-provider tag on the instance",
 * https://docs.aws.amazon.com/lambda/latest/dg/lambda-managed-instances.html).
 * [UNCONFIRMED] that Cost Explorer can group by it (an AWS-generated tag must be activated as a
 * cost allocation tag to show) and whether its value is the provider's name or ARN: both are
 * matched (compare.ts), and no tagged cost at all is reported as "not found", never as $0.
 */
export const LMI_INSTANCE_TAG = 'aws:lambda:capacity-provider';

/** `arn:aws:lambda:<region>:<account>:capacity-provider:<name>` -> `<name>` (a bare name is returned as it is). */
export function capacityProviderName(arnOrName: string): string {
  return arnOrName.slice(arnOrName.lastIndexOf(':') + 1);
}

/** EC2 instance cost tagged `aws:lambda:capacity-provider`, per day x tag value x region. */
export interface LmiInstanceLine {
  day: string;
  /** The tag's value as Cost Explorer groups it (a capacity provider's name or ARN). */
  capacityProvider: string;
  region: string;
  unblendedUsd: number;
  netUnblendedUsd: number | null;
}

export interface LmiInstanceBill {
  /** `ok`: asked and read (lines may be empty: no tagged cost); else nothing read. */
  status: 'ok' | 'denied' | 'failed';
  /** Tagged lines only; cost without the tag (every other instance) is not kept. */
  lines: LmiInstanceLine[];
  notes: string[];
}

/** Cost Explorer price: $0.01 per API request, paginated requests each count (CE pricing page). */
export const CE_USD_PER_REQUEST = 0.01;

/**
 * CloudWatch's capacity-provider metrics over the window's whole days, for one capacity provider
 * of a function already on LMI (src/source/aws/capacity-provider-metrics.ts). null = no data.
 */
export interface LmiProviderMetrics {
  region: string;
  capacityProviderArn: string;
  /** InstanceType values the provider's metrics carry. */
  instanceTypes: string[];
  /** Days with a vCPUAllocated or vCPUAvailable point. */
  daysWithData: number;
  /** Mean of the daily Average CPUUtilization (%), per instance type. */
  cpuUtilizationPctByType: Record<string, number | null>;
  /** vCPUs allocated to execution environments (daily Average summed over instance types, mean over days). */
  vCpuAllocatedAvg: number | null;
  /** vCPUs available for allocation, same aggregation. */
  vCpuAvailableAvg: number | null;
}

export interface LmiProviderMetricsRead {
  providers: LmiProviderMetrics[];
  /** Providers whose metrics could not be read, with the reason. */
  notes: string[];
  /** CloudWatch requests made (ListMetrics + GetMetricData). */
  requests: number;
}
