import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, test } from 'vitest';
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
const GOLDEN_DIR = join(ROOT, 'test/render/golden');
const UPDATE = process.env.UPDATE_GOLDEN === '1';

function checkGolden(file: string, actual: string): void {
  const path = join(GOLDEN_DIR, file);
  if (UPDATE) {
    mkdirSync(GOLDEN_DIR, { recursive: true });
    writeFileSync(path, actual);
    return;
  }
  if (!existsSync(path)) {
    throw new Error(`golden file ${path} is missing: generate it with UPDATE_GOLDEN=1 npx vitest run test/render/golden.test.ts`);
  }
  const expected = readFileSync(path, 'utf8');
  if (actual !== expected) {
    // Point at the first differing line; the full diff is for `git diff` after UPDATE_GOLDEN=1.
    const a = actual.split('\n');
    const e = expected.split('\n');
    const line = a.findIndex((l, i) => l !== e[i]);
    expect(`${file}:${line + 1}: ${a[line] ?? '<end of file>'}`).toBe(`${file}:${line + 1}: ${e[line] ?? '<end of file>'}`);
  }
  expect(actual).toBe(expected);
}

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
