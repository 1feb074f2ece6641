import * as z from 'zod';
import type { ChangeSummary, Recommendation, ReportModel } from './types.js';
import { RECOMMENDATIONS } from './types.js';

/**
 * Change since the previous run (nightly job): which functions appeared or vanished, whose
 * recommendation moved, and how the account's savings moved. Pure: both reports are arguments.
 * Functions are identified as `region/name`, since one name may exist in several regions.
 */

/** The part of a previous report.json the diff reads; the rest may come from any later v1. */
const previousReportSchema = z.object({
  schema: z.literal('lmi-advisor.report/v1'),
  accountId: z.string(),
  run: z.looseObject({ generatedAt: z.string(), complete: z.boolean() }),
  totals: z.looseObject({ savingsUsd: z.number() }),
  functions: z.array(
    z.looseObject({
      region: z.string(),
      name: z.string(),
      recommendation: z.enum(RECOMMENDATIONS as [Recommendation, ...Recommendation[]]),
    }),
  ),
});

export type PreviousReport = z.infer<typeof previousReportSchema>;

/** What a previous report could not be used for, for a report warning (never thrown). */
export interface PreviousReportProblem {
  code: 'previous-report-unreadable' | 'previous-report-other-account';
  message: string;
}

/**
 * Parses the previous `latest/report.json`. A broken or foreign previous report must not fail
 * tonight's run, so problems come back as a value for the caller to turn into a warning.
 */
export function parsePreviousReport(
  text: string,
  where: string,
): { report: PreviousReport } | { problem: PreviousReportProblem } {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (cause) {
    return { problem: { code: 'previous-report-unreadable', message: `${where}: not JSON (${(cause as Error).message}); change since last run not shown` } };
  }
  return checkPreviousReport(raw, where);
}

/** The schema check of parsePreviousReport, for a report already parsed from JSON. */
export function checkPreviousReport(raw: unknown, where: string): { report: PreviousReport } | { problem: PreviousReportProblem } {
  const parsed = previousReportSchema.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const path = issue ? issue.path.join('.') || '(root)' : '(root)';
    return {
      problem: {
        code: 'previous-report-unreadable',
        message: `${where}: ${path}: ${issue?.message ?? 'invalid'}; change since last run not shown`,
      },
    };
  }
  return { report: parsed.data };
}

/**
 * The part of `model` a later diff needs (what parsePreviousReport reads back), e.g. to remember
 * the report a digest channel last received.
 */
export function baselineOf(model: Pick<ReportModel, 'schema' | 'accountId' | 'run' | 'totals' | 'functions'>): PreviousReport {
  return {
    schema: model.schema,
    accountId: model.accountId,
    run: { generatedAt: model.run.generatedAt, complete: model.run.complete },
    totals: { savingsUsd: model.totals.savingsUsd },
    functions: model.functions.map((f) => ({ region: f.region, name: f.name, recommendation: f.recommendation })),
  };
}

export function functionKey(f: { region: string; name: string }): string {
  return `${f.region}/${f.name}`;
}

/**
 * Diff of `current` against `previous`. Returns a problem instead when the previous report is
 * of another account (a bucket shared by mistake would otherwise show every function as new).
 */
export function diffReports(
  previous: PreviousReport,
  current: Pick<ReportModel, 'accountId' | 'functions' | 'totals'>,
): { changes: ChangeSummary } | { problem: PreviousReportProblem } {
  if (previous.accountId !== current.accountId) {
    return {
      problem: {
        code: 'previous-report-other-account',
        message: `previous report is of account ${previous.accountId}, this run is ${current.accountId}; change since last run not shown`,
      },
    };
  }
  const before = new Map(previous.functions.map((f) => [functionKey(f), f.recommendation]));
  const after = new Map(current.functions.map((f) => [functionKey(f), f.recommendation]));
  const newFunctions: string[] = [];
  const changedRecommendations: ChangeSummary['changedRecommendations'] = [];
  for (const [key, to] of after) {
    const from = before.get(key);
    if (from === undefined) newFunctions.push(key);
    else if (from !== to) changedRecommendations.push({ function: key, from, to });
  }
  const removedFunctions = [...before.keys()].filter((key) => !after.has(key));
  return {
    changes: {
      previousGeneratedAt: previous.run.generatedAt,
      newFunctions: newFunctions.sort(),
      removedFunctions: removedFunctions.sort(),
      changedRecommendations: changedRecommendations.sort((a, b) => a.function.localeCompare(b.function)),
      savingsDeltaUsd: current.totals.savingsUsd - previous.totals.savingsUsd,
    },
  };
}

/** True when nothing moved (digests then say "no change" instead of empty lists). */
export function isUnchanged(c: ChangeSummary): boolean {
  return (
    c.newFunctions.length === 0 &&
    c.removedFunctions.length === 0 &&
    c.changedRecommendations.length === 0 &&
    Math.abs(c.savingsDeltaUsd) < 0.005
  );
}
