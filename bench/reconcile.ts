import { fetchBill } from '../src/bill/cost-explorer.js';
import { CE_USD_PER_REQUEST } from '../src/bill/types.js';
import { startCostExplorerFake, type FakeBillLine } from '../test/bill/cost-explorer-fake.js';

/**
 * Cost Explorer requests and dollars of `--reconcile`: `npx tsx bench/reconcile.ts [1000 10000 ...]`.
 *
 * For each size: N functions x 14 days x 2 usage types (Request-ARM, Lambda-GB-Second-ARM: what an
 * on-demand function without PC or extra storage bills) served by the local Cost Explorer
 * (test/bill/cost-explorer-fake.ts, 127.0.0.1), read with the product's fetchBill:
 *   - resource level (GetCostAndUsageWithResources by RESOURCE_ID x USAGE_TYPE, daily);
 *   - account level, when resource-level data is not enabled (one refused call, then
 *     GetCostAndUsage by REGION x USAGE_TYPE, daily).
 * Prints requests made, the minimum ceil(groups / groups per page), dollars at $0.01 a request.
 *
 * Cost Explorer has no page-size parameter and does not document how many groups a page holds;
 * PAGE_GROUPS (env, default 5000) is that assumption, printed with every figure.
 */

const NOW = new Date('2026-11-24T03:00:00Z');
const WINDOW = { start: '2026-11-10T00:00:00Z', end: '2026-11-24T00:00:00Z', periodSeconds: 60 as const };
const DAYS = 14;
const PAGE_GROUPS = Number(process.env['PAGE_GROUPS'] ?? '5000');

function lines(functions: number): FakeBillLine[] {
  const out: FakeBillLine[] = [];
  for (let d = 0; d < DAYS; d++) {
    const day = new Date(Date.parse(WINDOW.start) + d * 86_400_000).toISOString().slice(0, 10);
    for (let f = 0; f < functions; f++) {
      const resourceId = `arn:aws:lambda:us-east-1:123456789012:function:fn-${f}`;
      out.push({ day, usageType: 'Request-ARM', resourceId, region: 'us-east-1', quantity: 1000, unblendedUsd: 0.0002, netUnblendedUsd: 0.0002 });
      out.push({ day, usageType: 'Lambda-GB-Second-ARM', resourceId, region: 'us-east-1', quantity: 100, unblendedUsd: 0.00133, netUnblendedUsd: 0.00133 });
    }
  }
  return out;
}

async function measure(functions: number, resourceLevel: 'enabled' | 'DataUnavailableException') {
  const fake = await startCostExplorerFake({ lines: lines(functions), pageSize: PAGE_GROUPS, resourceLevel });
  const started = performance.now();
  try {
    const bill = await fetchBill({ client: fake.client, window: WINDOW, now: NOW, regions: ['us-east-1'] });
    return { bill, seconds: (performance.now() - started) / 1000 };
  } finally {
    await fake.close();
  }
}

const sizes = process.argv.slice(2).map(Number).filter((n) => n > 0);
for (const functions of sizes.length > 0 ? sizes : [1000, 10000]) {
  const resource = await measure(functions, 'enabled');
  const resourceGroups = functions * DAYS * 2;
  const account = await measure(functions, 'DataUnavailableException');
  const accountGroups = DAYS * 1 * 2;
  const line = (label: string, requests: number, minimum: number, groups: number, lineCount: number, seconds: number) =>
    `${functions} functions, ${label}: ${requests} requests (minimum ${minimum} = ceil(${groups} groups / ${PAGE_GROUPS})), $${(requests * CE_USD_PER_REQUEST).toFixed(2)}, ${lineCount} lines, ${seconds.toFixed(2)} s against the local fake`;
  console.log(line('resource level', resource.bill.requests, Math.ceil(resourceGroups / PAGE_GROUPS), resourceGroups, resource.bill.lines.length, resource.seconds));
  console.log(line('account level (opt-in missing: +1 refused call)', account.bill.requests, 1 + Math.ceil(accountGroups / PAGE_GROUPS), accountGroups, account.bill.lines.length, account.seconds));
}
