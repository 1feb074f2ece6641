import { describe, expect, it } from 'vitest';
import { durationFromBill } from '../../src/bill/init-from-bill.js';
import { defaultUsageTypeTable } from '../../src/bill/usage-types.js';
import { defaultConfig } from '../../src/config/schema.js';
import { analyzeSnapshotFile } from '../../src/pipeline/analyze.js';
import { API_INIT_GBS_PER_DAY, DAYS, syntheticSnapshot, WINDOW } from './synthetic-account.js';

const FIXTURE = 'fixtures/reconcile-account.ndjson';
const NOW = '2026-11-24T03:00:00Z';

describe('billing.initFromBill', () => {
  it("gives each covered function the bill's GB-s per invocation as extra ms on top of rounding", () => {
    const { header, profiles } = syntheticSnapshot();
    const of = durationFromBill(header.bill!, WINDOW, defaultConfig(), defaultUsageTypeTable());
    const api = of(profiles.find((p) => p.name === 'api')!)!;
    // 500 GB-s a day over 100,000 invocations a day at 1 GB: +5 ms per invocation.
    expect(api.extraMsPerInvocation).toBeCloseTo((API_INIT_GBS_PER_DAY / 100_000) * 1000, 6);
    expect(api.message).toMatch(/^standard duration from the bill: .* GB-s per invocation billed \(INIT included\)/);
    expect(of(profiles.find((p) => p.name === 'worker')!)!.extraMsPerInvocation).toBeCloseTo(0, 9);
    // Already on LMI: not a standard function.
    expect(of(profiles.find((p) => p.name === 'onlmi')!)).toBeNull();
    // Without resource-level data there is nothing per function.
    expect(durationFromBill({ ...header.bill!, level: 'region' }, WINDOW, defaultConfig(), defaultUsageTypeTable())(profiles[0]!)).toBeNull();
  });

  it('the standard cost then includes the INIT the bill shows, labelled "from the bill"; LMI sizing is unchanged', async () => {
    const base = await analyzeSnapshotFile(FIXTURE, { config: defaultConfig(), now: NOW, reconcile: true });
    const config = defaultConfig();
    config.billing.initFromBill = true;
    const fromBill = await analyzeSnapshotFile(FIXTURE, { config, now: NOW, reconcile: true });
    const a0 = base.functions.find((f) => f.name === 'api')!;
    const a1 = fromBill.functions.find((f) => f.name === 'api')!;
    expect(a1.usage.gbSeconds! - a0.usage.gbSeconds!).toBeCloseTo(API_INIT_GBS_PER_DAY * DAYS, 4);
    expect(a1.standard!.durationUsd).toBeGreaterThan(a0.standard!.durationUsd);
    expect(a1.usage.avgDurationMs).toBe(a0.usage.avgDurationMs);
    expect(a1.lmi!.totalUsd).toBe(a0.lmi!.totalUsd);
    expect(fromBill.warnings.filter((w) => w.code === 'duration-from-bill').map((w) => w.function).sort()).toEqual(['api', 'pc-fn', 'worker']);
  });

  it('set without --reconcile: a warning says it was not applied', async () => {
    const config = defaultConfig();
    config.billing.initFromBill = true;
    const model = await analyzeSnapshotFile(FIXTURE, { config, now: NOW });
    expect(model.warnings.map((w) => w.code)).toContain('init-from-bill-unused');
  });
});
