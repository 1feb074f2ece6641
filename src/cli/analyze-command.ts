import type { Command } from 'commander';
import { loadConfig } from '../config/load.js';
import { PublishError, UserInputError } from '../errors.js';
import { analyzeSnapshotFile } from '../pipeline/analyze.js';
import { writeReportFiles } from '../publish/dir.js';
import { RENDERERS } from '../render/index.js';
import { liveAwsSource, runPipeline } from '../pipeline/run.js';
import { createTtyProgress } from '../source/aws/index.js';
import { contextOf } from './io.js';
import { addAccountOptions, addCollectionOptions, collectionSettings, type AccountFlags, type CollectionFlags, parseDays, parseInstant, parseRegions, wantsAccounts } from './options.js';
import { runOrgCommand } from '../org/command.js';
import { formatSummary } from './summary.js';

interface AnalyzeOptions extends CollectionFlags, AccountFlags {
  snapshot?: string;
  live?: boolean;
  regions?: string;
  config?: string;
  out: string;
  format?: string;
  now?: string;
  quiet?: boolean;
}

/** Exit code of a run that published a report but missed data (a region or account failed). */
export const EXIT_INCOMPLETE = 3;

/** `lmi-advisor analyze`: a snapshot file (or, with --live, AWS itself) in, report files out. */
export function register(program: Command): void {
  const command = program
    .command('analyze')
    .description('analyse a recorded snapshot (or, with --live, the account itself) and write the migration reports')
    .option('--snapshot <file>', 'snapshot to analyse (.ndjson or .ndjson.gz, format lmi-advisor.snapshot/v1); no AWS access needed')
    .option('--live', 'read functions, metrics and prices from AWS instead of a snapshot (same collection as `record`, in memory)')
    .option('--regions <list>', 'with --live: comma-separated regions, e.g. us-east-1,eu-west-1');
  addAccountOptions(command, 'with --live: ');
  addCollectionOptions(command, 'with --live: ')
    .option('--config <file>', 'assumptions file (.json, .yaml or .yml; every knob: README "Configuration", example: examples/config.yaml); unset knobs keep their defaults')
    .option('--out <dir>', 'directory the report files are written to', 'reports')
    .option(
      '--format <list>',
      `comma-separated output formats (default: all registered: ${Object.keys(RENDERERS).join(',')})`,
    )
    .option('--now <iso>', "timestamp stamped as the report's generatedAt (default: the snapshot's capturedAt; with --live: the end of the window, default now)")
    .option('--quiet', 'print nothing on success (errors still go to stderr)')
    .addHelpText(
      'after',
      `
Give exactly one of --snapshot and --live. Everything (snapshot, config, formats, options) is
validated before any file is written; a bad input writes nothing. The same snapshot, config and
--now give byte-identical files. With --live, a report.json already in --out is the previous
run: the report then shows what changed since it.

Exit codes:
  0  reports written
  1  unexpected failure (add --debug for the stack trace)
  2  bad input: snapshot, config or option (the message names the line, field or key)
  ${EXIT_INCOMPLETE}  reports written, but data is missing (a region or account failed)

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
      const snapshot = opts.snapshot;
      const context = contextOf(command);
      const { io } = context;
      const formats = parseFormats(opts.format);
      const now = opts.now === undefined ? undefined : parseInstant(opts.now).toISOString();
      const config = await loadConfig(opts.config);

      // Progress is for a person watching: a terminal only, never a log or a pipe.
      const showProgress = io.stderrIsTTY && !opts.quiet;
      const model = await analyzeSnapshotFile(snapshot, {
        config,
        ...(opts.config !== undefined ? { configPath: opts.config } : {}),
        ...(now !== undefined ? { now } : {}),
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
      const files = formats.map((name) => {
        const renderer = RENDERERS[name];
        if (!renderer) throw new UserInputError(`--format: unknown format "${name}"`);
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
  const regions = parseRegions(opts.regions);
  const days = parseDays(opts.days);
  const formats = parseFormats(opts.format);
  const settings = collectionSettings(opts);
  // The one place a live analyze reads the clock: everything below gets `now`.
  const now = opts.now === undefined ? new Date() : parseInstant(opts.now);
  const config = await loadConfig(opts.config);
  if (wantsAccounts(opts)) {
    // Accounts x regions as shards, merged into one organization report (src/org/).
    const org = await runOrgCommand({
      flags: opts,
      regions,
      days,
      now,
      config,
      ...(opts.config !== undefined ? { configPath: opts.config } : {}),
      formats,
      outDir: opts.out,
      settings,
      // The job's own credentials (and the ones that assume the member roles) from --profile.
      ...(opts.profile ? { base: { profile: opts.profile } } : {}),
      command: `lmi-advisor analyze --live --regions ${regions.join(',')} --days ${days} --now ${now.toISOString()}${opts.config !== undefined ? ` --config ${opts.config}` : ''}`,
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
    regions,
    days,
    now,
    config,
    ...(opts.config !== undefined ? { configPath: opts.config } : {}),
    source: liveAwsSource({ ...settings, ...(progress ? { onProgress: progress } : {}) }),
    channels: ['dir'],
    targets: { dir: { outDir: opts.out } },
    formats,
    command: `lmi-advisor analyze --live --regions ${regions.join(',')} --days ${days} --now ${now.toISOString()}${opts.config !== undefined ? ` --config ${opts.config}` : ''}`,
  });
  const dir = result.publish.results.find((r) => r.channel === 'dir');
  if (dir && !dir.ok) throw new PublishError('dir', dir.error ?? 'writing the reports failed');
  if (!opts.quiet) io.out(formatSummary(result.model, dir?.detail ?? []));
  context.exitCode = result.exitCode;
}

function parseFormats(value: string | undefined): string[] {
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
