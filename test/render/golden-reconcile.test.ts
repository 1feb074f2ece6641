import { readFileSync, writeFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, test } from 'vitest';
import { checkGolden as checkGoldenFile, UPDATE_GOLDEN as UPDATE } from '../helpers/golden.js';
import { defaultConfig } from '../../src/config/schema.js';
import { analyzeSnapshotFile } from '../../src/pipeline/analyze.js';
import type { ReportModel } from '../../src/report/types.js';
import { renderHtml } from '../../src/render/html.js';
import { renderJson } from '../../src/render/json.js';
import { renderMarkdown } from '../../src/render/markdown.js';
import { packageRoot } from '../../src/render/templates.js';
import { writeSnapshot } from '../../src/source/snapshot-writer.js';
import { syntheticSnapshot } from '../bill/synthetic-account.js';

/**
 * Golden reports WITH the Reconciliation section: the synthetic billed account (test/bill:
 * INIT on `api`, a Savings Plan on `worker`, an LMI function, an unknown usage type), recorded
 * with its bill in fixtures/reconcile-account.ndjson, analysed offline with --reconcile.
 * Regenerate (fixture and goldens) with UPDATE_GOLDEN=1 npx vitest run test/render/golden-reconcile.test.ts
 */
const ROOT = packageRoot();
const FIXTURE = 'fixtures/reconcile-account.ndjson';
const NOW = '2026-11-24T03:00:00Z';

const checkGolden = (file: string, actual: string): void => checkGoldenFile(file, actual, 'test/render/golden-reconcile.test.ts');

describe('golden reports with the Reconciliation section', () => {
  let model: ReportModel;

  beforeAll(async () => {
    expect(process.cwd(), 'run vitest from the package root').toBe(ROOT);
    const { header, profiles } = syntheticSnapshot();
    const dir = await mkdtemp(join(tmpdir(), 'lmi-recon-fixture-'));
    try {
      const fresh = join(dir, 'reconcile-account.ndjson');
      await writeSnapshot(fresh, header, profiles);
      if (UPDATE) writeFileSync(join(ROOT, FIXTURE), readFileSync(fresh));
      // The committed fixture is exactly what the synthetic account gives.
      expect(readFileSync(join(ROOT, FIXTURE), 'utf8')).toBe(readFileSync(fresh, 'utf8'));
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
    model = await analyzeSnapshotFile(FIXTURE, { config: defaultConfig(), now: NOW, reconcile: true });
  });

  test('the section is there, with the INIT, the Savings Plan, LMI actuals and the unknown usage type', () => {
    const r = model.reconciliation!;
    expect(r.status).toBe('ok');
    expect(r.functions.map((f) => [f.name, f.reasons.map((x) => x.code)])).toEqual([
      ['api', ['init']],
      ['pc-fn', []],
      ['worker', ['savings-plan']],
    ]);
    expect(r.lmi).toHaveLength(1);
    expect(r.lmi[0]!.predictedUsd).not.toBeNull();
    // Recorded with the bill, shown offline: CloudWatch next to the model.
    expect(r.lmi[0]!.cloudWatch).toMatchObject({ vCpuAllocatedAvg: 8, vCpuAvailableAvg: 4, cpuUtilizationPctByType: { 'm7g.xlarge': 35 } });
    expect(r.unknownUsageTypes.map((u) => u.usageType)).toEqual(['Lambda-SnapStart-Cache-GB-Second']);
    expect(model.run.command).toContain('--reconcile');
  });

  test('report.md matches test/render/golden/reconcile-report.md', () => {
    checkGolden('reconcile-report.md', renderMarkdown(model));
  });

  test('report.html matches test/render/golden/reconcile-report.html', () => {
    checkGolden('reconcile-report.html', renderHtml(model));
  });

  test('report.json matches test/render/golden/reconcile-report.json', () => {
    checkGolden('reconcile-report.json', renderJson(model));
  });
});
