import { compareFunctions } from '../model/build-report.js';
import { freeTierCreditUsd } from '../model/free-tier.js';
import type { FreeTierBucket } from '../model/free-tier.js';
import type { PriceProvenance, Recommendation, ReportModel, ReportWarning, RunInfo, Totals } from '../report/types.js';
import { RECOMMENDATIONS } from '../report/types.js';
import { migrateOpportunities } from '../render/verdict.js';
import type { AccountSummary, OrgOpportunity, OrgPlan, OrgReportModel, ShardFailure, ShardResult } from './types.js';

/**
 * THE ORG MERGE: shard results (one account-region each) -> one report per account and the
 * organization report. Pure: no I/O, no clock.
 *
 * What crosses a shard boundary: duration tiers are per account, region and architecture
 * (pricing page: "aggregate monthly duration ... per architecture, per region"), so a region
 * shard already holds its whole tier bucket; capacity providers are per account and region, so
 * they too are final in the shard. The free tier is ONE credit per account across regions
 * (pricing page, "Free Tier"): the merge takes each region's credit back out and applies the
 * account's single credit to the account's free-tier usage of all its regions, once for the
 * month as it is and once for the month with every `migrate` applied.
 */

export interface MergeInput {
  plan: Pick<OrgPlan, 'accounts' | 'items' | 'skipped' | 'problems'>;
  results: readonly ShardResult[];
  /** Shards known to have failed (after retries), with why; items with neither are named too. */
  failures?: readonly ShardFailure[];
  /** tool, version, generatedAt, command of the merged run; `complete` is decided here. */
  run: Omit<RunInfo, 'complete'>;
  /** How many opportunities the org page lists (default 25). */
  topCount?: number;
}

export interface MergeOutput {
  org: OrgReportModel;
  /** One full report model per account with at least one result, by account id. */
  accounts: ReportModel[];
}

function emptyCounts(): Record<Recommendation, number> {
  return Object.fromEntries(RECOMMENDATIONS.map((r) => [r, 0])) as Record<Recommendation, number>;
}

const sumOrNull = (values: (number | null)[]): number | null =>
  values.every((v) => v === null) ? null : values.reduce<number>((s, v) => s + (v ?? 0), 0);

/** Totals of one account from its region shards: each region's credit out, one account credit in. */
export function accountTotals(shards: readonly ShardResult[]): Totals {
  if (shards.length === 1) return shards[0]!.report.totals;
  const all: FreeTierBucket[] = shards.flatMap((s) => s.freeTier.all);
  const staying: FreeTierBucket[] = shards.flatMap((s) => s.freeTier.staying);
  // Before any free tier: what the shard subtracted is added back.
  const standardBefore = shards.reduce((sum, s) => sum + s.report.totals.standardUsd + s.report.totals.freeTierCreditUsd, 0);
  const recommendedBefore = shards.reduce((sum, s) => sum + s.report.totals.recommendedUsd + freeTierCreditUsd(s.freeTier.staying), 0);
  const credit = freeTierCreditUsd(all);
  const standardUsd = standardBefore - credit;
  const recommendedUsd = recommendedBefore - freeTierCreditUsd(staying);
  const counts = emptyCounts();
  for (const s of shards) for (const r of RECOMMENDATIONS) counts[r] += s.report.totals.counts[r];
  return {
    standardUsd,
    freeTierCreditUsd: credit,
    recommendedUsd,
    savingsUsd: standardUsd - recommendedUsd,
    groupUntaggedExtraSavingsUsd: sumOrNull(shards.map((s) => s.report.totals.groupUntaggedExtraSavingsUsd)),
    counts,
    unpricedFunctions: shards.reduce((sum, s) => sum + s.report.totals.unpricedFunctions, 0),
  };
}

function sameWarning(a: ReportWarning, b: ReportWarning): boolean {
  return a.code === b.code && a.message === b.message && a.region === b.region && a.function === b.function;
}

function dedupe(warnings: Iterable<ReportWarning>): ReportWarning[] {
  const out: ReportWarning[] = [];
  for (const w of warnings) if (!out.some((seen) => sameWarning(seen, w))) out.push(w);
  return out;
}

function mergePrices(list: readonly PriceProvenance[]): { prices: PriceProvenance | null; mixed: boolean } {
  if (list.length === 0) return { prices: null, mixed: false };
  const sources = new Set(list.map((p) => p.source));
  const asOf = list.map((p) => p.asOf).sort()[0]!;
  return {
    prices: {
      // Mixed sources (a region fell back to bundled prices): the weakest one is shown.
      source: sources.has('bundled') ? 'bundled' : list[0]!.source,
      asOf,
      regions: [...new Set(list.flatMap((p) => p.regions))].sort(),
      missingRegions: [...new Set(list.flatMap((p) => p.missingRegions))].sort(),
    },
    mixed: sources.size > 1,
  };
}

/** One account's report from its region shards (one shard: that shard's report as it is). */
export function mergeAccount(shards: readonly ShardResult[], run: RunInfo): ReportModel {
  const sorted = [...shards].sort((a, b) => (a.region < b.region ? -1 : a.region > b.region ? 1 : 0));
  const first = sorted[0]!.report;
  const { prices } = mergePrices(sorted.map((s) => s.report.prices));
  return {
    schema: 'lmi-advisor.report/v1',
    accountId: first.accountId,
    run,
    window: first.window,
    assumptions: first.assumptions,
    prices: prices!,
    totals: accountTotals(sorted),
    capacityProviders: sorted.flatMap((s) => s.report.capacityProviders),
    functions: sorted.flatMap((s) => s.report.functions).sort(compareFunctions),
    warnings: dedupe(sorted.flatMap((s) => s.report.warnings)),
  };
}

function sumTotals(list: readonly Totals[]): Totals {
  const counts = emptyCounts();
  for (const t of list) for (const r of RECOMMENDATIONS) counts[r] += t.counts[r];
  return {
    standardUsd: list.reduce((s, t) => s + t.standardUsd, 0),
    freeTierCreditUsd: list.reduce((s, t) => s + t.freeTierCreditUsd, 0),
    recommendedUsd: list.reduce((s, t) => s + t.recommendedUsd, 0),
    savingsUsd: list.reduce((s, t) => s + t.savingsUsd, 0),
    groupUntaggedExtraSavingsUsd: sumOrNull(list.map((t) => t.groupUntaggedExtraSavingsUsd)),
    counts,
    unpricedFunctions: list.reduce((s, t) => s + t.unpricedFunctions, 0),
  };
}

const byAccountRegion = (a: { accountId: string; region: string }, b: { accountId: string; region: string }) =>
  a.accountId !== b.accountId ? (a.accountId < b.accountId ? -1 : 1) : a.region < b.region ? -1 : a.region > b.region ? 1 : 0;

/**
 * The merge one account at a time: `addAccount` takes every shard of one account (accounts in
 * ascending id order) and returns that account's full report, which the caller renders and
 * lets go; the merger keeps only the account's summary, the best opportunities so far and a few
 * run-level facts. So the merge's memory is one account's shards and report, not the
 * organization's (bench/org.ts measures it at 50 and 500 shards).
 */
export class OrgMerger {
  private readonly accounts: AccountSummary[] = [];
  private readonly warnings: ReportWarning[] = [];
  private readonly failures: ShardFailure[] = [];
  private top: OrgOpportunity[] = [];
  private readonly prices: PriceProvenance[] = [];
  private readonly windows = new Set<string>();
  private first: ReportModel | null = null;
  private readonly seen = new Set<string>();
  private readonly names: Map<string, string | null>;

  constructor(private readonly input: Omit<MergeInput, 'results'>) {
    this.names = new Map(input.plan.accounts.map((a) => [a.accountId, a.name]));
  }

  /** Planned shards of the account without a result, named even if nobody reported why. */
  private failuresOf(accountId: string, have: ReadonlySet<string>): ShardFailure[] {
    const out: ShardFailure[] = [];
    const known = (region: string) => have.has(region) || out.some((f) => f.region === region);
    for (const f of this.input.failures ?? []) if (f.accountId === accountId && !known(f.region)) out.push(f);
    for (const item of this.input.plan.items) {
      if (item.accountId === accountId && !known(item.region)) {
        out.push({ accountId, region: item.region, message: 'no shard result (the shard failed after its retries)' });
      }
    }
    return out.sort(byAccountRegion);
  }

  /** Every shard result of one account; returns the account's report (null: no shard). */
  addAccount(accountId: string, shardList: readonly ShardResult[]): ReportModel | null {
    if (this.seen.has(accountId)) throw new Error(`merge: account ${accountId} added twice`);
    this.seen.add(accountId);
    const shards = [...shardList].sort(byAccountRegion);
    const failed = this.failuresOf(accountId, new Set(shards.map((s) => s.region)));
    this.failures.push(...failed);
    const failedRegions = failed.map((f) => f.region).sort();
    const complete = failedRegions.length === 0 && shards.length > 0 && shards.every((s) => s.report.run.complete);
    const name = this.names.get(accountId) ?? null;
    if (shards.length === 0) {
      this.accounts.push({ accountId, name, regions: [], failedRegions, complete: false, functions: 0, totals: null, capacityProviders: [] });
      return null;
    }
    const report = mergeAccount(shards, { ...this.input.run, complete });
    this.first ??= report;
    this.prices.push(report.prices);
    this.windows.add(`${report.window.start}/${report.window.end}/${report.window.periodSeconds}`);
    for (const w of report.warnings) {
      // The org page carries run-level warnings (failed regions, prices), not per-function ones.
      if (w.function === undefined && /-failed$|^prices-|cut-short/.test(w.code)) this.warnings.push({ ...w, message: `${accountId}: ${w.message}` });
    }
    this.accounts.push({
      accountId,
      name,
      regions: shards.map((s) => s.region),
      failedRegions,
      complete,
      functions: report.functions.length,
      totals: report.totals,
      capacityProviders: report.capacityProviders,
    });
    // `migrate` savings only (src/render/verdict.ts): a `review` saving is never shown without its condition.
    const mine = migrateOpportunities(report.functions).map((f) => ({
      accountId,
      region: f.region,
      name: f.name,
      recommendation: f.recommendation,
      standardUsd: f.standard?.totalUsd ?? null,
      lmiUsd: f.lmi?.totalUsd ?? null,
      savingsUsd: f.savingsUsd!,
    }));
    this.top = [...this.top, ...mine].sort(byOpportunity).slice(0, this.input.topCount ?? 25);
    return report;
  }

  /** The organization report, once every account with a result was added. */
  finish(): OrgReportModel {
    // Planned accounts no shard of which produced a result.
    for (const a of this.input.plan.accounts) if (!this.seen.has(a.accountId)) this.addAccount(a.accountId, []);
    // A failure reported for an account outside the plan is named, with no account row (as before).
    for (const f of this.input.failures ?? []) {
      if (!this.seen.has(f.accountId) && !this.failures.some((g) => g.accountId === f.accountId && g.region === f.region)) this.failures.push(f);
    }
    const accounts = [...this.accounts].sort((a, b) => (a.accountId < b.accountId ? -1 : a.accountId > b.accountId ? 1 : 0));
    const failures = [...this.failures].sort(byAccountRegion);
    const warnings = [...this.warnings];
    const { prices, mixed } = mergePrices(this.prices);
    if (mixed) warnings.push({ code: 'prices-mixed', message: 'Some shards used live prices and some the bundled price snapshot; see each account.' });
    if (this.windows.size > 1) warnings.push({ code: 'windows-differ', message: `Shards read ${this.windows.size} different metric windows; totals add months measured over different periods.` });
    const orgFailures = [
      ...this.input.plan.problems.map((p) => ({ accountId: p.accountId, region: null, message: p.message })),
      ...failures.map((f) => ({ accountId: f.accountId, region: f.region, message: f.message })),
    ];
    const complete = orgFailures.length === 0 && accounts.every((a) => a.complete);
    return {
      schema: 'lmi-advisor.org-report/v1',
      run: { ...this.input.run, complete },
      window: this.first?.window ?? null,
      assumptions: this.first?.assumptions ?? [],
      prices,
      totals: sumTotals(accounts.flatMap((a) => (a.totals ? [a.totals] : []))),
      accounts,
      topOpportunities: this.top,
      failures: orgFailures,
      skippedAccounts: [...this.input.plan.skipped],
      warnings: dedupe(warnings),
    };
  }
}

const byOpportunity = (a: OrgOpportunity, b: OrgOpportunity) =>
  b.savingsUsd - a.savingsUsd || (a.accountId < b.accountId ? -1 : a.accountId > b.accountId ? 1 : a.name < b.name ? -1 : a.name > b.name ? 1 : a.region < b.region ? -1 : a.region > b.region ? 1 : 0);

/** Every shard in memory at once (tests, small runs): the merger over the results grouped by account. */
export function mergeShards(input: MergeInput): MergeOutput {
  const merger = new OrgMerger(input);
  const byAccount = new Map<string, ShardResult[]>();
  for (const r of input.results) byAccount.set(r.accountId, [...(byAccount.get(r.accountId) ?? []), r]);
  const accounts: ReportModel[] = [];
  for (const accountId of [...byAccount.keys()].sort()) {
    const report = merger.addAccount(accountId, byAccount.get(accountId)!);
    if (report) accounts.push(report);
  }
  return { org: merger.finish(), accounts };
}
