import { defaultConfig } from '../src/config/schema.js';
import { analyzeProfiles, priceBookFor } from '../src/pipeline/analyze.js';
import { loadBundledPriceBook } from '../src/prices/bundled.js';
import type { ReportModel } from '../src/report/types.js';
import { WhatIfCollector, type WhatIfData } from '../src/whatif/data.js';
import { generateAccount } from '../scripts/sample-generator.js';

/** Seed of the synthetic account both what-if benches use. */
export const WHATIF_BENCH_SEED = 7;

/**
 * The what-if benches' account: `functions` synthetic functions (scripts/sample-generator.ts,
 * 14 days x 60 s, seed 7) through analyze with the default config and the what-if collector.
 */
export async function whatIfBenchAccount(functions: number, command: string): Promise<{ model: ReportModel; data: WhatIfData }> {
  const { header, profiles } = generateAccount({ seed: WHATIF_BENCH_SEED, functions });
  const collector = new WhatIfCollector();
  const model = await analyzeProfiles({
    header,
    profiles: profiles(),
    priceBook: header.prices ? priceBookFor(header) : loadBundledPriceBook(),
    config: defaultConfig(),
    run: { tool: 'lmi-advisor', version: 'bench', generatedAt: header.capturedAt, command },
    onSummary: (e) => collector.add(e),
  });
  const data = collector.data(model.run);
  if (data === null) throw new Error('no function');
  return { model, data };
}
