import type { Command } from 'commander';
import { loadConfig } from '../config/load.js';
import { PublishError, UserInputError } from '../errors.js';
import { analyzeSnapshotFile } from '../pipeline/analyze.js';
import { writeReportFiles } from '../publish/dir.js';
import { RENDERERS } from '../render/index.js';
import { liveAwsSource, runPipeline } from '../pipeline/run.js';
import { createTtyProgress } from '../source/aws/index.js';
import { planWindow } from '../source/aws/metrics-plan.js';
import { clockOf, contextOf } from './io.js';
import {
  ACCOUNT_OPTIONS,
  type AccountFlags,
  addOptions,
  COLLECTION_OPTIONS,
  type CollectionFlags,
  collectionReproduceValues,
  helpOption,
  type OptionName,
  parseCollection,
  parseNow,
  rejectAccountTuningAlone,
  rejectInapplicable,
  reproduceCommand,
  wantsAccounts,
} from './options.js';
import { checkOutDir } from './paths.js';
import { liveBillFetcher } from '../bill/cost-explorer.js';
import { liveCapacityProviderMetricsFetcher } from '../source/aws/capacity-provider-metrics.js';
import { storeBackendFor } from '../store/open.js';
import { cliS3Options } from './record-command.js';
import { runOrgCommand } from '../org/command.js';
import { formatSummary } from './summary.js';
import { WhatIfCollector } from '../whatif/data.js';
import { RECONCILE_READ_ONLY, renderWhatIfHtml } from '../whatif/page.js';

interface AnalyzeOptions extends CollectionFlags, AccountFlags {
  snapshot?: string;
  live?: boolean;
  regions?: string;
  config?: string;
  out: string;
  format?: string;
  now?: string;
  quiet?: boolean;
  reconcile?: boolean;
  whatif?: boolean;
}

/** Exit code of a run that published a report but missed data (a region or account failed). */
export const EXIT_INCOMPLETE = 3;

/** The shared options of `analyze` (src/cli/options.ts), in help order after --snapshot/--live. */
const ANALYZE_OPTIONS: readonly OptionName[] = ['regions', ...COLLECTION_OPTIONS, ...ACCOUNT_OPTIONS, 'config', 'format', 'reconcile', 'quiet'];

/** `lmi-advisor analyze`: a snapshot file (or, with --live, AWS itself) in, report files out. */
export function register(program: Command): void {
  const command = program
    .command('analyze')
    .description('analyse a recorded snapshot (or, with --live, the account itself) and write the migration reports')
    .addOption(
      helpOption('--snapshot <file>', 'snapshot to analyse (.ndjson or .ndjson.gz, format lmi-advisor.snapshot/v1); no AWS access needed', {
        required: 'unless --live',
      }),
    )
    .option('--live', 'read functions, metrics and prices from AWS instead of a snapshot (same collection as `record`, in memory)');
  addOptions(command, ANALYZE_OPTIONS, {
    note: 'with --live: ',
    required: { regions: 'with --live' },
    describe: {
      format: `comma-separated output formats (default: every registered one: ${Object.keys(RENDERERS).join(',')})`,
      reconcile:
        'compare the modelled standard cost with the bill and add a Reconciliation section. With --live: read Cost Explorer (ce:GetCostAndUsage, ce:GetCostAndUsageWithResources; $0.01 per request); with --snapshot: from the bill recorded in it (record --reconcile)',
      now: "with --snapshot: the report's generatedAt (default: the snapshot's capturedAt); with --live: also the end of the window (default: now). An ISO-8601 date-time with a zone, at most 5 minutes after this machine's clock",
    },
  })
    .addOption(helpOption('--out <dir>', 'directory the report files are written to', { defaultValue: 'reports' }))
    .option('--no-whatif', 'report.html without the what-if panel (no script, no embedded data)')
    .addHelpText(
      'after',
      `
Give exactly one of --snapshot and --live. Everything (snapshot, config, formats, options) is
validated before any file is written; a bad input writes nothing. The same snapshot, config and
--now give byte-identical files. The options marked "with --live" are refused with --snapshot
(the snapshot already holds what they choose). With --live, a report.json already in --out is
the previous run: the report then shows what changed since it.

Exit codes:
  0  reports written
  1  unexpected failure, or no region could be read (nothing written; --debug shows the causes)
  2  bad input: snapshot, config or option (the message names the line, field, key or flag)
  ${EXIT_INCOMPLETE}  reports written, but data is missing (a region or account failed, a function was left out)

Examples:
  $ lmi-advisor analyze --snapshot fixtures/sample-account.ndjson.gz
  $ lmi-advisor analyze --snapshot acct.ndjson.gz --config examples/config.yaml --out out --format json,md
  $ lmi-advisor analyze --snapshot acct.ndjson.gz --now 2026-11-21T03:00:00Z --quiet
  $ lmi-advisor analyze --live --regions us-east-1,eu-west-1 --days 14 --profile finops`,
    )
    .action(async (opts: AnalyzeOptions, command: Command) => {
      if (opts.live && opts.snapshot !== undefined) throw new UserInputError('--snapshot and --live exclude each other: give one');
      if (opts.live) return analyzeLive(opts, command);
      if (opts.snapshot === undefined) throw new UserInputError('give --snapshot <file> (or --live --regions <list>)');
      rejectInapplicable(command, ANALYZE_OPTIONS, 'snapshot', 'with --snapshot (it applies with --live, record and run; the snapshot holds what was recorded)');
      const snapshot = opts.snapshot;
      const context = contextOf(command);
      const { io } = context;
      const formats = parseFormats(opts.format);
      const now = opts.now === undefined ? undefined : parseNow(opts.now, clockOf(command)).toISOString();
      const config = await loadConfig(opts.config);
      await checkOutDir(opts.out);

      // Progress is for a person watching: a terminal only, never a log or a pipe.
      const showProgress = io.stderrIsTTY && !opts.quiet;
      // The what-if panel of report.html needs per-function data taken while the series are read.
      const whatIf = formats.includes('html') && opts.whatif !== false ? new WhatIfCollector() : null;
      const model = await analyzeSnapshotFile(snapshot, {
        config,
        ...(opts.config !== undefined ? { configPath: opts.config } : {}),
        ...(now !== undefined ? { now } : {}),
        ...(opts.reconcile ? { reconcile: true } : {}),
        command: reproduceCommand(['analyze'], [
          ['snapshot', snapshot],
          ['config', opts.config],
          ['now', now],
          ['reconcile', opts.reconcile === true],
        ]),
        ...(whatIf ? { onSummary: (event) => whatIf.add(event) } : {}),
        ...(showProgress
          ? {
              onProgress: (done: number) => {
                if (done % 100 === 0) io.err(`\ranalysed ${done} functions`);
              },
            }
          : {}),
      });
      if (showProgress) io.err(`\ranalysed ${model.functions.length} functions\n`);

      // Render everything before writing anything: a renderer failing must not leave a partial set.
      const whatIfData = whatIf?.data(model.run) ?? null;
      // With --reconcile the panel is read-only and says why (the Reconciliation depends on a knob).
      const whatIfHtml = whatIfData
        ? (await renderWhatIfHtml(model, whatIfData, undefined, opts.reconcile ? RECONCILE_READ_ONLY : undefined)).html
        : null;
      const files = formats.map((name) => {
        const renderer = RENDERERS[name];
        if (!renderer) throw new UserInputError(`--format: unknown format "${name}"`);
        if (name === 'html' && whatIfHtml !== null) return { name: renderer.file, content: whatIfHtml };
        return { name: renderer.file, content: renderer.render(model) };
      });
      const written = await writeReportFiles(opts.out, files);
      if (!opts.quiet) io.out(formatSummary(model, written));
      if (!model.run.complete) context.exitCode = EXIT_INCOMPLETE;
    });
}

/** --live: the nightly pipeline (src/pipeline/run.ts) with the local directory as its only channel. */
async function analyzeLive(opts: AnalyzeOptions, command: Command): Promise<void> {
  const context = contextOf(command);
  const { io } = context;
  if (opts.regions === undefined) throw new UserInputError('--live needs --regions <list>');
  // The one place a live analyze reads the clock: everything below gets `now` and `clock`.
  const collection = parseCollection({ ...opts, regions: opts.regions }, clockOf(command));
  const formats = parseFormats(opts.format);
  // The window is planned here too (pure, the same as the source's) so that a window CloudWatch
  // cannot answer for is exit 2 before any AWS call, and the reproduce line has its period.
  const window = planWindow(collection.now, collection.days, collection.settings.resolution ?? 'auto', collection.clock);
  const config = await loadConfig(opts.config);
  await checkOutDir(opts.out);
  rejectAccountTuningAlone(command, opts);
  if (wantsAccounts(opts)) {
    // Accounts x regions as shards, merged into one organization report (src/org/).
    if (opts.reconcile) throw new UserInputError('--reconcile does not apply with account options (an organization run does not read Cost Explorer)');
    const org = await runOrgCommand({
      flags: opts,
      regions: collection.regions,
      days: collection.days,
      now: collection.now,
      config,
      ...(opts.config !== undefined ? { configPath: opts.config } : {}),
      formats,
      outDir: opts.out,
      // With --store each shard collects into the store under its own account=<id>/region=<r>/.
      settings: {
        ...collection.settings,
        clock: collection.clock,
        ...(collection.store !== undefined ? { store: storeBackendFor(collection.store, cliS3Options(collection.regions, collection.settings.profile)) } : {}),
      },
      // The job's own credentials (and the ones that assume the member roles) from --profile.
      ...(collection.settings.profile ? { base: { profile: collection.settings.profile } } : {}),
      command: (accounts) => reproduceCommand(['analyze', '--live'], collectionReproduceValues(collection, window.periodSeconds, opts.config, { accounts })),
      progress: (line) => {
        if (!opts.quiet) io.err(`${line}\n`);
      },
    });
    if (!opts.quiet) io.out(org.summary);
    context.exitCode = org.exitCode;
    return;
  }
  const progress = opts.quiet ? undefined : createTtyProgress({ isTTY: io.stderrIsTTY, write: io.err });
  const result = await runPipeline({
    regions: collection.regions,
    days: collection.days,
    now: collection.now,
    clock: collection.clock,
    config,
    ...(opts.config !== undefined ? { configPath: opts.config } : {}),
    source: liveAwsSource({
      ...collection.settings,
      ...(progress ? { onProgress: progress } : {}),
      ...(collection.store !== undefined ? { store: storeBackendFor(collection.store, cliS3Options(collection.regions, collection.settings.profile)), settleMinutes: config.store.settleMinutes } : {}),
    }),
    channels: ['dir'],
    whatIf: opts.whatif !== false,
    targets: { dir: { outDir: opts.out } },
    formats,
    ...(opts.reconcile ? { reconcile: { fetchBill: liveBillFetcher(collection.settings.profile ? { profile: collection.settings.profile } : {}), fetchLmiMetrics: liveCapacityProviderMetricsFetcher(collection.settings.profile ? { profile: collection.settings.profile } : {}) } } : {}),
    command: reproduceCommand(['analyze', '--live'], collectionReproduceValues(collection, window.periodSeconds, opts.config, { reconcile: opts.reconcile === true })),
  });
  const dir = result.publish.results.find((r) => r.channel === 'dir');
  if (dir && !dir.ok) throw new PublishError('dir', dir.error ?? 'writing the reports failed');
  if (!opts.quiet) io.out(formatSummary(result.model, dir?.detail ?? []));
  context.exitCode = result.exitCode;
}

/** `--format`: known renderer names (shared by analyze and run). */
export function parseFormats(value: string | undefined): string[] {
  const known = Object.keys(RENDERERS);
  if (value === undefined) return known;
  const formats = [...new Set(value.split(',').map((f) => f.trim().toLowerCase()).filter((f) => f !== ''))];
  if (formats.length === 0) throw new UserInputError(`--format: no format given (known: ${known.join(', ')})`);
  for (const format of formats) {
    if (!known.includes(format)) {
      throw new UserInputError(`--format: unknown format "${format}" (known: ${known.join(', ')})`);
    }
  }
  return formats;
}
