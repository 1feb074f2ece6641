import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect } from 'vitest';
import { packageRoot } from '../../src/render/templates.js';

/** Where every golden report lives. */
export const GOLDEN_DIR = join(packageRoot(), 'test/render/golden');
/** UPDATE_GOLDEN=1 rewrites the golden files instead of comparing (a deliberate change). */
export const UPDATE_GOLDEN = process.env.UPDATE_GOLDEN === '1';

/**
 * Compares `actual` with the golden `file` byte for byte, pointing at the first differing line
 * (the full diff is for `git diff` after regenerating); `testFile` names the command that
 * regenerates it.
 */
export function checkGolden(file: string, actual: string, testFile: string): void {
  const path = join(GOLDEN_DIR, file);
  if (UPDATE_GOLDEN) {
    mkdirSync(GOLDEN_DIR, { recursive: true });
    writeFileSync(path, actual);
    return;
  }
  if (!existsSync(path)) {
    throw new Error(`golden file ${path} is missing: generate it with UPDATE_GOLDEN=1 npx vitest run ${testFile}`);
  }
  const expected = readFileSync(path, 'utf8');
  if (actual !== expected) {
    const a = actual.split('\n');
    const e = expected.split('\n');
    const line = a.findIndex((l, i) => l !== e[i]);
    expect(`${file}:${line + 1}: ${a[line] ?? '<end of file>'}`).toBe(`${file}:${line + 1}: ${e[line] ?? '<end of file>'}`);
  }
  expect(actual).toBe(expected);
}
