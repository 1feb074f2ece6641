import { beforeAll, describe, expect, it } from 'vitest';
import { defaultConfig } from '../../src/config/schema.js';
import { analyzeSnapshotFile } from '../../src/pipeline/analyze.js';
import type { ReportModel } from '../../src/report/types.js';
import { renderEmailDigest } from '../../src/render/email.js';
import { reconciliationDigest, reconciliationView } from '../../src/render/reconciliation-view.js';
import { renderSlackDigest } from '../../src/render/slack.js';

const FIXTURE = 'fixtures/reconcile-account.ndjson';

async function modelWith(maxDeviationPct: number): Promise<ReportModel> {
  const config = defaultConfig();
  config.reconcile.maxDeviationPct = maxDeviationPct;
  return analyzeSnapshotFile(FIXTURE, { config, reconcile: true, now: '2026-11-24T03:00:00Z' });
}

describe('the bill in the digests', () => {
  let within: ReportModel;
  let beyond: ReportModel;
  beforeAll(async () => {
    within = await modelWith(5);
    beyond = await modelWith(0.5);
  });

  it('within reconcile.maxDeviationPct: the headline, no warning, LMI actuals next', () => {
    const digest = reconciliationDigest(within)!;
    expect(digest.warning).toBe(false);
    expect(digest.lines[0]).toMatch(/^Bill check: modelled standard cost for 2026-11-10\.\.23 is within 0\.8 % of the bill/);
    expect(digest.lines[1]).toMatch(/^LMI actuals: capacity provider .*cp-main: predicted \$\d+\.\d\d, billed \$\d+\.\d\d/);
    const slack = JSON.stringify(renderSlackDigest(within));
    expect(slack).toContain('Bill check: modelled standard cost');
    expect(slack).not.toContain(':warning: Bill check');
  });

  it('beyond it: a warning in the report, in Slack and in the email', () => {
    expect(beyond.warnings.some((w) => w.code === 'reconcile-deviation')).toBe(true);
    expect(reconciliationView(beyond)!.overMax).toBe(true);
    const slack = JSON.stringify(renderSlackDigest(beyond));
    expect(slack).toMatch(/:warning: Bill check: modelled standard cost for 2026-11-10\.\.23 is 0\.8 % below the bill .*beyond reconcile\.maxDeviationPct 0\.5 %/);
    const email = renderEmailDigest(beyond);
    expect(email.text).toMatch(/WARNING Bill check: .*0\.8 % below the bill/);
    expect(email.html).toMatch(/<p style="[^"]+">Bill check: .*0\.8 % below the bill/);
  });

  it('INIT measured by Lambda Insights next to the bill: api only (the one with Insights), in report.json and the section', () => {
    const api = within.reconciliation!.functions.find((f) => f.name === 'api')!;
    // 4.8 ms x ~1.4 M invocations x 1 GB against the 500 GB-s a day the bill has beyond Duration + rounding: -4 %
    expect(api.insightsInit!.deviationPct).toBeCloseTo(-4, 1);
    expect(within.reconciliation!.functions.filter((f) => f.insightsInit !== null).map((f) => f.name)).toEqual(['api']);
    const view = reconciliationView(within)!;
    expect(view.insightsInit).toEqual([expect.objectContaining({ name: 'api', pct: expect.stringMatching(/^-4\.0 %$/) })]);
  });

  it('without --reconcile: nothing about the bill', async () => {
    const plain = await analyzeSnapshotFile(FIXTURE, { config: defaultConfig(), now: '2026-11-24T03:00:00Z' });
    expect(reconciliationDigest(plain)).toBeNull();
    expect(JSON.stringify(renderSlackDigest(plain))).not.toContain('Bill check');
  });
});
