import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { Config } from '../../../src/config/schema.js';
import { sizeLmi } from '../../../src/model/lmi/size.js';
import type { LmiSizing } from '../../../src/model/lmi/types.js';
import type { FunctionProfile, SnapshotWindow } from '../../../src/source/profile.js';
import { compactReplay, extractCompactReplay, type CompactReplayData } from '../../../src/whatif/replay-compact.js';
import { testConfig, testProfile, testRegionPrices, testWindow, usageOf } from './helpers.js';

/**
 * What sizeLmi keeps between sizings of one function (the what-if page re-sizes each function per
 * knob change): its basis (option lists per shapes and types, the CPU figure, the CPU grid, the
 * risks), the source's demands and chosen replays. Every sizing over a kept source must be the
 * sizing of a cold one: a fresh compact source over the same data, with a fresh price list (so no
 * option list is shared either).
 */

/**
 * Every figure of a sizing, read in one order: the verdict's least bound over the CPU grid's first
 * points (the whole grid's, then for every end), then the grids' bounds (before any point is priced), then the points, chart
 * and capacity. `fresh` (the cold side): each least bound read from a sizing of its own over a fresh
 * source (what the basis keeps for it, read from no other end).
 */
function figuresOf(s: LmiSizing | null, fresh?: () => LmiSizing | null) {
  if (s === null) return null;
  const cpuShares = s.cpuShareCosts!;
  // Every end, the whole grid's first: the end a sizing before read last (a kept bound is read again at the end it was kept for).
  const ends = [cpuShares.length, ...Array.from({ length: cpuShares.length + 1 }, (_, end) => end)];
  const least = ends.map((end) => (fresh === undefined ? cpuShares : fresh()!.cpuShareCosts!).leastLowerTotal!(end));
  const bounds = [[...s.cpuShareCosts!.lowerTotals!()], [...s.trafficScaleCosts!.lowerTotals!()]];
  const capacity = s.capacity;
  const leveled = capacity.leveled ?? null;
  return {
    result: s.result,
    least,
    bounds,
    costByCpuShare: s.costByCpuShare,
    costByTrafficScale: s.costByTrafficScale,
    risks: s.risks,
    chart: s.chart,
    capacity: { capacity: [...capacity.capacity], runLengths: [...capacity.runLengths], periodSeconds: capacity.periodSeconds },
    leveled:
      leveled === null
        ? null
        : {
            levelCapacity: Array.from(leveled.levelCapacity),
            levelPeriods: Array.from(leveled.levelPeriods),
            runLevel: Array.from(leveled.runLevel),
            runLength: Array.from(leveled.runLength),
          },
  };
}

interface Fn {
  profile: FunctionProfile;
  data: CompactReplayData;
  window: SnapshotWindow;
}

function fnOf(profile: FunctionProfile, window: SnapshotWindow, lmi: Config['lmi']): Fn {
  return { profile, window, data: extractCompactReplay(profile, window, lmi, usageOf(profile).avgDurationMs) };
}

/** The cold sizing: a fresh source, fresh prices. */
function cold(fn: Fn, usage: ReturnType<typeof usageOf>, config: Config, window = fn.window): LmiSizing | null {
  return sizeLmi(fn.profile, usage, { window, prices: testRegionPrices(), config }, compactReplay(fn.data, window));
}

/**
 * Sizes one kept source over a sequence of steps (profile, usage, config, window may each move),
 * each against the cold sizing: figures deep equal and equal as JSON. `later`: the kept sizings'
 * figures are read only after the whole sequence (lazy grids and charts read after later settings).
 */
function expectKeptIsCold(
  fn: Fn,
  steps: { config: Config; usage?: ReturnType<typeof usageOf>; profile?: FunctionProfile; window?: SnapshotWindow }[],
  later = false,
): void {
  const source = compactReplay(fn.data, fn.window);
  const prices = testRegionPrices();
  const pending: [LmiSizing | null, ReturnType<typeof figuresOf>][] = [];
  for (const step of steps) {
    const profile = step.profile ?? fn.profile;
    const usage = step.usage ?? usageOf(fn.profile);
    const window = step.window ?? fn.window;
    const kept = sizeLmi(profile, usage, { window, prices, config: step.config }, source);
    const coldSizing = () => sizeLmi(profile, usage, { window, prices: testRegionPrices(), config: step.config }, compactReplay(fn.data, window));
    const coldFigures = figuresOf(coldSizing(), coldSizing);
    if (later) pending.push([kept, coldFigures]);
    else {
      const keptFigures = figuresOf(kept);
      expect(keptFigures).toEqual(coldFigures);
      expect(JSON.stringify(keptFigures)).toBe(JSON.stringify(coldFigures));
    }
  }
  for (const [kept, coldFigures] of pending.reverse()) {
    const keptFigures = figuresOf(kept);
    expect(keptFigures).toEqual(coldFigures);
    expect(JSON.stringify(keptFigures)).toBe(JSON.stringify(coldFigures));
  }
}

/** A load that steps up within the scale-out delay (throttles) and rests between bursts. */
function burstySeries(length: number, peak: number): number[] {
  return Array.from({ length }, (_, i) => (i % 40 < 30 ? 2 + (i % 3) : i % 40 < 35 ? peak : 5));
}

describe('sizeLmi over a kept source: every sizing is the cold one', () => {
  const series = fc.array(fc.option(fc.oneof(fc.integer({ min: 0, max: 40 }), fc.integer({ min: 0, max: 3000 })), { freq: 12 }), {
    minLength: 1,
    maxLength: 400,
  });
  const fnArb = fc.record({
    concurrency: series,
    runtime: fc.constantFrom('nodejs22.x', 'python3.13', 'java21', 'provided.al2023'),
    memoryMB: fc.constantFrom(128, 1024, 2048, 4096, 10240),
    architecture: fc.constantFrom<('arm64' | 'x86_64')[]>('arm64', 'x86_64'),
    cpuSecondsPerInvocation: fc.option(fc.constantFrom(0.01, 0.08, 0.4), { freq: 3 }),
  });
  const stepArb = fc.record({
    discount: fc.constantFrom(0, 0.2, 0.45),
    headroom: fc.constantFrom(1, 1.2, 1.5, 2, 3.7),
    minEnvironments: fc.constantFrom(0, 1, 3, 7),
    minInstances: fc.constantFrom(1, 3),
    cpuBusyFraction: fc.constantFrom(0.05, 0.25, 0.5, 1),
    cpuBound: fc.constantFrom<('full-share' | 'single-threaded')[]>('full-share', 'single-threaded'),
    managementFeeShare: fc.constantFrom(0.15, 0.3),
    osReserveVCpu: fc.constantFrom(1, 2),
    osReserveMemoryMiB: fc.constantFrom(1024, 2048),
    instanceFamilies: fc.constantFrom<('c' | 'm' | 'r')[][]>(['c', 'm', 'r'], ['m'], ['c', 'r']),
    override: fc.option(fc.constantFrom(0.1, 0.9), { freq: 3 }),
    durationScale: fc.constantFrom(1, 1, 2.5),
  });

  it('for random functions sized in turn over random knob sequences, read at once or after later settings (property)', () => {
    fc.assert(
      fc.property(
        fc.array(fnArb, { minLength: 1, maxLength: 3 }),
        fc.array(stepArb, { minLength: 2, maxLength: 6 }),
        fc.constantFrom(0, 1, 3),
        fc.boolean(),
        (fnArgs, steps, scaleOutMinutes, later) => {
          // Prepare: the delays fixed (the page's data fixes them); one price list for every kept sizing, as on the page.
          const fixed = { scaleOutMinutes, scaleInMinutes: 15 };
          const fns = fnArgs.map((a, i) => {
            const profile = testProfile({ ...a, name: `fn${i}` });
            const window = testWindow(a.concurrency.length);
            return { ...fnOf(profile, window, testConfig(fixed).lmi), source: compactReplay(fnOf(profile, window, testConfig(fixed).lmi).data, window) };
          });
          const prices = testRegionPrices();
          const pending: [LmiSizing | null, ReturnType<typeof figuresOf>][] = [];

          for (const { override, durationScale, ...lmi } of steps) {
            const config = testConfig({ ...lmi, ...fixed, cpuBusyFractionByFunction: override === null ? {} : { fn0: override } });
            for (const fn of fns) {
              const base = usageOf(fn.profile);
              const usage = { invocations: base.invocations, avgDurationMs: base.avgDurationMs === null ? null : base.avgDurationMs * durationScale };
              // Act
              const kept = sizeLmi(fn.profile, usage, { window: fn.window, prices, config }, fn.source);
              const coldFigures = figuresOf(cold(fn, usage, config), () => cold(fn, usage, config));

              // Assess
              if (later) pending.push([kept, coldFigures]);
              else expect(figuresOf(kept)).toEqual(coldFigures);
              // And the CLI's sizing over the series (the compact data was extracted at the run's duration).
              if (durationScale === 1) expect(kept?.result).toEqual(sizeLmi(fn.profile, usage, { window: fn.window, prices: testRegionPrices(), config })?.result);
            }
          }
          for (const [kept, coldFigures] of pending.reverse()) {
            const keptFigures = figuresOf(kept);
            expect(keptFigures).toEqual(coldFigures);
            expect(JSON.stringify(keptFigures)).toBe(JSON.stringify(coldFigures));
          }
        },
      ),
      { numRuns: 60 },
    );
  });

  // One test per part of what the kept option lists, CPU figure, CPU grid and risks are keyed by:
  // each moves that part alone (or with what it moves), so dropping it from a key fails here.

  it('option lists: per list of candidate types (two architectures of one memory size share shapes, not options)', () => {
    const lmi = testConfig().lmi;
    const arm = fnOf(testProfile({ concurrency: burstySeries(200, 60), architecture: 'arm64', name: 'a', memoryMB: 4096 }), testWindow(200), lmi);
    const x86 = fnOf(testProfile({ concurrency: burstySeries(200, 60), architecture: 'x86_64', name: 'x', memoryMB: 4096 }), testWindow(200), lmi);
    const prices = testRegionPrices();
    const sources = [compactReplay(arm.data, arm.window), compactReplay(x86.data, x86.window)];
    for (let round = 0; round < 2; round++) {
      [arm, x86].forEach((fn, i) => {
        const config = testConfig();
        const kept = sizeLmi(fn.profile, usageOf(fn.profile), { window: fn.window, prices, config }, sources[i]);
        expect(figuresOf(kept)).toEqual(figuresOf(cold(fn, usageOf(fn.profile), config), () => cold(fn, usageOf(fn.profile), config)));
      });
    }
  });

  it.each([
    ['discount', [{ discount: 0 }, { discount: 0.3 }, { discount: 0 }]],
    ['managementFeeShare', [{ managementFeeShare: 0.15 }, { managementFeeShare: 0.3 }]],
    ['osReserveVCpu', [{ osReserveVCpu: 1 }, { osReserveVCpu: 2 }]],
    ['osReserveMemoryMiB', [{ osReserveMemoryMiB: 1024 }, { osReserveMemoryMiB: 12288 }]],
    ['instanceFamilies (the types)', [{ instanceFamilies: ['c', 'm', 'r'] }, { instanceFamilies: ['r'] }]],
  ] as [string, Partial<Config['lmi']>[]][])('option lists: %s', (_, settings) => {
    const fn = fnOf(testProfile({ concurrency: burstySeries(300, 90), runtime: 'java21', memoryMB: 4096 }), testWindow(300), testConfig().lmi);
    expectKeptIsCold(
      fn,
      settings.map((s) => ({ config: testConfig(s) })),
    );
  });

  it('CPU figure and CPU grid: the average duration', () => {
    const fn = fnOf(testProfile({ concurrency: burstySeries(300, 90), memoryMB: 4096 }), testWindow(300), testConfig().lmi);
    const usage = usageOf(fn.profile);
    expectKeptIsCold(fn, [
      { config: testConfig(), usage },
      { config: testConfig(), usage: { ...usage, avgDurationMs: 250 } },
    ]);
  });

  it('CPU figure: the measured CPU seconds', () => {
    const fn = fnOf(testProfile({ concurrency: burstySeries(300, 90), memoryMB: 4096, cpuSecondsPerInvocation: 0.02 }), testWindow(300), testConfig().lmi);
    expectKeptIsCold(fn, [
      { config: testConfig() },
      { config: testConfig(), profile: { ...fn.profile, cpuSecondsPerInvocation: 0.09 } },
    ]);
  });

  it('CPU figure: lmi.cpuBound (single-threaded caps a Node.js function at 1 vCPU)', () => {
    const fn = fnOf(testProfile({ concurrency: burstySeries(300, 90), memoryMB: 8192 }), testWindow(300), testConfig().lmi);
    expectKeptIsCold(fn, [{ config: testConfig({ cpuBound: 'full-share' }) }, { config: testConfig({ cpuBound: 'single-threaded' }) }]);
  });

  it('CPU figure and CPU grid: lmi.cpuBusyFraction and a per-function override', () => {
    const fn = fnOf(testProfile({ concurrency: burstySeries(300, 90), memoryMB: 4096 }), testWindow(300), testConfig().lmi);
    expectKeptIsCold(fn, [
      { config: testConfig({ cpuBusyFraction: 0.5 }) },
      { config: testConfig({ cpuBusyFraction: 0.21 }) },
      { config: testConfig({ cpuBusyFraction: 0.21, cpuBusyFractionByFunction: { fn: 0.6 } }) },
    ]);
  });

  it('least CPU-grid bound: the share used, at the same place in the grid with other per-EE concurrencies', () => {
    // Shares 0.24 and 0.28 of this function's duration: both between the grid's 0.3 and 0.25.
    const fn = fnOf(testProfile({ concurrency: burstySeries(300, 90), memoryMB: 2048 }), testWindow(300), testConfig().lmi);
    expectKeptIsCold(fn, [{ config: testConfig({ cpuBusyFraction: 0.21 }) }, { config: testConfig({ cpuBusyFraction: 0.24 }) }]);
    // Each end read at one share, then at the other (the verdict reads one end on every update).
    const source = compactReplay(fn.data, fn.window);
    const prices = testRegionPrices();
    const usage = usageOf(fn.profile);
    const sized = (share: number, over = source) => sizeLmi(fn.profile, usage, { window: fn.window, prices, config: testConfig({ cpuBusyFraction: share }) }, over)!.cpuShareCosts!;
    const length = sized(0.21).length;
    for (let end = 0; end <= length; end++) {
      for (const share of [0.21, 0.24]) expect(sized(share).leastLowerTotal!(end)).toBe(sized(share, compactReplay(fn.data, fn.window)).leastLowerTotal!(end));
    }
  });

  it('risks: the invocations (the throttled share is of them)', () => {
    const fn = fnOf(testProfile({ concurrency: burstySeries(400, 300) }), testWindow(400), testConfig({ scaleOutMinutes: 3 }).lmi);
    const usage = usageOf(fn.profile);
    const config = testConfig({ scaleOutMinutes: 3 });
    expect(cold(fn, usage, config)?.result.throttledInvocations).toBeGreaterThan(0);
    expectKeptIsCold(fn, [
      { config, usage },
      { config, usage: { ...usage, invocations: usage.invocations * 2 } },
    ]);
  });

  it('risks: the headroom, where invocations are throttled, even when the throttled count does not move', () => {
    // Two headrooms that give the same capacity (the same throttles) but name a different headroom.
    const fn = fnOf(testProfile({ concurrency: burstySeries(400, 300) }), testWindow(400), testConfig({ scaleOutMinutes: 3 }).lmi);
    const usage = usageOf(fn.profile);
    const at = (headroom: number) => testConfig({ scaleOutMinutes: 3, headroom, minEnvironments: 0 });
    const headrooms = [1, 1.01, 1.02, 1.05, 1.1, 1.2, 1.25, 1.3, 1.4, 1.5, 1.75, 2];
    const throttled = headrooms.map((h) => cold(fn, usage, at(h))?.result.throttledInvocations);
    const i = throttled.findIndex((t, j) => j > 0 && t !== undefined && t > 0 && t === throttled[j - 1]);
    expect(i).toBeGreaterThan(0);
    expectKeptIsCold(fn, [{ config: at(headrooms[i - 1]!) }, { config: at(headrooms[i]!) }]);
  });

  it('risks: the throttled invocations (a headroom that moves them)', () => {
    const fn = fnOf(testProfile({ concurrency: burstySeries(400, 300) }), testWindow(400), testConfig({ scaleOutMinutes: 3 }).lmi);
    expectKeptIsCold(fn, [
      { config: testConfig({ scaleOutMinutes: 3, headroom: 1 }) },
      { config: testConfig({ scaleOutMinutes: 3, headroom: 4 }) },
    ]);
  });

  it('risks: the scale-out minutes (coarse data, the throttle sentence)', () => {
    const fn = fnOf(testProfile({ concurrency: burstySeries(400, 300) }), testWindow(400), testConfig({ scaleOutMinutes: 3 }).lmi);
    expectKeptIsCold(fn, [
      { config: testConfig({ scaleOutMinutes: 3 }) },
      { config: testConfig({ scaleOutMinutes: 4 }) },
      { config: testConfig({ scaleOutMinutes: 4, scaleInMinutes: 20 }) },
    ]);
  });

  it('risks: the period length (a window of as many longer periods: coarse data)', () => {
    // A source's chart is of its own window: only the sizing's figures are compared here.
    // A 2-minute delay is 2 one-minute periods, and none of 5 minutes: coarse.
    const fn = fnOf(testProfile({ concurrency: burstySeries(400, 300) }), testWindow(400), testConfig({ scaleOutMinutes: 2 }).lmi);
    const source = compactReplay(fn.data, fn.window);
    const prices = testRegionPrices();
    const config = testConfig({ scaleOutMinutes: 2 });
    const risksAt = [fn.window, testWindow(400, 300)].map((window) => cold(fn, usageOf(fn.profile), config, window)?.risks);
    expect(risksAt[0]).not.toEqual(risksAt[1]);
    for (const window of [fn.window, testWindow(400, 300)]) {
      const kept = sizeLmi(fn.profile, usageOf(fn.profile), { window, prices, config }, source);
      const coldSizing = sizeLmi(fn.profile, usageOf(fn.profile), { window, prices: testRegionPrices(), config }, compactReplay(fn.data, window));
      expect(kept?.risks).toEqual(coldSizing?.risks);
      expect(kept?.result).toEqual(coldSizing?.result);
    }
  });

  it('risks: the per-EE concurrency (one invocation needing more than an environment holds)', () => {
    const fn = fnOf(testProfile({ concurrency: burstySeries(300, 40), runtime: 'java21', memoryMB: 10240 }), testWindow(300), testConfig().lmi);
    // Below 1 at a full and a 0.9 share (the sentence names it), above at 0.1, 0.2 (no sentence: the risks are kept), then below again.
    const belowOne = (cpuBusyFraction: number) => cold(fn, usageOf(fn.profile), testConfig({ cpuBusyFraction }))!.risks.some((r) => r.startsWith('one invocation uses about'));
    expect([1, 0.9, 0.1, 0.2].map(belowOne)).toEqual([true, true, false, false]);
    expectKeptIsCold(
      fn,
      [1, 0.9, 0.1, 0.2, 1].map((cpuBusyFraction) => ({ config: testConfig({ cpuBusyFraction }) })),
    );
  });

  it('demands: a dropped scope (headroom, minEnvironments) has its demands filled again for the next, the one whose histogram the shared buffers hold among them', () => {
    // A scope is dropped at the third (headroom, minEnvironments) kept; its demands are taken for
    // the new one. Here the last histogram built is of the scope dropped: the second sizing at the
    // first setting finds every demand kept (nothing rebuilt), so the buffers still hold one of the
    // second setting's when the third drops it. Nothing else is sized in between (the shared
    // buffers serve every source): the kept results are read at once, the cold ones after.
    const fns = [
      fnOf(testProfile({ concurrency: burstySeries(300, 90), memoryMB: 4096 }), testWindow(300), testConfig().lmi),
      fnOf(testProfile({ concurrency: burstySeries(300, 40), runtime: 'java21', memoryMB: 2048 }), testWindow(300), testConfig().lmi),
    ];
    const sequences: Partial<Config['lmi']>[][] = [
      [{ headroom: 2 }, { headroom: 1 }, { headroom: 2 }, { headroom: 3.7 }, { headroom: 1 }],
      [{ headroom: 1 }, { headroom: 3.7 }, { headroom: 1 }, { headroom: 2 }, { headroom: 3.7 }, { headroom: 1.5 }],
      [{ minEnvironments: 9 }, { minEnvironments: 1 }, { minEnvironments: 9 }, { minEnvironments: 4 }, { minEnvironments: 1 }],
    ];
    for (const fn of fns) {
      for (const sequence of sequences) {
        const source = compactReplay(fn.data, fn.window);
        const prices = testRegionPrices();
        const usage = usageOf(fn.profile);
        const kept = sequence.map((lmi) => JSON.stringify(sizeLmi(fn.profile, usage, { window: fn.window, prices, config: testConfig(lmi) }, source)?.result));
        const coldResults = sequence.map((lmi) => JSON.stringify(cold(fn, usage, testConfig(lmi))?.result));
        expect(kept).toEqual(coldResults);
      }
    }
  });

  it('risks: the shape chosen (instance families that move it)', () => {
    const fn = fnOf(testProfile({ concurrency: burstySeries(300, 40), runtime: 'python3.13', memoryMB: 3000 }), testWindow(300), testConfig().lmi);
    expectKeptIsCold(fn, [{ config: testConfig({ instanceFamilies: ['c'] }) }, { config: testConfig({ instanceFamilies: ['r'] }) }, { config: testConfig({ instanceFamilies: ['m'] }) }]);
  });
});
