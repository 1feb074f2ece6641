import { describeAssumptions } from '../config/assumptions.js';
import { checkAllowedInstanceTypes } from '../config/instance-types.js';
import type { Config } from '../config/schema.js';
import { buildReportParts, type ReportParts } from '../model/build-report.js';
import { summarizeFunction } from '../model/summarize.js';
import type { FunctionSummary } from '../model/summary.js';
import { loadBundledPriceBook } from '../prices/bundled.js';
import { parsePriceList, regionPrices } from '../prices/price-list.js';
import type { PriceBook } from '../prices/types.js';
import type { ReportModel, ReportWarning, RunInfo } from '../report/types.js';
import type { FunctionProfile, SnapshotHeader, SourceWarning } from '../source/profile.js';
import { openSnapshot } from '../source/snapshot-reader.js';
import { TOOL_NAME, VERSION } from '../version.js';
import { attachReconciliation, createDailyCollector, usageTypeTableFor } from '../bill/reconcile-run.js';
import { type DurationFromBill, durationFromBill } from '../bill/init-from-bill.js';
import { UserInputError } from '../errors.js';

/**
 * Recorded warning codes that mean the recording missed data (a region, an account, an API):
 * such a run is never complete. Recorders name failures `<what>-failed`; `partial-data` and
 * the like only qualify figures and leave the run complete.
 */
function marksIncomplete(warning: SourceWarning): boolean {
  return /-failed$|^incomplete|cut-short|truncated/.test(warning.code);
}

export interface AnalyzeInput {
  header: SnapshotHeader;
  /** Read once, in order; a sync iterable (an in-memory list) works too. */
  profiles: AsyncIterable<FunctionProfile> | Iterable<FunctionProfile>;
  priceBook: PriceBook;
  config: Config;
  run: Omit<RunInfo, 'complete'> & { complete?: boolean };
  /** Called with the number of functions summarized so far. */
  onProgress?: (done: number) => void;
  /** billing.initFromBill: the bill's duration per invocation, where it covers the function. */
  durationFromBill?: (profile: FunctionProfile) => DurationFromBill | null;
  /** Called with each profile and its summary, before the series is dropped (the what-if page's data). */
  onSummary?: (event: SummaryEvent) => void;
}

export interface SummaryEvent {
  profile: FunctionProfile;
  summary: FunctionSummary;
  header: SnapshotHeader;
  priceBook: PriceBook;
  config: Config;
}

/**
 * Streams profiles through the model and builds the report. Each profile (with its series) is
 * summarized as it arrives and dropped, so memory grows with the number of functions' summaries,
 * not with series length x functions.
 */
export async function analyzeProfiles(input: AnalyzeInput): Promise<ReportModel> {
  return (await analyzeProfileParts(input)).report;
}

/** analyzeProfiles with the free-tier usage a shard keeps for the org merge (src/org/). */
export async function analyzeProfileParts(input: AnalyzeInput): Promise<ReportParts> {
  const { header, config, priceBook } = input;
  checkAllowedInstanceTypes(config, priceBook, header.regions ?? Object.keys(priceBook.regions), input.run.config);
  const summaries: FunctionSummary[] = [];
  for await (const profile of input.profiles) {
    const fromBill = input.durationFromBill?.(profile) ?? null;
    const summary = summarizeFunction(profile, {
      window: header.window,
      prices: regionPrices(priceBook, profile.region),
      config,
      ...(fromBill ? { extraBilledMsPerInvocation: fromBill.extraMsPerInvocation } : {}),
    });
    if (fromBill) summary.warnings.push({ code: 'duration-from-bill', message: fromBill.message, region: profile.region, function: profile.name });
    input.onSummary?.({ profile, summary, header, priceBook, config });
    summaries.push(summary);
    input.onProgress?.(summaries.length);
  }
  const recorded = header.warnings ?? [];
  const warnings: ReportWarning[] = recorded.map((w) => ({ ...w }));
  const complete = (input.run.complete ?? true) && !recorded.some(marksIncomplete);
  return buildReportParts({
    accountId: header.accountId,
    window: header.window,
    summaries,
    priceBook,
    config,
    assumptions: describeAssumptions(config),
    run: { ...input.run, complete },
    warnings,
  });
}

/** billing.initFromBill set, but no bill read: said, never silently ignored. */
export const INIT_FROM_BILL_UNUSED: ReportWarning = {
  code: 'init-from-bill-unused',
  message: 'billing.initFromBill is set but this run read no bill (--reconcile not given): standard duration comes from the Duration metric.',
};

/**
 * The prices a snapshot is analysed with: the ones recorded with it (so a re-run gives the same
 * figures), else the bundled book.
 */
export function priceBookFor(header: SnapshotHeader): PriceBook {
  if (header.prices) {
    return parsePriceList(header.prices.items, { source: 'snapshot', asOf: header.prices.asOf });
  }
  return loadBundledPriceBook();
}

export interface AnalyzeFileOptions {
  config: Config;
  /** Shown in the report's run info (how to reproduce). */
  configPath?: string;
  /** generatedAt; defaults to the snapshot's capturedAt, so the output depends only on inputs. */
  now?: string;
  /** The reproduce line stamped as `run.command` (default: built from the path, config and now). */
  command?: string;
  onProgress?: (done: number) => void;
  /** --reconcile: compare with the bill recorded in the snapshot (`record --reconcile`). */
  reconcile?: boolean;
  onSummary?: (event: SummaryEvent) => void;
}

/**
 * Analyses a snapshot file (NDJSON, optionally gzip). Throws SnapshotError (a UserInputError)
 * naming the line and field of the first bad record; nothing is returned half-built.
 */
export async function analyzeSnapshotFile(path: string, opts: AnalyzeFileOptions): Promise<ReportModel> {
  const { header, profiles } = await openSnapshot(path);
  // A report stamped before the end of its data would claim to know what had not happened yet.
  if (opts.now !== undefined && Date.parse(opts.now) < Date.parse(header.window.end)) {
    throw new UserInputError(
      `--now: ${opts.now} is before the end of the snapshot's window (${header.window.end}); a report cannot be generated before its data (omit --now to use the snapshot's capturedAt)`,
    );
  }
  if (opts.reconcile && !header.bill) {
    throw new UserInputError(`--reconcile: ${path} holds no billed data; record it with \`lmi-advisor record --reconcile\` (offline analyze never calls Cost Explorer)`);
  }
  const run: Omit<RunInfo, 'complete'> = {
    tool: TOOL_NAME,
    version: VERSION,
    generatedAt: opts.now ?? header.capturedAt,
    command: opts.command ?? reproduceCommand(path, opts),
    snapshot: path,
    ...(opts.configPath !== undefined ? { config: opts.configPath } : {}),
  };
  const priceBook = priceBookFor(header);
  const collector = opts.reconcile ? createDailyCollector(header.window, opts.config, priceBook) : null;
  async function* observed(): AsyncGenerator<FunctionProfile> {
    for await (const profile of profiles) {
      collector?.observe(profile);
      yield profile;
    }
  }
  const fromBill =
    opts.reconcile && header.bill && opts.config.billing.initFromBill
      ? durationFromBill(header.bill, header.window, opts.config, usageTypeTableFor(header.prices?.items).table)
      : null;
  const model = await analyzeProfiles({
    header,
    profiles: collector ? observed() : profiles,
    priceBook,
    config: opts.config,
    run,
    ...(opts.onProgress ? { onProgress: opts.onProgress } : {}),
    ...(fromBill ? { durationFromBill: fromBill } : {}),
    ...(opts.onSummary ? { onSummary: opts.onSummary } : {}),
  });
  if (opts.config.billing.initFromBill && !opts.reconcile) model.warnings.push(INIT_FROM_BILL_UNUSED);
  if (collector && header.bill) {
    attachReconciliation(model, {
      window: header.window,
      collector,
      billed: header.bill,
      priceBook,
      config: opts.config,
      ...(header.prices ? { priceItems: header.prices.items } : {}),
    });
  }
  return model;
}

function reproduceCommand(path: string, opts: AnalyzeFileOptions): string {
  const parts = [TOOL_NAME, 'analyze', '--snapshot', shellQuote(path)];
  if (opts.configPath !== undefined) parts.push('--config', shellQuote(opts.configPath));
  if (opts.now !== undefined) parts.push('--now', shellQuote(opts.now));
  if (opts.reconcile) parts.push('--reconcile');
  return parts.join(' ');
}

function shellQuote(value: string): string {
  return /^[\w@%+=:,./-]+$/.test(value) ? value : `'${value.replaceAll("'", `'\\''`)}'`;
}
