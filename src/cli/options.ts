import { type Command, Option } from 'commander';
import { UserInputError } from '../errors.js';
import type { AwsSourceOptions } from '../source/aws/index.js';
import type { Resolution } from '../source/aws/metrics-plan.js';
import type { AccountSelection } from '../org/run-org.js';
import { TOOL_NAME } from '../version.js';

/**
 * The one definition of the options `analyze`, `record` and `run` share: how each is declared
 * (help text, default, whether it is required), how its value is parsed (a UserInputError naming
 * the flag: exit 2), where it applies (an option given where it does not apply is exit 2, never
 * silently ignored), and whether it changes a figure (then it is part of the report's
 * `run.command`, so that command reproduces the report).
 *
 * A command declares its options with `addOptions(command, [...names])`, checks them with
 * `rejectInapplicable` and builds its reproduce line with `reproduceCommand`.
 *
 * Adding an option shared by several commands (e.g. a `--store <dir>`): one entry in
 * OPTION_SPECS (flags, help, default, modes, reproduce), its name in the commands' lists (or in
 * COLLECTION_OPTIONS for every live command), its parser here (a UserInputError naming the flag),
 * and, when it changes a figure, its value in the command's reproduce values. `--now` is parsed
 * by `parseNow` against the clock the entry point read once (`clockOf` in io.ts, injectable).
 */

// ---------------------------------------------------------------------------------------------
// Parsers
// ---------------------------------------------------------------------------------------------

/** How far `--now` may be ahead of the machine's clock (clocks of two machines disagree a little). */
export const CLOCK_SKEW_MS = 5 * 60_000;

const INSTANT = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(?::(\d{2})(\.\d+)?)?(Z|([+-])(\d{2}):(\d{2}))$/;

function daysInMonth(year: number, month: number): number {
  return new Date(Date.UTC(year, month, 0)).getUTCDate();
}

/**
 * A full date-time with an explicit zone that exists on the calendar (2026-02-30 is refused, not
 * read as March 2; hours 0-23, minutes and seconds 0-59, zone offsets up to ±23:59), so the same
 * flag means the same instant everywhere.
 */
export function parseInstant(value: string, flag = '--now'): Date {
  const bad = (why: string) => new UserInputError(`${flag}: "${value}" ${why}`);
  const m = INSTANT.exec(value);
  if (!m) throw bad('is not an ISO-8601 date-time with a zone (e.g. 2026-11-21T03:00:00Z)');
  const [year, month, day, hour, minute, second] = [m[1], m[2], m[3], m[4], m[5], m[6] ?? '0'].map(Number) as [number, number, number, number, number, number];
  if (month < 1 || month > 12) throw bad(`is not a calendar date (there is no month ${m[2]})`);
  const monthDays = daysInMonth(year, month);
  if (day < 1 || day > monthDays) throw bad(`is not a calendar date (${year}-${m[2]} has ${monthDays} days)`);
  if (hour > 23 || minute > 59 || second > 59) throw bad('is not a time of day (hours 00-23, minutes and seconds 00-59)');
  if (m[9] !== undefined && (Number(m[10]) > 23 || Number(m[11]) > 59)) throw bad('has an impossible zone offset');
  const date = new Date(value);
  if (Number.isNaN(date.getTime())) throw bad('is not an ISO-8601 date-time with a zone (e.g. 2026-11-21T03:00:00Z)');
  return date;
}

/**
 * `--now`: a calendar-valid instant no later than `clock` + CLOCK_SKEW_MS. A window that ends in
 * the future cannot have data; reading it would give zeros that look like known figures.
 */
export function parseNow(value: string, clock: Date, flag = '--now'): Date {
  const now = parseInstant(value, flag);
  if (now.getTime() > clock.getTime() + CLOCK_SKEW_MS) {
    throw new UserInputError(
      `${flag}: ${now.toISOString()} is in the future (this machine's clock says ${clock.toISOString()}; at most ${CLOCK_SKEW_MS / 60_000} minutes ahead are accepted)`,
    );
  }
  return now;
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
  const days = /^\d+$/.test(value.trim()) ? Number(value) : Number.NaN;
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

/** --store: a directory or s3://bucket/prefix (opened, and checked further, by src/store/open.ts). */
function checkStore(value: string): string {
  if (value.trim() === '') throw new UserInputError('--store: empty path; give a directory or s3://bucket/prefix');
  return value;
}

/** A name glob for --include / --exclude: not empty. */
function checkGlobs(values: string[] | undefined, flag: string): string[] | undefined {
  if (!values) return undefined;
  for (const v of values) if (v.trim() === '') throw new UserInputError(`${flag}: empty pattern`);
  return values;
}

/** Commander collector for repeatable options. */
export const collect = (value: string, previous: string[] = []): string[] => [...previous, value];

// ---------------------------------------------------------------------------------------------
// Definitions
// ---------------------------------------------------------------------------------------------

/**
 * Where an option applies. `live`: the commands that collect from AWS (`record`, `run`,
 * `analyze --live`); `snapshot`: `analyze --snapshot`.
 */
export type Mode = 'live' | 'snapshot';

export interface OptionSpec {
  flags: string;
  /** commander's attribute name (`--exclude-tag` -> excludeTag, `--no-live-prices` -> livePrices). */
  attribute: string;
  description: string;
  /** Shown in --help as `(default: 14)`, unquoted. */
  defaultValue?: string | boolean;
  repeatable?: boolean;
  /** Modes the option applies to; given in another, it is exit 2. */
  modes: readonly Mode[];
  /** Changes a figure of the report: recorded in `run.command` (the reproduce line). */
  reproduce: boolean;
}

/** Every shared option, by name (the long flag without dashes). */
export const OPTION_SPECS = {
  regions: {
    flags: '--regions <list>',
    attribute: 'regions',
    description: 'comma-separated regions, e.g. us-east-1,eu-west-1',
    modes: ['live'],
    reproduce: true,
  },
  days: {
    flags: '--days <n>',
    attribute: 'days',
    description: 'whole days of metrics before --now (1-455)',
    defaultValue: '14',
    modes: ['live'],
    reproduce: true,
  },
  now: {
    flags: '--now <iso>',
    attribute: 'now',
    description:
      'end of the window and the time stamped on the output: an ISO-8601 date-time with a zone, at most 5 minutes after this machine\'s clock (default: now)',
    modes: ['live', 'snapshot'],
    reproduce: true,
  },
  profile: {
    flags: '--profile <name>',
    attribute: 'profile',
    description: 'AWS shared-config profile (default: the default credential chain)',
    modes: ['live'],
    reproduce: true,
  },
  include: {
    flags: '--include <glob>',
    attribute: 'include',
    description: 'only functions whose name matches (repeatable; * and ?)',
    repeatable: true,
    modes: ['live'],
    reproduce: true,
  },
  exclude: {
    flags: '--exclude <glob>',
    attribute: 'exclude',
    description: 'skip functions whose name matches (repeatable)',
    repeatable: true,
    modes: ['live'],
    reproduce: true,
  },
  tag: {
    flags: '--tag <key=value>',
    attribute: 'tag',
    description: 'only functions with this tag (repeatable; all must match)',
    repeatable: true,
    modes: ['live'],
    reproduce: true,
  },
  'exclude-tag': {
    flags: '--exclude-tag <key=value>',
    attribute: 'excludeTag',
    description: 'skip functions with this tag (repeatable)',
    repeatable: true,
    modes: ['live'],
    reproduce: true,
  },
  resolution: {
    flags: '--resolution <s>',
    attribute: 'resolution',
    description: 'metric period in seconds: auto (the finest CloudWatch keeps for the window), 60, 300 or 3600',
    defaultValue: 'auto',
    modes: ['live'],
    reproduce: true,
  },
  'optional-metrics': {
    flags: '--optional-metrics',
    attribute: 'optionalMetrics',
    description: 'also fetch Duration Maximum, Errors and Throttles (2x the queries)',
    modes: ['live'],
    reproduce: true,
  },
  'no-live-prices': {
    flags: '--no-live-prices',
    attribute: 'livePrices',
    description: 'do not call the Price List API; use the bundled prices (us-east-1 only; the report says so)',
    modes: ['live'],
    reproduce: true,
  },
  store: {
    flags: '--store <dir|s3://bucket/prefix>',
    attribute: 'store',
    description:
      'metric store: read from CloudWatch only the days it lacks, keep them, and assemble the window from it (docs/store-format.md)',
    modes: ['live'],
    reproduce: true,
  },
  config: {
    flags: '--config <file>',
    attribute: 'config',
    description:
      'assumptions file (.json, .yaml or .yml; every knob: README "Configuration", example: examples/config.yaml); unset knobs keep their defaults',
    modes: ['live', 'snapshot'],
    reproduce: true,
  },
  format: {
    flags: '--format <list>',
    attribute: 'format',
    description: 'comma-separated output formats (default: every registered one)',
    modes: ['live', 'snapshot'],
    reproduce: false,
  },
  reconcile: {
    flags: '--reconcile',
    attribute: 'reconcile',
    description:
      'compare the modelled standard cost with the bill (Cost Explorer: ce:GetCostAndUsage, ce:GetCostAndUsageWithResources; $0.01 per request) and add a Reconciliation section',
    modes: ['live', 'snapshot'],
    reproduce: true,
  },
  // Organization runs (src/org/): any of these but --role-name / --concurrency makes the live
  // run read accounts x regions as shards and merge them into one organization report.
  accounts: {
    flags: '--accounts <ids>',
    attribute: 'accounts',
    description: 'comma-separated account ids, each read through --role-name (the current account with the current credentials)',
    modes: ['live'],
    reproduce: true,
  },
  org: {
    flags: '--org',
    attribute: 'org',
    description: 'every ACTIVE account of the organization (Organizations ListAccounts: management or delegated-admin account)',
    modes: ['live'],
    reproduce: true,
  },
  ou: {
    flags: '--ou <id>',
    attribute: 'ou',
    description: 'with --org: only accounts directly in this OU or root (repeatable)',
    repeatable: true,
    modes: ['live'],
    reproduce: true,
  },
  'exclude-accounts': {
    flags: '--exclude-accounts <ids>',
    attribute: 'excludeAccounts',
    description: 'comma-separated account ids to leave out',
    modes: ['live'],
    reproduce: true,
  },
  'role-name': {
    flags: '--role-name <name>',
    attribute: 'roleName',
    description: 'with account options: role assumed in each member account (deploy/member-role.yaml)',
    defaultValue: 'lmi-advisor-reader',
    modes: ['live'],
    reproduce: true,
  },
  'external-id': {
    flags: '--external-id <id>',
    attribute: 'externalId',
    description: 'ExternalId for AssumeRole, if the member role requires one',
    modes: ['live'],
    // An access check, not a figure: kept out of the published run.command (give it again to reproduce).
    reproduce: false,
  },
  concurrency: {
    flags: '--concurrency <n>',
    attribute: 'concurrency',
    description: 'with account options: account-region shards run side by side (1-256)',
    defaultValue: '4',
    modes: ['live'],
    reproduce: false,
  },
  quiet: {
    flags: '--quiet',
    attribute: 'quiet',
    description: 'print nothing on success (errors still go to stderr)',
    modes: ['live', 'snapshot'],
    reproduce: false,
  },
} as const satisfies Record<string, OptionSpec>;

export type OptionName = keyof typeof OPTION_SPECS;

/** The live collection's options, in help order (record, run and analyze --live). */
export const COLLECTION_OPTIONS: readonly OptionName[] = [
  'days',
  'now',
  'profile',
  'include',
  'exclude',
  'tag',
  'exclude-tag',
  'resolution',
  'optional-metrics',
  'no-live-prices',
  'store',
];

/** The options choosing the accounts of an organization run (run and analyze --live). */
export const ACCOUNT_OPTIONS: readonly OptionName[] = ['accounts', 'org', 'ou', 'exclude-accounts', 'role-name', 'external-id', 'concurrency'];

/**
 * A commander Option whose default shows unquoted and whose required-ness shows in --help
 * (commander prints string defaults as `(default: "14")` and marks nothing as required).
 */
export function helpOption(flags: string, description: string, settings: { defaultValue?: string | boolean; required?: boolean | string } = {}): Option {
  const required = settings.required === true ? ' (required)' : typeof settings.required === 'string' ? ` (required ${settings.required})` : '';
  const option = new Option(flags, `${description}${required}`);
  if (settings.defaultValue !== undefined) option.default(settings.defaultValue, String(settings.defaultValue));
  if (settings.required === true) option.makeOptionMandatory();
  return option;
}

export interface AddOptionsSettings {
  /** Prefix of each help line, e.g. "with --live: ". */
  note?: string;
  /** Options that must be given (`true`) or are required in a case (a string: "with --live"). */
  required?: Partial<Record<OptionName, true | string>>;
  /** Help text replacing the shared one. */
  describe?: Partial<Record<OptionName, string>>;
}

/** Declares the named shared options on `command`, in the order given. */
export function addOptions(command: Command, names: readonly OptionName[], settings: AddOptionsSettings = {}): Command {
  for (const name of names) {
    const spec: OptionSpec = OPTION_SPECS[name];
    const live = spec.modes.length === 1 && spec.modes[0] === 'live';
    const note = live ? (settings.note ?? '') : '';
    const required = settings.required?.[name];
    const option = helpOption(spec.flags, `${note}${settings.describe?.[name] ?? spec.description}`, {
      ...(spec.defaultValue !== undefined ? { defaultValue: spec.defaultValue } : {}),
      ...(required !== undefined ? { required } : {}),
    });
    if (spec.repeatable) option.argParser(collect);
    command.addOption(option);
  }
  return command;
}

/** True when the user gave the option (not its default). */
export function given(command: Command, name: OptionName): boolean {
  const source = command.getOptionValueSource(OPTION_SPECS[name].attribute);
  return source !== undefined && source !== 'default';
}

/**
 * Exit 2 for a shared option given where it does not apply (e.g. `--include` with `analyze
 * --snapshot`, which reads the functions recorded in the snapshot): never silently ignored.
 */
export function rejectInapplicable(command: Command, names: readonly OptionName[], mode: Mode, why: string): void {
  for (const name of names) {
    const spec: OptionSpec = OPTION_SPECS[name];
    if (!spec.modes.includes(mode) && given(command, name)) {
      throw new UserInputError(`${spec.flags.split(' ')[0]} does not apply ${why}`);
    }
  }
}

// ---------------------------------------------------------------------------------------------
// Collection settings
// ---------------------------------------------------------------------------------------------

/** Flags of the live collection shared by `record`, `run` and `analyze --live`. */
export interface CollectionFlags {
  days: string;
  now?: string;
  profile?: string;
  include?: string[];
  exclude?: string[];
  tag?: string[];
  excludeTag?: string[];
  resolution: string;
  optionalMetrics?: boolean;
  livePrices: boolean;
  store?: string;
}

/** The parsed collection: what the live source needs, with `now` resolved against the clock. */
export interface Collection {
  regions: string[];
  days: number;
  /** End of the window: --now, else the clock. */
  now: Date;
  /** The real time, read once by the entry point. */
  clock: Date;
  /** --store as given (opened by the command: a local dir or s3://bucket/prefix). */
  store?: string;
  settings: Omit<AwsSourceOptions, 'regions' | 'days' | 'now' | 'clock'>;
}

/** Parses every collection flag (each error names its flag) against the injected clock. */
export function parseCollection(flags: CollectionFlags & { regions: string }, clock: Date): Collection {
  const includeTags = parseTags(flags.tag, '--tag');
  const excludeTags = parseTags(flags.excludeTag, '--exclude-tag');
  const include = checkGlobs(flags.include, '--include');
  const exclude = checkGlobs(flags.exclude, '--exclude');
  return {
    regions: parseRegions(flags.regions),
    days: parseDays(flags.days),
    now: flags.now === undefined ? clock : parseNow(flags.now, clock),
    clock,
    ...(flags.store !== undefined ? { store: checkStore(flags.store) } : {}),
    settings: {
      resolution: parseResolution(flags.resolution),
      optionalMetrics: flags.optionalMetrics === true,
      livePrices: flags.livePrices,
      ...(flags.profile ? { profile: flags.profile } : {}),
      ...(include ? { include } : {}),
      ...(exclude ? { exclude } : {}),
      ...(includeTags ? { includeTags } : {}),
      ...(excludeTags ? { excludeTags } : {}),
    },
  };
}

// ---------------------------------------------------------------------------------------------
// Reproduce line
// ---------------------------------------------------------------------------------------------

/** Quotes a value for a POSIX shell when it holds anything but safe characters. */
export function shellQuote(value: string): string {
  return /^[\w@%+=:,./-]+$/.test(value) ? value : `'${value.replaceAll("'", `'\\''`)}'`;
}

/**
 * The command line that reproduces a report: the command, then every option that changes a
 * figure with its resolved value (`--now` as the instant used; `--resolution` as the period the
 * window got, since `auto` may pick another one on a later day). Options that only choose where
 * or how the report goes (`--out`, `--format`, `--publish`, `--quiet`) are left out.
 *
 * @example
 * reproduceCommand(['run'], [['regions', 'us-east-1'], ['resolution', '300'], ['include', ['api-*']]])
 * // => "lmi-advisor run --regions us-east-1 --resolution 300 --include 'api-*'"
 */
export function reproduceCommand(words: readonly string[], values: readonly [OptionName | 'snapshot' | 'live', string | boolean | readonly string[] | undefined][]): string {
  const parts: string[] = [TOOL_NAME, ...words];
  for (const [name, value] of values) {
    if (value === undefined || value === false) continue;
    const flag = name === 'snapshot' || name === 'live' ? `--${name}` : OPTION_SPECS[name].flags.split(' ')[0]!;
    if (value === true) parts.push(flag);
    else for (const v of typeof value === 'string' ? [value] : value) parts.push(flag, shellQuote(v));
  }
  return parts.join(' ');
}

/** The reproduce values of a parsed collection (every figure-changing live option). */
export function collectionReproduceValues(
  collection: Collection,
  periodSeconds: number,
  configPath: string | undefined,
  more: { reconcile?: boolean; accounts?: AccountSelection } = {},
): [OptionName, string | boolean | readonly string[] | undefined][] {
  const s = collection.settings;
  const tags = (t: Record<string, string> | undefined) => (t ? Object.entries(t).map(([k, v]) => `${k}=${v}`) : undefined);
  return [
    ['regions', collection.regions.join(',')],
    ['days', String(collection.days)],
    ['now', collection.now.toISOString()],
    ['resolution', String(periodSeconds)],
    ['profile', s.profile],
    ['include', s.include],
    ['exclude', s.exclude],
    ['tag', tags(s.includeTags)],
    ['exclude-tag', tags(s.excludeTags)],
    ['optional-metrics', s.optionalMetrics === true],
    ['no-live-prices', s.livePrices === false],
    ['store', collection.store],
    ['config', configPath],
    ['reconcile', more.reconcile === true],
    ...accountReproduceValues(more.accounts),
  ];
}

/** The accounts an organization run read (parsed ids; the role name even when defaulted). */
function accountReproduceValues(selection: AccountSelection | undefined): [OptionName, string | boolean | readonly string[] | undefined][] {
  if (!selection) return [];
  return [
    ['accounts', selection.accounts?.join(',')],
    ['org', selection.org === true],
    ['ou', selection.ous],
    ['exclude-accounts', selection.exclude?.join(',')],
    ['role-name', selection.roleName],
  ];
}

// ---------------------------------------------------------------------------------------------
// Organization runs
// ---------------------------------------------------------------------------------------------

/** Flags choosing the accounts of an organization run (`run`, `analyze --live`). */
export interface AccountFlags {
  accounts?: string;
  org?: boolean;
  ou?: string[];
  excludeAccounts?: string;
  roleName: string;
  externalId?: string;
  concurrency: string;
}

/** true when any account flag (other than the defaulted --role-name and --concurrency) is given: an organization run. */
export function wantsAccounts(flags: Partial<AccountFlags>): boolean {
  return flags.accounts !== undefined || flags.org === true || (flags.ou?.length ?? 0) > 0 || flags.excludeAccounts !== undefined || flags.externalId !== undefined;
}

/**
 * Exit 2 for --role-name or --concurrency given without an account option (they only steer an
 * organization run; a single-account run would ignore them).
 */
export function rejectAccountTuningAlone(command: Command, flags: Partial<AccountFlags>): void {
  if (wantsAccounts(flags)) return;
  for (const name of ['role-name', 'concurrency'] as const) {
    if (given(command, name)) throw new UserInputError(`${OPTION_SPECS[name].flags.split(' ')[0]} applies only with --accounts, --org or --exclude-accounts`);
  }
}

export function parseConcurrency(value: string): number {
  const n = /^\d+$/.test(value.trim()) ? Number(value) : Number.NaN;
  if (!Number.isInteger(n) || n < 1 || n > 256) throw new UserInputError(`--concurrency: expected a whole number from 1 to 256, got "${value}"`);
  return n;
}
