import { describe, expect, it } from 'vitest';
import { reconcile, type LmiPrediction } from '../../src/bill/compare.js';
import { modelledDays, wholeDays } from '../../src/bill/daily-usage.js';
import type { BilledData, BilledLine, LmiProviderMetricsRead } from '../../src/bill/types.js';
import { defaultUsageTypeTable } from '../../src/bill/usage-types.js';
import type { Config } from '../../src/config/schema.js';
import {
  API_INIT_GBS_PER_DAY,
  DAYS,
  LMI_FEE_USD_PER_DAY,
  LMI_INSTANCES_USD_PER_DAY,
  syntheticInstanceLines,
  PROVIDER_ARN,
  syntheticBill,
  syntheticConfig,
  syntheticPriceBook,
  syntheticProfiles,
  UNKNOWN_USAGE_TYPE,
  WINDOW,
  WORKER_NET_SHARE,
} from './synthetic-account.js';

const X86_FIRST_TIER = 0.0000166667;
const ARM_FIRST_TIER = 0.0000133334;

function billedData(level: 'resource' | 'region', lines = syntheticBill()): BilledData {
  return {
    status: 'ok',
    level,
    startDay: '2026-11-10',
    endDay: '2026-11-24',
    lines: lines.map(
      (l): BilledLine => ({ ...l, resourceId: level === 'resource' ? l.resourceId : null, region: level === 'region' ? l.region : null }),
    ),
    requests: 1,
    throttled: 0,
    notes: [],
  };
}

function run(level: 'resource' | 'region', config: Config = syntheticConfig(), extra: { lmiPredictions?: LmiPrediction[]; lines?: ReturnType<typeof syntheticBill> } = {}) {
  return reconcile({
    window: WINDOW,
    functions: syntheticProfiles().map((p) => modelledDays(p, WINDOW, config)),
    billed: billedData(level, extra.lines),
    priceBook: syntheticPriceBook(),
    config,
    table: defaultUsageTypeTable(),
    ...(extra.lmiPredictions ? { lmiPredictions: extra.lmiPredictions } : {}),
  });
}

describe('wholeDays', () => {
  it('keeps only UTC days entirely inside the window', () => {
    expect(wholeDays(WINDOW)).toHaveLength(14);
    expect(wholeDays({ start: '2026-11-10T03:00:00Z', end: '2026-11-12T03:00:00Z', periodSeconds: 60 })).toEqual(['2026-11-11']);
  });
});

describe('reconcile, resource level (synthetic account with INIT and a Savings Plan)', () => {
  const { reconciliation: r, warnings } = run('resource');
  const fn = (name: string) => r.functions.find((f) => f.name === name)!;

  it('finds the INIT put into api: the GB-s, the dollars, per month', () => {
    const api = fn('api');
    const initGbs = API_INIT_GBS_PER_DAY * DAYS;
    expect(api.durationGbSeconds.deviation).toBeCloseTo(-initGbs, 6);
    expect(api.requests.deviation).toBe(0);
    expect(api.usd.deviation).toBeCloseTo(-initGbs * X86_FIRST_TIER, 9);
    expect(api.initGbSecondsPerMonth).toBeCloseTo((initGbs * 730) / (DAYS * 24), 6);
    expect(api.initUsdPerMonth).toBeCloseTo(((initGbs * 730) / (DAYS * 24)) * X86_FIRST_TIER, 9);
    expect(api.reasons.map((x) => x.code)).toEqual(['init']);
    // The largest $ deviation comes first.
    expect(r.functions[0]!.name).toBe('api');
  });

  it('names the Savings Plan on worker (NetUnblendedCost below UnblendedCost), with no usage deviation', () => {
    const worker = fn('worker');
    expect(worker.usd.deviationPct).toBeCloseTo(0, 9);
    expect(worker.reasons.map((x) => x.code)).toEqual(['savings-plan']);
    const durationUsd = 280_000 * (800 + 0.5) / 1000 * 2 * ARM_FIRST_TIER;
    const requestsUsd = 280_000 * 0.2e-6;
    expect(worker.billedNetUsd).toBeCloseTo(requestsUsd + durationUsd * WORKER_NET_SHARE, 9);
    expect(worker.reasons[0]!.message).toMatch(/Savings Plan/);
  });

  it('agrees exactly where nothing was put in (PC function, other region)', () => {
    for (const name of ['pc-fn', 'euw']) {
      const row = fn(name);
      expect(row.reasons).toEqual([]);
      expect(row.usd.deviationPct).toBeCloseTo(0, 9);
      expect(row.pcGbSeconds.deviation).toBeCloseTo(0, 6);
    }
    expect(fn('pc-fn').pcGbSeconds.billed).toBeCloseTo(2 * 0.5 * 86_400 * DAYS, 6);
  });

  it('totals the account: only INIT differs; the headline says how far', () => {
    expect(r.status).toBe('ok');
    expect(r.level).toBe('resource');
    expect(r.firstDay).toBe('2026-11-10');
    expect(r.lastDay).toBe('2026-11-23');
    expect(r.totals!.usd.deviation).toBeCloseTo(-API_INIT_GBS_PER_DAY * DAYS * X86_FIRST_TIER, 9);
    const pct = r.totals!.usd.deviationPct!;
    expect(pct).toBeLessThan(0);
    expect(r.headline).toMatch(new RegExp(`^modelled standard cost for 2026-11-10\\.\\.23 is within ${Math.abs(pct).toFixed(1)} % of the bill \\(\\$`));
    expect(r.init!.gbSecondsPerMonth).toBeCloseTo((API_INIT_GBS_PER_DAY * DAYS * 730) / (DAYS * 24), 6);
    expect(warnings.map((w) => w.code)).toEqual(['unknown-usage-type']);
  });

  it('lists the unknown usage type with its quantity and cost, outside the comparison', () => {
    expect(r.unknownUsageTypes).toEqual([
      { usageType: UNKNOWN_USAGE_TYPE, reason: expect.stringMatching(/unknown Lambda usage type/), billedUsd: expect.closeTo(0.0015 * DAYS, 9), quantity: 1000 * DAYS },
    ]);
  });

  it('leaves the LMI function out of the standard comparison and shows its billed LMI lines', () => {
    expect(r.functions.find((f) => f.name === 'onlmi')).toBeUndefined();
    expect(r.lmi).toHaveLength(1);
    expect(r.lmi[0]!.billedUsd).toBeCloseTo(LMI_FEE_USD_PER_DAY * DAYS + 2_000_000 * 0.2e-6, 9);
  });
});

describe('reconcile, other paths', () => {
  it('per region x architecture without resource-level data: the same INIT, at account level', () => {
    const { reconciliation: r } = run('region');
    expect(r.level).toBe('region');
    expect(r.functions).toEqual([]);
    const eastX86 = r.byRegion.find((b) => b.region === 'us-east-1' && b.architecture === 'x86_64')!;
    expect(eastX86.durationGbSeconds.deviation).toBeCloseTo(-API_INIT_GBS_PER_DAY * DAYS, 6);
    expect(eastX86.reasons.map((x) => x.code)).toEqual(['init']);
    const eastArm = r.byRegion.find((b) => b.region === 'us-east-1' && b.architecture === 'arm64')!;
    expect(eastArm.reasons.map((x) => x.code)).toEqual(['savings-plan']);
    expect(r.byRegion.find((b) => b.region === 'eu-west-1')!.reasons).toEqual([]);
    expect(r.init!.gbSecondsPerMonth).toBeCloseTo((API_INIT_GBS_PER_DAY * DAYS * 730) / (DAYS * 24), 6);
  });

  it('a deviation beyond reconcile.maxDeviationPct is a warning and the headline says above/below', () => {
    const config = syntheticConfig();
    config.reconcile.maxDeviationPct = 0.1;
    const { reconciliation: r, warnings } = run('resource', config);
    expect(r.headline).toMatch(/^modelled standard cost for 2026-11-10\.\.23 is \d+\.\d % below the bill/);
    expect(warnings.find((w) => w.code === 'reconcile-deviation')!.message).toMatch(/below the bill .*reconcile\.maxDeviationPct 0\.1 %/);
  });

  it('missing metrics: the unknown day is left out of both sides and named', () => {
    const config = syntheticConfig();
    const profiles = syntheticProfiles();
    profiles[1]!.series.invocations[30] = null; // worker, day 2
    const { reconciliation: r } = reconcile({
      window: WINDOW,
      functions: profiles.map((p) => modelledDays(p, WINDOW, config)),
      billed: billedData('resource'),
      priceBook: syntheticPriceBook(),
      config,
      table: defaultUsageTypeTable(),
    });
    const worker = r.functions.find((f) => f.name === 'worker')!;
    expect(worker.reasons.map((x) => x.code)).toEqual(['missing-metrics', 'savings-plan']);
    expect(worker.requests.deviation).toBe(0);
    const day1 = profiles[1]!.series.invocations.slice(24, 48).reduce<number>((a, b) => a + (b ?? 0), 0);
    const all = syntheticProfiles()[1]!.series.invocations.slice(24, 48).reduce<number>((a, b) => a + (b ?? 0), 0);
    expect(worker.requests.billed).toBe(280_000 - all);
    expect(day1).toBeLessThan(all);
  });

  it('a billed function outside the analysed set gets its own row, not the totals', () => {
    const lines = syntheticBill();
    lines.push({ day: '2026-11-12', usageType: 'Request', resourceId: 'arn:aws:lambda:us-east-1:123456789012:function:ghost', region: 'us-east-1', unblendedUsd: 1, netUnblendedUsd: 1, quantity: 5_000_000 });
    const base = run('resource').reconciliation;
    const { reconciliation: r } = run('resource', syntheticConfig(), { lines });
    expect(r.functions.find((f) => f.name === 'ghost')!.reasons.map((x) => x.code)).toEqual(['not-modelled']);
    expect(r.totals!.usd.billed).toBeCloseTo(base.totals!.usd.billed!, 9);
  });

  it('LMI actuals: predicted next to billed per capacity provider', () => {
    const { reconciliation: r } = run('resource', syntheticConfig(), {
      lmiPredictions: [{ region: 'us-east-1', name: 'onlmi', capacityProviderArn: PROVIDER_ARN, lambdaBilledUsdPerDay: 2, instancesUsdPerDay: 10, instanceHoursPerDay: 60, vCpuAllocatedAvg: 4 }],
    });
    expect(r.lmi).toHaveLength(1);
    // No EC2 data in this bill: the instances are out of both figures, and the row says so.
    expect(r.lmi[0]).toMatchObject({ capacityProvider: PROVIDER_ARN, predictedUsd: 28, instanceType: 'm7g.xlarge', instancesIncluded: false, billedInstancesUsd: null });
    expect(r.lmi[0]!.message).toMatch(/predicted \$28\.00, billed \$\d+\.\d\d \(management fee \+ LMI requests; EC2 instances not included: not read/);
  });

  it('denied: unavailable with the reason, and a warning', () => {
    const config = syntheticConfig();
    const { reconciliation: r, warnings } = reconcile({
      window: WINDOW,
      functions: [],
      billed: { status: 'denied', level: null, startDay: '2026-11-10', endDay: '2026-11-24', lines: [], requests: 1, throttled: 0, notes: ['Cost Explorer denied access'] },
      priceBook: syntheticPriceBook(),
      config,
      table: defaultUsageTypeTable(),
    });
    expect(r.status).toBe('unavailable');
    expect(r.reason).toBe('Cost Explorer denied access');
    expect(r.headline).toBe('no reconciliation with the bill: Cost Explorer denied access');
    expect(r.costExplorer).toEqual({ requests: 1, usd: 0.01 });
    expect(warnings).toEqual([{ code: 'reconcile-unavailable', message: 'Reconciliation with Cost Explorer: Cost Explorer denied access' }]);
  });
});

describe('reconcile, Lambda Insights INIT next to the bill', () => {
  // api: 100,000 invocations a day at 1 GB; the bill has 500 GB-s a day more than Duration +
  // rounding, i.e. 5 ms of INIT per invocation.
  const withInit = (initMs: number | null) =>
    reconcile({
      window: WINDOW,
      functions: syntheticProfiles().map((p) =>
        modelledDays(p.name === 'api' ? { ...p, initMsPerInvocation: initMs } : p, WINDOW, syntheticConfig()),
      ),
      billed: billedData('resource'),
      priceBook: syntheticPriceBook(),
      config: syntheticConfig(),
      table: defaultUsageTypeTable(),
    }).reconciliation;

  it('agrees when Insights measured the INIT the bill has', () => {
    const api = withInit(5).functions.find((f) => f.name === 'api')!;
    expect(api.insightsInit!.insightsGbSeconds).toBeCloseTo(API_INIT_GBS_PER_DAY * DAYS, 6);
    expect(api.insightsInit!.unexplainedGbSeconds).toBeCloseTo(API_INIT_GBS_PER_DAY * DAYS, 6);
    expect(api.insightsInit!.deviationPct).toBeCloseTo(0, 6);
  });

  it('shows the deviation when Insights measured less INIT than the bill has', () => {
    const api = withInit(4).functions.find((f) => f.name === 'api')!;
    // 4 ms x 1,400,000 invocations x 1 GB = 5,600 GB-s against 7,000 unexplained: -1,400, -20 %
    expect(api.insightsInit!.insightsGbSeconds).toBeCloseTo(5600, 6);
    expect(api.insightsInit!.deviationGbSeconds).toBeCloseTo(-1400, 6);
    expect(api.insightsInit!.deviationPct).toBeCloseTo(-20, 6);
  });

  it('is null (not 0) for functions without Insights INIT data', () => {
    const r = withInit(null);
    expect(r.functions.every((f) => f.insightsInit === null)).toBe(true);
  });

  it('counts only the days compared: a day of unknown metrics is left out of the Insights side too', () => {
    const profiles = syntheticProfiles().map((p) => (p.name === 'api' ? { ...p, initMsPerInvocation: 5 } : p));
    const api = profiles.find((p) => p.name === 'api')!;
    api.series.invocations[30] = null; // day 2 unknown
    const r = reconcile({
      window: WINDOW,
      functions: profiles.map((p) => modelledDays(p, WINDOW, syntheticConfig())),
      billed: billedData('resource'),
      priceBook: syntheticPriceBook(),
      config: syntheticConfig(),
      table: defaultUsageTypeTable(),
    }).reconciliation;
    const row = r.functions.find((f) => f.name === 'api')!;
    // The Insights side is per invocation over the 13 known days (the synthetic hours carry
    // whole invocations, so a day is not exactly 100,000): 5 ms x the invocations compared x 1 GB.
    expect(row.requests.modelled).toBeLessThan(1_400_000 - 90_000);
    expect(row.insightsInit!.insightsGbSeconds).toBeCloseTo((row.requests.modelled! * 5) / 1000, 9);
    expect(row.insightsInit!.unexplainedGbSeconds).toBeCloseTo(API_INIT_GBS_PER_DAY * (DAYS - 1), 6);
  });
});

describe('reconcile, LMI actuals with the EC2 instances', () => {
  const prediction: LmiPrediction = { region: 'us-east-1', name: 'onlmi', capacityProviderArn: PROVIDER_ARN, lambdaBilledUsdPerDay: 2, instancesUsdPerDay: 10, instanceHoursPerDay: 60, vCpuAllocatedAvg: 4 };
  const tagged = (tag: string) =>
    syntheticInstanceLines()
      .filter((l) => l.tag !== '')
      .map((l) => ({ day: l.day, capacityProvider: tag, region: l.region, unblendedUsd: l.unblendedUsd, netUnblendedUsd: l.netUnblendedUsd }));
  const withInstances = (lmiInstances: BilledData['lmiInstances'], predictions: LmiPrediction[] = [prediction], lmiMetrics?: LmiProviderMetricsRead) =>
    reconcile({
      window: WINDOW,
      functions: syntheticProfiles().map((p) => modelledDays(p, WINDOW, syntheticConfig())),
      billed: { ...billedData('resource'), ...(lmiInstances ? { lmiInstances } : {}) },
      priceBook: syntheticPriceBook(),
      config: syntheticConfig(),
      table: defaultUsageTypeTable(),
      lmiPredictions: predictions,
      ...(lmiMetrics ? { lmiMetrics } : {}),
    }).reconciliation.lmi;
  // The Lambda part of cp-main's bill: fee + requests over 14 days.
  const lambdaBilled = () => withInstances(undefined)[0]!.billedUsd!;

  it.each([
    ['its name', 'cp-main'],
    ['its ARN', PROVIDER_ARN],
  ])('adds the instances tagged with %s to both sides: predicted $X, billed $Y cover instances + fee + requests', (_, tag) => {
    const [row, ...rest] = withInstances({ status: 'ok', lines: tagged(tag), notes: [] });
    expect(rest).toEqual([]);
    expect(row).toMatchObject({ capacityProvider: PROVIDER_ARN, instancesIncluded: true, predictedInstancesUsd: 140 });
    expect(row!.billedInstancesUsd).toBeCloseTo(LMI_INSTANCES_USD_PER_DAY * DAYS, 9);
    expect(row!.predictedUsd).toBeCloseTo(28 + 140, 9);
    expect(row!.billedUsd).toBeCloseTo(lambdaBilled() + LMI_INSTANCES_USD_PER_DAY * DAYS, 9);
    expect(row!.message).toMatch(
      /^capacity provider .*cp-main: predicted \$168\.00, billed \$\d+\.\d\d \(EC2 instances \+ management fee \+ LMI requests; their EBS volumes are not included\)\. instance-hours: billed 1,008\.0 \(m7g\.xlarge\), predicted 840\.0; CloudWatch capacity-provider metrics not read/,
    );
  });

  it('no tagged EC2 cost at all: the instances are left out of both sides (never billed as $0) and the row says why', () => {
    const [row] = withInstances({ status: 'ok', lines: [], notes: [] });
    expect(row).toMatchObject({ instancesIncluded: false, predictedUsd: 28, billedInstancesUsd: null, predictedInstancesUsd: null });
    expect(row!.billedUsd).toBeCloseTo(lambdaBilled(), 9);
    expect(row!.message).toContain('EC2 instances not included: no EC2 cost tagged aws:lambda:capacity-provider on these days (the tag may not be activated as a cost allocation tag)');
  });

  it('EC2 query denied: left out, with the reason', () => {
    const [row] = withInstances({ status: 'denied', lines: [], notes: ['ce:GetCostAndUsage denied (AccessDenied)'] });
    expect(row!.instancesIncluded).toBe(false);
    expect(row!.message).toContain('EC2 instances not included: ce:GetCostAndUsage denied (AccessDenied)');
  });

  it('a tag value no predicted provider has: its own row, billed only', () => {
    const rows = withInstances({ status: 'ok', lines: tagged('cp-other'), notes: [] });
    expect(rows.map((r) => r.capacityProvider)).toEqual([PROVIDER_ARN, 'cp-other']);
    expect(rows[0]!.instancesIncluded).toBe(false);
    expect(rows[0]!.message).toContain('no EC2 cost tagged with this capacity provider on these days');
    expect(rows[1]).toMatchObject({ predictedUsd: null, instancesIncluded: true });
    expect(rows[1]!.billedUsd).toBeCloseTo(LMI_INSTANCES_USD_PER_DAY * DAYS, 9);
    expect(rows[1]!.message).toMatch(/^capacity provider cp-other: billed \$\d+\.\d\d \(EC2 instances/);
  });

  it('account level: the provider row compares its instances only; the fee and requests stay in the region row', () => {
    const rows = reconcile({
      window: WINDOW,
      functions: syntheticProfiles().map((p) => modelledDays(p, WINDOW, syntheticConfig())),
      billed: { ...billedData('region'), lmiInstances: { status: 'ok', lines: tagged('cp-main'), notes: [] } },
      priceBook: syntheticPriceBook(),
      config: syntheticConfig(),
      table: defaultUsageTypeTable(),
      lmiPredictions: [prediction],
    }).reconciliation.lmi;
    expect(rows.map((r) => r.capacityProvider)).toEqual([null, PROVIDER_ARN]);
    const [regionRow, providerRow] = rows;
    expect(regionRow).toMatchObject({ predictedUsd: null, instancesIncluded: false });
    expect(regionRow!.billedUsd).toBeGreaterThan(0);
    expect(providerRow).toMatchObject({ predictedUsd: 140, predictedInstancesUsd: 140, instancesIncluded: true });
    expect(providerRow!.billedUsd).toBeCloseTo(LMI_INSTANCES_USD_PER_DAY * DAYS, 9);
    expect(providerRow!.message).toMatch(
      /predicted \$140\.00, billed \$\d+\.\d\d \(EC2 instances only, their EBS volumes not included: without resource-level data the management fee and LMI requests are in the region's row\)\. instance-hours: billed unknown \(no fee line for this provider\), predicted 840\.0/,
    );
    expect(providerRow).toMatchObject({ billedInstanceHours: null, predictedInstanceHours: 840 });
  });

  it('account level without the instances: the provider row has nothing billed to compare (null, not $0)', () => {
    const rows = reconcile({
      window: WINDOW,
      functions: syntheticProfiles().map((p) => modelledDays(p, WINDOW, syntheticConfig())),
      billed: billedData('region'),
      priceBook: syntheticPriceBook(),
      config: syntheticConfig(),
      table: defaultUsageTypeTable(),
      lmiPredictions: [prediction],
    }).reconciliation.lmi;
    const providerRow = rows.find((r) => r.capacityProvider === PROVIDER_ARN)!;
    expect(providerRow).toMatchObject({ predictedUsd: null, billedUsd: null, instancesIncluded: false });
    expect(providerRow.message).toMatch(/predicted \$28\.00 \(management fee \+ LMI requests\), nothing billed to compare: .*region's row; EC2 instances not included: not read/);
  });

  it('an EC2 Savings Plan on the instances is named (NetUnblendedCost below UnblendedCost), not subtracted', () => {
    const lines = tagged('cp-main').map((l) => ({ ...l, netUnblendedUsd: l.unblendedUsd * 0.6 }));
    const [row] = withInstances({ status: 'ok', lines, notes: [] });
    expect(row!.billedInstancesUsd).toBeCloseTo(LMI_INSTANCES_USD_PER_DAY * DAYS, 9);
    expect(row!.message).toMatch(/; the instances' NetUnblendedCost is \$\d+\.\d\d \(a Savings Plan or discount applies; lmi\.discount 0 % in the model\)\. /);
  });

  it('instance-hours: billed (fee quantity) vs model; CloudWatch capacity-provider metrics vs the model vCPUs', () => {
    const metrics: LmiProviderMetricsRead = {
      providers: [
        {
          region: 'us-east-1',
          capacityProviderArn: PROVIDER_ARN,
          instanceTypes: ['m7g.xlarge'],
          daysWithData: DAYS,
          cpuUtilizationPctByType: { 'm7g.xlarge': 31.5 },
          vCpuAllocatedAvg: 6,
          vCpuAvailableAvg: 6,
        },
      ],
      notes: [],
      requests: 2,
    };
    const [row] = withInstances(undefined, [prediction], metrics);
    // The synthetic bill: 3 x m7g.xlarge x 24 h a day -> 72 fee-hours a day.
    expect(row).toMatchObject({ billedInstanceHours: 72 * DAYS, predictedInstanceHours: 60 * DAYS });
    expect(row!.cloudWatch).toEqual({
      instanceTypes: ['m7g.xlarge'],
      cpuUtilizationPctByType: { 'm7g.xlarge': 31.5 },
      vCpuAllocatedAvg: 6,
      vCpuAvailableAvg: 6,
      predictedVCpuAllocatedAvg: 4,
    });
    expect(row!.message).toContain(
      'instance-hours: billed 1,008.0 (m7g.xlarge), predicted 840.0; CloudWatch: vCPUs allocated 6.0 on average (model 4.0), available 6.0, CPU utilisation m7g.xlarge 31.5 % (14 day(s))',
    );
    // A provider CloudWatch could not be read for: the note, never a number.
    const [failed] = withInstances(undefined, [prediction], { providers: [], notes: ['us-east-1 cp-main: CloudWatch capacity-provider metrics not read: AccessDenied: no'], requests: 1 });
    expect(failed!.cloudWatch).toBeNull();
    expect(failed!.message).toContain('us-east-1 cp-main: CloudWatch capacity-provider metrics not read: AccessDenied');
  });

  it('only the compared days count', () => {
    const lines = tagged('cp-main').concat([{ day: '2026-11-24', capacityProvider: 'cp-main', region: 'us-east-1', unblendedUsd: 1e6, netUnblendedUsd: 1e6 }]);
    const [row] = withInstances({ status: 'ok', lines, notes: [] });
    expect(row!.billedInstancesUsd).toBeCloseTo(LMI_INSTANCES_USD_PER_DAY * DAYS, 9);
  });
});
