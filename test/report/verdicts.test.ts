import { readFile, writeFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { RECOMMENDATIONS } from '../../src/report/types.js';
import { VERDICT_DEFINITIONS, VERDICT_LABELS, verdictDefinitionsMarkdown } from '../../src/report/verdicts.js';

const START = /<!-- verdicts:start[^>]*-->\n/;
const END = '\n<!-- verdicts:end -->';

describe('verdict definitions', () => {
  it('define and label every recommendation', () => {
    for (const r of RECOMMENDATIONS) {
      expect(VERDICT_DEFINITIONS[r].length).toBeGreaterThan(40);
      expect(VERDICT_LABELS[r].length).toBeGreaterThan(0);
    }
    expect(verdictDefinitionsMarkdown().split('\n')).toHaveLength(RECOMMENDATIONS.length);
  });

  // UPDATE_README=1 rewrites the block from VERDICT_DEFINITIONS instead of failing.
  it('are the README definitions, word for word', async () => {
    // Prepare
    const readme = await readFile('README.md', 'utf8');
    const start = START.exec(readme);
    const end = readme.indexOf(END);
    expect(start).not.toBeNull();
    expect(end).toBeGreaterThan(0);
    const begin = (start?.index ?? 0) + (start?.[0].length ?? 0);
    // Act
    const committed = readme.slice(begin, end);
    const generated = verdictDefinitionsMarkdown();
    if (process.env.UPDATE_README === '1' && committed !== generated) {
      await writeFile('README.md', readme.slice(0, begin) + generated + readme.slice(end), 'utf8');
      return;
    }
    // Assess
    expect(committed).toBe(generated);
  });
});
