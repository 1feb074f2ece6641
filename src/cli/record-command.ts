import { createReadStream, createWriteStream } from 'node:fs';
import { rename, rm } from 'node:fs/promises';
import { createInterface } from 'node:readline';
import { pipeline } from 'node:stream/promises';
import { createGunzip, createGzip } from 'node:zlib';
import type { Command } from 'commander';
import { UserInputError } from '../errors.js';
import type { SnapshotHeader } from '../source/profile.js';
import { createTtyProgress, openAwsSource, type AwsSourceOptions } from '../source/aws/index.js';
import { writeSnapshot } from '../source/snapshot-writer.js';
import { EXIT_INCOMPLETE } from './analyze-command.js';
import { contextOf } from './io.js';
import { addCollectionOptions, collectionSettings, type CollectionFlags, parseDays, parseInstant, parseRegions } from './options.js';
import type { StoreBackend } from '../store/backend.js';
import { openStoreSource } from '../store/collect.js';
import { storeBackendFor } from '../store/open.js';

interface RecordFlags extends CollectionFlags {
  regions: string;
  out: string;
  now?: string;
  quiet?: boolean;
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

/** What tests (and the Lambda handler) inject instead of real AWS and the wall clock. */
export interface RecordDeps {
  clients?: AwsSourceOptions['clients'];
  limits?: AwsSourceOptions['limits'];
  now?: () => Date;
}

export interface RecordResult {
  functions: number;
  failedRegions: string[];
  warnings: NonNullable<SnapshotHeader['warnings']>;
}

/**
 * Replaces line 1 of a written snapshot: warnings met while metrics streamed (a region denied
 * GetMetricData) arrive after the header was written, and must not be lost from the file.
 * Streams line by line into a temporary file renamed over the original.
 */
export async function rewriteSnapshotHeader(path: string, header: SnapshotHeader): Promise<void> {
  const gz = path.endsWith('.gz');
  const tmp = `${path}.header-${process.pid}`;
  const input = createReadStream(path);
  const lines = createInterface({ input: gz ? input.pipe(createGunzip()) : input, crlfDelay: Infinity });
  async function* rewritten(): AsyncGenerator<string> {
    let first = true;
    for await (const line of lines) {
      yield first ? `${JSON.stringify(header)}\n` : `${line}\n`;
      first = false;
    }
  }
  try {
    if (gz) await pipeline(rewritten(), createGzip(), createWriteStream(tmp));
    else await pipeline(rewritten(), createWriteStream(tmp));
    await rename(tmp, path);
  } catch (error) {
    await rm(tmp, { force: true });
    throw error;
  }
}

/** zlib level of `record`'s .gz snapshots (see runRecord). */
export const RECORD_GZIP_LEVEL = 4;

/**
 * Collects live data and writes the snapshot. When a region fails, the snapshot of the others is
 * still written, with the failure in its header warnings, and the result names the region.
 */
export async function runRecord(options: AwsSourceOptions, out: string, store?: StoreBackend): Promise<RecordResult> {
  // With a store: the window assembled from it (reading only what it lacks), the same snapshot.
  const source = store ? await openStoreSource({ ...options, store }) : await openAwsSource(options);
  // gzip level 4, not zlib's default 6: on minute data (1.4 GB of JSON at 10,000 functions x
  // 14 days) level 6 costs 3.4x the CPU of level 4 (~41 s vs ~12 s) for a file 7 % smaller,
  // and that CPU competes with decoding the GetMetricData answers (docs/live-collection.md).
  const { functions } = await writeSnapshot(out, source.header, source.profiles, { gzipLevel: RECORD_GZIP_LEVEL });
  const headerWarnings = source.header.warnings ?? [];
  if (source.warnings.length > headerWarnings.length) {
    await rewriteSnapshotHeader(out, { ...source.header, warnings: [...source.warnings] });
  }
  return { functions, failedRegions: [...source.failedRegions], warnings: [...source.warnings] };
}

/** `lmi-advisor record`: live AWS data in, snapshot file out. */
export function register(program: Command, deps: RecordDeps = {}): void {
  const command = program
    .command('record')
    .description('collect functions, metrics and prices from AWS into a snapshot file')
    .requiredOption('--regions <list>', 'comma-separated regions, e.g. us-east-1,eu-west-1')
    .requiredOption('--out <file>', 'snapshot to write (.ndjson or .ndjson.gz)')
    .option('--now <iso>', 'end of the window, aligned down to the period (default: now)');
  addCollectionOptions(command)
    .option('--quiet', 'print nothing on success')
    .addHelpText(
      'after',
      `
Endpoints follow the SDK's own settings (AWS_ENDPOINT_URL, AWS_ENDPOINT_URL_CLOUDWATCH, ...).
Progress is drawn on stderr only when it is a terminal.

Exit codes:
  0  snapshot written, every region collected
  1  unexpected failure, or no region could be read (nothing written)
  2  bad option
  ${EXIT_INCOMPLETE}  snapshot written, but a region failed (named in stderr and in the header warnings)

Example:
  $ lmi-advisor record --regions us-east-1,eu-west-1 --days 14 --out acct.ndjson.gz
  $ lmi-advisor record --regions us-east-1 --store s3://my-bucket/store --out acct.ndjson.gz`,
    )
    .action(async (flags: RecordFlags, command: Command) => {
      const context = contextOf(command);
      const { io } = context;
      if (!/\.ndjson(\.gz)?$/.test(flags.out)) {
        throw new UserInputError(`--out: "${flags.out}" must end in .ndjson or .ndjson.gz`);
      }
      const progress = flags.quiet ? undefined : createTtyProgress({ isTTY: io.stderrIsTTY, write: io.err });
      const regions = parseRegions(flags.regions);
      const options: AwsSourceOptions = {
        regions,
        days: parseDays(flags.days),
        now: flags.now !== undefined ? parseInstant(flags.now) : deps.now ? deps.now() : new Date(),
        ...collectionSettings(flags),
        ...(deps.clients ? { clients: deps.clients } : {}),
        ...(deps.limits ? { limits: deps.limits } : {}),
        ...(progress ? { onProgress: progress } : {}),
      };
      const store = flags.store !== undefined ? storeBackendFor(flags.store, cliS3Options(regions, flags.profile)) : undefined;
      const result = await runRecord(options, flags.out, store);
      for (const region of result.failedRegions) {
        const reasons = result.warnings.filter((w) => w.code === 'region-failed' && w.region === region);
        io.err(`lmi-advisor: record: region ${region} FAILED: ${reasons.map((w) => w.message).join('; ')}\n`);
      }
      if (!flags.quiet) {
        io.out(
          `wrote ${flags.out}: ${result.functions} functions, ${result.warnings.length} warnings` +
            (result.failedRegions.length > 0 ? `, INCOMPLETE (failed: ${result.failedRegions.join(', ')})` : '') +
            '\n',
        );
      }
      if (result.failedRegions.length > 0) context.exitCode = EXIT_INCOMPLETE;
    });
}
