/**
 * The data a what-if page carries: everything the model needs to rebuild the report for other
 * knob values, without the per-period series (src/whatif/replay-compact.ts). Collected during
 * `analyze` from each profile and its summary (src/pipeline/analyze.ts `onSummary`).
 */
import type { Config } from '../config/schema.js';
import type { FunctionSummary } from '../model/summary.js';
import type { PriceBook, RegionPrices } from '../prices/types.js';
import type { ChangeSummary, ReportWarning, RunInfo } from '../report/types.js';
import type { SummaryEvent } from '../pipeline/analyze.js';
import type { FunctionProfile, SnapshotHeader, SnapshotWindow } from '../source/profile.js';
import { extractCompactReplay, type CompactReplayData } from './replay-compact.js';

export const WHATIF_SCHEMA = 'lmi-advisor.whatif/v1';

/** One function: its summary without the knob-dependent parts, and what sizing needs. */
export interface WhatIfFunction {
  /** FunctionSummary without `cost` (pricing.lambdaDiscount) and `sizing` (the LMI knobs). */
  summary: Omit<FunctionSummary, 'cost' | 'sizing'>;
  /** The profile without its series (sizing reads runtime, memory, measured CPU...). */
  profile: Omit<FunctionProfile, 'series'>;
  /** null when the function is not sized (already on LMI, no known period, no prices). */
  sizing: {
    /** Window invocations, extrapolated over unknown periods (as summarize.ts passes to sizeLmi). */
    invocations: number;
    replay: CompactReplayData;
  } | null;
}

export interface WhatIfData {
  schema: typeof WHATIF_SCHEMA;
  accountId: string;
  window: SnapshotWindow;
  /** The run's config: the knobs' starting values and every knob the page does not move. */
  config: Config;
  run: RunInfo;
  /** Warnings recorded with the snapshot (they come first in the report). */
  recordedWarnings: ReportWarning[];
  /** The price book, cut to the functions' regions. */
  priceBook: PriceBook;
  functions: WhatIfFunction[];
  /**
   * What a nightly run (src/pipeline/run.ts) adds after analysis, which no knob changes: the
   * warnings of its collection and the changes since the previous run. Absent for `analyze`.
   */
  runOnly?: RunOnlyParts;
}

export interface RunOnlyParts {
  warnings: ReportWarning[];
  changes: ChangeSummary | null;
}


/** Collects WhatIfData while `analyze` streams the profiles (series are dropped after each). */
export class WhatIfCollector {
  private functions: WhatIfFunction[] = [];
  private header: SnapshotHeader | null = null;
  private priceBook: PriceBook | null = null;
  private config: Config | null = null;
  private values = 0;
  /** More replay values than `maxValues` were offered: the data was dropped (data() gives null). */
  overflowed = false;

  /** maxValues: numbers of compact replay kept at most (a memory bound for the nightly Lambda). */
  constructor(private readonly maxValues = Number.POSITIVE_INFINITY) {}

  add(event: SummaryEvent): void {
    if (this.overflowed) return;
    this.header = event.header;
    this.priceBook = event.priceBook;
    this.config = event.config;
    const { profile, summary, header, config } = event;
    const { cost: _cost, sizing: _sizing, ...rest } = summary;
    const { series: _series, ...profileRest } = profile;
    let sizing: WhatIfFunction['sizing'] = null;
    if (summary.sizing !== null) {
      const replay = extractCompactReplay(profile, header.window, config.lmi, summary.usage.avgDurationMs);
      // Exactly what summarize.ts handed sizeLmi (sizing exists only when it is known).
      sizing = { invocations: summary.windowInvocations ?? 0, replay };
      this.values += 2 * replay.servedValues.length + 3 * replay.pairServed.length + 2 * replay.markGaps.length + replay.bucketPeak.length;
      if (this.values > this.maxValues) {
        this.overflowed = true;
        this.functions = [];
        return;
      }
    }
    this.functions.push({ summary: rest, profile: profileRest, sizing });
  }

  data(run: RunInfo, runOnly?: RunOnlyParts): WhatIfData | null {
    if (this.overflowed || this.header === null || this.priceBook === null || this.config === null) return null;
    const regions = new Set(this.functions.map((f) => f.summary.region));
    const kept: Record<string, RegionPrices> = {};
    for (const [region, prices] of Object.entries(this.priceBook.regions)) if (regions.has(region)) kept[region] = prices;
    return {
      schema: WHATIF_SCHEMA,
      accountId: this.header.accountId,
      window: this.header.window,
      config: this.config,
      run,
      recordedWarnings: (this.header.warnings ?? []).map((w) => ({ ...w })),
      priceBook: { ...this.priceBook, regions: kept },
      functions: this.functions,
      ...(runOnly ? { runOnly } : {}),
    };
  }
}
