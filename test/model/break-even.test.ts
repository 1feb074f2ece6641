import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { breakEvenCpuShare, breakEvenInvocationsPerMonth } from '../../src/model/break-even.js';
import { BoundedCostGrid } from '../../src/model/lmi/cost-grid.js';

/**
 * A grid priced as read (what sizeLmi's grids are), whose lower bound of each point is `slack`
 * (0..1) of the way down to `floor`, with the keys known up front.
 */
function boundedGrid<P extends { totalUsd: number }>(points: P[], slack: number[], floor: number, key: (p: P) => number) {
  let priced = 0;
  const grid = new BoundedCostGrid(
    points.length,
    (i) => {
      priced++;
      return points[i] as P;
    },
    {
      keys: points.map(key),
      fill: (out) => {
        points.forEach((p, i) => (out[i] = p.totalUsd - (slack[i] ?? 0) * Math.max(0, p.totalUsd - floor)));
      },
    },
  );
  return { grid, priced: () => priced };
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
