import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Config } from '../config/schema.js';
import type { PriceBook } from '../prices/types.js';
import { type Channel, publishAll, type PublishOutcome, type PublishTargets } from '../publish/index.js';
import type { ReportFile } from '../publish/dir.js';
import { latestKey, readPreviousReportFromS3 } from '../publish/s3.js';
import { RENDERERS } from '../render/index.js';
import { diffReports, parsePreviousReport } from '../report/changes.js';
import type { ReportModel, ReportWarning, RunInfo } from '../report/types.js';
import type { FunctionProfile, SnapshotHeader, SourceWarning } from '../source/profile.js';
import { LmiAdvisorError } from '../errors.js';
import { openAwsSource, type AwsSourceOptions } from '../source/aws/index.js';
import type { StoreBackend } from '../store/backend.js';
import { openStoreSource } from '../store/collect.js';
import { TOOL_NAME, VERSION } from '../version.js';
import { analyzeProfiles } from './analyze.js';

/**
 * The live run shared by the nightly Lambda and `lmi-advisor run`: live source (discovery,
 * then metrics streamed while analysing) -> analyzeProfiles -> change since the previous latest report -> render every format
 * -> publish to each channel. Nothing here reads the clock or the env: `now`, the time budget,
 * clients and secrets are injected by the two entry points.
 */

export interface SourceResult {
  header: SnapshotHeader;
  profiles: AsyncIterable<FunctionProfile> | Iterable<FunctionProfile>;
  priceBook: PriceBook;
  warnings: SourceWarning[];
  failedRegions: string[];
}

/** Collects the given regions (the live AWS source in production, an in-memory set in tests). */
export type SourceFn = (opts: { regions: string[]; days: number; now: Date; onProgress?: (message: string) => void }) => Promise<SourceResult>;

export interface PipelineLog {
  info(message: string, extra?: Record<string, unknown>): void;
  warn(message: string, extra?: Record<string, unknown>): void;
  error(message: string, extra?: Record<string, unknown>): void;
}

export interface RunPipelineOptions {
  regions: string[];
  days: number;
  now: Date;
  config: Config;
  configPath?: string;
  source: SourceFn;
  channels: readonly Channel[];
  targets: PublishTargets;
  /** Milliseconds left for the whole run (Lambda: context.getRemainingTimeInMillis). */
  timeLeftMs?: () => number;
  /**
   * Stop collecting when fewer ms than this are left, keeping that time to analyse, render and
   * publish what was collected (the run is then marked incomplete).
   */
  reserveMs?: number;
  /** How to reproduce this run (stamped into the report). */
  command?: string;
  /** Formats to render (keys of RENDERERS); default every registered one. */
  formats?: readonly string[];
  log?: PipelineLog;
}

export interface RunResult {
  model: ReportModel;
  publish: PublishOutcome;
  /** Collection stopped early for lack of time. */
  cutShort: boolean;
  failedRegions: string[];
  /** Renderers that threw (their file is missing from every channel). */
  renderFailures: string[];
  /** 0 ok, 1 a channel or renderer failed, 3 published but incomplete (same as `analyze`). */
  exitCode: 0 | 1 | 3;
}

const silentLog: PipelineLog = { info() {}, warn() {}, error() {} };

class TimeIsShort extends Error {
  override name = 'TimeIsShort';
}

/** Resolves with the promise, or rejects TimeIsShort when `budgetMs` elapses first. */
async function within<T>(promise: Promise<T>, budgetMs: number): Promise<T> {
  if (!Number.isFinite(budgetMs)) return promise;
  if (budgetMs <= 0) throw new TimeIsShort('no time left');
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new TimeIsShort(`no answer within ${Math.round(budgetMs)} ms`)), budgetMs);
  });
  try {
    return await Promise.race([promise, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

function sameWarning(a: SourceWarning, b: SourceWarning): boolean {
  return a.code === b.code && a.message === b.message && a.region === b.region && a.function === b.function;
}

export async function runPipeline(opts: RunPipelineOptions): Promise<RunResult> {
  const log = opts.log ?? silentLog;
  const timeLeft = opts.timeLeftMs ?? (() => Number.POSITIVE_INFINITY);
  const reserveMs = opts.reserveMs ?? 0;
  const budget = () => timeLeft() - reserveMs;

  // ---- collect: discovery must finish within the budget; metrics stream during analysis ----
  let collectedResult: SourceResult;
  try {
    collectedResult = await within(opts.source({ regions: opts.regions, days: opts.days, now: opts.now }), budget());
  } catch (error) {
    if (error instanceof TimeIsShort) {
      throw new LmiAdvisorError(`nothing collected before the time limit (regions ${opts.regions.join(', ')}): ${error.message}`, { cause: error });
    }
    throw error;
  }
  log.info('discovery done', { regions: opts.regions, failedRegions: collectedResult.failedRegions });

  const warnings: SourceWarning[] = [];
  const addSourceWarnings = (list: SourceWarning[]) => {
    for (const w of list) if (!warnings.some((seen) => sameWarning(seen, w))) warnings.push(w);
  };
  addSourceWarnings([...(collectedResult.header.warnings ?? []), ...collectedResult.warnings]);
  const header: SnapshotHeader = { ...collectedResult.header, warnings };

  // ---- analyse, stopping the stream (not the report) if time runs short mid-way ----
  let cutShort = false;
  async function* guarded(): AsyncGenerator<FunctionProfile> {
    for await (const profile of collectedResult.profiles) {
      if (budget() <= 0) {
        cutShort = true;
        return;
      }
      yield profile;
    }
  }
  const run: Omit<RunInfo, 'complete'> & { complete: boolean } = {
    tool: TOOL_NAME,
    version: VERSION,
    generatedAt: opts.now.toISOString(),
    command: opts.command ?? `${TOOL_NAME} run --regions ${opts.regions.join(',')} --days ${opts.days}`,
    ...(opts.configPath !== undefined ? { config: opts.configPath } : {}),
    complete: collectedResult.failedRegions.length === 0,
  };
  const model = await analyzeProfiles({
    header,
    profiles: guarded(),
    priceBook: collectedResult.priceBook,
    config: opts.config,
    run,
  });
  // The live source keeps adding warnings (and failed regions) while its metrics stream.
  for (const w of collectedResult.warnings) {
    if (!model.warnings.some((seen) => sameWarning(seen as SourceWarning, w))) model.warnings.push({ ...w });
  }
  const failedRegions = [...new Set(collectedResult.failedRegions)];
  for (const region of failedRegions) {
    if (!model.warnings.some((w) => w.region === region && /-failed$/.test(w.code))) {
      model.warnings.push({ code: 'region-failed', region, message: `${region}: collection failed; its functions are missing from this report` });
    }
  }
  if (cutShort) {
    model.warnings.push({ code: 'run-cut-short', message: `the run ran short of time after ${model.functions.length} functions: the rest were not analysed` });
    log.warn('time short: analysis stopped early', { analysed: model.functions.length });
  }
  // Whatever analyze decided, a cut or failed collection is never complete.
  if (cutShort || failedRegions.length > 0) model.run.complete = false;

  // ---- change since the previous run ----
  await attachChanges(model, opts, log);

  // ---- render every format; a failing renderer loses its file, not the run ----
  const files: ReportFile[] = [];
  const renderFailures: string[] = [];
  const formats = opts.formats ?? Object.keys(RENDERERS);
  for (const [format, renderer] of Object.entries(RENDERERS).filter(([f]) => formats.includes(f))) {
    try {
      files.push({ name: renderer.file, content: renderer.render(model) });
    } catch (error) {
      renderFailures.push(format);
      log.error('renderer failed', { format, error: (error as Error).message });
    }
  }
  // A set with a missing format must not replace latest: publish it as incomplete.
  const publishModel = renderFailures.length > 0 ? { ...model, run: { ...model.run, complete: false } } : model;

  const publish = await publishAll(publishModel, files, opts.channels, opts.targets);
  for (const r of publish.results) {
    if (r.ok) log.info('channel published', { channel: r.channel, detail: r.detail });
    else log.error('channel failed', { channel: r.channel, error: r.error });
  }
  const exitCode = publish.failures > 0 || renderFailures.length > 0 ? 1 : model.run.complete ? 0 : 3;
  return { model, publish, cutShort, failedRegions, renderFailures, exitCode };
}

/** Reads the previous latest report (S3 if published there, else the local dir) and diffs. */
async function attachChanges(model: ReportModel, opts: RunPipelineOptions, log: PipelineLog): Promise<void> {
  let text: string | null = null;
  let where = '';
  try {
    if (opts.channels.includes('s3') && opts.targets.s3) {
      where = `s3://${opts.targets.s3.bucket}/${latestKey(opts.targets.s3.prefix, 'report.json')}`;
      text = await readPreviousReportFromS3(opts.targets.s3);
    } else if (opts.channels.includes('dir') && opts.targets.dir) {
      where = join(opts.targets.dir.outDir, 'report.json');
      text = await readFile(where, 'utf8').catch((error: NodeJS.ErrnoException) => {
        if (error.code === 'ENOENT') return null;
        throw error;
      });
    }
  } catch (error) {
    addWarning(model, { code: 'previous-report-unreadable', message: `${where}: ${(error as Error).message}; change since last run not shown` });
    log.warn('previous report unreadable', { where, error: (error as Error).message });
    return;
  }
  if (text === null) {
    log.info('no previous report: first run', { where });
    return;
  }
  const previous = parsePreviousReport(text, where);
  if ('problem' in previous) {
    addWarning(model, previous.problem);
    return;
  }
  const diff = diffReports(previous.report, model);
  if ('problem' in diff) {
    addWarning(model, diff.problem);
    return;
  }
  model.changes = diff.changes;
}

function addWarning(model: ReportModel, warning: ReportWarning): void {
  model.warnings.push(warning);
}

/** Options of the live AWS source other than what each call sets; `store` reads through the metric store. */
export type AwsSourceSettings = Omit<AwsSourceOptions, 'regions' | 'days' | 'now'> & {
  store?: StoreBackend;
  settleMinutes?: number;
  /** Time left for reading CloudWatch into the store (the rest is for analysing and publishing). */
  storeTimeLeftMs?: () => number;
};

/** The live source (src/source/aws), or the store-backed one (src/store), as a SourceFn. */
export function liveAwsSource(settings: AwsSourceSettings = {}): SourceFn {
  const { store, settleMinutes, storeTimeLeftMs, ...aws } = settings;
  return async ({ regions, days, now }) =>
    store
      ? openStoreSource({
          ...aws,
          regions,
          days,
          now,
          store,
          ...(settleMinutes !== undefined ? { settleMinutes } : {}),
          ...(storeTimeLeftMs ? { timeLeftMs: storeTimeLeftMs } : {}),
        })
      : openAwsSource({ ...aws, regions, days, now });
}
