/**
 * Test prices and profiles for the LMI model, built in code so the tests do not depend on the
 * bundled price file. EC2 us-east-1 Linux on-demand prices from the reference table
 * (/work/shared/reference/lmi-and-pricing.md section 4).
 */
import { defaultConfig, type Config } from '../../../src/config/schema.js';
import type { InstancePrice, PriceBook, RegionPrices } from '../../../src/prices/types.js';
import type { Architecture, FunctionProfile, PeriodSeconds, SnapshotWindow } from '../../../src/source/profile.js';

const SIZES: { size: string; vCpus: number; factor: number }[] = [
  { size: 'large', vCpus: 2, factor: 1 },
  { size: 'xlarge', vCpus: 4, factor: 2 },
  { size: '2xlarge', vCpus: 8, factor: 4 },
  { size: '4xlarge', vCpus: 16, factor: 8 },
];
const GIB_PER_VCPU: Record<string, number> = { c: 2, m: 4, r: 8 };

/** Price of the .large size per generation and family; sizes scale linearly (section 4). */
const LARGE_USD_PER_HOUR: { generation: string; family: 'c' | 'm' | 'r'; architecture: Architecture; usd: number }[] = [
  { generation: '7g', family: 'c', architecture: 'arm64', usd: 0.0725 },
  { generation: '7g', family: 'm', architecture: 'arm64', usd: 0.0816 },
  { generation: '7g', family: 'r', architecture: 'arm64', usd: 0.1071 },
  { generation: '7i', family: 'c', architecture: 'x86_64', usd: 0.08925 },
  { generation: '7i', family: 'm', architecture: 'x86_64', usd: 0.1008 },
  { generation: '7i', family: 'r', architecture: 'x86_64', usd: 0.1323 },
];

export function testInstances(): InstancePrice[] {
  const out: InstancePrice[] = [];
  for (const g of LARGE_USD_PER_HOUR) {
    for (const s of SIZES) {
      out.push({
        instanceType: `${g.family}${g.generation}.${s.size}`,
        family: g.family,
        architecture: g.architecture,
        vCpus: s.vCpus,
        memoryGiB: s.vCpus * (GIB_PER_VCPU[g.family] as number),
        // Rounded to 6 decimals so m7g.xlarge is exactly the pricing page's 0.1632.
        onDemandUsdPerHour: Math.round(g.usd * s.factor * 1e6) / 1e6,
      });
    }
  }
  return out;
}

export function testRegionPrices(instances: InstancePrice[] = testInstances()): RegionPrices {
  const tiers = (usd: number) => [{ fromGbSeconds: 0, toGbSeconds: Infinity, usdPerGbSecond: usd }];
  return {
    region: 'us-east-1',
    lambda: {
      requestUsd: { x86_64: 0.0000002, arm64: 0.0000002 },
      durationTiers: { x86_64: tiers(0.0000166667), arm64: tiers(0.0000133334) },
      provisionedConcurrencyUsdPerGbSecond: { x86_64: 0.0000041667, arm64: 0.0000033334 },
      provisionedDurationUsdPerGbSecond: { x86_64: 0.0000097222, arm64: 0.0000077778 },
      ephemeralStorageUsdPerGbSecond: { x86_64: 0.0000000309, arm64: 0.0000000309 },
      lmiRequestUsd: 0.0000002,
    },
    instances,
  };
}

/** A price book holding only us-east-1 (test prices above). */
export function testPriceBook(): PriceBook {
  return { source: 'bundled', asOf: '2026-11-01', regions: { 'us-east-1': testRegionPrices() }, warnings: [] };
}

/** A window of `periods` periods starting 2026-11-07T00:00:00Z. */
export function testWindow(periods: number, periodSeconds: PeriodSeconds = 60): SnapshotWindow {
  const startMs = Date.parse('2026-11-07T00:00:00Z');
  return {
    start: new Date(startMs).toISOString(),
    end: new Date(startMs + periods * periodSeconds * 1000).toISOString(),
    periodSeconds,
  };
}

export function testConfig(lmi: Partial<Config['lmi']> = {}): Config {
  const config = defaultConfig();
  return { ...config, lmi: { ...config.lmi, ...lmi } };
}

/**
 * A profile whose concurrency series is given; invocations per period follow Little's law from
 * the concurrency and the average duration (invocations = concurrency x period / duration).
 */
export function testProfile(args: {
  concurrency: (number | null)[];
  periodSeconds?: number;
  avgDurationMs?: number;
  runtime?: string | null;
  memoryMB?: number;
  architecture?: Architecture;
  name?: string;
  memoryUsedMBMax?: number | null;
  cpuSecondsPerInvocation?: number | null;
  invocations?: (number | null)[];
}): FunctionProfile {
  const periodSeconds = args.periodSeconds ?? 60;
  const durationMs = args.avgDurationMs ?? 100;
  const invocations =
    args.invocations ?? args.concurrency.map((c) => (c === null ? null : Math.round((c * periodSeconds * 1000) / durationMs)));
  return {
    region: 'us-east-1',
    name: args.name ?? 'fn',
    runtime: args.runtime === undefined ? 'nodejs22.x' : args.runtime,
    architecture: args.architecture ?? 'arm64',
    memoryMB: args.memoryMB ?? 2048,
    timeoutSeconds: 30,
    ephemeralStorageMB: 512,
    provisionedConcurrency: 0,
    tags: {},
    memoryUsedMBMax: args.memoryUsedMBMax ?? null,
    cpuSecondsPerInvocation: args.cpuSecondsPerInvocation ?? null,
    series: {
      invocations,
      durationMsSum: invocations.map((n) => (n === null ? null : n * durationMs)),
      concurrencyMax: args.concurrency,
    },
  };
}

/** The usage the caller passes to sizeLmi, from a profile's series. */
export function usageOf(profile: FunctionProfile): { invocations: number; avgDurationMs: number | null } {
  let invocations = 0;
  let durationMs = 0;
  profile.series.invocations.forEach((n, i) => {
    invocations += n ?? 0;
    durationMs += profile.series.durationMsSum[i] ?? 0;
  });
  return { invocations, avgDurationMs: invocations > 0 ? durationMs / invocations : null };
}
