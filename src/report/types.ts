import type { Architecture, PeriodSeconds } from '../source/profile.js';

/**
 * ReportModel: the plain data every renderer (JSON, Markdown, HTML, Slack, email) reads.
 * `report.json` is this object serialised (schema lmi-advisor.report/v1; fields in the README "report.json").
 * The what-if page's report holds FunctionReports whose rarely read figures are computed on first
 * read (src/model/build-report.ts FunctionFigures): read their fields or JSON.stringify them.
 * All money is USD per month of 730 h (window totals x 730 / window hours), unrounded.
 * `null` means unknown (no price for the region, no data) and is never shown as 0.
 */

export type Recommendation = 'migrate' | 'stay' | 'review' | 'insufficient-data' | 'ineligible';

export const RECOMMENDATIONS: readonly Recommendation[] = [
  'migrate',
  'review',
  'stay',
  'insufficient-data',
  'ineligible',
];

export interface ReportWindow {
  start: string;
  end: string;
  periodSeconds: PeriodSeconds;
  hours: number;
}

export interface Assumption {
  /** Dotted config key, e.g. `lmi.discount`. */
  key: string;
  value: unknown;
  default: unknown;
  description: string;
}

export interface ReportWarning {
  /** Stable machine code, e.g. `no-prices`, `region-failed`, `partial-data`, `init-not-in-duration`. */
  code: string;
  message: string;
  region?: string;
  function?: string;
}

/**
 * Usage over the window, each figure over the periods where its own series is known (not
 * extrapolated). null = unknown (its series is null in every period), never 0.
 */
export interface Usage {
  invocations: number | null;
  /** Billed GB-s of the duration-known periods (duration incl. the rounding knob, x memory). */
  gbSeconds: number | null;
  avgDurationMs: number | null;
  peakConcurrency: number | null;
  avgConcurrency: number | null;
  /** avgConcurrency / peakConcurrency (the seeds' utilization view). */
  utilization: number | null;
  /** Periods with an unknown (null) value in a required series. */
  unknownPeriods: number;
  /** Unknown periods of each required series on its own (absent in reports before issue 8). */
  unknownPeriodsBySeries?: { invocations: number; durationMsSum: number; concurrencyMax: number };
}

export interface StandardCost {
  requestsUsd: number;
  /** On-demand duration (what did not run on provisioned concurrency), after the tiers. */
  durationUsd: number;
  /** Provisioned concurrency: configured PC plus the duration that ran on it (PC-duration price). */
  provisionedConcurrencyUsd: number;
  /**
   * Of provisionedConcurrencyUsd, the duration that ran on PC (already inside it: not added to
   * totalUsd again). Absent in older reports.
   */
  provisionedDurationUsd?: number;
  ephemeralStorageUsd: number;
  totalUsd: number;
}

/**
 * measured: Lambda Insights; bound: the full vCPU share standard Lambda gave the invocation;
 * bound-single-threaded: capped at 1 vCPU by lmi.cpuBound = single-threaded (Node.js, Python);
 * assumed: lmi.cpuBusyFraction < 1.
 */
export type CpuSource = 'measured' | 'bound' | 'bound-single-threaded' | 'assumed';

export interface LmiResult {
  eligible: boolean;
  /** Why it cannot run on LMI as it is (e.g. runtime not supported). */
  blockers: string[];
  needsRuntimeUpgrade: boolean;
  needsMemoryIncrease: boolean;
  /** Function memory on LMI: max(2048, memoryMB). */
  memoryMB: number;
  instanceType: string | null;
  memoryGiBPerVCpu: number;
  vCpusPerEnvironment: number;
  perEnvironmentConcurrency: number;
  /** What capped per-EE concurrency. */
  concurrencyLimitedBy: 'runtime' | 'cpu' | 'memory';
  /** Python process memory used for the memory cap: measured (Insights) or configured. */
  processMemorySource: 'measured' | 'configured' | null;
  minEnvironments: number;
  maxEnvironments: number;
  avgEnvironments: number;
  instanceHours: number;
  avgInstances: number;
  peakInstances: number;
  ec2Usd: number;
  managementFeeUsd: number;
  requestsUsd: number;
  totalUsd: number;
  /** Estimated invocations over the window that would have been throttled while scaling out. */
  throttledInvocations: number;
  cpuSource: CpuSource;
  /** With cpuSource 'assumed' from a per-function override: its config key (lmi.cpuBusyFractionByFunction."<key>"); absent: lmi.cpuBusyFraction. */
  cpuAssumedBy?: string;
  /** CPU-seconds per invocation used for sizing; null = unknown (no known duration; sizing then uses the CPU share). */
  cpuSecondsPerInvocation: number | null;
  /** LMI is cheaper below this many CPU-seconds per second of duration (vCPUs busy on average; may exceed 1); null if never. */
  breakEvenCpuShare: number | null;
}

/** Downsampled series for the concurrency chart (max per bucket). */
export interface ChartSeries {
  bucketSeconds: number;
  /** Start of the first bucket (ISO). */
  start: string;
  /** Peak concurrency per bucket; null = unknown. */
  concurrencyMax: (number | null)[];
  /** Concurrency the replayed LMI capacity could serve (EEs x per-EE concurrency), min per bucket. */
  lmiCapacity: number[];
  /** True where the replay throttled in the bucket. */
  throttled: boolean[];
}

export interface FunctionReport {
  region: string;
  name: string;
  runtime: string | null;
  architecture: Architecture;
  memoryMB: number;
  tags: Record<string, string>;
  trustGroup: string | null;
  /** Already runs on a capacity provider: reported, never re-recommended. */
  alreadyOnLmi: boolean;
  /** null when it could not be read: standard cost is then unknown. */
  provisionedConcurrency: number | null;
  usage: Usage;
  /** null when unknown: no prices for the region, PC unreadable, or a series it needs unknown (see reasons). */
  standard: StandardCost | null;
  /** null when unknown: no prices, concurrency or invocations unknown in every period, or not modelled (see reasons). */
  lmi: LmiResult | null;
  /** standard.totalUsd - lmi.totalUsd (function alone); null when either is unknown. */
  savingsUsd: number | null;
  recommendation: Recommendation;
  reasons: string[];
  risks: string[];
  /**
   * `review` only: the risks that must be accepted before the saving is real, in short phrases
   * shown next to the figure (src/report/verdicts.ts). Empty otherwise; absent in older reports.
   */
  reviewRisks?: string[];
  /** Monthly invocations (same shape of traffic) at which LMI alone costs the same as standard. */
  breakEvenInvocationsPerMonth: number | null;
  /** Standard cost per busy GB-hour / LMI cost per provisioned GB-hour (seeds' view). */
  busyTimePremium: number | null;
  chart: ChartSeries | null;
}

/**
 * A function's first reason ('' if none). buildReport for the what-if page (`lazy`) builds the
 * reasons after the first only when `reasons` is read; this reads the first without them.
 */
export function firstReason(f: FunctionReport): string {
  const lazy = (f as { firstReason?: string }).firstReason;
  return lazy !== undefined ? lazy : (f.reasons[0] ?? '');
}

export interface CapacityProviderFunction {
  name: string;
  memoryMB: number;
  memoryGiBPerVCpu: number;
  perEnvironmentConcurrency: number;
  minEnvironments: number;
  maxEnvironments: number;
}

export interface CapacityProviderPlan {
  name: string;
  region: string;
  architecture: Architecture;
  trustGroup: string | null;
  instanceType: string;
  /** Ratio of the instance family (C 2, M 4, R 8). */
  memoryGiBPerVCpu: number;
  functions: string[];
  functionSettings: CapacityProviderFunction[];
  instanceHours: number;
  avgInstances: number;
  peakInstances: number;
  /** For CapacityProviderScalingConfig.MaxVCpuCount: peak instances x vCPUs, with margin. */
  maxVCpuCount: number;
  ec2Usd: number;
  managementFeeUsd: number;
  requestsUsd: number;
  totalUsd: number;
  /** Sum of the functions' lmi.totalUsd alone (what grouping saves is the difference). */
  dedicatedTotalUsd: number;
  /** Sum of the functions' standard.totalUsd (before the free tier). */
  standardTotalUsd: number;
}

export interface Totals {
  /** Sum of functions' standard.totalUsd minus freeTierCreditUsd. */
  standardUsd: number;
  freeTierCreditUsd: number;
  /** The month with every `migrate` applied (capacity providers + standard for the rest). */
  recommendedUsd: number;
  savingsUsd: number;
  /** What grouping untagged `migrate` functions by region+architecture would save on top. */
  groupUntaggedExtraSavingsUsd: number | null;
  /** Functions per recommendation. */
  counts: Record<Recommendation, number>;
  /** Functions left out of the money totals (standard cost unknown, already on LMI). */
  unpricedFunctions: number;
}

export interface PriceProvenance {
  source: 'live' | 'bundled' | 'snapshot';
  asOf: string;
  regions: string[];
  missingRegions: string[];
}

export interface RunInfo {
  tool: string;
  version: string;
  generatedAt: string;
  /** How to reproduce this run. */
  command: string;
  snapshot?: string;
  config?: string;
  /** false when a region or API failed, or a run was cut short: never publish as complete. */
  complete: boolean;
}

/** Change since the previous run (nightly job); absent when there is no previous report. */
export interface ChangeSummary {
  previousGeneratedAt: string;
  newFunctions: string[];
  removedFunctions: string[];
  changedRecommendations: { function: string; from: Recommendation; to: Recommendation }[];
  savingsDeltaUsd: number;
}

export interface ReportModel {
  schema: 'lmi-advisor.report/v1';
  accountId: string;
  run: RunInfo;
  window: ReportWindow;
  assumptions: Assumption[];
  prices: PriceProvenance;
  totals: Totals;
  capacityProviders: CapacityProviderPlan[];
  functions: FunctionReport[];
  warnings: ReportWarning[];
  changes?: ChangeSummary;
  /** Billed vs modelled (Cost Explorer); absent unless the run asked for it (--reconcile). */
  reconciliation?: Reconciliation;
}

/** Modelled vs billed for one quantity; deviation = modelled - billed (null when unknown). */
export interface ReconFigure {
  modelled: number | null;
  billed: number | null;
  deviation: number | null;
  /** deviation / billed x 100; null when the bill is 0 or either side unknown. */
  deviationPct: number | null;
}

/** Why a row deviates, when known. */
export type ReconReasonCode =
  | 'init'
  | 'provisioned-concurrency'
  | 'savings-plan'
  | 'missing-metrics'
  | 'requests-differ'
  | 'not-billed'
  | 'not-modelled'
  | 'free-tier';

export interface ReconReason {
  code: ReconReasonCode;
  message: string;
}

/** Standard Lambda over the compared days: requests, on-demand GB-s, PC GB-s, dollars. */
export interface ReconQuantities {
  requests: ReconFigure;
  /** On-demand duration (Lambda-GB-Second) plus duration on PC (Lambda-Provisioned-GB-Second). */
  durationGbSeconds: ReconFigure;
  /** Provisioned concurrency configured (Lambda-Provisioned-Concurrency). */
  pcGbSeconds: ReconFigure;
  /** Modelled at list prices after pricing.lambdaDiscount vs the bill's UnblendedCost. */
  usd: ReconFigure;
  /** The bill's NetUnblendedCost (after Savings Plans and discounts); null when not returned. */
  billedNetUsd: number | null;
}

export interface ReconRegionRow extends ReconQuantities {
  region: string;
  architecture: Architecture;
  reasons: ReconReason[];
}

export interface ReconFunctionRow extends ReconQuantities {
  region: string;
  name: string;
  architecture: Architecture | null;
  /** Billed minus modelled duration GB-s per month (730 h): mostly INIT; null when unknown. */
  initGbSecondsPerMonth: number | null;
  initUsdPerMonth: number | null;
  /** Lambda Insights `init_duration` vs the bill's unexplained duration, same days; null without Insights data or either side. */
  insightsInit: ReconInsightsInit | null;
  reasons: ReconReason[];
}

/**
 * INIT measured by Lambda Insights next to what the bill has that Duration + rounding does not
 * (billed minus modelled duration GB-s), over the compared days.
 */
export interface ReconInsightsInit {
  /** Insights INIT ms per invocation x modelled invocations x memory GB / 1000. */
  insightsGbSeconds: number;
  /** Billed minus modelled duration GB-s (may be negative). */
  unexplainedGbSeconds: number;
  /** insights - unexplained. */
  deviationGbSeconds: number;
  /** deviation / unexplained x 100; null when the unexplained GB-s are 0. */
  deviationPct: number | null;
}

/** LMI actuals: a capacity provider's billed LMI lines next to the model's prediction. */
export interface ReconLmiRow {
  region: string;
  capacityProvider: string | null;
  instanceType: string | null;
  /** Predicted and billed cover the same parts: management fee + LMI requests, plus the EC2 instances when instancesIncluded. */
  predictedUsd: number | null;
  /** null when nothing billed can be set next to the prediction in this row (account level: the fee and requests are in the region's row). */
  billedUsd: number | null;
  /** The bill had EC2 instance cost tagged with this capacity provider (both figures include it). */
  instancesIncluded: boolean;
  /** The instances' part of predictedUsd and billedUsd; null when not included. */
  predictedInstancesUsd: number | null;
  billedInstancesUsd: number | null;
  /** Instance-hours over the compared days: the management fee's billed quantity (null: no fee line) and the model's. */
  billedInstanceHours?: number | null;
  predictedInstanceHours?: number | null;
  /** CloudWatch capacity-provider metrics over the window (AWS/Lambda, CapacityProviderName x InstanceType); null when not read or no data. */
  cloudWatch?: {
    instanceTypes: string[];
    /** Mean daily Average CPUUtilization, %, per instance type. */
    cpuUtilizationPctByType: Record<string, number | null>;
    /** vCPUs allocated to execution environments / available for allocation, mean of daily Averages. */
    vCpuAllocatedAvg: number | null;
    vCpuAvailableAvg: number | null;
    /** The model's average vCPUs allocated (environments x vCPUs per environment), summed over the provider's functions. */
    predictedVCpuAllocatedAvg: number | null;
  } | null;
  message: string;
}

export interface ReconUnknownUsageType {
  usageType: string;
  reason: string;
  billedUsd: number;
  quantity: number;
}

export interface Reconciliation {
  /** `ok`: compared; `unavailable`: nothing compared (the reason says why). */
  status: 'ok' | 'unavailable';
  /** Why the section is empty or limited (AccessDenied, no opt-in, no whole day in the window). */
  reason: string | null;
  /** `resource`: per function (GetCostAndUsageWithResources); `region`: per region only. */
  level: 'resource' | 'region' | null;
  /** First and last UTC day compared (inclusive), YYYY-MM-DD. */
  firstDay: string | null;
  lastDay: string | null;
  /** One line: how far the modelled standard cost is from the bill. */
  headline: string;
  /** reconcile.maxDeviationPct used for the warning. */
  maxDeviationPct: number;
  /** Cost Explorer requests made and their price ($0.01 each). */
  costExplorer: { requests: number; usd: number };
  totals: ReconQuantities | null;
  byRegion: ReconRegionRow[];
  /** Resource level only: largest absolute $ deviation first. */
  functions: ReconFunctionRow[];
  /** Billed minus modelled duration GB-s over all compared functions, per month (mostly INIT). */
  init: { gbSecondsPerMonth: number; usdPerMonth: number } | null;
  lmi: ReconLmiRow[];
  /** Lambda usage types the table does not know: listed, never dropped. */
  unknownUsageTypes: ReconUnknownUsageType[];
}
