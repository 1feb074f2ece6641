import { readFile, writeFile } from 'node:fs/promises';
import { expect } from 'vitest';

/**
 * A README block generated from code (between `<!-- name:start ... -->` and `<!-- name:end -->`)
 * must equal `generated`, word for word; UPDATE_README=1 rewrites the block instead of failing.
 */
export async function expectReadmeBlock(name: string, generated: string): Promise<void> {
  const readme = await readFile('README.md', 'utf8');
  const start = new RegExp(`<!-- ${name}:start[^>]*-->\\n`).exec(readme);
  const end = readme.indexOf(`\n<!-- ${name}:end -->`);
  expect(start, `README.md has no <!-- ${name}:start --> marker`).not.toBeNull();
  expect(end, `README.md has no <!-- ${name}:end --> marker`).toBeGreaterThan(0);
  const begin = (start?.index ?? 0) + (start?.[0].length ?? 0);
  const committed = readme.slice(begin, end);
  if (process.env.UPDATE_README === '1' && committed !== generated) {
    await writeFile('README.md', readme.slice(0, begin) + generated + readme.slice(end), 'utf8');
    return;
  }
  expect(committed).toBe(generated);
}
