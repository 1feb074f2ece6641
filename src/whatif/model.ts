/**
 * The report for other knob values, rebuilt from WhatIfData by the model itself: sizeLmi over
 * the compact replay, nonTieredCostOf, and buildReport (tiers, free tier, recommendations,
 * capacity providers, totals). Runs in the browser (bundle.ts) and in Node (tests, bench).
 */
import { describeAssumptions } from '../config/assumptions.js';
import type { Config } from '../config/schema.js';
import { buildReport, sharedLmiKey } from '../model/build-report.js';
import { cpuBusyFractionFor, cpuBusyFractionOverrideKey } from '../model/lmi/shape.js';
import { sizeLmi } from '../model/lmi/size.js';
import type { ReplaySource } from '../model/lmi/replay-source.js';
import type { LmiContext } from '../model/lmi/types.js';
import { nonTieredCostOf } from '../model/summarize.js';
import type { FunctionSummary } from '../model/summary.js';
import { regionPrices } from '../prices/price-list.js';
import type { ReportModel } from '../report/types.js';
import type { FunctionProfile } from '../source/profile.js';
import type { WhatIfData, WhatIfFunction } from './data.js';
import { compactReplay } from './replay-compact.js';


/**
 * What is kept per function between updates. sizeLmi depends on the config only through
 * config.lmi: the last sizing is kept with that section's JSON (without the grouping and CPU share
 * knobs) and the function's CPU share (null where CPU is measured: a measured function ignores the
 * assumed share), so moving pricing.lambdaDiscount, recommend.minSavingsPct or lmi.groupUntagged
 * (grouping happens in buildReport) re-runs buildReport alone. The cost (nonTieredCostOf) depends
 * on pricing.lambdaDiscount alone, and the summary on the cost and the sizing: kept objects are
 * reused as they are (nothing downstream changes a summary).
 */
interface Kept {
  /** The profile as sizeLmi reads it (no series). */
  profile: FunctionProfile;
  /** The compact replay (built once) and the usage sizeLmi reads: fixed per function. */
  replay: ReplaySource | null;
  usage: { invocations: number; avgDurationMs: number | null } | null;
  sizingKey: string | null;
  sizingShare: number | null;
  /** The override key that share came from (null: lmi.cpuBusyFraction): the sizing names it (cpuAssumedBy), so an override equal to the global share is still another sizing. */
  sizingShareBy: string | null;
  sizing: FunctionSummary['sizing'];
  costDiscount: number | null;
  cost: FunctionSummary['cost'];
  summary: FunctionSummary | null;
}
const kept = new WeakMap<WhatIfFunction, Kept>();

const EMPTY_SERIES = { invocations: [], durationMsSum: [], concurrencyMax: [] };

/**
 * The profile without its series, every field of FunctionProfile written in one order (absent
 * optional ones as undefined): one hidden class for all the profiles sizeLmi reads. A spread of
 * the decoded profiles (a few shapes) gave nearly every copy its own, and sizeLmi's reads of them
 * went megamorphic.
 */
export function sizingProfile(p: Omit<FunctionProfile, 'series'>): FunctionProfile {
  return {
    region: p.region,
    name: p.name,
    runtime: p.runtime,
    architecture: p.architecture,
    memoryMB: p.memoryMB,
    timeoutSeconds: p.timeoutSeconds,
    ephemeralStorageMB: p.ephemeralStorageMB,
    provisionedConcurrency: p.provisionedConcurrency,
    reservedConcurrency: p.reservedConcurrency,
    packageType: p.packageType,
    tags: p.tags,
    capacityProviderArn: p.capacityProviderArn,
    memoryUsedMBMax: p.memoryUsedMBMax,
    cpuSecondsPerInvocation: p.cpuSecondsPerInvocation,
    initMsPerInvocation: p.initMsPerInvocation,
    series: EMPTY_SERIES,
  };
}

function keptOf(f: WhatIfFunction): Kept {
  let k = kept.get(f);
  if (k === undefined) {
    k = {
      profile: sizingProfile(f.profile),
      replay: null,
      usage: null,
      sizingKey: null,
      sizingShare: null,
      sizingShareBy: null,
      sizing: null,
      costDiscount: null,
      cost: null,
      summary: null,
    };
    kept.set(f, k);
  }
  return k;
}

/**
 * The summary with its cost and sizing, field by field in the order `{ ...summary, cost, sizing }`
 * gives: that spread (which adds two fields) is some 100x slower at 10,000 functions, and the
 * literal gives every summary one hidden class for the reads downstream.
 */
export function summaryOf(s: WhatIfFunction['summary'], cost: FunctionSummary['cost'], sizing: FunctionSummary['sizing']): FunctionSummary {
  return {
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
    unknownShare: s.unknownShare,
    windowInvocations: s.windowInvocations,
    monthly: s.monthly,
    freeTierEligible: s.freeTierEligible,
    standardUnknownReasons: s.standardUnknownReasons,
    lmiUnknownReason: s.lmiUnknownReason,
    warnings: s.warnings,
    cost,
    sizing,
  };
}

/** The sizing context of the last region priced (the same three objects for most functions in a row: no literal per function). */
let lastContext: LmiContext | null = null;
function contextOf(data: WhatIfData, prices: LmiContext['prices'], config: Config): LmiContext {
  const last = lastContext;
  if (last !== null && last.prices === prices && last.config === config && last.window === data.window) return last;
  lastContext = { window: data.window, prices, config };
  return lastContext;
}

function summaryFor(data: WhatIfData, f: WhatIfFunction, config: Config, shared: string): FunctionSummary {
  const k = keptOf(f);
  const prices = regionPrices(data.priceBook, f.summary.region);
  const lambdaPrices = prices?.lambda;
  const profile = k.profile;
  // As summarize.ts: a cost needs monthly quantities, Lambda prices and a known PC.
  let cost = k.cost;
  if (k.summary === null || k.costDiscount !== config.pricing.lambdaDiscount) {
    cost =
      f.summary.monthly && lambdaPrices && f.profile.provisionedConcurrency !== null
        ? nonTieredCostOf(f.summary.monthly, profile, lambdaPrices, config)
        : null;
  }
  let sizing = k.sizing;
  const measured = f.profile.cpuSecondsPerInvocation !== null && f.profile.cpuSecondsPerInvocation !== undefined;
  const share = measured ? null : cpuBusyFractionFor(config.lmi, f.summary.region, f.summary.name);
  const shareBy = measured ? null : cpuBusyFractionOverrideKey(config.lmi, f.summary.region, f.summary.name);
  if (k.summary === null || k.sizingKey !== shared || k.sizingShare !== share || k.sizingShareBy !== shareBy) {
    sizing = null;
    if (f.sizing !== null && prices !== undefined) {
      const replay = (k.replay ??= compactReplay(f.sizing.replay, data.window));
      const usage = (k.usage ??= { invocations: f.sizing.invocations, avgDurationMs: f.summary.usage.avgDurationMs });
      sizing = sizeLmi(profile, usage, contextOf(data, prices, config), replay);
    }
  }
  if (k.summary === null || cost !== k.cost || sizing !== k.sizing) k.summary = summaryOf(f.summary, cost, sizing);
  k.cost = cost;
  k.costDiscount = config.pricing.lambdaDiscount;
  k.sizing = sizing;
  k.sizingKey = shared;
  k.sizingShare = share;
  k.sizingShareBy = shareBy;
  return k.summary;
}

/** Builds every function's compact replay and its sizing at the run's values ahead of the first update (the page calls it at load). */
export function prepareReplays(data: WhatIfData): void {
  for (const f of data.functions) {
    const k = keptOf(f);
    if (f.sizing !== null) k.replay ??= compactReplay(f.sizing.replay, data.window);
  }
  // Sizes every function at the run's values, so the first knob change finds each candidate's
  // demand and the chosen replays kept (a discount then re-prices from them alone), as later ones do.
  const shared = sharedLmiKey(data.config);
  for (const f of data.functions) summaryFor(data, f, data.config, shared);
}

/**
 * Every function's summary for a config, re-sized where what its sizing reads moved: whatIfReport's
 * first step (bench/whatif-sizing.ts times it alone).
 */
export function whatIfSummaries(data: WhatIfData, config: Config): FunctionSummary[] {
  for (const key of ['scaleOutMinutes', 'scaleInMinutes'] as const) {
    if (config.lmi[key] !== data.config.lmi[key]) {
      throw new Error(`lmi.${key} is fixed by the page's data (${data.config.lmi[key]}); re-run the CLI to change it`);
    }
  }
  const shared = sharedLmiKey(config);
  return data.functions.map((f) => summaryFor(data, f, config, shared));
}

/**
 * `lazy`: the functions' rarely read figures are computed on first read (buildReport's `lazy`):
 * what the page renders (150 sections of 10,000 functions) reads few of them.
 */
export function whatIfReport(data: WhatIfData, config: Config, options: { lazy?: boolean } = {}): ReportModel {
  const model = buildReport({
    accountId: data.accountId,
    window: data.window,
    summaries: whatIfSummaries(data, config),
    priceBook: data.priceBook,
    config,
    assumptions: describeAssumptions(config),
    run: data.run,
    warnings: data.recordedWarnings.map((w) => ({ ...w })),
    lazy: options.lazy === true,
  });
  // A nightly run's own parts, after the model's warnings as run.ts appends them.
  if (data.runOnly) {
    model.warnings.push(...data.runOnly.warnings.map((w) => ({ ...w })));
    if (data.runOnly.changes) model.changes = structuredClone(data.runOnly.changes);
  }
  return model;
}
