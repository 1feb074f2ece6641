import { describe, expect, it } from 'vitest';
import { formatSummary, formatUsd } from '../../src/cli/summary.js';
import type { FunctionReport, Recommendation, ReportModel } from '../../src/report/types.js';

function fn(name: string, recommendation: Recommendation, savingsUsd: number | null): FunctionReport {
  return { region: 'us-east-1', name, recommendation, savingsUsd } as FunctionReport;
}

/** The fields formatSummary reads; the rest of the model does not matter to it. */
function model(functions: FunctionReport[]): ReportModel {
  return {
    accountId: '123456789012',
    window: { start: '2026-11-07T00:00:00Z', end: '2026-11-21T00:00:00Z', periodSeconds: 60, hours: 336 },
    run: { complete: true },
    prices: { source: 'bundled', asOf: '2026-11-22' },
    warnings: [],
    functions,
    totals: {
      standardUsd: 1234.5,
      freeTierCreditUsd: 0,
      recommendedUsd: 1000,
      savingsUsd: 234.5,
      unpricedFunctions: 0,
      counts: { migrate: 6, review: 1, stay: 1, 'insufficient-data': 0, ineligible: 0 },
    },
  } as unknown as ReportModel;
}

describe('formatUsd', () => {
  it('gives dollars with cents and thousands separators, negatives included', () => {
    expect(formatUsd(1234.5)).toBe('$1,234.50');
    expect(formatUsd(-3.1)).toBe('-$3.10');
    expect(formatUsd(0)).toBe('$0.00');
  });
});

describe('formatSummary', () => {
  it('ranks the five biggest migrate savings, biggest first; review apart, with its condition', () => {
    // Prepare
    const functions = [
      fn('a', 'migrate', 10),
      fn('b', 'migrate', 50),
      fn('c', 'stay', 900), // not an opportunity: standard is kept
      fn('d', 'review', 40),
      fn('e', 'migrate', 30),
      fn('f', 'migrate', 20),
      fn('g', 'migrate', 5),
      fn('h', 'migrate', null),
    ];
    // Act
    const text = formatSummary(model(functions), ['out/report.json']);
    // Assess
    const top = text.split('\n').filter((line) => /^ {2}\d\. /.test(line));
    expect(top.map((line) => line.split(/\s+/)[2])).toEqual(['us-east-1/b', 'us-east-1/e', 'us-east-1/f', 'us-east-1/a', 'us-east-1/g']);
    expect(text).toContain('review (cheaper only under a condition, not in the savings):\n  - us-east-1/d: LMI would save $40.00 / month only if the risks in the report are accepted\n');
    expect(top[0]).toMatch(/migrate +\$50\.00$/);
    expect(text).toContain('savings / year');
    expect(text).toMatch(/savings \/ year +\$2,814\.00/);
    expect(text).toContain('recommendations: migrate 6, review 1, stay 1, insufficient-data 0, ineligible 0');
    expect(text).toContain('written: out/report.json');
    expect(text).not.toContain('INCOMPLETE');
  });

  it('names the regions that were not collected', () => {
    const m = model([fn('a', 'migrate', 10)]);
    m.run.complete = false;
    m.warnings = [{ code: 'region-failed', region: 'eu-west-3', message: 'eu-west-3 was not collected: AccessDenied' }];
    expect(formatSummary(m, [])).toContain('INCOMPLETE: regions not collected: eu-west-3; see the warnings');
  });
});
