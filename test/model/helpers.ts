/**
 * Builders for model tests: the bundled price book, and FunctionProfiles over a 730-hour window
 * so that a window is exactly one report month.
 */
import { defaultConfig, type Config } from '../../src/config/schema.js';
import { loadBundledPriceBook } from '../../src/prices/bundled.js';
import type { PriceBook } from '../../src/prices/types.js';
import type { Architecture, FunctionProfile, PeriodSeconds, SnapshotWindow } from '../../src/source/profile.js';
import type { ReportModel, RunInfo } from '../../src/report/types.js';
import { buildReport } from '../../src/model/build-report.js';
import { summarizeFunction } from '../../src/model/summarize.js';

/**
 * The bundled price book (us-east-1, source 'bundled'), plus `eu-west-1`: a synthetic test region
 * holding a copy of the us-east-1 figures, only to show that tiers are kept per region.
 * Regions absent here (e.g. `ap-nowhere-1`) have no prices.
 */
export function testPriceBook(): PriceBook {
  const book = loadBundledPriceBook();
  const east = book.regions['us-east-1'];
  if (!east) throw new Error('bundled price book has no us-east-1');
  book.regions['eu-west-1'] = { ...structuredClone(east), region: 'eu-west-1' };
  return book;
}

export const START = '2026-01-01T00:00:00Z';

/** A window of `hours` hours (default 730: exactly one report month). */
export function makeWindow(hours = 730, periodSeconds: PeriodSeconds = 3600): SnapshotWindow {
  return {
    start: START,
    end: new Date(Date.parse(START) + hours * 3_600_000).toISOString(),
    periodSeconds,
  };
}

export function periodsOf(window: SnapshotWindow): number {
  return Math.round((Date.parse(window.end) - Date.parse(window.start)) / 1000 / window.periodSeconds);
}

/** Integers summing exactly to `total`, spread as evenly as possible over n slots. */
export function spread(total: number, n: number): number[] {
  const base = Math.floor(total / n);
  let rest = total - base * n;
  return Array.from({ length: n }, () => {
    const extra = rest > 0 ? 1 : 0;
    rest -= extra;
    return base + extra;
  });
}

export interface SteadyOptions {
  name?: string;
  region?: string;
  architecture?: Architecture;
  runtime?: string | null;
  memoryMB?: number;
  ephemeralStorageMB?: number;
  provisionedConcurrency?: number;
  tags?: Record<string, string>;
  capacityProviderArn?: string | null;
  /** Invocations over the whole window, spread evenly. */
  invocations: number;
  durationMs: number;
  /** Peak concurrency per period; default: average concurrency rounded up (Little's law). */
  concurrencyMax?: number;
}

/** A function with the same traffic every period. */
export function steadyProfile(window: SnapshotWindow, o: SteadyOptions): FunctionProfile {
  const n = periodsOf(window);
  const invocations = spread(o.invocations, n);
  const durationMsSum = invocations.map((inv) => inv * o.durationMs);
  const concurrencyMax = durationMsSum.map((d) =>
    o.concurrencyMax ?? (d > 0 ? Math.ceil(d / (window.periodSeconds * 1000)) : 0),
  );
  return {
    region: o.region ?? 'us-east-1',
    name: o.name ?? 'fn',
    runtime: o.runtime === undefined ? 'nodejs22.x' : o.runtime,
    architecture: o.architecture ?? 'x86_64',
    memoryMB: o.memoryMB ?? 1024,
    timeoutSeconds: 30,
    ephemeralStorageMB: o.ephemeralStorageMB ?? 512,
    provisionedConcurrency: o.provisionedConcurrency ?? 0,
    tags: o.tags ?? {},
    capacityProviderArn: o.capacityProviderArn ?? null,
    series: { invocations, durationMsSum, concurrencyMax },
  };
}

/** Config defaults with overrides; roundingMs 0 where the pricing page uses billed durations. */
export function testConfig(patch: (c: Config) => void = () => {}): Config {
  const c = defaultConfig();
  c.billing.roundingMsPerInvocation = 0;
  patch(c);
  return c;
}

export const RUN: RunInfo = {
  tool: 'lmi-advisor',
  version: 'test',
  generatedAt: '2026-11-22T00:00:00Z',
  command: 'test',
  complete: true,
};

/** The CLI's path: summarize every profile, then merge into one report. */
export function reportFor(
  profiles: FunctionProfile[],
  window: SnapshotWindow,
  config: Config,
  priceBook: PriceBook = testPriceBook(),
): ReportModel {
  const summaries = profiles.map((p) => summarizeFunction(p, { window, prices: priceBook.regions[p.region], config }));
  return buildReport({
    accountId: '123456789012',
    window,
    summaries,
    priceBook,
    config,
    assumptions: [],
    run: RUN,
    warnings: [],
  });
}

/** Cents, for assertions only (the model never rounds). */
export const cents = (usd: number) => Math.round(usd * 100) / 100;
