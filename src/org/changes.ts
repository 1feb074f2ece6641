import * as z from 'zod';
import type { OrgChangeSummary, OrgReportModel } from './types.js';

/** Change since the previous org report: savings per account and in total. Pure. */

const previousOrgSchema = z.looseObject({
  schema: z.literal('lmi-advisor.org-report/v1'),
  run: z.looseObject({ generatedAt: z.string() }),
  accounts: z.array(z.looseObject({ accountId: z.string(), totals: z.looseObject({ savingsUsd: z.number() }).nullable() })),
});

export type PreviousOrgReport = z.infer<typeof previousOrgSchema>;

/** The previous org report.json, or a one-line problem (never thrown: it must not fail the run). */
export function parsePreviousOrgReport(text: string, where: string): { report: PreviousOrgReport } | { problem: string } {
  try {
    const parsed = previousOrgSchema.safeParse(JSON.parse(text));
    if (parsed.success) return { report: parsed.data };
    const issue = parsed.error.issues[0];
    return { problem: `${where}: ${issue?.path.join('.') || '(root)'}: ${issue?.message ?? 'invalid'}; change since last run not shown` };
  } catch (cause) {
    return { problem: `${where}: not JSON (${(cause as Error).message}); change since last run not shown` };
  }
}

export function diffOrgReports(previous: PreviousOrgReport, current: OrgReportModel): OrgChangeSummary {
  const before = new Map(previous.accounts.map((a) => [a.accountId, a.totals?.savingsUsd ?? null]));
  const now = new Map(current.accounts.map((a) => [a.accountId, a.totals?.savingsUsd ?? null]));
  const accounts: OrgChangeSummary['accounts'] = [];
  let delta = 0;
  for (const [id, savings] of now) {
    const old = before.get(id);
    // Only accounts known both times move the delta: an unknown side is not a change of 0.
    if (savings !== null && old !== undefined && old !== null) {
      accounts.push({ accountId: id, savingsDeltaUsd: savings - old });
      delta += savings - old;
    }
  }
  return {
    previousGeneratedAt: previous.run.generatedAt,
    savingsDeltaUsd: delta,
    newAccounts: [...now.keys()].filter((id) => !before.has(id)).sort(),
    removedAccounts: [...before.keys()].filter((id) => !now.has(id)).sort(),
    accounts: accounts.sort((a, b) => (a.accountId < b.accountId ? -1 : 1)),
  };
}
