import { readFile, writeFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { knobTableMarkdown } from '../../src/config/assumptions.js';

const START = /<!-- knobs:start[^>]*-->\n/;
const END = '\n<!-- knobs:end -->';

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
    // Prepare
    const readme = await readFile('README.md', 'utf8');
    const start = START.exec(readme);
    const end = readme.indexOf(END);
    expect(start).not.toBeNull();
    expect(end).toBeGreaterThan(0);
    const begin = (start?.index ?? 0) + (start?.[0].length ?? 0);
    // Act
    const committed = readme.slice(begin, end);
    const generated = knobTableMarkdown();
    if (process.env.UPDATE_README === '1' && committed !== generated) {
      await writeFile('README.md', readme.slice(0, begin) + generated + readme.slice(end), 'utf8');
      return;
    }
    // Assess
    expect(committed).toBe(generated);
  });
});
