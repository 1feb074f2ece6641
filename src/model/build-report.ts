/**
 * THE MERGE STEP: all shards' FunctionSummaries -> one ReportModel. Everything that crosses a
 * shard boundary is resolved here: duration tiers (account-wide per region+arch), the free tier
 * (one account credit), trust groups (capacity providers). Pure: no I/O, no clock.
 */
import type { Config } from '../config/schema.js';
import { NonFiniteFigureError } from '../errors.js';
import type { DurationTier, InstancePrice, LambdaRegionPrices, PriceBook, RegionPrices } from '../prices/types.js';
import type {
  Assumption,
  CapacityProviderPlan,
  ChartSeries,
  FunctionReport,
  LmiResult,
  Recommendation,
  ReportModel,
  ReportWarning,
  RunInfo,
  StandardCost,
  Totals,
  Usage,
} from '../report/types.js';
import { RECOMMENDATIONS } from '../report/types.js';
import type { Architecture, SnapshotWindow } from '../source/profile.js';
import { windowHours } from '../source/profile.js';
import { breakEvenCpuShare, breakEvenCpuShareAtLeast, breakEvenInvocationsPerMonth } from './break-even.js';
import { groupForProviders, type ProviderGroup, splitGroup } from './capacity-plan.js';
import { type FreeTierBucket, freeTierCreditUsd } from './free-tier.js';
import { planCapacityProvider } from './lmi/index.js';
import { Sizing } from './lmi/size.js';
import type { GroupMember, LmiSizing } from './lmi/types.js';
import { type BreakEvens, type Decision, type DecideInput, type DecideLmi, decide, usd } from './recommend.js';
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
  /**
   * Build each function's lmi (with breakEvenCpuShare), breakEvenInvocationsPerMonth, reasons
   * after the first and chart on first read (the what-if page renders 150 of 10,000 functions in
   * full): report.functions are then FunctionFigures (see there). Absent or false: plain objects.
   */
  lazy?: boolean;
}

/** Standard Lambda for a set of functions billed together in one account month. */
interface AccountStandard {
  /** Each function's cost, in the order of the summaries given (null: not priced); empty unless asked for. */
  perFunction: (StandardCost | null)[];
  freeTierCreditUsd: number;
  /** Sum of the functions' totals minus the free-tier credit. */
  totalUsd: number;
  /** The free-tier-eligible usage per region+architecture the credit was computed from. */
  freeTierBuckets: FreeTierBucket[];
}

/** One region+architecture: the aggregate on-demand GB-s the duration tiers apply to. */
interface TierBucket {
  lambda: LambdaRegionPrices;
  tiers: readonly DurationTier[];
  gbSeconds: number;
  /** The tiered duration of gbSeconds after pricing.lambdaDiscount, once gbSeconds is summed. */
  durationUsd: number;
  free: FreeTierBucket | null;
}

/**
 * Tiers and free tier over `summaries` (those with a cost). Duration tiers apply to the account's
 * aggregate monthly on-demand GB-s per region per architecture (pricing page: "tiers are based on
 * aggregate monthly duration ... per architecture, per region"); each function carries its
 * pro-rata share, so functions sum to the account exactly. Buckets are found per region, then by
 * architecture (no key string per function: this runs twice per what-if update at 10,000).
 */
function accountStandard(
  summaries: readonly FunctionSummary[],
  priceBook: PriceBook,
  config: Config,
  withPerFunction: boolean,
  kept: KeptStandard | null = null,
): AccountStandard {
  const discount = config.pricing.lambdaDiscount;
  const regions = new Map<string, Record<Architecture, TierBucket | null> | null>();
  const bucketOf: (TierBucket | null)[] = new Array<TierBucket | null>(summaries.length).fill(null);
  const tierBuckets: TierBucket[] = [];
  for (let i = 0; i < summaries.length; i++) {
    const s = summaries[i]!;
    if (!s.cost || !s.monthly) continue;
    let region = regions.get(s.region);
    if (region === undefined) {
      region = priceBook.regions[s.region]?.lambda ? { x86_64: null, arm64: null } : null;
      regions.set(s.region, region);
    }
    if (region === null) continue;
    let bucket = region[s.architecture];
    if (bucket === null) {
      const lambda = priceBook.regions[s.region]!.lambda!;
      bucket = { lambda, tiers: lambda.durationTiers[s.architecture], gbSeconds: 0, durationUsd: 0, free: null };
      region[s.architecture] = bucket;
      tierBuckets.push(bucket);
    }
    bucket.gbSeconds += s.monthly.onDemandGbSeconds;
    bucketOf[i] = bucket;
  }
  for (const b of tierBuckets) b.durationUsd = tieredDurationUsd(b.gbSeconds, b.tiers) * (1 - discount);

  const perFunction: (StandardCost | null)[] = withPerFunction ? new Array<StandardCost | null>(summaries.length).fill(null) : [];
  const freeTierBuckets: FreeTierBucket[] = [];
  const freeTier = config.pricing.freeTier;
  let sum = 0;
  for (let i = 0; i < summaries.length; i++) {
    const bucket = bucketOf[i];
    if (!bucket) continue;
    const s = summaries[i]!;
    const monthly = s.monthly!;
    const cost = s.cost!;
    const agg = bucket.gbSeconds;
    let totalUsd: number;
    if (
      kept !== null &&
      withPerFunction &&
      kept.costs[i] === cost &&
      kept.monthlies[i] === monthly &&
      Object.is(kept.bucketDurationUsd[i], bucket.durationUsd) &&
      Object.is(kept.bucketGbSeconds[i], agg)
    ) {
      // Every number the cost is made of is the one it was made of: the very object again.
      const standard = kept.standards[i] as StandardCost;
      totalUsd = standard.totalUsd;
      perFunction[i] = standard;
    } else {
      const durationUsd = agg > 0 ? (bucket.durationUsd * monthly.onDemandGbSeconds) / agg : 0;
      totalUsd = cost.requestsUsd + durationUsd + cost.provisionedConcurrencyUsd + cost.ephemeralStorageUsd;
      if (withPerFunction) {
        const standard: StandardCost = {
          requestsUsd: cost.requestsUsd,
          durationUsd,
          provisionedConcurrencyUsd: cost.provisionedConcurrencyUsd,
          // The PC-duration part, shown on its own line (pricing page PC ex. 1: PC + PC-duration).
          provisionedDurationUsd: cost.provisionedConcurrencyUsd - cost.pcConfiguredUsd,
          ephemeralStorageUsd: cost.ephemeralStorageUsd,
          totalUsd,
        };
        perFunction[i] = standard;
        if (kept !== null) {
          kept.costs[i] = cost;
          kept.monthlies[i] = monthly;
          kept.bucketDurationUsd[i] = bucket.durationUsd;
          kept.bucketGbSeconds[i] = agg;
          kept.standards[i] = standard;
        }
      }
    }
    sum += totalUsd;
    if (freeTier && s.freeTierEligible) {
      let b = bucket.free;
      if (b === null) {
        // A free GB-s would have been billed at the first tier after the Savings Plan discount.
        b = {
          requests: 0,
          gbSeconds: 0,
          requestUsd: bucket.lambda.requestUsd[s.architecture],
          firstTierUsdPerGbSecond: firstTierUsdPerGbSecond(bucket.tiers) * (1 - discount),
        };
        bucket.free = b;
        freeTierBuckets.push(b);
      }
      b.requests += monthly.requests;
      b.gbSeconds += monthly.onDemandGbSeconds;
    }
  }
  const credit = freeTierCreditUsd(freeTierBuckets);
  return { perFunction, freeTierCreditUsd: credit, totalUsd: sum - credit, freeTierBuckets };
}

/**
 * Each function's standard cost of the last lazy build, by its index, with all it was computed
 * from: the summary's cost and monthly objects (the what-if page keeps both while
 * pricing.lambdaDiscount stays; nothing changes them once built) and its tier bucket's aggregate
 * GB-s and tiered duration. A function whose four are the same gets the same object again, which
 * lets the figures kept by identity (keptFigures) see that its standard side did not move. One
 * entry per index: bounded by the account's size.
 */
interface KeptStandard {
  costs: (FunctionSummary['cost'] | undefined)[];
  monthlies: (FunctionSummary['monthly'] | undefined)[];
  bucketDurationUsd: number[];
  bucketGbSeconds: number[];
  standards: (StandardCost | undefined)[];
}

/**
 * Standard cost per busy GB-hour over LMI cost per provisioned GB-hour (the seeds' view: Lambda
 * bills busy time at ~5x what the same memory costs as an instance). null when unknown.
 */
function busyTimePremium(
  s: FunctionSummary,
  standard: StandardCost | null,
  lmi: Pick<LmiResult, 'instanceType' | 'instanceHours' | 'ec2Usd' | 'managementFeeUsd'> | null,
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

/** A `migrate` function as grouping and planning read it: its summary with its figures. */
interface Migrating {
  region: string;
  architecture: Architecture;
  trustGroup: string | null;
  name: string;
  summary: FunctionSummary;
  lmi: LmiResult;
  standard: StandardCost | null;
  /** The total of its own provider (untagged, lmi.groupUntagged off), for the pooling figure. */
  dedicatedUsd: number;
}

function memberOf(m: Migrating): GroupMember {
  return {
    name: m.name,
    memoryMB: m.summary.memoryMB,
    result: m.lmi,
    capacity: m.summary.sizing!.capacity,
    // The window's total, extrapolated over unknown periods; a sized function has it known.
    invocations: m.summary.windowInvocations ?? 0,
  };
}

/**
 * What buildReport keeps per sizing object between calls. The what-if page rebuilds the report on
 * every knob change, and a knob that does not re-size (recommend.*, lmi.groupUntagged,
 * pricing.lambdaDiscount) hands it the very sizing objects of the last update. Each figure here is
 * a pure function of the sizing and the values stored beside it: reused when those are equal
 * (Object.is, or identity for objects), recomputed otherwise. Held by the sizing itself (its
 * reportMemo slot, or a WeakMap entry), so it lives no longer than its sizing; one value of each
 * kind is kept (the last), so it cannot grow.
 */
interface SizingMemo {
  /** breakEvenCpuShare at cpuShareStandardUsd; cpuShareKnown false until computed. */
  cpuShare: number | null;
  cpuShareStandardUsd: number;
  cpuShareKnown: boolean;
  /** breakEvenCpuShareAtLeast at this standard total and floor; null until computed. */
  atLeast: boolean | null;
  atLeastStandardUsd: number;
  atLeastFloor: number;
  /** sizing.result with breakEvenCpuShare at this standard total. */
  lmi: LmiResult | null;
  lmiStandardUsd: number;
  /** allFinite(lmi), once read. */
  lmiFinite: boolean | null;
  /** allFinite(sizing.result), once read. */
  resultFinite: boolean | null;
  breakEven: { standardUsd: number; fixedUsd: number; requests: number; invocations: number | null } | null;
  solo: SoloPlan | null;
}

/** The plan of a provider of one member, with everything planCapacityProvider reads besides the sizing. */
interface SoloPlan {
  name: string;
  region: string;
  architecture: Architecture;
  trustGroup: string | null;
  memberName: string;
  memoryMB: number;
  invocations: number;
  prices: RegionPrices;
  window: SnapshotWindow;
  planningKey: string;
  /** As planCapacityProvider returned it (standardTotalUsd 0): never handed out. */
  plan: CapacityProviderPlan | null;
  /** A copy of `plan` with standardTotalUsd filled, the last handed out. */
  last: CapacityProviderPlan | null;
}

function newMemo(): SizingMemo {
  return {
    cpuShare: null,
    cpuShareStandardUsd: 0,
    cpuShareKnown: false,
    atLeast: null,
    atLeastStandardUsd: 0,
    atLeastFloor: 0,
    lmi: null,
    lmiStandardUsd: 0,
    lmiFinite: null,
    resultFinite: null,
    breakEven: null,
    solo: null,
  };
}

/** Memos of sizings not made by sizeLmi (tests build plain objects); sizeLmi's keep theirs in a slot. */
const sizingMemos = new WeakMap<LmiSizing, SizingMemo>();

function memoOf(sizing: LmiSizing): SizingMemo {
  if (sizing instanceof Sizing) {
    let memo = sizing.reportMemo as SizingMemo | undefined;
    if (memo === undefined) {
      memo = newMemo();
      sizing.reportMemo = memo;
    }
    return memo;
  }
  let memo = sizingMemos.get(sizing);
  if (memo === undefined) {
    memo = newMemo();
    sizingMemos.set(sizing, memo);
  }
  return memo;
}

/** The memo of a sizing if it has one (builds none). */
function memoIfAny(sizing: LmiSizing): SizingMemo | undefined {
  return sizing instanceof Sizing ? (sizing.reportMemo as SizingMemo | undefined) : sizingMemos.get(sizing);
}

/** The function's break-even CPU share against its standard total. */
function cpuShareAt(sizing: LmiSizing, standardUsd: number): number | null {
  const memo = memoOf(sizing);
  if (!memo.cpuShareKnown || !Object.is(memo.cpuShareStandardUsd, standardUsd)) {
    memo.cpuShare = breakEvenCpuShare(sizing.cpuShareCosts ?? sizing.costByCpuShare, standardUsd);
    memo.cpuShareStandardUsd = standardUsd;
    memo.cpuShareKnown = true;
  }
  return memo.cpuShare;
}

/** cpuShareAt(sizing, standardUsd) >= floor, false when null: breakEvenCpuShareAtLeast, or the share itself when known. */
function cpuShareAtLeastAt(sizing: LmiSizing, standardUsd: number, floor: number): boolean {
  const kept = memoIfAny(sizing);
  if (kept !== undefined && kept.cpuShareKnown && Object.is(kept.cpuShareStandardUsd, standardUsd)) return kept.cpuShare !== null && kept.cpuShare >= floor;
  // breakEvenCpuShareAtLeast's first answer, where one bound settles it: no grid and no memo built
  // (asked again, it costs a few flops; most functions LMI loses at 10,000 end here).
  if ((kept === undefined || kept.atLeast === null) && sizing instanceof Sizing && sizing.cpuShareSettled(standardUsd, floor)) return false;
  const memo = kept ?? memoOf(sizing);
  if (memo.atLeast === null || !Object.is(memo.atLeastStandardUsd, standardUsd) || !Object.is(memo.atLeastFloor, floor)) {
    memo.atLeast = breakEvenCpuShareAtLeast(sizing.cpuShareCosts ?? sizing.costByCpuShare, standardUsd, floor);
    memo.atLeastStandardUsd = standardUsd;
    memo.atLeastFloor = floor;
  }
  return memo.atLeast;
}

/** The function's LMI result with its break-even CPU share against its standard total. */
function lmiAt(sizing: LmiSizing, standardUsd: number): LmiResult {
  const memo = memoOf(sizing);
  if (memo.lmi === null || !Object.is(memo.lmiStandardUsd, standardUsd)) {
    memo.lmi = { ...sizing.result, breakEvenCpuShare: cpuShareAt(sizing, standardUsd) };
    memo.lmiStandardUsd = standardUsd;
    memo.lmiFinite = null;
  }
  return memo.lmi;
}

/**
 * The sizing's result's fields decide and busyTimePremium read: a Sizing reads them from its parts
 * (its result is built on first read only: most of a what-if update's 10,000 are never read whole).
 */
function resultFigures(sizing: LmiSizing): DecideLmi & Pick<LmiResult, 'instanceType' | 'instanceHours' | 'ec2Usd' | 'managementFeeUsd'> {
  return sizing instanceof Sizing ? sizing : sizing.result;
}

/** allFinite(sizing.result), kept in the sizing's memo if it has one (no memo built for it: most sizings need none). */
function resultFinite(sizing: LmiSizing): boolean {
  if (sizing instanceof Sizing) return sizing.resultFinite;
  const memo = memoIfAny(sizing);
  if (memo === undefined) return allFinite(sizing.result);
  memo.resultFinite ??= allFinite(sizing.result);
  return memo.resultFinite;
}

function breakEvenInvocationsAt(sizing: LmiSizing, standardUsd: number, fixedUsd: number, requests: number): number | null {
  const memo = memoOf(sizing);
  const b = memo.breakEven;
  if (b !== null && Object.is(b.standardUsd, standardUsd) && Object.is(b.fixedUsd, fixedUsd) && Object.is(b.requests, requests)) {
    return b.invocations;
  }
  const invocations = breakEvenInvocationsPerMonth(
    sizing.trafficScaleCosts ?? sizing.costByTrafficScale,
    { totalUsd: standardUsd, fixedUsd },
    requests,
  );
  memo.breakEven = { standardUsd, fixedUsd, requests, invocations };
  return invocations;
}

/** What every function's figures read besides its summary and standard cost: one per report build. */
interface FiguresContext {
  config: Config;
  priceBook: PriceBook;
  windowDays: number;
  periodSeconds: number;
  /** Periods in the window (unknownSeriesDetail). */
  periods: number;
  lazy: boolean;
  /** The window the three figures above come from. */
  window: SnapshotWindow;
  /** config.recommend as JSON: of the config, the figures read this section alone (recommend.ts decide). */
  recommendKey: string;
}

/** Contexts in which a function's figures are the same: what the figures read of each is equal. */
function sameContext(a: FiguresContext, b: FiguresContext): boolean {
  return (
    a.priceBook === b.priceBook &&
    a.window === b.window &&
    a.recommendKey === b.recommendKey &&
    a.lazy === b.lazy
  );
}

const NO_RISKS: readonly string[] = [];

/**
 * What decide reads of one function, read through from its summary, standard cost and context
 * (no copy of some twenty fields per function per build: a what-if update builds 10,000; the
 * Decision keeps it until its reasons are read). Each read gives what the copy held.
 */
class FiguresInput implements DecideInput {
  constructor(
    readonly s: FunctionSummary,
    readonly standard: StandardCost | null,
    readonly ctx: FiguresContext,
    readonly busyTimePremium: number | null,
  ) {}

  get alreadyOnLmi(): boolean {
    return this.s.alreadyOnLmi;
  }
  get invocations(): number | null {
    return this.s.usage.invocations;
  }
  get monthlyInvocations(): number | null {
    return this.s.monthly?.requests ?? null;
  }
  get windowDays(): number {
    return this.ctx.windowDays;
  }
  get periodSeconds(): number {
    return this.ctx.periodSeconds;
  }
  get unknownShare(): number {
    return this.s.unknownShare;
  }
  /** Read only above recommend.maxUnknownShare: not built for the others. */
  get unknownDetail(): string | undefined {
    const s = this.s;
    return s.unknownShare > this.ctx.config.recommend.maxUnknownShare ? unknownSeriesDetail(s.usage, this.ctx.periods) : undefined;
  }
  get standardUnknownReasons(): readonly string[] | undefined {
    return this.s.standardUnknownReasons;
  }
  get lmiUnknownReason(): string | null | undefined {
    return this.s.lmiUnknownReason;
  }
  get runtime(): string | null {
    return this.s.runtime;
  }
  get memoryMB(): number {
    return this.s.memoryMB;
  }
  get avgDurationMs(): number | null {
    return this.s.usage.avgDurationMs;
  }
  get standardUsd(): number | null {
    return this.standard?.totalUsd ?? null;
  }
  /** The sizing's result figures: they stand for lmi wherever breakEvenCpuShare is not read (decide reads that through BreakEvens). */
  get lmi(): DecideLmi | null {
    const sizing = this.s.sizing;
    return sizing ? resultFigures(sizing) : null;
  }
  get sizingRisks(): readonly string[] {
    return this.s.sizing?.risks ?? NO_RISKS;
  }
  get utilization(): number | null {
    return this.s.usage.utilization;
  }
  get config(): Config {
    return this.ctx.config;
  }
}

/**
 * One function's report as buildReport builds it. The figures few readers need (a detail
 * section, a verdict, report.json) are computed on first read: `lmi` (the sizing's result with
 * breakEvenCpuShare, a copy), `breakEvenInvocationsPerMonth`, the reasons after the first,
 * `chart`; the verdict asks only whether breakEvenCpuShare reaches recommend.reviewCpuShare, and
 * only where that decides (recommend.ts, breakEvenCpuShareAtLeast). At 10,000
 * functions, most are one row of a table on the what-if page, rebuilt on every knob change.
 *
 * A class with private slots and getters (an object literal with getters is slow to build and
 * read at that count). buildReport hands these out only when asked (`lazy`, the what-if page);
 * otherwise toJSON(), the plain object, key order included. Read its fields, or JSON.stringify
 * it; a spread or structuredClone would copy the eager fields alone. The public fields are
 * `declare`d: set once, in the constructor (no define-to-undefined first).
 */
export class FunctionFigures implements FunctionReport, BreakEvens {
  declare readonly region: string;
  declare readonly name: string;
  declare readonly runtime: string | null;
  declare readonly architecture: Architecture;
  declare readonly memoryMB: number;
  declare readonly tags: Record<string, string>;
  declare readonly trustGroup: string | null;
  declare readonly alreadyOnLmi: boolean;
  declare readonly provisionedConcurrency: number | null;
  declare readonly usage: Usage;
  declare readonly standard: StandardCost | null;
  declare readonly savingsUsd: number | null;
  declare readonly recommendation: Recommendation;
  declare readonly risks: string[];
  declare readonly reviewRisks: string[];
  declare readonly busyTimePremium: number | null;
  readonly #summary: FunctionSummary;
  readonly #decision: Decision;
  readonly #lazy: boolean;
  /** The index of its summary in buildReport's input (the sort's starting order, keptFigures). */
  readonly #index: number;
  /** The context it was built in (keptFigures: reused in an equal one). */
  readonly #context: FiguresContext;
  /** undefined until read. */
  #cpuShare: number | null | undefined = undefined;
  #lmi: LmiResult | null | undefined = undefined;
  #breakEvenInvocations: number | null | undefined = undefined;

  constructor(s: FunctionSummary, standard: StandardCost | null, ctx: FiguresContext, index = 0) {
    this.region = s.region;
    this.name = s.name;
    this.runtime = s.runtime;
    this.architecture = s.architecture;
    this.memoryMB = s.memoryMB;
    this.tags = s.tags;
    this.trustGroup = s.trustGroup;
    this.alreadyOnLmi = s.alreadyOnLmi;
    this.provisionedConcurrency = s.provisionedConcurrency;
    this.usage = s.usage;
    this.standard = standard;
    this.#summary = s;
    this.#lazy = ctx.lazy;
    this.#index = index;
    this.#context = ctx;
    // The sizing's result stands for lmi wherever breakEvenCpuShare is not read (its other fields are the copy's).
    const result = s.sizing ? resultFigures(s.sizing) : null;
    this.savingsUsd = standard && result ? standard.totalUsd - result.totalUsd : null;
    this.busyTimePremium = busyTimePremium(s, standard, result, ctx.priceBook);
    const decision = decide(
      new FiguresInput(s, standard, ctx, this.busyTimePremium),
      this,
      // Lazy: no reason built until read (the page reads a first reason for the rows it shows alone).
      ctx.lazy ? 'verdict' : true,
    );
    this.recommendation = decision.recommendation;
    this.risks = decision.risks;
    this.reviewRisks = decision.reviewRisks;
    this.#decision = decision;
  }

  /** lmi.breakEvenCpuShare (BreakEvens: what the verdict reads). */
  cpuShare(): number | null {
    if (this.#cpuShare === undefined) {
      const sizing = this.#summary.sizing;
      this.#cpuShare = !sizing ? null : this.standard ? cpuShareAt(sizing, this.standard.totalUsd) : sizing.result.breakEvenCpuShare;
    }
    return this.#cpuShare;
  }

  /** cpuShare() >= floor (BreakEvens: the verdict's question), without the scan below `floor` where it can. */
  cpuShareAtLeast(floor: number): boolean {
    const share = this.#cpuShare;
    if (share !== undefined) return share !== null && share >= floor;
    const sizing = this.#summary.sizing;
    if (sizing && this.standard) return cpuShareAtLeastAt(sizing, this.standard.totalUsd, floor);
    const known = this.cpuShare();
    return known !== null && known >= floor;
  }

  /** breakEvenInvocationsPerMonth (BreakEvens: what the reasons read). */
  invocationsPerMonth(): number | null {
    if (this.#breakEvenInvocations === undefined) {
      const s = this.#summary;
      this.#breakEvenInvocations =
        s.sizing && this.standard && s.monthly && s.cost
          ? breakEvenInvocationsAt(s.sizing, this.standard.totalUsd, s.cost.pcConfiguredUsd, s.monthly.requests)
          : null;
    }
    return this.#breakEvenInvocations;
  }

  /** lmi without the finite check of a lazy read. */
  #lmiFigure(): LmiResult | null {
    if (this.#lmi === undefined) {
      const sizing = this.#summary.sizing;
      this.#lmi = sizing && this.standard ? lmiAt(sizing, this.standard.totalUsd) : (sizing?.result ?? null);
    }
    return this.#lmi;
  }

  get lmi(): LmiResult | null {
    const lmi = this.#lmiFigure();
    // buildReport checked every figure it computed; one computed later is checked here, as it would have been there.
    if (this.#lazy && lmi !== null && lmi.breakEvenCpuShare !== null && !Number.isFinite(lmi.breakEvenCpuShare)) {
      throw new NonFiniteFigureError(`${this.region}/${this.name}`, 'lmi.breakEvenCpuShare', lmi.breakEvenCpuShare);
    }
    return lmi;
  }

  get reasons(): string[] {
    return this.#decision.reasons;
  }

  /** reasons[0] ('' if none), without building the others (src/report/types.ts firstReason). */
  get firstReason(): string {
    return this.#decision.firstReason;
  }

  get breakEvenInvocationsPerMonth(): number | null {
    return this.invocationsPerMonth();
  }

  get chart(): ChartSeries | null {
    return this.#summary.sizing?.chart ?? null;
  }

  /** Its summary's index in buildReport's input. */
  static indexOf(f: FunctionFigures): number {
    return f.#index;
  }

  /** Its summary's sizing. */
  static sizingOf(f: FunctionFigures): LmiSizing | null {
    return f.#summary.sizing;
  }

  /**
   * `kept` built from this very summary and standard cost (identity) in a context equal to `ctx`
   * (sameContext): then every figure of it is the one a new FunctionFigures would compute. Its
   * lazy figures are read from its sizing's memo, keyed by the sizing and the standard total.
   */
  static reusable(kept: FunctionFigures | undefined, s: FunctionSummary, standard: StandardCost | null, ctx: FiguresContext): kept is FunctionFigures {
    return kept !== undefined && kept.#summary === s && kept.standard === standard && (kept.#context === ctx || sameContext(kept.#context, ctx));
  }

  /**
   * True when the figures computed so far are finite, read as allFinite reads the plain report's
   * (buildReport's check). `usageFinite` / `standardFinite` / `resultKnownFinite`: the usage, the
   * standard cost, the sizing's result were found finite already.
   */
  figuresFinite(usageFinite = false, standardFinite = false, resultKnownFinite = false): boolean {
    const sizing = this.#summary.sizing;
    const share = this.#lmi === undefined ? this.#cpuShare : this.#lmi?.breakEvenCpuShare;
    return (
      (usageFinite || allFinite(this.usage)) &&
      (standardFinite || allFinite(this.standard)) &&
      (!sizing || ((resultKnownFinite || resultFinite(sizing)) && (share == null || Number.isFinite(share)))) &&
      allFinite(this.savingsUsd)
    );
  }

  /** The figures buildReport checks, for the error that names the first non-finite one. */
  checkedFigures(): Record<string, unknown> {
    return { usage: this.usage, standard: this.standard, lmi: this.#lmiFigure(), savingsUsd: this.savingsUsd };
  }

  /** The plain FunctionReport: every figure computed, in the order of buildReport's object. */
  toJSON(): FunctionReport {
    return {
      region: this.region,
      name: this.name,
      runtime: this.runtime,
      architecture: this.architecture,
      memoryMB: this.memoryMB,
      tags: this.tags,
      trustGroup: this.trustGroup,
      alreadyOnLmi: this.alreadyOnLmi,
      provisionedConcurrency: this.provisionedConcurrency,
      usage: this.usage,
      standard: this.standard,
      lmi: this.lmi,
      savingsUsd: this.savingsUsd,
      recommendation: this.recommendation,
      reasons: this.reasons,
      risks: this.risks,
      reviewRisks: this.reviewRisks,
      breakEvenInvocationsPerMonth: this.breakEvenInvocationsPerMonth,
      busyTimePremium: this.busyTimePremium,
      chart: this.chart,
    };
  }
}

/**
 * config.lmi as JSON without lmi.groupUntagged and the CPU share knobs: what sizeLmi reads for
 * every function alike (the share is read per function) and what planCapacityProvider reads
 * (grouping and the share act through the groups and the sizing). A key for kept results
 * (here, and src/whatif/model.ts).
 */
export function sharedLmiKey(config: Config): string {
  const { groupUntagged: _grouping, cpuBusyFraction: _share, cpuBusyFractionByFunction: _shares, ...shared } = config.lmi;
  return JSON.stringify(shared);
}

/**
 * planCapacityProvider of a one-member group (every untagged function when lmi.groupUntagged is
 * off), kept with the member's sizing. The member's result is the sizing's result plus
 * breakEvenCpuShare, which planning does not read, so the sizing stands for it.
 */
function soloPlan(
  group: ProviderGroup<Migrating>,
  m: Migrating,
  prices: RegionPrices,
  input: BuildReportInput,
  key: string,
  standardTotalUsd: number,
): CapacityProviderPlan | null {
  const memo = memoOf(m.summary.sizing!);
  const invocations = m.summary.windowInvocations ?? 0;
  let solo = memo.solo;
  if (
    solo === null ||
    solo.name !== group.name ||
    solo.region !== group.region ||
    solo.architecture !== group.architecture ||
    solo.trustGroup !== group.trustGroup ||
    solo.memberName !== m.name ||
    solo.memoryMB !== m.summary.memoryMB ||
    !Object.is(solo.invocations, invocations) ||
    solo.prices !== prices ||
    solo.window !== input.window ||
    solo.planningKey !== key
  ) {
    const plan = planCapacityProvider({
      name: group.name,
      region: group.region,
      architecture: group.architecture,
      trustGroup: group.trustGroup,
      members: [memberOf(m)],
      prices,
      config: input.config,
      window: input.window,
    });
    solo = {
      name: group.name,
      region: group.region,
      architecture: group.architecture,
      trustGroup: group.trustGroup,
      memberName: m.name,
      memoryMB: m.summary.memoryMB,
      invocations,
      prices,
      window: input.window,
      planningKey: key,
      plan,
      last: null,
    };
    memo.solo = solo;
  }
  if (solo.plan === null) return null;
  if (solo.last === null || !Object.is(solo.last.standardTotalUsd, standardTotalUsd)) solo.last = { ...solo.plan, standardTotalUsd };
  return solo.last;
}

/**
 * planCapacityProvider of a group of several members, with everything it reads besides the config
 * key: the group's parts, and per member its name, sizing (result and capacity: planning reads no
 * breakEvenCpuShare) and invocations.
 */
interface KeptGroupPlan {
  region: string;
  architecture: Architecture;
  trustGroup: string | null;
  prices: RegionPrices;
  window: SnapshotWindow;
  planningKey: string;
  names: string[];
  sizings: LmiSizing[];
  invocations: number[];
  /** As planCapacityProvider returned it (standardTotalUsd 0): never handed out. */
  plan: CapacityProviderPlan | null;
  /** A copy of `plan` with standardTotalUsd filled, the last handed out. */
  last: CapacityProviderPlan | null;
}

/**
 * The plans of several members of this buildReport and of the one before, by provider name: a knob
 * that re-sizes nothing (recommend.*, pricing.lambdaDiscount) or lmi.groupUntagged (whose groups
 * are the pooled groups planned the update before) meets them again. Two generations: bounded.
 */
const keptGroupPlans = { now: new Map<string, KeptGroupPlan>(), before: new Map<string, KeptGroupPlan>() };

function sameGroupPlan(k: KeptGroupPlan | undefined, group: ProviderGroup<Migrating>, prices: RegionPrices, input: BuildReportInput, key: string): k is KeptGroupPlan {
  if (
    k === undefined ||
    k.region !== group.region ||
    k.architecture !== group.architecture ||
    k.trustGroup !== group.trustGroup ||
    k.prices !== prices ||
    k.window !== input.window ||
    k.planningKey !== key ||
    k.names.length !== group.members.length
  ) {
    return false;
  }
  for (let i = 0; i < group.members.length; i++) {
    const m = group.members[i]!;
    if (
      k.names[i] !== m.name ||
      k.sizings[i] !== m.summary.sizing ||
      !Object.is(k.invocations[i], m.summary.windowInvocations ?? 0)
    ) {
      return false;
    }
  }
  return true;
}

/** planCapacityProvider of a group of several members, kept (keptGroupPlans) while the group and its members' sizings stay. */
function groupPlan(
  group: ProviderGroup<Migrating>,
  prices: RegionPrices,
  input: BuildReportInput,
  key: string,
  standardTotalUsd: number,
): CapacityProviderPlan | null {
  let kept = keptGroupPlans.now.get(group.name);
  if (!sameGroupPlan(kept, group, prices, input, key)) kept = keptGroupPlans.before.get(group.name);
  if (!sameGroupPlan(kept, group, prices, input, key)) {
    const plan = planCapacityProvider({
      name: group.name,
      region: group.region,
      architecture: group.architecture,
      trustGroup: group.trustGroup,
      members: group.members.map(memberOf),
      prices,
      config: input.config,
      window: input.window,
    });
    kept = {
      region: group.region,
      architecture: group.architecture,
      trustGroup: group.trustGroup,
      prices,
      window: input.window,
      planningKey: key,
      names: group.members.map((m) => m.name),
      sizings: group.members.map((m) => m.summary.sizing!),
      invocations: group.members.map((m) => m.summary.windowInvocations ?? 0),
      plan,
      last: null,
    };
  }
  keptGroupPlans.now.set(group.name, kept);
  if (kept.plan === null) return null;
  if (kept.last === null || !Object.is(kept.last.standardTotalUsd, standardTotalUsd)) kept.last = { ...kept.plan, standardTotalUsd };
  return kept.last;
}

interface PlannedGroup {
  group: ProviderGroup<Migrating>;
  plan: CapacityProviderPlan | null;
  /** plan.totalUsd, or the members' own LMI totals when the group could not be planned. */
  totalUsd: number;
}

function planGroups(
  groups: readonly ProviderGroup<Migrating>[],
  input: BuildReportInput,
  key: string,
  notes: ReportWarning[] = [],
): PlannedGroup[] {
  const planOne = (group: ProviderGroup<Migrating>): PlannedGroup => {
    const prices = input.priceBook.regions[group.region];
    let standardTotalUsd = 0;
    for (const m of group.members) standardTotalUsd += m.standard?.totalUsd ?? 0;
    let plan: CapacityProviderPlan | null = null;
    if (prices && group.members.length === 1) {
      plan = soloPlan(group, group.members[0]!, prices, input, key, standardTotalUsd);
    } else if (prices) {
      plan = groupPlan(group, prices, input, key, standardTotalUsd);
    }
    let fallback = 0;
    for (const m of group.members) fallback += m.lmi.totalUsd;
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
  // for-in without the key array Object.keys builds; hasOwn keeps it to own enumerable keys.
  for (const k in value) if (Object.hasOwn(value, k) && !allFinite((value as Record<string, unknown>)[k])) return false;
  return true;
}

/** allFinite(lmi), read once per kept LMI result (the walk over its ~40 fields is the costly part). */
function lmiFinite(lmi: LmiResult | null, sizing: LmiSizing | null): boolean {
  if (lmi === null) return true;
  const memo = sizing === null ? undefined : memoIfAny(sizing);
  if (memo === undefined || memo.lmi !== lmi) return allFinite(lmi);
  memo.lmiFinite ??= allFinite(lmi);
  return memo.lmiFinite;
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

/** compareFunctions, then the summaries' order (FunctionFigures only). */
function compareByIndexOnTies(a: FunctionReport, b: FunctionReport): number {
  return compareFunctions(a, b) || FunctionFigures.indexOf(a as FunctionFigures) - FunctionFigures.indexOf(b as FunctionFigures);
}

/** sortByIndexOnTies's keys by position, grown as needed (one allocation for every update, not one each). */
let sortSavings = new Float64Array(0);
let sortNull = new Uint8Array(0);

/**
 * `reports` (FunctionFigures) in the order sort(compareByIndexOnTies) gives them: positions sorted
 * by a comparator that answers what compareByIndexOnTies answers for the two functions, reading
 * the savings (the usual decider) from typed arrays instead of a boxed number in each object per
 * comparison, and asking compareByIndexOnTies itself otherwise. The same answer for every pair
 * gives the sort the very same steps, so the very same order.
 */
function sortByIndexOnTies(reports: readonly FunctionReport[]): FunctionReport[] {
  const n = reports.length;
  if (sortSavings.length < n) {
    sortSavings = new Float64Array(n);
    sortNull = new Uint8Array(n);
  }
  const savings = sortSavings;
  const isNull = sortNull;
  const positions = new Array<number>(n);
  for (let k = 0; k < n; k++) {
    const x = reports[k]!.savingsUsd;
    isNull[k] = x == null ? 1 : 0;
    savings[k] = x ?? 0;
    positions[k] = k;
  }
  positions.sort((p, q) => {
    const pNull = isNull[p] as number;
    const qNull = isNull[q] as number;
    // compareFunctions: a null savings (either one alone) sorts last; two different numbers by savings, descending.
    if (pNull !== qNull) return pNull === 1 ? 1 : -1;
    if (pNull === 0) {
      const a = savings[p] as number;
      const b = savings[q] as number;
      // The sign of b - a, as a small integer: a double returned to the sort is a heap number per comparison (b - a where NaN).
      if (a !== b) return b > a ? 1 : b < a ? -1 : b - a;
    }
    return compareByIndexOnTies(reports[p]!, reports[q]!);
  });
  const sorted = new Array<FunctionReport>(n);
  for (let k = 0; k < n; k++) sorted[k] = reports[positions[k]!]!;
  return sorted;
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

/**
 * What a lazy buildReport (the what-if page: one per knob change, over the same functions in the
 * same order) leaves for the next, by summary index. A function's figures are reused when built
 * from the very summary and standard cost in an equal context (FunctionFigures.reusable); its
 * usage and standard cost, once found finite, are not walked again while they are the same
 * objects; the last order starts the next sort (the result is the same from any start: ties
 * are broken by index). The model never changes a summary, its
 * usage or a standard cost once built. One entry per function: bounded by the account's size.
 */
const keptLazy = {
  standard: { costs: [], monthlies: [], bucketDurationUsd: [], bucketGbSeconds: [], standards: [] } as KeptStandard,
  figures: [] as (FunctionFigures | undefined)[],
  /** figuresFinite() of figures[i] when built (what buildReport checks of it). */
  finite: [] as boolean[],
  /** Summary indices in the order the last report sorted them; null before the first. */
  order: null as number[] | null,
};

export function buildReportParts(input: BuildReportInput): ReportParts {
  const { window, summaries, priceBook, config } = input;
  const hours = windowHours(window);
  const lazy = input.lazy === true;
  const kept = lazy ? keptLazy : null;
  const account = accountStandard(summaries, priceBook, config, true, kept === null ? null : kept.standard);

  // Sized once (one entry per summary; pushes would copy them as they grow).
  const reports = new Array<FunctionReport>(summaries.length);
  const migrate: Migrating[] = [];
  const stays: FunctionSummary[] = [];
  const functionWarnings: ReportWarning[] = [];
  const periods = Math.round((hours * 3600) / window.periodSeconds);
  /** The first function with a non-finite figure, found while its objects are at hand; reported below. */
  let firstNonFinite = -1;

  const context: FiguresContext = {
    config,
    priceBook,
    windowDays: hours / 24,
    periodSeconds: window.periodSeconds,
    periods,
    lazy,
    window,
    recommendKey: JSON.stringify(config.recommend),
  };
  const figures = new Array<FunctionFigures>(summaries.length);
  for (let i = 0; i < summaries.length; i++) {
    const s = summaries[i]!;
    // Indexed loops: buildReportParts runs once per update, often before the optimizing compiler, where for-of allocates.
    const own = s.warnings;
    for (let k = 0; k < own.length; k++) functionWarnings.push(own[k]!);
    const standard = account.perFunction[i] ?? null;
    const before = kept === null ? undefined : kept.figures[i];
    const reused = kept !== null && FunctionFigures.reusable(before, s, standard, context);
    const f = reused ? (before as FunctionFigures) : new FunctionFigures(s, standard, context, i);
    if (f.recommendation === 'migrate') {
      migrate.push({
        region: s.region,
        architecture: s.architecture,
        trustGroup: s.trustGroup,
        name: s.name,
        summary: s,
        // Planning reads the result's figures, not breakEvenCpuShare.
        lmi: s.sizing!.result,
        standard,
        dedicatedUsd: 0,
      });
    } else stays.push(s);
    if (kept !== null) {
      let finite: boolean;
      if (reused) finite = kept.finite[i] as boolean;
      else {
        // A usage, standard cost or sizing result found finite before (the same object) is not walked again.
        const checked = before !== undefined && kept.finite[i] === true;
        finite = f.figuresFinite(
          checked && before.usage === f.usage,
          checked && before.standard === f.standard,
          checked && s.sizing !== null && FunctionFigures.sizingOf(before) === s.sizing,
        );
        kept.figures[i] = f;
        kept.finite[i] = finite;
      }
      if (firstNonFinite < 0 && !finite) firstNonFinite = i;
    } else if (lazy) {
      if (firstNonFinite < 0 && !f.figuresFinite()) firstNonFinite = i;
    } else {
      const r = f.toJSON();
      if (firstNonFinite < 0 && !(allFinite(s.usage) && allFinite(standard) && lmiFinite(r.lmi, s.sizing) && allFinite(r.savingsUsd))) {
        firstNonFinite = i;
      }
      reports[i] = r;
    }
    figures[i] = f;
  }
  if (lazy) {
    // The last report's order, where it has one for these functions: the sort meets few inversions.
    const order = kept !== null && kept.order !== null && kept.order.length === figures.length ? kept.order : null;
    if (order !== null) for (let k = 0; k < order.length; k++) reports[k] = figures[order[k]!]!;
    else for (let k = 0; k < figures.length; k++) reports[k] = figures[k]!;
  }

  const warnings: ReportWarning[] = [...input.warnings, ...functionWarnings];

  // Capacity providers for the `migrate` functions.
  keptGroupPlans.before = keptGroupPlans.now;
  keptGroupPlans.now = new Map();
  const key = sharedLmiKey(config);
  const planned = planGroups(groupForProviders(migrate, config.lmi.groupUntagged), input, key, warnings);
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
    const untagged = migrate.filter((m) => m.trustGroup == null);
    const pooled = groupForProviders(untagged, true).filter((g) => g.members.length > 1);
    if (pooled.length > 0) {
      for (const p of planned) if (p.group.trustGroup == null) p.group.members[0]!.dedicatedUsd = p.totalUsd;
      const pooledPlans = planGroups(pooled, input, key);
      groupUntaggedExtraSavingsUsd = pooledPlans.reduce(
        (sum, p) => sum + p.group.members.reduce((s2, m) => s2 + m.dedicatedUsd, 0) - p.totalUsd,
        0,
      );
    }
  }

  // The month with every `migrate` applied: tiers and free tier recomputed on what stays.
  const staying = accountStandard(stays, priceBook, config, false);
  const providersUsd = planned.reduce((sum, p) => sum + p.totalUsd, 0);
  const recommendedUsd = staying.totalUsd + providersUsd;

  const counts = Object.fromEntries(RECOMMENDATIONS.map((r) => [r, 0])) as Record<Recommendation, number>;
  for (let k = 0; k < reports.length; k++) counts[reports[k]!.recommendation]++;
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

  // No money or usage figure leaves the model non-finite unnoticed (issue 8, item 3). The loop above
  // walked each function's figures (allFinite, while its objects were at hand); assertFinite builds
  // each figure's path, needed only for the error, for the first function that failed.
  if (firstNonFinite >= 0) {
    const f = figures[firstNonFinite]!;
    assertFinite(`${f.region}/${f.name}`, f.checkedFigures());
  }
  // The walk without paths first (assertFinite builds a path string per figure: ~20 per provider).
  const accountFigures = { totals, providers: planned.map((p) => p.plan) };
  if (!allFinite(accountFigures)) assertFinite('account totals', accountFigures);

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
    // Lazy: started from the last order, so equal functions (none in one account: a name is unique in its region) are ordered by index, as the stable sort of the plain path orders them.
    functions: lazy ? sortByIndexOnTies(reports) : reports.sort(compareFunctions),
    warnings,
  };
  if (kept !== null) {
    // Written over where it has the length (read above, held by nothing else).
    const functions = report.functions;
    const order = kept.order !== null && kept.order.length === functions.length ? kept.order : new Array<number>(functions.length);
    for (let k = 0; k < functions.length; k++) order[k] = FunctionFigures.indexOf(functions[k] as FunctionFigures);
    kept.order = order;
    // Fewer functions than before: the entries past them belong to none.
    for (const list of [kept.figures, kept.finite, kept.standard.costs, kept.standard.monthlies, kept.standard.bucketDurationUsd, kept.standard.bucketGbSeconds, kept.standard.standards]) {
      if (list.length > summaries.length) list.length = summaries.length;
    }
  }
  return { report, freeTier: { all: account.freeTierBuckets, staying: staying.freeTierBuckets } };
}
