/**
 * THE MERGE STEP: all shards' FunctionSummaries -> one ReportModel. Everything that crosses a
 * shard boundary is resolved here: duration tiers (account-wide per region+arch), the free tier
 * (one account credit), trust groups (capacity providers). Pure: no I/O, no clock.
 */
import type { Config } from '../config/schema.js';
import type { InstancePrice, PriceBook } from '../prices/types.js';
import type {
  Assumption,
  CapacityProviderPlan,
  FunctionReport,
  LmiResult,
  Recommendation,
  ReportModel,
  ReportWarning,
  RunInfo,
  StandardCost,
  Totals,
} from '../report/types.js';
import { RECOMMENDATIONS } from '../report/types.js';
import type { SnapshotWindow } from '../source/profile.js';
import { windowHours } from '../source/profile.js';
import { breakEvenCpuShare, breakEvenInvocationsPerMonth } from './break-even.js';
import { groupForProviders, type ProviderGroup, splitGroup } from './capacity-plan.js';
import { type FreeTierBucket, freeTierCreditUsd } from './free-tier.js';
import { planCapacityProvider } from './lmi/index.js';
import type { GroupMember } from './lmi/types.js';
import { recommend, usd } from './recommend.js';
import { firstTierUsdPerGbSecond, tieredDurationUsd } from './standard.js';
import { assertFinite, unknownSeriesDetail } from './summarize.js';
import type { FunctionSummary } from './summary.js';

export interface BuildReportInput {
  accountId: string;
  window: SnapshotWindow;
  summaries: FunctionSummary[];
  priceBook: PriceBook;
  config: Config;
  assumptions: Assumption[];
  run: RunInfo;
  warnings: ReportWarning[];
}

/** Standard Lambda for a set of functions billed together in one account month. */
interface AccountStandard {
  perFunction: Map<FunctionSummary, StandardCost>;
  freeTierCreditUsd: number;
  /** Sum of the functions' totals minus the free-tier credit. */
  totalUsd: number;
  /** The free-tier-eligible usage per region+architecture the credit was computed from. */
  freeTierBuckets: FreeTierBucket[];
}

const bucketKey = (s: FunctionSummary) => `${s.region}\u0000${s.architecture}`;

/**
 * Tiers and free tier over `summaries` (those with a cost). Duration tiers apply to the account's
 * aggregate monthly on-demand GB-s per region per architecture (pricing page: "tiers are based on
 * aggregate monthly duration ... per architecture, per region"); each function carries its
 * pro-rata share, so functions sum to the account exactly.
 */
function accountStandard(summaries: readonly FunctionSummary[], priceBook: PriceBook, config: Config): AccountStandard {
  const discount = config.pricing.lambdaDiscount;
  const aggregate = new Map<string, number>();
  const priced: FunctionSummary[] = [];
  for (const s of summaries) {
    if (!s.cost || !s.monthly || !priceBook.regions[s.region]?.lambda) continue;
    priced.push(s);
    aggregate.set(bucketKey(s), (aggregate.get(bucketKey(s)) ?? 0) + s.monthly.onDemandGbSeconds);
  }
  const tieredUsd = new Map<string, number>();
  const freeBuckets = new Map<string, FreeTierBucket>();
  const perFunction = new Map<FunctionSummary, StandardCost>();
  let sum = 0;
  for (const s of priced) {
    const monthly = s.monthly!;
    const cost = s.cost!;
    const lambda = priceBook.regions[s.region]!.lambda!;
    const tiers = lambda.durationTiers[s.architecture];
    const key = bucketKey(s);
    const agg = aggregate.get(key) ?? 0;
    let bucketUsd = tieredUsd.get(key);
    if (bucketUsd === undefined) {
      bucketUsd = tieredDurationUsd(agg, tiers) * (1 - discount);
      tieredUsd.set(key, bucketUsd);
    }
    const durationUsd = agg > 0 ? (bucketUsd * monthly.onDemandGbSeconds) / agg : 0;
    const totalUsd = cost.requestsUsd + durationUsd + cost.provisionedConcurrencyUsd + cost.ephemeralStorageUsd;
    perFunction.set(s, {
      requestsUsd: cost.requestsUsd,
      durationUsd,
      provisionedConcurrencyUsd: cost.provisionedConcurrencyUsd,
      // The PC-duration part, shown on its own line (pricing page PC ex. 1: PC + PC-duration).
      provisionedDurationUsd: cost.provisionedConcurrencyUsd - cost.pcConfiguredUsd,
      ephemeralStorageUsd: cost.ephemeralStorageUsd,
      totalUsd,
    });
    sum += totalUsd;
    if (config.pricing.freeTier && s.freeTierEligible) {
      let b = freeBuckets.get(key);
      if (!b) {
        // A free GB-s would have been billed at the first tier after the Savings Plan discount.
        b = {
          requests: 0,
          gbSeconds: 0,
          requestUsd: lambda.requestUsd[s.architecture],
          firstTierUsdPerGbSecond: firstTierUsdPerGbSecond(tiers) * (1 - discount),
        };
        freeBuckets.set(key, b);
      }
      b.requests += monthly.requests;
      b.gbSeconds += monthly.onDemandGbSeconds;
    }
  }
  const buckets = [...freeBuckets.values()];
  const credit = freeTierCreditUsd(buckets);
  return { perFunction, freeTierCreditUsd: credit, totalUsd: sum - credit, freeTierBuckets: buckets };
}

/**
 * Standard cost per busy GB-hour over LMI cost per provisioned GB-hour (the seeds' view: Lambda
 * bills busy time at ~5x what the same memory costs as an instance). null when unknown.
 */
function busyTimePremium(
  s: FunctionSummary,
  standard: StandardCost | null,
  lmi: LmiResult | null,
  priceBook: PriceBook,
): number | null {
  if (!standard || !lmi || !s.monthly || lmi.instanceType == null) return null;
  const busyGbHours = (s.monthly.onDemandGbSeconds + s.monthly.pcDurationGbSeconds) / 3600;
  const prices = priceBook.regions[s.region];
  const instance = prices ? instanceByType(prices.instances).get(lmi.instanceType) : undefined;
  if (!instance || busyGbHours <= 0 || lmi.instanceHours <= 0) return null;
  const standardPerGbHour = (standard.durationUsd + standard.provisionedConcurrencyUsd) / busyGbHours;
  const lmiPerGbHour = (lmi.ec2Usd + lmi.managementFeeUsd) / (lmi.instanceHours * instance.memoryGiB);
  return lmiPerGbHour > 0 ? standardPerGbHour / lmiPerGbHour : null;
}

/** Each price list's instances by type, the first of each type as Array#find gives it (a list is never changed once loaded). */
const instancesByType = new WeakMap<readonly InstancePrice[], Map<string, InstancePrice>>();
function instanceByType(instances: readonly InstancePrice[]): Map<string, InstancePrice> {
  let byType = instancesByType.get(instances);
  if (byType === undefined) {
    byType = new Map();
    for (const i of instances) if (!byType.has(i.instanceType)) byType.set(i.instanceType, i);
    instancesByType.set(instances, byType);
  }
  return byType;
}

function memberOf(s: FunctionSummary, result: LmiResult, window: SnapshotWindow): GroupMember {
  return {
    name: s.name,
    memoryMB: s.memoryMB,
    result,
    capacity: s.sizing!.capacity,
    // The window's total, extrapolated over unknown periods; a sized function has it known.
    invocations: s.windowInvocations ?? 0,
  };
}

interface PlannedGroup {
  group: ProviderGroup;
  plan: CapacityProviderPlan | null;
  /** plan.totalUsd, or the members' own LMI totals when the group could not be planned. */
  totalUsd: number;
}

function planGroups(
  groups: readonly ProviderGroup[],
  lmiByFunction: Map<FunctionSummary, LmiResult>,
  standardByFunction: Map<FunctionSummary, StandardCost>,
  input: BuildReportInput,
  notes: ReportWarning[] = [],
): PlannedGroup[] {
  const planOne = (group: ProviderGroup): PlannedGroup => {
    const prices = input.priceBook.regions[group.region];
    const members = group.members.map((m) => memberOf(m, lmiByFunction.get(m)!, input.window));
    const plan = prices
      ? planCapacityProvider({
          name: group.name,
          region: group.region,
          architecture: group.architecture,
          trustGroup: group.trustGroup,
          members,
          prices,
          config: input.config,
          window: input.window,
        })
      : null;
    if (plan) {
      plan.standardTotalUsd = group.members.reduce((sum, m) => sum + (standardByFunction.get(m)?.totalUsd ?? 0), 0);
    }
    const fallback = members.reduce((sum, m) => sum + m.result.totalUsd, 0);
    return { group, plan, totalUsd: plan ? plan.totalUsd : fallback };
  };
  const takenNames = new Set(groups.map((g) => g.name));
  return groups.flatMap((group) => {
    const shared = planOne(group);
    if (group.members.length < 2 || !shared.plan || shared.totalUsd <= shared.plan.dedicatedTotalUsd) return [shared];
    // One instance type for all members costs more than separate providers: keep them apart.
    const apart = splitGroup(group, takenNames).map(planOne);
    const apartUsd = apart.reduce((sum, p) => sum + p.totalUsd, 0);
    if (apartUsd >= shared.totalUsd) return [shared];
    notes.push({
      code: 'group-split',
      message: `Sharing one capacity provider (${group.name}) would cost ${usd(shared.totalUsd)}/month against ${usd(apartUsd)}/month on separate providers, so its ${group.members.length} functions are planned apart.`,
      region: group.region,
    });
    for (const p of apart) takenNames.add(p.group.name);
    return apart;
  });
}

/** Names in a warning: at most this many, then "and N more" (the report stays readable at 10,000 functions). */
const MAX_NAMED = 10;

function namedList(names: readonly string[]): string {
  const sorted = [...names].sort();
  const shown = sorted.slice(0, MAX_NAMED).join(', ');
  return sorted.length > MAX_NAMED ? `${shown} and ${sorted.length - MAX_NAMED} more` : shown;
}

/** True when every number in `value` is finite, read as assertFinite reads it (own enumerable keys, typed arrays skipped). */
function allFinite(value: unknown): boolean {
  if (typeof value === 'number') return Number.isFinite(value);
  if (value === null || typeof value !== 'object' || ArrayBuffer.isView(value)) return true;
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) if (!allFinite(value[i])) return false;
    return true;
  }
  for (const k of Object.keys(value)) if (!allFinite((value as Record<string, unknown>)[k])) return false;
  return true;
}

export function compareFunctions(a: FunctionReport, b: FunctionReport): number {
  if (a.savingsUsd !== b.savingsUsd) {
    if (a.savingsUsd == null) return 1;
    if (b.savingsUsd == null) return -1;
    return b.savingsUsd - a.savingsUsd;
  }
  if (a.region !== b.region) return a.region < b.region ? -1 : 1;
  return a.name < b.name ? -1 : a.name > b.name ? 1 : 0;
}

export function buildReport(input: BuildReportInput): ReportModel {
  return buildReportParts(input).report;
}

/**
 * The report plus the free-tier usage behind its credit (all functions, and those that stay on
 * standard Lambda when every `migrate` is applied): the only account-wide figure that crosses a
 * region boundary, so a shard of one region keeps it for the merge (src/org/merge.ts).
 */
export interface ReportParts {
  report: ReportModel;
  freeTier: { all: FreeTierBucket[]; staying: FreeTierBucket[] };
}

export function buildReportParts(input: BuildReportInput): ReportParts {
  const { window, summaries, priceBook, config } = input;
  const hours = windowHours(window);
  const account = accountStandard(summaries, priceBook, config);

  const reports: FunctionReport[] = [];
  const migrate: FunctionSummary[] = [];
  const stays: FunctionSummary[] = [];
  const lmiByFunction = new Map<FunctionSummary, LmiResult>();
  const functionWarnings: ReportWarning[] = [];

  for (const s of summaries) {
    functionWarnings.push(...s.warnings);
    const standard = account.perFunction.get(s) ?? null;
    const sizing = s.sizing;
    const lmi: LmiResult | null =
      sizing && standard
        ? { ...sizing.result, breakEvenCpuShare: breakEvenCpuShare(sizing.cpuShareCosts ?? sizing.costByCpuShare, standard.totalUsd) }
        : (sizing?.result ?? null);
    if (lmi) lmiByFunction.set(s, lmi);
    const breakEvenInvocations =
      sizing && standard && s.monthly && s.cost
        ? breakEvenInvocationsPerMonth(
            sizing.trafficScaleCosts ?? sizing.costByTrafficScale,
            { totalUsd: standard.totalUsd, fixedUsd: s.cost.pcConfiguredUsd },
            s.monthly.requests,
          )
        : null;
    const premium = busyTimePremium(s, standard, lmi, priceBook);
    const decision = recommend({
      alreadyOnLmi: s.alreadyOnLmi,
      invocations: s.usage.invocations,
      monthlyInvocations: s.monthly?.requests ?? null,
      windowDays: hours / 24,
      periodSeconds: window.periodSeconds,
      unknownShare: s.unknownShare,
      unknownDetail: unknownSeriesDetail(s.usage, Math.round((hours * 3600) / window.periodSeconds)),
      standardUnknownReasons: s.standardUnknownReasons,
      lmiUnknownReason: s.lmiUnknownReason,
      runtime: s.runtime,
      memoryMB: s.memoryMB,
      avgDurationMs: s.usage.avgDurationMs,
      standardUsd: standard?.totalUsd ?? null,
      lmi,
      sizingRisks: sizing?.risks ?? [],
      breakEvenInvocationsPerMonth: breakEvenInvocations,
      utilization: s.usage.utilization,
      busyTimePremium: premium,
      config,
    });
    if (decision.recommendation === 'migrate') migrate.push(s);
    else stays.push(s);
    reports.push({
      region: s.region,
      name: s.name,
      runtime: s.runtime,
      architecture: s.architecture,
      memoryMB: s.memoryMB,
      tags: s.tags,
      trustGroup: s.trustGroup,
      alreadyOnLmi: s.alreadyOnLmi,
      provisionedConcurrency: s.provisionedConcurrency,
      usage: s.usage,
      standard,
      lmi,
      savingsUsd: standard && lmi ? standard.totalUsd - lmi.totalUsd : null,
      recommendation: decision.recommendation,
      reasons: decision.reasons,
      risks: decision.risks,
      reviewRisks: decision.reviewRisks,
      breakEvenInvocationsPerMonth: breakEvenInvocations,
      busyTimePremium: premium,
      chart: sizing?.chart ?? null,
    });
  }

  const warnings: ReportWarning[] = [...input.warnings, ...functionWarnings];

  // Capacity providers for the `migrate` functions.
  const planned = planGroups(
    groupForProviders(migrate, config.lmi.groupUntagged),
    lmiByFunction,
    account.perFunction,
    input,
    warnings,
  );
  for (const p of planned) {
    if (!p.plan) {
      warnings.push({
        code: 'capacity-provider-unpriced',
        message: `Capacity provider ${p.group.name} could not be planned; its functions' own LMI totals are used instead.`,
        region: p.group.region,
      });
    }
  }

  // What grouping the untagged `migrate` functions per region+arch would save on top.
  let groupUntaggedExtraSavingsUsd: number | null = null;
  if (!config.lmi.groupUntagged) {
    const untagged = migrate.filter((s) => s.trustGroup == null);
    const pooled = groupForProviders(untagged, true).filter((g) => g.members.length > 1);
    if (pooled.length > 0) {
      const dedicatedUsd = new Map<FunctionSummary, number>();
      for (const p of planned) if (p.group.trustGroup == null) dedicatedUsd.set(p.group.members[0]!, p.totalUsd);
      const pooledPlans = planGroups(pooled, lmiByFunction, account.perFunction, input);
      groupUntaggedExtraSavingsUsd = pooledPlans.reduce(
        (sum, p) => sum + p.group.members.reduce((s2, m) => s2 + (dedicatedUsd.get(m) ?? 0), 0) - p.totalUsd,
        0,
      );
    }
  }

  // The month with every `migrate` applied: tiers and free tier recomputed on what stays.
  const staying = accountStandard(stays, priceBook, config);
  const providersUsd = planned.reduce((sum, p) => sum + p.totalUsd, 0);
  const recommendedUsd = staying.totalUsd + providersUsd;

  const counts = Object.fromEntries(RECOMMENDATIONS.map((r) => [r, 0])) as Record<Recommendation, number>;
  for (const r of reports) counts[r.recommendation]++;
  const totals: Totals = {
    standardUsd: account.totalUsd,
    freeTierCreditUsd: account.freeTierCreditUsd,
    recommendedUsd,
    savingsUsd: account.totalUsd - recommendedUsd,
    groupUntaggedExtraSavingsUsd,
    counts,
    unpricedFunctions: reports.filter((r) => r.standard == null).length,
  };

  warnings.push({
    code: 'init-not-in-duration',
    message:
      'INIT (cold start) time is billed since 1 Aug 2025 but is not in the CloudWatch Duration metric: standard Lambda figures are a lower bound for functions with cold starts.',
  });
  const withPc = summaries.filter((s) => (s.provisionedConcurrency ?? 0) > 0 && s.cost !== null);
  if (withPc.length > 0) {
    // Lambda bills PC from enable to disable (5-minute steps); a snapshot holds one PC value.
    warnings.push({
      code: 'pc-assumed-constant',
      message: `Provisioned concurrency of ${withPc.length} function(s) (${namedList(withPc.map((s) => `${s.region}/${s.name}`))}) is priced as configured for the whole month; a PC schedule that scales it down part of the day costs less than shown.`,
    });
  }
  if (planned.length > 0) {
    // lambda-managed-instances-troubleshooting.html: instances need egress to Lambda/CloudWatch.
    warnings.push({
      code: 'lmi-networking-not-included',
      message:
        'LMI instances run in your VPC and need a route to the Lambda and CloudWatch endpoints (a NAT gateway or VPC endpoints); that cost, and EBS volumes if billed, are not in the LMI figures.',
    });
  }
  if (window.periodSeconds > 60) {
    warnings.push({
      code: 'coarse-period',
      message: `Metrics are ${window.periodSeconds}-second periods: bursts shorter than a period are not seen, so the LMI throttling estimate is weaker.`,
    });
  }
  if (priceBook.source === 'bundled') {
    warnings.push({
      code: 'prices-bundled',
      message: `Prices come from the bundled price snapshot of ${priceBook.asOf}, not the live Price List API.`,
    });
  }

  // No money or usage figure leaves the model non-finite unnoticed (issue 8, item 3). A plain walk
  // first: assertFinite builds each figure's path, needed only for the error.
  for (const r of reports) {
    const figures = { usage: r.usage, standard: r.standard, lmi: r.lmi, savingsUsd: r.savingsUsd };
    if (!allFinite(figures)) assertFinite(`${r.region}/${r.name}`, figures);
  }
  assertFinite('account totals', { totals, providers: planned.map((p) => p.plan) });

  const regions = [...new Set(summaries.map((s) => s.region))].sort();
  const report: ReportModel = {
    schema: 'lmi-advisor.report/v1',
    accountId: input.accountId,
    run: input.run,
    window: { start: window.start, end: window.end, periodSeconds: window.periodSeconds, hours },
    assumptions: input.assumptions,
    prices: {
      source: priceBook.source,
      asOf: priceBook.asOf,
      regions: Object.keys(priceBook.regions).sort(),
      missingRegions: regions.filter((r) => !priceBook.regions[r]?.lambda),
    },
    totals,
    capacityProviders: planned.flatMap((p) => (p.plan ? [p.plan] : [])),
    functions: reports.sort(compareFunctions),
    warnings,
  };
  return { report, freeTier: { all: account.freeTierBuckets, staying: staying.freeTierBuckets } };
}
