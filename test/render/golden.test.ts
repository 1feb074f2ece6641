import { beforeAll, describe, expect, test } from 'vitest';
import { checkGolden as checkGoldenFile } from '../helpers/golden.js';
import { defaultConfig } from '../../src/config/schema.js';
import { analyzeSnapshotFile } from '../../src/pipeline/analyze.js';
import type { ReportModel } from '../../src/report/types.js';
import { renderHtml } from '../../src/render/html.js';
import { renderJson } from '../../src/render/json.js';
import { renderMarkdown } from '../../src/render/markdown.js';
import { packageRoot } from '../../src/render/templates.js';

/**
 * Golden files for the bundled sample account: the three reports must stay byte-identical for
 * the same snapshot, config and --now. A deliberate change is regenerated with
 *   UPDATE_GOLDEN=1 npx vitest run test/render/golden.test.ts
 * and the diff reviewed like code.
 */
const ROOT = packageRoot();
// Relative on purpose: the path is printed in the report's "reproduce" command.
const SAMPLE = 'fixtures/sample-account.ndjson.gz';
const NOW = '2026-11-21T03:00:00Z';

const checkGolden = (file: string, actual: string): void => checkGoldenFile(file, actual, 'test/render/golden.test.ts');

describe('golden reports of the bundled sample account', () => {
  let model: ReportModel;

  beforeAll(async () => {
    expect(process.cwd(), 'run vitest from the package root').toBe(ROOT);
    model = await analyzeSnapshotFile(SAMPLE, { config: defaultConfig(), now: NOW });
  });

  test('report.md matches test/render/golden/sample-report.md', () => {
    checkGolden('sample-report.md', renderMarkdown(model));
  });

  test('report.html matches test/render/golden/sample-report.html', () => {
    checkGolden('sample-report.html', renderHtml(model));
  });

  test('report.json matches test/render/golden/sample-report.json', () => {
    checkGolden('sample-report.json', renderJson(model));
  });

  test('the same input renders the same bytes twice', async () => {
    // Act
    const again = await analyzeSnapshotFile(SAMPLE, { config: defaultConfig(), now: NOW });

    // Assess
    expect(renderMarkdown(again)).toBe(renderMarkdown(model));
    expect(renderHtml(again)).toBe(renderHtml(model));
  });
});
