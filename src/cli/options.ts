import type { Command } from 'commander';
import { UserInputError } from '../errors.js';
import type { AwsSourceOptions } from '../source/aws/index.js';
import type { Resolution } from '../source/aws/metrics-plan.js';

/**
 * Option parsers shared by the commands: each returns the parsed value or throws a
 * UserInputError naming the flag (exit 2).
 */

/** A full date-time with an explicit zone, so the same flag means the same instant everywhere. */
export function parseInstant(value: string, flag = '--now'): Date {
  if (!/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})$/.test(value) || Number.isNaN(Date.parse(value))) {
    throw new UserInputError(`${flag}: "${value}" is not an ISO-8601 date-time with a zone (e.g. 2026-11-21T03:00:00Z)`);
  }
  return new Date(value);
}

export function parseRegions(value: string): string[] {
  const regions = [...new Set(value.split(',').map((r) => r.trim()).filter((r) => r !== ''))];
  if (regions.length === 0) throw new UserInputError('--regions: no region given');
  for (const region of regions) {
    if (!/^[a-z]{2}(-[a-z]+)+-\d$/.test(region)) {
      throw new UserInputError(`--regions: "${region}" is not a region code like us-east-1`);
    }
  }
  return regions;
}

/** CloudWatch keeps hourly data 455 days: no longer window can be read. */
export function parseDays(value: string): number {
  const days = Number(value);
  if (!Number.isInteger(days) || days < 1 || days > 455) {
    throw new UserInputError(`--days: expected a whole number from 1 to 455, got "${value}"`);
  }
  return days;
}

export function parseTags(values: string[] | undefined, flag: string): Record<string, string> | undefined {
  if (!values || values.length === 0) return undefined;
  const tags: Record<string, string> = {};
  for (const value of values) {
    const eq = value.indexOf('=');
    if (eq <= 0) throw new UserInputError(`${flag}: expected key=value, got "${value}"`);
    tags[value.slice(0, eq)] = value.slice(eq + 1);
  }
  return tags;
}

export function parseResolution(value: string): Resolution {
  if (value === 'auto') return 'auto';
  if (value === '60' || value === '300' || value === '3600') return Number(value) as 60 | 300 | 3600;
  throw new UserInputError(`--resolution: expected auto, 60, 300 or 3600, got "${value}"`);
}

/** Commander collector for repeatable options. */
export const collect = (value: string, previous: string[] = []): string[] => [...previous, value];

/** Flags of the live collection shared by `record` and `analyze --live`. */
export interface CollectionFlags {
  days: string;
  profile?: string;
  include?: string[];
  exclude?: string[];
  tag?: string[];
  excludeTag?: string[];
  resolution: string;
  optionalMetrics?: boolean;
  livePrices: boolean;
}

/** Adds the collection flags; `note` prefixes each help line (e.g. "with --live: "). */
export function addCollectionOptions(command: Command, note = ''): Command {
  return command
    .option('--days <n>', `${note}whole days of metrics before now`, '14')
    .option('--profile <name>', `${note}AWS shared-config profile (default: the default credential chain)`)
    .option('--include <glob>', `${note}only functions whose name matches (repeatable; * and ?)`, collect)
    .option('--exclude <glob>', `${note}skip functions whose name matches (repeatable)`, collect)
    .option('--tag <key=value>', `${note}only functions with this tag (repeatable; all must match)`, collect)
    .option('--exclude-tag <key=value>', `${note}skip functions with this tag (repeatable)`, collect)
    .option('--resolution <s>', `${note}metric period: auto (finest CloudWatch keeps), 60, 300 or 3600`, 'auto')
    .option('--optional-metrics', `${note}also fetch Duration Maximum, Errors and Throttles (2x the queries)`)
    .option('--no-live-prices', `${note}do not call the Price List API; use the bundled prices (the report says so)`);
}

/** The source options the collection flags give (everything but regions, days and now). */
export function collectionSettings(flags: CollectionFlags): Omit<AwsSourceOptions, 'regions' | 'days' | 'now'> {
  const includeTags = parseTags(flags.tag, '--tag');
  const excludeTags = parseTags(flags.excludeTag, '--exclude-tag');
  return {
    resolution: parseResolution(flags.resolution),
    optionalMetrics: flags.optionalMetrics === true,
    livePrices: flags.livePrices,
    ...(flags.profile ? { profile: flags.profile } : {}),
    ...(flags.include ? { include: flags.include } : {}),
    ...(flags.exclude ? { exclude: flags.exclude } : {}),
    ...(includeTags ? { includeTags } : {}),
    ...(excludeTags ? { excludeTags } : {}),
  };
}

/** Flags choosing the accounts of an organization run (`run`, `analyze --live`, `record`). */
export interface AccountFlags {
  accounts?: string;
  org?: boolean;
  ou?: string[];
  excludeAccounts?: string;
  roleName: string;
  externalId?: string;
  concurrency: string;
}

/** Adds the account flags (src/org/); without them a run reads the current account only. */
export function addAccountOptions(command: Command, note = ''): Command {
  return command
    .option('--accounts <ids>', `${note}comma-separated account ids, each read through --role-name (the current account with the current credentials)`)
    .option('--org', `${note}every ACTIVE account of the organization (Organizations ListAccounts: management or delegated-admin account)`)
    .option('--ou <id>', `${note}with --org: only accounts directly in this OU or root (repeatable)`, collect)
    .option('--exclude-accounts <ids>', `${note}comma-separated account ids to leave out`)
    .option('--role-name <name>', `${note}role assumed in each member account (deploy/member-role.yaml)`, 'lmi-advisor-reader')
    .option('--external-id <id>', `${note}ExternalId for AssumeRole, if the member role requires one`)
    .option('--concurrency <n>', `${note}account-region shards run side by side`, '4');
}

/** true when any account flag (other than the defaulted --role-name) is given: an organization run. */
export function wantsAccounts(flags: Partial<AccountFlags>): boolean {
  return flags.accounts !== undefined || flags.org === true || (flags.ou?.length ?? 0) > 0 || flags.excludeAccounts !== undefined || flags.externalId !== undefined;
}

export function parseConcurrency(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1 || n > 256) throw new UserInputError(`--concurrency: expected a whole number from 1 to 256, got "${value}"`);
  return n;
}
