import type { Command } from 'commander';
import { loadConfig } from '../config/load.js';
import { UserInputError } from '../errors.js';
import { analyzeSnapshotFile } from '../pipeline/analyze.js';
import { writeReportFiles } from '../publish/dir.js';
import { RENDERERS } from '../render/index.js';
import { contextOf } from './io.js';
import { formatSummary } from './summary.js';

interface AnalyzeOptions {
  snapshot: string;
  config?: string;
  out: string;
  format?: string;
  now?: string;
  quiet?: boolean;
}

/** Exit code of a run that published a report but missed data (a region or account failed). */
export const EXIT_INCOMPLETE = 3;

/** `lmi-advisor analyze`: snapshot file in, report files out. */
export function register(program: Command): void {
  program
    .command('analyze')
    .description('analyse a recorded snapshot and write the migration reports (no AWS access needed)')
    .requiredOption('--snapshot <file>', 'snapshot to analyse (.ndjson or .ndjson.gz, format lmi-advisor.snapshot/v1)')
    .option('--config <file>', 'assumptions file (.json, .yaml or .yml; every knob: README "Configuration", example: examples/config.yaml); unset knobs keep their defaults')
    .option('--out <dir>', 'directory the report files are written to', 'reports')
    .option(
      '--format <list>',
      `comma-separated output formats (default: all registered: ${Object.keys(RENDERERS).join(',')})`,
    )
    .option('--now <iso>', "timestamp stamped as the report's generatedAt (default: the snapshot's capturedAt)")
    .option('--quiet', 'print nothing on success (errors still go to stderr)')
    .addHelpText(
      'after',
      `
Everything (snapshot, config, formats) is validated before any file is written; a bad input
writes nothing. The same snapshot, config and --now give byte-identical files.

Exit codes:
  0  reports written
  1  unexpected failure (add --debug for the stack trace)
  2  bad input: snapshot, config or option (the message names the line, field or key)
  ${EXIT_INCOMPLETE}  reports written, but the recording missed data (a region or account failed)

Examples:
  $ lmi-advisor analyze --snapshot fixtures/sample-account.ndjson.gz
  $ lmi-advisor analyze --snapshot acct.ndjson.gz --config examples/config.yaml --out out --format json,md
  $ lmi-advisor analyze --snapshot acct.ndjson.gz --now 2026-11-21T03:00:00Z --quiet`,
    )
    .action(async (opts: AnalyzeOptions, command: Command) => {
      const context = contextOf(command);
      const { io } = context;
      const formats = parseFormats(opts.format);
      const now = parseNow(opts.now);
      const config = await loadConfig(opts.config);

      // Progress is for a person watching: a terminal only, never a log or a pipe.
      const showProgress = io.stderrIsTTY && !opts.quiet;
      const model = await analyzeSnapshotFile(opts.snapshot, {
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

function parseNow(value: string | undefined): string | undefined {
  if (value === undefined) return undefined;
  // A full date-time with an explicit zone, so the same flag means the same instant everywhere.
  if (!/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})$/.test(value) || Number.isNaN(Date.parse(value))) {
    throw new UserInputError(`--now: "${value}" is not an ISO-8601 date-time with a zone (e.g. 2026-11-21T03:00:00Z)`);
  }
  return new Date(value).toISOString();
}
