import type { Command } from 'commander';
import { UserInputError } from '../errors.js';
import type { FunctionProfile, SnapshotHeader } from '../source/profile.js';
import { createTtyProgress, openAwsSource, type AwsSourceOptions } from '../source/aws/index.js';
import { replaceSnapshotHeader, writeSnapshot } from '../source/snapshot-writer.js';
import { type CostExplorerSend, liveBillFetcher } from '../bill/cost-explorer.js';
import { type BilledData, capacityProviderName, type LmiProviderMetricsRead } from '../bill/types.js';
import { liveCapacityProviderMetricsFetcher, readCapacityProviderMetrics } from '../source/aws/capacity-provider-metrics.js';
import type { StoreBackend } from '../store/backend.js';
import { openStoreSource } from '../store/collect.js';
import { storeBackendFor } from '../store/open.js';
import { EXIT_INCOMPLETE } from './analyze-command.js';
import { clockOf, contextOf } from './io.js';
import {
  ACCOUNT_OPTIONS,
  type AccountFlags,
  addOptions,
  type Collection,
  COLLECTION_OPTIONS,
  type CollectionFlags,
  helpOption,
  parseCollection,
  parseConcurrency,
  rejectAccountTuningAlone,
  wantsAccounts,
} from './options.js';
import { checkOutDir, checkOutFile } from './paths.js';
import { parseAccountSelection } from '../org/command.js';
import { recordAccounts } from '../org/record-accounts.js';
import { newRunId } from '../org/run-org.js';

interface RecordFlags extends CollectionFlags, AccountFlags {
  regions: string;
  out: string;
  quiet?: boolean;
  reconcile?: boolean;
}

/**
 * S3 client settings for a `--store s3://...` from the command line: the first region, the
 * profile, and path-style addressing when the SDK is pointed at a custom endpoint (moto, MinIO).
 */
export function cliS3Options(regions: string[], profile: string | undefined) {
  return {
    region: regions[0] ?? 'us-east-1',
    ...(profile ? { profile } : {}),
    forcePathStyle: process.env['AWS_ENDPOINT_URL'] !== undefined || process.env['AWS_ENDPOINT_URL_S3'] !== undefined,
  };
}

/** The parsed collection flags with what the deps inject: the source options of one account (or of each, with account options). */
function sourceOptionsOf(collection: Collection, deps: RecordDeps): AwsSourceOptions {
  return {
    regions: collection.regions,
    days: collection.days,
    now: collection.now,
    clock: collection.clock,
    ...collection.settings,
    ...(deps.clients ? { clients: deps.clients } : {}),
    ...(deps.limits ? { limits: deps.limits } : {}),
  };
}

/** The metric store `--store` names, if any. */
function storeOf(collection: Collection): StoreBackend | undefined {
  return collection.store !== undefined ? storeBackendFor(collection.store, cliS3Options(collection.regions, collection.settings.profile)) : undefined;
}

/** What tests (and the Lambda handler) inject instead of real AWS and the wall clock. */
export interface RecordDeps {
  clients?: AwsSourceOptions['clients'];
  limits?: AwsSourceOptions['limits'];
  /** The clock (default: the CLI context's, else the machine's). */
  now?: () => Date;
  /** Cost Explorer client for --reconcile (default: the SDK's, endpoint us-east-1). */
  costExplorer?: CostExplorerSend;
}

export interface RecordResult {
  functions: number;
  failedRegions: string[];
  warnings: NonNullable<SnapshotHeader['warnings']>;
  /** The bill recorded in the header (record --reconcile). */
  bill?: BilledData;
}

/**
 * Replaces line 1 of a written snapshot: warnings met while metrics streamed (a region denied
 * GetMetricData) arrive after the header was written, and must not be lost from the file.
 */
export async function rewriteSnapshotHeader(path: string, header: SnapshotHeader): Promise<void> {
  await replaceSnapshotHeader(path, header);
}

/** zlib level of `record`'s .gz snapshots (see runRecord). */
export const RECORD_GZIP_LEVEL = 4;

/**
 * Collects live data and writes the snapshot. When a region fails, the snapshot of the others is
 * still written, with the failure in its header warnings, and the result names the region.
 */
export async function runRecord(
  options: AwsSourceOptions,
  out: string,
  fetchBill?: (args: { window: SnapshotHeader['window']; now: Date; regions: string[] }) => Promise<BilledData>,
  store?: StoreBackend,
  fetchLmiMetrics?: (args: { window: SnapshotHeader['window']; providers: { region: string; capacityProviderArn: string }[] }) => Promise<LmiProviderMetricsRead>,
): Promise<RecordResult> {
  // With a store: the window assembled from it (reading only what it lacks), the same snapshot.
  const source = store ? await openStoreSource({ ...options, store }) : await openAwsSource(options);
  // The bill is read while the metrics stream; it goes into the header once both are done.
  const billPromise = fetchBill?.({ window: source.header.window, now: options.now, regions: options.regions });
  // gzip level 4, not zlib's default 6: on minute data (1.4 GB of JSON at 10,000 functions x
  // 14 days) level 6 costs 3.4x the CPU of level 4 (~41 s vs ~12 s) for a file 7 % smaller,
  // and that CPU competes with decoding the GetMetricData answers (docs/live-collection.md).
  // The capacity providers of functions already on LMI, seen as the profiles stream (LMI actuals).
  const providers = new Map<string, { region: string; capacityProviderArn: string }>();
  async function* tapped(): AsyncGenerator<FunctionProfile> {
    for await (const profile of source.profiles) {
      const arn = profile.capacityProviderArn;
      if (billPromise && arn) providers.set(`${profile.region} ${arn}`, { region: profile.region, capacityProviderArn: arn });
      yield profile;
    }
  }
  const { functions } = await writeSnapshot(out, source.header, tapped(), { gzipLevel: RECORD_GZIP_LEVEL });
  const headerWarnings = source.header.warnings ?? [];
  let bill = billPromise ? await billPromise : undefined;
  if (bill && bill.status === 'ok' && fetchLmiMetrics && providers.size > 0) {
    const list = [...providers.values()];
    const lmiMetrics = await fetchLmiMetrics({ window: source.header.window, providers: list }).catch(
      (error: unknown): LmiProviderMetricsRead => ({
        providers: [],
        notes: list.map((p) => `${p.region} ${capacityProviderName(p.capacityProviderArn)}: CloudWatch capacity-provider metrics not read: ${(error as Error).message}`),
        requests: 0,
      }),
    );
    bill = { ...bill, lmiMetrics };
  }
  if (bill && bill.status !== 'ok') {
    source.warnings.push({ code: 'reconcile-unavailable', message: `the bill was not recorded: ${bill.notes.join('; ')}` });
  }
  if (source.warnings.length > headerWarnings.length || bill) {
    await rewriteSnapshotHeader(out, { ...source.header, warnings: [...source.warnings], ...(bill ? { bill } : {}) });
  }
  return { functions, failedRegions: [...source.failedRegions], warnings: [...source.warnings], ...(bill ? { bill } : {}) };
}

/** `lmi-advisor record`: live AWS data in, snapshot file out. */
export function register(program: Command, deps: RecordDeps = {}): void {
  const command = program
    .command('record')
    .description('collect functions, metrics and prices from AWS into a snapshot file');
  addOptions(command, ['regions'], { required: { regions: true } })
    .addOption(
      helpOption('--out <file>', 'snapshot to write (.ndjson or .ndjson.gz; its directory must exist); with account options a directory: one account-<id>.ndjson.gz per account', {
        required: true,
      }),
    );
  addOptions(command, [...COLLECTION_OPTIONS, ...ACCOUNT_OPTIONS, 'reconcile', 'quiet'], {
    describe: {
      reconcile:
        'read the bill for the window (Cost Explorer: ce:GetCostAndUsage, ce:GetCostAndUsageWithResources; $0.01 per request) and store it in the snapshot header for `analyze --snapshot --reconcile`',
    },
  })
    .addHelpText(
      'after',
      `
Endpoints follow the SDK's own settings (AWS_ENDPOINT_URL, AWS_ENDPOINT_URL_CLOUDWATCH, ...).
Progress is drawn on stderr only when it is a terminal.

Exit codes:
  0  snapshot written, every region collected
  1  unexpected failure, or no region could be read (nothing written)
  2  bad option
  ${EXIT_INCOMPLETE}  snapshot written, but a region failed or a function was left out (named in stderr
     and in the header warnings)

With account options (--accounts, --org, ...) record writes one snapshot per account, all its
regions in it (the free tier is one credit per account, so a per-region snapshot analysed alone
would count it once per region): <out>/account-<id>.ndjson.gz, each account read through its
member role. An account that cannot be read is named on stderr, the others are written (exit 3).

Examples:
  $ lmi-advisor record --regions us-east-1,eu-west-1 --days 14 --out acct.ndjson.gz
  $ lmi-advisor record --regions us-east-1 --accounts 111122223333,444455556666 --out snapshots/`,
    )
    .action(async (flags: RecordFlags, command: Command) => {
      const context = contextOf(command);
      const { io } = context;
      rejectAccountTuningAlone(command, flags);
      if (wantsAccounts(flags)) return recordOrg(flags, command, deps);
      if (!/\.ndjson(\.gz)?$/.test(flags.out)) {
        throw new UserInputError(`--out: "${flags.out}" must end in .ndjson or .ndjson.gz`);
      }
      // The one place record reads the clock.
      const collection = parseCollection(flags, deps.now ? deps.now() : clockOf(command));
      await checkOutFile(flags.out);
      const progress = flags.quiet ? undefined : createTtyProgress({ isTTY: io.stderrIsTTY, write: io.err });
      const options: AwsSourceOptions = { ...sourceOptionsOf(collection, deps), ...(progress ? { onProgress: progress } : {}) };
      const result = await runRecord(
        options,
        flags.out,
        flags.reconcile
          ? liveBillFetcher({ ...(deps.costExplorer ? { client: deps.costExplorer } : {}), ...(collection.settings.profile ? { profile: collection.settings.profile } : {}) })
          : undefined,
        storeOf(collection),
        // LMI actuals recorded with the bill: the collector's CloudWatch clients when injected.
        flags.reconcile
          ? deps.clients?.forRegion
            ? (args) => readCapacityProviderMetrics((r) => deps.clients!.forRegion!(r).cloudWatch, args.providers, args.window)
            : liveCapacityProviderMetricsFetcher(collection.settings.profile ? { profile: collection.settings.profile } : {})
          : undefined,
      );
      for (const region of result.failedRegions) {
        const reasons = result.warnings.filter((w) => w.code === 'region-failed' && w.region === region);
        io.err(`lmi-advisor: record: region ${region} FAILED: ${reasons.map((w) => w.message).join('; ')}\n`);
      }
      const leftOut = result.warnings.filter((w) => w.code === 'function-failed');
      for (const w of leftOut) io.err(`lmi-advisor: record: ${w.message}\n`);
      const incomplete = result.failedRegions.length > 0 || leftOut.length > 0;
      if (!flags.quiet) {
        const missing = [
          ...(result.failedRegions.length > 0 ? [`failed: ${result.failedRegions.join(', ')}`] : []),
          ...(leftOut.length > 0 ? [`${leftOut.length} functions left out`] : []),
        ];
        io.out(
          `wrote ${flags.out}: ${result.functions} functions, ${result.warnings.length} warnings` +
            (incomplete ? `, INCOMPLETE (${missing.join('; ')})` : '') +
            (result.bill ? `, bill: ${result.bill.status} (${result.bill.lines.length} lines, ${result.bill.requests} Cost Explorer request(s))` : '') +
            '\n',
        );
      }
      if (incomplete) context.exitCode = EXIT_INCOMPLETE;
    });
}

/** record with account options: one snapshot per account (src/org/record-accounts.ts). */
async function recordOrg(flags: RecordFlags, command: Command, deps: RecordDeps): Promise<void> {
  const context = contextOf(command);
  const { io } = context;
  if (flags.reconcile) throw new UserInputError('--reconcile does not apply with account options (record it per account, with that account\'s credentials)');
  if (/\.ndjson(\.gz)?$/.test(flags.out)) {
    throw new UserInputError(`--out: "${flags.out}" is a snapshot file name; with account options give a directory (one account-<id>.ndjson.gz per account)`);
  }
  const selection = parseAccountSelection(flags);
  const concurrency = parseConcurrency(flags.concurrency);
  const collection = parseCollection(flags, deps.now ? deps.now() : clockOf(command));
  await checkOutDir(flags.out);
  const store = storeOf(collection);
  const result = await recordAccounts({
    selection,
    options: sourceOptionsOf(collection, deps),
    outDir: flags.out,
    concurrency,
    runId: newRunId(collection.now),
    ...(collection.settings.profile ? { base: { profile: collection.settings.profile } } : {}),
    ...(store ? { store } : {}),
    onProgress: (line) => {
      if (!flags.quiet) io.err(`${line}\n`);
    },
  });
  let incomplete = result.problems.length > 0;
  for (const p of result.problems) io.err(`lmi-advisor: record: ${p}\n`);
  const lines: string[] = [];
  for (const r of result.records) {
    if (!r.result) {
      incomplete = true;
      io.err(`lmi-advisor: record: account ${r.accountId} FAILED: ${r.error}\n`);
      continue;
    }
    const leftOut = r.result.warnings.filter((w) => w.code === 'function-failed').length;
    if (r.result.failedRegions.length > 0 || leftOut > 0) incomplete = true;
    lines.push(
      `wrote ${r.path}: ${r.result.functions} functions, ${r.result.warnings.length} warnings` +
        (r.result.failedRegions.length > 0 ? `, INCOMPLETE (failed: ${r.result.failedRegions.join(', ')})` : leftOut > 0 ? `, INCOMPLETE (${leftOut} functions left out)` : ''),
    );
  }
  for (const s of result.skipped) lines.push(`skipped ${s.accountId} (${s.state})`);
  if (!flags.quiet) io.out(`${lines.join('\n')}\n`);
  if (incomplete) context.exitCode = EXIT_INCOMPLETE;
}
