import { describe, expect, it } from 'vitest';
import { diffOrgReports, parsePreviousOrgReport } from '../../src/org/changes.js';
import type { OrgReportModel } from '../../src/org/types.js';

/** Change since the previous org report: per account and in total; unknown is never 0. */

const totals = (savingsUsd: number) => ({ standardUsd: 0, freeTierCreditUsd: 0, recommendedUsd: 0, savingsUsd, groupUntaggedExtraSavingsUsd: null, counts: { migrate: 0, review: 0, stay: 0, 'insufficient-data': 0, ineligible: 0 }, unpricedFunctions: 0 });
const account = (accountId: string, savings: number | null) => ({ accountId, name: null, regions: [], failedRegions: [], complete: savings !== null, functions: 0, totals: savings === null ? null : totals(savings), capacityProviders: [] });

function org(generatedAt: string, accounts: ReturnType<typeof account>[]): OrgReportModel {
  return {
    schema: 'lmi-advisor.org-report/v1',
    run: { tool: 't', version: 't', generatedAt, command: 't', complete: true },
    window: null,
    assumptions: [],
    prices: null,
    totals: totals(0),
    accounts,
    topOpportunities: [],
    failures: [],
    skippedAccounts: [],
    warnings: [],
  };
}

describe('org changes', () => {
  it('diffs savings per account; new, gone and unknown accounts do not move the delta', () => {
    const before = org('2026-11-20T03:00:00Z', [account('111111111111', 100), account('222222222222', 50), account('333333333333', 10)]);
    const now = org('2026-11-21T03:00:00Z', [account('111111111111', 130), account('222222222222', null), account('444444444444', 70)]);
    const parsed = parsePreviousOrgReport(JSON.stringify(before), 'prev.json');
    if (!('report' in parsed)) throw new Error(parsed.problem);
    expect(diffOrgReports(parsed.report, now)).toEqual({
      previousGeneratedAt: '2026-11-20T03:00:00Z',
      savingsDeltaUsd: 30,
      newAccounts: ['444444444444'],
      removedAccounts: ['333333333333'],
      accounts: [{ accountId: '111111111111', savingsDeltaUsd: 30 }],
    });
  });

  it('names a previous report it cannot use (a single-account report, broken JSON)', () => {
    expect(parsePreviousOrgReport('{"schema":"lmi-advisor.report/v1"}', 'out/report.json')).toEqual({ problem: expect.stringMatching(/^out\/report.json: schema: /) });
    expect(parsePreviousOrgReport('{', 'x')).toEqual({ problem: expect.stringMatching(/^x: not JSON/) });
  });
});
