import { describe, expect, it } from 'vitest';
import { expectReadmeBlock } from '../helpers/readme-block.js';
import { RECOMMENDATIONS } from '../../src/report/types.js';
import { VERDICT_DEFINITIONS, VERDICT_LABELS, verdictDefinitionsMarkdown } from '../../src/report/verdicts.js';

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
    await expectReadmeBlock('verdicts', verdictDefinitionsMarkdown());
  });
});
