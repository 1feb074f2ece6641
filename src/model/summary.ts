import type { Architecture } from '../source/profile.js';
import type { ReportWarning, Usage } from '../report/types.js';
import type { LmiSizing } from './lmi/types.js';

/**
 * Monthly (730 h) quantities of one function, extrapolated from the known periods to the whole
 * window, then scaled by 730 / window hours. Tiers and the free tier are monthly thresholds, so
 * build-report applies them to these.
 */
export interface MonthlyQuantities {
  requests: number;
  /** Billed GB-s not served by provisioned concurrency: these go to the duration tiers. */
  onDemandGbSeconds: number;
  /** Provisioned concurrency configured (PC x memory GB x seconds in the month). */
  pcGbSeconds: number;
  /** Billed GB-s that ran on provisioned concurrency (PC-duration price). */
  pcDurationGbSeconds: number;
  /** Ephemeral storage above 512 MB x billed duration seconds. */
  ephemeralGbSeconds: number;
}

/** The standard-Lambda lines that do not depend on the account's other functions (monthly USD). */
export interface NonTieredCost {
  requestsUsd: number;
  /** Configured PC + PC-duration, after pricing.lambdaDiscount. */
  provisionedConcurrencyUsd: number;
  /** The configured-PC part alone: fixed whatever the traffic (used for break-even traffic). */
  pcConfiguredUsd: number;
  ephemeralStorageUsd: number;
}

/**
 * Everything build-report needs about one function once its series are dropped (streaming:
 * `analyze` keeps only these). No raw series here.
 */
export interface FunctionSummary {
  region: string;
  name: string;
  runtime: string | null;
  architecture: Architecture;
  memoryMB: number;
  tags: Record<string, string>;
  /** Value of the config.lmi.trustGroupTag tag; null when untagged. */
  trustGroup: string | null;
  alreadyOnLmi: boolean;
  provisionedConcurrency: number | null;
  /** Over each series' known periods (not extrapolated, not monthly). */
  usage: Usage;
  /** unknownPeriods / all periods (0..1). */
  unknownShare: number;
  /** Invocations over the window, extrapolated over its unknown periods; null = unknown. */
  windowInvocations: number | null;
  /**
   * null when a quantity it needs is unknown (invocations or duration in every period, PC share
   * of a PC function, PC itself), or the function is already on LMI (not billed as standard).
   */
  monthly: MonthlyQuantities | null;
  /** False with provisioned concurrency: the free tier does not apply to PC functions (pricing page). */
  freeTierEligible: boolean;
  /** null when the region has no Lambda prices, PC is unknown, `monthly` is null, or already on LMI. */
  cost: NonTieredCost | null;
  /** Why `cost` is null, each reason true and specific (empty when known or already on LMI). */
  standardUnknownReasons: string[];
  sizing: LmiSizing | null;
  /** Why `sizing` is null (a sentence), or null when sized or already on LMI. */
  lmiUnknownReason: string | null;
  warnings: ReportWarning[];
}
