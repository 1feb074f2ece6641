import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { assertFinite } from '../../../src/model/summarize.js';
import { breakEvenCpuShareAtLeast } from '../../../src/model/break-even.js';
import { CPU_SHARE_GRID, lmiResultFinite, sizeLmi, Sizing, TRAFFIC_SCALE_GRID } from '../../../src/model/lmi/size.js';
import type { PeriodSeconds } from '../../../src/source/profile.js';
import { testConfig, testProfile, testRegionPrices, testWindow, usageOf } from './helpers.js';

const DAY = 1440;

function size(
  concurrency: (number | null)[],
  opts: { periodSeconds?: PeriodSeconds; lmi?: Parameters<typeof testConfig>[0]; profile?: Partial<Parameters<typeof testProfile>[0]> } = {},
) {
  const periodSeconds = opts.periodSeconds ?? 60;
  const profile = testProfile({ concurrency, periodSeconds, ...opts.profile });
  const ctx = { window: testWindow(concurrency.length, periodSeconds), prices: testRegionPrices(), config: testConfig(opts.lmi) };
  return { sizing: sizeLmi(profile, usageOf(profile), ctx), profile };
}

describe('sizeLmi: a steady load', () => {
  it('reproduces the hand calculation and throttles nothing', () => {
    // Prepare: Node.js 2048 MB, 100 ms, 10 concurrent all day; 10 % CPU -> 10 per EE,
    // 1 EE needed x headroom 2 = 2 < minEnvironments 3 -> 3 EEs of 1 vCPU / 2 GiB.
    // c7g.large holds 1 (min(2-1, (4096-1024)/2048)); 3 instances = the floor.
    // (lmi.cpuBound single-threaded: Node.js at most 1 vCPU, so 10 % of 1 vCPU.)
    const { sizing } = size(new Array(DAY).fill(10), { lmi: { cpuBusyFraction: 0.1, cpuBound: 'single-threaded' } });

    // Assess
    const r = sizing!.result;
    expect(r.perEnvironmentConcurrency).toBe(10);
    expect(r.concurrencyLimitedBy).toBe('cpu');
    expect(r.maxEnvironments).toBe(3);
    expect(r.instanceType).toBe('c7g.large');
    expect(r.peakInstances).toBe(3);
    expect(r.instanceHours).toBeCloseTo(3 * 730, 9);
    expect(r.ec2Usd).toBeCloseTo(3 * 730 * 0.0725, 9);
    expect(r.managementFeeUsd).toBeCloseTo(3 * 730 * 0.0725 * 0.15, 9);
    // 6,000 invocations a minute for a day, scaled to 730 h, at $0.20 per million.
    expect(r.requestsUsd).toBeCloseTo(6000 * DAY * (730 / 24) * 0.0000002, 9);
    expect(r.totalUsd).toBeCloseTo(r.ec2Usd + r.managementFeeUsd + r.requestsUsd, 9);
    expect(r.throttledInvocations).toBe(0);
    expect(r.cpuSource).toBe('assumed');
    expect(r.breakEvenCpuShare).toBeNull();
    expect(sizing!.risks.join('\n')).not.toMatch(/throttled|coarse/);
  });

  it('the discount lowers EC2 only', () => {
    const plain = size(new Array(DAY).fill(10)).sizing!.result;
    const discounted = size(new Array(DAY).fill(10), { lmi: { discount: 0.5 } }).sizing!.result;

    expect(discounted.instanceType).toBe(plain.instanceType);
    expect(discounted.ec2Usd).toBeCloseTo(plain.ec2Usd / 2, 9);
    expect(discounted.managementFeeUsd).toBeCloseTo(plain.managementFeeUsd, 9);
  });
});

describe('sizeLmi: a burst', () => {
  // 10 concurrent, then 30 (x3) for an hour from minute 600, then 10 again. Node.js 2048 MB at
  // the single-threaded CPU bound (lmi.cpuBound): 1 per EE. Capacity 10 x headroom 2 = 20 EEs
  // before the burst.
  const single = { cpuBound: 'single-threaded' } as const;
  const burst = (periods: number, at: number, length: number) =>
    Array.from({ length: periods }, (_, i) => (i >= at && i < at + length ? 30 : 10));

  it('tripling within one minute (60 s periods) throttles until scale-out catches up', () => {
    const { sizing, profile } = size(burst(DAY, 600, 60), { lmi: single });

    // Throttled for L = 5 periods: 18,000 invocations a period (30 x 60 s / 100 ms), 10 of 30 over.
    const r = sizing!.result;
    expect(r.perEnvironmentConcurrency).toBe(1);
    const perPeriod = profile.series.invocations[600]!;
    expect(r.throttledInvocations).toBeCloseTo(5 * perPeriod * (10 / 30), 6);
    expect(sizing!.risks.some((s) => s.includes('throttled'))).toBe(true);
    expect(sizing!.risks.join('\n')).not.toMatch(/coarse/);
    // The chart marks exactly the buckets holding the throttled periods 600..604.
    const bucketPeriods = sizing!.chart.bucketSeconds / 60;
    const expected = new Set([600, 604].map((p) => Math.floor(p / bucketPeriods)));
    const marked = sizing!.chart.throttled.flatMap((t, b) => (t ? [b] : []));
    expect(new Set(marked)).toEqual(expected);
  });

  it('the same burst seen at 3600 s periods gives no throttle but the coarse-data risk', () => {
    const hourly = burst(24, 10, 1);

    const { sizing } = size(hourly, { periodSeconds: 3600 });

    expect(sizing!.result.throttledInvocations).toBe(0);
    expect(sizing!.risks).toContain('coarse data: bursts within 60-minute periods are not seen');
  });

  it('capacity is released only after the scale-in wait', () => {
    const { sizing } = size(burst(DAY, 600, 60), { lmi: { scaleInMinutes: 15, ...single } });

    // Up at 605 (+5), held through 659 + 5 + 15 = 679: 75 periods at 60 EEs, the rest at 20.
    const r = sizing!.result;
    expect(r.maxEnvironments).toBe(60);
    expect(r.avgEnvironments).toBeCloseTo((75 * 60 + (DAY - 75) * 20) / DAY, 9);
  });
});

describe('sizeLmi: properties', () => {
  const series = fc.array(fc.oneof(fc.nat({ max: 400 }), fc.constant(null)), { minLength: 1, maxLength: 300 });

  it('never fewer than minInstances instances', () => {
    fc.assert(
      fc.property(series, fc.integer({ min: 1, max: 6 }), fc.integer({ min: 0, max: 5 }), (c, minInstances, minEnvironments) => {
        const { sizing } = size(c, { lmi: { minInstances, minEnvironments } });
        const r = sizing!.result;
        expect(r.peakInstances).toBeGreaterThanOrEqual(minInstances);
        expect(r.avgInstances).toBeGreaterThanOrEqual(minInstances - 1e-9);
        expect(r.instanceHours).toBeGreaterThanOrEqual(minInstances * 730 * (1 - 1e-9));
      }),
      { numRuns: 60 },
    );
  });

  it('cost never falls when concurrency and invocations rise', () => {
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.nat({ max: 300 }), fc.nat({ max: 300 })), { minLength: 1, maxLength: 200 }),
        fc.constantFrom('nodejs22.x', 'python3.13', 'java21'),
        (pairs, runtime) => {
          const low = size(pairs.map(([c]) => c), { profile: { runtime } }).sizing!.result;
          const high = size(pairs.map(([c, d]) => c + d), { profile: { runtime } }).sizing!.result;
          expect(high.totalUsd).toBeGreaterThanOrEqual(low.totalUsd * (1 - 1e-12));
        },
      ),
      { numRuns: 60 },
    );
  });

  it('the histogram pricing agrees with the full pass, and the grids are monotone', () => {
    fc.assert(
      fc.property(series, fc.constantFrom(0.05, 0.3, 1), (c, cpuBusyFraction) => {
        // Single-threaded: the used CPU share is exactly cpuBusyFraction (Node.js 2048 MB capped at 1 vCPU).
        const { sizing } = size(c, { lmi: { cpuBusyFraction, cpuBound: 'single-threaded' } });
        const s = sizing!;
        const atOne = s.costByTrafficScale.find((p) => p.scale === 1)!;
        const atShare = s.costByCpuShare.find((p) => Math.abs(p.cpuShare - cpuBusyFraction) < 1e-12)!;
        expect(atOne.totalUsd).toBeCloseTo(s.result.totalUsd, 6);
        expect(atShare.totalUsd).toBeCloseTo(s.result.totalUsd, 6);
        for (let i = 1; i < s.costByTrafficScale.length; i++) {
          expect(s.costByTrafficScale[i]!.scale).toBeGreaterThan(s.costByTrafficScale[i - 1]!.scale);
          expect(s.costByTrafficScale[i]!.totalUsd).toBeGreaterThanOrEqual(s.costByTrafficScale[i - 1]!.totalUsd * (1 - 1e-12));
        }
        for (let i = 1; i < s.costByCpuShare.length; i++) {
          expect(s.costByCpuShare[i]!.cpuShare).toBeLessThan(s.costByCpuShare[i - 1]!.cpuShare);
          expect(s.costByCpuShare[i]!.totalUsd).toBeLessThanOrEqual(s.costByCpuShare[i - 1]!.totalUsd * (1 + 1e-12));
        }
      }),
      { numRuns: 60 },
    );
  });
});

describe('sizeLmi: the CPU bound (lmi.cpuBound, issue 8 item 4)', () => {
  it('full-share by default: a Node.js 4096 MB invocation may use 4096 / 1769 vCPUs, not 1', () => {
    const full = size(new Array(DAY).fill(10), { profile: { memoryMB: 4096 } }).sizing!;
    const single = size(new Array(DAY).fill(10), { profile: { memoryMB: 4096 }, lmi: { cpuBound: 'single-threaded' } }).sizing!;

    expect(full.result.cpuSource).toBe('bound');
    expect(full.result.cpuSecondsPerInvocation).toBeCloseTo(0.1 * (4096 / 1769), 12);
    expect(single.result.cpuSource).toBe('bound-single-threaded');
    expect(single.result.cpuSecondsPerInvocation).toBeCloseTo(0.1, 12);
    // A larger CPU bound never makes LMI cheaper.
    expect(full.result.totalUsd).toBeGreaterThanOrEqual(single.result.totalUsd);
  });

  it('single-threaded changes nothing where standard Lambda gave less than 1 vCPU, or for Java', () => {
    const small = (cpuBound: 'full-share' | 'single-threaded') =>
      size(new Array(DAY).fill(10), { profile: { memoryMB: 1024 }, lmi: { cpuBound } }).sizing!.result;
    const java = (cpuBound: 'full-share' | 'single-threaded') =>
      size(new Array(DAY).fill(10), { profile: { memoryMB: 4096, runtime: 'java21' }, lmi: { cpuBound } }).sizing!.result;

    expect(small('single-threaded')).toEqual(small('full-share'));
    expect(java('single-threaded')).toEqual(java('full-share'));
  });
});

describe('sizeLmi: per-function CPU share (lmi.cpuBusyFractionByFunction)', () => {
  const REGION = 'us-east-1';
  const sized = (name: string, lmi: Parameters<typeof testConfig>[0], cpuSecondsPerInvocation: number | null = null) =>
    size(new Array(DAY).fill(10), { profile: { memoryMB: 4096, name, cpuSecondsPerInvocation }, lmi }).sizing!.result;

  it('uses the override of an unmeasured function, by region/name before the bare name', () => {
    const global = sized('api', { cpuBusyFraction: 0.5 });
    const byName = sized('api', { cpuBusyFraction: 1, cpuBusyFractionByFunction: { api: 0.5 } });
    const regional = sized('api', { cpuBusyFraction: 1, cpuBusyFractionByFunction: { api: 0.9, [`${REGION}/api`]: 0.5 } });
    const other = sized('worker', { cpuBusyFraction: 0.5, cpuBusyFractionByFunction: { api: 1 } });

    // The figures are the global fraction's; the result names the override it used.
    const { cpuAssumedBy: byNameKey, ...byNameFigures } = byName;
    const { cpuAssumedBy: regionalKey, ...regionalFigures } = regional;
    expect(byNameFigures).toEqual(global);
    expect(regionalFigures).toEqual(global);
    expect(other).toEqual(global);
    expect(global.cpuSource).toBe('assumed');
    expect([byNameKey, regionalKey, global.cpuAssumedBy]).toEqual([
      'lmi.cpuBusyFractionByFunction."api"',
      `lmi.cpuBusyFractionByFunction."${REGION}/api"`,
      undefined,
    ]);
  });

  it('leaves a measured function alone, and a prototype key is no override', () => {
    const measured = sized('api', {}, 0.05);

    expect(sized('api', { cpuBusyFractionByFunction: { api: 0.01 } }, 0.05)).toEqual(measured);
    expect(sized('constructor', { cpuBusyFraction: 0.5 })).toEqual(sized('api', { cpuBusyFraction: 0.5 }));
  });
});

describe('sizeLmi: grids, chart, capacity runs', () => {
  it('grids: CPU shares from 1 to 0.01, traffic 0.01..100 with 1', () => {
    const { sizing } = size(new Array(DAY).fill(5), { lmi: { cpuBound: 'single-threaded' } });

    expect(sizing!.costByCpuShare.map((p) => p.cpuShare)).toEqual(CPU_SHARE_GRID);
    expect(TRAFFIC_SCALE_GRID).toHaveLength(25);
    expect(TRAFFIC_SCALE_GRID[0]).toBeCloseTo(0.01, 12);
    expect(TRAFFIC_SCALE_GRID[24]).toBeCloseTo(100, 9);
    expect(TRAFFIC_SCALE_GRID).toContain(1);
  });

  it('grids priced as read, in parts and after other sizings, equal grids priced whole', () => {
    const load = Array.from({ length: DAY }, (_, i) => 2 + ((i * 7) % 23));
    // Single-threaded at 2048 MB: the CPU share is the fraction itself, a grid point.
    const at = (cpuBusyFraction: number, headroom = 2) => size(load, { lmi: { cpuBusyFraction, headroom, cpuBound: 'single-threaded' }, profile: { memoryMB: 2048 } }).sizing!;
    const lazy = at(0.4);
    const firstShares = [lazy.cpuShareCosts!.at(0), lazy.cpuShareCosts!.at(1)];
    at(0.4, 1.5);
    const whole = at(0.4);
    const wholeShares = whole.costByCpuShare;
    expect(firstShares).toEqual(wholeShares.slice(0, 2));
    expect(lazy.costByCpuShare).toEqual(wholeShares);
    expect(lazy.costByTrafficScale).toEqual(whole.costByTrafficScale);
    // The chosen configuration's own point (share 0.4, traffic 1) is its search's result: the
    // same figure as a sizing at another share pricing that point by a search of its own.
    const other = at(0.5);
    expect(wholeShares.map((p) => p.cpuShare)).toEqual(CPU_SHARE_GRID);
    expect(other.costByCpuShare).toEqual(wholeShares);
    expect(whole.costByTrafficScale.find((p) => p.scale === 1)!.totalUsd).toBe(wholeShares.find((p) => p.cpuShare === 0.4)!.totalUsd);
  });

  it("a grid point's lower bound is at most the point (the break-even scans skip points by it)", () => {
    fc.assert(
      fc.property(
        fc.array(fc.oneof(fc.constant(0), fc.integer({ min: 1, max: 400 })), { minLength: 60, maxLength: 300 }),
        fc.constantFrom(0.05, 0.3, 1),
        fc.constantFrom(1, 1.5, 3),
        fc.integer({ min: 0, max: 6 }),
        (load, cpuBusyFraction, headroom, minEnvironments) => {
          const sizing = size(load, { lmi: { cpuBusyFraction, headroom, minEnvironments } }).sizing;
          if (sizing === null) return;
          const grids = [
            { grid: sizing.cpuShareCosts!, key: (p: { cpuShare: number }) => p.cpuShare },
            { grid: sizing.trafficScaleCosts!, key: (p: { scale: number }) => p.scale },
          ] as const;
          for (const { grid, key } of grids) {
            // Bounds and keys read without pricing a point (the chosen configuration's own point aside).
            const bounds = [...grid.lowerTotals!()];
            const keys = grid.pointKeys!;
            expect((grid as unknown as { priced: number }).priced).toBe(0);
            for (let i = 0; i < grid.length; i++) {
              const point = grid.at(i)!;
              expect(bounds[i]).toBeLessThanOrEqual(point.totalUsd);
              expect(keys[i]).toBe(key(point as never));
              // Once priced, the bound is the point.
              expect(grid.lowerTotals!()[i]).toBe(point.totalUsd);
            }
          }
          // The CPU grid's one bound down to each end is under every bound and point before it.
          const fresh = size(load, { lmi: { cpuBusyFraction, headroom, minEnvironments } }).sizing!;
          const cpu = fresh.cpuShareCosts!;
          const bounds = [...cpu.lowerTotals!()];
          for (let end = 1; end <= cpu.length; end++) {
            const least = cpu.leastLowerTotal!(end);
            expect(Number.isNaN(least)).toBe(false);
            for (let i = 0; i < end; i++) {
              expect(least).toBeLessThanOrEqual(bounds[i] as number);
              expect(least).toBeLessThanOrEqual(sizing.costByCpuShare[i]!.totalUsd);
            }
          }
        },
      ),
      { numRuns: 60 },
    );
  });

  it('a measured CPU share off the grid is added to it', () => {
    // 0.037 s of CPU over 100 ms: share 0.37.
    const { sizing } = size(new Array(DAY).fill(5), { profile: { cpuSecondsPerInvocation: 0.037 } });

    expect(sizing!.result.cpuSource).toBe('measured');
    expect(sizing!.costByCpuShare.filter((p) => Math.abs(p.cpuShare - 0.37) < 1e-9)).toHaveLength(1);
    expect(sizing!.costByCpuShare).toHaveLength(CPU_SHARE_GRID.length + 1);
  });

  it('chart: at most 168 buckets of whole periods; 14 days of minutes give 2 h buckets', () => {
    const { sizing } = size(new Array(14 * DAY).fill(3), { lmi: { cpuBound: 'single-threaded' } });

    expect(sizing!.chart.bucketSeconds).toBe(7200);
    expect(sizing!.chart.concurrencyMax).toHaveLength(168);
    expect(sizing!.chart.lmiCapacity.every((v) => v === sizing!.result.perEnvironmentConcurrency * sizing!.result.maxEnvironments)).toBe(true);
  });

  it('capacity runs cover the window', () => {
    const { sizing } = size(Array.from({ length: DAY }, (_, i) => (i % 97) * 3));

    const runs = sizing!.capacity;
    expect(runs.runLengths.reduce((a, b) => a + b, 0)).toBe(DAY);
    expect(runs.capacity.length).toBe(runs.runLengths.length);
    expect(Math.max(...runs.capacity)).toBe(sizing!.result.maxEnvironments);
  });
});

describe('sizeLmi: eligibility and data gaps', () => {
  it('an ineligible runtime is still priced, flagged', () => {
    const { sizing } = size(new Array(DAY).fill(5), { profile: { runtime: 'ruby3.3' } });

    expect(sizing!.result.eligible).toBe(false);
    expect(sizing!.result.blockers).toHaveLength(1);
    expect(sizing!.result.totalUsd).toBeGreaterThan(0);
    expect(sizing!.risks.join('\n')).toMatch(/OS-only/);
  });

  it('runtime upgrade and memory increase are flagged and priced at 2048 MB', () => {
    const { sizing } = size(new Array(DAY).fill(5), { profile: { runtime: 'python3.12', memoryMB: 512 } });

    const r = sizing!.result;
    expect(r.needsRuntimeUpgrade).toBe(true);
    expect(r.needsMemoryIncrease).toBe(true);
    expect(r.memoryMB).toBe(2048);
    expect(r.processMemorySource).toBe('configured');
    // 2048 / 512 configured = 4 processes; CPU share 512/1769 -> floor(1 / 0.289) = 3.
    expect(r.perEnvironmentConcurrency).toBe(3);
    expect(sizing!.risks.join('\n')).toMatch(/python3\.13/);
    expect(sizing!.risks.join('\n')).toMatch(/one process per concurrent request/);
  });

  it('memory off the ratio grid is rounded up and said; the OS-only default is flagged', () => {
    const { sizing } = size(new Array(DAY).fill(5), { profile: { runtime: 'provided.al2023', memoryMB: 3000 } });

    expect(sizing!.result.memoryMB).toBe(4096);
    // 2 vCPUs at 2:1 or 1 vCPU at 4:1: both are 4096 MB; a light load takes the cheaper 4:1.
    expect([sizing!.result.memoryGiBPerVCpu, sizing!.result.vCpusPerEnvironment]).toEqual([4, 1]);
    expect(sizing!.risks.some((r) => r.startsWith('memory rounded up to 4096 MB'))).toBe(true);
    expect(sizing!.risks.some((r) => r.includes('low-confidence'))).toBe(true);
  });

  it('unknown concurrency is held and reported', () => {
    const { sizing } = size([4, null, null, 4, 4]);

    expect(sizing!.risks.some((s) => s.startsWith('2 of 5 periods have unknown concurrency'))).toBe(true);
    expect(sizing!.chart.concurrencyMax.length).toBeGreaterThan(0);
  });

  it('null when no instance type of the architecture is priced', () => {
    const profile = testProfile({ concurrency: [1, 1], architecture: 'arm64' });
    const prices = testRegionPrices(testRegionPrices().instances.filter((t) => t.architecture === 'x86_64'));

    expect(sizeLmi(profile, usageOf(profile), { window: testWindow(2), prices, config: testConfig() })).toBeNull();
  });

  it('a series of the wrong length is an error naming the function', () => {
    const profile = testProfile({ concurrency: [1, 1, 1] });

    expect(() => sizeLmi(profile, usageOf(profile), { window: testWindow(2), prices: testRegionPrices(), config: testConfig() })).toThrow(/fn.*concurrencyMax/);
  });
});

describe('sizeLmi: an invocation that needs more CPU than one environment has', () => {
  it('is priced with the environments its longer run needs, never squeezed onto one vCPU', () => {
    // Prepare: Java, 2048 MB (1-vCPU shape only), 40 concurrent all day, 1 s per invocation
    // measured at 3 CPU-seconds (a 3-vCPU share on standard Lambda's bigger CPU allotment).
    const heavy = size(new Array(DAY).fill(40), { profile: { runtime: 'java21', avgDurationMs: 1000, cpuSecondsPerInvocation: 3 } });
    const light = size(new Array(DAY).fill(40), { profile: { runtime: 'java21', avgDurationMs: 1000, cpuSecondsPerInvocation: 1 } });
    // Act
    const h = heavy.sizing!.result;
    const l = light.sizing!.result;
    // Assess: same setting (1 per EE), but 3x the environments (40 x 3 x headroom 2 = 240).
    expect(h.vCpusPerEnvironment).toBe(1);
    expect(h.perEnvironmentConcurrency).toBe(1);
    expect(l.perEnvironmentConcurrency).toBe(1);
    expect(l.maxEnvironments).toBe(80);
    expect(h.maxEnvironments).toBe(240);
    expect(h.totalUsd).toBeGreaterThan(2.5 * (l.totalUsd - l.requestsUsd));
    expect(heavy.sizing!.risks.join(' ')).toMatch(/would run about 3\.0x longer/);
  });
});

describe('lmiResultFinite: the finite walk of a result, field by field', () => {
  /** What build-report's walk answers (assertFinite walks the same keys and throws on a non-finite number). */
  const walked = (r: object): boolean => {
    try {
      assertFinite('r', r as unknown as Record<string, unknown>);
      return true;
    } catch {
      return false;
    }
  };

  it('reads every field a result has (a new field must be added to it) and answers as the walk, a field made non-finite included', () => {
    const results = [
      size(Array.from({ length: DAY }, (_, i) => (i % 97) * 3)).sizing!.result,
      size(new Array(DAY).fill(5), { profile: { cpuSecondsPerInvocation: 0.037 } }).sizing!.result,
      size(new Array(DAY).fill(0)).sizing!.result,
    ];
    for (const r of results) {
      expect(Object.keys(r).filter((k) => k !== 'cpuAssumedBy').sort()).toEqual(
        [
          'eligible', 'blockers', 'needsRuntimeUpgrade', 'needsMemoryIncrease', 'memoryMB', 'instanceType', 'memoryGiBPerVCpu',
          'vCpusPerEnvironment', 'perEnvironmentConcurrency', 'concurrencyLimitedBy', 'processMemorySource', 'minEnvironments',
          'maxEnvironments', 'avgEnvironments', 'instanceHours', 'avgInstances', 'peakInstances', 'ec2Usd', 'managementFeeUsd',
          'requestsUsd', 'totalUsd', 'throttledInvocations', 'cpuSource', 'cpuSecondsPerInvocation', 'breakEvenCpuShare',
        ].sort(),
      );
      expect(lmiResultFinite(r)).toBe(true);
      expect(walked(r)).toBe(true);
      for (const key of Object.keys(r)) {
        for (const bad of [Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY]) {
          const changed = { ...r, [key]: bad };
          // A number where the type holds one: the check and the walk agree (both false).
          if (typeof (r as unknown as Record<string, unknown>)[key] === 'number' || (r as unknown as Record<string, unknown>)[key] === null) {
            if (key === 'instanceType' || key === 'processMemorySource') continue;
            expect(lmiResultFinite(changed)).toBe(walked(changed));
            expect(lmiResultFinite(changed)).toBe(false);
          }
        }
      }
      expect(lmiResultFinite({ ...r, cpuSecondsPerInvocation: null, breakEvenCpuShare: null })).toBe(true);
    }
  });

  it("a sizing's resultFinite is lmiResultFinite of its result", () => {
    const sizing = size(new Array(DAY).fill(5)).sizing!;
    expect(sizing).toBeInstanceOf(Sizing);
    expect((sizing as Sizing).resultFinite).toBe(lmiResultFinite(sizing.result));
  });
});

describe('Sizing: the result built on first read, its figures read through before', () => {
  /** The result's fields build-report reads of every function through the sizing (recommend.ts DecideLmi, busyTimePremium). */
  const readThrough = [
    'eligible', 'blockers', 'needsRuntimeUpgrade', 'needsMemoryIncrease', 'memoryMB', 'processMemorySource', 'totalUsd',
    'throttledInvocations', 'cpuSource', 'cpuSecondsPerInvocation', 'cpuAssumedBy', 'instanceType', 'instanceHours', 'ec2Usd',
    'managementFeeUsd',
  ] as const;
  const cases = fc.record({
    concurrency: fc.array(fc.option(fc.integer({ min: 0, max: 400 }), { freq: 10 }), { minLength: 1, maxLength: 300 }),
    runtime: fc.constantFrom('nodejs22.x', 'python3.13', 'java21', 'ruby2.7', null),
    memoryMB: fc.constantFrom(128, 2048, 3000, 10240),
    cpuSecondsPerInvocation: fc.option(fc.constantFrom(0.01, 0.4), { freq: 2 }),
    headroom: fc.constantFrom(1, 1.5, 3.7),
    scaleOutMinutes: fc.constantFrom(0, 3),
    override: fc.boolean(),
    invocations: fc.constantFrom(1, 1, Number.POSITIVE_INFINITY, Number.NaN),
  });
  /** A sizing of the case: sized alone over a fresh price list (nothing kept from another). */
  const sized = (c: typeof cases extends fc.Arbitrary<infer T> ? T : never) => {
    const profile = testProfile({ concurrency: c.concurrency, runtime: c.runtime, memoryMB: c.memoryMB, cpuSecondsPerInvocation: c.cpuSecondsPerInvocation, name: 'fn' });
    const config = testConfig({ headroom: c.headroom, scaleOutMinutes: c.scaleOutMinutes, cpuBusyFractionByFunction: c.override ? { fn: 0.3 } : {} });
    const base = usageOf(profile);
    const usage = { ...base, invocations: c.invocations === 1 ? base.invocations : c.invocations };
    return sizeLmi(profile, usage, { window: testWindow(c.concurrency.length), prices: testRegionPrices(), config }) as Sizing | null;
  };

  it('read after every grid point is priced (each point a search of its own), it is the result read at once (property)', () => {
    fc.assert(
      fc.property(cases, (c) => {
        const atOnce = sized(c);
        const later = sized(c);
        if (atOnce === null || later === null) return expect(later).toBe(atOnce);
        const first = atOnce.result;
        void later.costByCpuShare;
        void later.costByTrafficScale;
        expect(later.result).toEqual(first);
        expect(JSON.stringify(later.result)).toBe(JSON.stringify(first));
        // Built once: the same object on every read.
        expect(later.result).toBe(later.result);
      }),
      { numRuns: 80 },
    );
  });

  it("each figure read through the sizing is its result's field, read before the result is built and after, and once both grids are priced whole (the pricer let go) (property)", () => {
    fc.assert(
      fc.property(cases, fc.constantFrom('none', 'one', 'both'), (c, gridsFirst) => {
        const s = sized(c);
        if (s === null) return;
        if (gridsFirst !== 'none') void s.costByCpuShare;
        if (gridsFirst === 'both') void s.costByTrafficScale;
        const through = readThrough.map((key) => s[key]);
        const finite = s.resultFinite;
        const r = s.result;
        readThrough.forEach((key, i) => expect([key, through[i]]).toEqual([key, r[key]]));
        readThrough.forEach((key) => expect([key, s[key]]).toEqual([key, r[key]]));
        // The finite check of the parts is the check of the result (non-finite request counts included).
        expect(finite).toBe(lmiResultFinite(r));
        expect(s.resultFinite).toBe(lmiResultFinite(r));
        if (!Number.isFinite(c.invocations)) expect(finite).toBe(false);
      }),
      { numRuns: 80 },
    );
  });
});

describe("Sizing.cpuShareSettled: breakEvenCpuShareAtLeast's first answer without a grid", () => {
  it('is the least-bound check of the CPU grid, made before or after, some points priced or every one, and then the scan answers false (property)', () => {
    fc.assert(
      fc.property(
        fc.array(fc.option(fc.integer({ min: 0, max: 400 }), { freq: 10 }), { minLength: 1, maxLength: 300 }),
        fc.constantFrom('nodejs22.x', 'python3.13', 'java21'),
        fc.constantFrom(128, 2048, 10240),
        fc.constantFrom(0.05, 0.3, 1),
        fc.constantFrom(0, 0.02, 0.1, 0.25, 0.33, 1, 2),
        fc.double({ min: 0.5, max: 2, noNaN: true }),
        fc.constantFrom('none', 'one', 'all'),
        (concurrency, runtime, memoryMB, cpuBusyFraction, floor, at, priced) => {
          const sized = () => size(concurrency, { lmi: { cpuBusyFraction }, profile: { runtime, memoryMB } }).sizing as Sizing | null;
          const s = sized();
          const fresh = sized();
          if (s === null || fresh === null) return;
          // A standard total around the grid's least bound (above, below, equal).
          const grid = fresh.cpuShareCosts;
          let end = grid.length;
          for (let i = 0; i < grid.length; i++) if (grid.pointKeys[i]! < floor) { end = i + 1; break; }
          const least = grid.leastLowerTotal(end);
          const standardUsd = Number.isFinite(least) ? least * at : at;
          if (priced !== 'none') {
            if (priced === 'one') s.cpuShareCosts.at(0);
            else void s.costByCpuShare;
          }
          const settled = s.cpuShareSettled(standardUsd, floor);
          const check = priced === 'all' ? Number.NaN : least;
          expect(settled).toBe(check >= standardUsd);
          if (settled) expect(breakEvenCpuShareAtLeast(sized()!.cpuShareCosts, standardUsd, floor)).toBe(false);
        },
      ),
      { numRuns: 150 },
    );
  });
});

describe('Sizing: what it holds', () => {
  it('lets go of its pricer (the replay source: the CLI\'s holds the served series) once both grids are priced whole, its figures read from its result then', () => {
    const s = size(Array.from({ length: DAY }, (_, i) => (i % 97) * 3)).sizing as Sizing;
    const fresh = size(Array.from({ length: DAY }, (_, i) => (i % 97) * 3)).sizing as Sizing;
    expect(s.holdsPricer).toBe(true);
    void s.costByCpuShare;
    expect(s.holdsPricer).toBe(true);
    void s.costByTrafficScale;
    expect(s.holdsPricer).toBe(false);
    expect(s.result).toEqual(fresh.result);
    expect([s.totalUsd, s.resultFinite, s.costByCpuShare, s.costByTrafficScale]).toEqual([fresh.totalUsd, fresh.resultFinite, fresh.costByCpuShare, fresh.costByTrafficScale]);
  });
});
