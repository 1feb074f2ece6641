import { describeAssumptions } from '../config/assumptions.js';
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
  const summaries: FunctionSummary[] = [];
  for await (const profile of input.profiles) {
    summaries.push(
      summarizeFunction(profile, { window: header.window, prices: regionPrices(priceBook, profile.region), config }),
    );
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
  onProgress?: (done: number) => void;
}

/**
 * Analyses a snapshot file (NDJSON, optionally gzip). Throws SnapshotError (a UserInputError)
 * naming the line and field of the first bad record; nothing is returned half-built.
 */
export async function analyzeSnapshotFile(path: string, opts: AnalyzeFileOptions): Promise<ReportModel> {
  const { header, profiles } = await openSnapshot(path);
  const run: Omit<RunInfo, 'complete'> = {
    tool: TOOL_NAME,
    version: VERSION,
    generatedAt: opts.now ?? header.capturedAt,
    command: reproduceCommand(path, opts),
    snapshot: path,
    ...(opts.configPath !== undefined ? { config: opts.configPath } : {}),
  };
  return analyzeProfiles({
    header,
    profiles,
    priceBook: priceBookFor(header),
    config: opts.config,
    run,
    ...(opts.onProgress ? { onProgress: opts.onProgress } : {}),
  });
}

function reproduceCommand(path: string, opts: AnalyzeFileOptions): string {
  const parts = [TOOL_NAME, 'analyze', '--snapshot', shellQuote(path)];
  if (opts.configPath !== undefined) parts.push('--config', shellQuote(opts.configPath));
  if (opts.now !== undefined) parts.push('--now', shellQuote(opts.now));
  return parts.join(' ');
}

function shellQuote(value: string): string {
  return /^[\w@%+=:,./-]+$/.test(value) ? value : `'${value.replaceAll("'", `'\\''`)}'`;
}
