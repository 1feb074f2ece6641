/**
 * One function's series -> FunctionSummary (usage, monthly quantities, non-tiered standard cost,
 * LMI sizing). Pure. The series are not kept: build-report works from summaries only.
 */
import type { Config } from '../config/schema.js';
import type { RegionPrices } from '../prices/types.js';
import type { ReportWarning, Usage } from '../report/types.js';
import type { FunctionProfile, SnapshotWindow } from '../source/profile.js';
import { periodCount } from '../source/profile.js';
import { sizeLmi } from './lmi/index.js';
import type { LmiSizing } from './lmi/types.js';
import { monthScale, SECONDS_PER_MONTH } from './month.js';
import {
  billedGbSeconds,
  ephemeralGbSeconds,
  ephemeralStorageUsd,
  provisionedConcurrencyGbSeconds,
  provisionedConcurrencyUsd,
  requestsUsd,
} from './standard.js';
import type { FunctionSummary, MonthlyQuantities, NonTieredCost } from './summary.js';

export interface SummarizeContext {
  window: SnapshotWindow;
  /** undefined when the price book has nothing for the function's region. */
  prices: RegionPrices | undefined;
  config: Config;
}

/** Window sums over the periods whose required series are all known. */
interface KnownTotals {
  periods: number;
  knownPeriods: number;
  invocations: number;
  durationMs: number;
  /** Billed ms (duration + round-up) that ran on provisioned concurrency. */
  pcBilledMs: number;
  peakConcurrency: number;
}

function walkSeries(profile: FunctionProfile, periods: number, roundingMs: number): KnownTotals {
  const { invocations, durationMsSum, concurrencyMax } = profile.series;
  const pc = profile.provisionedConcurrency ?? 0;
  const totals: KnownTotals = {
    periods,
    knownPeriods: 0,
    invocations: 0,
    durationMs: 0,
    pcBilledMs: 0,
    peakConcurrency: 0,
  };
  for (let i = 0; i < periods; i++) {
    const inv = invocations[i];
    const dur = durationMsSum[i];
    const conc = concurrencyMax[i];
    // A period with any required value unknown is left out whole, then extrapolated over.
    if (inv == null || dur == null || conc == null) continue;
    totals.knownPeriods++;
    totals.invocations += inv;
    totals.durationMs += dur;
    if (conc > totals.peakConcurrency) totals.peakConcurrency = conc;
    if (pc > 0) {
      // ASSUMPTION: in a period, the share of duration served by PC is min(1, PC / peak
      // concurrency): PC environments take requests first, the rest spills to on-demand.
      // With no concurrency recorded but duration present, all of it counts as on PC.
      const share = conc > 0 ? Math.min(1, pc / conc) : 1;
      totals.pcBilledMs += (dur + inv * roundingMs) * share;
    }
  }
  return totals;
}

function usageOf(known: KnownTotals, profile: FunctionProfile, window: SnapshotWindow, roundingMs: number): Usage {
  const hasData = known.knownPeriods > 0;
  const knownWindowMs = known.knownPeriods * window.periodSeconds * 1000;
  const avgConcurrency = hasData ? known.durationMs / knownWindowMs : null; // Little's law
  const peakConcurrency = hasData ? known.peakConcurrency : null;
  return {
    invocations: known.invocations,
    gbSeconds: billedGbSeconds(known.durationMs, known.invocations, roundingMs, profile.memoryMB),
    // Weighted: total duration / total invocations, never an average of per-period averages.
    avgDurationMs: known.invocations > 0 ? known.durationMs / known.invocations : null,
    peakConcurrency,
    avgConcurrency,
    utilization:
      avgConcurrency != null && peakConcurrency != null && peakConcurrency > 0
        ? avgConcurrency / peakConcurrency
        : null,
    unknownPeriods: known.periods - known.knownPeriods,
  };
}

function monthlyOf(
  known: KnownTotals,
  profile: FunctionProfile,
  window: SnapshotWindow,
  roundingMs: number,
): MonthlyQuantities {
  // Extrapolate the known periods to the whole window, then scale the window to 730 h.
  const factor = (known.periods / known.knownPeriods) * monthScale(window);
  const billedMs = (known.durationMs + known.invocations * roundingMs) * factor;
  const pcBilledMs = Math.min(billedMs, known.pcBilledMs * factor);
  const memoryGB = profile.memoryMB / 1024;
  return {
    requests: known.invocations * factor,
    onDemandGbSeconds: ((billedMs - pcBilledMs) / 1000) * memoryGB,
    // ASSUMPTION: the PC configuration in the profile stood for the whole window (the snapshot
    // records one PC figure per function), so it is billed for the whole 730-h month.
    pcGbSeconds: provisionedConcurrencyGbSeconds(
      profile.provisionedConcurrency ?? 0,
      profile.memoryMB,
      SECONDS_PER_MONTH,
    ),
    pcDurationGbSeconds: (pcBilledMs / 1000) * memoryGB,
    ephemeralGbSeconds: ephemeralGbSeconds(profile.ephemeralStorageMB, billedMs / 1000),
  };
}

export function nonTieredCostOf(
  monthly: MonthlyQuantities,
  profile: FunctionProfile,
  prices: NonNullable<RegionPrices['lambda']>,
  config: Config,
): NonTieredCost {
  const arch = profile.architecture;
  const discount = config.pricing.lambdaDiscount;
  return {
    requestsUsd: requestsUsd(monthly.requests, prices, arch),
    provisionedConcurrencyUsd: provisionedConcurrencyUsd(monthly, prices, arch, discount),
    pcConfiguredUsd: provisionedConcurrencyUsd(
      { pcGbSeconds: monthly.pcGbSeconds, pcDurationGbSeconds: 0 },
      prices,
      arch,
      discount,
    ),
    ephemeralStorageUsd: ephemeralStorageUsd(monthly.ephemeralGbSeconds, prices, arch),
  };
}

/**
 * False when LMI can never beat this function's standard cost by recommend.minSavingsPct, whatever
 * the rest of the account: tiers only lower the duration price, so the first (highest) tier
 * bounds the standard cost from above. Only `migrate` functions are packed onto providers, so the
 * capacity runs of the others (the largest part of a summary) need not be kept: this keeps
 * `analyze` memory flat as the fleet grows.
 */
function couldMigrate(
  sizing: LmiSizing,
  cost: NonTieredCost,
  monthly: MonthlyQuantities,
  prices: NonNullable<RegionPrices['lambda']>,
  profile: FunctionProfile,
  config: Config,
): boolean {
  const topDurationUsd = Math.max(...prices.durationTiers[profile.architecture].map((t) => t.usdPerGbSecond));
  const standardBoundUsd =
    cost.requestsUsd +
    cost.provisionedConcurrencyUsd +
    cost.ephemeralStorageUsd +
    monthly.onDemandGbSeconds * topDurationUsd * (1 - config.pricing.lambdaDiscount);
  return sizing.result.totalUsd < standardBoundUsd * (1 - config.recommend.minSavingsPct / 100);
}

function pct(share: number): string {
  return `${(share * 100).toFixed(1)} %`;
}

/**
 * Summarize one function: usage over the window, monthly quantities and the standard-Lambda
 * lines that do not depend on other functions, plus the LMI sizing (unless already on LMI or
 * unpriced). Tiers and the free tier are account-wide: build-report applies them.
 */
export function summarizeFunction(profile: FunctionProfile, ctx: SummarizeContext): FunctionSummary {
  const { window, prices, config } = ctx;
  const roundingMs = config.billing.roundingMsPerInvocation;
  const periods = periodCount(window);
  const known = walkSeries(profile, periods, roundingMs);
  const usage = usageOf(known, profile, window, roundingMs);
  const unknownShare = periods > 0 ? usage.unknownPeriods / periods : 1;
  const alreadyOnLmi = profile.capacityProviderArn != null && profile.capacityProviderArn !== '';
  const where = { region: profile.region, function: profile.name };
  const warnings: ReportWarning[] = [];

  if (usage.unknownPeriods > 0) {
    warnings.push({
      code: known.knownPeriods > 0 ? 'partial-data' : 'no-data',
      message:
        known.knownPeriods > 0
          ? `${pct(unknownShare)} of the window's periods have unknown metrics; totals are extrapolated from the known periods.`
          : 'No period of the window has known metrics; no cost can be computed.',
      ...where,
    });
  }
  const pcUnknown = profile.provisionedConcurrency === null;
  if (pcUnknown) {
    warnings.push({
      code: 'pc-unknown',
      message: "Provisioned concurrency could not be read; the function's standard cost is unknown.",
      ...where,
    });
  }
  const lambdaPrices = prices?.lambda;
  if (!lambdaPrices) {
    warnings.push({
      code: 'no-prices',
      message: `No Lambda prices for region ${profile.region}; the function's cost is unknown.`,
      ...where,
    });
  }

  const billable = !alreadyOnLmi && known.knownPeriods > 0;
  const monthly = billable ? monthlyOf(known, profile, window, roundingMs) : null;
  const cost = monthly && lambdaPrices && !pcUnknown ? nonTieredCostOf(monthly, profile, lambdaPrices, config) : null;

  let sizing: LmiSizing | null = null;
  if (billable && prices && lambdaPrices) {
    // sizeLmi wants the window's total: the known periods extrapolated like the standard side.
    const windowInvocations = (known.invocations * known.periods) / known.knownPeriods;
    sizing = sizeLmi(profile, { invocations: windowInvocations, avgDurationMs: usage.avgDurationMs }, {
      window,
      prices,
      config,
    });
  }

  if (sizing && cost && monthly && lambdaPrices && !couldMigrate(sizing, cost, monthly, lambdaPrices, profile, config)) {
    sizing = { ...sizing, capacity: { capacity: new Uint32Array(0), runLengths: new Uint32Array(0), periodSeconds: window.periodSeconds } };
  }

  const tag = profile.tags[config.lmi.trustGroupTag];
  return {
    region: profile.region,
    name: profile.name,
    runtime: profile.runtime,
    architecture: profile.architecture,
    memoryMB: profile.memoryMB,
    tags: profile.tags,
    trustGroup: tag != null && tag !== '' ? tag : null,
    alreadyOnLmi,
    provisionedConcurrency: profile.provisionedConcurrency,
    usage,
    unknownShare,
    monthly,
    freeTierEligible: profile.provisionedConcurrency === 0,
    cost,
    sizing,
    warnings,
  };
}
