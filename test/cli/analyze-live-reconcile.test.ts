import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { register } from '../../src/cli/analyze-command.js';
import { register as registerRun } from '../../src/cli/run-command.js';
import type { ReportModel } from '../../src/report/types.js';
import { type CostExplorerFake, type FakeBillLine, startCostExplorerFake } from '../bill/cost-explorer-fake.js';
import { commandHarness } from './run-cli.js';
import { createFunction, motoClients, putTraffic, useMotoAccount } from '../publish/moto-account.js';

/**
 * `analyze --live --reconcile`: functions and metrics from moto, the bill from the local Cost
 * Explorer (AWS_ENDPOINT_URL_COST_EXPLORER, as a laptop would point it), Price List mocked.
 */

const account = useMotoAccount('lmi-analyze-reconcile-');
const cli = () => commandHarness(register);
let fake: CostExplorerFake | undefined;
afterEach(async () => {
  await fake?.close();
  fake = undefined;
});

const DAY = '2026-11-20';
const INVOCATIONS = 96 * 20_000;
// Duration + 0.5 ms rounding per invocation, x 2 GB.
const MODELLED_GBS = ((INVOCATIONS * 200 + INVOCATIONS * 0.5) / 1000) * 2;
const INIT_GBS = 20_000;
const ARM_FIRST_TIER = 0.0000133334;

function bill(resourceId: string): FakeBillLine[] {
  const gbs = MODELLED_GBS + INIT_GBS;
  return [
    { day: DAY, usageType: 'Request-ARM', resourceId, region: 'us-east-1', quantity: INVOCATIONS, unblendedUsd: INVOCATIONS * 0.2e-6, netUnblendedUsd: INVOCATIONS * 0.2e-6 },
    { day: DAY, usageType: 'Lambda-GB-Second-ARM', resourceId, region: 'us-east-1', quantity: gbs, unblendedUsd: gbs * ARM_FIRST_TIER, netUnblendedUsd: gbs * ARM_FIRST_TIER },
  ];
}

async function runAnalyze(out: string, extra: string[] = []) {
  const config = join(account.dir, 'cfg.yaml');
  await writeFile(config, 'recommend:\n  minWindowDays: 1\n');
  const harness = cli();
  await harness.program.parseAsync(
    ['analyze', '--live', '--regions', 'us-east-1', '--days', '2', '--now', '2026-11-21T03:00:00Z', '--out', out, '--config', config, '--format', 'json,md', ...extra],
    { from: 'user' },
  );
  const report = JSON.parse(await readFile(join(out, 'report.json'), 'utf8')) as ReportModel;
  return { report, harness };
}

describe('analyze --live --reconcile against moto and the local Cost Explorer', () => {
  it('adds the Reconciliation section: the INIT put into the bill is found, requests are counted', async () => {
    account.useSdkEnv();
    const clients = motoClients(account.moto);
    await createFunction(clients, 'api', 2048);
    await putTraffic(clients, 'api', new Date('2026-11-19T00:00:00Z'), 52, { invocations: 20_000, durationMs: 200, concurrency: 20 });
    fake = await startCostExplorerFake({ lines: bill('arn:aws:lambda:us-east-1:123456789012:function:api') });
    vi.stubEnv('AWS_ENDPOINT_URL_COST_EXPLORER', fake.url);

    const { report, harness } = await runAnalyze(join(account.dir, 'with'), ['--reconcile']);

    expect(harness.context.exitCode).toBe(0);
    const r = report.reconciliation!;
    expect(r.status).toBe('ok');
    expect(r.level).toBe('resource');
    expect([r.firstDay, r.lastDay]).toEqual([DAY, DAY]);
    const api = r.functions.find((f) => f.name === 'api')!;
    expect(api.requests.deviation).toBe(0);
    expect(api.durationGbSeconds.deviation).toBeCloseTo(-INIT_GBS, 4);
    expect(api.reasons.map((x) => x.code)).toEqual(['init']);
    expect(r.costExplorer).toEqual({ requests: 1, usd: 0.01 });
    expect(fake.requests).toEqual({ GetCostAndUsageWithResources: 1 });
    expect(report.run.command).toContain('--reconcile');
    expect(harness.out.join('')).toMatch(/bill: modelled standard cost for 2026-11-20 is within \d+\.\d % of the bill .*Cost Explorer: 1 request\(s\), \$0\.01/);
  });

  it('without --reconcile: no Cost Explorer request, no section', async () => {
    account.useSdkEnv();
    fake = await startCostExplorerFake({ lines: [] });
    vi.stubEnv('AWS_ENDPOINT_URL_COST_EXPLORER', fake.url);
    const { report } = await runAnalyze(join(account.dir, 'without'));
    expect(report.reconciliation).toBeUndefined();
    expect(fake.requests).toEqual({});
  });

  it('AccessDenied: a warning, the report still publishes, the section says why it is empty', async () => {
    account.useSdkEnv();
    fake = await startCostExplorerFake({ lines: [], denyAll: true });
    vi.stubEnv('AWS_ENDPOINT_URL_COST_EXPLORER', fake.url);
    const { report, harness } = await runAnalyze(join(account.dir, 'denied'), ['--reconcile']);
    expect(harness.context.exitCode).toBe(0);
    expect(report.reconciliation!.status).toBe('unavailable');
    expect(report.reconciliation!.reason).toMatch(/Cost Explorer denied access .*ce:GetCostAndUsage/);
    expect(report.warnings.some((w) => w.code === 'reconcile-unavailable')).toBe(true);
    expect(await readFile(join(account.dir, 'denied', 'report.md'), 'utf8')).toMatch(/## Reconciliation with the bill\n\n\*\*no reconciliation with the bill: [^\n]*Cost Explorer denied access[^\n]*\n\nNothing was compared: [^\n]*Cost Explorer denied access/);
  });
});

describe('run --reconcile', () => {
  it('publishes the section with the run, and prints the headline and Cost Explorer cost', async () => {
    account.useSdkEnv();
    vi.stubEnv('SLACK_WEBHOOK_URL', '');
    fake = await startCostExplorerFake({ lines: bill('arn:aws:lambda:us-east-1:123456789012:function:api') });
    vi.stubEnv('AWS_ENDPOINT_URL_COST_EXPLORER', fake.url);
    const config = join(account.dir, 'cfg.yaml');
    await writeFile(config, 'recommend:\n  minWindowDays: 1\n');
    const out = join(account.dir, 'run-out');
    const harness = commandHarness(registerRun);
    await harness.program.parseAsync(
      ['run', '--regions', 'us-east-1', '--days', '2', '--now', '2026-11-21T03:00:00Z', '--publish', 'dir', '--out', out, '--config', config, '--reconcile'],
      { from: 'user' },
    );
    expect(harness.context.exitCode).toBe(0);
    const report = JSON.parse(await readFile(join(out, 'report.json'), 'utf8')) as ReportModel;
    expect(report.reconciliation!.status).toBe('ok');
    expect(report.run.command).toMatch(/--reconcile$/);
    expect(harness.out.join('')).toMatch(/bill: modelled standard cost for 2026-11-20 .*Cost Explorer: 1 request\(s\), \$0\.01/);
    expect(await readFile(join(out, 'report.md'), 'utf8')).toContain('## Reconciliation with the bill');
    expect(await readFile(join(out, 'report.html'), 'utf8')).toContain('<h2 id="h-reconciliation">Reconciliation with the bill</h2>');
  });
});
