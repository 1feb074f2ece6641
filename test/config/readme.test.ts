import { readFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { expectReadmeBlock } from '../helpers/readme-block.js';
import { knobTableMarkdown } from '../../src/config/assumptions.js';

describe('README.md', () => {
  it('starts with the two set-up commands', async () => {
    const readme = await readFile('README.md', 'utf8');
    expect(readme.split('\n').slice(0, 4)).toEqual([
      '```',
      'npm ci && npm start     # analyses the bundled sample account into reports/',
      'npm ci && npm test      # runs the tests',
      '```',
    ]);
  });

  // UPDATE_README=1 rewrites the table from KNOB_DESCRIPTIONS instead of failing.
  it('holds the knob table generated from KNOB_DESCRIPTIONS', async () => {
    await expectReadmeBlock('knobs', knobTableMarkdown());
  });
});
