import { OrganizationsClient } from '@aws-sdk/client-organizations';
import { STSClient } from '@aws-sdk/client-sts';
import { randomUUID } from 'node:crypto';
import { mkdtemp, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Config } from '../config/schema.js';
import type { AwsSourceSettings } from '../pipeline/run.js';
import type { ReportFile } from '../publish/dir.js';
import type { RunInfo } from '../report/types.js';
import { TOOL_NAME, VERSION } from '../version.js';
import { diffOrgReports, parsePreviousOrgReport, type PreviousOrgReport } from './changes.js';
import type { BaseClientConfig } from './credentials.js';
import { fanOut, type FanOutOptions } from './fan-out.js';
import type { MergeOutput } from './merge.js';
import { mergeToSpool } from './merge-run.js';
import { currentAccountId, listOrganizationAccounts } from './org-accounts.js';
import { planShards } from './plan.js';
import { orgFiles } from './render.js';
import { RENDERERS } from '../render/index.js';
import type { ShardStore } from './shard-store.js';
import type { AccountRef, OrgPlan, OrgReportModel } from './types.js';

/**
 * plan -> shards -> merge in one process (the laptop's `run` / `analyze --live` with account
 * options). The same steps run on Step Functions with the shard store on S3 (src/org/handlers.ts).
 */

export interface AccountSelection {
  /** --accounts */
  accounts?: string[];
  /** --org (with --ou to narrow it) */
  org?: boolean;
  ous?: string[];
  exclude?: string[];
  roleName: string;
  externalId?: string;
}

export interface PlanOrgOptions {
  selection: AccountSelection;
  regions: string[];
  runId: string;
  base?: BaseClientConfig;
  /** Injected for tests; default clients use `base`. */
  sts?: STSClient;
  organizations?: OrganizationsClient;
}

function clientConfig(base: BaseClientConfig = {}) {
  return {
    region: 'us-east-1',
    ...(base.endpoint ? { endpoint: base.endpoint } : {}),
    ...(base.credentials ? { credentials: base.credentials } : {}),
    ...(base.profile ? { profile: base.profile } : {}),
    ...(base.maxAttempts ? { maxAttempts: base.maxAttempts } : {}),
  };
}

/** The plan step: which accounts (given, or listed from Organizations) x which regions. */
export async function planOrgRun(opts: PlanOrgOptions): Promise<OrgPlan> {
  const sts = opts.sts ?? new STSClient(clientConfig(opts.base));
  const current = await currentAccountId(sts);
  const sel = opts.selection;
  let accounts: AccountRef[];
  let skipped: OrgPlan['skipped'] = [];
  let problems: OrgPlan['problems'] = [];
  if (sel.org) {
    const organizations = opts.organizations ?? new OrganizationsClient(clientConfig(opts.base));
    const listed = await listOrganizationAccounts(organizations, {
      ...(sel.ous ? { ous: sel.ous } : {}),
      ...(sel.exclude ? { exclude: sel.exclude } : {}),
      callerAccountId: current,
    });
    accounts = listed.accounts;
    skipped = listed.skipped;
    problems = listed.problems;
  } else {
    const exclude = new Set(sel.exclude ?? []);
    accounts = (sel.accounts ?? [current]).filter((id) => !exclude.has(id)).map((accountId) => ({ accountId, name: null }));
  }
  return planShards({ runId: opts.runId, accounts, regions: opts.regions, currentAccountId: current, roleName: sel.roleName, skipped, problems });
}

/** Time-stamped and unique: a re-run for the same --now never reads another run's shards. */
export function newRunId(now: Date): string {
  return `${now.toISOString().replace(/[:.]/g, '-')}-${randomUUID().slice(0, 8)}`;
}

export interface OrgRunOptions {
  runId?: string;
  selection: AccountSelection;
  regions: string[];
  days: number;
  now: Date;
  config: Config;
  configPath?: string;
  concurrency: number;
  settings?: AwsSourceSettings;
  base?: BaseClientConfig;
  store: ShardStore;
  /** Formats (keys of RENDERERS). */
  formats?: readonly string[];
  command: string;
  /** Text of the previous org report.json (change since last run), with where it came from. */
  previous?: { text: string; where: string } | null;
  onProgress?: (line: string) => void;
  sts?: STSClient;
  organizations?: OrganizationsClient;
  shard?: FanOutOptions['shard'];
  /** Where the per-account files are rendered to (default: a new directory under the OS tmpdir). */
  spoolDir?: string;
}

export interface OrgRunResult {
  org: OrgReportModel;
  plan: OrgPlan;
  /** The previous org report the changes were computed from (null: none or unreadable). */
  previous: PreviousOrgReport | null;
  /** The org files, then every account's (read from the spool directory when written). */
  files: ReportFile[];
}

export async function runOrg(opts: OrgRunOptions): Promise<OrgRunResult> {
  const say = opts.onProgress ?? (() => {});
  const runId = opts.runId ?? newRunId(opts.now);
  const plan = await planOrgRun({
    selection: opts.selection,
    regions: opts.regions,
    runId,
    ...(opts.base ? { base: opts.base } : {}),
    ...(opts.sts ? { sts: opts.sts } : {}),
    ...(opts.organizations ? { organizations: opts.organizations } : {}),
  });
  for (const p of plan.problems) say(`plan: ${p.message}`);
  for (const s of plan.skipped) say(`plan: skipped ${s.accountId}${s.name ? ` (${s.name})` : ''}: ${s.state}`);
  say(`plan: ${plan.accounts.length} accounts x ${plan.regions.length} regions = ${plan.items.length} shards, ${opts.concurrency} at a time`);
  await opts.store.putPlan(plan);
  const { failures } = await fanOut({
    plan,
    concurrency: opts.concurrency,
    ctx: {
      days: opts.days,
      now: opts.now,
      config: opts.config,
      ...(opts.configPath !== undefined ? { configPath: opts.configPath } : {}),
      ...(opts.selection.externalId ? { externalId: opts.selection.externalId } : {}),
      ...(opts.settings ? { settings: opts.settings } : {}),
      ...(opts.base ? { base: opts.base } : {}),
    },
    onProgress: say,
    onResult: async (result) => {
      await opts.store.putResult(result);
    },
    ...(opts.shard ? { shard: opts.shard } : {}),
  });
  // The merge reads the results back from the store, one account at a time, as the merge Lambda does.
  const run: Omit<RunInfo, 'complete'> = {
    tool: TOOL_NAME,
    version: VERSION,
    generatedAt: opts.now.toISOString(),
    command: opts.command,
    ...(opts.configPath !== undefined ? { config: opts.configPath } : {}),
  };
  const formats = opts.formats ?? Object.keys(RENDERERS);
  const spoolDir = opts.spoolDir ?? (await mkdtemp(join(tmpdir(), 'lmi-org-')));
  const merged = await mergeToSpool({ store: opts.store, plan, failures, run, formats, spoolDir });
  const previous = attachOrgChanges(merged, opts.previous ?? null);
  return { org: merged.org, plan, previous, files: [...orgFiles(merged.org, formats), ...merged.accountFiles] };
}

/** Change since the previous org report; a problem with it is a warning, never a failure. */
export function attachOrgChanges(merged: Pick<MergeOutput, 'org'>, previous: { text: string; where: string } | null): PreviousOrgReport | null {
  if (!previous) return null;
  const parsed = parsePreviousOrgReport(previous.text, previous.where);
  if ('problem' in parsed) {
    merged.org.warnings.push({ code: 'previous-report-unreadable', message: parsed.problem });
    return null;
  }
  merged.org.changes = diffOrgReports(parsed.report, merged.org);
  return parsed.report;
}

/** <dir>/report.json if there is one (first run: null). */
export async function readPreviousFromDir(dir: string): Promise<{ text: string; where: string } | null> {
  const where = join(dir, 'report.json');
  try {
    return { text: await readFile(where, 'utf8'), where };
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw error;
  }
}
