/**
 * The reconciliation step of a run: while profiles stream, keep each function's modelled days
 * (a few numbers per day, not the series) and, for functions already on LMI, what the model
 * predicts for them as if they were candidates; once the report is built, compare with the bill
 * and attach the Reconciliation section and its warnings. No AWS here: the bill is passed in.
 */
import type { Config } from '../config/schema.js';
import { summarizeFunction } from '../model/summarize.js';
import { HOURS_PER_MONTH } from '../model/month.js';
import type { PriceBook } from '../prices/types.js';
import type { ReportModel } from '../report/types.js';
import type { FunctionProfile, SnapshotWindow } from '../source/profile.js';
import { type LmiPrediction, reconcile } from './compare.js';
import { type FunctionDays, modelledDays } from './daily-usage.js';
import type { BilledData, LmiProviderMetricsRead } from './types.js';
import { defaultUsageTypeTable, usageItemOf, usageTypeTableFromPriceList, type UsageTypeTable } from './usage-types.js';

export interface DailyCollector {
  /** Records one profile (call for every profile analysed, in any order). */
  observe(profile: FunctionProfile): void;
  readonly functions: FunctionDays[];
  readonly lmiPredictions: LmiPrediction[];
}

export function createDailyCollector(window: SnapshotWindow, config: Config, priceBook: PriceBook): DailyCollector {
  const functions: FunctionDays[] = [];
  const lmiPredictions: LmiPrediction[] = [];
  return {
    functions,
    lmiPredictions,
    observe(profile) {
      functions.push(modelledDays(profile, window, config));
      const arn = profile.capacityProviderArn;
      if (arn == null || arn === '') return;
      // Closing the loop: size the LMI function as if it were a candidate, same window.
      const summary = summarizeFunction(
        { ...profile, capacityProviderArn: null },
        { window, prices: priceBook.regions[profile.region], config },
      );
      const result = summary.sizing?.result;
      if (!result) return;
      lmiPredictions.push({
        region: profile.region,
        name: profile.name,
        capacityProviderArn: arn,
        // Monthly (730 h) figures -> per day: the Lambda service's parts and the EC2 instances apart.
        lambdaBilledUsdPerDay: ((result.managementFeeUsd + result.requestsUsd) * 24) / HOURS_PER_MONTH,
        instancesUsdPerDay: (result.ec2Usd * 24) / HOURS_PER_MONTH,
        instanceHoursPerDay: (result.instanceHours * 24) / HOURS_PER_MONTH,
        vCpuAllocatedAvg: result.avgEnvironments * result.vCpusPerEnvironment,
        instanceType: result.instanceType,
      });
    },
  };
}

/** The usage-type table: learnt from the run's Price List items when there are any. */
export function usageTypeTableFor(priceItems: readonly (string | object)[] | undefined): { table: UsageTypeTable; problems: string[] } {
  if (!priceItems || priceItems.length === 0) return { table: defaultUsageTypeTable(), problems: [] };
  const items = priceItems.map(usageItemOf).filter((i) => i !== null);
  return usageTypeTableFromPriceList(items);
}

/** Compares and attaches `reconciliation` and its warnings to the model (in place). */
export function attachReconciliation(
  model: ReportModel,
  input: {
    window: SnapshotWindow;
    collector: DailyCollector;
    billed: BilledData;
    priceBook: PriceBook;
    config: Config;
    priceItems?: readonly (string | object)[];
    lmiMetrics?: LmiProviderMetricsRead;
  },
): void {
  const { table, problems } = usageTypeTableFor(input.priceItems);
  const out = reconcile({
    window: input.window,
    functions: input.collector.functions,
    billed: input.billed,
    priceBook: input.priceBook,
    config: input.config,
    table,
    lmiPredictions: input.collector.lmiPredictions,
    // Read in this run, else recorded with the bill (record --reconcile).
    ...((input.lmiMetrics ?? input.billed.lmiMetrics) ? { lmiMetrics: (input.lmiMetrics ?? input.billed.lmiMetrics)! } : {}),
  });
  model.reconciliation = out.reconciliation;
  model.warnings.push(...out.warnings);
  for (const problem of problems) model.warnings.push({ code: 'usage-type-table', message: `usage-type table: ${problem}` });
}
