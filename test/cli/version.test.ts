import { readFile } from 'node:fs/promises';
import { expect, it } from 'vitest';
import { VERSION } from '../../src/version.js';

it('VERSION matches package.json', async () => {
  const pkg = JSON.parse(await readFile('package.json', 'utf8')) as { version: string };
  expect(VERSION).toBe(pkg.version);
});
