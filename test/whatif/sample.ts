/**
 * The sample account loaded once per test file, the what-if data of a base run, and the report
 * `analyze --config` builds for given knobs (the same pipeline function the CLI calls).
 */
import { join } from 'node:path';
import { defaultConfig, type Config } from '../../src/config/schema.js';
import { analyzeProfiles, priceBookFor } from '../../src/pipeline/analyze.js';
import type { ReportModel, RunInfo } from '../../src/report/types.js';
import type { FunctionProfile, SnapshotHeader } from '../../src/source/profile.js';
import { openSnapshot } from '../../src/source/snapshot-reader.js';
import { packageRoot } from '../../src/render/templates.js';
import { WhatIfCollector, type WhatIfData } from '../../src/whatif/data.js';
import { applyKnobs, type KnobValues } from '../../src/whatif/knobs.js';

export const SAMPLE_SNAPSHOT = join(packageRoot(), 'fixtures', 'sample-account.ndjson.gz');

export const SAMPLE_RUN: Omit<RunInfo, 'complete'> = {
  tool: 'lmi-advisor',
  version: 'test',
  generatedAt: '2026-11-21T03:00:00.000Z',
  command: 'lmi-advisor analyze --snapshot fixtures/sample-account.ndjson.gz',
  snapshot: 'fixtures/sample-account.ndjson.gz',
};

export interface Sample {
  header: SnapshotHeader;
  profiles: FunctionProfile[];
  base: ReportModel;
  data: WhatIfData;
  /** The sized functions without measured CPU (a CPU share override control each). */
  unmeasured: { region: string; name: string }[];
  /** What analyze builds with the base config and these knobs. */
  analyze(values: KnobValues): Promise<ReportModel>;
  config(values: KnobValues): Config;
}

export async function loadSample(baseConfig: Config = defaultConfig()): Promise<Sample> {
  const { header, profiles: stream } = await openSnapshot(SAMPLE_SNAPSHOT);
  const profiles: FunctionProfile[] = [];
  for await (const p of stream) profiles.push(p);
  const priceBook = priceBookFor(header);
  const collector = new WhatIfCollector();
  const base = await analyzeProfiles({
    header,
    profiles,
    priceBook,
    config: baseConfig,
    run: SAMPLE_RUN,
    onSummary: (e) => collector.add(e),
  });
  const data = collector.data(base.run);
  if (data === null) throw new Error('sample: no function collected');
  const config = (values: KnobValues) => applyKnobs(baseConfig, values);
  const unmeasured = data.functions
    .filter((f) => f.sizing !== null && (f.profile.cpuSecondsPerInvocation === null || f.profile.cpuSecondsPerInvocation === undefined))
    .map((f) => ({ region: f.summary.region, name: f.summary.name }));
  return {
    header,
    profiles,
    unmeasured,
    base,
    data,
    config,
    analyze: (values) => analyzeProfiles({ header, profiles, priceBook, config: config(values), run: SAMPLE_RUN }),
  };
}
