import { describe, expect, it } from 'vitest';
import { diffReports, isUnchanged, parsePreviousReport } from '../../src/report/changes.js';
import { fn, model } from '../publish/report-fixture.js';

function previousOf(m: ReturnType<typeof model>) {
  const parsed = parsePreviousReport(JSON.stringify(m), 'prev.json');
  if (!('report' in parsed)) throw new Error(parsed.problem.message);
  return parsed.report;
}

describe('diffReports', () => {
  it('lists new, removed and changed functions and the savings delta', () => {
    // Prepare
    const before = model([fn('a', 'stay', -5), fn('b', 'migrate', 100), fn('gone', 'stay', null)], {
      totals: { ...model([]).totals, savingsUsd: 100 },
      run: { ...model([]).run, generatedAt: '2026-11-20T03:00:00.000Z' },
    });
    const after = model([fn('a', 'migrate', 40), fn('b', 'migrate', 90), fn('new-one', 'review', 10), fn('a', 'stay', 1, 'eu-west-1')], {
      totals: { ...model([]).totals, savingsUsd: 137.5 },
    });
    // Act
    const out = diffReports(previousOf(before), after);
    // Assess
    expect('changes' in out).toBe(true);
    if (!('changes' in out)) return;
    expect(out.changes).toEqual({
      previousGeneratedAt: '2026-11-20T03:00:00.000Z',
      newFunctions: ['eu-west-1/a', 'us-east-1/new-one'],
      removedFunctions: ['us-east-1/gone'],
      changedRecommendations: [{ function: 'us-east-1/a', from: 'stay', to: 'migrate' }],
      savingsDeltaUsd: 37.5,
    });
    expect(isUnchanged(out.changes)).toBe(false);
  });

  it('says unchanged when the same report is compared with itself', () => {
    const m = model([fn('a', 'stay', 1)]);
    const out = diffReports(previousOf(m), m);
    expect('changes' in out && isUnchanged(out.changes)).toBe(true);
  });

  it('refuses a previous report of another account instead of showing everything as new', () => {
    const before = model([fn('a', 'stay', 1)], { accountId: '999999999999' });
    const out = diffReports(previousOf(before), model([fn('a', 'stay', 1)]));
    expect(out).toEqual({ problem: expect.objectContaining({ code: 'previous-report-other-account' }) });
  });
});

describe('parsePreviousReport', () => {
  it('names the place and the field of a broken previous report', () => {
    const bad = { ...model([fn('a', 'stay', 1)]), functions: [{ region: 'us-east-1', name: 'a', recommendation: 'sell' }] };
    const out = parsePreviousReport(JSON.stringify(bad), 's3://b/reports/latest/report.json');
    expect('problem' in out).toBe(true);
    if ('problem' in out) {
      expect(out.problem.code).toBe('previous-report-unreadable');
      expect(out.problem.message).toContain('s3://b/reports/latest/report.json: functions.0.recommendation');
    }
  });

  it('reports text that is not JSON as a problem, not a crash', () => {
    const out = parsePreviousReport('<html>', 'x.json');
    expect('problem' in out && out.problem.message.startsWith('x.json: not JSON')).toBe(true);
  });
});
