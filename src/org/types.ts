import type { FreeTierBucket } from '../model/free-tier.js';
import type {
  Assumption,
  CapacityProviderPlan,
  PriceProvenance,
  Recommendation,
  ReportModel,
  ReportWarning,
  ReportWindow,
  RunInfo,
  Totals,
} from '../report/types.js';

/**
 * The organization run: plan (accounts x regions) -> one shard per account-region -> merge.
 * Everything here is plain data that crosses a process boundary (S3 objects, Step Functions
 * items), so it stays small: a shard result carries no minute data and no charts.
 */

/** One unit of work: one account in one region. */
export interface ShardItem {
  accountId: string;
  region: string;
  /** Role to assume in the account; null = the current credentials (the job's own account). */
  roleArn: string | null;
}

export interface AccountRef {
  accountId: string;
  /** From Organizations; null with --accounts. */
  name: string | null;
}

/** An account the plan could not use (listed but not ACTIVE is skipped, not a failure). */
export interface PlanProblem {
  accountId: string | null;
  ou?: string;
  message: string;
}

export interface OrgPlan {
  schema: 'lmi-advisor.org-plan/v1';
  runId: string;
  accounts: AccountRef[];
  regions: string[];
  items: ShardItem[];
  /** Accounts listed but skipped (suspended, closing): named in the report, not failures. */
  skipped: { accountId: string; name: string | null; state: string }[];
  /** Bad input found while planning (unknown account, missing OU...): the run is incomplete. */
  problems: PlanProblem[];
}

/** What one shard hands to the merge: its account-region report, compact. */
export interface ShardResult {
  schema: 'lmi-advisor.shard/v1';
  accountId: string;
  region: string;
  /** The account-region's report model; functions' `chart` is null (no minute data). */
  report: ReportModel;
  /** Free-tier usage per region+arch (all functions / those staying on standard Lambda). */
  freeTier: { all: FreeTierBucket[]; staying: FreeTierBucket[] };
  /** With a metric store: the days (YYYY-MM-DD) kept, read whole, added to, or still missing. */
  store?: {
    daysKept: number;
    daysRead: string[];
    daysAdded: string[];
    daysMissing: string[];
    getMetricDataCalls: number;
    pointsRequested: number;
  };
}

/** A shard that produced no result (after its retries, on AWS). */
export interface ShardFailure {
  accountId: string;
  region: string;
  message: string;
}

export interface AccountSummary {
  accountId: string;
  name: string | null;
  /** Regions with a result. */
  regions: string[];
  /** Regions whose shard failed; the account's figures are then a lower bound. */
  failedRegions: string[];
  /** Every shard of the account present and itself complete. */
  complete: boolean;
  functions: number;
  /** null when no shard of the account produced a result (unknown, never 0). */
  totals: Totals | null;
  /** LMI capacity providers are per account: each account gets its own plan. */
  capacityProviders: CapacityProviderPlan[];
  /** Per-account report files (relative names), when written. */
  files?: string[];
}

export interface OrgOpportunity {
  accountId: string;
  region: string;
  name: string;
  recommendation: Recommendation;
  standardUsd: number | null;
  lmiUsd: number | null;
  savingsUsd: number;
}

/** Change since the previous org report, per account and in total. */
export interface OrgChangeSummary {
  previousGeneratedAt: string;
  savingsDeltaUsd: number;
  newAccounts: string[];
  removedAccounts: string[];
  accounts: { accountId: string; savingsDeltaUsd: number }[];
}

export interface OrgReportModel {
  schema: 'lmi-advisor.org-report/v1';
  run: RunInfo;
  window: ReportWindow | null;
  assumptions: Assumption[];
  prices: PriceProvenance | null;
  /** Sum of the accounts' totals (each account with its own free-tier credit). */
  totals: Totals;
  accounts: AccountSummary[];
  /** The largest `migrate` savings across the organization. */
  topOpportunities: OrgOpportunity[];
  /** Shards (account x region) without a result, and accounts the plan could not use. */
  failures: { accountId: string | null; region: string | null; message: string }[];
  skippedAccounts: { accountId: string; name: string | null; state: string }[];
  warnings: ReportWarning[];
  changes?: OrgChangeSummary;
}
