import { beforeAll, describe, expect, it } from 'vitest';
import { defaultConfig, type Config } from '../../src/config/schema.js';
import { analyzeSnapshotFile } from '../../src/pipeline/analyze.js';
import type { ReportModel } from '../../src/report/types.js';
import { WhatIfCollector, type WhatIfData } from '../../src/whatif/data.js';
import { whatIfReport } from '../../src/whatif/model.js';

/**
 * billing.initFromBill: the CLI prices standard duration at the bill's GB-s per invocation. The
 * page must show the same figures, for its starting knobs and for knobs it moves: the bill's ms
 * per invocation reach it through each function's monthly quantities (summarize.ts computes
 * them with the bill's ms; WhatIfFunction.summary carries them). The page does not rebuild the
 * Reconciliation section (nor its warnings): they are left out of the comparison.
 */
const FIXTURE = 'fixtures/reconcile-account.ndjson';
const NOW = '2026-11-24T03:00:00Z';
const RECONCILE_WARNINGS = new Set(['unknown-usage-type', 'reconcile-deviation', 'reconcile-unavailable', 'usage-type-table']);

function withoutReconciliation(model: ReportModel): Omit<ReportModel, 'reconciliation'> {
  const { reconciliation: _section, ...rest } = model;
  return { ...rest, warnings: rest.warnings.filter((w) => !RECONCILE_WARNINGS.has(w.code)) };
}

describe('whatIfReport with billing.initFromBill (the reconcile fixture)', () => {
  const base = defaultConfig();
  const config: Config = { ...base, billing: { ...base.billing, initFromBill: true } };
  let data: WhatIfData;
  let cli: ReportModel;

  beforeAll(async () => {
    const collector = new WhatIfCollector();
    cli = await analyzeSnapshotFile(FIXTURE, { config, now: NOW, reconcile: true, onSummary: (e) => collector.add(e) });
    data = JSON.parse(JSON.stringify(collector.data(cli.run))) as WhatIfData;
  });

  it('the bill moved the CLI figures (duration-from-bill), so the comparison below can fail', async () => {
    expect(cli.warnings.some((w) => w.code === 'duration-from-bill')).toBe(true);
    const metricsOnly = await analyzeSnapshotFile(FIXTURE, { config: base, now: NOW, reconcile: true });
    expect(cli.totals.standardUsd).toBeGreaterThan(metricsOnly.totals.standardUsd);
  });

  it.each([
    ['the starting knobs', (c: Config): Config => c],
    ['pricing.lambdaDiscount 0.1', (c: Config): Config => ({ ...c, pricing: { ...c.pricing, lambdaDiscount: 0.1 } })],
    ['lmi.cpuBusyFraction 0.2, lmi.headroom 2', (c: Config): Config => ({ ...c, lmi: { ...c.lmi, cpuBusyFraction: 0.2, headroom: 2 } })],
    ['recommend.minSavingsPct 0, lmi.discount 0.5', (c: Config): Config => ({ ...c, recommend: { ...c.recommend, minSavingsPct: 0 }, lmi: { ...c.lmi, discount: 0.5 } })],
  ])('equals the CLI with %s', async (_, move) => {
    const moved = move(config);
    const expected = moved === config ? cli : await analyzeSnapshotFile(FIXTURE, { config: moved, now: NOW, reconcile: true });
    expect(withoutReconciliation(whatIfReport(data, moved))).toEqual(withoutReconciliation(expected));
  });
});
