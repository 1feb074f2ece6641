/**
 * One function's series -> FunctionSummary (usage, monthly quantities, non-tiered standard cost,
 * LMI sizing). Pure. The series are not kept: build-report works from summaries only.
 */
import type { Config } from '../config/schema.js';
import type { RegionPrices } from '../prices/types.js';
import type { ReportWarning, Usage } from '../report/types.js';
import type { FunctionProfile, SnapshotWindow } from '../source/profile.js';
import { periodCount } from '../source/profile.js';
import { NonFiniteFigureError } from '../errors.js';
import { sizeLmi } from './lmi/index.js';
import type { LmiSizing } from './lmi/types.js';
import { monthScale, SECONDS_PER_MONTH } from './month.js';
import {
  billedGbSeconds,
  ephemeralGbSeconds,
  ephemeralStorageUsd,
  periodBilledMs,
  periodPcShare,
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
  /** billing.initFromBill: billed ms per invocation the bill shows beyond Duration + rounding (standard side only). */
  extraBilledMsPerInvocation?: number;
}

/** The required series of a function, by the name they have in the snapshot. */
export const REQUIRED_SERIES = ['invocations', 'durationMsSum', 'concurrencyMax'] as const;
export type RequiredSeries = (typeof REQUIRED_SERIES)[number];

/**
 * Window sums, each over the periods where ITS OWN series is known: a null in one series never
 * removes another series' value of the same period (issue 8, item 1).
 */
interface SeriesTotals {
  periods: number;
  invocations: { known: number; sum: number };
  durationMs: { known: number; sum: number };
  concurrency: { known: number; peak: number };
  /** Periods where invocations and duration are both known: the weighted average duration. */
  paired: { invocations: number; durationMs: number };
  /** Duration-known periods whose invocations are unknown (their 1-ms round-up is estimated). */
  durationOnlyPeriods: number;
  /** Periods where all three are known: the share of billed duration served by PC. */
  pc: { periods: number; billedMs: number; pcBilledMs: number };
  /** Periods with a null in any required series. */
  anyUnknown: number;
}

function walkSeries(profile: FunctionProfile, periods: number, roundingMs: number): SeriesTotals {
  const { invocations, durationMsSum, concurrencyMax } = profile.series;
  const pc = profile.provisionedConcurrency ?? 0;
  const t: SeriesTotals = {
    periods,
    invocations: { known: 0, sum: 0 },
    durationMs: { known: 0, sum: 0 },
    concurrency: { known: 0, peak: 0 },
    paired: { invocations: 0, durationMs: 0 },
    durationOnlyPeriods: 0,
    pc: { periods: 0, billedMs: 0, pcBilledMs: 0 },
    anyUnknown: 0,
  };
  for (let i = 0; i < periods; i++) {
    const inv = invocations[i];
    const dur = durationMsSum[i];
    const conc = concurrencyMax[i];
    if (inv == null || dur == null || conc == null) t.anyUnknown++;
    if (inv != null) {
      t.invocations.known++;
      t.invocations.sum += inv;
    }
    if (dur != null) {
      t.durationMs.known++;
      t.durationMs.sum += dur;
      if (inv != null) {
        t.paired.invocations += inv;
        t.paired.durationMs += dur;
      } else {
        t.durationOnlyPeriods++;
      }
    }
    if (conc != null) {
      t.concurrency.known++;
      if (conc > t.concurrency.peak) t.concurrency.peak = conc;
    }
    if (inv != null && dur != null && conc != null) {
      t.pc.periods++;
      const billedMs = periodBilledMs(dur, inv, roundingMs);
      t.pc.billedMs += billedMs;
      // The PC split's ASSUMPTION: standard.ts periodPcShare.
      if (pc > 0) t.pc.pcBilledMs += billedMs * periodPcShare(pc, conc);
    }
  }
  return t;
}

/**
 * Per-metric extrapolation: an unknown value of a sum metric is taken at the mean of the same
 * metric over the periods where it is known, so its window total is knownSum x periods /
 * knownPeriods. Each metric uses only its own known periods; null when it is known nowhere.
 */
function extrapolated(m: { known: number; sum: number }, periods: number): number | null {
  return m.known > 0 ? (m.sum * periods) / m.known : null;
}

/** Invocations in the duration-known periods (unknown ones at the mean of the known periods). */
function invocationsInDurationPeriods(t: SeriesTotals): number | null {
  if (t.durationOnlyPeriods === 0) return t.paired.invocations;
  if (t.invocations.known === 0) return null;
  return t.paired.invocations + (t.durationOnlyPeriods * t.invocations.sum) / t.invocations.known;
}

function usageOf(t: SeriesTotals, profile: FunctionProfile, window: SnapshotWindow, roundingMs: number): Usage {
  const durationKnown = t.durationMs.known > 0;
  // Little's law over the duration-known periods: concurrency needs no concurrency series.
  const avgConcurrency = durationKnown ? t.durationMs.sum / (t.durationMs.known * window.periodSeconds * 1000) : null;
  const peakConcurrency = t.concurrency.known > 0 ? t.concurrency.peak : null;
  // Billed GB-s of the duration-known periods; the round-up needs their invocations (unless 0 ms).
  const roundedInvocations = roundingMs === 0 ? 0 : invocationsInDurationPeriods(t);
  return {
    invocations: t.invocations.known > 0 ? t.invocations.sum : null,
    gbSeconds:
      durationKnown && roundedInvocations !== null
        ? billedGbSeconds(t.durationMs.sum, roundedInvocations, roundingMs, profile.memoryMB)
        : null,
    // Weighted over the periods where both are known: total duration / total invocations.
    avgDurationMs: t.paired.invocations > 0 ? t.paired.durationMs / t.paired.invocations : null,
    peakConcurrency,
    avgConcurrency,
    utilization:
      avgConcurrency != null && peakConcurrency != null && peakConcurrency > 0
        ? avgConcurrency / peakConcurrency
        : null,
    unknownPeriods: t.anyUnknown,
    unknownPeriodsBySeries: {
      invocations: t.periods - t.invocations.known,
      durationMsSum: t.periods - t.durationMs.known,
      concurrencyMax: t.periods - t.concurrency.known,
    },
  };
}

/**
 * Monthly quantities, or the true reasons they are unknown. Needs invocations and duration, and
 * for a function with PC the PC share (which needs concurrency); never concurrency otherwise.
 */
function monthlyOf(
  t: SeriesTotals,
  profile: FunctionProfile,
  window: SnapshotWindow,
  roundingMs: number,
): { monthly: MonthlyQuantities; unknown: null } | { monthly: null; unknown: string[] } {
  const unknown: string[] = [];
  const windowInvocations = extrapolated(t.invocations, t.periods);
  const windowDurationMs = extrapolated(t.durationMs, t.periods);
  if (windowInvocations === null) unknown.push('series.invocations is unknown in every period (requests cannot be counted)');
  if (windowDurationMs === null) unknown.push('series.durationMsSum is unknown in every period (duration cannot be billed)');
  const pc = profile.provisionedConcurrency;
  // Share of billed duration that ran on PC, measured where all three series are known and
  // applied to the whole window (per-metric extrapolation again).
  let pcShare = 0;
  if (pc !== null && pc > 0) {
    const billedSomewhere = (windowDurationMs ?? 0) + (windowInvocations ?? 0) * roundingMs > 0;
    if (t.pc.billedMs > 0) {
      pcShare = Math.min(1, t.pc.pcBilledMs / t.pc.billedMs);
    } else if (billedSomewhere || t.pc.periods === 0) {
      // No period with all three known had any billed duration: the split cannot be measured.
      unknown.push(
        'no period with billed duration has invocations, duration and concurrencyMax all known, so the share of duration served by provisioned concurrency is unknown',
      );
    }
  }
  if (windowInvocations === null || windowDurationMs === null || unknown.length > 0) return { monthly: null, unknown };
  const scale = monthScale(window);
  const billedMs = periodBilledMs(windowDurationMs, windowInvocations, roundingMs) * scale;
  const pcBilledMs = billedMs * pcShare;
  return {
    unknown: null,
    monthly: {
      requests: windowInvocations * scale,
      // ms -> GB-s as daily-usage.ts does: the round-up is already in the ms.
      onDemandGbSeconds: billedGbSeconds(billedMs - pcBilledMs, 0, 0, profile.memoryMB),
      // ASSUMPTION: the PC configuration in the profile stood for the whole window (the snapshot
      // records one PC figure per function), so it is billed for the whole 730-h month.
      pcGbSeconds: provisionedConcurrencyGbSeconds(pc ?? 0, profile.memoryMB, SECONDS_PER_MONTH),
      pcDurationGbSeconds: billedGbSeconds(pcBilledMs, 0, 0, profile.memoryMB),
      ephemeralGbSeconds: ephemeralGbSeconds(profile.ephemeralStorageMB, billedMs / 1000),
    },
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
 * "series.concurrencyMax unknown in 100.0 % of periods; ..." for every required series with an
 * unknown period, in snapshot order; '' when all are complete.
 */
export function unknownSeriesDetail(usage: Usage, periods: number): string {
  const by = usage.unknownPeriodsBySeries;
  if (!by) return '';
  return REQUIRED_SERIES.filter((k) => by[k] > 0)
    .map((k) => `series.${k} unknown in ${pct(periods > 0 ? by[k] / periods : 1)} of periods`)
    .join('; ');
}

/** What each required series feeds, for the warning when it is unknown in every period. */
const SERIES_FEEDS: Record<RequiredSeries, string> = {
  invocations: 'invocations, request charges, billed GB-s (their 1-ms round-up) and the standard and LMI costs are unknown',
  durationMsSum: 'billed GB-s, average duration and the standard cost are unknown',
  concurrencyMax: 'peak concurrency and the LMI replay are unknown (so is the PC split of a function with provisioned concurrency)',
};

function dataWarnings(usage: Usage, periods: number, where: { region: string; function: string }): ReportWarning[] {
  const by = usage.unknownPeriodsBySeries;
  if (!by || usage.unknownPeriods === 0) return [];
  if (REQUIRED_SERIES.every((k) => by[k] >= periods)) {
    return [{ code: 'no-data', message: 'No required series has a known value in any period; usage and cost are unknown.', ...where }];
  }
  const warnings: ReportWarning[] = [];
  // Series with the same count of unknown periods are named together (CloudWatch gaps often hit all three).
  const byCount = new Map<number, string[]>();
  for (const k of REQUIRED_SERIES) {
    if (by[k] > 0 && by[k] < periods) byCount.set(by[k], [...(byCount.get(by[k]) ?? []), `series.${k}`]);
  }
  if (byCount.size > 0) {
    const parts = [...byCount].map(
      ([n, names]) => `${names.join(', ')} ${names.length > 1 ? 'are' : 'is'} unknown in ${n.toLocaleString('en-US')} of ${periods.toLocaleString('en-US')} periods (${pct(n / periods)})`,
    );
    warnings.push({
      code: 'partial-data',
      message: `${parts.join('; ')}: each sum is extrapolated from the periods where its own series is known; concurrency is held at the last known level.`,
      ...where,
    });
  }
  for (const k of REQUIRED_SERIES.filter((s) => by[s] >= periods)) {
    warnings.push({
      code: 'series-unknown',
      message: `series.${k} is unknown in every period: ${SERIES_FEEDS[k]}; figures that do not need it are still computed.`,
      ...where,
    });
  }
  return warnings;
}

/** Throws when a computed figure is not a finite number (schema bounds should make it impossible). */
export function assertFinite(where: string, figures: Record<string, unknown>): void {
  const walk = (value: unknown, path: string): void => {
    if (typeof value === 'number') {
      if (!Number.isFinite(value)) throw new NonFiniteFigureError(where, path, value);
    } else if (value !== null && typeof value === 'object' && !ArrayBuffer.isView(value)) {
      for (const [k, v] of Object.entries(value)) walk(v, path === '' ? k : `${path}.${k}`);
    }
  };
  walk(figures, '');
}

/**
 * Summarize one function: usage over the window, monthly quantities and the standard-Lambda
 * lines that do not depend on other functions, plus the LMI sizing (unless already on LMI or
 * unpriced). Tiers and the free tier are account-wide: build-report applies them.
 */
export function summarizeFunction(profile: FunctionProfile, ctx: SummarizeContext): FunctionSummary {
  const { window, prices, config } = ctx;
  const roundingMs = config.billing.roundingMsPerInvocation + (ctx.extraBilledMsPerInvocation ?? 0);
  const periods = periodCount(window);
  const totals = walkSeries(profile, periods, roundingMs);
  const usage = usageOf(totals, profile, window, roundingMs);
  const unknownShare = periods > 0 ? usage.unknownPeriods / periods : 1;
  const alreadyOnLmi = profile.capacityProviderArn != null && profile.capacityProviderArn !== '';
  const where = { region: profile.region, function: profile.name };
  const warnings: ReportWarning[] = dataWarnings(usage, periods, where);

  // Why the standard cost is unknown: every true reason, never a generic one.
  const standardUnknownReasons: string[] = [];
  const pcUnknown = profile.provisionedConcurrency === null;
  if (pcUnknown) {
    standardUnknownReasons.push('provisioned concurrency could not be read');
    warnings.push({
      code: 'pc-unknown',
      message: "Provisioned concurrency could not be read; the function's standard cost is unknown.",
      ...where,
    });
  }
  const lambdaPrices = prices?.lambda;
  if (!lambdaPrices) {
    standardUnknownReasons.push(`no Lambda prices for region ${profile.region}`);
    warnings.push({
      code: 'no-prices',
      message: `No Lambda prices for region ${profile.region}; the function's cost is unknown.`,
      ...where,
    });
  }

  const windowInvocations = extrapolated(totals.invocations, periods);
  let monthly: MonthlyQuantities | null = null;
  if (!alreadyOnLmi) {
    const m = monthlyOf(totals, profile, window, roundingMs);
    monthly = m.monthly;
    if (m.unknown) standardUnknownReasons.push(...m.unknown);
  }
  const cost = monthly && lambdaPrices && !pcUnknown ? nonTieredCostOf(monthly, profile, lambdaPrices, config) : null;

  // The LMI replay needs concurrency and invocations (requests, throttles), never duration.
  let sizing: LmiSizing | null = null;
  let lmiUnknownReason: string | null = null;
  if (!alreadyOnLmi) {
    if (!prices || !lambdaPrices) {
      // Unpriced: the standard cost's reason already says so.
    } else if (totals.concurrency.known === 0) {
      lmiUnknownReason = 'LMI could not be sized: series.concurrencyMax is unknown in every period, and the capacity replay needs it.';
    } else if (windowInvocations === null) {
      lmiUnknownReason = 'LMI could not be sized: series.invocations is unknown in every period (requests and throttles need it).';
    } else {
      sizing = sizeLmi(profile, { invocations: windowInvocations, avgDurationMs: usage.avgDurationMs }, { window, prices, config });
      if (!sizing) lmiUnknownReason = "LMI could not be sized: no instance price for the function's architecture in its region.";
    }
  }

  if (sizing && cost && monthly && lambdaPrices && !couldMigrate(sizing, cost, monthly, lambdaPrices, profile, config)) {
    // Named fields, not a spread: a sizing's grids are getters (priced when read), a spread would drop them.
    sizing = {
      result: sizing.result,
      costByCpuShare: sizing.costByCpuShare,
      costByTrafficScale: sizing.costByTrafficScale,
      chart: sizing.chart,
      capacity: { capacity: new Uint32Array(0), runLengths: new Uint32Array(0), periodSeconds: window.periodSeconds },
      risks: sizing.risks,
    };
  }

  const label = `${profile.region}/${profile.name}`;
  assertFinite(label, { usage, windowInvocations, monthly, cost });
  if (sizing) assertFinite(label, { lmi: sizing.result, costByCpuShare: sizing.costByCpuShare, costByTrafficScale: sizing.costByTrafficScale });

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
    windowInvocations,
    monthly,
    freeTierEligible: profile.provisionedConcurrency === 0,
    cost,
    standardUnknownReasons: cost ? [] : standardUnknownReasons,
    sizing,
    lmiUnknownReason,
    warnings,
  };
}
