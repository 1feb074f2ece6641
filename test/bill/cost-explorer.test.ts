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
  syntheticBill,
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
    expect(bill.requests).toBe(pages);
    expect(fake!.requests).toEqual({ GetCostAndUsageWithResources: pages });
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
    expect(r.costExplorer).toEqual({ requests: 1, usd: 0.01 });
  });

  for (const optIn of ['DataUnavailableException', 'ValidationException'] as const) {
    it(`resource level not enabled (${optIn}): falls back to GetCostAndUsage by REGION, and says why`, async () => {
      const bill = await fetchWith({ resourceLevel: optIn, pageSize: 100 });
      expect(bill.status).toBe('ok');
      expect(bill.level).toBe('region');
      expect(bill.notes[0]).toMatch(new RegExp(`resource-level data is not available \\(${optIn}.*compared per region only`));
      expect(bill.lines).toHaveLength(REGION_GROUPS);
      expect(bill.requests).toBe(1 + Math.ceil(REGION_GROUPS / 100));
      expect(fake!.requests).toEqual({ GetCostAndUsageWithResources: 1, GetCostAndUsage: Math.ceil(REGION_GROUPS / 100) });
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
    expect(bill.requests).toBe(3);
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
