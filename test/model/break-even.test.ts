import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { breakEvenCpuShare, breakEvenCpuShareAtLeast, breakEvenInvocationsPerMonth } from '../../src/model/break-even.js';
import { BoundedCostGrid } from '../../src/model/lmi/cost-grid.js';

/**
 * A grid priced as read (what sizeLmi's grids are), whose lower bound of each point is `slack`
 * (0..1) of the way down to `floor`, with the keys known up front.
 */
function boundedGrid<P extends { totalUsd: number }>(points: P[], slack: number[], floor: number, key: (p: P) => number, leastSlack?: number) {
  let priced = 0;
  /** The bounds asked for: one past the last index filled. */
  let filledTo = 0;
  const grid = new BoundedCostGrid(
    points.length,
    (i) => {
      priced++;
      return points[i] as P;
    },
    {
      keys: points.map(key),
      fill: (out, from, end) => {
        for (let i = from; i < end; i++) {
          const p = points[i] as P;
          out[i] = p.totalUsd - (slack[i] ?? 0) * Math.max(0, p.totalUsd - floor);
        }
        filledTo = Math.max(filledTo, end);
      },
      // With leastSlack: the least bound down to `end`, that far further down (0..1) toward 0.
      ...(leastSlack === undefined
        ? {}
        : {
            least: (end: number) => {
              let least = Infinity;
              for (let i = 0; i < end; i++) {
                const p = points[i] as P;
                least = Math.min(least, p.totalUsd - (slack[i] ?? 0) * Math.max(0, p.totalUsd - floor));
              }
              return least * (1 - leastSlack);
            },
          }),
    },
  );
  return { grid, priced: () => priced, filledTo: () => filledTo };
}

const usd = fc.double({ min: 0, max: 5000, noNaN: true });

describe('break-even scans over a grid priced as read, with lower bounds', () => {
  it('give the very figures of the scans over the whole array', () => {
    fc.assert(
      fc.property(
        fc.array(usd, { minLength: 1, maxLength: 25 }),
        fc.array(fc.double({ min: 0, max: 1, noNaN: true }), { minLength: 25, maxLength: 25 }),
        usd,
        usd,
        fc.double({ min: 0, max: 1, noNaN: true }),
        (totals, slack, standardUsd, floor, fixedShare) => {
          const shares = totals.map((totalUsd, i) => ({ cpuShare: 1 - i / 30, totalUsd }));
          const scales = totals.map((totalUsd, i) => ({ scale: 10 ** ((i - 12) / 6), totalUsd }));
          const standard = { totalUsd: standardUsd, fixedUsd: standardUsd * fixedShare };
          expect(breakEvenCpuShare(boundedGrid(shares, slack, floor, (p) => p.cpuShare).grid, standardUsd)).toBe(breakEvenCpuShare(shares, standardUsd));
          expect(breakEvenInvocationsPerMonth(boundedGrid(scales, slack, floor, (p) => p.scale).grid, standard, 1e6)).toBe(
            breakEvenInvocationsPerMonth(scales, standard, 1e6),
          );
        },
      ),
      { numRuns: 500 },
    );
  });

  it('a crossing at an exact zero gap and after a skipped point reads the exact neighbours', () => {
    // Standard 100 at scale 1 (no fixed part); LMI 300 then 100 then 50: gaps -, 0, +.
    const scales = [
      { scale: 0.5, totalUsd: 300 },
      { scale: 1, totalUsd: 100 },
      { scale: 2, totalUsd: 50 },
    ];
    const lazy = boundedGrid(scales, [0.5, 0, 0], 0, (p) => p.scale);
    expect(breakEvenInvocationsPerMonth(lazy.grid, { totalUsd: 100, fixedUsd: 0 }, 10)).toBe(breakEvenInvocationsPerMonth(scales, { totalUsd: 100, fixedUsd: 0 }, 10));
    expect(breakEvenInvocationsPerMonth(scales, { totalUsd: 100, fixedUsd: 0 }, 10)).toBe(10);
  });

  it('prices no point whose bound settles it', () => {
    // LMI dearer than standard everywhere, bounds tight: no point priced at all.
    const shares = [500, 400, 300].map((totalUsd, i) => ({ cpuShare: 1 - i / 4, totalUsd }));
    const bounded = boundedGrid(shares, [0, 0, 0], 0, (p) => p.cpuShare);
    expect(breakEvenCpuShare(bounded.grid, 100)).toBeNull();
    expect(bounded.priced()).toBe(0);
    // Traffic: LMI dearer at every scale (no crossing), nothing priced either.
    const scales = [500, 400, 300].map((totalUsd, i) => ({ scale: [0.1, 0.5, 1][i] as number, totalUsd }));
    const boundedScales = boundedGrid(scales, [0, 0, 0], 0, (p) => p.scale);
    expect(breakEvenInvocationsPerMonth(boundedScales.grid, { totalUsd: 100, fixedUsd: 0 }, 10)).toBeNull();
    expect(boundedScales.priced()).toBe(0);
  });
});

describe('breakEvenCpuShareAtLeast: the verdict\'s question without the scan below the floor', () => {
  /** Totals: any, or NaN / Infinity (a point that settles nothing or interpolates to NaN). */
  const total = fc.oneof({ weight: 8, arbitrary: usd }, { weight: 1, arbitrary: fc.constantFrom(Number.NaN, Number.POSITIVE_INFINITY) });
  /** The CPU grid's shares (descending), with a share used in its place sometimes. */
  const GRID = [1, 0.75, 0.5, 0.4, 0.3, 0.25, 0.2, 0.15, 0.1, 0.075, 0.05, 0.03, 0.02, 0.01];
  /** A case: the points' totals, each bound's slack under its total, the standard cost, the bounds' floor and the verdict's floor. */
  const gridCase = [
    fc.array(total, { minLength: 1, maxLength: GRID.length }),
    fc.array(fc.double({ min: 0, max: 1, noNaN: true }), { minLength: GRID.length, maxLength: GRID.length }),
    usd,
    usd,
    fc.oneof(fc.constantFrom(...GRID), fc.double({ min: 0.001, max: 1.2, noNaN: true })),
  ] as const;

  it('is breakEvenCpuShare >= floor (false when null), over plain and bounded grids', () => {
    fc.assert(
      fc.property(
        ...gridCase,
        (totals, slack, standardUsd, boundFloor, floor) => {
          const shares = totals.map((totalUsd, i) => ({ cpuShare: GRID[i] as number, totalUsd }));
          const share = breakEvenCpuShare(shares, standardUsd);
          const expected = share != null && share >= floor;
          expect(breakEvenCpuShareAtLeast(shares, standardUsd, floor)).toBe(expected);
          const bounded = boundedGrid(shares, slack, boundFloor, (p) => p.cpuShare);
          expect(breakEvenCpuShareAtLeast(bounded.grid, standardUsd, floor)).toBe(expected);
          // Bounds filled down to the first share below the floor, no further.
          const below = shares.findIndex((p) => p.cpuShare < floor);
          expect(bounded.filledTo()).toBe(below < 0 ? shares.length : below + 1);
          // Read after the predicate (the points it priced kept): the very share.
          expect(breakEvenCpuShare(bounded.grid, standardUsd)).toBe(share);
        },
      ),
      { numRuns: 3000 },
    );
  });

  it('with one bound under every point down to the floor (leastLowerTotal): the same answer, no bound filled where it settles', () => {
    fc.assert(
      fc.property(
        ...gridCase,
        fc.oneof(fc.constant(0), fc.double({ min: 0, max: 1, noNaN: true })),
        (totals, slack, standardUsd, boundFloor, floor, leastSlack) => {
          const shares = totals.map((totalUsd, i) => ({ cpuShare: GRID[i] as number, totalUsd }));
          const share = breakEvenCpuShare(shares, standardUsd);
          const bounded = boundedGrid(shares, slack, boundFloor, (p) => p.cpuShare, leastSlack);
          expect(breakEvenCpuShareAtLeast(bounded.grid, standardUsd, floor)).toBe(share != null && share >= floor);
          expect(breakEvenCpuShare(bounded.grid, standardUsd)).toBe(share);
        },
      ),
      { numRuns: 3000 },
    );
  });

  it('reads the least bound down to the first share below the floor: a cheaper point there still decides', () => {
    // Dearer down to 0.25, cheaper at 0.2: the crossing (0.2..0.25) interpolates above 0.22.
    const shares = [500, 450, 400, 350, 300, 101, 10].map((totalUsd, i) => ({ cpuShare: GRID[i] as number, totalUsd }));
    const bounded = boundedGrid(shares, new Array(shares.length).fill(0), 0, (p) => p.cpuShare, 0);
    expect(breakEvenCpuShareAtLeast(bounded.grid, 100, 0.22)).toBe(true);
    // Everything dearer down to there: settled by the one bound, no point priced, no bound filled.
    const dearer = boundedGrid([500, 450, 400, 350, 300, 250, 200, 10].map((totalUsd, i) => ({ cpuShare: GRID[i] as number, totalUsd })), new Array(8).fill(0), 0, (p) => p.cpuShare, 0);
    expect(breakEvenCpuShareAtLeast(dearer.grid, 100, 0.22)).toBe(false);
    expect(dearer.priced()).toBe(0);
    expect(dearer.filledTo()).toBe(0);
  });

  it('crossing exactly at the floor share, and an interpolation that lands on it', () => {
    // Cheaper first at 0.25 (= floor): the interpolated share between 0.3 and 0.25 is at least 0.25.
    const shares = [300, 200, 150, 120, 100, 90].map((totalUsd, i) => ({ cpuShare: GRID[i] as number, totalUsd }));
    for (const standardUsd of [90.5, 95, 99.999, 100, 100.0001, 150, 89]) {
      for (const floor of [0.25, 0.3, 0.2500001, 0.2499999]) {
        const share = breakEvenCpuShare(shares, standardUsd);
        expect(breakEvenCpuShareAtLeast(shares, standardUsd, floor)).toBe(share != null && share >= floor);
      }
    }
  });

  it('prices no point below the floor once a point at or below it is not cheaper', () => {
    // Dearer down to 0.2, cheaper from 0.1 on: the break-even (0.1..0.15) is below 0.25; the points from 0.15 down are not read.
    const shares = [500, 450, 400, 350, 300, 250, 200, 150, 50, 40].map((totalUsd, i) => ({ cpuShare: GRID[i] as number, totalUsd }));
    const bounded = boundedGrid(shares, new Array(shares.length).fill(1), 0, (p) => p.cpuShare);
    expect(breakEvenCpuShareAtLeast(bounded.grid, 100, 0.25)).toBe(false);
    expect(bounded.priced()).toBe(7); // 1 .. 0.2: the first share below the floor, then stop
    expect(breakEvenCpuShare(bounded.grid, 100)).toBeGreaterThan(0.1);
  });
});
