import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  ceilSafe,
  environmentHistogram,
  histogram,
  knownConcurrency,
  laggedWindowMax,
  scalingDelays,
  targetEnvironments,
} from '../../../src/model/lmi/replay.js';

/** The rule as written: capacity(p) = max over q in [p-L-W, p-L] of c(q), q < 0 reading c(0). */
function naiveLaggedMax(c: number[], L: number, W: number): number[] {
  return c.map((_, p) => {
    let m = -Infinity;
    for (let q = p - L - W; q <= p - L; q++) m = Math.max(m, c[Math.max(0, q)] as number);
    return m;
  });
}

describe('laggedWindowMax', () => {
  it('matches the rule on random series (property)', () => {
    fc.assert(
      fc.property(
        fc.array(fc.nat({ max: 1000 }), { minLength: 1, maxLength: 200 }),
        fc.nat({ max: 30 }),
        fc.nat({ max: 30 }),
        (c, L, W) => {
          const out = laggedWindowMax(Float64Array.from(c), { outPeriods: L, inPeriods: W });
          expect(Array.from(out)).toEqual(naiveLaggedMax(c, L, W));
        },
      ),
    );
  });

  it('a rise reaches capacity L periods later; a fall releases it W periods after that', () => {
    const c = [1, 1, 1, 5, 5, 1, 1, 1, 1, 1, 1];

    const out = Array.from(laggedWindowMax(Float64Array.from(c), { outPeriods: 2, inPeriods: 3 }));

    expect(out).toEqual([1, 1, 1, 1, 1, 5, 5, 5, 5, 5, 1]);
  });
});

describe('scalingDelays', () => {
  it('rounds minutes to periods', () => {
    expect(scalingDelays(60, 5, 15)).toEqual({ outPeriods: 5, inPeriods: 15 });
    expect(scalingDelays(300, 5, 15)).toEqual({ outPeriods: 1, inPeriods: 3 });
    expect(scalingDelays(3600, 5, 15)).toEqual({ outPeriods: 0, inPeriods: 0 });
  });
});

describe('knownConcurrency', () => {
  it('holds the previous known value; leading unknowns take the first known one', () => {
    const k = knownConcurrency([null, 4, null, null, 7, null]);

    expect(Array.from(k.values)).toEqual([4, 4, 4, 4, 7, 7]);
    expect(k.unknownPeriods).toBe(4);
    expect(k.allUnknown).toBe(false);
  });

  it('all unknown', () => {
    expect(knownConcurrency([null, null]).allUnknown).toBe(true);
  });
});

describe('targetEnvironments and the histograms', () => {
  it('max(minEnv, ceil(ceil(c / perEE) x headroom)) without floating noise', () => {
    expect(targetEnvironments(0, 64, 2, 3)).toBe(3);
    expect(targetEnvironments(65, 64, 2, 3)).toBe(4);
    expect(targetEnvironments(640, 64, 1.1, 3)).toBe(11);
    expect(ceilSafe(1.1 * 10)).toBe(11);
  });

  it('the environment histogram equals mapping every period (property)', () => {
    fc.assert(
      fc.property(
        fc.array(fc.nat({ max: 5000 }), { minLength: 1, maxLength: 300 }),
        fc.integer({ min: 1, max: 200 }),
        fc.double({ min: 1, max: 4, noNaN: true }),
        fc.constantFrom(0.01, 0.3, 1, 7.5, 100),
        (c, perEE, headroom, scale) => {
          const settings = { perEnvironment: perEE, headroom, minEnvironments: 3 };
          const h = environmentHistogram(histogram(Float64Array.from(c)), settings, scale);
          const direct = new Map<number, number>();
          for (const v of c) {
            const e = targetEnvironments(v * scale, perEE, headroom, 3);
            direct.set(e, (direct.get(e) ?? 0) + 1);
          }
          expect(new Map(Array.from(h.values, (v, i) => [v, h.counts[i] as number]))).toEqual(direct);
          expect(h.periods).toBe(c.length);
        },
      ),
    );
  });
});

describe('histogram and environmentHistogram paths', () => {
  const direct = (c: number[], perEE: number, scale: number) => {
    const m = new Map<number, number>();
    for (const v of c) {
      const e = targetEnvironments(v * scale, perEE, 2, 3);
      m.set(e, (m.get(e) ?? 0) + 1);
    }
    return m;
  };
  const asMap = (h: { values: Float64Array; counts: Float64Array }) => new Map(Array.from(h.values, (v, i) => [v, h.counts[i] as number]));

  it('many values per EE level (the search path) and one level per value (the linear path)', () => {
    const c = Array.from({ length: 3000 }, (_, i) => i % 1000);
    const h = histogram(Float64Array.from(c));

    expect(asMap(environmentHistogram(h, { perEnvironment: 100, headroom: 2, minEnvironments: 3 }, 1))).toEqual(direct(c, 100, 1));
    expect(asMap(environmentHistogram(h, { perEnvironment: 1, headroom: 2, minEnvironments: 3 }, 1))).toEqual(direct(c, 1, 1));
    expect(asMap(environmentHistogram(h, { perEnvironment: 1, headroom: 2, minEnvironments: 3 }, 0.01))).toEqual(direct(c, 1, 0.01));
  });

  it('fractional values take the sorting path with the same result', () => {
    const c = [0.5, 2.25, 0.5, 7, 2.25, 2.25];

    const h = histogram(Float64Array.from(c));

    expect(Array.from(h.values)).toEqual([0.5, 2.25, 7]);
    expect(Array.from(h.counts)).toEqual([2, 3, 1]);
    expect(Array.from(h.cumulative!)).toEqual([0, 2, 5, 6]);
  });
});
