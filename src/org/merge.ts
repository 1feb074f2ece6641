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

export function mergeShards(input: MergeInput): MergeOutput {
  const results = [...input.results].sort(byAccountRegion);
  const have = new Set(results.map((r) => `${r.accountId}\u0000${r.region}`));
  // Every planned shard without a result is a failure, named even if nobody reported why.
  const failures: ShardFailure[] = [];
  for (const f of input.failures ?? []) {
    if (!have.has(`${f.accountId}\u0000${f.region}`) && !failures.some((g) => g.accountId === f.accountId && g.region === f.region)) failures.push(f);
  }
  for (const item of input.plan.items) {
    const key = `${item.accountId}\u0000${item.region}`;
    if (!have.has(key) && !failures.some((f) => f.accountId === item.accountId && f.region === item.region)) {
      failures.push({ accountId: item.accountId, region: item.region, message: 'no shard result (the shard failed after its retries)' });
    }
  }
  failures.sort(byAccountRegion);

  const names = new Map(input.plan.accounts.map((a) => [a.accountId, a.name]));
  const accountIds = [...new Set([...input.plan.accounts.map((a) => a.accountId), ...results.map((r) => r.accountId)])].sort();
  const accounts: AccountSummary[] = [];
  const accountReports: ReportModel[] = [];
  const warnings: ReportWarning[] = [];
  for (const accountId of accountIds) {
    const shards = results.filter((r) => r.accountId === accountId);
    const failedRegions = failures.filter((f) => f.accountId === accountId).map((f) => f.region).sort();
    const complete = failedRegions.length === 0 && shards.length > 0 && shards.every((s) => s.report.run.complete);
    if (shards.length === 0) {
      accounts.push({ accountId, name: names.get(accountId) ?? null, regions: [], failedRegions, complete: false, functions: 0, totals: null, capacityProviders: [] });
      continue;
    }
    const report = mergeAccount(shards, { ...input.run, complete });
    accountReports.push(report);
    for (const w of report.warnings) {
      // The org page carries run-level warnings (failed regions, prices), not per-function ones.
      if (w.function === undefined && /-failed$|^prices-|cut-short/.test(w.code)) warnings.push({ ...w, message: `${accountId}: ${w.message}` });
    }
    accounts.push({
      accountId,
      name: names.get(accountId) ?? null,
      regions: shards.map((s) => s.region),
      failedRegions,
      complete,
      functions: report.functions.length,
      totals: report.totals,
      capacityProviders: report.capacityProviders,
    });
  }

  const topOpportunities: OrgOpportunity[] = accountReports
    .flatMap((r) =>
      // `migrate` savings only (src/render/verdict.ts): a `review` saving is never shown without its condition.
      migrateOpportunities(r.functions).map((f) => ({
        accountId: r.accountId,
        region: f.region,
        name: f.name,
        recommendation: f.recommendation,
        standardUsd: f.standard?.totalUsd ?? null,
        lmiUsd: f.lmi?.totalUsd ?? null,
        savingsUsd: f.savingsUsd!,
      })),
    )
    .sort((a, b) => b.savingsUsd - a.savingsUsd || (a.accountId < b.accountId ? -1 : a.accountId > b.accountId ? 1 : a.name < b.name ? -1 : 1))
    .slice(0, input.topCount ?? 25);

  const { prices, mixed } = mergePrices(accountReports.map((r) => r.prices));
  if (mixed) warnings.push({ code: 'prices-mixed', message: 'Some shards used live prices and some the bundled price snapshot; see each account.' });
  const windows = new Set(accountReports.map((r) => `${r.window.start}/${r.window.end}/${r.window.periodSeconds}`));
  if (windows.size > 1) warnings.push({ code: 'windows-differ', message: `Shards read ${windows.size} different metric windows; totals add months measured over different periods.` });

  const orgFailures = [
    ...input.plan.problems.map((p) => ({ accountId: p.accountId, region: null, message: p.message })),
    ...failures.map((f) => ({ accountId: f.accountId, region: f.region, message: f.message })),
  ];
  const complete = orgFailures.length === 0 && accounts.every((a) => a.complete);
  const org: OrgReportModel = {
    schema: 'lmi-advisor.org-report/v1',
    run: { ...input.run, complete },
    window: accountReports[0]?.window ?? null,
    assumptions: accountReports[0]?.assumptions ?? [],
    prices,
    totals: sumTotals(accounts.flatMap((a) => (a.totals ? [a.totals] : []))),
    accounts,
    topOpportunities,
    failures: orgFailures,
    skippedAccounts: [...input.plan.skipped],
    warnings: dedupe(warnings),
  };
  return { org, accounts: accountReports };
}
