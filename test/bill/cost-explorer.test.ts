import { afterEach, describe, expect, it } from 'vitest';
import { reconcile } from '../../src/bill/compare.js';
import { fetchBill } from '../../src/bill/cost-explorer.js';
import { modelledDays } from '../../src/bill/daily-usage.js';
import { defaultUsageTypeTable } from '../../src/bill/usage-types.js';
import { type CostExplorerFake, type CostExplorerFakeOptions, startCostExplorerFake } from './cost-explorer-fake.js';
import {
  API_INIT_GBS_PER_DAY,
  DAYS,
  NOW,
  LMI_INSTANCES_USD_PER_DAY,
  PROVIDER_ARN,
  syntheticBill,
  syntheticInstanceLines,
  syntheticConfig,
  syntheticPriceBook,
  syntheticProfiles,
  WINDOW,
} from './synthetic-account.js';

process.env['AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED'] = 'true';

let fake: CostExplorerFake | undefined;
afterEach(async () => {
  await fake?.close();
  fake = undefined;
});

const noSleep = async () => {};

async function fetchWith(options: Partial<CostExplorerFakeOptions>, regions = ['us-east-1', 'eu-west-1']) {
  fake = await startCostExplorerFake({ lines: syntheticBill(), ...options });
  return fetchBill({ client: fake.client, window: WINDOW, now: NOW, regions, sleep: noSleep });
}

/** Distinct (day, resource, usage type) groups of the synthetic bill. */
const RESOURCE_GROUPS = new Set(syntheticBill().map((l) => `${l.day} ${l.resourceId} ${l.usageType}`)).size;
const REGION_GROUPS = new Set(syntheticBill().map((l) => `${l.day} ${l.region} ${l.usageType}`)).size;

describe('fetchBill against the local Cost Explorer', () => {
  it('resource level: one daily request per page, grouped by RESOURCE_ID and USAGE_TYPE, filtered to Lambda and the regions', async () => {
    const bill = await fetchWith({ pageSize: 40 });
    expect(bill.status).toBe('ok');
    expect(bill.level).toBe('resource');
    expect(bill.startDay).toBe('2026-11-10');
    expect(bill.endDay).toBe('2026-11-24');
    expect(bill.lines).toHaveLength(RESOURCE_GROUPS);
    const pages = Math.ceil(RESOURCE_GROUPS / 40);
    expect(pages).toBeGreaterThan(1);
    // + 1: the bill has LMI lines, so the capacity providers' EC2 cost is asked for once.
    expect(bill.requests).toBe(pages + 1);
    expect(fake!.requests).toEqual({ GetCostAndUsageWithResources: pages, GetCostAndUsage: 1 });
    const body = fake!.bodies[0]!.body;
    expect(body).toMatchObject({
      TimePeriod: { Start: '2026-11-10', End: '2026-11-24' },
      Granularity: 'DAILY',
      Metrics: ['UnblendedCost', 'NetUnblendedCost', 'UsageQuantity'],
      GroupBy: [{ Type: 'DIMENSION', Key: 'RESOURCE_ID' }, { Type: 'DIMENSION', Key: 'USAGE_TYPE' }],
      Filter: { And: [{ Dimensions: { Key: 'SERVICE', Values: ['AWS Lambda'] } }, { Dimensions: { Key: 'REGION', Values: ['us-east-1', 'eu-west-1'] } }] },
    });
    expect(fake!.bodies[1]!.body['NextPageToken']).toBe('40');
  });

  it('the deviations found from the fake equal the ones put in (INIT on api)', async () => {
    const bill = await fetchWith({});
    const config = syntheticConfig();
    const { reconciliation: r } = reconcile({
      window: WINDOW,
      functions: syntheticProfiles().map((p) => modelledDays(p, WINDOW, config)),
      billed: bill,
      priceBook: syntheticPriceBook(),
      config,
      table: defaultUsageTypeTable(),
    });
    const api = r.functions.find((f) => f.name === 'api')!;
    expect(api.durationGbSeconds.deviation).toBeCloseTo(-API_INIT_GBS_PER_DAY * DAYS, 4);
    expect(api.reasons.map((x) => x.code)).toEqual(['init']);
    expect(r.functions.find((f) => f.name === 'worker')!.reasons.map((x) => x.code)).toEqual(['savings-plan']);
    // The Lambda query and the EC2 query (the bill has LMI lines)
    expect(r.costExplorer).toEqual({ requests: 2, usd: 0.02 });
  });

  for (const optIn of ['DataUnavailableException', 'ValidationException'] as const) {
    it(`resource level not enabled (${optIn}): falls back to GetCostAndUsage by REGION, and says why`, async () => {
      const bill = await fetchWith({ resourceLevel: optIn, pageSize: 100 });
      expect(bill.status).toBe('ok');
      expect(bill.level).toBe('region');
      expect(bill.notes[0]).toMatch(new RegExp(`resource-level data is not available \\(${optIn}.*compared per region only`));
      expect(bill.lines).toHaveLength(REGION_GROUPS);
      // + 1: the EC2 query (the bill has LMI lines)
      expect(bill.requests).toBe(1 + Math.ceil(REGION_GROUPS / 100) + 1);
      expect(fake!.requests).toEqual({ GetCostAndUsageWithResources: 1, GetCostAndUsage: Math.ceil(REGION_GROUPS / 100) + 1 });
      expect(fake!.bodies[1]!.body['GroupBy']).toEqual([{ Type: 'DIMENSION', Key: 'REGION' }, { Type: 'DIMENSION', Key: 'USAGE_TYPE' }]);
    });
  }

  it('resource level denied, account level allowed: compared per region, with the reason', async () => {
    const bill = await fetchWith({ resourceLevel: 'AccessDeniedException' });
    expect(bill.level).toBe('region');
    expect(bill.notes[0]).toMatch(/ce:GetCostAndUsageWithResources denied/);
  });

  it('throttling is retried, and every request (throttled ones too) is counted', async () => {
    const slept: number[] = [];
    fake = await startCostExplorerFake({ lines: syntheticBill(), throttleFirst: 2 });
    const bill = await fetchBill({ client: fake.client, window: WINDOW, now: NOW, regions: ['us-east-1'], sleep: async (ms) => void slept.push(ms) });
    expect(bill.status).toBe('ok');
    expect(bill.level).toBe('resource');
    expect(bill.requests).toBe(4); // 2 throttled + the Lambda query + the EC2 query
    expect(bill.throttled).toBe(2);
    expect(slept).toEqual([1000, 2000]);
    // REGION filter: eu-west-1 lines are not asked for.
    expect(bill.lines.every((l) => !l.resourceId!.includes(':eu-west-1:'))).toBe(true);
  });

  it('AccessDenied everywhere: status denied, no lines, the reason names the permission', async () => {
    const bill = await fetchWith({ denyAll: true });
    expect(bill.status).toBe('denied');
    expect(bill.lines).toEqual([]);
    expect(bill.requests).toBe(2);
    expect(bill.notes.at(-1)).toMatch(/Cost Explorer denied access .*ce:GetCostAndUsage/);
  });

  it('resource level reaches back 14 days only: an older window is clipped', async () => {
    fake = await startCostExplorerFake({ lines: syntheticBill() });
    const bill = await fetchBill({ client: fake.client, window: WINDOW, now: new Date('2026-11-27T10:00:00Z'), regions: ['us-east-1'], sleep: noSleep });
    expect(bill.startDay).toBe('2026-11-13');
    expect(fake.bodies[0]!.body['TimePeriod']).toEqual({ Start: '2026-11-13', End: '2026-11-24' });
    expect(bill.notes[0]).toMatch(/last 14 days only: compared from 2026-11-13/);
  });
});

describe("fetchBill: the capacity providers' EC2 instances", () => {
  it('one GetCostAndUsage on EC2 grouped by the aws:lambda:capacity-provider tag and REGION; untagged cost dropped', async () => {
    const bill = await fetchWith({ instanceLines: syntheticInstanceLines() });
    const ec2 = fake!.bodies.filter((b) => JSON.stringify(b.body['Filter']).includes('Elastic Compute Cloud'));
    expect(ec2).toHaveLength(1);
    expect(ec2[0]).toMatchObject({
      operation: 'GetCostAndUsage',
      body: {
        TimePeriod: { Start: '2026-11-10', End: '2026-11-24' },
        Granularity: 'DAILY',
        Metrics: ['UnblendedCost', 'NetUnblendedCost'],
        GroupBy: [{ Type: 'TAG', Key: 'aws:lambda:capacity-provider' }, { Type: 'DIMENSION', Key: 'REGION' }],
        Filter: { And: [{ Dimensions: { Key: 'SERVICE', Values: ['Amazon Elastic Compute Cloud - Compute'] } }, { Dimensions: { Key: 'REGION', Values: ['us-east-1', 'eu-west-1'] } }] },
      },
    });
    expect(bill.lmiInstances!.status).toBe('ok');
    expect(bill.lmiInstances!.lines).toHaveLength(DAYS);
    expect(bill.lmiInstances!.lines.every((l) => l.capacityProvider === 'cp-main' && l.region === 'us-east-1')).toBe(true);
    expect(bill.lmiInstances!.lines.reduce((sum, l) => sum + l.unblendedUsd, 0)).toBeCloseTo(LMI_INSTANCES_USD_PER_DAY * DAYS, 9);
  });

  it('the resource-level window (clipped to 14 days) is the EC2 one too', async () => {
    fake = await startCostExplorerFake({ lines: syntheticBill(), instanceLines: syntheticInstanceLines() });
    const bill = await fetchBill({ client: fake.client, window: WINDOW, now: new Date('2026-11-27T10:00:00Z'), regions: ['us-east-1'], sleep: noSleep });
    expect(fake.bodies.at(-1)!.body['TimePeriod']).toEqual({ Start: '2026-11-13', End: '2026-11-24' });
    expect(bill.lmiInstances!.lines.every((l) => l.day >= '2026-11-13')).toBe(true);
  });

  it('no LMI line in the Lambda bill: no EC2 request at all', async () => {
    const lines = syntheticBill().filter((l) => !l.usageType.includes('Managed-Instances') && !l.usageType.includes('Management-Hours'));
    fake = await startCostExplorerFake({ lines, instanceLines: syntheticInstanceLines() });
    const bill = await fetchBill({ client: fake.client, window: WINDOW, now: NOW, regions: ['us-east-1'], sleep: noSleep });
    expect(bill.requests).toBe(1);
    expect(fake.requests).toEqual({ GetCostAndUsageWithResources: 1 });
    expect(bill.lmiInstances).toBeUndefined();
  });

  it('the tag not activated for cost allocation: everything is untagged, read as "not found" (never $0)', async () => {
    const bill = await fetchWith({ instanceLines: syntheticInstanceLines(), instanceTagActive: false });
    expect(bill.lmiInstances).toMatchObject({ status: 'ok', lines: [] });
    expect(bill.lmiInstances!.notes[0]).toMatch(/no EC2 cost tagged aws:lambda:capacity-provider .*cost allocation tag/);
  });

  it('EC2 query denied: the Lambda bill stands, the instances say why', async () => {
    const bill = await fetchWith({ instanceLines: syntheticInstanceLines(), denyEc2: true });
    expect(bill.status).toBe('ok');
    expect(bill.level).toBe('resource');
    expect(bill.lmiInstances!.status).toBe('denied');
    expect(bill.lmiInstances!.notes[0]).toMatch(/EC2 cost was not read: ce:GetCostAndUsage denied/);
  });

  it('EC2 query paged: every page is a counted request', async () => {
    const bill = await fetchWith({ instanceLines: syntheticInstanceLines(), pageSize: 10 });
    const lambdaPages = Math.ceil(RESOURCE_GROUPS / 10);
    const ec2Pages = Math.ceil((DAYS * 2) / 10); // tagged + untagged group per day
    expect(bill.requests).toBe(lambdaPages + ec2Pages);
    expect(bill.lmiInstances!.lines).toHaveLength(DAYS);
  });

  it('from the fake to the report row: predicted $X, billed $Y cover the instances + fee + requests', async () => {
    const bill = await fetchWith({ instanceLines: syntheticInstanceLines() });
    const config = syntheticConfig();
    const { reconciliation: r } = reconcile({
      window: WINDOW,
      functions: syntheticProfiles().map((p) => modelledDays(p, WINDOW, config)),
      billed: bill,
      priceBook: syntheticPriceBook(),
      config,
      table: defaultUsageTypeTable(),
      lmiPredictions: [{ region: 'us-east-1', name: 'onlmi', capacityProviderArn: PROVIDER_ARN, lambdaBilledUsdPerDay: 1, instancesUsdPerDay: 12, instanceHoursPerDay: 72, vCpuAllocatedAvg: 4 }],
    });
    expect(r.lmi).toHaveLength(1);
    expect(r.lmi[0]).toMatchObject({ capacityProvider: PROVIDER_ARN, instancesIncluded: true, predictedUsd: 13 * DAYS });
    expect(r.lmi[0]!.billedInstancesUsd).toBeCloseTo(LMI_INSTANCES_USD_PER_DAY * DAYS, 9);
  });
});

describe('liveBillFetcher', () => {
  it('an unreadable answer is a failed bill with the reason, not a failed run', async () => {
    const { liveBillFetcher } = await import('../../src/bill/cost-explorer.js');
    const client = { send: async () => ({ ResultsByTime: [{ TimePeriod: { Start: 'yesterday' } }] }) };
    const bill = await liveBillFetcher({ client: client as never })({ window: WINDOW, now: NOW, regions: ['us-east-1'] });
    expect(bill.status).toBe('failed');
    expect(bill.lines).toEqual([]);
    expect(bill.notes.at(-1)).toMatch(/^ce:GetCostAndUsage failed: .*unexpected answer at ResultsByTime\.0\.TimePeriod\.Start/);
  });
});
