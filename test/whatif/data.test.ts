import { describe, expect, it } from 'vitest';
import { defaultConfig } from '../../src/config/schema.js';
import { analyzeProfiles, priceBookFor } from '../../src/pipeline/analyze.js';
import { WhatIfCollector } from '../../src/whatif/data.js';
import { loadSample, SAMPLE_RUN } from './sample.js';

// The collector's memory bound (the nightly run's): past it, nothing is kept and no data is given.
describe('WhatIfCollector', () => {
  it('keeps every function under its bound, and drops all of it past the bound', async () => {
    // Prepare
    const { header, profiles } = await loadSample();
    const collect = async (maxValues?: number) => {
      const collector = new WhatIfCollector(maxValues);
      const model = await analyzeProfiles({ header, profiles, priceBook: priceBookFor(header), config: defaultConfig(), run: SAMPLE_RUN, onSummary: (e) => collector.add(e) });
      return { collector, data: collector.data(model.run), functions: model.functions.length };
    };

    // Act
    const unbounded = await collect();
    const bounded = await collect(1000);

    // Assess
    expect(unbounded.collector.overflowed).toBe(false);
    expect(unbounded.data?.functions).toHaveLength(unbounded.functions);
    expect(bounded.collector.overflowed).toBe(true);
    expect(bounded.data).toBeNull();
  });
});
