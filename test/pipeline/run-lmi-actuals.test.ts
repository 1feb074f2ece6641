import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { LmiProviderMetricsRead } from '../../src/bill/types.js';
import { defaultConfig } from '../../src/config/schema.js';
import { runPipeline, type SourceFn } from '../../src/pipeline/run.js';
import { loadBundledPriceBook } from '../../src/prices/bundled.js';
import { RECONCILE_READ_ONLY } from '../../src/whatif/page.js';
import { NOW, PROVIDER_ARN, syntheticSnapshot } from '../bill/synthetic-account.js';

/**
 * `run --reconcile` with a function already on LMI: the pipeline asks for the CloudWatch
 * capacity-provider metrics of exactly the providers in use (after the bill) and the LMI row
 * shows them next to the model; a failing read is a note in the row, and the report publishes.
 */
let dir: string | undefined;
afterEach(async () => {
  if (dir) await rm(dir, { recursive: true, force: true });
  dir = undefined;
});

const { header, profiles } = syntheticSnapshot();
const source: SourceFn = async () => ({
  header: { ...header, bill: undefined },
  profiles,
  priceBook: loadBundledPriceBook(),
  warnings: [],
  failedRegions: [],
});

async function run(fetchLmiMetrics: (args: { providers: { region: string; capacityProviderArn: string }[] }) => Promise<LmiProviderMetricsRead>, formats = ['json']) {
  dir = await mkdtemp(join(tmpdir(), 'lmi-actuals-'));
  return runPipeline({
    regions: ['us-east-1'],
    days: 14,
    now: NOW,
    config: defaultConfig(),
    source,
    channels: ['dir'],
    targets: { dir: { outDir: dir } },
    formats,
    reconcile: { fetchBill: async () => header.bill!, fetchLmiMetrics },
  });
}

describe('runPipeline --reconcile: LMI actuals from CloudWatch', () => {
  it('asks for the providers in use and shows CloudWatch next to the model in the LMI row', async () => {
    const asked: { region: string; capacityProviderArn: string }[][] = [];
    const result = await run(async ({ providers }) => {
      asked.push(providers);
      return {
        providers: [
          {
            region: 'us-east-1',
            capacityProviderArn: PROVIDER_ARN,
            instanceTypes: ['m7g.xlarge'],
            daysWithData: 14,
            cpuUtilizationPctByType: { 'm7g.xlarge': 22 },
            vCpuAllocatedAvg: 8,
            vCpuAvailableAvg: 4,
          },
        ],
        notes: [],
        requests: 2,
      };
    });
    expect(asked).toEqual([[{ region: 'us-east-1', capacityProviderArn: PROVIDER_ARN }]]);
    const [row] = result.model.reconciliation!.lmi;
    expect(row!.cloudWatch).toMatchObject({ vCpuAllocatedAvg: 8, vCpuAvailableAvg: 4, cpuUtilizationPctByType: { 'm7g.xlarge': 22 } });
    expect(row!.cloudWatch!.predictedVCpuAllocatedAvg).toBeGreaterThan(0);
    expect(row!.message).toMatch(/CloudWatch: vCPUs allocated 8\.0 on average \(model \d/);
  });

  it('a failed read is said in the row, and the report still publishes', async () => {
    const result = await run(async () => {
      throw new Error('AccessDenied: cloudwatch:ListMetrics');
    });
    expect(result.exitCode).toBe(0);
    const [row] = result.model.reconciliation!.lmi;
    expect(row!.cloudWatch).toBeNull();
    expect(row!.message).toContain('CloudWatch capacity-provider metrics not read: AccessDenied: cloudwatch:ListMetrics');
  });

  it('report.html shows the what-if panel read-only, says why, and keeps the Reconciliation section', async () => {
    // Act
    await run(async () => ({ providers: [], notes: [], requests: 0 }), ['html']);
    const html = await readFile(join(dir!, 'report.html'), 'utf8');

    // Assess: the knobs are shown with the run's values, no data or script is embedded.
    expect(html).toContain('data-knob="lmi.discount"');
    expect(html).toContain(RECONCILE_READ_ONLY.replace(/'/g, '&#x27;'));
    expect(html).not.toContain('id="lmi-whatif-data"');
    expect(html).toContain('Reconciliation');
  });
});
