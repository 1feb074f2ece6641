import type { FunctionReport, Recommendation, ReportModel } from '../../src/report/types.js';

/**
 * A small hand-built ReportModel for digest, diff and publisher tests. Only the fields the
 * digests read carry meaningful values; the rest are plausible placeholders.
 */
export function fn(name: string, recommendation: Recommendation, savingsUsd: number | null, region = 'us-east-1'): FunctionReport {
  return {
    region,
    name,
    runtime: 'nodejs22.x',
    architecture: 'arm64',
    memoryMB: 1024,
    tags: {},
    trustGroup: null,
    alreadyOnLmi: false,
    provisionedConcurrency: 0,
    usage: { invocations: 1_000_000, gbSeconds: 1000, avgDurationMs: 100, peakConcurrency: 10, avgConcurrency: 2, utilization: 0.2, unknownPeriods: 0 },
    standard: null,
    lmi: null,
    savingsUsd,
    recommendation,
    reasons: [],
    risks: [],
    breakEvenInvocationsPerMonth: null,
    busyTimePremium: null,
    chart: null,
  };
}

export function model(functions: FunctionReport[], overrides: Partial<ReportModel> = {}): ReportModel {
  const counts: Record<Recommendation, number> = { migrate: 0, review: 0, stay: 0, 'insufficient-data': 0, ineligible: 0 };
  for (const f of functions) counts[f.recommendation] += 1;
  return {
    schema: 'lmi-advisor.report/v1',
    accountId: '123456789012',
    run: { tool: 'lmi-advisor', version: '0.1.0', generatedAt: '2026-11-21T03:00:00.000Z', command: 'test', complete: true },
    window: { start: '2026-11-07T00:00:00Z', end: '2026-11-21T00:00:00Z', periodSeconds: 60, hours: 336 },
    assumptions: [],
    prices: { source: 'live', asOf: '2026-11-21', regions: ['us-east-1'], missingRegions: [] },
    totals: {
      standardUsd: 1000,
      freeTierCreditUsd: 0,
      recommendedUsd: 750,
      savingsUsd: 250,
      groupUntaggedExtraSavingsUsd: null,
      counts,
      unpricedFunctions: 0,
    },
    capacityProviders: [],
    functions,
    warnings: [],
    ...overrides,
  };
}

/** A name meant to break Slack mrkdwn and HTML if it were not escaped. */
export const HOSTILE_NAME = '<!channel> *bold* _it_ ~x~ & <https://evil.example|click> <script>alert(1)</script>';
