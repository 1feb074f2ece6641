import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { planCapacityProvider } from '../../src/model/lmi/group.js';
import { sizeLmi } from '../../src/model/lmi/size.js';
import type { CapacityRuns, LmiSizing } from '../../src/model/lmi/types.js';
import type { Config } from '../../src/config/schema.js';
import type { SnapshotWindow } from '../../src/source/profile.js';
import { compactReplay, extractCompactReplay } from '../../src/whatif/replay-compact.js';
import { testConfig, testProfile, testRegionPrices, testWindow, usageOf } from '../model/lmi/helpers.js';

/** The runs of a capacity as plain data (the compact one builds them on first read, behind getters). */
function runsOf(c: CapacityRuns | undefined) {
  return c === undefined ? undefined : { capacity: c.capacity, runLengths: c.runLengths, periodSeconds: c.periodSeconds };
}

/** A capacity's series, period by period: from its runs, or from its levels. */
function expandRuns(c: CapacityRuns): number[] {
  return [...c.capacity].flatMap((e, i) => new Array<number>(c.runLengths[i]!).fill(e));
}
function expandLevels(c: CapacityRuns): number[] {
  const l = c.leveled!;
  const out: number[] = [];
  for (let i = 0; i < l.runLevel.length; i++) for (let n = 0; n < l.runLength[i]!; n++) out.push(l.levelCapacity[l.runLevel[i]!]!);
  return out;
}

/** The plan of a provider of this one function, as build-report makes it. */
function soloPlan(sizing: LmiSizing, config: Config, window: SnapshotWindow) {
  const member = { name: 'f', memoryMB: sizing.result.memoryMB, result: sizing.result, capacity: sizing.capacity, invocations: 100 };
  return planCapacityProvider({ name: 'cp', region: 'us-east-1', architecture: 'arm64', trustGroup: null, members: [member], prices: testRegionPrices(), config, window });
}

// The compact replay must give sizeLmi exactly what the series gives it, for any series and knobs.
describe('compactReplay', () => {
  const series = fc.array(fc.option(fc.oneof(fc.integer({ min: 0, max: 40 }), fc.integer({ min: 0, max: 3000 })), { freq: 12 }), {
    minLength: 1,
    maxLength: 600,
  });
  const knobs = fc.record({
    cpuBusyFraction: fc.double({ min: 0.01, max: 1, noNaN: true }),
    discount: fc.double({ min: 0, max: 0.72, noNaN: true }),
    headroom: fc.double({ min: 1, max: 10, noNaN: true }),
    minEnvironments: fc.integer({ min: 0, max: 40 }),
    scaleOutMinutes: fc.integer({ min: 0, max: 30 }),
    scaleInMinutes: fc.integer({ min: 0, max: 120 }),
  });

  it('sizes a function exactly as its series does (result, grids, chart, capacity runs, risks)', () => {
    fc.assert(
      fc.property(
        series,
        knobs,
        fc.constantFrom('nodejs22.x', 'python3.13', 'java21', 'provided.al2023'),
        fc.constantFrom(128, 1024, 2048, 4096, 10240),
        (concurrency, lmi, runtime, memoryMB) => {
          // Prepare
          const profile = testProfile({ concurrency, runtime, memoryMB });
          const window = testWindow(concurrency.length);
          const ctx = { window, prices: testRegionPrices(), config: testConfig(lmi) };

          // Act
          const fromSeries = sizeLmi(profile, usageOf(profile), ctx);
          const compact = JSON.parse(JSON.stringify(extractCompactReplay(profile, window, ctx.config.lmi, usageOf(profile).avgDurationMs)));
          const fromCompact = sizeLmi(profile, usageOf(profile), ctx, compactReplay(compact, window));

          // Assess
          expect(fromCompact === null).toBe(fromSeries === null);
          if (fromSeries === null || fromCompact === null) return;
          expect(fromCompact.result).toEqual(fromSeries.result);
          expect(fromCompact.costByCpuShare).toEqual(fromSeries.costByCpuShare);
          expect(fromCompact.costByTrafficScale).toEqual(fromSeries.costByTrafficScale);
          expect(fromCompact.chart).toEqual(fromSeries.chart);
          expect(runsOf(fromCompact.capacity)).toEqual(fromSeries.capacity);
          expect(fromCompact.risks).toEqual(fromSeries.risks);
          // The levels planning reads: the same series, each level's periods the sum of its runs',
          // and the plan of a provider of this function alone the plan from the series' runs.
          const leveled = fromCompact.capacity.leveled!;
          expect(leveled).not.toBeNull();
          expect(expandLevels(fromCompact.capacity)).toEqual(expandRuns(fromSeries.capacity));
          const sums = new Array<number>(leveled.levelPeriods.length).fill(0);
          for (let i = 0; i < leveled.runLevel.length; i++) sums[leveled.runLevel[i]!]! += leveled.runLength[i]!;
          expect(sums).toEqual(Array.from(leveled.levelPeriods));
          expect(JSON.stringify(soloPlan(fromCompact, ctx.config, window))).toBe(JSON.stringify(soloPlan(fromSeries, ctx.config, window)));
        },
      ),
      { numRuns: 300 },
    );
  });

  it('one compact replay re-sized over a sequence of knobs (kept histograms and type choices) sizes as the series does each time', () => {
    fc.assert(
      fc.property(series, fc.array(knobs, { minLength: 2, maxLength: 5 }), fc.constantFrom('nodejs22.x', 'python3.13', 'java21'), (concurrency, sequence, runtime) => {
        // Prepare: the replay delays fixed (the page's data fixes them), the other knobs vary.
        const profile = testProfile({ concurrency, runtime, memoryMB: 4096 });
        const window = testWindow(concurrency.length);
        const fixed = { scaleOutMinutes: sequence[0]!.scaleOutMinutes, scaleInMinutes: sequence[0]!.scaleInMinutes };
        const first = testConfig({ ...sequence[0]!, ...fixed });
        const source = compactReplay(extractCompactReplay(profile, window, first.lmi, usageOf(profile).avgDurationMs), window);
        const sized: [ReturnType<typeof sizeLmi>, ReturnType<typeof sizeLmi>][] = [];

        for (const lmi of [...sequence, sequence[0]!]) {
          // Act
          const ctx = { window, prices: testRegionPrices(), config: testConfig({ ...lmi, ...fixed }) };
          const fromSeries = sizeLmi(profile, usageOf(profile), ctx);
          const fromCompact = sizeLmi(profile, usageOf(profile), ctx, source);
          // The grids' lower bounds over the kept basis, read before any point is priced.
          const bounds = fromCompact
            ? [fromCompact.cpuShareCosts!, fromCompact.trafficScaleCosts!].map((g) => [...g.lowerTotals!()])
            : null;

          // Assess
          expect(fromCompact?.result).toEqual(fromSeries?.result);
          expect(fromCompact?.costByCpuShare).toEqual(fromSeries?.costByCpuShare);
          expect(fromCompact?.costByTrafficScale).toEqual(fromSeries?.costByTrafficScale);
          // Risks kept from an earlier sizing of the same choice equal the ones found afresh.
          expect(fromCompact?.risks).toEqual(fromSeries?.risks);
          if (bounds !== null && fromSeries !== null) {
            bounds[0]!.forEach((b, i) => expect(b).toBeLessThanOrEqual(fromSeries.costByCpuShare[i]!.totalUsd));
            bounds[1]!.forEach((b, i) => expect(b).toBeLessThanOrEqual(fromSeries.costByTrafficScale[i]!.totalUsd));
          }
          sized.push([fromSeries, fromCompact]);
        }
        // Charts are built on first read: read last, latest sizing first, each is still its own settings' chart.
        for (const [fromSeries, fromCompact] of sized.reverse()) {
          expect(fromCompact?.chart).toEqual(fromSeries?.chart);
          // Kept once built.
          expect(fromCompact?.chart).toBe(fromCompact?.chart);
        }
      }),
      { numRuns: 100 },
    );
  });

  it('re-sized over the knobs the type options read (discount, fee share, OS reserve, families), each sizing equals a cold one', () => {
    // The option lists a function's basis keeps are reused only while types and these four knobs are the same.
    const optionKnobs = fc.record({
      discount: fc.constantFrom(0, 0.3),
      managementFeeShare: fc.constantFrom(0.15, 0.3),
      osReserveVCpu: fc.constantFrom(1, 2),
      osReserveMemoryMiB: fc.constantFrom(1024, 12288),
      instanceFamilies: fc.constantFrom<('c' | 'm' | 'r')[]>(['c', 'm', 'r'], ['m'], ['c', 'r']),
      headroom: fc.constantFrom(1.5, 2),
    });
    fc.assert(
      fc.property(series, fc.array(optionKnobs, { minLength: 2, maxLength: 6 }), (concurrency, sequence) => {
        const profile = testProfile({ concurrency, runtime: 'java21', memoryMB: 4096 });
        const window = testWindow(concurrency.length);
        const source = compactReplay(extractCompactReplay(profile, window, testConfig().lmi, usageOf(profile).avgDurationMs), window);
        // One price list for the whole sequence, as on the page (the candidate types are then the same list).
        const prices = testRegionPrices();
        for (const lmi of sequence) {
          // Act: the kept source against a cold sizing over the series.
          const ctx = { window, prices, config: testConfig(lmi) };
          const fromSeries = sizeLmi(profile, usageOf(profile), ctx);
          const fromCompact = sizeLmi(profile, usageOf(profile), ctx, source);

          // Assess
          expect(fromCompact?.result).toEqual(fromSeries?.result);
          expect(fromCompact?.costByCpuShare).toEqual(fromSeries?.costByCpuShare);
          expect(fromCompact?.costByTrafficScale).toEqual(fromSeries?.costByTrafficScale);
        }
      }),
      { numRuns: 60 },
    );
  });

  it('builds the capacity runs from the served runs as the series does, above the run limit (blocked) and below it', () => {
    for (const [periods, levels] of [
      [9000, 12],
      [4000, 3],
    ] as const) {
      // Prepare: no replay delay, so the served concurrency changes nearly every period (9,000 periods: above 4,096 runs).
      const concurrency = Array.from({ length: periods }, (_, p) => 1 + ((p * 7) % levels) * 40);
      const profile = testProfile({ concurrency, memoryMB: 2048 });
      const window = testWindow(concurrency.length);
      const ctx = { window, prices: testRegionPrices(), config: testConfig({ scaleOutMinutes: 0, scaleInMinutes: 0, minEnvironments: 0, headroom: 1 }) };

      // Act
      const fromSeries = sizeLmi(profile, usageOf(profile), ctx);
      const source = compactReplay(extractCompactReplay(profile, window, ctx.config.lmi, usageOf(profile).avgDurationMs), window);
      const first = sizeLmi(profile, usageOf(profile), ctx, source);
      // Again from the kept replay (same settings): the same runs.
      const again = sizeLmi(profile, usageOf(profile), ctx, source);

      // Assess
      expect(runsOf(first?.capacity)).toEqual(fromSeries?.capacity);
      expect(runsOf(again?.capacity)).toEqual(fromSeries?.capacity);
      expect(first?.result).toEqual(fromSeries?.result);
      // No levels where the runs may be blocked (more served runs than MAX_CAPACITY_RUNS): planning reads the runs.
      if (periods > 4096) expect(first?.capacity.leveled).toBeNull();
      else expect(expandLevels(first!.capacity)).toEqual(expandRuns(fromSeries!.capacity));
    }
  });

  it('plans a provider of several functions from their levels exactly as from their series runs (property)', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 300 }),
        fc.array(fc.tuple(fc.array(fc.option(fc.integer({ min: 0, max: 200 }), { freq: 12 }), { minLength: 300, maxLength: 300 }), fc.constantFrom(1024, 2048, 8192)), {
          minLength: 2,
          maxLength: 5,
        }),
        knobs,
        (periods, specs, lmi) => {
          // Prepare: every member cut to the same window; both sizings of each member.
          const window = testWindow(periods);
          const config = testConfig(lmi);
          const ctx = { window, prices: testRegionPrices(), config };
          const members = specs.flatMap(([concurrency, memoryMB], i) => {
            const profile = testProfile({ name: `f${i}`, concurrency: concurrency.slice(0, periods), memoryMB });
            const fromSeries = sizeLmi(profile, usageOf(profile), ctx);
            const data = extractCompactReplay(profile, window, config.lmi, usageOf(profile).avgDurationMs);
            const fromCompact = sizeLmi(profile, usageOf(profile), ctx, compactReplay(data, window));
            if (fromSeries === null || fromCompact === null) return [];
            const as = (s: LmiSizing) => ({ name: profile.name, memoryMB, result: s.result, capacity: s.capacity, invocations: 1000 * (i + 1) });
            return [{ series: as(fromSeries), compact: as(fromCompact) }];
          });
          const plan = (which: 'series' | 'compact') =>
            planCapacityProvider({
              name: 'cp',
              region: 'us-east-1',
              architecture: 'arm64',
              trustGroup: 't',
              members: members.map((m) => m[which]),
              prices: testRegionPrices(),
              config,
              window,
            });

          // Act, assess: the compact members give planning their levels, the series ones their runs.
          if (members.length > 0) expect(members[0]!.compact.capacity.leveled).toBeTruthy();
          expect(JSON.stringify(plan('compact'))).toBe(JSON.stringify(plan('series')));
        },
      ),
      { numRuns: 150 },
    );
  });

  it('sizes as the series does when the served levels span more than a level table holds (the histogram by Map)', () => {
    // Prepare: levels from 0 to 90,000 (wider than histogramOfRuns's array of 2^16 levels).
    const concurrency = Array.from({ length: 600 }, (_, p) => (p % 50 === 0 ? 90_000 : (p * 13) % 40));
    const profile = testProfile({ concurrency, memoryMB: 2048 });
    const window = testWindow(concurrency.length);
    const ctx = { window, prices: testRegionPrices(), config: testConfig({ scaleOutMinutes: 0, scaleInMinutes: 2 }) };

    // Act
    const fromSeries = sizeLmi(profile, usageOf(profile), ctx);
    const fromCompact = sizeLmi(profile, usageOf(profile), ctx, compactReplay(extractCompactReplay(profile, window, ctx.config.lmi, usageOf(profile).avgDurationMs), window));

    // Assess
    expect(fromSeries).not.toBeNull();
    expect(fromCompact?.result).toEqual(fromSeries?.result);
    expect(fromCompact?.costByTrafficScale).toEqual(fromSeries?.costByTrafficScale);
    expect(fromCompact?.chart).toEqual(fromSeries?.chart);
  });

  it('keeps only the periods that can throttle, merged per (served, concurrency) pair: far fewer than the series on a steady load', () => {
    // Prepare: a slow sine plus noise, 2 days of minutes.
    const concurrency = Array.from({ length: 2880 }, (_, p) => Math.round(50 + 30 * Math.sin(p / 200) + ((p * 7919) % 5)));
    const profile = testProfile({ concurrency });

    // Act
    const compact = extractCompactReplay(profile, testWindow(concurrency.length), testConfig().lmi, usageOf(profile).avgDurationMs);

    // Assess
    expect(compact.pairServed.length).toBeLessThan(concurrency.length / 10);
    expect(compact.servedValues.length).toBeLessThan(concurrency.length / 2);
  });
});
