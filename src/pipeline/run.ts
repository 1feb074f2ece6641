import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Config } from '../config/schema.js';
import type { PriceBook } from '../prices/types.js';
import {
  DIGEST_CHANNELS,
  deliveryStateText,
  dirDeliveryStore,
  parseDeliveryState,
  s3DeliveryStore,
  type DeliveryStore,
  type DigestChannel,
} from '../publish/delivery-state.js';
import { type Channel, type DigestChanges, publishAll, type PublishOutcome, type PublishTargets } from '../publish/index.js';
import { checkOutDir, type ReportFile } from '../publish/dir.js';
import { latestKey, readPreviousReportFromS3 } from '../publish/s3.js';
import { RENDERERS } from '../render/index.js';
import { baselineOf, diffReports, parsePreviousReport, type PreviousReport } from '../report/changes.js';
import type { ReportModel, ReportWarning, RunInfo } from '../report/types.js';
import type { FunctionProfile, SnapshotHeader, SourceWarning } from '../source/profile.js';
import { LmiAdvisorError } from '../errors.js';
import { openAwsSource, type AwsSourceOptions } from '../source/aws/index.js';
import { attachReconciliation, createDailyCollector, usageTypeTableFor } from '../bill/reconcile-run.js';
import { type BilledData, capacityProviderName, CE_USD_PER_REQUEST, type LmiProviderMetricsRead } from '../bill/types.js';
import type { SnapshotWindow } from '../source/profile.js';
import type { StoreBackend } from '../store/backend.js';
import { openStoreSource } from '../store/collect.js';
import { TOOL_NAME, VERSION } from '../version.js';
import { analyzeProfiles, INIT_FROM_BILL_UNUSED } from './analyze.js';
import { durationFromBill } from '../bill/init-from-bill.js';
import { whatIfBundle, whatIfBundleAvailable } from '../whatif/bundle.js';
import { WhatIfCollector } from '../whatif/data.js';
import { RECONCILE_READ_ONLY, renderWhatIfHtml } from '../whatif/page.js';

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
export type SourceFn = (opts: {
  regions: string[];
  days: number;
  now: Date;
  /** The real time of the run (default `now`): CloudWatch retention counts from it. */
  clock?: Date;
  onProgress?: (message: string) => void;
}) => Promise<SourceResult>;

export interface PipelineLog {
  info(message: string, extra?: Record<string, unknown>): void;
  warn(message: string, extra?: Record<string, unknown>): void;
  error(message: string, extra?: Record<string, unknown>): void;
}

export interface RunPipelineOptions {
  regions: string[];
  days: number;
  now: Date;
  /** The real time of the run, when `now` (the window's end) was given by the user. */
  clock?: Date;
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
  /** report.html with the what-if panel (src/whatif) where the page can rebuild the report; default true. */
  whatIf?: boolean;
  log?: PipelineLog;
  /** --reconcile: read the bill for the window and add the Reconciliation section (src/bill). */
  reconcile?: {
    fetchBill: (args: { window: SnapshotWindow; now: Date; regions: string[] }) => Promise<BilledData>;
    /** CloudWatch's capacity-provider metrics of the providers functions already on LMI use (LMI actuals). */
    fetchLmiMetrics?: (args: { window: SnapshotWindow; providers: { region: string; capacityProviderArn: string }[] }) => Promise<LmiProviderMetricsRead>;
  };
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

/**
 * A memory bound for the nightly Lambda (1 GB): past this many replay numbers (some 1,500
 * functions of 14 days of minutes, bench/whatif.ts's account) the run stops collecting what-if
 * data and writes the static report.html. `analyze` has no such bound.
 */
const RUN_WHATIF_MAX_VALUES = 8_000_000;

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
  const formats = opts.formats ?? Object.keys(RENDERERS);

  // A directory channel that cannot take the reports is bad input: say so before collecting.
  if (opts.channels.includes('dir') && opts.targets.dir) {
    const names = Object.entries(RENDERERS).filter(([f]) => formats.includes(f)).map(([, r]) => r.file);
    await checkOutDir(opts.targets.dir.outDir, names);
  }

  // ---- collect: discovery must finish within the budget; metrics stream during analysis ----
  let collectedResult: SourceResult;
  try {
    collectedResult = await within(opts.source({ regions: opts.regions, days: opts.days, now: opts.now, ...(opts.clock ? { clock: opts.clock } : {}) }), budget());
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

  // ---- the bill (Cost Explorer), read while the metrics stream ----
  const collector = opts.reconcile ? createDailyCollector(header.window, opts.config, collectedResult.priceBook) : null;
  const billPromise = opts.reconcile
    ? opts.reconcile.fetchBill({ window: header.window, now: opts.now, regions: opts.regions }).catch(
        (error: unknown): BilledData => ({
          status: 'failed',
          level: null,
          startDay: header.window.start.slice(0, 10),
          endDay: header.window.end.slice(0, 10),
          lines: [],
          requests: 0,
          throttled: 0,
          notes: [`reading the bill failed: ${(error as Error).message}`],
        }),
      )
    : null;

  // ---- analyse, stopping the stream (not the report) if time runs short mid-way ----
  let cutShort = false;
  async function* guarded(): AsyncGenerator<FunctionProfile> {
    for await (const profile of collectedResult.profiles) {
      if (budget() <= 0) {
        cutShort = true;
        return;
      }
      collector?.observe(profile);
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
  // billing.initFromBill prices standard duration from the bill: it is needed before analysis.
  const billFirst = billPromise && opts.config.billing.initFromBill ? await billPromise : null;
  const fromBill = billFirst
    ? durationFromBill(billFirst, header.window, opts.config, usageTypeTableFor(header.prices?.items).table)
    : null;
  // The what-if panel needs the script bundle. With --reconcile it is read-only and says why (the
  // page cannot rebuild the reconciliation or the bill's durations), as for analyze --reconcile.
  const whatIf =
    opts.whatIf !== false && formats.includes('html') && (opts.reconcile !== undefined || whatIfBundleAvailable()) ? new WhatIfCollector(RUN_WHATIF_MAX_VALUES) : null;
  // From the sources the script is bundled now, in esbuild's own process, while the run analyses.
  if (whatIf && !opts.reconcile) whatIfBundle().catch(() => null);
  const model = await analyzeProfiles({
    header,
    profiles: guarded(),
    priceBook: collectedResult.priceBook,
    config: opts.config,
    run,
    ...(fromBill ? { durationFromBill: fromBill } : {}),
    ...(whatIf ? { onSummary: (event) => whatIf.add(event) } : {}),
  });
  const analysedWarnings = model.warnings.length;
  if (opts.config.billing.initFromBill && !opts.reconcile) model.warnings.push({ ...INIT_FROM_BILL_UNUSED });
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
  // Whatever analyze decided, a cut or failed collection is never complete; nor is one that left
  // out a function the source could not use (a 'function-failed' warning names it).
  if (cutShort || failedRegions.length > 0 || model.warnings.some((w) => w.code === 'function-failed')) model.run.complete = false;

  if (collector && billPromise) {
    const billed = await billPromise;
    const providers = collector.functions.flatMap((f) => (f.alreadyOnLmi && f.capacityProviderArn ? [{ region: f.region, capacityProviderArn: f.capacityProviderArn }] : []));
    const lmiMetrics =
      opts.reconcile?.fetchLmiMetrics && providers.length > 0
        ? await opts.reconcile.fetchLmiMetrics({ window: header.window, providers }).catch(
            // One note per provider, in the reader's own form (compare.ts finds a provider's note by it).
            (error: unknown): LmiProviderMetricsRead => ({
              providers: [],
              notes: providers.map((p) => `${p.region} ${capacityProviderName(p.capacityProviderArn)}: CloudWatch capacity-provider metrics not read: ${(error as Error).message}`),
              requests: 0,
            }),
          )
        : undefined;
    if (lmiMetrics) log.info('capacity-provider metrics read', { providers: lmiMetrics.providers.length, cloudWatchRequests: lmiMetrics.requests, notes: lmiMetrics.notes });
    attachReconciliation(model, {
      ...(lmiMetrics ? { lmiMetrics } : {}),
      window: header.window,
      collector,
      billed,
      priceBook: collectedResult.priceBook,
      config: opts.config,
      ...(header.prices ? { priceItems: header.prices.items } : {}),
    });
    log.info('bill read', { status: billed.status, level: billed.level, costExplorerRequests: billed.requests, costExplorerUsd: billed.requests * CE_USD_PER_REQUEST });
  }

  // ---- change since the previous run, and since what each digest channel last received ----
  const previous = await attachChanges(model, opts, log);
  const store = deliveryStoreFor(opts);
  const digests = await digestBaselines(model, previous, opts.channels, store, log);

  // ---- render every format; a failing renderer loses its file, not the run ----
  const files: ReportFile[] = [];
  const renderFailures: string[] = [];
  if (whatIf?.overflowed) log.info('what-if panel left out: too many functions for the page', { functions: model.functions.length });
  const whatIfData = whatIf?.data(model.run, { warnings: model.warnings.slice(analysedWarnings), changes: model.changes ?? null }) ?? null;
  for (const [format, renderer] of Object.entries(RENDERERS).filter(([f]) => formats.includes(f))) {
    try {
      let content: string | null = null;
      if (format === 'html' && whatIfData) {
        // The panel is an addition: without it the report is still the static page.
        content = await renderWhatIfHtml(model, whatIfData, undefined, opts.reconcile ? RECONCILE_READ_ONLY : undefined).then(
          (page) => page.html,
          (error: unknown) => {
            log.warn('what-if panel left out', { error: (error as Error).message });
            return null;
          },
        );
      }
      files.push({ name: renderer.file, content: content ?? renderer.render(model) });
    } catch (error) {
      renderFailures.push(format);
      log.error('renderer failed', { format, error: (error as Error).message });
    }
  }
  // A set with a missing format must not replace latest: publish it as incomplete.
  const publishModel = renderFailures.length > 0 ? { ...model, run: { ...model.run, complete: false } } : model;

  const publish = await publishAll(publishModel, files, opts.channels, opts.targets, { digestChanges: digests.changes });
  await saveDeliveries(publish, publishModel, digests.unrecorded, store, log);
  for (const r of publish.results) {
    if (r.ok) log.info('channel published', { channel: r.channel, detail: r.detail });
    else log.error('channel failed', { channel: r.channel, error: r.error });
  }
  const exitCode = publish.failures > 0 || renderFailures.length > 0 ? 1 : model.run.complete ? 0 : 3;
  return { model, publish, cutShort, failedRegions, renderFailures, exitCode };
}

/** Reads the previous latest report (S3 if published there, else the local dir) and diffs; returns it when used. */
async function attachChanges(model: ReportModel, opts: RunPipelineOptions, log: PipelineLog): Promise<PreviousReport | null> {
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
    return null;
  }
  if (text === null) {
    log.info('no previous report: first run', { where });
    return null;
  }
  const previous = parsePreviousReport(text, where);
  if ('problem' in previous) {
    addWarning(model, previous.problem);
    return null;
  }
  const diff = diffReports(previous.report, model);
  if ('problem' in diff) {
    addWarning(model, diff.problem);
    return null;
  }
  model.changes = diff.changes;
  return previous.report;
}

/** Where digest channels keep their delivery state: with the reports, S3 first (as attachChanges). */
function deliveryStoreFor(opts: RunPipelineOptions): DeliveryStore | null {
  if (opts.channels.includes('s3') && opts.targets.s3) return s3DeliveryStore(opts.targets.s3);
  if (opts.channels.includes('dir') && opts.targets.dir) return dirDeliveryStore(opts.targets.dir.outDir);
  return null;
}

interface DigestBaselines {
  changes: DigestChanges;
  /** Channels with no state yet, and the report their digest was compared with tonight. */
  unrecorded: Partial<Record<DigestChannel, PreviousReport>>;
}

/**
 * Per digest channel, the change since the report it last received. A channel with no state yet
 * (first run with delivery state, or a store-less run) is absent from `changes`: its digest
 * shows the change since the last report, like the report itself.
 */
async function digestBaselines(
  model: ReportModel,
  previous: PreviousReport | null,
  channels: readonly Channel[],
  store: DeliveryStore | null,
  log: PipelineLog,
): Promise<DigestBaselines> {
  const out: DigestBaselines = { changes: {}, unrecorded: {} };
  if (store === null) return out;
  for (const channel of DIGEST_CHANNELS.filter((c) => channels.includes(c))) {
    const where = store.where(channel);
    const fallback = `the ${channel} digest shows the change since the last report instead`;
    let text: string | null;
    try {
      text = await store.read(channel);
    } catch (error) {
      addWarning(model, { code: 'delivery-state-unreadable', message: `${(error as Error).message}; ${fallback}` });
      log.warn('delivery state unreadable', { channel, where, error: (error as Error).message });
      continue;
    }
    if (text === null) {
      if (previous !== null) out.unrecorded[channel] = previous;
      continue;
    }
    const state = parseDeliveryState(text, channel, where);
    if ('problem' in state) {
      addWarning(model, { code: 'delivery-state-unreadable', message: state.problem.message });
      continue;
    }
    if (state.baseline.accountId !== model.accountId) {
      addWarning(model, { code: 'delivery-state-unreadable', message: `${where}: is of account ${state.baseline.accountId}, this run is ${model.accountId}; ${fallback}` });
      continue;
    }
    const diff = diffReports(state.baseline, model);
    if ('changes' in diff) out.changes[channel] = diff.changes;
  }
  return out;
}

/**
 * After a digest reached its channel, that run becomes the channel's baseline, if complete (an
 * incomplete run is no baseline, as for latest/). When a channel with no state yet fails, the
 * report its digest was compared with is recorded instead, so the change it missed comes back
 * (latest/ moves on regardless). A state that cannot be saved is not a failed delivery: it is
 * logged and noted in the channel's result.
 */
async function saveDeliveries(
  publish: PublishOutcome,
  model: ReportModel,
  unrecorded: DigestBaselines['unrecorded'],
  store: DeliveryStore | null,
  log: PipelineLog,
): Promise<void> {
  if (store === null) return;
  for (const result of publish.results) {
    const channel = DIGEST_CHANNELS.find((c) => c === result.channel);
    if (channel === undefined) continue;
    const baseline = result.ok ? (model.run.complete ? baselineOf(model) : undefined) : unrecorded[channel];
    if (baseline === undefined) continue;
    try {
      await store.write(channel, deliveryStateText(channel, baseline));
    } catch (error) {
      result.detail.push(`delivery state not saved (${(error as Error).message})`);
      log.warn('delivery state not saved', { channel, where: store.where(channel), error: (error as Error).message });
    }
  }
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
  return async ({ regions, days, now, clock }) =>
    store
      ? openStoreSource({
          ...aws,
          regions,
          days,
          now,
          ...(clock ? { clock } : {}),
          store,
          ...(settleMinutes !== undefined ? { settleMinutes } : {}),
          ...(storeTimeLeftMs ? { timeLeftMs: storeTimeLeftMs } : {}),
        })
      : openAwsSource({ ...aws, regions, days, now, ...(clock ? { clock } : {}) });
}
